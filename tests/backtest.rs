//! `finrisk backtest`: a candidate ruleset with two thresholds moved gains and loses exactly the
//! rows between the old and the new threshold, recomputed here from the table's columns.

#![allow(clippy::unwrap_used, reason = "tests: a failure should panic")]

mod common;

use common::{assert_bad_input, generated, json, run};
use std::collections::BTreeSet;

#[test]
fn moved_thresholds_gain_and_lose_exactly_the_rows_between_them() {
    let (dir, _) = generated("backtest", "moved", 20_000);
    let rules = concat!(env!("CARGO_MANIFEST_DIR"), "/rules/cn.toml");
    let base = std::fs::read_to_string(rules).unwrap();
    // DC-MANY-INQUIRIES from 5 to 4 inquiries in 30 days (rows with 4 gain it);
    // DC-NEW-WHILE-DELINQUENT from 30 to 60 days past due (rows with 30 to 59 lose it).
    let many =
        "[codes.\"DC-MANY-INQUIRIES\"]\nseverity = \"medium\"\nweight = 1.0\nthreshold = 5.0";
    let late =
        "[codes.\"DC-NEW-WHILE-DELINQUENT\"]\nseverity = \"high\"\nweight = 1.0\nthreshold = 30.0";
    assert!(base.contains(many) && base.contains(late));
    let candidate_text = base
        .replace(many, &many.replace("threshold = 5.0", "threshold = 4.0"))
        .replace(late, &late.replace("threshold = 30.0", "threshold = 60.0"))
        .replace("version = \"cn-", "version = \"candidate-cn-");
    let candidate = dir.join("candidate.toml");
    std::fs::write(&candidate, candidate_text).unwrap();
    let changes = dir.join("changes.csv");
    let input = dir.join("grants.parquet");
    let report = json(&[
        "backtest",
        "--input",
        input.to_str().unwrap(),
        "--candidate",
        candidate.to_str().unwrap(),
        "--changes",
        changes.to_str().unwrap(),
        "--chunk-rows",
        "3000",
    ]);
    assert_eq!(report["rows_assessed"], 20_000, "{report}");
    let keys: Vec<&str> = report["ruleset_changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "codes.DC-MANY-INQUIRIES.threshold",
            "codes.DC-NEW-WHILE-DELINQUENT.threshold",
            "version"
        ]
    );

    // The rows between the thresholds, from the table itself.
    let table = finrisk_datasets::read_table(&input).unwrap();
    let text = |name: &str| -> Vec<String> {
        table
            .column(name)
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(|v| v.unwrap().to_string())
            .collect()
    };
    let int = |name: &str| -> Vec<Option<i64>> {
        table
            .column(name)
            .unwrap()
            .cast(&polars::prelude::DataType::Int64)
            .unwrap()
            .i64()
            .unwrap()
            .iter()
            .collect()
    };
    let (ids, inquiries, dpd) = (text("grant_id"), int("inquiries_30d"), int("dpd_at_grant"));
    let mut expected: BTreeSet<(String, &str, &str)> = BTreeSet::new();
    for i in 0..ids.len() {
        if inquiries[i] == Some(4) {
            expected.insert((ids[i].clone(), "DC-MANY-INQUIRIES", "gained"));
        }
        if dpd[i].is_some_and(|d| (30..60).contains(&d)) {
            expected.insert((ids[i].clone(), "DC-NEW-WHILE-DELINQUENT", "lost"));
        }
    }
    let written = std::fs::read_to_string(&changes).unwrap();
    let mut lines = written.lines();
    assert_eq!(lines.next(), Some("grant_id,institution_id,code,change"));
    let found: BTreeSet<(String, &str, &str)> = lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let code = if f[2] == "DC-MANY-INQUIRIES" {
                "DC-MANY-INQUIRIES"
            } else {
                "DC-NEW-WHILE-DELINQUENT"
            };
            assert!(f[2] == code, "an unexpected code changed: {l}");
            (
                f[0].to_string(),
                code,
                if f[3] == "lost" { "lost" } else { "gained" },
            )
        })
        .collect();
    let lost = expected.iter().filter(|e| e.2 == "lost").count();
    let gained = expected.len() - lost;
    assert!(lost > 50 && gained > 50, "{lost} lost, {gained} gained");
    assert_eq!(found, expected);
    let codes = &report["codes"];
    assert_eq!(codes["DC-MANY-INQUIRIES"]["gained"], gained);
    assert_eq!(codes["DC-MANY-INQUIRIES"]["lost"], 0);
    assert_eq!(codes["DC-NEW-WHILE-DELINQUENT"]["lost"], lost);
    assert_eq!(codes["DC-NEW-WHILE-DELINQUENT"]["gained"], 0);
    // Outcomes under both, from the generated `defaulted`: flagging more grants cannot lower
    // recall, flagging fewer cannot raise it.
    let outcome = |code: &str, side: &str, figure: &str| {
        codes[code]["outcomes"][side][figure].as_f64().unwrap()
    };
    assert!(
        outcome("DC-MANY-INQUIRIES", "candidate", "recall")
            >= outcome("DC-MANY-INQUIRIES", "current", "recall")
    );
    assert!(
        outcome("DC-NEW-WHILE-DELINQUENT", "candidate", "recall")
            <= outcome("DC-NEW-WHILE-DELINQUENT", "current", "recall")
    );
    // Per institution, the gains and losses add up to the totals.
    let by_inst: u64 = report["institutions"]
        .as_object()
        .unwrap()
        .values()
        .filter_map(|v| v["DC-MANY-INQUIRIES"]["gained"].as_u64())
        .sum();
    assert_eq!(by_inst as usize, gained);
    assert!(!report["grade_changes"].as_array().unwrap().is_empty());
}

#[test]
fn a_candidate_for_another_jurisdiction_or_a_missing_file_is_refused() {
    let input = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/grants.csv");
    let us = concat!(env!("CARGO_MANIFEST_DIR"), "/rules/us.toml");
    let out = run(&["backtest", "--input", input, "--candidate", us]);
    assert_bad_input(&out, "rules");
    let out = run(&[
        "backtest",
        "--input",
        input,
        "--candidate",
        "/nonexistent/x.toml",
    ]);
    assert_bad_input(&out, "rules");
}
