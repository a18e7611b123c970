//! `finrisk template`: an empty element table for `batch --kind cases`, with one example row
//! (the case of SPEC section 4, as in `examples/case.json`) so a clerk sees every column filled.

use crate::cli::{TableFileFormat, TemplateArgs, TemplateKind};
use crate::output::to_json;
use finrisk_datasets::element_table::write_case_tables;
use finrisk_engine::domain::Case;
use serde_json::json;
use std::path::PathBuf;

/// The example row: the SPEC's case document.
const EXAMPLE_CASE: &str = include_str!("../../examples/case.json");

pub(crate) fn run(args: &TemplateArgs) -> anyhow::Result<String> {
    match args.kind {
        TemplateKind::Cases => {}
    }
    let out = args.out.clone().unwrap_or_else(|| {
        PathBuf::from(match args.format {
            TableFileFormat::Csv => "cases-template.csv",
            TableFileFormat::Xlsx => "cases-template.xlsx",
        })
    });
    crate::output::output_directory_exists("out", &out)?;
    let example = Case::from_json(EXAMPLE_CASE)?;
    let written = write_case_tables(&[example], &out, args.format.into())?;
    to_json(&json!({
        "kind": "cases",
        "files": written.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
        "columns": finrisk_datasets::element_table::CASE_COLUMNS
            .iter()
            .map(|c| json!({ "name": c.name, "required": c.required, "description": c.description }))
            .collect::<Vec<_>>(),
    }))
}

#[cfg(test)]
mod tests {
    /// The court analysts' guide documents every column of the element table.
    #[test]
    fn the_guide_lists_every_column() {
        let guide = include_str!("../../docs/guide/court-analysts.md");
        for c in finrisk_datasets::element_table::CASE_COLUMNS {
            let cell = if c.required {
                format!("| **`{}`** | {} |", c.name, c.description)
            } else {
                format!("| `{}` | {} |", c.name, c.description)
            };
            assert!(guide.contains(&cell), "the guide lacks the row {cell}");
        }
    }
}
