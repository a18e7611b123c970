//! Loading grants tables from real CSV and Parquet files: accepted rows, refused rows with
//! their row number, field and reason, unknown columns reported.

#![expect(
    clippy::unwrap_used,
    reason = "test code: a failed set-up should panic"
)]

use finrisk_datasets::{DatasetError, load_grants};
use polars::prelude::*;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

fn scratch(name: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("finrisk-datasets-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

const HEADER: &str = "grant_id,institution_id,product_id,borrower_key,granted_at,principal_minor,term_months,apr,closed_at,monthly_income_minor,income_verified,is_student,dti,phone_hash,channel_note";

#[test]
fn csv_rows_are_accepted_or_reported_never_dropped() {
    let rows = [
        "G1,INST-A,P-001,b7f3,2024-01-05,500000,12,0.18,,300000,1,0,0.3,ph1,web",
        "G2,INST-A,P-001,b7f3,2024-02-30,500000,12,0.18,,300000,1,0,0.3,ph1,web", // impossible date
        "G3,INST-B,P-002,c9d1,2024-03-01,abc,12,0.18,2024-09-01,300000,0,1,,ph2,app", // wrong type
        "G4,INST-B,P-002,c9d1,2024-03-01,100000,0,0.18,,300000,2,0,,13812345678,app", // term 0, flag 2, PII
        "G5,INST-C,P-003,e2f4,2024-04-01,250000,6,0.36,2024-10-01,,,,,,",
        "G6,INST-C,P-003,,2024-04-01,250000,6,,,,,,,,", // missing key and apr
    ];
    let path = scratch("grants.csv");
    std::fs::write(&path, format!("{HEADER}\n{}\n", rows.join("\n"))).unwrap();
    let (batch, report) = load_grants(&path).unwrap();
    assert_eq!(report.rows_read, 6);
    assert_eq!(report.rows_accepted, 2);
    assert_eq!(report.rows_rejected, 4);
    assert_eq!(batch.grant_id, vec!["G1", "G5"]);
    assert_eq!(batch.source_row, vec![1, 5]);
    assert_eq!(
        batch.closed_at[1].map(|d| d.to_string()).as_deref(),
        Some("2024-10-01")
    );
    assert_eq!(batch.income_verified, vec![Some(true), None]);
    let errors: Vec<(usize, &str)> = report
        .row_errors
        .iter()
        .map(|e| (e.row, e.field.as_str()))
        .collect();
    assert!(errors.contains(&(2, "granted_at")), "{errors:?}");
    assert!(errors.contains(&(3, "principal_minor")), "{errors:?}");
    assert!(errors.contains(&(4, "term_months")), "{errors:?}");
    assert!(errors.contains(&(4, "income_verified")), "{errors:?}");
    assert!(errors.contains(&(4, "phone_hash")), "{errors:?}");
    assert!(errors.contains(&(6, "borrower_key")), "{errors:?}");
    assert!(errors.contains(&(6, "apr")), "{errors:?}");
    let pii = report
        .row_errors
        .iter()
        .find(|e| e.field == "phone_hash")
        .unwrap();
    assert_eq!(pii.code, "pii_in_clear");
    assert_eq!(report.unknown_columns, vec!["channel_note"]);
    assert!(
        report
            .missing_optional_columns
            .contains(&"defaulted".to_string())
    );
}

#[test]
fn parquet_with_typed_columns_loads() {
    let mut df = df!(
        "grant_id" => ["G1", "G2"],
        "institution_id" => ["INST-A", "INST-B"],
        "product_id" => ["P-001", "P-002"],
        "borrower_key" => ["b7f3", "c9d1"],
        "granted_at" => ["2024-01-05", "2024-02-01"],
        "principal_minor" => [500_000i64, -3],
        "term_months" => [12i32, 6],
        "apr" => [0.18f64, 0.2],
        "income_verified" => [Some(true), None],
        "dti" => [Some(0.4f64), None],
    )
    .unwrap();
    let path = scratch("grants.parquet");
    let file = std::fs::File::create(&path).unwrap();
    ParquetWriter::new(file).finish(&mut df).unwrap();
    let (batch, report) = load_grants(&path).unwrap();
    assert_eq!(report.rows_accepted, 1);
    assert_eq!(batch.principal_minor, vec![500_000]);
    assert_eq!(batch.income_verified, vec![Some(true)]);
    assert_eq!(batch.dti, vec![Some(0.4)]);
    assert_eq!(report.row_errors.len(), 1);
    assert_eq!(
        (
            report.row_errors[0].row,
            report.row_errors[0].field.as_str()
        ),
        (2, "principal_minor")
    );
}

#[test]
fn missing_required_columns_are_named() {
    let path = scratch("short.csv");
    std::fs::write(&path, "grant_id,borrower_key\nG1,b7f3\n").unwrap();
    let e = load_grants(&path).unwrap_err();
    assert!(matches!(e, DatasetError::MissingColumns { .. }));
    let text = e.to_string();
    assert!(text.starts_with("institution_id, product_id"), "{text}");
}

#[test]
fn unsupported_and_missing_files_are_errors() {
    let path = scratch("grants.txt");
    std::fs::write(&path, "hello").unwrap();
    assert!(matches!(
        load_grants(&path),
        Err(DatasetError::UnsupportedFormat { .. })
    ));
    assert!(load_grants(&scratch("absent.csv")).is_err());
}

#[test]
fn corrupt_parquet_is_an_error_not_a_panic() {
    let path = scratch("broken.parquet");
    std::fs::write(&path, b"PAR1 this is not really parquet PAR1").unwrap();
    assert!(matches!(load_grants(&path), Err(DatasetError::Read { .. })));
}
