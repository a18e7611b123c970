//! `finrisk monitor` end to end: two random halves of one generated book raise no alert (exit
//! 0); the same halves with two characteristics shifted alert on exactly those two (exit 3),
//! with the report written; one table split at a date; bad input refused.

#![allow(clippy::unwrap_used, reason = "tests: a failure should panic")]

mod common;

use common::{BIN, assert_bad_input, scratch};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// Runs `finrisk monitor` with `args`; returns the exit code and the JSON printed.
fn monitor(args: &[&str]) -> (i32, Value) {
    let out = Command::new(BIN)
        .arg("monitor")
        .args(args)
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    assert!(
        code == 0 || code == 3,
        "exit {code}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (code, serde_json::from_slice(&out.stdout).unwrap())
}

/// Writes the rows of `csv` (a header line, then rows) into `a` and `b` by a fixed hash of the
/// row, and into `shifted` the rows of `b` with `dti` x 1.6 and `inquiries_6m` + 3.
fn halves(csv: &str, a: &Path, b: &Path, shifted: &Path) {
    let mut lines = csv.lines();
    let header = lines.next().unwrap();
    let cols: Vec<&str> = header.split(',').collect();
    let dti = cols.iter().position(|c| *c == "dti").unwrap();
    let inq = cols.iter().position(|c| *c == "inquiries_6m").unwrap();
    let (mut ta, mut tb, mut tc) = (
        format!("{header}\n"),
        format!("{header}\n"),
        format!("{header}\n"),
    );
    for (k, line) in lines.enumerate() {
        // A multiplicative hash of the row number: halves with no order in them.
        if (k as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 63 == 0 {
            ta.push_str(line);
            ta.push('\n');
            continue;
        }
        tb.push_str(line);
        tb.push('\n');
        let mut cells: Vec<String> = line.split(',').map(str::to_string).collect();
        if let Ok(v) = cells[dti].parse::<f64>() {
            cells[dti] = format!("{:.4}", v * 1.6);
        }
        if let Ok(v) = cells[inq].parse::<i64>() {
            cells[inq] = (v + 3).to_string();
        }
        tc.push_str(&cells.join(","));
        tc.push('\n');
    }
    std::fs::write(a, ta).unwrap();
    std::fs::write(b, tb).unwrap();
    std::fs::write(shifted, tc).unwrap();
}

/// Generates a book of `grants` grants into `dir` (CSV when `csv`, else Parquet).
fn generate(dir: &Path, grants: u32, csv: bool) {
    let grants = grants.to_string();
    let mut args = vec![
        "generate",
        "--out",
        dir.to_str().unwrap(),
        "--grants",
        &grants,
        "--cases",
        "10",
    ];
    if csv {
        args.push("--csv");
    }
    let out = Command::new(BIN).args(&args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn alerting(v: &Value, key: &str) -> BTreeSet<String> {
    v[key]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["alert"] == true)
        .map(|d| d["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn halves_are_quiet_and_two_shifted_characteristics_alert_alone() {
    let dir = scratch("monitor", "halves");
    generate(&dir, 20000, true);
    let csv = std::fs::read_to_string(dir.join("grants.csv")).unwrap();
    let (a, b, c) = (dir.join("a.csv"), dir.join("b.csv"), dir.join("c.csv"));
    halves(&csv, &a, &b, &c);

    let (code, v) = monitor(&[
        "--baseline",
        a.to_str().unwrap(),
        "--current",
        b.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{}", v["alerts"]);
    assert!(v["alerts"].as_array().unwrap().is_empty());
    assert_eq!(v["characteristics"].as_array().unwrap().len(), 10);
    for d in v["characteristics"].as_array().unwrap() {
        // Every figure comes with its bins, which add up to the two samples.
        let bins = d["bins"].as_array().unwrap();
        let sum = |side: &str| bins.iter().map(|b| b[side].as_u64().unwrap()).sum::<u64>();
        assert_eq!(sum("baseline"), v["baseline"]["rows"].as_u64().unwrap());
        assert_eq!(sum("current"), v["current"]["rows"].as_u64().unwrap());
    }

    let out = dir.join("report");
    let (code, v) = monitor(&[
        "--baseline",
        a.to_str().unwrap(),
        "--current",
        c.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 3);
    let expected: BTreeSet<String> = ["dti", "inquiries_6m"].map(String::from).into();
    assert_eq!(alerting(&v, "characteristics"), expected);
    assert!(alerting(&v, "codes").contains("RC-DTI-HIGH"));
    for file in [
        "report.html",
        "report.md",
        "report.json",
        "characteristics.png",
        "codes.png",
    ] {
        assert!(out.join(file).exists(), "{file}");
    }
    let page = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(page.contains("Yurdakul"));
}

#[test]
fn one_table_split_at_a_date_and_bad_input() {
    let dir = scratch("monitor", "split");
    generate(&dir, 6000, false);
    let grants = dir.join("grants.parquet");
    let (_, v) = monitor(&[
        "--input",
        grants.to_str().unwrap(),
        "--split-at",
        "2024-01-01",
        "--model",
        "none",
    ]);
    let rows = v["baseline"]["rows"].as_u64().unwrap() + v["current"]["rows"].as_u64().unwrap();
    assert_eq!(rows, 6000);
    assert_eq!(v["model"], "none");
    assert!(v["characteristics"].as_array().unwrap().is_empty());

    let run = |args: &[&str]| {
        Command::new(BIN)
            .arg("monitor")
            .args(args)
            .output()
            .unwrap()
    };
    assert_bad_input(&run(&["--baseline", grants.to_str().unwrap()]), "baseline");
    assert_bad_input(
        &run(&[
            "--input",
            grants.to_str().unwrap(),
            "--split-at",
            "2024-02-30",
        ]),
        "split-at",
    );
    assert_bad_input(
        &run(&[
            "--input",
            grants.to_str().unwrap(),
            "--split-at",
            "2030-01-01",
        ]),
        "split-at",
    );
    assert_bad_input(
        &run(&[
            "--baseline",
            grants.to_str().unwrap(),
            "--current",
            grants.to_str().unwrap(),
            "--alpha",
            "2",
        ]),
        "alpha",
    );
}

#[test]
fn one_table_split_by_another_period_column_counts_rows_without_a_period() {
    let dir = scratch("monitor", "period");
    generate(&dir, 3000, true);
    let csv = std::fs::read_to_string(dir.join("grants.csv")).unwrap();
    // A model-version column: v1 on even rows, v2 on odd rows, none on every 100th row.
    let mut text = String::new();
    let (mut v1, mut v2, mut none) = (0u64, 0u64, 0u64);
    for (k, line) in csv.lines().enumerate() {
        let label = match k {
            0 => "model_version",
            k if k % 100 == 0 => {
                none += 1;
                ""
            }
            k if k % 2 == 0 => {
                v1 += 1;
                "v1"
            }
            _ => {
                v2 += 1;
                "v2"
            }
        };
        text += &format!("{line},{label}\n");
    }
    let input = dir.join("versions.csv");
    std::fs::write(&input, text).unwrap();
    let (_, v) = monitor(&[
        "--input",
        input.to_str().unwrap(),
        "--period-column",
        "model_version",
        "--split-at",
        "v2",
        "--model",
        "none",
    ]);
    assert_eq!(
        v["baseline"]["rows"].as_u64().unwrap(),
        v1,
        "{}",
        v["baseline"]
    );
    assert_eq!(
        v["current"]["rows"].as_u64().unwrap(),
        v2,
        "{}",
        v["current"]
    );
    assert_eq!(v["baseline"]["rows_without_period"].as_u64().unwrap(), none);
    assert!(
        v["baseline"]["source"]
            .as_str()
            .unwrap()
            .contains("model_version before v2")
    );
    let run = |args: &[&str]| {
        Command::new(BIN)
            .arg("monitor")
            .args(args)
            .output()
            .unwrap()
    };
    assert_bad_input(
        &run(&[
            "--input",
            input.to_str().unwrap(),
            "--period-column",
            "nope",
            "--split-at",
            "v2",
        ]),
        "nope",
    );
    assert_bad_input(
        &run(&[
            "--input",
            input.to_str().unwrap(),
            "--period-column",
            "model_version",
            "--split-at",
            "v9",
        ]),
        "split-at: no grant",
    );
}
