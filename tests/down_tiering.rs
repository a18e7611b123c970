//! Customer-quality down-tiering (RC-DOWN-TIERING) on generated loan books: the generator
//! weakens the borrowers of every third institution over the window and leaves the others
//! stable; the batch summary must flag exactly the weakened institutions at the default
//! thresholds, and a product's loan book gets the finding from `assess-product --grants`.

#![allow(clippy::unwrap_used, reason = "tests: a failure should panic")]

mod common;

use common::{generated, json};
use serde_json::Value;
use std::collections::BTreeSet;

/// Institutions and products whose book down-tiers, from the generator's truth.
fn planted(dir: &std::path::Path) -> (BTreeSet<String>, BTreeSet<String>, Vec<Value>) {
    let text = std::fs::read_to_string(dir.join("truth/products.jsonl")).unwrap();
    let rows: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let institutions = rows
        .iter()
        .filter(|r| r["down_tiering"] == true)
        .map(|r| r["institution_id"].as_str().unwrap().to_string())
        .collect();
    let all = rows
        .iter()
        .map(|r| r["institution_id"].as_str().unwrap().to_string())
        .collect();
    (institutions, all, rows)
}

#[test]
fn the_batch_flags_exactly_the_institutions_that_down_tier() {
    let (dir, _) = generated("down-tiering", "batch", 60_000);
    let (planted, all, _) = planted(&dir);
    assert!(!planted.is_empty() && planted.len() < all.len());
    let out = dir.join("out.parquet");
    let summary = json(&[
        "batch",
        "--kind",
        "grants",
        "--input",
        dir.join("grants.parquet").to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    let dt = &summary["down_tiering"];
    let firing: BTreeSet<String> = dt["institutions_firing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(firing, planted);
    // The grants report reads the scored table and finds the same institutions, with a chart.
    let report_dir = dir.join("report");
    let r = json(&[
        "report",
        "--input",
        out.to_str().unwrap(),
        "--out",
        report_dir.to_str().unwrap(),
    ]);
    assert!(
        r["charts"]
            .as_array()
            .unwrap()
            .contains(&Value::from("vintages"))
    );
    let figures: Value =
        serde_json::from_str(&std::fs::read_to_string(report_dir.join("report.json")).unwrap())
            .unwrap();
    let from_report: BTreeSet<String> = figures["down_tiering"]["institutions_firing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(from_report, planted);
    let page = std::fs::read_to_string(report_dir.join("report.html")).unwrap();
    assert!(page.contains("Cochran-Armitage") && page.contains("INST-002"));
    for inst in dt["institutions"].as_array().unwrap() {
        let id = inst["group"].as_str().unwrap();
        assert_eq!(inst["vintages_tested"], 24, "{id}: 24 months of grants");
        if planted.contains(id) {
            // The planted weakening: more young, high-DTI and many-lender borrowers.
            let worsening: Vec<&str> = inst["trends"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|t| t["worsens"] == true)
                .map(|t| t["characteristic"].as_str().unwrap())
                .collect();
            assert!(worsening.contains(&"many_lenders"), "{id}: {worsening:?}");
            assert!(inst["mix_psi"].as_f64().unwrap() > 0.25, "{id}");
        } else {
            // A stable book of the same size: no characteristic worsens, the mix holds.
            assert_eq!(inst["fires"], false, "{id}: {}", inst["reason"]);
            assert!(inst["mix_psi"].as_f64().unwrap() < 0.1, "{id}");
        }
    }
}

#[test]
fn a_products_loan_book_gets_the_finding_with_its_vintages() {
    let (dir, _) = generated("down-tiering", "product", 60_000);
    let (_, _, rows) = planted(&dir);
    let products = std::fs::read_to_string(dir.join("products.jsonl")).unwrap();
    let grants = dir.join("grants.parquet");
    let mut seen = (false, false);
    for (line, truth) in products.lines().zip(&rows) {
        let planted = truth["down_tiering"] == true;
        if (planted && seen.0) || (!planted && seen.1) {
            continue;
        }
        let path = dir.join(format!("{}.json", truth["product_id"].as_str().unwrap()));
        std::fs::write(&path, line).unwrap();
        let a = json(&[
            "assess-product",
            "--product",
            path.to_str().unwrap(),
            "--grants",
            grants.to_str().unwrap(),
        ]);
        let finding = a["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["code"] == "RC-DOWN-TIERING");
        let dt = &a["portfolio"]["down_tiering"];
        assert_eq!(dt["vintages"].as_array().unwrap().len(), 24);
        if planted {
            let f = finding.unwrap_or_else(|| panic!("{}: {}", truth["product_id"], dt["reason"]));
            assert_eq!(f["level"], "portfolio");
            assert!(!f["evidence"]["worsening"].as_array().unwrap().is_empty());
            assert!(f["evidence"]["trends"][0]["p_value"].is_number());
            seen.0 = true;
        } else {
            assert!(
                finding.is_none(),
                "{}: {}",
                truth["product_id"],
                dt["reason"]
            );
            seen.1 = true;
        }
        if seen == (true, true) {
            break;
        }
    }
    assert_eq!(seen, (true, true));
}
