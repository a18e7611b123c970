//! `finrisk report --kind cases`: the docket report of scored cases (`batch --kind cases`
//! output, JSON lines, CSV or Parquet), as the same set of files as the grants report: a
//! self-contained `report.html`, the PNG charts, `report.md` and `report.json`. The figures are
//! [`finrisk_engine::docket::docket_figures`]; this module reads the scored table, draws and
//! writes. `finrisk suggest` drafts a judicial suggestion from the same input.

use super::charts::{Chart, PALETTE, bars, register_font};
use super::html::{Table, escape, fmt, html_table, markdown_sections, page_head, pct, sections};
use crate::failure::bad_input;
use finrisk_engine::docket::{DocketCase, DocketFigures, docket_figures};
use serde_json::{Value, json};
use std::path::Path;

/// Columns of a scored-cases table the docket reads (CSV or Parquet from `batch --kind cases`).
const COLUMNS: [&str; 16] = [
    "case_id",
    "institution_id",
    "product_id",
    "borrower_key",
    "jurisdiction",
    "currency",
    "filed_at",
    "findings",
    "overall",
    "grade",
    "contract_apr_legal",
    "cap_rate",
    "claimed_minor",
    "total_cost_minor",
    "allowed_cost_minor",
    "excess_minor",
];

/// Further required column (kept apart so the array above stays the projection list).
const SUPPORTABLE: &str = "supportable_claim_minor";

/// Reads the scored cases at `path`: JSON lines of full case assessments, or the CSV / Parquet
/// summary table. A missing column or a bad value names the row and the column.
pub(crate) fn read_docket(path: &Path) -> anyhow::Result<Vec<DocketCase>> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("jsonl" | "json") => read_json_lines(path),
        Some("csv" | "parquet" | "pq") => read_table(path),
        _ => Err(bad_input(format!(
            "input: {} must be .jsonl, .csv or .parquet (the output of `finrisk batch --kind cases`)",
            path.display()
        ))),
    }
}

/// The docket line of one full case assessment (a `batch --kind cases` JSON line).
pub(crate) fn docket_case_of_json(v: &Value, at: &str) -> anyhow::Result<DocketCase> {
    let text = |key: &str| -> anyhow::Result<String> {
        v.get(key)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| bad_input(format!("input: {at}: {key}: missing or not text (a line of `finrisk batch --kind cases` output)")))
    };
    let int = |key: &str| -> anyhow::Result<i64> {
        v.get(key)
            .and_then(Value::as_i64)
            .ok_or_else(|| bad_input(format!("input: {at}: {key}: missing or not a whole number")))
    };
    let number = |value: Option<&Value>, key: &str| -> anyhow::Result<f64> {
        value
            .and_then(Value::as_f64)
            .ok_or_else(|| bad_input(format!("input: {at}: {key}: missing or not a number")))
    };
    let codes = v
        .get("findings")
        .and_then(Value::as_array)
        .ok_or_else(|| bad_input(format!("input: {at}: findings: missing or not a list")))?
        .iter()
        .map(|f| {
            f.get("code")
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| bad_input(format!("input: {at}: findings: an item has no code")))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(DocketCase {
        case_id: text("case_id")?,
        institution_id: text("institution_id")?,
        product_id: v
            .get("product_id")
            .and_then(Value::as_str)
            .map(str::to_string),
        borrower_key: text("borrower_key")?,
        jurisdiction: text("jurisdiction")?,
        currency: text("currency")?,
        filed_at: text("filed_at")?,
        codes,
        overall: number(v.pointer("/scores/overall"), "scores.overall")?,
        grade: text("grade")?,
        contract_apr_legal: number(v.get("contract_apr_legal"), "contract_apr_legal")?,
        cap_rate: v.pointer("/cap/rate").and_then(Value::as_f64),
        claimed_minor: int("claimed_minor")?,
        total_cost_minor: int("total_cost_minor")?,
        allowed_cost_minor: v.get("allowed_cost_minor").and_then(Value::as_i64),
        excess_minor: int("excess_minor")?,
        supportable_claim_minor: int("supportable_claim_minor")?,
    })
}

/// Reads the JSON lines one at a time: a full assessment is kilobytes, and only its docket line
/// is kept.
fn read_json_lines(path: &Path) -> anyhow::Result<Vec<DocketCase>> {
    use std::io::BufRead;
    let file = std::fs::File::open(path)
        .map_err(|e| bad_input(format!("input: cannot read {}: {e}", path.display())))?;
    let mut cases = Vec::new();
    let mut line = String::new();
    let mut reader = std::io::BufReader::new(file);
    for number in 1.. {
        line.clear();
        let read = reader
            .read_line(&mut line)
            .map_err(|e| bad_input(format!("input: line {number}: cannot read: {e}")))?;
        if read == 0 {
            break;
        }
        if line.trim().is_empty() {
            continue;
        }
        let at = format!("line {number}");
        let v: Value = serde_json::from_str(&line)
            .map_err(|e| bad_input(format!("input: {at}: not JSON: {e}")))?;
        cases.push(docket_case_of_json(&v, &at)?);
    }
    Ok(cases)
}

fn read_table(path: &Path) -> anyhow::Result<Vec<DocketCase>> {
    let mut wanted: Vec<&str> = COLUMNS.to_vec();
    wanted.push(SUPPORTABLE);
    let df = finrisk_datasets::read_table_columns(path, &wanted)?;
    let mut columns = Vec::with_capacity(wanted.len());
    for name in &wanted {
        let optional = matches!(*name, "product_id" | "cap_rate" | "allowed_cost_minor");
        match df.column(name) {
            Ok(c) => {
                let text = c
                    .cast(&polars::prelude::DataType::String)
                    .map_err(|e| bad_input(format!("input: {name}: {e}")))?;
                let ca = text
                    .str()
                    .map_err(|e| bad_input(format!("input: {name}: {e}")))?
                    .clone();
                columns.push(Some(ca));
            }
            Err(_) if optional => columns.push(None),
            Err(_) => {
                return Err(bad_input(format!(
                    "input: {} has no `{name}` column (a scored-cases table from `finrisk batch --kind cases --output X.csv`)",
                    path.display()
                )));
            }
        }
    }
    let cell = |k: usize, row: usize| -> &str {
        columns[k]
            .as_ref()
            .and_then(|c| c.get(row))
            .unwrap_or("")
            .trim()
    };
    let at = |row: usize, k: usize| format!("input: row {}, {}", row + 1, wanted[k]);
    let mut cases = Vec::with_capacity(df.height());
    for row in 0..df.height() {
        let int = |k: usize| -> anyhow::Result<i64> {
            let s = cell(k, row);
            s.parse::<i64>()
                .map_err(|_| bad_input(format!("{}: `{s}` is not a whole number", at(row, k))))
        };
        let float = |k: usize| -> anyhow::Result<f64> {
            let s = cell(k, row);
            s.parse::<f64>()
                .map_err(|_| bad_input(format!("{}: `{s}` is not a number", at(row, k))))
        };
        let text = |k: usize| cell(k, row).to_string();
        let optional = |k: usize| Some(text(k)).filter(|s| !s.is_empty());
        cases.push(DocketCase {
            case_id: text(0),
            institution_id: text(1),
            product_id: optional(2),
            borrower_key: text(3),
            jurisdiction: text(4),
            currency: text(5),
            filed_at: text(6),
            codes: cell(7, row)
                .split(';')
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect(),
            overall: float(8)?,
            grade: text(9),
            contract_apr_legal: float(10)?,
            cap_rate: match optional(11) {
                None => None,
                Some(_) => Some(float(11)?),
            },
            claimed_minor: int(12)?,
            total_cost_minor: int(13)?,
            allowed_cost_minor: match optional(14) {
                None => None,
                Some(_) => Some(int(14)?),
            },
            excess_minor: int(15)?,
            supportable_claim_minor: int(16)?,
        });
    }
    Ok(cases)
}

/// Minor units as major units with two decimals and thousands separators (`12,345.67`).
pub(crate) fn money(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    let whole = (abs / 100).to_string();
    let mut grouped = String::new();
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{sign}{grouped}.{:02}", abs % 100)
}

fn tables(f: &DocketFigures) -> Vec<Table> {
    let mut t = Vec::new();
    t.push(Table {
        id: "totals",
        title: "The docket",
        header: [
            "currency",
            "cases",
            "cases above the cap",
            "claimed (principal and costs)",
            "cost paid and claimed",
            "cost in cases above the cap",
            "excess over the cap",
            "supportable claim",
        ]
        .map(String::from)
        .to_vec(),
        rows: f
            .totals
            .iter()
            .map(|m| {
                vec![
                    m.currency.clone(),
                    m.cases.to_string(),
                    format!("{} ({})", m.cases_above_cap, pct(m.share_cases_above_cap)),
                    money(m.claimed_minor),
                    money(m.total_cost_minor),
                    format!(
                        "{} ({})",
                        money(m.cost_of_cases_above_cap_minor),
                        pct(m.share_cost_in_cases_above_cap)
                    ),
                    format!("{} ({})", money(m.excess_minor), pct(m.share_cost_excess)),
                    money(m.supportable_claim_minor),
                ]
            })
            .collect(),
        note: Some(
            "Amounts in major units of the currency. Excess and supportable claim as in SPEC section 5: the cost above the cap is what the court does not support; the percentages are of the cases and of the cost paid and claimed."
                .to_string(),
        ),
    });
    t.push(Table {
        id: "excess",
        title: "Plaintiff institutions",
        header: [
            "rank by excess",
            "institution",
            "currency",
            "cases",
            "claimed",
            "cases above the cap",
            "excess over the cap",
            "supportable claim",
            "findings (per case)",
            "rank by finding rate",
            "most frequent codes (cases)",
        ]
        .map(String::from)
        .to_vec(),
        rows: f
            .institutions
            .iter()
            .map(|i| {
                vec![
                    i.rank_by_excess.to_string(),
                    i.institution_id.clone(),
                    i.totals.currency.clone(),
                    i.totals.cases.to_string(),
                    money(i.totals.claimed_minor),
                    format!(
                        "{} ({})",
                        i.totals.cases_above_cap,
                        pct(i.totals.share_cases_above_cap)
                    ),
                    money(i.totals.excess_minor),
                    money(i.totals.supportable_claim_minor),
                    format!("{} ({})", i.findings, fmt(i.finding_rate, 2)),
                    i.rank_by_finding_rate.to_string(),
                    i.codes
                        .iter()
                        .take(2)
                        .map(|c| format!("{} {}", c.code, c.cases))
                        .collect::<Vec<_>>()
                        .join(", "),
                ]
            })
            .collect(),
        note: None,
    });
    t.push(Table {
        id: "findings",
        title: "Findings by code",
        header: ["code", "cases", "share of cases"]
            .map(String::from)
            .to_vec(),
        rows: f
            .findings
            .iter()
            .map(|c| vec![c.code.clone(), c.cases.to_string(), pct(c.share)])
            .collect(),
        note: None,
    });
    t.push(Table {
        id: "apr",
        title: "Contract APR against the cap",
        header: ["contract APR", "cases"].map(String::from).to_vec(),
        rows: f
            .apr
            .bins
            .iter()
            .filter(|b| b.cases > 0)
            .map(|b| vec![apr_label(b.from, b.to), b.cases.to_string()])
            .collect(),
        note: Some(format!(
            "{} of the {} cases with a rate cap have a contract APR above their cap; median contract APR {}.",
            f.apr.contract_apr_above_cap,
            f.apr.cases_with_rate_cap,
            pct(f.apr.median_contract_apr)
        )),
    });
    t.push(Table {
        id: "filings",
        title: "Filings by month",
        header: ["month", "cases", "plaintiffs (cases)", "products (cases)"]
            .map(String::from)
            .to_vec(),
        rows: f
            .filing_months
            .iter()
            .map(|m| {
                vec![
                    m.month.clone(),
                    m.cases.to_string(),
                    m.by_institution
                        .iter()
                        .map(|(i, n)| format!("{i} {n}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    m.by_product
                        .iter()
                        .map(|(p, n)| format!("{p} {n}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                ]
            })
            .collect(),
        note: Some(format!(
            "Plaintiffs filing in more than one month: {}. Products sued on in more than one month: {}.",
            months_list(&f.repeat_plaintiffs),
            months_list(&f.repeat_products)
        )),
    });
    t.push(Table {
        id: "borrowers",
        title: "Borrowers in several cases",
        header: ["borrower key", "cases", "plaintiffs", "case ids"]
            .map(String::from)
            .to_vec(),
        rows: f
            .repeat_borrowers
            .iter()
            .take(100)
            .map(|b| {
                vec![
                    b.borrower_key.clone(),
                    b.case_ids.len().to_string(),
                    b.institutions.join(", "),
                    b.case_ids.join(", "),
                ]
            })
            .collect(),
        note: Some(format!(
            "{} borrower keys (pseudonymous) appear in more than one case{}.",
            f.repeat_borrowers.len(),
            if f.repeat_borrowers.len() > 100 {
                "; the first 100 are listed, all are in report.json"
            } else {
                ""
            }
        )),
    });
    t
}

/// `A (3 months), B (2 months)`, or `none`.
fn months_list(repeat: &std::collections::BTreeMap<String, usize>) -> String {
    if repeat.is_empty() {
        return "none".to_string();
    }
    repeat
        .iter()
        .map(|(k, n)| format!("{k} ({n} months)"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn apr_label(from: f64, to: Option<f64>) -> String {
    match to {
        Some(to) => format!("{:.0}% to {:.0}%", from * 100.0, to * 100.0),
        None => format!("{:.0}% and more", from * 100.0),
    }
}

fn charts(f: &DocketFigures, dir: &Path) -> anyhow::Result<Vec<Chart>> {
    register_font()?;
    let mut out = Vec::new();
    let top: Vec<_> = f.institutions.iter().take(20).collect();
    let file = "excess.png";
    bars(
        &dir.join(file),
        file,
        "Excess over the cap by plaintiff",
        "excess over the cap (major units)",
        &top.iter()
            .map(|i| format!("{} ({})", i.institution_id, i.totals.currency))
            .collect::<Vec<_>>(),
        &top.iter()
            .map(|i| i.totals.excess_minor as f64 / 100.0)
            .collect::<Vec<_>>(),
        PALETTE[1],
    )?;
    out.push(Chart {
        id: "excess",
        file,
        title: "Plaintiff institutions",
        description: format!(
            "Excess over the cap of the {} largest plaintiffs by excess; the table ranks all {} by excess and by findings per case.",
            top.len(),
            f.institutions.len()
        ),
    });
    let file = "findings.png";
    let codes: Vec<_> = f.findings.iter().take(20).collect();
    bars(
        &dir.join(file),
        file,
        "Findings by code",
        "cases",
        &codes.iter().map(|c| c.code.clone()).collect::<Vec<_>>(),
        &codes.iter().map(|c| c.cases as f64).collect::<Vec<_>>(),
        PALETTE[0],
    )?;
    out.push(Chart {
        id: "findings",
        file,
        title: "Findings by code",
        description: format!("Cases carrying each code, of {} cases.", f.cases),
    });
    let file = "apr.png";
    let bins: Vec<_> = f.apr.bins.iter().filter(|b| b.cases > 0).collect();
    bars(
        &dir.join(file),
        file,
        "Contract APR against the cap",
        "cases",
        &bins
            .iter()
            .map(|b| apr_label(b.from, b.to))
            .collect::<Vec<_>>(),
        &bins.iter().map(|b| b.cases as f64).collect::<Vec<_>>(),
        PALETTE[3],
    )?;
    out.push(Chart {
        id: "apr",
        file,
        title: "Contract APR against the cap",
        description: format!(
            "Cases by contract APR (the ruleset's legal definition) in bins of 4 points; {} of {} are above their cap.",
            f.apr.contract_apr_above_cap, f.apr.cases_with_rate_cap
        ),
    });
    let file = "filings.png";
    bars(
        &dir.join(file),
        file,
        "Filings by month",
        "cases",
        &f.filing_months
            .iter()
            .map(|m| m.month.clone())
            .collect::<Vec<_>>(),
        &f.filing_months
            .iter()
            .map(|m| m.cases as f64)
            .collect::<Vec<_>>(),
        PALETTE[2],
    )?;
    out.push(Chart {
        id: "filings",
        file,
        title: "Filings by month",
        description: format!(
            "Cases filed per month over {} months.",
            f.filing_months.len()
        ),
    });
    Ok(out)
}

/// Everything `report --kind cases` writes, as one JSON value (the `report.json`) plus the
/// HTML page; `dir` receives the PNG charts.
pub(crate) fn render(
    cases: &[DocketCase],
    input: &str,
    input_sha256: &str,
    dir: &Path,
) -> anyhow::Result<(Value, String, String, Vec<Chart>)> {
    if cases.is_empty() {
        return Err(bad_input(format!(
            "input: {input} has no cases to report on"
        )));
    }
    let f = docket_figures(cases);
    let charts = charts(&f, dir)?;
    let mut tables = tables(&f);
    // The docket's totals lead the page; the other tables follow their charts.
    let lead: Vec<Table> = vec![tables.remove(0)];
    let digest = if input_sha256.is_empty() {
        String::new()
    } else {
        format!(", SHA-256 <code>{}</code>", escape(input_sha256))
    };
    let meta = format!(
        "Input <code>{}</code> ({} cases{digest}). Report by finrisk {}. Every total is the sum of the scored table's columns; each institution's line gives the counts it is made of.",
        escape(input),
        f.cases,
        env!("CARGO_PKG_VERSION")
    );
    let mut html = String::new();
    page_head(
        &mut html,
        &format!("finrisk docket report: {input}"),
        "finrisk docket report",
        &meta,
    );
    for t in &lead {
        html.push_str("<section id=\"table-totals\">\n<h2>The docket</h2>\n");
        html_table(&mut html, t);
        html.push_str("</section>\n");
    }
    sections(&mut html, &charts, &tables, dir)?;
    let mut md = format!(
        "# finrisk docket report\n\nInput `{input}` ({} cases, SHA-256 `{input_sha256}`). Report by finrisk {}.\n",
        f.cases,
        env!("CARGO_PKG_VERSION")
    );
    markdown_sections(&mut md, &[], &lead);
    markdown_sections(&mut md, &charts, &tables);
    let json = json!({
        "kind": "cases",
        "input": input,
        "input_sha256": input_sha256,
        "finrisk_version": env!("CARGO_PKG_VERSION"),
        "figures": f,
    });
    Ok((json, html, md, charts))
}

/// `finrisk report --kind cases`.
pub(crate) fn run(input: &Path, out: &Path) -> anyhow::Result<String> {
    let cases = read_docket(input)?;
    std::fs::create_dir_all(out)
        .map_err(|e| bad_input(format!("out: cannot create {}: {e}", out.display())))?;
    let sha = crate::output::file_sha256(input)?;
    let (json, html, md, charts) = render(&cases, &input.display().to_string(), &sha, out)?;
    let write = |name: &str, text: String| -> anyhow::Result<()> {
        finrisk_datasets::write::write_atomically(&out.join(name), text.as_bytes())?;
        Ok(())
    };
    write("report.json", serde_json::to_string_pretty(&json)? + "\n")?;
    write("report.md", md)?;
    write("report.html", html)?;
    let mut files = vec!["report.html", "report.md", "report.json"];
    files.extend(charts.iter().map(|c| c.file));
    crate::output::to_json(&json!({
        "kind": "cases",
        "out": out.display().to_string(),
        "cases": cases.len(),
        "files": files,
        "charts": charts.iter().map(|c| c.id).collect::<Vec<_>>(),
    }))
}

#[cfg(test)]
mod tests {
    use super::money;

    #[test]
    fn money_is_major_units_with_separators() {
        assert_eq!(money(123_456_789), "1,234,567.89");
        assert_eq!(money(5), "0.05");
        assert_eq!(money(-100_000), "-1,000.00");
    }
}
