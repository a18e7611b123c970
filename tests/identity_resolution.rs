//! Identity resolution end to end: the `realistic` generator profile (shop terminals, family
//! phones, recycled numbers, resold handsets) through the streamed batch, judged against the
//! people the generator made; a shop terminal from a hand-written CSV; bad identity rules.

#![allow(clippy::unwrap_used, reason = "tests: a failure should panic")]

mod common;

use common::{Cli, assert_bad_input, json, run, scratch};
use serde_json::Value;
use std::path::Path;

/// DC codes the truth holds and the detector must recover.
const DC_CODES: [&str; 8] = [
    "DC-CONCURRENT-SAME-LENDER",
    "DC-EXPOSURE-INCOME",
    "DC-IDENTIFIER-HUB",
    "DC-LINE-UP-DELINQUENT",
    "DC-MANY-INQUIRIES",
    "DC-MANY-LENDERS",
    "DC-NEW-WHILE-DELINQUENT",
    "DC-SHARED-IDENTITY",
];

fn generate_realistic(dir: &Path, grants: &str, extra: &[&str]) -> Value {
    let out = dir.to_str().unwrap();
    let mut args = vec![
        "generate",
        "--out",
        out,
        "--grants",
        grants,
        "--cases",
        "10",
        "--profile",
        "realistic",
    ];
    args.extend_from_slice(extra);
    json(&args)
}

/// `batch --truth` over the generated grants in chunks of 4,096 rows, with `rules` if given.
fn truth_of(dir: &Path, name: &str, rules: Option<&Path>) -> Value {
    let input = dir.join("grants.parquet");
    let output = dir.join(format!("{name}.parquet"));
    let truth = dir.join("truth/grants.parquet");
    let mut cli = Cli::batch("grants", &input, &output)
        .opt("--truth", truth.to_str().unwrap())
        .opt("--chunk-rows", "4096")
        .flag("--quiet");
    if let Some(rules) = rules {
        cli = cli.opt("--rules", rules.to_str().unwrap());
    }
    cli.json()["truth"].clone()
}

#[test]
fn the_realistic_profile_is_resolved_into_the_people_the_generator_made() {
    let dir = scratch("identity", "realistic");
    let summary = generate_realistic(&dir, "60000", &[]);
    assert_eq!(summary["params"]["profile"], "realistic");
    assert_eq!(summary["params"]["identity_noise"], true);
    let truth = truth_of(&dir, "scores", None);
    for code in DC_CODES {
        let c = &truth["codes"][code];
        assert!(c["planted"].as_u64().unwrap() > 50, "{code}: {c}");
        for figure in ["precision", "recall"] {
            let v = c[figure].as_f64().unwrap();
            assert!(v >= 0.95, "{code} {figure} {v}: {c}");
        }
    }
    // No person with one grant gets a code that adds up a person's grants.
    let single = &truth["single_grant_persons"];
    assert!(single["grants"].as_u64().unwrap() > 10_000, "{single}");
    for (code, n) in single["flagged"].as_object().unwrap() {
        assert_eq!(n, 0, "{code} on persons with one grant: {single}");
    }

    // The same data joined through any shared identifier (no hubs, no gap, a phone enough):
    // the noise turns into false findings. This is what the rules above prevent.
    let naive = dir.join("naive.toml");
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/cn.toml"))
        .unwrap()
        .replace(
            "hub_keys = { phone_hash = 5, device_hash = 5 }",
            "hub_keys = { phone_hash = 1000000, device_hash = 1000000 }",
        )
        .replace("recycle_gap_days = 365", "recycle_gap_days = 36500")
        .replace("min_link_strength = 2.0", "min_link_strength = 1.0");
    std::fs::write(&naive, text).unwrap();
    let loose = truth_of(&dir, "naive", Some(&naive));
    let precision = |t: &Value, code: &str| t["codes"][code]["precision"].as_f64().unwrap();
    assert!(
        precision(&loose, "DC-SHARED-IDENTITY") < 0.8,
        "{}",
        loose["codes"]["DC-SHARED-IDENTITY"]
    );
    assert_eq!(loose["codes"]["DC-IDENTIFIER-HUB"]["flagged"], 0);
    let false_joins: u64 = loose["single_grant_persons"]["flagged"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert!(false_joins > 100, "{}", loose["single_grant_persons"]);
}

#[test]
fn identity_noise_can_be_switched_off_whatever_the_profile() {
    let dir = scratch("identity", "noise-off");
    let summary = generate_realistic(&dir, "20000", &["--identity-noise", "off"]);
    assert_eq!(summary["params"]["identity_noise"], false);
    assert!(summary["grant_codes"].get("DC-IDENTIFIER-HUB").is_none());
    let out = run(&[
        "generate",
        "--out",
        dir.to_str().unwrap(),
        "--identity-noise",
        "sometimes",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--identity-noise"));
}

#[test]
fn three_hundred_strangers_through_one_shop_terminal_are_three_hundred_people() {
    // The case: 300 unrelated borrowers, one grant each at twenty lenders, all through
    // one shop terminal.
    let dir = scratch("identity", "shop");
    let mut csv = String::from(
        "grant_id,institution_id,product_id,borrower_key,granted_at,principal_minor,term_months,apr,monthly_income_minor,phone_hash,device_hash\n",
    );
    for k in 0..300 {
        csv.push_str(&format!(
            "G{k:03},L{:02},P1,key{k:03},2024-03-{:02},800000,12,0.18,600000,ph{k:03},shop-terminal-1\n",
            k % 20,
            1 + k % 28
        ));
    }
    let input = dir.join("grants.csv");
    std::fs::write(&input, csv).unwrap();
    let output = dir.join("scores.parquet");
    let persons = dir.join("persons.csv");
    let summary = Cli::batch("grants", &input, &output)
        .opt("--persons", persons.to_str().unwrap())
        .flag("--quiet")
        .json();
    assert_eq!(summary["rows_assessed"], 300, "{summary}");
    let df = finrisk_datasets::read_table(&output).unwrap();
    let findings = df.column("findings").unwrap().str().unwrap().clone();
    let evidence = df.column("evidence").unwrap().str().unwrap().clone();
    assert_eq!(findings.len(), 300);
    for (codes, ev) in findings.iter().zip(evidence.iter()) {
        let (codes, ev) = (codes.unwrap_or_default(), ev.unwrap_or_default());
        assert!(codes.contains("DC-IDENTIFIER-HUB"), "{codes}");
        for code in [
            "DC-CONCURRENT-SAME-LENDER",
            "DC-EXPOSURE-INCOME",
            "DC-MANY-LENDERS",
            "DC-SHARED-IDENTITY",
        ] {
            assert!(!codes.contains(code), "{code}: {codes}");
        }
        let ev: Value = serde_json::from_str(ev).unwrap();
        let hub = &ev["DC-IDENTIFIER-HUB"]["hubs"][0];
        assert_eq!(hub["value"], "shop-terminal-1");
        assert_eq!(hub["key_count"], 300);
        assert_eq!(hub["institution_count"], 20);
    }
    let persons = std::fs::read_to_string(&persons).unwrap();
    assert_eq!(persons.lines().count(), 301, "one person per borrower");
}

#[test]
fn bad_identity_rules_are_refused_naming_the_key() {
    let dir = scratch("identity", "bad-rules");
    let base =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/cn.toml")).unwrap();
    let input = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/grants.csv");
    for (from, to, key) in [
        (
            "hub_keys = { phone_hash = 5, device_hash = 5 }",
            "hub_keys = { phone_hash = 0, device_hash = 5 }",
            "identity.hub_keys.phone_hash",
        ),
        (
            "recycle_gap_days = 365",
            "recycle_gap_days = 99999",
            "identity.recycle_gap_days",
        ),
        (
            "link_weight = { phone_hash = 1, device_hash = 2 }",
            "link_weight = { phone_hash = 1 }",
            "identity.link_weight",
        ),
        (
            "params = { min_link_strength = 2.0 }",
            "params = { min_link_strength = 1.5 }",
            "params.min_link_strength",
        ),
    ] {
        assert!(base.contains(from), "{from}");
        let rules = dir.join("rules.toml");
        std::fs::write(&rules, base.replacen(from, to, 1)).unwrap();
        let output = dir.join("out.parquet");
        let out = Cli::batch("grants", Path::new(input), &output)
            .opt("--rules", rules.to_str().unwrap())
            .output();
        assert_bad_input(&out, key);
    }
}
