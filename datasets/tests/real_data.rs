//! The real datasets load with their documented shapes and targets; bad files are refused.

#![expect(
    clippy::unwrap_used,
    reason = "test code: a failed set-up should panic"
)]

use finrisk_datasets::grants::grants_from_frame;
use finrisk_datasets::real::LENDING_CLUB_POST_ORIGINATION;
use finrisk_datasets::{
    DatasetError, FeatureKind, RealDataset, lending_club_grants, load_model_table,
};
use polars::prelude::*;

fn positives(ds: RealDataset) -> (usize, i64) {
    let t = load_model_table(ds, None).unwrap();
    assert_eq!(t.frame.width(), t.features.len() + 1);
    let target = t.frame.column("target").unwrap().i32().unwrap().clone();
    (
        t.frame.height(),
        target.iter().flatten().map(i64::from).sum(),
    )
}

#[test]
fn shapes_and_targets_match_the_source_notes() {
    assert_eq!(positives(RealDataset::LendingClub), (42_535, 6_431));
    assert_eq!(positives(RealDataset::LendingClubGrants), (42_535, 6_431));
    assert_eq!(positives(RealDataset::TaiwanDefault), (30_000, 6_636));
    assert_eq!(positives(RealDataset::GermanCredit), (1_000, 300));
    assert_eq!(positives(RealDataset::AustralianCredit), (690, 307));
}

#[test]
fn give_me_some_credit_is_read_from_the_shared_folder() {
    // Not redistributed in this repository (Kaggle terms); CI has shared/ beside the clone.
    assert_eq!(positives(RealDataset::GiveMeSomeCredit), (150_000, 10_026));
}

#[test]
fn feature_kinds_match_the_baseline_protocol() {
    let categorical = |ds: RealDataset| {
        ds.features()
            .iter()
            .filter(|f| f.kind == FeatureKind::Categorical)
            .count()
    };
    assert_eq!(
        (
            RealDataset::LendingClub.features().len(),
            categorical(RealDataset::LendingClub)
        ),
        (24, 7)
    );
    assert_eq!(
        (
            RealDataset::GermanCredit.features().len(),
            categorical(RealDataset::GermanCredit)
        ),
        (20, 13)
    );
    assert_eq!(
        (
            RealDataset::AustralianCredit.features().len(),
            categorical(RealDataset::AustralianCredit)
        ),
        (14, 4)
    );
    assert_eq!(RealDataset::TaiwanDefault.features().len(), 23);
    let german = load_model_table(RealDataset::GermanCredit, None).unwrap();
    assert_eq!(
        german.frame.column("checking_status").unwrap().dtype(),
        &DataType::String
    );
    assert_eq!(
        german.frame.column("age").unwrap().dtype(),
        &DataType::Float64
    );
}

#[test]
fn lending_club_never_reads_post_origination_columns() {
    for ds in [RealDataset::LendingClub, RealDataset::LendingClubGrants] {
        for f in ds.features() {
            assert!(
                !LENDING_CLUB_POST_ORIGINATION.contains(&f.source),
                "{} reads {}",
                f.name,
                f.source
            );
        }
    }
}

#[test]
fn lending_club_maps_to_engine_grants() {
    let df = lending_club_grants(None).unwrap();
    let (batch, report) = grants_from_frame(&df).unwrap();
    assert_eq!(report.rows_read, 42_535);
    assert_eq!(
        report.rows_accepted,
        42_535,
        "{:?}",
        &report.row_errors[..report.row_errors.len().min(5)]
    );
    assert!(report.unknown_columns.is_empty());
    // First loan of the source: 20,000 funded... at 11.22%, income 38,556 a year, dti 14.04%.
    let i = 0;
    assert_eq!(batch.term_months[i], 36);
    assert!((batch.apr[i] - 0.1122).abs() < 1e-12);
    assert_eq!(batch.monthly_income_minor[i], Some(321_300));
    assert!((batch.dti[i].unwrap() - 0.1404).abs() < 1e-12);
    assert_eq!(batch.granted_at[i].to_string(), "2007-12-01");
    assert_eq!(
        batch.defaulted.iter().filter(|d| **d == Some(true)).count(),
        6_431
    );
}

fn german_csv_with(name: &str, edit: impl Fn(&str) -> String) -> std::path::PathBuf {
    let text = std::fs::read_to_string(RealDataset::GermanCredit.default_path()).unwrap();
    let dir = std::env::temp_dir().join(format!("finrisk-real-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, edit(&text)).unwrap();
    path
}

#[test]
fn a_missing_column_is_named() {
    let path = german_csv_with("renamed.csv", |t| {
        t.replacen("checking_status,", "checking_state,", 1)
    });
    let e = load_model_table(RealDataset::GermanCredit, Some(&path)).unwrap_err();
    assert!(matches!(e, DatasetError::MissingColumns { .. }), "{e}");
    assert_eq!(e.to_string(), "checking_status: required column missing");
}

#[test]
fn a_mistyped_column_is_named() {
    // One text value in the numeric `age` column (field 13) makes the whole column text.
    let path = german_csv_with("mistyped.csv", |t| {
        let mut lines: Vec<String> = t.lines().map(str::to_string).collect();
        let mut fields: Vec<String> = lines[5].split(',').map(str::to_string).collect();
        fields[12] = "forty".to_string();
        lines[5] = fields.join(",");
        lines.join("\n") + "\n"
    });
    let e = load_model_table(RealDataset::GermanCredit, Some(&path)).unwrap_err();
    let text = e.to_string();
    assert!(text.starts_with("age: column type"), "{text}");
    assert!(text.contains("expected numbers"), "{text}");
}
