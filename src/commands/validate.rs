//! `finrisk validate`: check an input and list every problem with its field.

use crate::cli::{Format, Kind, ValidateArgs};
use crate::failure::bad_input;
use crate::input::read_document;
use crate::output::to_json;
use finrisk_datasets::element_table::{is_element_table, read_case_tables};
use finrisk_datasets::{LoadReport, load_grants};
use finrisk_engine::FieldError;
use finrisk_engine::domain::grant::RowError;
use finrisk_engine::domain::{Case, Product};
use serde::Serialize;

#[derive(Serialize)]
struct DocumentReport {
    kind: &'static str,
    valid: bool,
    errors: Vec<FieldError>,
}

pub(crate) fn run(args: &ValidateArgs) -> anyhow::Result<String> {
    match args.kind {
        Kind::Grants => grants(args),
        Kind::Cases => cases(args),
        Kind::Case | Kind::Product => document(args),
    }
}

/// What `validate --kind cases` found: every refused row with its field and reason.
#[derive(Serialize)]
struct CasesReport {
    kind: &'static str,
    tables: Vec<String>,
    rows_read: usize,
    rows_accepted: usize,
    rows_rejected: usize,
    /// Rows of the repayments and ads tables that belong to no case.
    side_rows_rejected: usize,
    ignored_columns: Vec<String>,
    row_errors: Vec<RowError>,
}

/// Cases as an element table (CSV or XLSX, with its repayments and ads) or as JSON lines.
fn cases(args: &ValidateArgs) -> anyhow::Result<String> {
    let mut row_errors = Vec::new();
    let (rows, tables, ignored_columns, side) = if is_element_table(&args.input) {
        let t = read_case_tables(&args.input, args.repayments.as_deref(), args.ads.as_deref())?;
        let side = t.orphans.len();
        row_errors.extend(t.orphans);
        let rows: Vec<(usize, Result<(), finrisk_engine::EngineError>)> = t
            .cases
            .into_iter()
            .map(|(row, c)| (row, c.map(|_| ())))
            .collect();
        (rows, t.sources, t.ignored_columns, side)
    } else {
        if args.repayments.is_some() || args.ads.is_some() {
            return Err(bad_input(
                "repayments: only with an element table (.csv or .xlsx) as --input",
            ));
        }
        let text = std::fs::read_to_string(&args.input)
            .map_err(|e| bad_input(format!("input: cannot read {}: {e}", args.input.display())))?;
        let rows = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| (i + 1, Case::from_json(l).map(|_| ())))
            .collect();
        (rows, vec![args.input.display().to_string()], Vec::new(), 0)
    };
    let rows_read = rows.len();
    let mut rows_rejected = 0;
    for (row, result) in rows {
        if let Err(e) = result {
            rows_rejected += 1;
            row_errors.extend(
                e.field_errors()
                    .into_iter()
                    .map(|f| RowError::from_field(row, f)),
            );
        }
    }
    let report = CasesReport {
        kind: "cases",
        tables,
        rows_read,
        rows_accepted: rows_read - rows_rejected,
        rows_rejected,
        side_rows_rejected: side,
        ignored_columns,
        row_errors,
    };
    let detail = match args.format {
        Format::Json => to_json(&report)?,
        Format::Text => {
            let mut s = format!(
                "cases read {}, accepted {}, refused {}; repayment and ad rows refused {}\n",
                report.rows_read, report.rows_accepted, report.rows_rejected, side
            );
            if !report.ignored_columns.is_empty() {
                s.push_str(&format!(
                    "ignored unknown columns: {}\n",
                    report.ignored_columns.join(", ")
                ));
            }
            for e in &report.row_errors {
                s.push_str(&format!("row {}: {}: {}\n", e.row, e.field, e.reason));
            }
            s
        }
    };
    if let Some(first) = report.row_errors.first() {
        crate::failure::write_stdout(&detail)?;
        return Err(bad_input(format!(
            "{}: {} of {} cases refused, {} repayment or ad rows refused; first: row {}, {}: {}",
            args.input.display(),
            report.rows_rejected,
            report.rows_read,
            side,
            first.row,
            first.field,
            first.reason
        )));
    }
    Ok(detail)
}

fn document(args: &ValidateArgs) -> anyhow::Result<String> {
    let (what, kind) = match args.kind {
        Kind::Case => ("case", "case"),
        _ => ("product", "product"),
    };
    let text = read_document(&args.input, what, args.max_document_bytes)?;
    let result = match args.kind {
        Kind::Case => Case::from_json(&text).map(|_| ()),
        _ => Product::from_json(&text).map(|_| ()),
    };
    match result {
        Ok(()) => match args.format {
            Format::Json => to_json(&DocumentReport {
                kind,
                valid: true,
                errors: Vec::new(),
            }),
            Format::Text => Ok(format!("{}: valid {kind}\n", args.input.display())),
        },
        // Invalid documents are bad input: one line on stderr, exit 2.
        Err(e) => Err(e.into()),
    }
}

fn grants(args: &ValidateArgs) -> anyhow::Result<String> {
    let (_, report) = load_grants(&args.input)?;
    if report.rows_rejected > 0 {
        let first = &report.row_errors[0];
        let detail = match args.format {
            Format::Json => to_json(&report)?,
            Format::Text => text(&report),
        };
        // The full report still goes to stdout so nothing is lost; the one-line summary and
        // exit code 2 say the table is not clean.
        crate::failure::write_stdout(&detail)?;
        return Err(bad_input(format!(
            "{}: {} of {} rows refused; first: row {}, {}: {}",
            args.input.display(),
            report.rows_rejected,
            report.rows_read,
            first.row,
            first.field,
            first.reason
        )));
    }
    match args.format {
        Format::Json => to_json(&report),
        Format::Text => Ok(text(&report)),
    }
}

fn text(r: &LoadReport) -> String {
    let mut s = format!(
        "rows read {}, accepted {}, refused {}\n",
        r.rows_read, r.rows_accepted, r.rows_rejected
    );
    if !r.unknown_columns.is_empty() {
        s.push_str(&format!(
            "ignored unknown columns: {}\n",
            r.unknown_columns.join(", ")
        ));
    }
    for e in &r.row_errors {
        s.push_str(&format!("row {}: {}: {}\n", e.row, e.field, e.reason));
    }
    s
}
