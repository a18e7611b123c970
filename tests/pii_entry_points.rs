//! Personal data in clear is refused at every entry point that takes borrower identifiers, with
//! the field named, and the value itself is never echoed: not on stderr, not in an output,
//! rejects file or summary, not in a gRPC status.
//!
//! Entry points: `score-case`, `validate` (case and grants), `assess-product --grants`,
//! `batch --kind grants` (streamed and in memory), `batch --kind cases`; over gRPC `ScoreCase`,
//! `ScoreCases`, `AssessProduct` and `AssessPortfolio`.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a failed set-up should panic"
)]

mod common;

use common::messages::{example, product_pb};
use common::server::{client, start};
use common::{BIN, scratch};
use finrisk_proto::examples;
use finrisk_proto::v1 as pb;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use tonic::Code;
use tonic_types::StatusExt;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
/// A PRC mobile number, a formatted one, and a resident id number: what must never pass.
const PHONE: &str = "13812345678";
const PHONE_FORMATTED: &str = "+86 138 1234 5678";
const ID_NUMBER: &str = "11010519491231002X";

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn no_pii(where_: &str, s: &str) {
    for value in [PHONE, PHONE_FORMATTED, ID_NUMBER] {
        assert!(!s.contains(value), "{where_} echoes `{value}`:\n{s}");
    }
}

/// Exit 2, the field and "in clear" named on stderr, the value not echoed.
fn refused(out: &Output, field: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{}", text(out));
    assert!(stderr.contains(field), "`{field}` not named: {stderr}");
    assert!(stderr.contains("in clear"), "not refused as PII: {stderr}");
    no_pii("stderr", &text(out));
}

/// examples/grants.csv with row 1's borrower key, row 2's phone hash and row 3's device hash
/// replaced by personal data in clear; row 4 stays valid.
fn grants_with_pii(dir: &Path) -> PathBuf {
    let original = std::fs::read_to_string(format!("{ROOT}/examples/grants.csv")).unwrap();
    let mut lines: Vec<String> = original.lines().map(str::to_string).collect();
    lines[1] = lines[1].replacen(",b7f3,", &format!(",{PHONE},"), 1);
    lines[2] = lines[2].replacen("ph-91a2", PHONE_FORMATTED, 1);
    lines[3] = lines[3].replacen("dv-1e90", ID_NUMBER, 1);
    assert!(lines[1].contains(PHONE) && lines[2].contains(PHONE_FORMATTED));
    assert!(lines[3].contains(ID_NUMBER));
    let path = dir.join("grants.csv");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

fn case_with_borrower_key(key: &str) -> String {
    let case = std::fs::read_to_string(format!("{ROOT}/examples/case.json")).unwrap();
    assert!(case.contains("\"b7f3\""));
    case.replacen("\"b7f3\"", &format!("\"{key}\""), 1)
}

#[test]
fn documents_on_the_command_line() {
    let dir = scratch("finrisk-pii", "documents");
    let case = dir.join("case.json");
    std::fs::write(&case, case_with_borrower_key(PHONE_FORMATTED)).unwrap();
    let case = case.to_str().unwrap();
    refused(
        &run(&["score-case", "--case", case]),
        "defendant.borrower_key",
    );
    refused(
        &run(&["validate", "--kind", "case", "--input", case]),
        "defendant.borrower_key",
    );
    let grants = grants_with_pii(&dir);
    // A loan book with bad rows is assessed on its good rows; the refused rows are listed with
    // their fields (grants_load.row_errors), as everywhere a batch skips rows.
    let out = run(&[
        "assess-product",
        "--product",
        &format!("{ROOT}/examples/product.json"),
        "--grants",
        grants.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let row_errors = report["grants_load"]["row_errors"].to_string();
    for field in ["borrower_key", "phone_hash", "device_hash"] {
        assert!(
            row_errors.contains(field) && row_errors.contains("in clear"),
            "`{field}` not refused as PII: {row_errors}"
        );
    }
    no_pii("assess-product", &text(&out));
    let out = run(&[
        "validate",
        "--kind",
        "grants",
        "--input",
        grants.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let all = text(&out);
    for field in ["borrower_key", "phone_hash", "device_hash"] {
        assert!(all.contains(field), "`{field}` not named: {all}");
    }
    no_pii("validate", &all);
}

#[test]
fn batches_refuse_the_rows_and_keep_the_others() {
    let dir = scratch("finrisk-pii", "batches");
    let grants = grants_with_pii(&dir);
    for mode in [&[][..], &["--in-memory"][..]] {
        let output = dir.join("scores.csv");
        let rejects = dir.join("scores.csv.rejects.csv");
        let out = Command::new(BIN)
            .args(["batch", "--kind", "grants", "--quiet", "--pd-model", "none"])
            .arg("--input")
            .arg(&grants)
            .arg("--output")
            .arg(&output)
            .args(mode)
            .output()
            .unwrap();
        assert!(out.status.success(), "{mode:?}: {}", text(&out));
        no_pii("the batch summary", &text(&out));
        let scores = std::fs::read_to_string(&output).unwrap();
        let rejected = std::fs::read_to_string(&rejects).unwrap();
        no_pii("the output", &scores);
        no_pii("the rejects", &rejected);
        assert_eq!(
            scores.lines().count(),
            2,
            "{mode:?}: header and one good row"
        );
        for field in ["borrower_key", "phone_hash", "device_hash"] {
            assert!(
                rejected
                    .lines()
                    .any(|l| l.contains(field) && l.contains("in clear")),
                "{mode:?}: {field} not refused as PII:\n{rejected}"
            );
        }
    }

    let cases = dir.join("cases.jsonl");
    let good = case_with_borrower_key("b7f3").replace('\n', "");
    let bad = case_with_borrower_key(ID_NUMBER).replace('\n', "");
    std::fs::write(&cases, format!("{good}\n{bad}\n")).unwrap();
    let output = dir.join("cases.out.jsonl");
    let out = Command::new(BIN)
        .args(["batch", "--kind", "cases", "--quiet", "--input"])
        .arg(&cases)
        .arg("--output")
        .arg(&output)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    no_pii("the cases summary", &text(&out));
    let scored = std::fs::read_to_string(&output).unwrap();
    let rejected = std::fs::read_to_string(dir.join("cases.out.jsonl.rejects.csv")).unwrap();
    no_pii("the cases output", &scored);
    no_pii("the cases rejects", &rejected);
    assert_eq!(scored.lines().count(), 1);
    assert!(
        rejected.contains("defendant.borrower_key") && rejected.contains("in clear"),
        "{rejected}"
    );
}

/// `INVALID_ARGUMENT`, a `BadRequest` violation on `field` saying "in clear", no value echoed.
fn refused_status(status: &tonic::Status, field: &str) {
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
    let violations = status
        .get_details_bad_request()
        .expect("BadRequest details")
        .field_violations;
    assert!(
        violations
            .iter()
            .any(|v| v.field == field && v.description.contains("in clear")),
        "no PII violation on {field}: {violations:?}"
    );
    no_pii("the status", &format!("{status:?} {violations:?}"));
}

fn grant(id: &str, borrower_key: &str, phone_hash: Option<&str>) -> pb::Grant {
    pb::Grant {
        grant_id: id.into(),
        institution_id: "INST-A".into(),
        product_id: "P-001".into(),
        borrower_key: borrower_key.into(),
        granted_at: "2024-03-01".into(),
        principal_minor: 500_000,
        term_months: 12,
        apr: 0.2,
        phone_hash: phone_hash.map(str::to_string),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_grpc_method_that_takes_borrowers() {
    let server = start(&[]);
    let mut c = client(&server).await;

    let mut case = examples::case();
    case.defendant.as_mut().unwrap().borrower_key = PHONE.into();
    let status = c
        .score_case(pb::ScoreCaseRequest {
            include_result_json: true,
            case: Some(case.clone()),
        })
        .await
        .unwrap_err();
    refused_status(&status, "defendant.borrower_key");

    let good = examples::case();
    let requests = vec![
        pb::ScoreCaseRequest {
            include_result_json: true,
            case: Some(good),
        },
        pb::ScoreCaseRequest {
            include_result_json: true,
            case: Some(case),
        },
    ];
    let mut answers = c
        .score_cases(tokio_stream::iter(requests))
        .await
        .unwrap()
        .into_inner();
    assert!(answers.message().await.unwrap().is_some());
    let status = answers.message().await.unwrap_err();
    refused_status(&status, "cases[1].defendant.borrower_key");

    let product = product_pb(&example("product.json"));
    let status = c
        .assess_product(pb::AssessProductRequest {
            include_result_json: true,
            product: Some(product.clone()),
            grants: vec![
                grant("G1", "b7f3", None),
                grant("G2", "c9d1", Some(PHONE_FORMATTED)),
            ],
            as_of: String::new(),
        })
        .await
        .unwrap_err();
    refused_status(&status, "grants[1].phone_hash");

    let stream = vec![
        pb::AssessPortfolioRequest {
            include_result_json: true,
            product: Some(product),
            as_of: String::new(),
            grants: vec![],
        },
        pb::AssessPortfolioRequest {
            include_result_json: true,
            product: None,
            as_of: String::new(),
            grants: vec![grant("G1", "b7f3", None), grant("G2", ID_NUMBER, None)],
        },
    ];
    let status = c
        .assess_portfolio(tokio_stream::iter(stream))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
    let violations = status.get_details_bad_request().unwrap().field_violations;
    assert!(
        violations
            .iter()
            .any(|v| v.field.ends_with("borrower_key") && v.description.contains("in clear")),
        "{violations:?}"
    );
    no_pii(
        "the portfolio status",
        &format!("{status:?} {violations:?}"),
    );

    let log = server.log.lock().unwrap().join("\n");
    no_pii("the server log", &log);
}
