//! `finrisk train` and `finrisk eval` end to end on real files: CV metrics printed, artifacts
//! written and reloaded, the embedded default model, and bad input refused with the field.

#![expect(
    clippy::unwrap_used,
    reason = "test code: a failed set-up should panic"
)]

mod common;

use common::{assert_bad_input, json, json_of, run};
use serde_json::Value;
use std::path::PathBuf;

fn scratch(name: &str) -> PathBuf {
    common::scratch("finrisk-models", name)
}

/// German credit as a plain CSV with a 0/1 target and a categorical column, written by the test.
fn german_csv(dir: &std::path::Path) -> PathBuf {
    let raw = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/datasets/data/german_credit.csv"
    ))
    .unwrap();
    let mut lines = raw.lines();
    let header = lines.next().unwrap();
    let cols: Vec<&str> = header.split(',').collect();
    let class = cols.iter().position(|c| *c == "class").unwrap();
    let mut out = format!("{header},bad\n");
    for l in lines {
        let v: Vec<&str> = l.split(',').collect();
        out += &format!("{l},{}\n", u8::from(v[class] == "2"));
    }
    let path = dir.join("german.csv");
    std::fs::write(&path, out).unwrap();
    path
}

#[test]
fn train_prints_cv_metrics_and_eval_reproduces_them_from_the_artifact() {
    let dir = scratch("train");
    let data = german_csv(&dir);
    let artifact = dir.join("german_scorecard.json");
    let out = run(&[
        "train",
        "--data",
        data.to_str().unwrap(),
        "--target",
        "bad",
        "--exclude",
        "class",
        "--model",
        "scorecard",
        "--folds",
        "5",
        "--seed",
        "42",
        "--out",
        artifact.to_str().unwrap(),
    ]);
    let summary = json_of(&out);
    let auc = summary["cv"]["auc"]["mean"].as_f64().unwrap();
    assert!(auc > 0.76 && auc < 0.82, "cv auc {auc}");
    assert_eq!(summary["cv"]["per_fold_auc"].as_array().unwrap().len(), 5);
    assert_eq!(summary["features"], 20);
    assert_eq!(summary["rows"], 1000);
    let model: Value = serde_json::from_str(&std::fs::read_to_string(&artifact).unwrap()).unwrap();
    assert_eq!(model["format"], "finrisk-pd-model");
    assert_eq!(model["kind"], "scorecard");
    assert_eq!(model["training"]["data_sha256"].as_str().unwrap().len(), 64);
    assert!(
        model["training"]["command"]
            .as_str()
            .unwrap()
            .contains("--target bad")
    );

    // eval on the training data gives the artifact's in-sample figures exactly.
    let eval = json_of(&run(&[
        "eval",
        "--model",
        artifact.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--target",
        "bad",
    ]));
    for k in ["rows", "auc", "ks", "gini", "brier"] {
        assert_eq!(eval[k], model["in_sample"][k], "{k}");
    }
    assert_eq!(eval["psi_vs_training"], 0.0);
    assert!(eval["psi_vs_compare"].is_null());
    // Two samples: the applicants with a long duration against everyone.
    let raw = std::fs::read_to_string(&data).unwrap();
    let header = raw.lines().next().unwrap();
    let duration = header
        .split(',')
        .position(|c| c == "duration_months")
        .unwrap();
    let mut long = format!("{header}\n");
    for l in raw.lines().skip(1) {
        if l.split(',').nth(duration).unwrap().parse::<f64>().unwrap() >= 36.0 {
            long += &format!("{l}\n");
        }
    }
    let later = dir.join("long.csv");
    std::fs::write(&later, long).unwrap();
    let shifted = json_of(&run(&[
        "eval",
        "--model",
        artifact.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--target",
        "bad",
        "--compare",
        later.to_str().unwrap(),
    ]));
    let psi = shifted["psi_vs_compare"].as_f64().unwrap();
    assert!(psi > 0.1, "long loans are riskier: PSI {psi}");
    // The same command gives the same artifact.
    let again = dir.join("again.json");
    json_of(&run(&[
        "train",
        "--data",
        data.to_str().unwrap(),
        "--target",
        "bad",
        "--exclude",
        "class",
        "--model",
        "scorecard",
        "--out",
        again.to_str().unwrap(),
    ]));
    let a: Value = serde_json::from_str(&std::fs::read_to_string(&artifact).unwrap()).unwrap();
    let b: Value = serde_json::from_str(&std::fs::read_to_string(&again).unwrap()).unwrap();
    assert_eq!(a["estimator"], b["estimator"]);
    assert_eq!(a["cv"], b["cv"]);
}

#[test]
fn every_model_kind_trains_from_the_command_line() {
    let dir = scratch("kinds");
    for kind in ["logistic", "gbm", "forest"] {
        let artifact = dir.join(format!("{kind}.json"));
        let summary = json_of(&run(&[
            "train",
            "--dataset",
            "australian_credit",
            "--model",
            kind,
            "--folds",
            "3",
            "--out",
            artifact.to_str().unwrap(),
        ]));
        let auc = summary["cv"]["auc"]["mean"].as_f64().unwrap();
        assert!(auc > 0.85, "{kind}: {auc}");
        let eval = json_of(&run(&[
            "eval",
            "--model",
            artifact.to_str().unwrap(),
            "--dataset",
            "australian_credit",
        ]));
        assert_eq!(eval["rows"], 690);
    }
}

#[test]
fn the_default_model_scores_a_grants_table() {
    let eval = json_of(&run(&[
        "eval",
        "--model",
        "default",
        "--dataset",
        "lending_club_grants",
    ]));
    assert_eq!(eval["model"], "pd_lending_club_grants@1");
    assert_eq!(eval["rows"], 42535);
    let auc = eval["auc"].as_f64().unwrap();
    assert!(auc > 0.68, "{auc}");
}

#[test]
fn bad_training_input_names_the_field() {
    let dir = scratch("bad");
    let out = dir.join("m.json");
    let out = out.to_str().unwrap();
    let german = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/datasets/data/german_credit.csv"
    );
    // `class` holds 1/2: not a 0/1 target, and no guess is made.
    assert_bad_input(
        &run(&["train", "--data", german, "--target", "class", "--out", out]),
        "row 2: target value \"2\"",
    );
    assert_bad_input(
        &run(&["train", "--data", german, "--target", "nope", "--out", out]),
        "target",
    );
    assert_bad_input(&run(&["train", "--data", german, "--out", out]), "target");
    assert_bad_input(
        &run(&[
            "train",
            "--dataset",
            "german_credit",
            "--model",
            "svm",
            "--out",
            out,
        ]),
        "model",
    );
    assert_bad_input(
        &run(&[
            "train",
            "--dataset",
            "german_credit",
            "--features",
            "nope",
            "--out",
            out,
        ]),
        "features",
    );
    assert_bad_input(
        &run(&[
            "train",
            "--dataset",
            "german_credit",
            "--folds",
            "1",
            "--out",
            out,
        ]),
        "folds",
    );
    assert_bad_input(
        &run(&["train", "--dataset", "nope", "--out", out]),
        "dataset",
    );
    assert_bad_input(
        &run(&[
            "eval",
            "--model",
            "missing.json",
            "--dataset",
            "german_credit",
        ]),
        "model",
    );
    // An identifier column is refused, with the way out.
    let ids = dir.join("ids.csv");
    let mut text = String::from("loan_id,income,bad\n");
    for i in 0..300 {
        text += &format!("L{i:05},{},{}\n", 1000 + i, i % 3 == 0);
    }
    std::fs::write(&ids, text).unwrap();
    assert_bad_input(
        &run(&[
            "train",
            "--data",
            ids.to_str().unwrap(),
            "--target",
            "bad",
            "--out",
            out,
        ]),
        "loan_id: 300 distinct values in 300 rows",
    );
    // The default model reads the grant columns; German credit has none of them.
    assert_bad_input(
        &run(&["eval", "--model", "default", "--dataset", "german_credit"]),
        "monthly_income_minor",
    );
}

#[test]
fn parquet_tables_and_lending_club_status_are_read() {
    let dir = scratch("parquet");
    let artifact = dir.join("lc.json");
    let lc = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/datasets/data/lending_club_2007_2011.parquet"
    );
    // LendingClub's own loan_status is the documented target mapping (Charged Off = 1).
    let summary = json_of(&run(&[
        "train",
        "--data",
        lc,
        "--target",
        "loan_status",
        "--features",
        "int_rate,annual_inc,term,grade,purpose",
        "--model",
        "gbm",
        "--folds",
        "2",
        "--out",
        artifact.to_str().unwrap(),
    ]));
    assert_eq!(summary["rows"], 42535);
    let rate = summary["positive_rate"].as_f64().unwrap();
    assert!((rate - 0.1512).abs() < 1e-3, "{rate}");
    let auc = summary["cv"]["auc"]["mean"].as_f64().unwrap();
    assert!(auc > 0.65, "{auc}");
    let eval = json_of(&run(&[
        "eval",
        "--model",
        artifact.to_str().unwrap(),
        "--data",
        lc,
        "--target",
        "loan_status",
    ]));
    assert_eq!(eval["rows"], 42535);
}

#[test]
fn compare_models_tests_the_auc_difference_on_the_same_rows() {
    let dir = scratch("compare");
    let data = german_csv(&dir);
    let d = data.to_str().unwrap();
    // A full scorecard against a logistic regression on two columns only.
    let full = dir.join("full.json");
    let thin = dir.join("thin.json");
    for (out, extra) in [
        (&full, vec!["--exclude", "class"]),
        (&thin, vec!["--features", "duration_months,age"]),
    ] {
        let mut args = vec!["train", "--data", d, "--target", "bad", "--folds", "2"];
        args.extend(extra);
        args.extend(["--model", "logistic", "--out", out.to_str().unwrap()]);
        json(&args);
    }
    let (f, t) = (full.to_str().unwrap(), thin.to_str().unwrap());
    let v = json(&[
        "compare-models",
        "--model",
        f,
        "--model",
        t,
        "--data",
        d,
        "--target",
        "bad",
    ]);
    assert_eq!(v["rows"], 1000);
    let (auc_a, auc_b) = (
        v["models"][0]["auc"].as_f64().unwrap(),
        v["models"][1]["auc"].as_f64().unwrap(),
    );
    let diff = &v["a_minus_b"]["auc"];
    assert!(
        (diff["difference"].as_f64().unwrap() - (auc_a - auc_b)).abs() < 1e-9,
        "{v}"
    );
    // The full model is clearly better on 1,000 rows: the interval excludes 0.
    assert!(diff["ci95"][0].as_f64().unwrap() > 0.0, "{v}");
    assert!(diff["p_value"].as_f64().unwrap() < 0.01, "{v}");
    for figure in ["brier", "ks"] {
        let x = &v["a_minus_b"][figure];
        let (lo, hi) = (
            x["ci95"][0].as_f64().unwrap(),
            x["ci95"][1].as_f64().unwrap(),
        );
        assert!(lo <= hi, "{figure}: {x}");
    }
    // `eval --challenger` carries the same comparison beside the first model's figures.
    let eval = json(&[
        "eval",
        "--model",
        f,
        "--challenger",
        t,
        "--data",
        d,
        "--target",
        "bad",
    ]);
    assert_eq!(eval["challenger"]["a_minus_b"], v["a_minus_b"]);
    assert_eq!(eval["auc"], v["models"][0]["auc"]);
    // A model against itself: no difference, p = 1.
    let same = json(&[
        "compare-models",
        "--model",
        f,
        "--model",
        f,
        "--data",
        d,
        "--target",
        "bad",
    ]);
    assert_eq!(same["a_minus_b"]["auc"]["difference"], 0.0);
    assert_eq!(same["a_minus_b"]["auc"]["p_value"], 1.0);
    // One model is not a comparison.
    let out = run(&[
        "compare-models",
        "--model",
        f,
        "--data",
        d,
        "--target",
        "bad",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("model"));
}

/// The feature names of the artifact at `path`.
fn feature_names(path: &std::path::Path) -> Vec<String> {
    let artifact: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    artifact["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_string())
        .collect()
}

/// The out-of-time comparison of `models/README.md`: a scorecard and a logistic regression
/// trained on the LendingClub loans issued up to 2010 (the grant columns of the default model),
/// scored on the 2011 loans. The scorecard is not behind, and the figures are the documented ones.
#[test]
fn out_of_time_the_default_recipe_is_not_behind_a_logistic_regression() {
    let dir = scratch("oot");
    let mut artifacts = Vec::new();
    for kind in ["scorecard", "logistic"] {
        let out = dir.join(format!("{kind}.json"));
        let summary = json(&[
            "train",
            "--dataset",
            "lending_club_grants",
            "--model",
            kind,
            "--folds",
            "0",
            "--period-column",
            "issue_d",
            "--before",
            "2011-01-01",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(summary["rows"], 20814, "{summary}");
        assert_eq!(summary["period"]["rows_in_period"], 20814);
        assert_eq!(summary["period"]["rows_outside"], 21721);
        assert_eq!(summary["period"]["rows_missing_period"], 0);
        assert_eq!(summary["period"]["compared_as"], "text");
        // The period column is read beside the features, never as one.
        let artifact: Value =
            serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
        let features = feature_names(&out);
        assert_eq!(features.len(), 10, "{features:?}");
        assert!(!features.iter().any(|f| f == "issue_d"), "{features:?}");
        assert!(
            artifact["training"]["command"]
                .as_str()
                .unwrap()
                .contains("--period-column issue_d --before 2011-01-01"),
            "{}",
            artifact["training"]
        );
        artifacts.push(out);
    }
    let v = json(&[
        "compare-models",
        "--dataset",
        "lending_club_grants",
        "--period-column",
        "issue_d",
        "--from",
        "2011-01-01",
        "--model",
        artifacts[0].to_str().unwrap(),
        "--model",
        artifacts[1].to_str().unwrap(),
    ]);
    assert_eq!(v["rows"], 21721, "{v}");
    let (scorecard, logistic) = (
        v["models"][0]["auc"].as_f64().unwrap(),
        v["models"][1]["auc"].as_f64().unwrap(),
    );
    assert!((scorecard - 0.6911).abs() < 5e-5, "{scorecard}");
    assert!((logistic - 0.6876).abs() < 5e-5, "{logistic}");
    assert!(
        v["a_minus_b"]["auc"]["ci95"][0].as_f64().unwrap() > 0.0,
        "{v}"
    );
}

#[test]
fn a_period_of_a_plain_table_is_cut_counted_and_never_a_feature() {
    let dir = scratch("period");
    let raw = std::fs::read_to_string(german_csv(&dir)).unwrap();
    // A year per row (1990 + row % 20) and, on every 50th row, none.
    let mut text = String::new();
    for (i, line) in raw.lines().enumerate() {
        let year = match i {
            0 => "year".to_string(),
            i if i % 50 == 0 => String::new(),
            i => (1990 + i % 20).to_string(),
        };
        text += &format!("{line},{year}\n");
    }
    let data = dir.join("german_years.csv");
    std::fs::write(&data, text).unwrap();
    let d = data.to_str().unwrap();
    let out = dir.join("early.json");
    let o = out.to_str().unwrap();
    let base = [
        "train",
        "--data",
        d,
        "--target",
        "bad",
        "--exclude",
        "class",
        "--folds",
        "0",
    ];
    let with = |extra: &[&str]| {
        let mut a: Vec<&str> = base.to_vec();
        a.extend_from_slice(extra);
        a.extend_from_slice(&["--out", o]);
        run(&a)
    };
    let summary = json_of(&with(&[
        "--period-column",
        "year",
        "--from",
        "1995",
        "--before",
        "2005",
    ]));
    // Rows 1..=1000; 20 have no year; of the others, years 1995..2004 are half.
    let mut kept = 0;
    for i in 1..=1000 {
        if i % 50 != 0 && (1995..2005).contains(&(1990 + i % 20)) {
            kept += 1;
        }
    }
    assert_eq!(summary["rows"], kept, "{summary}");
    assert_eq!(summary["period"]["rows_missing_period"], 20);
    assert_eq!(summary["period"]["rows_outside"], 980 - kept);
    assert_eq!(summary["period"]["compared_as"], "numeric");
    let features = feature_names(&out);
    assert!(features.iter().any(|f| f == "age"), "{features:?}");
    assert!(!features.iter().any(|f| f == "year"), "{features:?}");
    // Bad bounds and an empty period are refused with the field.
    assert_bad_input(
        &with(&["--period-column", "year", "--from", "last year"]),
        "from: `last year` is not a number",
    );
    assert_bad_input(&with(&["--period-column", "year"]), "period-column");
    assert_bad_input(
        &with(&["--period-column", "nope", "--from", "1995"]),
        "period-column: column `nope`",
    );
    assert_bad_input(
        &with(&["--period-column", "year", "--from", "2030"]),
        "from/before: no row",
    );
    assert_bad_input(
        &run(&[
            "train",
            "--dataset",
            "german_credit",
            "--period-column",
            "issue_d",
            "--from",
            "2011-01-01",
            "--out",
            o,
        ]),
        "issue_d",
    );
}
