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
        BatchKind::Cases | BatchKind::Products => {
            let (a, e, r) = documents(args, as_of)?;
            (a, e, r, serde_json::Value::Null)
        }
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
    let grammar = ClaimGrammar::embedded()?;
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
                    let a = assess_case(&case, ruleset, &grammar)?;
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
                let a = assess_product(&p, None, None, as_of, ruleset, &grammar)?;
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
