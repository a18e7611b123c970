//! `finrisk review` and `finrisk audit verify` end to end on a real SQLite file: the whole loop
//! (submit, mediate, return, resubmit, forward, court suggestion, remedy, confirm), the
//! refusals with their fields and exit codes, the diagnostic report, and the audit chain
//! catching a row edited directly in the database.

#![expect(
    clippy::unwrap_used,
    reason = "test code: a failed set-up should panic"
)]

mod common;

use common::{BIN, assert_bad_input, json_of, run, scratch};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn review(db: &Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["review", args[0], "--db", db.to_str().unwrap()];
    all.extend_from_slice(&args[1..]);
    run(&all)
}

fn ok(db: &Path, args: &[&str]) -> Value {
    json_of(&review(db, args))
}

/// The example product with `edit` applied, written to `dir/name`.
fn product(dir: &Path, name: &str, edit: impl Fn(&mut Value)) -> String {
    let mut p: Value =
        serde_json::from_str(&std::fs::read_to_string("examples/product.json").unwrap()).unwrap();
    edit(&mut p);
    let path = dir.join(name);
    std::fs::write(&path, p.to_string()).unwrap();
    path.to_str().unwrap().to_string()
}

fn codes(revision: &Value) -> Vec<String> {
    revision["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

fn decide(db: &Path, role: &str, decision: &str, version: i64, extra: &[&str]) -> Value {
    let v = version.to_string();
    let mut args = vec![
        "decide",
        "--submission",
        "SUB-1",
        "--role",
        role,
        "--decision",
        decision,
        "--expected-version",
        &v,
    ];
    args.extend_from_slice(extra);
    ok(db, &args)
}

#[test]
fn the_whole_loop_from_self_check_to_confirmation() {
    let dir = scratch("cli-review", "loop");
    let db = dir.join("review.db");
    let first = product(&dir, "p1.json", |_| {});
    let s = ok(
        &db,
        &[
            "submit",
            "--institution",
            "INST-A",
            "--product",
            &first,
            "--grants",
            "examples/grants.csv",
        ],
    );
    assert_eq!(s["id"], "SUB-1");
    assert_eq!(s["status"], "submitted");
    assert_eq!(s["version"], 1);
    let rev1 = &s["revisions"][0];
    assert_eq!(
        rev1["documents"].as_array().unwrap().len(),
        2,
        "product and grants stored"
    );
    assert_eq!(rev1["documents"][1]["name"], "grants");
    assert_eq!(
        rev1["documents"][0]["sha256"].as_str().unwrap().len(),
        64,
        "each document's SHA-256"
    );
    assert_eq!(rev1["ruleset_version"], "cn-2026.11.0");
    assert!(rev1["model_version"].as_str().unwrap().starts_with("pd_"));
    assert!(codes(rev1).contains(&"RC-INCOME-UNVERIFIED".to_string()));
    // The mediator's queue holds it; the court's does not.
    let q = ok(&db, &["queue", "--role", "mediator"]);
    assert_eq!(q["entries"][0]["id"], "SUB-1");
    assert!(
        ok(&db, &["queue", "--role", "court"])["entries"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    decide(&db, "mediator", "start_mediation", 1, &[]);
    let s = decide(
        &db,
        "mediator",
        "return",
        2,
        &[
            "--note",
            "verify income",
            "--finding",
            "RC-INCOME-UNVERIFIED=confirmed:no payroll check",
        ],
    );
    assert_eq!(s["status"], "returned");
    let marks = &s["revisions"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "RC-INCOME-UNVERIFIED")
        .unwrap()["marks"];
    assert_eq!(marks[0]["mark"], "confirmed");
    assert_eq!(marks[0]["note"], "no payroll check");

    // The institution remedies (verifies income now) and resubmits: revision 2.
    let second = product(&dir, "p2.json", |p| {
        p["controls"]["verifies_income"] = Value::Bool(true)
    });
    let s = ok(
        &db,
        &[
            "submit",
            "--institution",
            "INST-A",
            "--product",
            &second,
            "--expected-version",
            "3",
        ],
    );
    assert_eq!(
        (s["status"].as_str(), s["revision"].as_i64()),
        (Some("resubmitted"), Some(2))
    );
    assert!(!codes(&s["revisions"][1]).contains(&"RC-INCOME-UNVERIFIED".to_string()));
    decide(&db, "mediator", "start_mediation", 4, &[]);
    decide(&db, "mediator", "forward", 5, &[]);
    decide(&db, "court", "start_court_review", 6, &[]);
    let s = decide(
        &db,
        "court",
        "issue_suggestion",
        7,
        &[
            "--note",
            "remedy the marketing",
            "--finding",
            "RC-ELDERLY=disputed:lender policy",
        ],
    );
    assert_eq!(s["status"], "suggestion_issued");
    let suggested: Vec<&str> = s["suggestion"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(suggested.contains(&"MK-NO-APR"), "{suggested:?}");
    assert!(
        !suggested.contains(&"RC-ELDERLY"),
        "a disputed finding is not to remedy"
    );
    assert!(
        s["suggestion"]["findings"][0]["basis"]
            .as_str()
            .unwrap()
            .len()
            > 10
    );

    // Remedy: the ad now states the APR and a warning; the court confirms.
    let third = product(&dir, "p3.json", |p| {
        p["controls"]["verifies_income"] = Value::Bool(true);
        p["marketing"][0]["text"] = Value::String(
            "年化利率(单利)7.2%至18%，具体以审批为准。贷款有风险，借款需谨慎。".into(),
        );
    });
    let s = ok(
        &db,
        &["submit", "--institution", "INST-A", "--product", &third],
    );
    assert_eq!(
        (s["status"].as_str(), s["revision"].as_i64()),
        (Some("resubmitted"), Some(3))
    );
    decide(&db, "court", "start_court_review", 9, &[]);
    let s = decide(
        &db,
        "court",
        "confirm",
        10,
        &["--finding", "MK-NO-APR=remedied:APR now in the ad"],
    );
    assert_eq!(s["status"], "confirmed");
    let overall: Vec<f64> = s["revisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["overall"].as_f64().unwrap())
        .collect();
    assert_eq!(overall.len(), 3);
    assert!(
        overall[2] < overall[0],
        "remediation lowers the score: {overall:?}"
    );
    assert_eq!(s["history"].as_array().unwrap().len(), 11);

    // A court files a dispute case against the product, attached to its submission.
    let case = ok(
        &db,
        &[
            "submit",
            "--case",
            "examples/case.json",
            "--attach-to",
            "SUB-1",
            "--note",
            "filed",
        ],
    );
    assert_eq!(
        (case["kind"].as_str(), case["parent_id"].as_str()),
        (Some("case"), Some("SUB-1"))
    );
    assert_eq!(case["history"][0]["role"], "court");
    assert_bad_input(
        &review(
            &db,
            &[
                "submit",
                "--case",
                "examples/case.json",
                "--attach-to",
                "SUB-77",
            ],
        ),
        "parent_id",
    );
    // The text form, the diagnostic report and the chain.
    let text = review(&db, &["show", "--submission", "SUB-1", "--format", "text"]);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("confirmed, version 11, revision 3"), "{text}");
    assert!(
        text.contains("RC-ELDERLY: disputed by court (lender policy)"),
        "{text}"
    );
    let report = dir.join("report.html");
    let r = ok(
        &db,
        &[
            "report",
            "--submission",
            "SUB-1",
            "--out",
            report.to_str().unwrap(),
        ],
    );
    assert_eq!(r["submission"], "SUB-1");
    let html = std::fs::read_to_string(&report).unwrap();
    for part in [
        "Composite score",
        "<svg",
        "Judicial suggestion",
        "lender policy",
        "MK-NO-APR",
        "remedy the marketing",
        "Absent from revision 3",
    ] {
        assert!(html.contains(part), "report lacks {part}");
    }
    assert!(!html.contains("<script"), "self-contained, no script");
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    assert_eq!(json["version"], 11);
    let verify = run(&["audit", "verify", "--db", db.to_str().unwrap()]);
    let v = json_of(&verify);
    assert_eq!(
        (v["ok"].as_bool(), v["events"].as_i64()),
        (Some(true), Some(12))
    );
}

#[test]
fn refusals_exit_2_naming_the_field_and_the_state() {
    let dir = scratch("cli-review", "refusals");
    let db = dir.join("review.db");
    let p = product(&dir, "p.json", |_| {});
    // The institution must be the product's.
    assert_bad_input(
        &review(&db, &["submit", "--institution", "INST-B", "--product", &p]),
        "institution",
    );
    assert_bad_input(&review(&db, &["submit", "--product", &p]), "institution");
    ok(&db, &["submit", "--institution", "INST-A", "--product", &p]);
    // Under review: no resubmission.
    let out = review(&db, &["submit", "--institution", "INST-A", "--product", &p]);
    assert_bad_input(&out, "submitted");
    let args = |role: &'static str, decision: &'static str, version: &'static str| {
        vec![
            "decide",
            "--submission",
            "SUB-1",
            "--role",
            role,
            "--decision",
            decision,
            "--expected-version",
            version,
        ]
    };
    // A disallowed transition names the current status; a stale version the current version.
    let out = review(&db, &args("court", "confirm", "1"));
    assert_bad_input(&out, "while submission SUB-1 is submitted");
    let out = review(&db, &args("mediator", "forward", "1"));
    assert_bad_input(&out, "under_mediation");
    json_of(&review(&db, &args("mediator", "start_mediation", "1")));
    let out = review(&db, &args("mediator", "forward", "1"));
    assert_bad_input(
        &out,
        "expected_version: submission SUB-1 is at version 2, not 1",
    );
    // Unknown role, decision, mark, finding and submission.
    assert_bad_input(&review(&db, &args("judge", "forward", "2")), "role");
    assert_bad_input(&review(&db, &args("mediator", "approve", "2")), "decision");
    let mut bad_mark = args("mediator", "forward", "2");
    bad_mark.extend(["--finding", "MK-NO-APR=wrong"]);
    assert_bad_input(&review(&db, &bad_mark), "finding");
    let mut no_code = args("mediator", "forward", "2");
    no_code.extend(["--finding", "MK-XYZ=confirmed"]);
    assert_bad_input(&review(&db, &no_code), "finding: MK-XYZ is not a finding");
    assert_bad_input(
        &review(&db, &["show", "--submission", "SUB-9"]),
        "submission",
    );
    assert_bad_input(
        &review(&db, &["queue", "--role", "institution"]),
        "institution",
    );
    assert_bad_input(
        &review(&db, &["queue", "--role", "court", "--status", "closed"]),
        "status",
    );
    // Nothing refused was written.
    let s = ok(&db, &["show", "--submission", "SUB-1"]);
    assert_eq!(s["version"], 2);
    assert_eq!(s["history"].as_array().unwrap().len(), 2);
}

#[test]
fn audit_verify_names_the_event_edited_in_the_database() {
    let dir = scratch("cli-review", "audit");
    let db = dir.join("review.db");
    let p = product(&dir, "p.json", |_| {});
    ok(&db, &["submit", "--institution", "INST-A", "--product", &p]);
    decide(&db, "mediator", "start_mediation", 1, &[]);
    decide(&db, "mediator", "return", 2, &["--note", "fix the ads"]);
    let verify = || {
        Command::new(BIN)
            .args(["audit", "verify", "--db", db.to_str().unwrap()])
            .output()
            .unwrap()
    };
    assert_eq!(verify().status.code(), Some(0));
    // Someone rewrites the mediator's note directly in the database.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        use sqlx::Executor;
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&finrisk_review::database_url(db.to_str().unwrap()))
            .await
            .unwrap();
        pool.execute(
            "UPDATE events SET detail = replace(detail, 'fix the ads', 'all fine') WHERE seq = 3",
        )
        .await
        .unwrap();
        pool.close().await;
    });
    let out = verify();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("broken at event 3"), "{stderr}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["ok"], false);
    assert_eq!(report["broken"]["seq"], 3);
    assert_eq!(report["broken"]["submission_id"], "SUB-1");
}
