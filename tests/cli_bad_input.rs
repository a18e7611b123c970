//! Every malformed input gives exit code 2 and one stderr line naming the field; none panics.

#![expect(
    clippy::unwrap_used,
    reason = "test code: a failed set-up should panic"
)]

mod common;

use common::{BIN, assert_bad_input, run};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const CASE: &str = include_str!("../examples/case.json");
const PRODUCT: &str = include_str!("../examples/product.json");

/// An empty directory of its own for one test step.
fn scratch_dir() -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    common::scratch("finrisk-cli", &n.to_string())
}

/// A file `name` with `content` in a scratch directory.
fn write(name: &str, content: &[u8]) -> PathBuf {
    common::scratch_file("finrisk-cli", name, content)
}

fn score_case_with(doc: &str) -> Output {
    let path = write("case.json", doc.as_bytes());
    run(&["score-case", "--case", path.to_str().unwrap()])
}

fn case_replace(from: &str, to: &str) -> String {
    assert!(CASE.contains(from), "fixture does not contain {from}");
    CASE.replacen(from, to, 1)
}

#[test]
fn missing_field() {
    assert_bad_input(
        &score_case_with(&case_replace("\"disbursed_at\": \"2023-01-05\",", "")),
        "contract.disbursed_at",
    );
}

#[test]
fn wrong_type_deep_in_the_document() {
    let out = score_case_with(&case_replace(
        "\"cost_minor\": 15000",
        "\"cost_minor\": \"15000\"",
    ));
    assert_bad_input(&out, "repayments[0].cost_minor");
}

#[test]
fn negative_and_zero_amounts() {
    assert_bad_input(
        &score_case_with(&case_replace(
            "\"principal_minor\": 1000000",
            "\"principal_minor\": 0",
        )),
        "contract.principal_minor",
    );
    assert_bad_input(
        &score_case_with(&case_replace(
            "\"interest_minor\": 60000",
            "\"interest_minor\": -1",
        )),
        "claims.interest_minor",
    );
    let out = run(&[
        "apr",
        "--principal-minor",
        "-5",
        "--term-months",
        "12",
        "--repayment",
        "bullet",
    ]);
    assert_bad_input(&out, "principal_minor");
}

#[test]
fn term_zero() {
    assert_bad_input(
        &score_case_with(&case_replace("\"term_months\": 12", "\"term_months\": 0")),
        "contract.term_months",
    );
    let out = run(&[
        "apr",
        "--principal-minor",
        "100000",
        "--term-months",
        "0",
        "--repayment",
        "bullet",
    ]);
    assert_bad_input(&out, "term_months");
}

#[test]
fn nan_and_infinite_rates() {
    for bad in ["NaN", "inf", "-inf"] {
        let out = run(&[
            "apr",
            "--principal-minor",
            "100000",
            "--term-months",
            "12",
            "--repayment",
            "bullet",
            "--monthly-fee-rate",
            bad,
        ]);
        assert_bad_input(&out, "monthly_fee_rate");
    }
    // JSON has no NaN; an overflowing number is the closest a document can get to infinity.
    let out = score_case_with(&case_replace(
        "\"nominal_annual_rate\": 0.12",
        "\"nominal_annual_rate\": 1e999",
    ));
    assert_bad_input(&out, "contract.nominal_annual_rate");
    let out = score_case_with(&case_replace(
        "\"nominal_annual_rate\": 0.12",
        "\"nominal_annual_rate\": NaN",
    ));
    assert_bad_input(&out, "contract.nominal_annual_rate");
}

#[test]
fn unknown_enum_value() {
    assert_bad_input(
        &score_case_with(&case_replace("\"financial_loan\"", "\"payday\"")),
        "cause",
    );
    assert_bad_input(
        &score_case_with(&case_replace("\"equal_installment\"", "\"balloon\"")),
        "contract.repayment",
    );
    let out = run(&[
        "apr",
        "--principal-minor",
        "100000",
        "--term-months",
        "12",
        "--repayment",
        "balloon",
    ]);
    assert_bad_input(&out, "repayment");
    let out = run(&[
        "apr",
        "--principal-minor",
        "100000",
        "--term-months",
        "12",
        "--repayment",
        "bullet",
        "--jurisdiction",
        "FR",
    ]);
    assert_bad_input(&out, "jurisdiction");
}

#[test]
fn impossible_dates() {
    assert_bad_input(
        &score_case_with(&case_replace("\"2023-01-05\"", "\"2023-02-30\"")),
        "contract.disbursed_at",
    );
    assert_bad_input(
        &score_case_with(&case_replace(
            "\"date\": \"2023-02-05\"",
            "\"date\": \"2022-12-01\"",
        )),
        "repayments[0].date",
    );
    assert_bad_input(
        &score_case_with(&case_replace(
            "\"as_of\": \"2024-05-10\"",
            "\"as_of\": \"2022-01-01\"",
        )),
        "claims.as_of",
    );
    let out = run(&[
        "apr",
        "--principal-minor",
        "100000",
        "--term-months",
        "12",
        "--repayment",
        "bullet",
        "--contract-date",
        "2024-13-01",
    ]);
    assert_bad_input(&out, "contract_date");
}

#[test]
fn pii_in_clear() {
    assert_bad_input(
        &score_case_with(&case_replace("\"b7f3\"", "\"11010519491231002X\"")),
        "defendant.borrower_key",
    );
    let out = score_case_with(&case_replace("\"b7f3\"", "\"+86 138 1234 5678\""));
    assert_bad_input(&out, "defendant.borrower_key");
    assert!(String::from_utf8_lossy(&out.stderr).contains("phone number"));
}

#[test]
fn truncated_json() {
    assert_bad_input(&score_case_with(&CASE[..CASE.len() / 2]), "case");
    assert_bad_input(&score_case_with(""), "case");
}

#[test]
fn fifty_megabyte_file() {
    let mut doc = Vec::with_capacity(50 * 1024 * 1024 + 16);
    doc.extend_from_slice(b"{\"case_id\": \"");
    doc.resize(50 * 1024 * 1024, b'a');
    doc.extend_from_slice(b"\"}");
    let path = write("huge.json", &doc);
    assert_bad_input(
        &run(&["score-case", "--case", path.to_str().unwrap()]),
        "case",
    );
}

#[test]
fn binary_garbage_and_missing_file() {
    assert_bad_input(
        &run(&[
            "score-case",
            "--case",
            write("bin.json", &[0xff, 0xfe, 0x00, 0x01])
                .to_str()
                .unwrap(),
        ]),
        "case",
    );
    assert_bad_input(
        &run(&["score-case", "--case", "/nonexistent/case.json"]),
        "case",
    );
}

#[test]
fn usage_errors_are_one_line() {
    let out = run(&["apr", "--term-months", "12"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr)
            .trim_end()
            .lines()
            .count(),
        1
    );
    assert_bad_input(
        &run(&[
            "apr",
            "--principal-minor",
            "1e5",
            "--term-months",
            "12",
            "--repayment",
            "bullet",
        ]),
        "--principal-minor",
    );
}

#[test]
fn product_validation_names_fields() {
    let doc = PRODUCT.replacen(
        "\"max_principal_minor\": 20000000",
        "\"max_principal_minor\": 100",
        1,
    );
    let path = write("product.json", doc.as_bytes());
    assert_bad_input(
        &run(&[
            "validate",
            "--kind",
            "product",
            "--input",
            path.to_str().unwrap(),
        ]),
        "limits.max_principal_minor",
    );
}

#[test]
fn ruleset_for_another_jurisdiction_is_refused() {
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/us.toml");
    let case = write("case.json", CASE.as_bytes());
    let out = run(&[
        "score-case",
        "--case",
        case.to_str().unwrap(),
        "--rules",
        rules.to_str().unwrap(),
    ]);
    assert_bad_input(&out, "rules");
}

#[test]
fn bad_ruleset_names_the_key() {
    let text = include_str!("../rules/cn.toml").replacen("rate = 0.24\n", "rate = \"high\"\n", 1);
    let rules = write("cn.toml", text.as_bytes());
    let case = write("case.json", CASE.as_bytes());
    let out = run(&[
        "score-case",
        "--case",
        case.to_str().unwrap(),
        "--rules",
        rules.to_str().unwrap(),
    ]);
    assert_bad_input(&out, "caps.annual[0].rate");
}

#[test]
fn grants_table_with_bad_rows_reports_every_row_and_exits_2() {
    let clean = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/grants.csv");
    let ok = run(&["validate", "--kind", "grants", "--input", clean]);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let text = include_str!("../examples/grants.csv")
        .replacen("2024-02-11", "2024-02-31", 1)
        .replacen(",200000,3,", ",200000,abc,", 1);
    let path = write("grants.csv", text.as_bytes());
    let out = run(&[
        "validate",
        "--kind",
        "grants",
        "--input",
        path.to_str().unwrap(),
    ]);
    assert_bad_input(&out, "row 2, granted_at");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["rows_read"], 4);
    assert_eq!(report["rows_accepted"], 2);
    assert_eq!(report["rows_rejected"], 2);
    assert_eq!(report["row_errors"][1]["row"], 3);
    assert_eq!(report["row_errors"][1]["field"], "term_months");
}

/// A Parquet file whose metadata makes polars' thrift decoder panic (found by the `grant_table`
/// fuzz target; kept in fuzz/regressions, first byte the target's selector) is refused by every
/// command that reads a table, as a malformed file with one line, never as a crash.
#[test]
fn batch_output_in_a_missing_directory_is_refused_before_the_work() {
    let dir = scratch_dir();
    let grants = dir.join("grants.csv");
    std::fs::write(
        &grants,
        "grant_id,institution_id,product_id,borrower_key,granted_at,principal_minor,term_months,apr\n\
         G1,I1,P1,K1,2024-01-01,100000,12,0.1\n",
    )
    .unwrap();
    let missing = dir.join("no-such-dir");
    for (flag, file) in [
        ("--output", "out.parquet"),
        ("--persons", "persons.parquet"),
        ("--index", "index.json"),
    ] {
        let target = missing.join(file);
        let out_file = dir.join("out.parquet");
        let mut args = vec![
            "batch",
            "--kind",
            "grants",
            "--input",
            grants.to_str().unwrap(),
            "--output",
        ];
        if flag == "--output" {
            args.push(target.to_str().unwrap());
        } else {
            args.extend([out_file.to_str().unwrap(), flag, target.to_str().unwrap()]);
        }
        let out = run(&args);
        assert_bad_input(&out, &format!("{}: the directory", &flag[2..]));
        assert!(
            !out_file.exists(),
            "{flag}: the batch ran before the refusal"
        );
    }
}

#[test]
fn parquet_metadata_that_crashes_the_reader() {
    let kept = include_bytes!("../fuzz/regressions/grant_table/polars_thrift_statistics_panic");
    let path = write("malformed.parquet", &kept[1..]);
    let input = path.to_str().unwrap();
    let out_dir = scratch_dir();
    let output = out_dir.join("malformed-out.csv");
    let report_dir = out_dir.join("malformed-report");
    let commands: [Vec<&str>; 5] = [
        vec!["validate", "--kind", "grants", "--input", input],
        vec![
            "batch",
            "--kind",
            "grants",
            "--quiet",
            "--input",
            input,
            "--output",
            output.to_str().unwrap(),
        ],
        vec![
            "batch",
            "--kind",
            "grants",
            "--quiet",
            "--in-memory",
            "--input",
            input,
            "--output",
            output.to_str().unwrap(),
        ],
        vec![
            "assess-product",
            "--product",
            concat!(env!("CARGO_MANIFEST_DIR"), "/examples/product.json"),
            "--grants",
            input,
        ],
        vec![
            "report",
            "--input",
            input,
            "--out",
            report_dir.to_str().unwrap(),
        ],
    ];
    for args in commands {
        let out = Command::new(BIN)
            .args(&args)
            .env_remove("RUST_BACKTRACE")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_bad_input(&out, "malformed.parquet");
        assert!(stderr.contains("malformed"), "{args:?}: {stderr}");
        assert!(!stderr.contains("internal error"), "{args:?}: {stderr}");
        assert!(!output.exists(), "{args:?} left an output");
    }
}

/// `finrisk ... --help | head` closes the pipe before the help is written: exit 0 and no panic
/// (the reader is gone before the binary even parses its arguments, so the write always fails).
#[test]
fn help_into_a_closed_pipe_is_not_a_panic() {
    for args in [&["--help"][..], &["eval-ads", "--help"][..]] {
        let mut child = Command::new(BIN)
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
    }
}
