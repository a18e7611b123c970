//! `finrisk validate`: check an input and list every problem with its field.

use crate::cli::{Format, Kind, ValidateArgs};
use crate::failure::bad_input;
use crate::input::read_document;
use crate::output::to_json;
use finrisk_datasets::{LoadReport, load_grants};
use finrisk_engine::FieldError;
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
        Kind::Case | Kind::Product => document(args),
    }
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
        print!("{detail}");
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
