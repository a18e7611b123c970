//! Grants tables (SPEC section 4) from CSV or Parquet into the engine's [`GrantBatch`].
//!
//! CSV is read with every column as text, so one bad cell is reported against its row and
//! column instead of failing the whole file; Parquet columns may be typed (integers, floats,
//! booleans, dates) or text. Every row is either accepted into the batch or reported with its
//! 1-based row number, the column and the reason; unknown columns are listed, not dropped
//! silently.

use crate::DatasetError;
use finrisk_engine::Date;
use finrisk_engine::domain::grant::{
    GrantBatch, GrantRecord, OPTIONAL_COLUMNS, REQUIRED_COLUMNS, RowError,
};
use polars::prelude::*;
use rayon::prelude::*;
use serde::Serialize;
use std::borrow::Cow;
use std::path::Path;

/// What loading a table found, besides the accepted rows.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LoadReport {
    /// Data rows in the file.
    pub rows_read: usize,
    /// Rows accepted into the batch.
    pub rows_accepted: usize,
    /// Rows refused: every problem of every refused row.
    pub row_errors: Vec<RowError>,
    /// Number of distinct rows refused.
    pub rows_rejected: usize,
    /// Columns the engine does not use (ignored).
    pub unknown_columns: Vec<String>,
    /// Optional columns absent from the table (treated as unknown for every row).
    pub missing_optional_columns: Vec<String>,
}

/// File formats the loaders read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    /// Comma-separated values with a header row.
    Csv,
    /// Apache Parquet.
    Parquet,
}

impl TableFormat {
    /// The format of `path`, by extension, or by the Parquet magic bytes when the extension
    /// says nothing.
    pub fn detect(path: &Path) -> Result<Self, DatasetError> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("csv") => Ok(Self::Csv),
            Some("parquet" | "pq") => Ok(Self::Parquet),
            _ => {
                let mut magic = [0u8; 4];
                let file = std::fs::File::open(path).map_err(|e| DatasetError::io(path, e))?;
                let read = std::io::Read::read(&mut &file, &mut magic)
                    .map_err(|e| DatasetError::io(path, e))?;
                if read == 4 && &magic == b"PAR1" {
                    Ok(Self::Parquet)
                } else {
                    Err(DatasetError::UnsupportedFormat {
                        path: path.display().to_string(),
                    })
                }
            }
        }
    }
}

/// Reads a table (CSV with all columns as text, or Parquet) into a data frame.
pub fn read_table(path: &Path) -> Result<DataFrame, DatasetError> {
    read_projected(path, None)
}

/// Reads only the columns of `wanted` the table has (CSV as text, Parquet as typed), in the
/// table's order (none of them: a frame with no column): a report over a scores table need not
/// load its evidence column.
pub fn read_table_columns(path: &Path, wanted: &[&str]) -> Result<DataFrame, DatasetError> {
    read_projected(path, Some(wanted))
}

/// The error of polars failing on `path`: its first line.
pub(crate) fn read_error(path: &Path, e: &PolarsError) -> DatasetError {
    DatasetError::Read {
        path: path.display().to_string(),
        reason: first_line(&e.to_string()),
    }
}

fn read_projected(path: &Path, wanted: Option<&[&str]>) -> Result<DataFrame, DatasetError> {
    crate::guarded(path, || read_projected_unguarded(path, wanted))
}

fn read_projected_unguarded(
    path: &Path,
    wanted: Option<&[&str]>,
) -> Result<DataFrame, DatasetError> {
    let format = TableFormat::detect(path)?;
    if !path.is_file() {
        return Err(DatasetError::io(
            path,
            std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        ));
    }
    let polars_err = |e: PolarsError| read_error(path, &e);
    let file = std::fs::File::open(path).map_err(|e| DatasetError::io(path, e))?;
    match format {
        TableFormat::Csv => {
            let mut options = CsvReadOptions::default()
                .with_has_header(true)
                .with_infer_schema_length(Some(0));
            if let Some(wanted) = wanted {
                let mut header = String::new();
                std::io::BufRead::read_line(&mut std::io::BufReader::new(&file), &mut header)
                    .map_err(|e| DatasetError::io(path, e))?;
                let present: Vec<PlSmallStr> = header
                    .trim_end_matches(['\r', '\n'])
                    .split(',')
                    .map(|c| c.trim_matches('"'))
                    .filter(|c| wanted.contains(c))
                    .map(PlSmallStr::from)
                    .collect();
                // None of the wanted columns: polars refuses an empty projection (it panics).
                if present.is_empty() {
                    return Ok(DataFrame::empty());
                }
                options = options.with_columns(Some(present.into()));
            }
            options
                .try_into_reader_with_file_path(Some(path.to_path_buf()))
                .and_then(|r| r.finish())
                .map_err(polars_err)
        }
        TableFormat::Parquet => {
            let mut reader = ParquetReader::new(file);
            if let Some(wanted) = wanted {
                let schema = reader.schema().map_err(polars_err)?;
                let present: Vec<String> = schema
                    .iter_names()
                    .filter(|n| wanted.contains(&n.as_str()))
                    .map(|n| n.to_string())
                    .collect();
                if present.is_empty() {
                    return Ok(DataFrame::empty());
                }
                reader = reader.with_columns(Some(present));
            }
            reader.finish().map_err(polars_err)
        }
    }
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").trim().to_string()
}

/// Loads a grants table from a CSV or Parquet file.
pub fn load_grants(path: &Path) -> Result<(GrantBatch, LoadReport), DatasetError> {
    let df = read_table(path)?;
    grants_from_frame(&df)
}

/// One column, viewed in the shape needed to read its cells: its one chunk (every column is
/// rechunked when read), so that a cell is read without finding its chunk first.
enum Cells {
    Text(<StringType as PolarsDataType>::Array),
    Int(<Int64Type as PolarsDataType>::Array),
    Float(<Float64Type as PolarsDataType>::Array),
    Bool(<BooleanType as PolarsDataType>::Array),
    Date(<Int32Type as PolarsDataType>::Array),
    Absent,
}

/// The one chunk of `ca` once rechunked; `None` when it has none.
fn one_chunk<T: PolarsDataType>(ca: &ChunkedArray<T>) -> Option<T::Array>
where
    T::Array: Clone,
{
    ca.rechunk().downcast_get(0).cloned()
}

/// A cell value before it is parsed into its field's type.
enum Cell<'a> {
    Missing,
    Text(Cow<'a, str>),
    Int(i64),
    Float(f64),
    Bool(bool),
    Date(Date),
}

impl Cells {
    fn of(df: &DataFrame, name: &str) -> Result<Self, DatasetError> {
        let Ok(col) = df.column(name) else {
            return Ok(Self::Absent);
        };
        let unsupported = |dtype: &DataType| DatasetError::ColumnType {
            column: name.to_string(),
            dtype: dtype.to_string(),
        };
        let cast = |to: &DataType| col.cast(to).map_err(|_| unsupported(col.dtype()));
        let dtype = col.dtype().clone();
        Ok(match &dtype {
            DataType::String => one_chunk(
                cast(&DataType::String)?
                    .str()
                    .map_err(|_| unsupported(&dtype))?,
            )
            .map_or(Self::Absent, Self::Text),
            DataType::Boolean => one_chunk(col.bool().map_err(|_| unsupported(&dtype))?)
                .map_or(Self::Absent, Self::Bool),
            DataType::Date => one_chunk(
                cast(&DataType::Int32)?
                    .i32()
                    .map_err(|_| unsupported(&dtype))?,
            )
            .map_or(Self::Absent, Self::Date),
            DataType::Float32 | DataType::Float64 => one_chunk(
                cast(&DataType::Float64)?
                    .f64()
                    .map_err(|_| unsupported(&dtype))?,
            )
            .map_or(Self::Absent, Self::Float),
            d if d.is_integer() => one_chunk(
                cast(&DataType::Int64)?
                    .i64()
                    .map_err(|_| unsupported(&dtype))?,
            )
            .map_or(Self::Absent, Self::Int),
            DataType::Null => Self::Absent,
            other => return Err(unsupported(other)),
        })
    }

    #[inline]
    fn get(&self, i: usize) -> Cell<'_> {
        match self {
            Self::Text(a) => match a.get(i).map(str::trim) {
                None | Some("") => Cell::Missing,
                Some(s) => Cell::Text(Cow::Borrowed(s)),
            },
            Self::Int(a) => a.get(i).map_or(Cell::Missing, Cell::Int),
            Self::Float(a) => a.get(i).map_or(Cell::Missing, Cell::Float),
            Self::Bool(a) => a.get(i).map_or(Cell::Missing, Cell::Bool),
            Self::Date(a) => a.get(i).map_or(Cell::Missing, |d| {
                Cell::Date(Date::from_days_since_epoch(d))
            }),
            Self::Absent => Cell::Missing,
        }
    }
}

type CellResult<T> = Result<Option<T>, String>;

/// Collects the cell errors of one row while its cells are parsed.
struct RowParser {
    row: usize,
    errors: Vec<RowError>,
}

impl RowParser {
    fn take<T>(&mut self, field: &str, parsed: CellResult<T>) -> Option<T> {
        parsed.unwrap_or_else(|reason| {
            self.errors.push(RowError {
                row: self.row,
                field: field.to_string(),
                reason,
                code: "invalid_field",
            });
            None
        })
    }
}

fn as_text(c: Cell<'_>) -> CellResult<String> {
    Ok(match c {
        Cell::Missing => None,
        Cell::Text(s) => Some(s.into_owned()),
        Cell::Int(v) => Some(v.to_string()),
        Cell::Float(v) if v.fract() == 0.0 && v.abs() < 1e15 => Some(format!("{v:.0}")),
        Cell::Float(v) => Some(v.to_string()),
        Cell::Bool(v) => Some(v.to_string()),
        Cell::Date(d) => Some(d.to_string()),
    })
}

fn as_date(c: Cell<'_>) -> CellResult<Date> {
    match c {
        Cell::Missing => Ok(None),
        Cell::Date(d) => Ok(Some(d)),
        Cell::Text(s) => Date::parse(&s).map(Some).map_err(|e| e.to_string()),
        _ => Err("must be a date YYYY-MM-DD".to_string()),
    }
}

/// Whether `v` is a whole number small enough to be exact in `f64` and `i64`.
fn is_whole(v: f64) -> bool {
    v.is_finite() && v.fract() == 0.0 && v.abs() < 9e15
}

/// A whole number that [`is_whole`] accepted, as an integer.
#[expect(
    clippy::cast_possible_truncation,
    reason = "is_whole keeps the value whole and below 9e15 in magnitude: exact in i64"
)]
fn whole_to_i64(v: f64) -> i64 {
    v as i64
}

fn as_int(c: Cell<'_>) -> CellResult<i64> {
    match c {
        Cell::Missing => Ok(None),
        Cell::Int(v) => Ok(Some(v)),
        Cell::Float(v) if is_whole(v) => Ok(Some(whole_to_i64(v))),
        Cell::Float(v) => Err(format!("must be a whole number, got {v}")),
        Cell::Text(s) => s
            .parse::<i64>()
            .map(Some)
            .or_else(|_| match s.parse::<f64>() {
                Ok(v) if is_whole(v) => Ok(Some(whole_to_i64(v))),
                _ => Err(format!("must be a whole number, got `{s}`")),
            }),
        Cell::Bool(_) | Cell::Date(_) => Err("must be a whole number".to_string()),
    }
}

fn as_float(c: Cell<'_>) -> CellResult<f64> {
    match c {
        Cell::Missing => Ok(None),
        Cell::Float(v) => Ok(Some(v)),
        Cell::Int(v) => Ok(Some(v as f64)),
        Cell::Text(s) => s
            .parse::<f64>()
            .map(Some)
            .map_err(|_| format!("must be a number, got `{s}`")),
        Cell::Bool(_) | Cell::Date(_) => Err("must be a number".to_string()),
    }
}

fn as_flag(c: Cell<'_>) -> CellResult<bool> {
    match c {
        Cell::Missing => Ok(None),
        Cell::Bool(v) => Ok(Some(v)),
        Cell::Int(0) => Ok(Some(false)),
        Cell::Int(1) => Ok(Some(true)),
        Cell::Float(0.0) => Ok(Some(false)),
        Cell::Float(1.0) => Ok(Some(true)),
        Cell::Text(s) => match s.to_ascii_lowercase().as_str() {
            "0" | "false" | "0.0" => Ok(Some(false)),
            "1" | "true" | "1.0" => Ok(Some(true)),
            _ => Err(format!("must be 0 or 1, got `{s}`")),
        },
        _ => Err("must be 0 or 1".to_string()),
    }
}

/// Builds a batch from a data frame whose columns follow SPEC section 4.
pub fn grants_from_frame(df: &DataFrame) -> Result<(GrantBatch, LoadReport), DatasetError> {
    grants_from_frame_at(df, 0)
}

/// Builds a batch from a data frame holding the rows after the first `rows_before` rows of
/// its table: row `i` of the frame is reported as row `rows_before + i + 1`.
pub fn grants_from_frame_at(
    df: &DataFrame,
    rows_before: usize,
) -> Result<(GrantBatch, LoadReport), DatasetError> {
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    let missing: Vec<String> = REQUIRED_COLUMNS
        .iter()
        .filter(|c| !names.iter().any(|n| n == *c))
        .map(|c| c.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(DatasetError::MissingColumns { columns: missing });
    }
    let known = |n: &str| REQUIRED_COLUMNS.contains(&n) || OPTIONAL_COLUMNS.contains(&n);
    let report_base = LoadReport {
        unknown_columns: names.iter().filter(|n| !known(n)).cloned().collect(),
        missing_optional_columns: OPTIONAL_COLUMNS
            .iter()
            .filter(|c| !names.iter().any(|n| n == *c))
            .map(|c| c.to_string())
            .collect(),
        rows_read: df.height(),
        ..LoadReport::default()
    };
    let col = |name: &str| Cells::of(df, name);
    let grant_id = col("grant_id")?;
    let institution_id = col("institution_id")?;
    let product_id = col("product_id")?;
    let borrower_key = col("borrower_key")?;
    let granted_at = col("granted_at")?;
    let principal_minor = col("principal_minor")?;
    let term_months = col("term_months")?;
    let apr = col("apr")?;
    let closed_at = col("closed_at")?;
    let borrower_age = col("borrower_age")?;
    let monthly_income_minor = col("monthly_income_minor")?;
    let income_verified = col("income_verified")?;
    let is_student = col("is_student")?;
    let dti = col("dti")?;
    let active_lenders = col("active_lenders")?;
    let inquiries_30d = col("inquiries_30d")?;
    let inquiries_6m = col("inquiries_6m")?;
    let open_lines = col("open_lines")?;
    let delinquencies_2y = col("delinquencies_2y")?;
    let revolving_utilization = col("revolving_utilization")?;
    let line_increased = col("line_increased")?;
    let dpd_at_grant = col("dpd_at_grant")?;
    let phone_hash = col("phone_hash")?;
    let device_hash = col("device_hash")?;
    let max_dpd = col("max_dpd")?;
    let first_payment_default = col("first_payment_default")?;
    let defaulted = col("defaulted")?;

    // Rows are parsed in blocks on every core, and the blocks joined in row order.
    let height = df.height();
    let parse_row =
        |i: usize, batch: &mut GrantBatch, errors: &mut Vec<RowError>, rejected: &mut usize| {
            let row = rows_before + i + 1;
            let mut p = RowParser {
                row,
                errors: Vec::new(),
            };
            let record_ids = (
                p.take("grant_id", as_text(grant_id.get(i)))
                    .unwrap_or_default(),
                p.take("institution_id", as_text(institution_id.get(i)))
                    .unwrap_or_default(),
                p.take("product_id", as_text(product_id.get(i)))
                    .unwrap_or_default(),
                p.take("borrower_key", as_text(borrower_key.get(i)))
                    .unwrap_or_default(),
            );
            let principal = p.take("principal_minor", as_int(principal_minor.get(i)));
            let term = p.take("term_months", as_int(term_months.get(i)));
            let age = p.take("borrower_age", as_int(borrower_age.get(i)));
            let income = p.take("monthly_income_minor", as_int(monthly_income_minor.get(i)));
            let lenders = p.take("active_lenders", as_int(active_lenders.get(i)));
            let inq30 = p.take("inquiries_30d", as_int(inquiries_30d.get(i)));
            let inq6m = p.take("inquiries_6m", as_int(inquiries_6m.get(i)));
            let lines = p.take("open_lines", as_int(open_lines.get(i)));
            let delinq = p.take("delinquencies_2y", as_int(delinquencies_2y.get(i)));
            let dpd = p.take("dpd_at_grant", as_int(dpd_at_grant.get(i)));
            let maxdpd = p.take("max_dpd", as_int(max_dpd.get(i)));
            let apr_v = p.take("apr", as_float(apr.get(i)));
            let dti_v = p.take("dti", as_float(dti.get(i)));
            let util = p.take(
                "revolving_utilization",
                as_float(revolving_utilization.get(i)),
            );
            let granted = p.take("granted_at", as_date(granted_at.get(i)));
            let closed = p.take("closed_at", as_date(closed_at.get(i)));
            let verified = p.take("income_verified", as_flag(income_verified.get(i)));
            let student = p.take("is_student", as_flag(is_student.get(i)));
            let increased = p.take("line_increased", as_flag(line_increased.get(i)));
            let fpd = p.take(
                "first_payment_default",
                as_flag(first_payment_default.get(i)),
            );
            let dflt = p.take("defaulted", as_flag(defaulted.get(i)));
            let phone = p.take("phone_hash", as_text(phone_hash.get(i)));
            let device = p.take("device_hash", as_text(device_hash.get(i)));
            let mut cell_errors = p.errors;

            let mut missing_required = Vec::new();
            if principal.is_none() && !cell_errors.iter().any(|e| e.field == "principal_minor") {
                missing_required.push("principal_minor");
            }
            if term.is_none() && !cell_errors.iter().any(|e| e.field == "term_months") {
                missing_required.push("term_months");
            }
            if apr_v.is_none() && !cell_errors.iter().any(|e| e.field == "apr") {
                missing_required.push("apr");
            }
            for field in missing_required {
                cell_errors.push(RowError {
                    row,
                    field: field.to_string(),
                    reason: "is required".to_string(),
                    code: "invalid_field",
                });
            }
            let record = GrantRecord {
                grant_id: record_ids.0,
                institution_id: record_ids.1,
                product_id: record_ids.2,
                borrower_key: record_ids.3,
                granted_at: granted,
                principal_minor: principal.unwrap_or(1),
                term_months: term.unwrap_or(1),
                apr: apr_v.unwrap_or(0.0),
                closed_at: closed,
                borrower_age: age,
                monthly_income_minor: income,
                income_verified: verified,
                is_student: student,
                dti: dti_v,
                active_lenders: lenders,
                inquiries_30d: inq30,
                inquiries_6m: inq6m,
                open_lines: lines,
                delinquencies_2y: delinq,
                revolving_utilization: util,
                line_increased: increased,
                dpd_at_grant: dpd,
                phone_hash: phone,
                device_hash: device,
                max_dpd: maxdpd,
                first_payment_default: fpd,
                defaulted: dflt,
            };
            // Values that failed to parse were replaced by harmless placeholders above; report the
            // parse errors and the validation errors of the fields that did parse.
            if cell_errors.is_empty() {
                // `push` validates the record: accepted, or refused with every validation error.
                if let Err(found) = batch.push(row, record) {
                    *rejected += 1;
                    errors.extend(found.into_iter().map(|e| RowError::from_field(row, e)));
                }
            } else {
                let parsed_bad: Vec<String> = cell_errors.iter().map(|e| e.field.clone()).collect();
                let validation = record
                    .validate()
                    .into_iter()
                    .filter(|e| !parsed_bad.contains(&e.field))
                    .map(|e| RowError::from_field(row, e));
                cell_errors.extend(validation);
                *rejected += 1;
                errors.extend(cell_errors);
            }
        };
    let parse_block = |start: usize| {
        let end = (start + PARSE_BLOCK_ROWS).min(height);
        let mut batch = GrantBatch::with_capacity(end - start);
        let mut errors: Vec<RowError> = Vec::new();
        let mut rejected = 0usize;
        for i in start..end {
            parse_row(i, &mut batch, &mut errors, &mut rejected);
        }
        (batch, errors, rejected)
    };
    let starts: Vec<usize> = (0..height).step_by(PARSE_BLOCK_ROWS).collect();
    let blocks: Vec<(GrantBatch, Vec<RowError>, usize)> =
        starts.into_par_iter().map(parse_block).collect();
    let mut batch = GrantBatch::with_capacity(height);
    let mut report = report_base;
    for (block, errors, rejected) in blocks {
        report.rows_accepted += block.len();
        report.rows_rejected += rejected;
        report.row_errors.extend(errors);
        batch.append(block);
    }
    Ok((batch, report))
}

/// Rows one parsing task takes.
const PARSE_BLOCK_ROWS: usize = 4_096;
