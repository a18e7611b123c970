//! The contract clause checks on the clause sets of `tests/data/clause_sets.toml`: every set is
//! assessed as a product's contract (the engine's own APR and cap), and its RC-CLAUSE-* codes
//! are compared with the expected ones. Prints per-code precision and recall, held-out (public
//! excerpts) first, then on every set; the README's figures come from this output
//! (`cargo test --test clause_sets -- --nocapture`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failure should panic"
)]

use finrisk_engine::Ruleset;
use finrisk_engine::assess::assess_product;
use finrisk_engine::domain::product::{Clause, Contract};
use finrisk_engine::domain::{Jurisdiction, Product};
use finrisk_engine::marketing::ClaimGrammar;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Deserialize)]
struct SetsFile {
    set: Vec<ClauseSet>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct ClauseSet {
    id: String,
    source: String,
    #[serde(default)]
    url: Option<String>,
    jurisdiction: String,
    whole: bool,
    expected: Vec<String>,
    clauses: Vec<Clause>,
}

/// A product of `jurisdiction` priced at a nominal 18% (CN) or 30% (US, UK) a year.
fn product(jurisdiction: &str, currency: &str, rate: f64) -> Product {
    let doc = format!(
        r#"{{ "product_id": "P-CLAUSES", "institution_id": "INST-A", "name": "Clause test",
  "kind": "cash_loan", "jurisdiction": "{jurisdiction}", "currency": "{currency}",
  "pricing": {{ "repayment": "equal_installment", "term_months": [12],
    "nominal_annual_rate": {rate} }},
  "limits": {{ "min_principal_minor": 50000, "max_principal_minor": 2000000 }} }}"#
    );
    Product::from_json(&doc).expect("template product")
}

fn codes_of(set: &ClauseSet, grammar: &ClaimGrammar) -> BTreeSet<String> {
    let (jurisdiction, mut p) = match set.jurisdiction.as_str() {
        "CN" => (Jurisdiction::Cn, product("CN", "CNY", 0.18)),
        "US" => (Jurisdiction::Us, product("US", "USD", 0.30)),
        "UK" => (Jurisdiction::Uk, product("UK", "GBP", 0.30)),
        other => panic!("{}: unknown jurisdiction {other}", set.id),
    };
    p.contract = Some(Contract {
        clauses: set.clauses.clone(),
    });
    p.validate().unwrap_or_else(|e| panic!("{}: {e}", set.id));
    let ruleset = Ruleset::embedded(jurisdiction).expect("ruleset");
    let a = assess_product(&p, None, None, None, &ruleset, grammar).expect("assessment");
    a.assessment
        .findings
        .iter()
        .map(|f| f.code.clone())
        .filter(|c| c.starts_with("RC-CLAUSE-"))
        .filter(|c| set.whole || c != "RC-CLAUSE-NO-ESERVICE")
        .collect()
}

/// Per-code true positives, false positives and false negatives.
type Counts = BTreeMap<String, (u32, u32, u32)>;

fn count(counts: &mut Counts, expected: &BTreeSet<String>, got: &BTreeSet<String>) {
    for c in expected.union(got) {
        let e = counts.entry(c.clone()).or_default();
        match (expected.contains(c), got.contains(c)) {
            (true, true) => e.0 += 1,
            (false, true) => e.1 += 1,
            (true, false) => e.2 += 1,
            (false, false) => {}
        }
    }
}

fn table(title: &str, counts: &Counts, sets: usize) -> String {
    let mut out = format!(
        "{title} ({sets} sets)\n| code | TP | FP | FN | precision | recall |\n|---|---|---|---|---|---|\n"
    );
    let (mut tp, mut fp, mut fnn) = (0, 0, 0);
    for (code, (t, f, n)) in counts {
        let p = if t + f == 0 {
            1.0
        } else {
            f64::from(*t) / f64::from(t + f)
        };
        let r = if t + n == 0 {
            1.0
        } else {
            f64::from(*t) / f64::from(t + n)
        };
        out.push_str(&format!("| {code} | {t} | {f} | {n} | {p:.2} | {r:.2} |\n"));
        tp += t;
        fp += f;
        fnn += n;
    }
    let p = if tp + fp == 0 {
        1.0
    } else {
        f64::from(tp) / f64::from(tp + fp)
    };
    let r = if tp + fnn == 0 {
        1.0
    } else {
        f64::from(tp) / f64::from(tp + fnn)
    };
    out.push_str(&format!(
        "| all codes | {tp} | {fp} | {fnn} | {p:.2} | {r:.2} |\n"
    ));
    out
}

#[test]
fn clause_sets_get_their_codes() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/clause_sets.toml"
    ))
    .expect("clause sets");
    let file: SetsFile = toml::from_str(&text).expect("clause sets parse");
    let grammar = ClaimGrammar::embedded().expect("grammar");
    let compliant = file.set.iter().filter(|s| s.expected.is_empty()).count();
    assert!(file.set.len() >= 40, "at least 40 clause sets");
    assert!(
        compliant * 3 >= file.set.len(),
        "a third of the sets compliant"
    );
    for lang_has in ["CN", "US", "UK"] {
        assert!(file.set.iter().any(|s| s.jurisdiction == lang_has));
    }
    let (mut held_out, mut all) = (Counts::new(), Counts::new());
    let mut held_out_sets = 0;
    let mut wrong = Vec::new();
    for set in &file.set {
        let expected: BTreeSet<String> = set.expected.iter().cloned().collect();
        let got = codes_of(set, &grammar);
        if set.source == "public" {
            held_out_sets += 1;
            count(&mut held_out, &expected, &got);
        }
        count(&mut all, &expected, &got);
        if expected != got {
            wrong.push(format!(
                "{} ({}): expected {expected:?}, got {got:?}",
                set.id, set.source
            ));
        }
    }
    println!(
        "{}",
        table(
            "Held out: public contract excerpts",
            &held_out,
            held_out_sets
        )
    );
    println!("{}", table("All clause sets", &all, file.set.len()));
    for w in &wrong {
        println!("MISMATCH {w}");
    }
    assert!(
        wrong.is_empty(),
        "{} sets get other codes than expected:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
