//! Batch assessment: one row alone or inside 100,000 gives the same result; rejects are written
//! and counted, never dropped; cases and products go through the same assessment as one by one.

#![expect(
    clippy::unwrap_used,
    reason = "test code: a failed set-up should panic"
)]

mod common;

use common::{BIN, Cli};
use finrisk_datasets::load_grants;
use finrisk_engine::Ruleset;
use finrisk_engine::assess::{GrantRules, assess_grants};
use finrisk_engine::domain::{GrantBatch, Jurisdiction};
use std::path::PathBuf;

use std::process::Command;

fn scratch(name: &str) -> PathBuf {
    common::scratch("finrisk-batch", name)
}

fn generated(name: &str, grants: u64) -> (GrantBatch, PathBuf, finrisk_engine::Date) {
    let (dir, summary) = common::generated("finrisk-batch", name, grants);
    let (batch, report) = load_grants(&dir.join("grants.parquet")).unwrap();
    assert_eq!(report.rows_accepted as u64, grants);
    (batch, dir, summary.as_of)
}

#[test]
fn one_row_alone_equals_the_same_row_inside_100000() {
    let (batch, _, as_of) = generated("identity", 100_000);
    let ruleset = Ruleset::embedded(Jurisdiction::Cn).unwrap();
    let (rows, dc) = assess_grants(&batch, &ruleset, Some(as_of), None);
    assert_eq!(rows.len(), 100_000);
    let rules = GrantRules::new(&ruleset, None);
    let mut with_findings = 0;
    for i in (0..batch.len()).step_by(997) {
        // The row's own columns: alone or in the batch, the same findings and scores.
        let mut one = GrantBatch::default();
        one.push(1, batch.record(i)).unwrap();
        assert_eq!(rules.assess(&one, 0), rules.assess(&batch, i), "row {i}");
        // With the duplicate-credit codes: the person's grants alone give the row's batch result.
        let person = dc.person_of(i);
        let mut own = GrantBatch::default();
        for (k, &r) in person.rows.iter().enumerate() {
            own.push(k + 1, batch.record(r)).unwrap();
        }
        let own_dc = finrisk_engine::dc::DcAnalysis::analyse(
            &own,
            Some(as_of),
            &finrisk_engine::dc::DcSettings::from_ruleset(&ruleset),
        );
        let at = person.rows.iter().position(|&r| r == i).unwrap();
        let alone = rules.assess_with(&own, at, Some(own_dc.whole()));
        assert_eq!(alone.codes(), rows[i].findings, "row {i}");
        assert_eq!(alone.scores, rows[i].scores, "row {i}");
        assert_eq!(alone.grade.chars().next(), Some(rows[i].grade));
        let evidence: serde_json::Map<String, serde_json::Value> = alone
            .findings
            .iter()
            .map(|f| (f.code.clone(), f.evidence.to_value()))
            .collect();
        assert_eq!(
            serde_json::Value::Object(evidence).to_string(),
            rows[i].evidence,
            "row {i}"
        );
        with_findings += usize::from(!alone.findings.is_empty());
    }
    assert!(
        with_findings > 20,
        "the sample should exercise findings: {with_findings}"
    );
    // And twice gives the same.
    assert_eq!(assess_grants(&batch, &ruleset, Some(as_of), None).0, rows);
}

#[test]
fn the_detector_finds_exactly_the_planted_duplicate_credit() {
    let (batch, dir, as_of) = generated("truth", 40_000);
    let ruleset = Ruleset::embedded(Jurisdiction::Cn).unwrap();
    let (rows, _) = assess_grants(&batch, &ruleset, Some(as_of), None);
    let truth = finrisk_datasets::read_table(&dir.join("truth/grants.parquet")).unwrap();
    let planted: Vec<String> = truth
        .column("codes")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|v| v.unwrap_or("").to_string())
        .collect();
    for code in [
        "DC-CONCURRENT-SAME-LENDER",
        "DC-MANY-LENDERS",
        "DC-EXPOSURE-INCOME",
        "DC-SHARED-IDENTITY",
        "DC-MANY-INQUIRIES",
        "DC-NEW-WHILE-DELINQUENT",
        "DC-LINE-UP-DELINQUENT",
    ] {
        let (mut tp, mut fp, mut missed) = (0, 0, 0);
        for (i, r) in rows.iter().enumerate() {
            let found = r.findings.split(';').any(|c| c == code);
            let truth = planted[i].split(';').any(|c| c == code);
            match (found, truth) {
                (true, true) => tp += 1,
                (true, false) => fp += 1,
                (false, true) => missed += 1,
                _ => {}
            }
        }
        assert!(tp > 0, "{code}: nothing planted");
        assert_eq!(
            (fp, missed),
            (0, 0),
            "{code}: {tp} found, {fp} false positives, {missed} missed"
        );
    }
}

#[test]
fn grants_batch_writes_results_and_rejects() {
    let dir = scratch("grants");
    let text = include_str!("../examples/grants.csv").replacen("2024-02-11", "2024-02-31", 1);
    let input = dir.join("grants.csv");
    std::fs::write(&input, text).unwrap();
    let output = dir.join("out.csv");
    let out = Cli::batch("grants", &input, &output).output();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("3 rows assessed, 1 rejected"), "{stderr}");
    let results = std::fs::read_to_string(&output).unwrap();
    let mut lines = results.lines();
    assert_eq!(
        lines.next().unwrap(),
        "grant_id,source_row,institution_id,product_id,granted_at,findings,weak_risk_control,duplicate_credit,one_sided_marketing,overall,grade,evidence,pd,pd_score,\
pd_reason_1_feature,pd_reason_1_bin,pd_reason_1_impact,\
pd_reason_2_feature,pd_reason_2_bin,pd_reason_2_impact,\
pd_reason_3_feature,pd_reason_3_bin,pd_reason_3_impact,\
first_payment_default,defaulted"
    );
    let first = lines.next().unwrap();
    assert!(first.starts_with("G-0001,1,INST-A,P-001,2024-01-05,RC-INCOME-UNVERIFIED;RC-DTI-HIGH;RC-STUDENT;DC-MANY-LENDERS;DC-MANY-INQUIRIES,"), "{first}");
    // The model's reasons are columns, not part of the findings' evidence.
    use polars::prelude::SerReader as _;
    let table = polars::prelude::CsvReadOptions::default()
        .try_into_reader_with_file_path(Some(output.clone()))
        .unwrap()
        .finish()
        .unwrap();
    let evidence = table
        .column("evidence")
        .unwrap()
        .str()
        .unwrap()
        .get(0)
        .unwrap();
    assert!(!evidence.contains("\"PD\""), "{evidence}");
    let feature = table.column("pd_reason_1_feature").unwrap().str().unwrap();
    let impact = table.column("pd_reason_1_impact").unwrap().f64().unwrap();
    for i in 0..table.height() {
        assert!(feature.get(i).is_some_and(|f| !f.is_empty()), "row {i}");
        assert!(impact.get(i).is_some_and(f64::is_finite), "row {i}");
    }
    assert_eq!(results.lines().count(), 4);
    let rejects = std::fs::read_to_string(dir.join("out.csv.rejects.csv")).unwrap();
    assert!(rejects.contains("2,granted_at,"), "{rejects}");
}

#[test]
fn cases_and_products_batches_match_the_single_commands() {
    let dir = scratch("docs");
    let case = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/case.json"))
        .unwrap();
    let one_line: serde_json::Value = serde_json::from_str(&case).unwrap();
    let input = dir.join("cases.jsonl");
    std::fs::write(
        &input,
        format!("{}\n{{\"case_id\": \"broken\"\n{}\n", one_line, one_line),
    )
    .unwrap();
    let output = dir.join("cases.out.jsonl");
    let out = Cli::batch("cases", &input, &output).output();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&output)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    let single = Command::new(BIN)
        .args([
            "score-case",
            "--case",
            concat!(env!("CARGO_MANIFEST_DIR"), "/examples/case.json"),
        ])
        .output()
        .unwrap();
    let single: serde_json::Value = serde_json::from_slice(&single.stdout).unwrap();
    assert_eq!(lines[0], single);
    let rejects = std::fs::read_to_string(dir.join("cases.out.jsonl.rejects.csv")).unwrap();
    assert!(
        rejects.lines().nth(1).unwrap().starts_with("2,case,"),
        "{rejects}"
    );

    let product = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/product.json"
    ))
    .unwrap();
    let product: serde_json::Value = serde_json::from_str(&product).unwrap();
    let input = dir.join("products.jsonl");
    std::fs::write(&input, format!("{product}\n")).unwrap();
    let output = dir.join("products.csv");
    let out = Cli::batch("products", &input, &output).output();
    assert_eq!(out.status.code(), Some(0));
    let csv = std::fs::read_to_string(&output).unwrap();
    assert!(
        csv.lines()
            .nth(1)
            .unwrap()
            .starts_with("P-001,RC-INCOME-UNVERIFIED;"),
        "{csv}"
    );
}

#[test]
fn grants_batch_writes_the_evaluation_index_provenance_and_outcome_evaluation() {
    let (_, dir, as_of) = generated("index", 20_000);
    let index = dir.join("index.json");
    let out = Cli::batch(
        "grants",
        dir.join("grants.parquet"),
        dir.join("out.parquet"),
    )
    .args([
        "--as-of",
        &as_of.to_string(),
        "--index",
        index.to_str().unwrap(),
        "--truth",
        dir.join("truth/grants.parquet").to_str().unwrap(),
    ])
    .output();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let provenance = &summary["provenance"];
    assert_eq!(
        provenance["input"][0]["sha256"].as_str().unwrap().len(),
        64,
        "{provenance}"
    );
    assert_eq!(provenance["pd_model"], "pd_lending_club_grants@1");
    assert!(
        provenance["ruleset_version"]
            .as_str()
            .unwrap()
            .starts_with("cn-")
    );
    // The generator plants outcomes: every score is evaluated against them.
    let outcomes = &summary["outcomes"];
    assert_eq!(outcomes["rows_with_outcome"], 20_000);
    for k in ["weak_risk_control", "duplicate_credit", "overall", "pd"] {
        let auc = outcomes["auc"][k].as_f64().unwrap();
        assert!(auc > 0.5 && auc < 1.0, "{k}: {auc}");
    }
    let delinquent = &outcomes["codes"]["DC-NEW-WHILE-DELINQUENT"];
    assert!(
        delinquent["default_rate_flagged"].as_f64().unwrap()
            > delinquent["default_rate_rest"].as_f64().unwrap()
    );
    // Against the planted truth: the duplicate-credit detector is exact on generated data.
    let truth = &summary["truth"];
    assert_eq!(truth["rows_matched"], 20_000);
    assert_eq!(truth["rows_without_truth"], 0);
    for code in ["DC-CONCURRENT-SAME-LENDER", "DC-SHARED-IDENTITY"] {
        let c = &truth["codes"][code];
        assert!(c["planted"].as_u64().unwrap() > 0, "{code}: {c}");
        assert_eq!(c["precision"], 1.0, "{code}: {c}");
        assert_eq!(c["recall"], 1.0, "{code}: {c}");
    }
    // The index: every institution once, ranked worst first, counts adding up.
    let index: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&index).unwrap()).unwrap();
    let institutions = index["institutions"].as_array().unwrap();
    let total: u64 = institutions
        .iter()
        .map(|g| g["grants"].as_u64().unwrap())
        .sum();
    assert_eq!(total, 20_000);
    let overall: Vec<f64> = institutions
        .iter()
        .map(|g| g["overall"].as_f64().unwrap())
        .collect();
    assert!(overall.windows(2).all(|w| w[0] >= w[1]));
    assert_eq!(institutions[0]["rank"], 1);
    assert!(
        !institutions[0]["rank_evidence"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let products: u64 = index["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["grants"].as_u64().unwrap())
        .sum();
    assert_eq!(products, 20_000);
    // --index is for grants only, and must be JSON.
    let bad = Cli::batch("grants", "x.parquet", "o.parquet")
        .args(["--index", "i.csv"])
        .output();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("index"));
}
