//! `finrisk batch`: one output row per input row; refused rows to a reject file, counted on stderr.

use crate::cli::{BatchArgs, BatchKind};
use crate::failure::bad_input;
use finrisk_datasets::write::write_rejects;
use finrisk_engine::Ruleset;
use finrisk_engine::assess::{assess_case, assess_product};
use finrisk_engine::domain::grant::RowError;
use finrisk_engine::domain::{Case, Jurisdiction, Product};
use finrisk_engine::marketing::ClaimGrammar;
use finrisk_engine::{EngineError, FieldError};
use rayon::prelude::*;
use serde_json::json;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::io::{BufRead, BufWriter, Write};

pub(crate) fn run(args: &BatchArgs) -> anyhow::Result<String> {
    let as_of = crate::input::parse_as_of(args.as_of.as_deref())?;
    crate::output::output_directory_exists("output", &args.output)?;
    if let Some(p) = &args.persons {
        crate::output::output_directory_exists("persons", p)?;
    }
    if let Some(p) = &args.index {
        crate::output::output_directory_exists("index", p)?;
    }
    let rejects = finrisk_datasets::write::sibling_path(&args.output, ".rejects.csv");
    if args.index.is_some() && args.kind != BatchKind::Grants {
        return Err(bad_input("index: only for --kind grants"));
    }
    if args.truth.is_some() && args.kind != BatchKind::Grants {
        return Err(bad_input("truth: only for --kind grants"));
    }
    if (args.repayments.is_some() || args.ads.is_some()) && args.kind != BatchKind::Cases {
        return Err(bad_input(
            "repayments: only for --kind cases (the tables of an element table)",
        ));
    }
    if args.in_memory && args.kind != BatchKind::Grants {
        return Err(bad_input(
            "in-memory: only for --kind grants (cases and products are read line by line)",
        ));
    }
    let (assessed, errors, refused, grants_summary) = match args.kind {
        BatchKind::Grants => {
            let g = super::grants_batch::run(args, as_of)?;
            (g.assessed, g.errors, g.rejected, g.summary)
        }
        BatchKind::Cases | BatchKind::Products => documents(args, as_of)?,
    };
    write_rejects(&errors, &rejects)?;
    if let Some(provenance) = grants_summary.get("provenance") {
        finrisk_datasets::write::write_atomically(
            &finrisk_datasets::write::provenance_sidecar(&rejects),
            serde_json::to_string(provenance)?.as_bytes(),
        )?;
    }
    let mut summary = json!({
        "kind": format!("{:?}", args.kind).to_lowercase(),
        "input": args.input.display().to_string(),
        "output": args.output.display().to_string(),
        "rows_assessed": assessed,
        "rows_rejected": refused,
        "rejects": rejects.display().to_string(),
        "as_of": as_of.map(|d| d.to_string()),
    });
    if let (serde_json::Value::Object(extra), Some(map)) = (grants_summary, summary.as_object_mut())
    {
        map.extend(extra);
    }
    eprintln!(
        "finrisk: batch: {assessed} rows assessed, {refused} rejected (reasons in {})",
        rejects.display()
    );
    crate::output::to_json(&summary)
}

/// Summary columns of the CSV form of product results.
const PRODUCT_HEADER: &str = "id,findings,weak_risk_control,duplicate_credit,one_sided_marketing,overall,grade,excess_minor,supportable_claim_minor,same_borrower_other_plaintiffs";

/// Columns of the CSV form of case results: who, what was found, the scores (one decimal), and
/// the cost figures a docket report sums (`finrisk report --kind cases` reads them).
pub(crate) const CASE_HEADER: &str = "case_id,institution_id,product_id,borrower_key,jurisdiction,cause,currency,filed_at,findings,weak_risk_control,duplicate_credit,one_sided_marketing,overall,grade,contract_apr_legal,cap_rate,claimed_minor,total_cost_minor,allowed_cost_minor,excess_minor,supportable_claim_minor,legal_costs_minor,same_borrower_other_plaintiffs";

/// Cases scored in parallel at a time (their output lines are held until the chunk is written).
const CASE_CHUNK: usize = 4096;

/// The error of a line of a JSON-lines input that could not be read (1-based `row`).
pub(crate) fn unreadable_line(row: usize, e: &std::io::Error) -> RowError {
    RowError {
        row,
        field: "line".into(),
        reason: format!("unreadable: {e}"),
        code: "malformed_document",
    }
}

/// Cases with their 1-based row numbers, or why each was refused.
pub(crate) type CaseRows = Vec<(usize, Result<Case, EngineError>)>;

/// The cases of a batch, each with its 1-based row (line) number: from JSON lines, or from an
/// element table with its repayments and ads. Lines or side-table rows that cannot be read go
/// to `errors`; the returned summary says what else was read.
pub(crate) fn read_cases(
    input: &std::path::Path,
    repayments: Option<&std::path::Path>,
    ads: Option<&std::path::Path>,
    errors: &mut Vec<RowError>,
) -> anyhow::Result<(CaseRows, serde_json::Value)> {
    if finrisk_datasets::element_table::is_element_table(input) {
        let t = finrisk_datasets::element_table::read_case_tables(input, repayments, ads)?;
        for c in &t.ignored_columns {
            eprintln!("finrisk: batch: column {c} is not an element-table column; ignored");
        }
        let extra = json!({
            "tables": t.sources,
            "ignored_columns": t.ignored_columns,
            "side_rows_rejected": t.orphans.len(),
        });
        errors.extend(t.orphans);
        return Ok((t.cases, extra));
    }
    for (flag, given) in [("repayments", repayments), ("ads", ads)] {
        if given.is_some() {
            return Err(bad_input(format!(
                "{flag}: only with an element table (.csv or .xlsx) as --input; JSON lines carry their {flag}"
            )));
        }
    }
    let file = std::fs::File::open(input)
        .map_err(|e| bad_input(format!("input: cannot open {}: {e}", input.display())))?;
    let mut cases = Vec::new();
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        match line {
            Ok(text) if text.trim().is_empty() => {}
            Ok(text) => cases.push((i + 1, Case::from_json(&text))),
            Err(e) => errors.push(unreadable_line(i + 1, &e)),
        }
    }
    Ok((cases, serde_json::Value::Null))
}

type DocumentsOutcome = (usize, Vec<RowError>, usize, serde_json::Value);

fn documents(
    args: &BatchArgs,
    as_of: Option<finrisk_engine::Date>,
) -> anyhow::Result<DocumentsOutcome> {
    let csv = match args.output.extension().and_then(|e| e.to_str()) {
        Some("jsonl" | "json") => false,
        Some("csv") => true,
        _ => {
            return Err(bad_input(format!(
                "output: {} must end in .jsonl or .csv",
                args.output.display()
            )));
        }
    };
    if args.kind == BatchKind::Products && (args.repayments.is_some() || args.ads.is_some()) {
        return Err(bad_input("repayments: only for --kind cases"));
    }
    let mut errors = Vec::new();
    if args.kind == BatchKind::Cases {
        let (cases, extra) = read_cases(
            &args.input,
            args.repayments.as_deref(),
            args.ads.as_deref(),
            &mut errors,
        )?;
        let (assessed, refused) = score_cases(args, cases, csv, &mut errors)?;
        return Ok((assessed, errors, refused, extra));
    }
    let input = std::fs::File::open(&args.input)
        .map_err(|e| bad_input(format!("input: cannot open {}: {e}", args.input.display())))?;
    let mut out = create_output(&args.output, csv.then_some(PRODUCT_HEADER))?;
    let grammar = ClaimGrammar::embedded()?;
    let mut rulesets: HashMap<Jurisdiction, Ruleset> = HashMap::new();
    let (mut assessed, mut refused) = (0usize, 0usize);
    for (i, line) in std::io::BufReader::new(input).lines().enumerate() {
        let row = i + 1;
        let line = match line {
            Ok(l) => l,
            Err(e) => {
                refused += 1;
                errors.push(unreadable_line(row, &e));
                continue;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        let result = Product::from_json(&line).and_then(|p| {
            let ruleset = ruleset_for(&mut rulesets, p.jurisdiction, args)?;
            let a = assess_product(&p, None, None, as_of, ruleset, &grammar)?;
            let summary = product_row(&a.product_id, &a.assessment);
            Ok((summary, serde_json::to_value(&a).unwrap_or_default()))
        });
        match result {
            Ok((summary, full)) => {
                assessed += 1;
                if csv {
                    writeln!(out, "{summary}")?;
                } else {
                    serde_json::to_writer(&mut out, &full)?;
                    out.write_all(b"\n")?;
                }
            }
            Err(e) => {
                refused += 1;
                errors.extend(
                    e.field_errors()
                        .into_iter()
                        .map(|f: FieldError| RowError::from_field(row, f)),
                );
            }
        }
    }
    out.flush()?;
    Ok((assessed, errors, refused, serde_json::Value::Null))
}

/// Scores parsed cases and writes them (JSON lines, or one CSV row each): cases of the same
/// borrower key under different plaintiffs are linked in the output.
fn score_cases(
    args: &BatchArgs,
    cases: CaseRows,
    csv: bool,
    errors: &mut Vec<RowError>,
) -> anyhow::Result<(usize, usize)> {
    let mut out = create_output(&args.output, csv.then_some(CASE_HEADER))?;
    let grammar = ClaimGrammar::embedded()?;
    let mut rulesets: HashMap<Jurisdiction, Ruleset> = HashMap::new();
    let mut by_borrower: HashMap<&str, Vec<(&str, &str)>> = HashMap::new();
    for (_, case) in &cases {
        if let Ok(case) = case {
            by_borrower
                .entry(case.defendant.borrower_key.as_str())
                .or_default()
                .push((
                    case.case_id.as_str(),
                    case.plaintiff.institution_id.as_str(),
                ));
        }
    }
    // The rulesets of every jurisdiction in the docket, loaded once (a ruleset that cannot be
    // loaded refuses the cases that need it, naming why).
    let mut ruleset_errors: HashMap<Jurisdiction, EngineError> = HashMap::new();
    for case in cases.iter().filter_map(|(_, c)| c.as_ref().ok()) {
        let j = case.jurisdiction;
        if !ruleset_errors.contains_key(&j)
            && let Err(e) = ruleset_for(&mut rulesets, j, args)
        {
            ruleset_errors.insert(j, e);
        }
    }
    let linked_of = |case: &Case| -> Vec<serde_json::Value> {
        by_borrower
            .get(case.defendant.borrower_key.as_str())
            .map(|v| {
                v.iter()
                    .filter(|(id, plaintiff)| {
                        *id != case.case_id && *plaintiff != case.plaintiff.institution_id
                    })
                    .map(|(id, plaintiff)| json!({ "case_id": id, "plaintiff": plaintiff }))
                    .collect()
            })
            .unwrap_or_default()
    };
    // Each case's output line, scored on every core a chunk at a time and written in input
    // order.
    let score = |case: &Result<Case, EngineError>| -> Result<String, EngineError> {
        let case = case.as_ref().map_err(Clone::clone)?;
        if let Some(e) = ruleset_errors.get(&case.jurisdiction) {
            return Err(e.clone());
        }
        let ruleset = rulesets
            .get(&case.jurisdiction)
            .ok_or_else(|| EngineError::field("jurisdiction", "no ruleset was loaded for it"))?;
        let a = assess_case(case, ruleset, &grammar)?;
        let linked = linked_of(case);
        if csv {
            return Ok(case_row(case, &a, linked.len()));
        }
        let mut full = serde_json::to_value(&a)
            .map_err(|e| EngineError::field("case", format!("cannot encode the result: {e}")))?;
        if !linked.is_empty() {
            full["same_borrower_other_plaintiffs"] = json!(linked);
        }
        Ok(full.to_string())
    };
    let (mut assessed, mut refused) = (0usize, 0usize);
    for chunk in cases.chunks(CASE_CHUNK) {
        let lines: Vec<Result<String, EngineError>> =
            chunk.par_iter().map(|(_, case)| score(case)).collect();
        for ((row, _), line) in chunk.iter().zip(lines) {
            match line {
                Ok(line) => {
                    assessed += 1;
                    out.write_all(line.as_bytes())?;
                    out.write_all(b"\n")?;
                }
                Err(e) => {
                    refused += 1;
                    errors.extend(
                        e.field_errors()
                            .into_iter()
                            .map(|f: FieldError| RowError::from_field(*row, f)),
                    );
                }
            }
        }
    }
    out.flush()?;
    Ok((assessed, refused))
}

/// The output file, with the CSV header when there is one.
fn create_output(
    path: &std::path::Path,
    header: Option<&str>,
) -> anyhow::Result<BufWriter<std::fs::File>> {
    let file = std::fs::File::create(path)
        .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", path.display()))?;
    let mut out = BufWriter::new(file);
    if let Some(header) = header {
        writeln!(out, "{header}")?;
    }
    Ok(out)
}

fn ruleset_for<'a>(
    cache: &'a mut HashMap<Jurisdiction, Ruleset>,
    j: Jurisdiction,
    args: &BatchArgs,
) -> Result<&'a Ruleset, EngineError> {
    match cache.entry(j) {
        Entry::Occupied(e) => Ok(e.into_mut()),
        Entry::Vacant(v) => {
            let ruleset = match &args.rules.rules {
                Some(path) => {
                    let text = std::fs::read_to_string(path).map_err(|e| {
                        EngineError::field("rules", format!("cannot read {}: {e}", path.display()))
                    })?;
                    let r = Ruleset::from_toml(&text, &path.display().to_string())?;
                    if r.jurisdiction != j {
                        return Err(EngineError::field(
                            "jurisdiction",
                            format!(
                                "{} is not covered by the ruleset given with --rules ({})",
                                j.as_str(),
                                r.jurisdiction.as_str()
                            ),
                        ));
                    }
                    r
                }
                None => Ruleset::embedded(j)?,
            };
            Ok(v.insert(ruleset))
        }
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn scores_cells(a: &finrisk_engine::assess::Assessment) -> String {
    let s = &a.scores;
    format!(
        "{:.1},{:.1},{:.1},{:.1},{}",
        s.weak_risk_control, s.duplicate_credit, s.one_sided_marketing, s.overall, a.grade
    )
}

fn product_row(id: &str, a: &finrisk_engine::assess::Assessment) -> String {
    format!(
        "{},{},{},,,",
        csv_field(id),
        csv_field(&a.codes()),
        scores_cells(a)
    )
}

fn case_row(case: &Case, a: &finrisk_engine::assess::CaseAssessment, linked: usize) -> String {
    let c = &a.cost;
    let cap = match &c.cap {
        finrisk_engine::rates::ApplicableCap::AnnualRate { rate, .. } => rate.to_string(),
        _ => String::new(),
    };
    format!(
        "{},{},{},{},{},{},{},{},{},{},{:.6},{cap},{},{},{},{},{},{},{linked}",
        csv_field(&case.case_id),
        csv_field(&case.plaintiff.institution_id),
        csv_field(case.plaintiff.product_id.as_deref().unwrap_or("")),
        csv_field(&case.defendant.borrower_key),
        a.jurisdiction,
        a.cause,
        csv_field(&a.currency),
        case.filed_at,
        csv_field(&a.assessment.codes()),
        scores_cells(&a.assessment),
        c.contract_apr_legal,
        c.claimed_minor,
        c.total_cost_minor,
        c.allowed_cost_minor
            .map_or(String::new(), |v| v.to_string()),
        c.excess_minor,
        c.supportable_claim_minor,
        c.legal_costs_minor,
    )
}
