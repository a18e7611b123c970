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

/// `text` (a ruleset) with the threshold of `code` set to `value`, under a new version.
fn move_threshold(text: &str, code: &str, value: &str) -> String {
    let header = format!("[codes.\"{code}\"]\n");
    let start = text.find(&header).unwrap() + header.len();
    let at = start + text[start..].find("threshold = ").unwrap();
    let end = at + text[at..].find('\n').unwrap();
    let moved = format!("{}threshold = {value}{}", &text[..at], &text[end..]);
    if moved.contains("version = \"candidate-") {
        moved
    } else {
        moved.replacen("version = \"", "version = \"candidate-", 1)
    }
}

/// The rows of a `--changes` file: (id, code, change).
fn changes_of(path: &std::path::Path, id_column: &str) -> BTreeSet<(String, String, String)> {
    let written = std::fs::read_to_string(path).unwrap();
    let mut lines = written.lines();
    assert_eq!(
        lines.next().unwrap(),
        format!("{id_column},institution_id,code,change")
    );
    lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].to_string(), f[2].to_string(), f[3].to_string())
        })
        .collect()
}

/// A generated data set with `cases` cases.
fn generated_with_cases(name: &str, cases: usize) -> std::path::PathBuf {
    let dir = common::scratch("backtest", name);
    let params = finrisk_datasets::generate::GenerateParams {
        grants: 2000,
        cases,
        ..finrisk_datasets::generate::GenerateParams::default()
    };
    finrisk_datasets::generate::generate(&params, &dir).unwrap();
    dir
}

#[test]
fn products_and_cases_gain_and_lose_exactly_the_rows_between_the_thresholds() {
    let dir = generated_with_cases("documents", 400);
    let base =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/cn.toml")).unwrap();

    // Products: RC-BORROWER-CAP from 20,000,000 to 19,999,999 minor units (lines of exactly
    // 20,000,000 gain it), RC-LINE-TO-INCOME from 12 to 9.5 (line multiples in (9.5, 12] gain).
    let candidate = dir.join("products_candidate.toml");
    std::fs::write(
        &candidate,
        move_threshold(
            &move_threshold(&base, "RC-BORROWER-CAP", "19999999.0"),
            "RC-LINE-TO-INCOME",
            "9.5",
        ),
    )
    .unwrap();
    let changes = dir.join("product_changes.csv");
    let products = dir.join("products.jsonl");
    let report = json(&[
        "backtest",
        "--kind",
        "products",
        "--input",
        products.to_str().unwrap(),
        "--candidate",
        candidate.to_str().unwrap(),
        "--changes",
        changes.to_str().unwrap(),
        "--chunk-rows",
        "7",
    ]);
    let mut expected = BTreeSet::new();
    let text = std::fs::read_to_string(&products).unwrap();
    for line in text.lines() {
        let p: serde_json::Value = serde_json::from_str(line).unwrap();
        let id = p["product_id"].as_str().unwrap().to_string();
        let line_max = p["limits"]["max_principal_minor"].as_i64().unwrap();
        if line_max > 19_999_999 && line_max <= 20_000_000 {
            expected.insert((id.clone(), "RC-BORROWER-CAP".into(), "gained".into()));
        }
        if let Some(m) = p["controls"]["max_line_to_income"].as_f64()
            && m > 9.5
            && m <= 12.0
        {
            expected.insert((id, "RC-LINE-TO-INCOME".into(), "gained".into()));
        }
    }
    assert!(expected.len() >= 4, "{expected:?}");
    assert_eq!(changes_of(&changes, "product_id"), expected);
    assert_eq!(report["kind"], "products");
    assert_eq!(report["rows_assessed"], text.lines().count());
    assert_eq!(report["rows_rejected"], 0);
    let gained = |code: &str| report["codes"][code]["gained"].as_u64().unwrap() as usize;
    assert_eq!(
        gained("RC-BORROWER-CAP") + gained("RC-LINE-TO-INCOME"),
        expected.len()
    );

    // Cases: DC-MANY-LENDERS from 4 to 2 lenders (cases with 2 or 3 gain it),
    // DC-REPEAT-DEFENDANT from 2 to 6 other suits (cases with 2 to 5 lose it).
    let candidate = dir.join("cases_candidate.toml");
    std::fs::write(
        &candidate,
        move_threshold(
            &move_threshold(&base, "DC-MANY-LENDERS", "2.0"),
            "DC-REPEAT-DEFENDANT",
            "6.0",
        ),
    )
    .unwrap();
    let changes = dir.join("case_changes.csv");
    let cases = dir.join("cases.jsonl");
    let report = json(&[
        "backtest",
        "--kind",
        "cases",
        "--input",
        cases.to_str().unwrap(),
        "--candidate",
        candidate.to_str().unwrap(),
        "--changes",
        changes.to_str().unwrap(),
        "--chunk-rows",
        "64",
    ]);
    let mut expected = BTreeSet::new();
    let text = std::fs::read_to_string(&cases).unwrap();
    for line in text.lines() {
        let c: serde_json::Value = serde_json::from_str(line).unwrap();
        let id = c["case_id"].as_str().unwrap().to_string();
        if let Some(n) = c["defendant"]["active_lenders"].as_u64()
            && (2..4).contains(&n)
        {
            expected.insert((id.clone(), "DC-MANY-LENDERS".into(), "gained".into()));
        }
        if let Some(n) = c["defendant"]["other_cases_12m"].as_u64()
            && (2..6).contains(&n)
        {
            expected.insert((id, "DC-REPEAT-DEFENDANT".into(), "lost".into()));
        }
    }
    let lost = expected.iter().filter(|e| e.2 == "lost").count();
    assert!(lost > 10 && expected.len() - lost > 10, "{expected:?}");
    assert_eq!(changes_of(&changes, "case_id"), expected);
    assert_eq!(report["kind"], "cases");
    assert_eq!(report["rows_assessed"], text.lines().count());
    assert_eq!(report["codes"]["DC-REPEAT-DEFENDANT"]["lost"], lost);
    // Per grade, the changes add up to the totals.
    let by_grade: u64 = report["grades"]
        .as_object()
        .unwrap()
        .values()
        .filter_map(|v| v["DC-REPEAT-DEFENDANT"]["lost"].as_u64())
        .sum();
    assert_eq!(by_grade as usize, lost);
    // A case of another jurisdiction is refused with the field, and the others still counted.
    let mixed = dir.join("mixed.jsonl");
    let first = text
        .lines()
        .next()
        .unwrap()
        .replace("\"jurisdiction\":\"CN\"", "\"jurisdiction\":\"US\"");
    std::fs::write(
        &mixed,
        format!("{first}\n{}\n", text.lines().nth(1).unwrap()),
    )
    .unwrap();
    let report = json(&[
        "backtest",
        "--kind",
        "cases",
        "--input",
        mixed.to_str().unwrap(),
        "--candidate",
        candidate.to_str().unwrap(),
    ]);
    assert_eq!(report["rows_assessed"], 1, "{report}");
    assert_eq!(report["rows_rejected"], 1);
    assert_eq!(report["row_errors"][0]["field"], "jurisdiction");
}
