//! Writing result tables: CSV or Parquet chosen by the file extension.

use crate::{DatasetError, TableFormat};
use finrisk_engine::assess::GrantRow;
use finrisk_engine::dc::DcAnalysis;
use finrisk_engine::domain::grant::{GrantBatch, RowError};
use polars::prelude::*;
use std::path::Path;

/// The output format of `path`: `.csv` or `.parquet` / `.pq`.
pub fn output_format(path: &Path) -> Result<TableFormat, DatasetError> {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("csv") => Ok(TableFormat::Csv),
        Some("parquet" | "pq") => Ok(TableFormat::Parquet),
        _ => Err(DatasetError::UnsupportedFormat {
            path: path.display().to_string(),
        }),
    }
}

/// Writes a frame as CSV or Parquet (by extension).
pub fn write_frame(df: &mut DataFrame, path: &Path) -> Result<(), DatasetError> {
    let format = output_format(path)?;
    let file = std::fs::File::create(path).map_err(|e| DatasetError::io(path, e))?;
    let err = |e: PolarsError| DatasetError::Read {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    match format {
        TableFormat::Csv => CsvWriter::new(file)
            .include_header(true)
            .finish(df)
            .map_err(err),
        TableFormat::Parquet => ParquetWriter::new(file)
            .with_compression(ParquetCompression::Zstd(None))
            .finish(df)
            .map(|_| ())
            .map_err(err),
    }
}

fn frame(columns: Vec<Column>) -> Result<DataFrame, DatasetError> {
    DataFrame::new_infer_height(columns).map_err(|e| DatasetError::Read {
        path: "result".into(),
        reason: e.to_string(),
    })
}

/// One output row per assessed grant: id, source row, findings and scores.
pub fn grant_results_frame(
    batch: &GrantBatch,
    rows: &[GrantRow],
) -> Result<DataFrame, DatasetError> {
    let score = |f: &dyn Fn(&GrantRow) -> f64| rows.iter().map(f).collect::<Vec<f64>>();
    frame(vec![
        Column::new(
            "grant_id".into(),
            rows.iter()
                .map(|r| batch.grant_id[r.index].clone())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "source_row".into(),
            rows.iter()
                .map(|r| batch.source_row[r.index] as u64)
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "findings".into(),
            rows.iter().map(|r| r.findings.clone()).collect::<Vec<_>>(),
        ),
        Column::new(
            "weak_risk_control".into(),
            score(&|r| r.scores.weak_risk_control),
        ),
        Column::new(
            "duplicate_credit".into(),
            score(&|r| r.scores.duplicate_credit),
        ),
        Column::new(
            "one_sided_marketing".into(),
            score(&|r| r.scores.one_sided_marketing),
        ),
        Column::new("overall".into(), score(&|r| r.scores.overall)),
        Column::new(
            "grade".into(),
            rows.iter().map(|r| r.grade.to_string()).collect::<Vec<_>>(),
        ),
        Column::new(
            "evidence".into(),
            rows.iter().map(|r| r.evidence.clone()).collect::<Vec<_>>(),
        ),
        Column::new("pd".into(), rows.iter().map(|r| r.pd).collect::<Vec<_>>()),
        Column::new(
            "pd_score".into(),
            rows.iter().map(|r| r.pd_score).collect::<Vec<_>>(),
        ),
    ])
}

/// One row per resolved person: id, keys, grants, institutions, peak exposure and the codes of
/// its grants (sorted, `;`-joined).
pub fn persons_frame(rows: &[GrantRow], dc: &DcAnalysis<'_>) -> Result<DataFrame, DatasetError> {
    let codes: Vec<String> = dc
        .persons()
        .map(|p| {
            let mut all: Vec<&str> = p
                .rows
                .iter()
                .flat_map(|&i| rows[i].findings.split(';').filter(|c| !c.is_empty()))
                .collect();
            all.sort_unstable();
            all.dedup();
            all.join(";")
        })
        .collect();
    frame(vec![
        Column::new(
            "person_id".into(),
            dc.persons().map(|p| p.id()).collect::<Vec<_>>(),
        ),
        Column::new(
            "keys".into(),
            dc.persons().map(|p| p.keys.join(";")).collect::<Vec<_>>(),
        ),
        Column::new(
            "grants".into(),
            dc.persons()
                .map(|p| p.rows.len() as u64)
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "institutions".into(),
            dc.persons()
                .map(|p| p.institutions as u64)
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "peak_exposure_minor".into(),
            dc.persons()
                .map(|p| p.peak_exposure_minor)
                .collect::<Vec<_>>(),
        ),
        Column::new("codes".into(), codes),
    ])
}

/// The reject file: one row per problem of every refused row.
pub fn write_rejects(errors: &[RowError], path: &Path) -> Result<(), DatasetError> {
    let mut df = frame(vec![
        Column::new(
            "row".into(),
            errors.iter().map(|e| e.row as u64).collect::<Vec<_>>(),
        ),
        Column::new(
            "field".into(),
            errors.iter().map(|e| e.field.clone()).collect::<Vec<_>>(),
        ),
        Column::new(
            "reason".into(),
            errors.iter().map(|e| e.reason.clone()).collect::<Vec<_>>(),
        ),
        Column::new(
            "code".into(),
            errors
                .iter()
                .map(|e| e.code.to_string())
                .collect::<Vec<_>>(),
        ),
    ])?;
    let file = std::fs::File::create(path).map_err(|e| DatasetError::io(path, e))?;
    CsvWriter::new(file)
        .include_header(true)
        .finish(&mut df)
        .map_err(|e| DatasetError::Read {
            path: path.display().to_string(),
            reason: e.to_string(),
        })
}
