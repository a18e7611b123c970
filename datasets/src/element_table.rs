//! Element tables (要素式): dispute cases as flat tables, the way internet courts receive them.
//!
//! One row per case in the **cases** table, with one column per field of the Case document
//! (SPEC section 4), named by its path (`contract.principal_minor`, `claims.as_of`); the
//! repayments in a **repayments** table (`case_id, date, principal_minor, cost_minor`), and the
//! marketing texts in evidence in an **ads** table (`case_id, text`). Each table is a CSV file, or
//! a sheet of an XLSX workbook (read with calamine): a workbook given as the cases table is read
//! from its `cases` sheet (or its first sheet), and its `repayments` and `ads` sheets are used
//! when no separate file is given.
//!
//! Every row becomes the same JSON document a `cases.jsonl` line holds and is validated by the
//! engine's own [`Case::from_json`], so a table and a JSON line are refused for the same
//! reasons, naming the same field. A cell of the wrong type is refused with its column, a
//! repayment or ad row whose `case_id` names no case is reported, never dropped, and a case
//! whose repayment row is refused is refused too (its cost figures would be wrong). Row numbers
//! are data rows, 1-based, the header not counted (as in every rejects file of finrisk).
//!
//! [`write_case_tables`] writes cases back as element tables (CSV files or one XLSX workbook);
//! `finrisk template` and `finrisk generate --case-tables` use it.

use crate::DatasetError;
use finrisk_engine::domain::Case;
use finrisk_engine::domain::grant::RowError;
use finrisk_engine::{Date, EngineError, ErrorCode, FieldError};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// How a cell is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellKind {
    /// Free text or an identifier.
    Text,
    /// A whole number (money in minor units, counts, months).
    Integer,
    /// A rate as a decimal fraction (`0.12`); `12%` is read as 0.12.
    Rate,
    /// Yes or no: `true`/`false`, `1`/`0`, `yes`/`no`, `是`/`否`.
    Flag,
    /// A calendar date, `YYYY-MM-DD` (or a spreadsheet date cell).
    Date,
}

/// One column of an element table.
#[derive(Debug, Clone, Copy)]
pub struct ElementColumn {
    /// The header: the field's path in the Case document.
    pub name: &'static str,
    /// How its cells are read.
    pub kind: CellKind,
    /// Whether every row needs a value.
    pub required: bool,
    /// What it holds.
    pub description: &'static str,
}

const fn column(
    name: &'static str,
    kind: CellKind,
    required: bool,
    description: &'static str,
) -> ElementColumn {
    ElementColumn {
        name,
        kind,
        required,
        description,
    }
}

/// The columns of the cases table, in template order.
pub const CASE_COLUMNS: &[ElementColumn] = &[
    column("case_id", CellKind::Text, true, "case number"),
    column("court", CellKind::Text, false, "court"),
    column(
        "jurisdiction",
        CellKind::Text,
        true,
        "CN, US, EU or UK: the ruleset the case is scored under",
    ),
    column(
        "currency",
        CellKind::Text,
        false,
        "ISO 4217; the jurisdiction's when empty",
    ),
    column(
        "cause",
        CellKind::Text,
        true,
        "financial_loan, credit_card, consumer_finance, microloan or private_lending",
    ),
    column("filed_at", CellKind::Date, true, "date the suit was filed"),
    column(
        "plaintiff.institution_id",
        CellKind::Text,
        true,
        "the lender that sues",
    ),
    column(
        "plaintiff.product_id",
        CellKind::Text,
        false,
        "the product the loan was made under",
    ),
    column(
        "defendant.borrower_key",
        CellKind::Text,
        true,
        "pseudonymous borrower key (no names, id or phone numbers)",
    ),
    column("defendant.age", CellKind::Integer, false, "age at grant"),
    column(
        "defendant.monthly_income_minor",
        CellKind::Integer,
        false,
        "monthly income, minor units",
    ),
    column(
        "defendant.income_verified",
        CellKind::Flag,
        false,
        "whether the lender verified the income",
    ),
    column(
        "defendant.is_student",
        CellKind::Flag,
        false,
        "whether the borrower was a student",
    ),
    column(
        "defendant.active_lenders",
        CellKind::Integer,
        false,
        "lenders with open credit at grant",
    ),
    column(
        "defendant.other_cases_12m",
        CellKind::Integer,
        false,
        "other cases against the borrower in 12 months",
    ),
    column(
        "contract.principal_minor",
        CellKind::Integer,
        true,
        "contract principal, minor units",
    ),
    column(
        "contract.disbursed_at",
        CellKind::Date,
        true,
        "date the money was paid out",
    ),
    column(
        "contract.term_months",
        CellKind::Integer,
        true,
        "term in months",
    ),
    column(
        "contract.repayment",
        CellKind::Text,
        true,
        "equal_installment, equal_principal, interest_only or bullet",
    ),
    column(
        "contract.nominal_annual_rate",
        CellKind::Rate,
        false,
        "nominal annual interest rate (0.12 or 12%)",
    ),
    column(
        "contract.monthly_fee_rate",
        CellKind::Rate,
        false,
        "monthly fee as a share of the principal",
    ),
    column(
        "contract.upfront_fee_minor",
        CellKind::Integer,
        false,
        "fee deducted at disbursement, minor units",
    ),
    column(
        "contract.penalty_annual_rate",
        CellKind::Rate,
        false,
        "annual penalty (overdue) rate",
    ),
    column(
        "claims.as_of",
        CellKind::Date,
        true,
        "date the claim is computed to",
    ),
    column(
        "claims.principal_minor",
        CellKind::Integer,
        true,
        "principal claimed",
    ),
    column(
        "claims.interest_minor",
        CellKind::Integer,
        false,
        "interest claimed",
    ),
    column(
        "claims.penalty_minor",
        CellKind::Integer,
        false,
        "penalty interest claimed",
    ),
    column(
        "claims.compound_minor",
        CellKind::Integer,
        false,
        "compound interest claimed",
    ),
    column(
        "claims.fees_minor",
        CellKind::Integer,
        false,
        "fees claimed",
    ),
    column(
        "claims.legal_costs_minor",
        CellKind::Integer,
        false,
        "legal costs claimed (outside the cap)",
    ),
    column(
        "evidence.borrower_alleges_misled",
        CellKind::Flag,
        false,
        "whether the borrower says they were misled",
    ),
    column(
        "evidence.insurance_bundled",
        CellKind::Flag,
        false,
        "whether insurance was bundled with the loan",
    ),
];

/// The columns of the repayments table.
pub const REPAYMENT_COLUMNS: &[ElementColumn] = &[
    column(
        "case_id",
        CellKind::Text,
        true,
        "the case the repayment belongs to",
    ),
    column("date", CellKind::Date, true, "date paid"),
    column(
        "principal_minor",
        CellKind::Integer,
        true,
        "part that repaid principal, minor units",
    ),
    column(
        "cost_minor",
        CellKind::Integer,
        true,
        "part that paid interest, fees or penalties, minor units",
    ),
];

/// The columns of the ads table.
pub const AD_COLUMNS: &[ElementColumn] = &[
    column(
        "case_id",
        CellKind::Text,
        true,
        "the case the text is evidence in",
    ),
    column(
        "text",
        CellKind::Text,
        true,
        "an advertising text the borrower saw",
    ),
];

/// A cell as read from a CSV file (always text) or a spreadsheet (typed), borrowed from the
/// table that holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    /// No value.
    Empty,
    /// Text.
    Text(&'a str),
    /// A number.
    Number(f64),
    /// A boolean cell.
    Bool(bool),
    /// A date cell.
    Date(Date),
    /// A spreadsheet error value (`#DIV/0!`) or a cell calamine could not type.
    Invalid(String),
}

/// One table: its name (for messages), header and data, kept in the reader's own form (polars'
/// text columns for CSV, calamine's range for a sheet): cells are read in place, not copied
/// into a string each.
#[derive(Debug, Clone)]
pub struct RawTable {
    /// `cases`, `repayments` or `ads`.
    pub name: &'static str,
    /// Where it came from (a file, or a file and a sheet).
    pub source: String,
    /// Header cells, trimmed.
    pub header: Vec<String>,
    data: TableData,
}

#[derive(Debug, Clone)]
enum TableData {
    /// One text column per header cell.
    Csv(Vec<polars::prelude::StringChunked>),
    /// The sheet's used range; its first row is the header.
    Sheet(calamine::Range<calamine::Data>),
    /// Rows of text (tests).
    #[cfg(test)]
    Text(Vec<Vec<String>>),
}

impl RawTable {
    /// Data rows.
    pub fn len(&self) -> usize {
        match &self.data {
            TableData::Csv(columns) => columns.first().map_or(0, |c| c.len()),
            TableData::Sheet(range) => range.height().saturating_sub(1),
            #[cfg(test)]
            TableData::Text(rows) => rows.len(),
        }
    }

    /// Whether the table has no data row.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The cell of data row `row` (0-based) in column `column`.
    pub fn cell(&self, row: usize, column: usize) -> Cell<'_> {
        match &self.data {
            TableData::Csv(columns) => match columns.get(column).and_then(|c| c.get(row)) {
                None => Cell::Empty,
                Some(s) if s.trim().is_empty() => Cell::Empty,
                Some(s) => Cell::Text(s),
            },
            TableData::Sheet(range) => range.get((row + 1, column)).map_or(Cell::Empty, excel_cell),
            #[cfg(test)]
            TableData::Text(rows) => match rows.get(row).and_then(|r| r.get(column)) {
                None => Cell::Empty,
                Some(s) if s.is_empty() => Cell::Empty,
                Some(s) => Cell::Text(s),
            },
        }
    }
}

/// What reading element tables gives: every case row parsed and validated, or the reasons it
/// was refused; rows of the other tables that belong to no case; columns not read.
#[derive(Debug)]
pub struct CaseTables {
    /// One entry per data row of the cases table: its 1-based row number and the case, or why
    /// it was refused.
    pub cases: Vec<(usize, Result<Case, EngineError>)>,
    /// Rows of the repayments and ads tables that could not be attached to a case: the field
    /// is `repayments.<column>` or `ads.<column>` and the row is that table's.
    pub orphans: Vec<RowError>,
    /// Header cells that are not columns of their table (`cases: foo`), ignored.
    pub ignored_columns: Vec<String>,
    /// Where each table was read from.
    pub sources: Vec<String>,
}

/// Whether `path` names an element table (CSV or XLSX) rather than JSON lines.
pub fn is_element_table(path: &Path) -> bool {
    matches!(
        extension(path).as_deref(),
        Some("csv" | "xlsx" | "xlsm" | "xls" | "ods")
    )
}

fn extension(path: &Path) -> Option<String> {
    path.extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
}

fn is_workbook(path: &Path) -> bool {
    matches!(
        extension(path).as_deref(),
        Some("xlsx" | "xlsm" | "xls" | "ods")
    )
}

fn read_error(path: &Path, reason: impl std::fmt::Display) -> DatasetError {
    DatasetError::Read {
        path: path.display().to_string(),
        reason: reason.to_string(),
    }
}

/// Reads a CSV file as a table of text cells.
fn read_csv(path: &Path, name: &'static str) -> Result<RawTable, DatasetError> {
    let df = crate::read_table(path)?;
    let header: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|c| c.trim().to_string())
        .collect();
    let mut columns = Vec::with_capacity(header.len());
    for column in df.columns() {
        let text = column
            .cast(&polars::prelude::DataType::String)
            .map_err(|e| read_error(path, e))?;
        let text = text.str().map_err(|e| read_error(path, e))?;
        columns.push(text.rechunk().into_owned());
    }
    Ok(RawTable {
        name,
        source: path.display().to_string(),
        header,
        data: TableData::Csv(columns),
    })
}

fn excel_cell(cell: &calamine::Data) -> Cell<'_> {
    use calamine::Data;
    match cell {
        Data::Empty => Cell::Empty,
        Data::String(s) if s.trim().is_empty() => Cell::Empty,
        Data::String(s) => Cell::Text(s),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            match Date::from_ymd(i32::from(y), u32::from(m), u32::from(d)) {
                Some(date) if dt.is_datetime() => Cell::Date(date),
                _ => Cell::Invalid(format!("`{}` is not a calendar date", dt.as_f64())),
            }
        }
        Data::DateTimeIso(s) => Cell::Text(s.get(..10).unwrap_or(s)),
        Data::DurationIso(s) => Cell::Invalid(format!("`{s}` is a duration, not a value")),
        Data::Error(e) => Cell::Invalid(format!("the cell holds the spreadsheet error {e}")),
    }
}

/// The sheets of a workbook, by name.
struct Workbook {
    path: PathBuf,
    sheets: calamine::Sheets<std::io::BufReader<std::fs::File>>,
    names: Vec<String>,
}

impl Workbook {
    fn open(path: &Path) -> Result<Self, DatasetError> {
        if !path.is_file() {
            return Err(DatasetError::io(
                path,
                std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
            ));
        }
        let sheets = crate::guarded(path, || {
            calamine::open_workbook_auto(path).map_err(|e| read_error(path, e))
        })?;
        let names = calamine::Reader::sheet_names(&sheets);
        Ok(Self {
            path: path.to_path_buf(),
            sheets,
            names,
        })
    }

    fn has(&self, sheet: &str) -> Option<String> {
        self.names
            .iter()
            .find(|n| n.trim().eq_ignore_ascii_case(sheet))
            .cloned()
    }

    fn read(&mut self, sheet: &str, name: &'static str) -> Result<RawTable, DatasetError> {
        let path = self.path.clone();
        let range = crate::guarded(&path, || {
            calamine::Reader::worksheet_range(&mut self.sheets, sheet)
                .map_err(|e| read_error(&path, format!("sheet `{sheet}`: {e}")))
        })?;
        let header: Vec<String> = range
            .rows()
            .next()
            .map(|r| {
                r.iter()
                    .map(|c| match excel_cell(c) {
                        Cell::Text(s) => s.trim().to_string(),
                        Cell::Number(n) => n.to_string(),
                        _ => String::new(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(RawTable {
            name,
            source: format!("{} (sheet {sheet})", path.display()),
            header,
            data: TableData::Sheet(range),
        })
    }
}

/// Reads the cases table at `input` and its repayments and ads (separate files, or sheets of
/// the same workbook), and builds every case.
pub fn read_case_tables(
    input: &Path,
    repayments: Option<&Path>,
    ads: Option<&Path>,
) -> Result<CaseTables, DatasetError> {
    let mut sheet_repayments = None;
    let mut sheet_ads = None;
    let cases = if is_workbook(input) {
        let mut book = Workbook::open(input)?;
        let sheet = book
            .has("cases")
            .or_else(|| book.names.first().cloned())
            .ok_or_else(|| read_error(input, "the workbook has no sheet"))?;
        let cases = book.read(&sheet, "cases")?;
        if repayments.is_none()
            && let Some(s) = book.has("repayments")
        {
            sheet_repayments = Some(book.read(&s, "repayments")?);
        }
        if ads.is_none()
            && let Some(s) = book.has("ads")
        {
            sheet_ads = Some(book.read(&s, "ads")?);
        }
        cases
    } else {
        read_csv(input, "cases")?
    };
    let side =
        |path: Option<&Path>, name: &'static str| -> Result<Option<RawTable>, DatasetError> {
            match path {
                None => Ok(None),
                Some(p) if is_workbook(p) => {
                    let mut book = Workbook::open(p)?;
                    let sheet = book
                        .has(name)
                        .or_else(|| book.names.first().cloned())
                        .ok_or_else(|| read_error(p, "the workbook has no sheet"))?;
                    book.read(&sheet, name).map(Some)
                }
                Some(p) => read_csv(p, name).map(Some),
            }
        };
    let repayments = match side(repayments, "repayments")? {
        Some(t) => Some(t),
        None => sheet_repayments,
    };
    let ads = match side(ads, "ads")? {
        Some(t) => Some(t),
        None => sheet_ads,
    };
    build_cases(&cases, repayments.as_ref(), ads.as_ref())
}

/// Where each column of `columns` is in `table`'s header; unknown header cells are listed in
/// `ignored`; a missing required column is an error naming it.
fn locate(
    table: &RawTable,
    columns: &[ElementColumn],
    ignored: &mut Vec<String>,
) -> Result<Vec<Option<usize>>, DatasetError> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, h) in table.header.iter().enumerate() {
        if h.is_empty() {
            continue;
        }
        if seen.insert(h.as_str(), i).is_some() {
            return Err(DatasetError::Parameter {
                field: format!("{}.{h}", table.name),
                reason: format!("the column appears twice in the header of {}", table.source),
            });
        }
        if !columns.iter().any(|c| c.name == h) {
            ignored.push(format!("{}: {h}", table.name));
        }
    }
    let missing: Vec<String> = columns
        .iter()
        .filter(|c| c.required && !seen.contains_key(c.name))
        .map(|c| format!("{}.{} (in {})", table.name, c.name, table.source))
        .collect();
    if !missing.is_empty() {
        return Err(DatasetError::MissingColumns { columns: missing });
    }
    Ok(columns.iter().map(|c| seen.get(c.name).copied()).collect())
}

fn invalid(field: &str, reason: String) -> FieldError {
    FieldError::with_code(field, reason, ErrorCode::InvalidField)
}

fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{n:.0}")
    } else {
        n.to_string()
    }
}

/// The JSON value of one cell, or why it cannot be one. `None`: the cell is empty.
fn cell_value(cell: &Cell<'_>, kind: CellKind, field: &str) -> Result<Option<Value>, FieldError> {
    let text = match cell {
        Cell::Empty => return Ok(None),
        Cell::Invalid(reason) => return Err(invalid(field, reason.clone())),
        Cell::Text(s) => (*s).trim().to_string(),
        Cell::Number(n) => number_text(*n),
        Cell::Bool(b) => b.to_string(),
        Cell::Date(d) => d.to_string(),
    };
    let value = match kind {
        CellKind::Text => Value::String(text),
        CellKind::Integer => {
            let whole = match cell {
                Cell::Number(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => text.parse::<i64>().ok(),
                Cell::Number(_) => None,
                _ => text.parse::<i64>().ok(),
            };
            match whole {
                Some(v) => Value::from(v),
                None => {
                    return Err(invalid(
                        field,
                        format!("`{text}` is not a whole number (amounts are in minor units)"),
                    ));
                }
            }
        }
        CellKind::Rate => {
            let parsed = match cell {
                Cell::Number(n) => Some(*n),
                _ => match text.strip_suffix('%') {
                    Some(p) => p.trim().parse::<f64>().ok().map(|v| v / 100.0),
                    None => text.parse::<f64>().ok(),
                },
            };
            match parsed.filter(|v| v.is_finite()) {
                Some(v) => Value::from(v),
                None => {
                    return Err(invalid(
                        field,
                        format!("`{text}` is not a rate (write 0.12 or 12%)"),
                    ));
                }
            }
        }
        CellKind::Flag => match text.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "y" | "是" => Value::Bool(true),
            "false" | "0" | "no" | "n" | "否" => Value::Bool(false),
            _ => {
                return Err(invalid(
                    field,
                    format!("`{text}` is not yes or no (write true/false, 1/0, yes/no or 是/否)"),
                ));
            }
        },
        CellKind::Date => match Date::parse(&text) {
            Ok(d) => Value::String(d.to_string()),
            Err(e) => return Err(invalid(field, format!("`{text}` is not a date: {e}"))),
        },
    };
    Ok(Some(value))
}

/// Sets `path` (dot-separated) in `object`.
fn set_path(object: &mut Map<String, Value>, path: &str, value: Value) {
    match path.split_once('.') {
        None => {
            object.insert(path.to_string(), value);
        }
        Some((head, rest)) => {
            let child = object
                .entry(head.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(map) = child {
                set_path(map, rest, value);
            }
        }
    }
}

/// Reads data row `row` of `table` into a JSON object, collecting every bad cell.
fn row_object(
    table: &RawTable,
    columns: &[ElementColumn],
    at: &[Option<usize>],
    row: usize,
    prefix: &str,
) -> (Map<String, Value>, Vec<FieldError>) {
    let mut object = Map::new();
    let mut errors = Vec::new();
    for (c, index) in columns.iter().zip(at) {
        let Some(index) = index else { continue };
        let field = format!("{prefix}{}", c.name);
        match cell_value(&table.cell(row, *index), c.kind, &field) {
            Ok(Some(v)) => set_path(&mut object, c.name, v),
            Ok(None) => {}
            Err(e) => errors.push(e),
        }
    }
    (object, errors)
}

fn case_id_of(object: &Map<String, Value>) -> Option<String> {
    object
        .get("case_id")
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// Builds the cases from tables already read: the side tables are attached to their cases
/// first, then each case row is built and validated in turn (one row's JSON at a time).
pub fn build_cases(
    cases: &RawTable,
    repayments: Option<&RawTable>,
    ads: Option<&RawTable>,
) -> Result<CaseTables, DatasetError> {
    let mut ignored = Vec::new();
    let case_at = locate(cases, CASE_COLUMNS, &mut ignored)?;
    let mut sources = vec![cases.source.clone()];
    let n = cases.len();
    // Problems found outside a row's own cells: a repeated case id, a bad repayment row.
    let mut extra_errors: Vec<Vec<FieldError>> = vec![Vec::new(); n];
    // case_id -> index of its first row in the cases table.
    let mut by_id: HashMap<String, usize> = HashMap::with_capacity(n);
    if let Some(Some(id_column)) = CASE_COLUMNS
        .iter()
        .position(|c| c.name == "case_id")
        .map(|k| case_at[k])
    {
        for (i, errors) in extra_errors.iter_mut().enumerate() {
            let Ok(Some(Value::String(id))) =
                cell_value(&cases.cell(i, id_column), CellKind::Text, "case_id")
            else {
                continue;
            };
            match by_id.get(&id) {
                Some(first) => errors.push(FieldError::with_code(
                    "case_id",
                    format!("`{id}` is also the case id of row {}", first + 1),
                    ErrorCode::InvalidValue,
                )),
                None => {
                    by_id.insert(id, i);
                }
            }
        }
    }
    let mut orphans = Vec::new();
    let mut attached: Vec<Vec<Value>> = vec![Vec::new(); n];
    let mut texts: Vec<Vec<Value>> = vec![Vec::new(); n];
    for (table, columns, lists) in [
        (repayments, REPAYMENT_COLUMNS, &mut attached),
        (ads, AD_COLUMNS, &mut texts),
    ] {
        let Some(table) = table else { continue };
        sources.push(table.source.clone());
        let at = locate(table, columns, &mut ignored)?;
        let prefix = format!("{}.", table.name);
        for r in 0..table.len() {
            let (object, errors) = row_object(table, columns, &at, r, &prefix);
            let target = case_id_of(&object).and_then(|id| by_id.get(&id).copied());
            let Some(case) = target else {
                let reason = match case_id_of(&object) {
                    Some(id) => format!("`{id}` is not the case id of any row of the cases table"),
                    None => "is empty".to_string(),
                };
                orphans.push(RowError {
                    row: r + 1,
                    field: format!("{}.case_id", table.name),
                    reason,
                    code: ErrorCode::InvalidValue.as_str(),
                });
                continue;
            };
            if errors.is_empty() {
                let mut item = object;
                item.remove("case_id");
                lists[case].push(match item.remove("text") {
                    Some(text) => text,
                    None => Value::Object(item),
                });
            } else {
                let detail: Vec<String> = errors
                    .iter()
                    .map(|e| format!("{}: {}", e.field, e.reason))
                    .collect();
                extra_errors[case].push(FieldError::with_code(
                    table.name,
                    format!(
                        "row {} of the {} table: {}",
                        r + 1,
                        table.name,
                        detail.join("; ")
                    ),
                    ErrorCode::InvalidField,
                ));
            }
        }
    }
    let built = extra_errors
        .into_iter()
        .zip(attached.into_iter().zip(texts))
        .enumerate()
        .map(|(i, (extra, (repayments, texts)))| {
            let (mut object, mut errors) = row_object(cases, CASE_COLUMNS, &case_at, i, "");
            errors.extend(extra);
            if !errors.is_empty() {
                return (i + 1, Err(EngineError::Invalid(errors)));
            }
            if !repayments.is_empty() {
                object.insert("repayments".into(), Value::Array(repayments));
            }
            if !texts.is_empty() {
                let evidence = object
                    .entry("evidence")
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(e) = evidence {
                    e.insert("marketing_texts".into(), Value::Array(texts));
                }
            }
            (i + 1, Case::from_value(Value::Object(object)))
        })
        .collect();
    Ok(CaseTables {
        cases: built,
        orphans,
        ignored_columns: ignored,
        sources,
    })
}

/// The format element tables are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFileFormat {
    /// Three CSV files: `<stem>.csv`, `<stem>.repayments.csv`, `<stem>.ads.csv`.
    Csv,
    /// One XLSX workbook with the sheets `cases`, `repayments` and `ads`.
    Xlsx,
}

/// A table to write: its name, columns and rows of cells.
type TableToWrite = (&'static str, &'static [ElementColumn], Vec<Vec<Value>>);

/// The three tables of `cases` as rows of cells (text, or a number where the column is one).
fn table_rows(cases: &[Case]) -> [TableToWrite; 3] {
    let mut case_rows = Vec::with_capacity(cases.len());
    let mut repayment_rows = Vec::new();
    let mut ad_rows = Vec::new();
    for case in cases {
        let value = serde_json::to_value(case).unwrap_or(Value::Null);
        case_rows.push(
            CASE_COLUMNS
                .iter()
                .map(|c| {
                    c.name
                        .split('.')
                        .try_fold(&value, |v, key| v.get(key))
                        .cloned()
                        .unwrap_or(Value::Null)
                })
                .collect(),
        );
        for r in &case.repayments {
            repayment_rows.push(vec![
                Value::from(case.case_id.clone()),
                Value::from(r.date.to_string()),
                Value::from(r.principal_minor),
                Value::from(r.cost_minor),
            ]);
        }
        for t in &case.evidence.marketing_texts {
            ad_rows.push(vec![
                Value::from(case.case_id.clone()),
                Value::from(t.clone()),
            ]);
        }
    }
    [
        ("cases", CASE_COLUMNS, case_rows),
        ("repayments", REPAYMENT_COLUMNS, repayment_rows),
        ("ads", AD_COLUMNS, ad_rows),
    ]
}

fn csv_cell(v: &Value) -> String {
    let s = match v {
        Value::Null => return String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// The paths element tables of `path` are written to: for CSV the cases file itself and two
/// siblings (`x.repayments.csv`, `x.ads.csv`); for XLSX the one workbook.
pub fn table_paths(path: &Path, format: TableFileFormat) -> Vec<PathBuf> {
    match format {
        TableFileFormat::Xlsx => vec![path.to_path_buf()],
        TableFileFormat::Csv => vec![
            path.to_path_buf(),
            path.with_extension("repayments.csv"),
            path.with_extension("ads.csv"),
        ],
    }
}

/// Writes `cases` as element tables at `path` (see [`table_paths`]).
pub fn write_case_tables(
    cases: &[Case],
    path: &Path,
    format: TableFileFormat,
) -> Result<Vec<PathBuf>, DatasetError> {
    let tables = table_rows(cases);
    let paths = table_paths(path, format);
    match format {
        TableFileFormat::Csv => {
            for ((_, columns, rows), file) in tables.iter().zip(&paths) {
                let mut text = String::new();
                let header: Vec<&str> = columns.iter().map(|c| c.name).collect();
                text.push_str(&header.join(","));
                text.push('\n');
                for row in rows {
                    let cells: Vec<String> = row.iter().map(csv_cell).collect();
                    text.push_str(&cells.join(","));
                    text.push('\n');
                }
                crate::write::write_atomically(file, text.as_bytes())?;
            }
        }
        TableFileFormat::Xlsx => {
            let write_err = |e: rust_xlsxwriter::XlsxError| DatasetError::write(path, e);
            let mut book = rust_xlsxwriter::Workbook::new();
            let bold = rust_xlsxwriter::Format::new().set_bold();
            for (name, columns, rows) in &tables {
                let sheet = book.add_worksheet();
                sheet.set_name(*name).map_err(write_err)?;
                for (c, column) in columns.iter().enumerate() {
                    let c = u16::try_from(c).map_err(|e| DatasetError::write(path, e))?;
                    sheet
                        .write_string_with_format(0, c, column.name, &bold)
                        .map_err(write_err)?;
                    sheet
                        .set_column_width(c, column.name.len().clamp(10, 32) as f64)
                        .map_err(write_err)?;
                }
                for (r, row) in rows.iter().enumerate() {
                    let r = u32::try_from(r + 1).map_err(|e| DatasetError::write(path, e))?;
                    for (c, v) in row.iter().enumerate() {
                        let c = u16::try_from(c).map_err(|e| DatasetError::write(path, e))?;
                        match v {
                            Value::Null => {}
                            Value::Number(n) => {
                                // Whole numbers and rates are exact in an f64 at these sizes.
                                let x = n.as_f64().unwrap_or(f64::NAN);
                                sheet.write_number(r, c, x).map_err(write_err)?;
                            }
                            Value::Bool(b) => {
                                sheet.write_boolean(r, c, *b).map_err(write_err)?;
                            }
                            Value::String(s) => {
                                sheet.write_string(r, c, s).map_err(write_err)?;
                            }
                            other => {
                                sheet
                                    .write_string(r, c, other.to_string())
                                    .map_err(write_err)?;
                            }
                        }
                    }
                }
            }
            let bytes = book.save_to_buffer().map_err(write_err)?;
            crate::write::write_atomically(path, &bytes)?;
        }
    }
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_table(name: &'static str, csv: &str) -> RawTable {
        let mut lines = csv.lines();
        let header = lines
            .next()
            .unwrap()
            .split(',')
            .map(str::to_string)
            .collect();
        let rows = lines
            .map(|l| l.split(',').map(str::to_string).collect())
            .collect();
        RawTable {
            name,
            source: name.to_string(),
            header,
            data: TableData::Text(rows),
        }
    }

    const HEADER: &str = "case_id,jurisdiction,cause,filed_at,plaintiff.institution_id,defendant.borrower_key,contract.principal_minor,contract.disbursed_at,contract.term_months,contract.repayment,contract.nominal_annual_rate,claims.as_of,claims.principal_minor,claims.interest_minor,defendant.is_student";

    #[test]
    fn a_row_becomes_the_case_a_json_line_would_be() {
        let cases = text_table(
            "cases",
            &format!(
                "{HEADER}\nC1,CN,financial_loan,2024-05-10,INST-A,b1,1000000,2023-01-05,12,equal_installment,12%,2024-05-10,921151,60000,是"
            ),
        );
        let repayments = text_table(
            "repayments",
            "case_id,date,principal_minor,cost_minor\nC1,2023-02-05,78849,15000",
        );
        let ads = text_table("ads", "case_id,text\nC1,日息低至0.02%");
        let t = build_cases(&cases, Some(&repayments), Some(&ads)).unwrap();
        let case = t.cases[0].1.as_ref().unwrap();
        assert_eq!(case.contract.nominal_annual_rate, 0.12);
        assert_eq!(case.defendant.is_student, Some(true));
        assert_eq!(case.repayments.len(), 1);
        assert_eq!(case.evidence.marketing_texts, vec!["日息低至0.02%"]);
        assert!(t.orphans.is_empty() && t.ignored_columns.is_empty());
    }

    #[test]
    fn bad_cells_name_their_column_and_orphans_are_reported() {
        let cases = text_table(
            "cases",
            &format!(
                "{HEADER},colour\nC1,CN,financial_loan,2024-05-10,INST-A,b1,10000.5,2023-01-05,12,equal_installment,0.12,2024-13-10,921151,60000,maybe,red"
            ),
        );
        let repayments = text_table(
            "repayments",
            "case_id,date,principal_minor,cost_minor\nC9,2023-02-05,1,1\nC1,2023-02-05,x,1",
        );
        let t = build_cases(&cases, Some(&repayments), None).unwrap();
        let errors = t.cases[0].1.as_ref().unwrap_err().field_errors();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec![
                "defendant.is_student",
                "contract.principal_minor",
                "claims.as_of",
                "repayments"
            ]
        );
        assert!(errors[3].reason.contains("row 2 of the repayments table"));
        assert!(errors[3].reason.contains("repayments.principal_minor"));
        assert_eq!(t.orphans.len(), 1);
        assert_eq!(t.orphans[0].row, 1);
        assert_eq!(t.orphans[0].field, "repayments.case_id");
        assert_eq!(t.ignored_columns, vec!["cases: colour"]);
    }

    #[test]
    fn a_missing_required_column_stops_the_read_naming_it() {
        let cases = text_table("cases", "case_id,jurisdiction\nC1,CN");
        let e = build_cases(&cases, None, None).unwrap_err().to_string();
        assert!(e.contains("cases.cause"), "{e}");
    }

    #[test]
    fn a_duplicate_case_id_is_refused_on_its_second_row() {
        let row = "C1,CN,financial_loan,2024-05-10,INST-A,b1,1000000,2023-01-05,12,equal_installment,0.12,2024-05-10,921151,60000,0";
        let cases = text_table("cases", &format!("{HEADER}\n{row}\n{row}"));
        let t = build_cases(&cases, None, None).unwrap();
        assert!(t.cases[0].1.is_ok());
        let e = t.cases[1].1.as_ref().unwrap_err().field_errors();
        assert_eq!(e[0].field, "case_id");
        assert!(e[0].reason.contains("row 1"));
    }
}
