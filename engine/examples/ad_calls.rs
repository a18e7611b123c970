//! Calls `assess_ad` a given number of times, so that an instruction counter can state what one
//! ad costs: `scripts/ad-instructions.sh` runs this under `valgrind --tool=callgrind` twice (N
//! and 2N calls) and divides the difference by N, which leaves out loading the grammar and
//! everything else the two runs share. Instructions, unlike seconds, repeat from run to run on
//! a shared machine; BENCHMARKS.md states issue 19's 2x bar for the ad bench in them.
//!
//! ```text
//! ad_calls bench N              # N calls on the criterion bench's 65-character ad
//! ad_calls corpus N [ADS.jsonl] # N passes over every ad of the corpus
//! ```
//!
//! Prints one JSON line: what was read, how many calls, and the findings counted (so the work
//! cannot be optimised away). Uses the system allocator, as the criterion bench does. An
//! example of the engine crate, not a bench binary, so that it builds without the workspace's
//! heavier crates: `cargo build --release -p finrisk-engine --example ad_calls` (the script
//! gives it a target directory of its own, so the workspace's builds are not disturbed).

use finrisk_engine::Ruleset;
use finrisk_engine::assess::assess_ad;
use finrisk_engine::domain::Jurisdiction;
use finrisk_engine::marketing::ClaimGrammar;
use std::hint::black_box;
use std::process::ExitCode;

/// The criterion bench's ad (`benches/engine.rs`, `ad_analysis/chars/65`).
const BENCH_AD: &str =
    "日息低至万分之五，秒到账，不看征信，学生也能借！Borrow now, 0% interest, no hidden fees. ";

/// The corpus read when no path is given, relative to the workspace root.
const CORPUS: &str = "datasets/data/ads/ads.jsonl";

fn usage(reason: &str) -> ExitCode {
    eprintln!("ad_calls: {reason}; usage: ad_calls bench N | ad_calls corpus N [ADS.jsonl]");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(what), Some(n)) = (args.first(), args.get(1)) else {
        return usage("two arguments expected");
    };
    let Ok(n) = n.parse::<usize>() else {
        return usage(&format!("N: `{n}` is not a whole number"));
    };
    let texts: Vec<String> = match what.as_str() {
        "bench" => vec![BENCH_AD.to_string()],
        "corpus" => {
            let path = args.get(2).map_or(CORPUS, String::as_str);
            let text = match std::fs::read_to_string(path) {
                Ok(t) => t,
                Err(e) => return usage(&format!("ADS.jsonl: cannot read {path}: {e}")),
            };
            let mut texts = Vec::new();
            for (i, line) in text
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
            {
                let ad: serde_json::Value = match serde_json::from_str(line) {
                    Ok(v) => v,
                    Err(e) => return usage(&format!("ADS.jsonl: {path} line {}: {e}", i + 1)),
                };
                match ad["text"].as_str() {
                    Some(t) => texts.push(t.to_string()),
                    None => {
                        return usage(&format!("text: {path} line {}: not a string", i + 1));
                    }
                }
            }
            texts
        }
        other => return usage(&format!("`{other}` is neither bench nor corpus")),
    };
    let (ruleset, grammar) = match (
        Ruleset::embedded(Jurisdiction::Cn),
        ClaimGrammar::embedded(),
    ) {
        (Ok(r), Ok(g)) => (r, g),
        (Err(e), _) => return usage(&format!("the embedded CN ruleset: {e}")),
        (_, Err(e)) => return usage(&format!("the embedded claim grammar: {e}")),
    };
    let mut findings = 0usize;
    let mut calls = 0usize;
    for _ in 0..n {
        for text in &texts {
            match assess_ad(black_box(text), None, &ruleset, &grammar) {
                Ok(a) => findings += black_box(a).findings.len(),
                Err(e) => {
                    eprintln!("ad_calls: an ad was refused: {e}");
                    return ExitCode::from(1);
                }
            }
            calls += 1;
        }
    }
    println!(
        "{{\"input\":\"{what}\",\"ads\":{},\"calls\":{calls},\"findings\":{findings}}}",
        texts.len()
    );
    ExitCode::SUCCESS
}
