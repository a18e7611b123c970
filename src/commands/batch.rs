//! `finrisk batch`: one output row per input row; refused rows to a reject file, counted on stderr.

use crate::cli::{BatchArgs, BatchKind};
use crate::failure::bad_input;
use crate::input::load_ruleset;
use finrisk_datasets::load_grants;
use finrisk_datasets::write::{
    grant_results_frame, output_format, persons_frame, write_frame, write_rejects,
};
use finrisk_engine::Ruleset;
use finrisk_engine::assess::{assess_case, assess_grants, assess_product};
use finrisk_engine::domain::grant::RowError;
use finrisk_engine::domain::{Case, Jurisdiction, Product};
use finrisk_engine::marketing::Lexicons;
use finrisk_engine::{EngineError, FieldError};
use serde_json::json;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};

fn rejects_path(output: &Path) -> PathBuf {
    let mut name = output
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".rejects.csv");
    output.with_file_name(name)
}

pub(crate) fn run(args: &BatchArgs) -> anyhow::Result<String> {
    let as_of = super::parse_as_of(args.as_of.as_deref())?;
    let rejects = rejects_path(&args.output);
    if args.index.is_some() && args.kind != BatchKind::Grants {
        return Err(bad_input("index: only for --kind grants"));
    }
    if args.truth.is_some() && args.kind != BatchKind::Grants {
        return Err(bad_input("truth: only for --kind grants"));
    }
    let (assessed, errors, refused, grants_summary) = match args.kind {
        BatchKind::Grants => grants(args, as_of)?,
        BatchKind::Cases | BatchKind::Products => {
            let (a, e, r) = documents(args, as_of)?;
            (a, e, r, serde_json::Value::Null)
        }
    };
    write_rejects(&errors, &rejects)?;
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
    super::to_json(&summary)
}

/// Precision and recall of every code against a truth table (`grant_id`, `codes`).
fn truth_evaluation(
    path: &Path,
    batch: &finrisk_engine::domain::grant::GrantBatch,
    rows: &[finrisk_engine::assess::GrantRow],
) -> anyhow::Result<serde_json::Value> {
    let frame = finrisk_datasets::read_table(path)?;
    let text_column = |name: &str| -> anyhow::Result<Vec<Option<String>>> {
        let column = frame
            .column(name)
            .map_err(|_| bad_input(format!("truth: {} has no `{name}` column", path.display())))?;
        let cast = column
            .cast(&polars::prelude::DataType::String)
            .map_err(|e| bad_input(format!("truth: {name}: {e}")))?;
        let ca = cast
            .str()
            .map_err(|e| bad_input(format!("truth: {name}: {e}")))?;
        Ok(ca.iter().map(|v| v.map(str::to_string)).collect())
    };
    let ids = text_column("grant_id")?;
    let codes = text_column("codes")?;
    let mut truth: HashMap<String, Vec<String>> = HashMap::with_capacity(ids.len());
    for (row, (id, codes)) in ids.into_iter().zip(codes).enumerate() {
        let id =
            id.ok_or_else(|| bad_input(format!("truth: row {}: grant_id is empty", row + 1)))?;
        let list = codes
            .unwrap_or_default()
            .split(';')
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect();
        truth.insert(id, list);
    }
    // Per code: (planted, flagged, both).
    let mut counts: std::collections::BTreeMap<String, (usize, usize, usize)> = Default::default();
    let (mut matched, mut without_truth) = (0usize, 0usize);
    for r in rows {
        let Some(planted) = truth.get(&batch.grant_id[r.index]) else {
            without_truth += 1;
            continue;
        };
        matched += 1;
        let found: Vec<&str> = r.findings.split(';').filter(|c| !c.is_empty()).collect();
        for code in planted {
            let e = counts.entry(code.clone()).or_default();
            e.0 += 1;
            if found.contains(&code.as_str()) {
                e.2 += 1;
            }
        }
        for code in &found {
            counts.entry((*code).to_string()).or_default().1 += 1;
        }
    }
    let ratio = |n: usize, d: usize| (d > 0).then(|| n as f64 / d as f64);
    let per_code: serde_json::Map<String, serde_json::Value> = counts
        .into_iter()
        .map(|(code, (planted, flagged, both))| {
            (
                code,
                json!({
                    "planted": planted,
                    "flagged": flagged,
                    "flagged_and_planted": both,
                    "precision": ratio(both, flagged),
                    "recall": ratio(both, planted),
                }),
            )
        })
        .collect();
    Ok(json!({
        "file": path.display().to_string(),
        "rows_matched": matched,
        "rows_without_truth": without_truth,
        "truth_rows_not_assessed": truth.len().saturating_sub(matched),
        "codes": per_code,
    }))
}

/// AUC of each score against the `defaulted` outcome, and each code's default rate among the
/// grants it flags against the rest, over the rows with the outcome.
fn outcome_evaluation(
    batch: &finrisk_engine::domain::grant::GrantBatch,
    rows: &[finrisk_engine::assess::GrantRow],
) -> serde_json::Value {
    let known: Vec<&finrisk_engine::assess::GrantRow> = rows
        .iter()
        .filter(|r| batch.defaulted[r.index].is_some())
        .collect();
    let y: Vec<u8> = known
        .iter()
        .map(|r| u8::from(batch.defaulted[r.index] == Some(true)))
        .collect();
    let positives = y.iter().filter(|&&t| t == 1).count();
    if known.is_empty() || positives == 0 || positives == y.len() {
        return serde_json::Value::Null;
    }
    let auc = |f: &dyn Fn(&finrisk_engine::assess::GrantRow) -> f64| {
        let s: Vec<f64> = known.iter().map(|r| f(r)).collect();
        finrisk_models::metrics::auc(&s, &y)
    };
    let mut by_code: std::collections::BTreeMap<&str, (usize, usize)> = Default::default();
    for (r, &t) in known.iter().zip(&y) {
        for code in r.findings.split(';').filter(|c| !c.is_empty()) {
            let e = by_code.entry(code).or_default();
            e.0 += 1;
            e.1 += usize::from(t);
        }
    }
    let codes: serde_json::Map<String, serde_json::Value> = by_code
        .into_iter()
        .map(|(code, (n, bad))| {
            let rest_n = known.len() - n;
            let rest_bad = positives - bad;
            (
                code.to_string(),
                json!({
                    "flagged": n,
                    "default_rate_flagged": bad as f64 / n as f64,
                    "default_rate_rest": if rest_n > 0 { Some(rest_bad as f64 / rest_n as f64) } else { None },
                }),
            )
        })
        .collect();
    let pd_auc = known
        .iter()
        .all(|r| r.pd.is_some())
        .then(|| auc(&|r| r.pd.unwrap_or(0.0)));
    json!({
        "outcome": "defaulted",
        "rows_with_outcome": known.len(),
        "default_rate": positives as f64 / known.len() as f64,
        "auc": {
            "weak_risk_control": auc(&|r| r.scores.weak_risk_control),
            "duplicate_credit": auc(&|r| r.scores.duplicate_credit),
            "overall": auc(&|r| r.scores.overall),
            "pd": pd_auc,
        },
        "codes": codes,
    })
}

fn grants(
    args: &BatchArgs,
    as_of: Option<finrisk_engine::Date>,
) -> anyhow::Result<(usize, Vec<RowError>, usize, serde_json::Value)> {
    output_format(&args.output)?;
    if let Some(p) = &args.persons {
        output_format(p)?;
    }
    let jurisdiction = Jurisdiction::parse(&args.jurisdiction).ok_or_else(|| {
        bad_input(format!(
            "jurisdiction: unknown value `{}`, expected one of CN, US, EU, UK",
            args.jurisdiction
        ))
    })?;
    let ruleset = load_ruleset(args.rules.rules.as_deref(), jurisdiction)?;
    if let Some(p) = &args.index
        && p.extension().and_then(|e| e.to_str()) != Some("json")
    {
        return Err(bad_input(format!(
            "index: {} must end in .json",
            p.display()
        )));
    }
    if let Some(p) = &args.truth {
        // Checked before the work, not after it.
        finrisk_datasets::TableFormat::detect(p)?;
        if !p.is_file() {
            return Err(bad_input(format!("truth: {} is not a file", p.display())));
        }
    }
    let (batch, report) = load_grants(&args.input)?;
    let pds = crate::pd::pds_for(&args.pd.pd_model, &batch)?;
    let pd_model_id = pds.as_ref().map(|p| p.model.clone());
    let (rows, dc) = assess_grants(&batch, &ruleset, as_of, pds.as_ref());
    // The rows hold what the output needs; free the per-grant reasons before the frame copy.
    drop(pds);
    if let Some(path) = &args.index {
        let index = finrisk_engine::index::evaluation_index(&batch, &rows);
        std::fs::write(path, serde_json::to_string_pretty(&index)? + "\n")?;
    }
    let extra = json!({
        "provenance": {
            "finrisk_version": env!("CARGO_PKG_VERSION"),
            "ruleset_version": ruleset.version,
            "pd_model": pd_model_id,
            "input_sha256": super::file_sha256(&args.input)?,
        },
        "index": args.index.as_ref().map(|p| p.display().to_string()),
        "outcomes": outcome_evaluation(&batch, &rows),
        "truth": match &args.truth {
            Some(path) => truth_evaluation(path, &batch, &rows)?,
            None => serde_json::Value::Null,
        },
    });
    let mut frame = grant_results_frame(&batch, &rows)?;
    write_frame(&mut frame, &args.output)?;
    if let Some(path) = &args.persons {
        let mut persons = persons_frame(&rows, &dc)?;
        write_frame(&mut persons, path)?;
    }
    Ok((rows.len(), report.row_errors, report.rows_rejected, extra))
}

/// Summary columns of the CSV form of case and product results.
const SUMMARY_HEADER: &str = "id,findings,weak_risk_control,duplicate_credit,one_sided_marketing,overall,grade,excess_minor,supportable_claim_minor,same_borrower_other_plaintiffs";

fn documents(
    args: &BatchArgs,
    as_of: Option<finrisk_engine::Date>,
) -> anyhow::Result<(usize, Vec<RowError>, usize)> {
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
    let input = std::fs::File::open(&args.input)
        .map_err(|e| bad_input(format!("input: cannot open {}: {e}", args.input.display())))?;
    let out_file = std::fs::File::create(&args.output)
        .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", args.output.display()))?;
    let mut out = BufWriter::new(out_file);
    if csv {
        writeln!(out, "{SUMMARY_HEADER}")?;
    }
    let lexicons = Lexicons::embedded()?;
    let mut rulesets: HashMap<Jurisdiction, Ruleset> = HashMap::new();
    let mut errors = Vec::new();
    let (mut assessed, mut refused) = (0usize, 0usize);
    let lines: Vec<std::io::Result<String>> = std::io::BufReader::new(input).lines().collect();
    // Cases are parsed once, up front: cases of the same borrower key under different
    // plaintiffs are linked in the output.
    let mut cases: Vec<Option<Result<Case, EngineError>>> = lines
        .iter()
        .map(|l| match l {
            Ok(text) if args.kind == BatchKind::Cases && !text.trim().is_empty() => {
                Some(Case::from_json(text))
            }
            _ => None,
        })
        .collect();
    let mut by_borrower: HashMap<String, Vec<(String, String)>> = HashMap::new();
    for case in cases.iter().flatten().flatten() {
        by_borrower
            .entry(case.defendant.borrower_key.clone())
            .or_default()
            .push((case.case_id.clone(), case.plaintiff.institution_id.clone()));
    }
    for (i, line) in lines.into_iter().enumerate() {
        let row = i + 1;
        let line = match line {
            Ok(l) => l,
            Err(e) => {
                refused += 1;
                errors.push(RowError {
                    row,
                    field: "line".into(),
                    reason: format!("unreadable: {e}"),
                    code: "malformed_document",
                });
                continue;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        let result: Result<(String, serde_json::Value), EngineError> = match args.kind {
            BatchKind::Cases => cases[i]
                .take()
                .unwrap_or_else(|| Case::from_json(&line))
                .and_then(|case| {
                    let ruleset = ruleset_for(&mut rulesets, case.jurisdiction, args)?;
                    let a = assess_case(&case, ruleset, &lexicons)?;
                    let linked: Vec<serde_json::Value> = by_borrower
                        .get(&case.defendant.borrower_key)
                        .map(|v| {
                            v.iter()
                            .filter(|(id, plaintiff)| {
                                *id != case.case_id && *plaintiff != case.plaintiff.institution_id
                            })
                            .map(|(id, plaintiff)| json!({ "case_id": id, "plaintiff": plaintiff }))
                            .collect()
                        })
                        .unwrap_or_default();
                    let summary = summary_row(
                        &a.case_id,
                        &a.assessment,
                        Some((a.cost.excess_minor, a.cost.supportable_claim_minor)),
                        Some(linked.len()),
                    );
                    let mut full = serde_json::to_value(&a).unwrap_or_default();
                    if !linked.is_empty() {
                        full["same_borrower_other_plaintiffs"] = json!(linked);
                    }
                    Ok((summary, full))
                }),
            _ => Product::from_json(&line).and_then(|p| {
                let ruleset = ruleset_for(&mut rulesets, p.jurisdiction, args)?;
                let a = assess_product(&p, None, None, as_of, ruleset, &lexicons)?;
                let summary = summary_row(&a.product_id, &a.assessment, None, None);
                Ok((summary, serde_json::to_value(&a).unwrap_or_default()))
            }),
        };
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
    Ok((assessed, errors, refused))
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

fn summary_row(
    id: &str,
    a: &finrisk_engine::assess::Assessment,
    money: Option<(i64, i64)>,
    linked: Option<usize>,
) -> String {
    let s = &a.scores;
    let (excess, supportable) = money.map_or((String::new(), String::new()), |(e, p)| {
        (e.to_string(), p.to_string())
    });
    let linked = linked.map_or(String::new(), |n| n.to_string());
    format!(
        "{},{},{},{},{},{},{},{excess},{supportable},{linked}",
        csv_field(id),
        csv_field(&a.codes()),
        s.weak_risk_control,
        s.duplicate_credit,
        s.one_sided_marketing,
        s.overall,
        a.grade
    )
}
