//! Writing result tables: CSV or Parquet chosen by the file extension.

use crate::{DatasetError, TableFormat};
use finrisk_engine::assess::GrantRow;
use finrisk_engine::dc::{DcAnalysis, PersonCodes};
use finrisk_engine::domain::grant::{GrantBatch, RowError};
use finrisk_engine::pd::GrantPds;
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

/// zstd at level 1 for every Parquet output: on the 1M-grant batch output (mostly the evidence
/// JSON) it wrote a slightly smaller file than polars' default level 3 (74.9 MB against
/// 75.5 MB) in 0.3 s less (BENCHMARKS.md).
fn output_compression() -> ParquetCompression {
    ParquetCompression::Zstd(polars::polars_utils::compression::ZstdLevel::try_new(1).ok())
}

/// The columns of [`grant_results_frame`] written Plain in Parquet
/// ([`TableSink::with_plain_columns`]): the findings' evidence, long JSON texts that are mostly
/// distinct, on which a dictionary attempt costs more than it saves, and the grant ids, unique,
/// which polars' writer only estimates to write them Plain.
pub const GRANT_RESULT_PLAIN_COLUMNS: &[&str] = &["grant_id", "evidence"];

/// Writes a frame as CSV or Parquet (by extension).
pub fn write_frame(df: &mut DataFrame, path: &Path) -> Result<(), DatasetError> {
    let format = output_format(path)?;
    let file = std::fs::File::create(path).map_err(|e| DatasetError::write(path, e))?;
    let err = |e: PolarsError| DatasetError::write(path, e);
    match format {
        TableFormat::Csv => CsvWriter::new(file)
            .include_header(true)
            .finish(df)
            .map_err(err),
        TableFormat::Parquet => ParquetWriter::new(file)
            .with_compression(output_compression())
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

/// The names of the PD reason columns of the grants output, reason by reason: feature, bin,
/// impact (`pd_reason_1_feature`, `pd_reason_1_bin`, `pd_reason_1_impact`, then `_2_`, `_3_`).
fn pd_reason_column_names() -> Vec<[String; 3]> {
    (1..=finrisk_engine::pd::TOP_REASONS)
        .map(|k| {
            [
                format!("pd_reason_{k}_feature"),
                format!("pd_reason_{k}_bin"),
                format!("pd_reason_{k}_impact"),
            ]
        })
        .collect()
}

/// The PD reason columns of `rows`: for each of the top reasons, its feature, bin and impact
/// (null where the grant has fewer reasons or no PD model ran). `pds` are the PDs of the batch
/// the rows index into.
fn pd_reason_columns(rows: &[GrantRow], pds: Option<&GrantPds>) -> Vec<Column> {
    let mut columns = Vec::with_capacity(3 * finrisk_engine::pd::TOP_REASONS);
    for (k, [feature_name, bin_name, impact_name]) in
        pd_reason_column_names().into_iter().enumerate()
    {
        let mut feature = StringChunkedBuilder::new(feature_name.into(), rows.len());
        let mut bin = StringChunkedBuilder::new(bin_name.into(), rows.len());
        let mut impact = Vec::with_capacity(rows.len());
        for r in rows {
            match pds
                .and_then(|p| p.reasons.get(r.index))
                .and_then(|reasons| reasons.get(k))
            {
                Some(reason) => {
                    feature.append_value(&*reason.feature);
                    bin.append_value(&*reason.bin);
                    impact.push(Some(reason.impact));
                }
                None => {
                    feature.append_null();
                    bin.append_null();
                    impact.push(None);
                }
            }
        }
        columns.push(feature.finish().into_column());
        columns.push(bin.finish().into_column());
        columns.push(Column::new(impact_name.into(), impact));
    }
    columns
}

/// One output row per assessed grant: id, source row, findings, scores, the findings'
/// evidence, the PD model's output (PD, score, top reasons) and the outcomes given.
///
/// `pds` are the PDs of `batch` (by batch row), when a PD model ran. Text columns are built
/// straight from the batch's and the rows' text (no copy of each cell into a new `String`
/// first); dates are formatted into one reused buffer.
pub fn grant_results_frame(
    batch: &GrantBatch,
    rows: &[GrantRow],
    pds: Option<&GrantPds>,
) -> Result<DataFrame, DatasetError> {
    fn text<'a>(name: &str, cells: impl Iterator<Item = &'a str>) -> Column {
        StringChunked::from_iter_values(name.into(), cells).into_column()
    }
    // Scores to one decimal, as the text output shows them: a table people read says 94.2,
    // not 94.16799999999999.
    let score = |f: &dyn Fn(&GrantRow) -> f64| {
        rows.iter()
            .map(|r| finrisk_engine::assess::round_score(f(r)))
            .collect::<Vec<f64>>()
    };
    let mut granted_at = StringChunkedBuilder::new("granted_at".into(), rows.len());
    let mut date = String::with_capacity(10);
    for r in rows {
        let day = batch.granted_at[r.index];
        match day.iso() {
            Some(iso) => granted_at.append_value(iso.as_str()),
            None => {
                use std::fmt::Write as _;
                date.clear();
                // Writing into a String cannot fail.
                let _ = write!(date, "{day}");
                granted_at.append_value(&date);
            }
        }
    }
    let mut grade = StringChunkedBuilder::new("grade".into(), rows.len());
    let mut utf8 = [0u8; 4];
    for r in rows {
        grade.append_value(&*r.grade.encode_utf8(&mut utf8));
    }
    let mut columns = vec![
        text(
            "grant_id",
            rows.iter().map(|r| batch.grant_id[r.index].as_str()),
        ),
        Column::new(
            "source_row".into(),
            rows.iter()
                .map(|r| batch.source_row[r.index] as u64)
                .collect::<Vec<_>>(),
        ),
        text(
            "institution_id",
            rows.iter().map(|r| batch.institution_id[r.index].as_str()),
        ),
        text(
            "product_id",
            rows.iter().map(|r| batch.product_id[r.index].as_str()),
        ),
        granted_at.finish().into_column(),
        text("findings", rows.iter().map(|r| r.findings.as_str())),
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
        grade.finish().into_column(),
        text("evidence", rows.iter().map(|r| r.evidence.as_str())),
        Column::new("pd".into(), rows.iter().map(|r| r.pd).collect::<Vec<_>>()),
        Column::new(
            "pd_score".into(),
            rows.iter().map(|r| r.pd_score).collect::<Vec<_>>(),
        ),
    ];
    columns.extend(pd_reason_columns(rows, pds));
    columns.extend([
        Column::new(
            "first_payment_default".into(),
            rows.iter()
                .map(|r| batch.first_payment_default[r.index].map(i32::from))
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "defaulted".into(),
            rows.iter()
                .map(|r| batch.defaulted[r.index].map(i32::from))
                .collect::<Vec<_>>(),
        ),
    ]);
    frame(columns)
}

/// Adds a constant text column (a hive partition value) to every row of `df`.
pub fn add_constant_column(
    df: &mut DataFrame,
    name: &str,
    value: &str,
) -> Result<(), DatasetError> {
    let column = Column::new(name.into(), vec![value; df.height()]);
    df.with_column(column)
        .map(|_| ())
        .map_err(|e| DatasetError::Read {
            path: "result".into(),
            reason: e.to_string(),
        })
}

/// Key of the provenance record in the key-value metadata of Parquet outputs.
pub const PROVENANCE_KEY: &str = "finrisk:provenance";

/// The file beside `path` named like it with `suffix` appended (`out.csv` ->
/// `out.csv.rejects.csv`).
pub fn sibling_path(path: &Path, suffix: &str) -> std::path::PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(suffix);
    path.with_file_name(name)
}

/// The provenance sidecar of a CSV output: `OUTPUT.provenance.json`.
pub fn provenance_sidecar(path: &Path) -> std::path::PathBuf {
    sibling_path(path, ".provenance.json")
}

/// The temporary file an output is written to before it is renamed onto `path`.
fn temporary_path(path: &Path) -> std::path::PathBuf {
    let mut name = std::ffi::OsString::from(".");
    name.push(path.file_name().unwrap_or_default());
    name.push(format!(".{}.partial", std::process::id()));
    path.with_file_name(name)
}

enum SinkWriter {
    Csv(polars::io::csv::write::BatchedWriter<std::fs::File>),
    Parquet(Box<crate::parquet_sink::ParquetFileWriter<std::fs::File>>),
}

/// A CSV or Parquet output written frame by frame (all frames of one schema) into a
/// temporary file beside the target, renamed onto it by [`TableSink::finish`]: a run that
/// fails or is interrupted leaves the previous output (or none), never a partial file.
/// Parquet outputs carry the provenance JSON under [`PROVENANCE_KEY`]; CSV outputs get it in
/// a [`provenance_sidecar`].
pub struct TableSink {
    path: std::path::PathBuf,
    temporary: std::path::PathBuf,
    format: TableFormat,
    provenance: Option<String>,
    plain_columns: &'static [&'static str],
    writer: Option<SinkWriter>,
}

impl TableSink {
    /// A sink for `path` (`.csv` or `.parquet`); nothing is created before the first frame.
    /// Temporary files of earlier runs for the same output that were killed before they could
    /// clean up (`.NAME.PID.partial`) are removed.
    pub fn create(path: &Path, provenance: Option<String>) -> Result<Self, DatasetError> {
        remove_stale_partials(path);
        Ok(Self {
            format: output_format(path)?,
            path: path.to_path_buf(),
            temporary: temporary_path(path),
            provenance,
            plain_columns: &[],
            writer: None,
        })
    }

    /// The same sink, writing the named columns Plain in Parquet (no dictionary attempt; see
    /// [`crate::parquet_sink`]): for columns of long, mostly distinct texts. No effect on CSV.
    pub fn with_plain_columns(mut self, columns: &'static [&'static str]) -> Self {
        self.plain_columns = columns;
        self
    }

    fn err(&self, e: PolarsError) -> DatasetError {
        DatasetError::write(&self.path, e)
    }

    /// Writes `df` as the whole of `path` (temporary file, renamed; provenance as for a sink).
    pub fn write_whole(
        path: &Path,
        provenance: Option<String>,
        df: &mut DataFrame,
    ) -> Result<(), DatasetError> {
        let mut sink = Self::create(path, provenance)?;
        sink.write(df)?;
        sink.finish(|| Ok(DataFrame::empty()))
    }

    /// Appends the rows of `df`.
    pub fn write(&mut self, df: &mut DataFrame) -> Result<(), DatasetError> {
        if self.writer.is_none() {
            let file = std::fs::File::create(&self.temporary)
                .map_err(|e| DatasetError::write(&self.path, e))?;
            let schema = df.schema().clone();
            let writer = match self.format {
                TableFormat::Csv => CsvWriter::new(file)
                    .include_header(true)
                    .batched(&schema)
                    .map(SinkWriter::Csv),
                TableFormat::Parquet => crate::parquet_sink::ParquetFileWriter::try_new(
                    file,
                    &schema,
                    output_compression(),
                    self.plain_columns,
                    self.provenance
                        .iter()
                        .map(|p| (PROVENANCE_KEY.to_string(), p.clone()))
                        .collect(),
                )
                .map(|w| SinkWriter::Parquet(Box::new(w))),
            };
            self.writer = Some(writer.map_err(|e| self.err(e))?);
        }
        df.rechunk_mut();
        let result = match self.writer.as_mut() {
            Some(SinkWriter::Csv(w)) => w.write_batch(df),
            Some(SinkWriter::Parquet(w)) => w.write_batch(df),
            None => Ok(()),
        };
        result.map_err(|e| self.err(e))
    }

    /// Closes the file and renames it onto the target (with the CSV provenance sidecar).
    /// `empty` gives the frame written when no rows were (the header and schema).
    pub fn finish(
        mut self,
        empty: impl FnOnce() -> Result<DataFrame, DatasetError>,
    ) -> Result<(), DatasetError> {
        if self.writer.is_none() {
            let mut df = empty()?;
            self.write(&mut df)?;
        }
        let result = match self.writer.as_mut() {
            Some(SinkWriter::Csv(w)) => w.finish(),
            Some(SinkWriter::Parquet(w)) => w.finish().map(|_| ()),
            None => Ok(()),
        };
        result.map_err(|e| self.err(e))?;
        self.writer = None;
        if let (TableFormat::Csv, Some(p)) = (self.format, &self.provenance) {
            write_atomically(&provenance_sidecar(&self.path), p.as_bytes())?;
        }
        std::fs::rename(&self.temporary, &self.path).map_err(|e| DatasetError::write(&self.path, e))
    }
}

impl Drop for TableSink {
    fn drop(&mut self) {
        // Not finished: the partial file goes.
        if self.writer.take().is_some() {
            let _ = std::fs::remove_file(&self.temporary);
        }
    }
}

/// Removes `.NAME.*.partial` beside `path`: what a killed run of the same output left.
fn remove_stale_partials(path: &Path) {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name().and_then(|n| n.to_str())) else {
        return;
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let prefix = format!(".{name}.");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name();
        let Some(file) = file.to_str() else { continue };
        if let Some(pid) = file
            .strip_prefix(&prefix)
            .and_then(|rest| rest.strip_suffix(".partial"))
            && pid.bytes().all(|b| b.is_ascii_digit())
        {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Writes `bytes` to a temporary file beside `path` and renames it onto `path`.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), DatasetError> {
    let temporary = temporary_path(path);
    if let Err(e) = std::fs::write(&temporary, bytes) {
        let _ = std::fs::remove_file(&temporary);
        return Err(DatasetError::write(path, e));
    }
    std::fs::rename(&temporary, path).map_err(|e| DatasetError::write(path, e))
}

/// One row per resolved person: id, keys, grants, institutions, peak exposure and the codes of
/// its grants (sorted, `;`-joined).
pub fn persons_frame(dc: &DcAnalysis, codes: &PersonCodes) -> Result<DataFrame, DatasetError> {
    frame(vec![
        Column::new(
            "person_id".into(),
            dc.persons().map(|p| p.id()).collect::<Vec<_>>(),
        ),
        Column::new(
            "keys".into(),
            dc.persons()
                .map(|p| p.keys().collect::<Vec<_>>().join(";"))
                .collect::<Vec<_>>(),
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
        Column::new(
            "codes".into(),
            (0..dc.person_count())
                .map(|p| codes.codes(p))
                .collect::<Vec<_>>(),
        ),
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
    let mut bytes = Vec::new();
    CsvWriter::new(&mut bytes)
        .include_header(true)
        .finish(&mut df)
        .map_err(|e| DatasetError::write(path, e))?;
    write_atomically(path, &bytes)
}
