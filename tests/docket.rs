//! The docket end to end: `report --kind cases` on a generated docket, whose totals a test
//! recomputes from the scored table, and `suggest`, whose letter must carry the counts and the
//! excess the scored table gives, and which drafts none below the ruleset's threshold.

#![expect(
    clippy::unwrap_used,
    reason = "test code: a failed set-up should panic"
)]

mod common;

use common::{json, run, scratch};
use std::collections::BTreeMap;
use std::path::Path;

/// One row of the scored CSV: column -> cell (the summary CSV quotes nothing in generated data).
fn rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(!text.contains('"'));
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_string)
        .collect();
    lines
        .map(|l| {
            header
                .iter()
                .cloned()
                .zip(l.split(',').map(str::to_string))
                .collect()
        })
        .collect()
}

fn int(row: &BTreeMap<String, String>, k: &str) -> i64 {
    row[k].parse().unwrap()
}

fn has_code(row: &BTreeMap<String, String>, code: &str) -> bool {
    row["findings"].split(';').any(|c| c == code)
}

#[test]
fn the_docket_report_sums_the_scored_table_and_letters_follow_the_threshold() {
    let dir = scratch("docket", "report");
    let generated = dir.join("gen");
    json(&[
        "generate",
        "--out",
        generated.to_str().unwrap(),
        "--grants",
        "40000",
        "--cases",
        "2000",
    ]);
    let scored = dir.join("scored.csv");
    json(&[
        "batch",
        "--kind",
        "cases",
        "--input",
        generated.join("cases.jsonl").to_str().unwrap(),
        "--output",
        scored.to_str().unwrap(),
    ]);
    let table = rows(&scored);
    assert!(table.len() > 1000);
    let out = dir.join("report");
    let summary = json(&[
        "report",
        "--kind",
        "cases",
        "--input",
        scored.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(summary["cases"], table.len());
    for file in [
        "report.html",
        "report.md",
        "report.json",
        "excess.png",
        "apr.png",
    ] {
        assert!(out.join(file).is_file(), "{file}");
    }
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("data:image/png;base64,"));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let f = &report["figures"];

    // Totals: the sums of the scored table's columns.
    let sum = |rows: &[&BTreeMap<String, String>], k: &str| -> i64 {
        rows.iter().map(|r| int(r, k)).sum()
    };
    let all: Vec<&BTreeMap<String, String>> = table.iter().collect();
    let totals = &f["totals"][0];
    assert_eq!(f["totals"].as_array().unwrap().len(), 1, "one currency");
    assert_eq!(totals["cases"], all.len());
    for k in [
        "claimed_minor",
        "total_cost_minor",
        "excess_minor",
        "supportable_claim_minor",
    ] {
        assert_eq!(totals[k], sum(&all, k), "{k}");
    }
    let above: Vec<&BTreeMap<String, String>> = all
        .iter()
        .copied()
        .filter(|r| int(r, "excess_minor") > 0)
        .collect();
    assert_eq!(totals["cases_above_cap"], above.len());
    assert_eq!(
        totals["cost_of_cases_above_cap_minor"],
        sum(&above, "total_cost_minor")
    );
    // Per institution, and the ranking by excess.
    let mut by_inst: BTreeMap<&str, Vec<&BTreeMap<String, String>>> = BTreeMap::new();
    for r in &table {
        by_inst
            .entry(r["institution_id"].as_str())
            .or_default()
            .push(r);
    }
    let institutions = f["institutions"].as_array().unwrap();
    assert_eq!(institutions.len(), by_inst.len());
    let mut last_excess = i64::MAX;
    for inst in institutions {
        let list = &by_inst[inst["institution_id"].as_str().unwrap()];
        assert_eq!(inst["cases"], list.len());
        assert_eq!(inst["excess_minor"], sum(list, "excess_minor"));
        assert_eq!(inst["claimed_minor"], sum(list, "claimed_minor"));
        let findings: usize = list
            .iter()
            .map(|r| r["findings"].split(';').filter(|c| !c.is_empty()).count())
            .sum();
        assert_eq!(inst["findings"], findings);
        let excess = inst["excess_minor"].as_i64().unwrap();
        assert!(excess <= last_excess, "ranked by excess");
        last_excess = excess;
    }
    // Findings by code.
    for code in f["findings"].as_array().unwrap() {
        let name = code["code"].as_str().unwrap();
        let n = table.iter().filter(|r| has_code(r, name)).count();
        assert_eq!(code["cases"], n, "{name}");
    }
    // Borrowers in several cases.
    let mut keys: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &table {
        *keys.entry(r["borrower_key"].as_str()).or_insert(0) += 1;
    }
    assert_eq!(
        f["repeat_borrowers"].as_array().unwrap().len(),
        keys.values().filter(|&&n| n > 1).count()
    );

    // The letter to the institution that overcharges most often.
    let share = |inst: &str, code: &str| {
        let list = &by_inst[inst];
        list.iter().filter(|r| has_code(r, code)).count() as f64 / list.len() as f64
    };
    let worst = by_inst
        .keys()
        .copied()
        .max_by(|a, b| share(a, "RC-COST-CAP").total_cmp(&share(b, "RC-COST-CAP")))
        .unwrap();
    let best = by_inst
        .keys()
        .copied()
        .min_by(|a, b| share(a, "RC-COST-CAP").total_cmp(&share(b, "RC-COST-CAP")))
        .unwrap();
    assert!(
        share(worst, "RC-COST-CAP") > 0.5,
        "the generator plants overcharging"
    );
    assert!(share(best, "RC-COST-CAP") < 0.10, "and lenders that do not");
    let letters = dir.join("letters");
    let drafted = json(&[
        "suggest",
        "--input",
        scored.to_str().unwrap(),
        "--institution",
        worst,
        "--lang",
        "en",
        "--out",
        letters.to_str().unwrap(),
    ]);
    assert_eq!(drafted["drafted"], true);
    let letter = &drafted["letter"];
    let capped: Vec<&BTreeMap<String, String>> = by_inst[worst]
        .iter()
        .copied()
        .filter(|r| has_code(r, "RC-COST-CAP"))
        .collect();
    let first = &letter["items"][0];
    assert_eq!(first["code"], "RC-COST-CAP");
    assert_eq!(first["cases"], capped.len());
    assert_eq!(first["excess_minor"], sum(&capped, "excess_minor"));
    assert_eq!(
        letter["totals"]["excess_minor"],
        sum(&by_inst[worst], "excess_minor")
    );
    let rests_on: Vec<&str> = letter["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    for r in &capped {
        assert!(rests_on.contains(&r["case_id"].as_str()));
    }
    // Every code in the letter reaches the threshold; every code that reaches it is there.
    for (code, _) in by_inst[worst]
        .iter()
        .flat_map(|r| r["findings"].split(';'))
        .filter(|c| !c.is_empty())
        .map(|c| (c, ()))
        .collect::<BTreeMap<_, _>>()
    {
        let listed = letter["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["code"] == code);
        assert_eq!(listed, share(worst, code) >= 0.10, "{code}");
    }
    let md = std::fs::read_to_string(letters.join(format!("suggestion-{worst}.md"))).unwrap();
    assert!(
        md.contains(&format!(
            "Cases: {} of {}",
            capped.len(),
            by_inst[worst].len()
        )),
        "{md}"
    );
    let total_excess = sum(&by_inst[worst], "excess_minor");
    let money = format!(
        "{}.{:02}",
        (total_excess / 100)
            .to_string()
            .as_bytes()
            .rchunks(3)
            .rev()
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join(","),
        total_excess % 100
    );
    assert!(md.contains(&money), "{money} not in the letter");
    assert!(letters.join(format!("suggestion-{worst}.html")).is_file());

    // The careful lender's letter, under the CN ruleset, is in Chinese and has no overcharging.
    let drafted = json(&[
        "suggest",
        "--input",
        scored.to_str().unwrap(),
        "--institution",
        best,
        "--out",
        letters.to_str().unwrap(),
    ]);
    if drafted["drafted"] == true {
        assert_eq!(drafted["letter"]["language"], "zh");
        assert!(
            drafted["letter"]["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["code"] != "RC-COST-CAP")
        );
        let md = std::fs::read_to_string(letters.join(format!("suggestion-{best}.md"))).unwrap();
        assert!(md.contains("司法建议书"));
    }
    // Above the share of its most frequent code, no letter.
    let top = by_inst[best]
        .iter()
        .flat_map(|r| r["findings"].split(';'))
        .filter(|c| !c.is_empty())
        .map(|c| share(best, c))
        .fold(0.0f64, f64::max);
    assert!(top < 1.0);
    let rules = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/cn.toml"))
        .unwrap()
        .replace(
            "suggestion_min_share = 0.10",
            &format!("suggestion_min_share = {}", (top + 1.0) / 2.0),
        );
    let rules_path = dir.join("strict.toml");
    std::fs::write(&rules_path, rules).unwrap();
    let none = json(&[
        "suggest",
        "--input",
        scored.to_str().unwrap(),
        "--institution",
        best,
        "--rules",
        rules_path.to_str().unwrap(),
        "--out",
        dir.join("none").to_str().unwrap(),
    ]);
    assert_eq!(none["drafted"], false, "{none}");
    assert!(
        !dir.join("none")
            .join(format!("suggestion-{best}.md"))
            .exists()
    );

    // An institution with no case is bad input naming the field.
    let out = run(&[
        "suggest",
        "--input",
        scored.to_str().unwrap(),
        "--institution",
        "NOBODY",
    ]);
    common::assert_bad_input(&out, "institution");
    let out = run(&[
        "suggest",
        "--input",
        scored.to_str().unwrap(),
        "--institution",
        worst,
        "--lang",
        "fr",
    ]);
    common::assert_bad_input(&out, "lang");
}

#[test]
fn the_json_lines_and_the_csv_give_the_same_docket_totals() {
    let dir = scratch("docket", "formats");
    let generated = dir.join("gen");
    json(&[
        "generate",
        "--out",
        generated.to_str().unwrap(),
        "--grants",
        "20000",
        "--cases",
        "500",
    ]);
    let mut reports = Vec::new();
    for ext in ["jsonl", "csv"] {
        let scored = dir.join(format!("scored.{ext}"));
        json(&[
            "batch",
            "--kind",
            "cases",
            "--input",
            generated.join("cases.jsonl").to_str().unwrap(),
            "--output",
            scored.to_str().unwrap(),
        ]);
        let out = dir.join(format!("report-{ext}"));
        json(&[
            "report",
            "--kind",
            "cases",
            "--input",
            scored.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        let r: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap())
                .unwrap();
        reports.push(r);
    }
    let (a, b) = (&reports[0]["figures"], &reports[1]["figures"]);
    // Money, counts and codes agree exactly; only the scores (one decimal in the CSV) and the
    // APRs (six decimals) may differ in their last digits.
    for k in [
        "cases",
        "totals",
        "findings",
        "filing_months",
        "repeat_borrowers",
    ] {
        assert_eq!(a[k], b[k], "{k}");
    }
}
