//! Element tables end to end: a generated docket written as CSV and as XLSX scores to the same
//! results as the same cases in JSON lines; every bad cell planted in a table is named in the
//! rejects file with its row and column while the other rows are scored; `validate --kind
//! cases` and `template` work on the same tables.

#![expect(
    clippy::unwrap_used,
    reason = "test code: a failed set-up should panic"
)]

mod common;

use common::{bad_input_line, json, run, scratch};
use std::path::Path;

fn generate(dir: &Path, grants: &str, cases: &str, tables: &str) {
    json(&[
        "generate",
        "--out",
        dir.to_str().unwrap(),
        "--grants",
        grants,
        "--cases",
        cases,
        "--case-tables",
        tables,
    ]);
}

fn batch(input: &Path, extra: &[&str], output: &Path) -> serde_json::Value {
    let mut args = vec![
        "batch",
        "--kind",
        "cases",
        "--input",
        input.to_str().unwrap(),
        "--output",
        output.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    json(&args)
}

#[test]
fn ten_thousand_cases_as_csv_and_xlsx_score_as_their_json_lines() {
    let dir = scratch("element", "same");
    let generated = dir.join("gen");
    generate(&generated, "120000", "10000", "csv,xlsx");
    let (csv_dir, xlsx_dir) = (&generated, &generated);
    let jsonl = std::fs::read_to_string(csv_dir.join("cases.jsonl")).unwrap();
    assert_eq!(jsonl.lines().count(), 10_000);

    let from_json = dir.join("json.jsonl");
    let s = batch(&csv_dir.join("cases.jsonl"), &[], &from_json);
    assert_eq!(s["rows_assessed"], 10_000);
    let (reps, ads) = (
        csv_dir.join("cases.repayments.csv"),
        csv_dir.join("cases.ads.csv"),
    );
    let from_csv = dir.join("csv.jsonl");
    let s = batch(
        &csv_dir.join("cases.csv"),
        &[
            "--repayments",
            reps.to_str().unwrap(),
            "--ads",
            ads.to_str().unwrap(),
        ],
        &from_csv,
    );
    assert_eq!(s["rows_assessed"], 10_000);
    assert_eq!(s["rows_rejected"], 0);
    assert_eq!(s["side_rows_rejected"], 0);
    let from_xlsx = dir.join("xlsx.jsonl");
    let s = batch(&xlsx_dir.join("cases.xlsx"), &[], &from_xlsx);
    assert_eq!(s["rows_assessed"], 10_000);
    assert_eq!(s["tables"].as_array().unwrap().len(), 3, "{s}");

    let expected = std::fs::read_to_string(&from_json).unwrap();
    assert!(expected.contains("\"repayments\"") || expected.contains("principal_years_minor"));
    for got in [&from_csv, &from_xlsx] {
        let got = std::fs::read_to_string(got).unwrap();
        assert_eq!(got.len(), expected.len());
        for (k, (a, b)) in got.lines().zip(expected.lines()).enumerate() {
            assert_eq!(a, b, "case {} differs", k + 1);
        }
    }
    // The summary CSV is the same too, whatever the input.
    let (a, b) = (dir.join("json.csv"), dir.join("xlsx.csv"));
    batch(&csv_dir.join("cases.jsonl"), &[], &a);
    batch(&xlsx_dir.join("cases.xlsx"), &[], &b);
    assert_eq!(
        std::fs::read_to_string(a).unwrap(),
        std::fs::read_to_string(b).unwrap()
    );
}

/// Replaces the cell of `column` on data row `row` (1-based) of a CSV text without quotes.
fn set_cell(text: &str, row: usize, column: &str, value: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let k = lines[0].split(',').position(|c| c == column).unwrap();
    let mut cells: Vec<String> = lines[row].split(',').map(str::to_string).collect();
    cells[k] = value.to_string();
    lines[row] = cells.join(",");
    lines.join("\n") + "\n"
}

fn cell(text: &str, row: usize, column: &str) -> String {
    let mut lines = text.lines();
    let k = lines
        .next()
        .unwrap()
        .split(',')
        .position(|c| c == column)
        .unwrap();
    text.lines()
        .nth(row)
        .unwrap()
        .split(',')
        .nth(k)
        .unwrap()
        .to_string()
}

#[test]
fn every_planted_bad_cell_is_named_and_the_other_rows_are_scored() {
    let dir = scratch("element", "bad");
    generate(&dir, "30000", "200", "csv");
    let cases_path = dir.join("cases.csv");
    let mut cases = std::fs::read_to_string(&cases_path).unwrap();
    assert!(!cases.contains('"'), "the test edits unquoted CSV");
    let rows = cases.lines().count() - 1;
    assert_eq!(rows, 200);
    cases = set_cell(&cases, 5, "contract.principal_minor", "12.5");
    cases = set_cell(&cases, 9, "claims.as_of", "2024-02-30");
    cases = set_cell(&cases, 13, "defendant.is_student", "maybe");
    cases = set_cell(&cases, 17, "jurisdiction", "XX");
    cases = set_cell(&cases, 21, "contract.nominal_annual_rate", "twelve");
    std::fs::write(&cases_path, &cases).unwrap();
    let reps_path = dir.join("cases.repayments.csv");
    let mut reps = std::fs::read_to_string(&reps_path).unwrap();
    let bad_rep_case = cell(&reps, 3, "case_id");
    reps = set_cell(&reps, 3, "principal_minor", "abc");
    reps.push_str("NO-SUCH-CASE,2024-01-01,100,10\n");
    let orphan_rep_row = reps.lines().count() - 1;
    std::fs::write(&reps_path, &reps).unwrap();
    let ads_path = dir.join("cases.ads.csv");
    let mut ads = std::fs::read_to_string(&ads_path).unwrap();
    ads.push_str(",日息低至0.02%\n");
    let orphan_ad_row = ads.lines().count() - 1;
    std::fs::write(&ads_path, &ads).unwrap();
    let bad_rep_case_row = cases
        .lines()
        .position(|l| l.starts_with(&format!("{bad_rep_case},")))
        .unwrap();

    let out = dir.join("scored.csv");
    let s = batch(
        &cases_path,
        &[
            "--repayments",
            reps_path.to_str().unwrap(),
            "--ads",
            ads_path.to_str().unwrap(),
        ],
        &out,
    );
    let refused_cases = if [5, 9, 13, 17, 21].contains(&bad_rep_case_row) {
        5
    } else {
        6
    };
    assert_eq!(s["rows_rejected"], refused_cases, "{s}");
    assert_eq!(s["rows_assessed"], 200 - refused_cases, "{s}");
    assert_eq!(s["side_rows_rejected"], 2, "{s}");
    assert_eq!(
        std::fs::read_to_string(&out).unwrap().lines().count(),
        1 + 200 - refused_cases
    );
    let rejects = std::fs::read_to_string(dir.join("scored.csv.rejects.csv")).unwrap();
    let has = |row: usize, field: &str, reason_part: &str| {
        rejects
            .lines()
            .any(|l| l.starts_with(&format!("{row},{field},")) && l.contains(reason_part))
    };
    assert!(has(5, "contract.principal_minor", "12.5"), "{rejects}");
    assert!(has(9, "claims.as_of", "2024-02-30"), "{rejects}");
    assert!(has(13, "defendant.is_student", "maybe"), "{rejects}");
    assert!(has(17, "jurisdiction", ""), "{rejects}");
    assert!(
        has(21, "contract.nominal_annual_rate", "twelve"),
        "{rejects}"
    );
    assert!(
        has(
            bad_rep_case_row,
            "repayments",
            "row 3 of the repayments table"
        ),
        "{rejects}"
    );
    assert!(rejects.contains("repayments.principal_minor"), "{rejects}");
    assert!(
        has(orphan_rep_row, "repayments.case_id", "NO-SUCH-CASE"),
        "{rejects}"
    );
    assert!(has(orphan_ad_row, "ads.case_id", "empty"), "{rejects}");

    // validate finds the same problems, lists them on stdout and exits 2.
    let v = run(&[
        "validate",
        "--kind",
        "cases",
        "--input",
        cases_path.to_str().unwrap(),
        "--repayments",
        reps_path.to_str().unwrap(),
        "--ads",
        ads_path.to_str().unwrap(),
    ]);
    let line = bad_input_line(&v);
    assert!(
        line.contains(&format!("{refused_cases} of 200 cases refused")),
        "{line}"
    );
    let report: serde_json::Value = serde_json::from_slice(&v.stdout).unwrap();
    assert_eq!(report["rows_rejected"], refused_cases);
    assert_eq!(report["side_rows_rejected"], 2);
}

#[test]
fn xlsx_cells_are_typed_and_a_bad_cell_names_its_column() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let dir = scratch("element", "xlsx");
    // The template's CSV gives the header and the example row.
    let template = dir.join("t.csv");
    json(&[
        "template",
        "--kind",
        "cases",
        "--format",
        "csv",
        "--out",
        template.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(&template).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let example: Vec<&str> = text.lines().nth(1).unwrap().split(',').collect();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("cases").unwrap();
    for (c, h) in header.iter().enumerate() {
        let c = u16::try_from(c).unwrap();
        sheet.write_string(0, c, *h).unwrap();
        for row in 1..=3u32 {
            let v = example[c as usize];
            let id = format!("C{row}");
            match *h {
                "case_id" => {
                    sheet.write_string(row, c, &id).unwrap();
                }
                // Real date cells.
                "filed_at" | "contract.disbursed_at" | "claims.as_of" if row != 3 => {
                    let d = ExcelDateTime::parse_from_str(v).unwrap();
                    sheet.write_datetime_with_format(row, c, &d, &date).unwrap();
                }
                // Row 3: a date typed as a plain number.
                "filed_at" => {
                    sheet.write_number(row, c, 45_422.0).unwrap();
                }
                // Row 2: an amount typed as words.
                "contract.principal_minor" if row == 2 => {
                    sheet.write_string(row, c, "ten thousand").unwrap();
                }
                "defendant.income_verified" | "defendant.is_student" => {
                    sheet.write_boolean(row, c, v == "true").unwrap();
                }
                _ => match v.parse::<f64>() {
                    Ok(x) if !v.is_empty() => {
                        sheet.write_number(row, c, x).unwrap();
                    }
                    _ if v.is_empty() => {}
                    _ => {
                        sheet.write_string(row, c, v).unwrap();
                    }
                },
            }
        }
    }
    let path = dir.join("docket.xlsx");
    book.save(&path).unwrap();
    let out = dir.join("scored.jsonl");
    let s = batch(&path, &[], &out);
    assert_eq!(s["rows_assessed"], 1, "{s}");
    assert_eq!(s["rows_rejected"], 2, "{s}");
    let scored: serde_json::Value =
        serde_json::from_str(std::fs::read_to_string(&out).unwrap().trim()).unwrap();
    assert_eq!(scored["case_id"], "C1");
    assert_eq!(scored["filed_at"], "2024-05-10");
    let rejects = std::fs::read_to_string(dir.join("scored.jsonl.rejects.csv")).unwrap();
    assert!(
        rejects.contains("2,contract.principal_minor,`ten thousand` is not a whole number"),
        "{rejects}"
    );
    assert!(rejects.contains("3,filed_at,"), "{rejects}");
    assert!(rejects.contains("`45422` is not a date"), "{rejects}");
}

#[test]
fn templates_score_as_the_example_case() {
    let dir = scratch("element", "template");
    let single = json(&[
        "score-case",
        "--case",
        concat!(env!("CARGO_MANIFEST_DIR"), "/examples/case.json"),
    ]);
    for format in ["csv", "xlsx"] {
        let path = dir.join(format!("t.{format}"));
        let written = json(&[
            "template",
            "--kind",
            "cases",
            "--format",
            format,
            "--out",
            path.to_str().unwrap(),
        ]);
        assert_eq!(
            written["files"].as_array().unwrap().len(),
            if format == "csv" { 3 } else { 1 }
        );
        let mut extra = Vec::new();
        let (reps, ads) = (dir.join("t.repayments.csv"), dir.join("t.ads.csv"));
        if format == "csv" {
            extra = vec![
                "--repayments".to_string(),
                reps.display().to_string(),
                "--ads".to_string(),
                ads.display().to_string(),
            ];
        }
        let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
        let out = dir.join(format!("{format}.jsonl"));
        batch(&path, &extra, &out);
        let scored: serde_json::Value =
            serde_json::from_str(std::fs::read_to_string(&out).unwrap().trim()).unwrap();
        assert_eq!(scored, single, "{format}");
    }
    // JSON lines carry their repayments: the side tables are refused with them.
    let out = run(&[
        "batch",
        "--kind",
        "cases",
        "--input",
        concat!(env!("CARGO_MANIFEST_DIR"), "/examples/case.json"),
        "--repayments",
        "x.csv",
        "--output",
        dir.join("o.jsonl").to_str().unwrap(),
    ]);
    assert!(bad_input_line(&out).contains("repayments"));
}
