//! The contract clause checks end to end through the binary: `check-contract` in text and JSON,
//! the same findings from `assess-product` and `batch --kind products`, and bad input refused
//! with the field named.

#![allow(clippy::unwrap_used, reason = "tests: a failure should panic")]

mod common;

use common::{BIN, assert_bad_input, json, run, scratch_file};
use serde_json::Value;
use std::process::Command;

fn example() -> String {
    format!(
        "{}/examples/product_contract.json",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn clause_codes(findings: &Value) -> Vec<String> {
    findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .filter(|c| c.starts_with("RC-CLAUSE-"))
        .collect()
}

#[test]
fn check_contract_reports_each_clause_with_its_span_in_json_and_text() {
    let v = json(&["check-contract", "--product", &example()]);
    assert_eq!(
        clause_codes(&v["findings"]),
        vec![
            "RC-CLAUSE-JURISDICTION",
            "RC-CLAUSE-ACCELERATION",
            "RC-CLAUSE-PENALTY-STACK",
            "RC-CLAUSE-UPFRONT-DEDUCTION",
            "RC-CLAUSE-DATA-CONSENT",
            "RC-CLAUSE-NO-ESERVICE",
        ]
    );
    let hits = v["contract"]["hits"].as_array().unwrap();
    let jurisdiction = hits
        .iter()
        .find(|h| h["code"] == "RC-CLAUSE-JURISDICTION")
        .unwrap();
    assert_eq!(jurisdiction["clause"], 5);
    assert_eq!(jurisdiction["text"], "由贷款人住所地人民法院");
    // The span points into the clause's text, in characters.
    let product: Value =
        serde_json::from_str(&std::fs::read_to_string(example()).unwrap()).unwrap();
    let clause_text = product["contract"]["clauses"][5]["text"].as_str().unwrap();
    let (start, end) = (
        jurisdiction["start"].as_u64().unwrap() as usize,
        jurisdiction["end"].as_u64().unwrap() as usize,
    );
    let span: String = clause_text.chars().skip(start).take(end - start).collect();
    assert_eq!(span, "由贷款人住所地人民法院");
    // The penalty stack: the engine's own contract APR plus 万分之五 a day x 360, above 24%.
    let p = &v["contract"]["penalty"];
    assert_eq!(p["above_cap"], true);
    let added = p["items"][0]["added_annual_rate"].as_f64().unwrap();
    assert!((added - 0.18).abs() < 1e-12, "{added}");
    assert!(
        (p["total_annual_rate"].as_f64().unwrap() - v["contract_apr"].as_f64().unwrap() - 0.18)
            .abs()
            < 1e-12
    );
    assert_eq!(p["cap_annual_rate"], 0.24);

    let out = Command::new(BIN)
        .args([
            "check-contract",
            "--product",
            &example(),
            "--format",
            "text",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(
            "clause 6 \"第十二条 争议解决\", characters 10..21: \"由贷款人住所地人民法院\""
        ),
        "{text}"
    );
    assert!(text.contains("trigger `逾期超过3日`"), "{text}");
    assert!(text.contains("basis: Civil Code art. 670"), "{text}");
}

#[test]
fn assess_product_and_the_products_batch_carry_the_clause_findings() {
    let v = json(&["assess-product", "--product", &example()]);
    let from_assess = clause_codes(&v["findings"]);
    assert_eq!(from_assess.len(), 6);
    assert!(v["contract"]["hits"].as_array().unwrap().len() >= 5);
    // The product without a contract gets none.
    let plain = json(&[
        "assess-product",
        "--product",
        &format!("{}/examples/product.json", env!("CARGO_MANIFEST_DIR")),
    ]);
    assert!(clause_codes(&plain["findings"]).is_empty());
    assert!(plain.get("contract").is_none());

    let product: Value =
        serde_json::from_str(&std::fs::read_to_string(example()).unwrap()).unwrap();
    let lines = format!("{}\n", serde_json::to_string(&product).unwrap());
    let input = scratch_file("contract-batch", "products.jsonl", lines.as_bytes());
    let out_path = input.with_file_name("scored.csv");
    let out = run(&[
        "batch",
        "--kind",
        "products",
        "--input",
        input.to_str().unwrap(),
        "--output",
        out_path.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = std::fs::read_to_string(&out_path).unwrap();
    for code in &from_assess {
        assert!(csv.contains(code.as_str()), "{code} missing in {csv}");
    }
}

#[test]
fn bad_contracts_are_refused_with_the_field_named() {
    let mut product: Value =
        serde_json::from_str(&std::fs::read_to_string(example()).unwrap()).unwrap();
    product["contract"]["clauses"][1]["text"] = Value::String(String::new());
    let path = scratch_file(
        "contract-bad",
        "product.json",
        serde_json::to_string(&product).unwrap().as_bytes(),
    );
    let out = run(&["check-contract", "--product", path.to_str().unwrap()]);
    assert_bad_input(&out, "contract.clauses[1].text");

    product["contract"] = serde_json::json!({ "clauses": [] });
    let path = scratch_file(
        "contract-bad",
        "product.json",
        serde_json::to_string(&product).unwrap().as_bytes(),
    );
    let out = run(&["assess-product", "--product", path.to_str().unwrap()]);
    assert_bad_input(&out, "contract.clauses");

    product["contract"] = serde_json::json!({ "clauses": [ { "text": "x", "bold": true } ] });
    let path = scratch_file(
        "contract-bad",
        "product.json",
        serde_json::to_string(&product).unwrap().as_bytes(),
    );
    let out = run(&["check-contract", "--product", path.to_str().unwrap()]);
    assert_bad_input(&out, "bold");

    let out = run(&[
        "check-contract",
        "--product",
        &format!("{}/examples/product.json", env!("CARGO_MANIFEST_DIR")),
    ]);
    assert_bad_input(&out, "contract");

    let grammar = scratch_file(
        "contract-bad",
        "zh.toml",
        b"version = \"x\"\nlanguage = \"zh\"\n[[check]]\ncode = \"MK-NO-APR\"\nname = \"x\"\npatterns = [\"a\"]\n",
    );
    let out = run(&[
        "check-contract",
        "--product",
        &example(),
        "--contract-grammar",
        grammar.to_str().unwrap(),
    ]);
    assert_bad_input(&out, "check[0].code");
}
