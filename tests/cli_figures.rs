//! The figures a court analyst gets from the command line, end to end through the binary.

mod common;

use common::{BIN, json};
use serde_json::Value;
use std::process::Command;

fn num(v: &Value, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} missing in {v}"))
}

#[test]
fn spec_apr_vector_to_six_places() {
    let v = json(&[
        "apr",
        "--principal-minor",
        "1000000",
        "--term-months",
        "12",
        "--repayment",
        "equal_installment",
        "--monthly-fee-rate",
        "0.008",
    ]);
    assert_eq!(format!("{:.6}", num(&v, "apr_nominal")), "0.172708");
    assert_eq!(format!("{:.6}", num(&v, "apr_effective")), "0.187057");
    assert_eq!(num(&v, "apr"), num(&v, "apr_nominal"));
    assert!(num(&v, "monthly_irr") > 0.0);
    assert_eq!(v["total_cost_minor"], 96_000);
    assert_eq!(v["schedule"].as_array().unwrap().len(), 12);
    assert_eq!(v["cap"]["rate"], 0.24);
    assert_eq!(v["within_cap"], true);
}

#[test]
fn eu_legal_apr_is_the_effective_rate() {
    let v = json(&[
        "apr",
        "--principal-minor",
        "1000000",
        "--term-months",
        "12",
        "--repayment",
        "equal_installment",
        "--monthly-fee-rate",
        "0.008",
        "--jurisdiction",
        "EU",
    ]);
    assert_eq!(num(&v, "apr"), num(&v, "apr_effective"));
    assert_eq!(v["cap"]["kind"], "none");
}

#[test]
fn tv10_borderline_and_above_cap() {
    let base = [
        "apr",
        "--principal-minor",
        "1000000",
        "--term-months",
        "12",
        "--repayment",
        "equal_installment",
        "--nominal-annual-rate",
        "0.18",
    ];
    let fee: Vec<&str> = base
        .iter()
        .copied()
        .chain(["--upfront-fee-minor", "30000"])
        .collect();
    let v = json(&fee);
    assert_eq!(
        (v["within_cap"].clone(), v["borderline"].clone()),
        (Value::Bool(true), Value::Bool(true))
    );
    let member: Vec<&str> = base
        .iter()
        .copied()
        .chain(["--monthly-other-fee-minor", "3000"])
        .collect();
    let v = json(&member);
    assert_eq!(v["within_cap"], false);
}

#[test]
fn private_lending_cap_follows_the_lpr_table() {
    let v = json(&[
        "apr",
        "--principal-minor",
        "1000000",
        "--term-months",
        "12",
        "--repayment",
        "equal_installment",
        "--nominal-annual-rate",
        "0.15",
        "--cause",
        "private_lending",
        "--contract-date",
        "2024-03-01",
    ]);
    assert!((num(&v["cap"], "rate") - 0.138).abs() < 1e-12);
    assert_eq!(v["within_cap"], false);
}

#[test]
fn score_case_reports_the_cost_figures() {
    let case = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/case.json");
    let v = json(&["score-case", "--case", case]);
    for key in [
        "case_id",
        "effective_apr",
        "cap",
        "allowed_cost_minor",
        "total_cost_minor",
        "excess_minor",
        "supportable_claim_minor",
    ] {
        assert!(!v[key].is_null(), "{key} missing");
    }
    assert_eq!(v["case_id"], "2024-0192-1234");
    assert_eq!(v["total_cost_minor"], 155_000);
    assert_eq!(v["excess_minor"], 0);
    assert_eq!(v["supportable_claim_minor"], 921_151 + 140_000);
    assert_eq!(v["legal_costs_minor"], 5_000);
}

#[test]
fn text_format_is_for_people() {
    let out = Command::new(BIN)
        .args([
            "apr",
            "--principal-minor",
            "1000000",
            "--term-months",
            "12",
            "--repayment",
            "equal_installment",
            "--monthly-fee-rate",
            "0.008",
            "--format",
            "text",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("APR (CN legal figure"), "{text}");
    assert!(text.contains("17.2708%"));
}

#[test]
fn generate_writes_the_data_set_and_its_truth() {
    let dir = std::env::temp_dir().join(format!("finrisk-cli-gen-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let v = json(&[
        "generate",
        "--out",
        dir.to_str().unwrap(),
        "--grants",
        "3000",
        "--cases",
        "20",
        "--products",
        "12",
        "--chunk-size",
        "1000",
    ]);
    assert_eq!(v["grants"], 3000);
    assert_eq!(v["cases"], 20);
    for file in [
        "grants.parquet",
        "products.jsonl",
        "cases.jsonl",
        "truth/grants.parquet",
        "truth/products.jsonl",
        "truth/cases.jsonl",
        "manifest.json",
    ] {
        assert!(dir.join(file).is_file(), "{file} missing");
    }
    // The generated grants pass the same validation as any user's table.
    let out = Command::new(BIN)
        .args([
            "validate",
            "--kind",
            "grants",
            "--input",
            dir.join("grants.parquet").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A generated case scores end to end.
    let first_case = std::fs::read_to_string(dir.join("cases.jsonl"))
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_string();
    let case_path = dir.join("one_case.json");
    std::fs::write(&case_path, first_case).unwrap();
    let scored = json(&["score-case", "--case", case_path.to_str().unwrap()]);
    assert!(scored["excess_minor"].as_i64().is_some());
}

#[test]
fn generate_refuses_bad_parameters_with_exit_2() {
    let out = Command::new(BIN)
        .args(["generate", "--out", "/tmp/finrisk-never", "--grants", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("grants: must be at least 1"));
}

#[test]
fn check_ad_extracts_rates_and_findings() {
    let v = json(&["check-ad", "--text", "日息万分之五，秒到账，大学生专享"]);
    let price = &v["prices"][0];
    assert_eq!(price["period"], "day");
    assert_eq!(price["text"], "日息万分之五");
    assert_eq!(
        (price["start"].as_u64(), price["end"].as_u64()),
        (Some(0), Some(6))
    );
    assert!((price["value"].as_f64().unwrap() - 0.0005).abs() < 1e-15);
    // The CN ruleset annualises daily rates over 360 days (its quoted-rate day basis).
    assert!((price["annualised"]["simple"].as_f64().unwrap() - 0.18).abs() < 1e-12);
    assert!(
        price["annualised"]["assumption"]
            .as_str()
            .unwrap()
            .contains("daily rate")
    );
    let claims: Vec<(&str, u64, u64)> = v["claims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["family"].as_str().unwrap(),
                c["start"].as_u64().unwrap(),
                c["end"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(claims, [("speed", 7, 10), ("vulnerable_groups", 11, 14)]);
    let codes: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    for code in [
        "MK-NO-APR",
        "MK-PERIODIC-RATE",
        "MK-INDUCEMENT",
        "MK-VULNERABLE-TARGET",
        "MK-NO-RISK-WARNING",
    ] {
        assert!(codes.contains(&code), "{code} in {codes:?}");
    }
    // Against a product: the stated rate is checked against its APR.
    let product = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/product.json");
    let v = json(&[
        "check-ad",
        "--text",
        "年化利率低至7.2%，贷款有风险",
        "--product",
        product,
    ]);
    let codes: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"MK-RATE-UNDERSTATED"), "{codes:?}");
    assert!(!codes.contains(&"MK-PERIODIC-RATE"));
    let out = Command::new(BIN)
        .args(["check-ad", "--text", "  "])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
