//! `finrisk backtest --kind grants`: what a candidate ruleset would have found on a grants table
//! that the current one did not, and the reverse.
//!
//! The table is streamed twice, as `batch` does: the first pass feeds the duplicate-credit
//! ledger (one analysis per ruleset when their identity rules differ); the second assesses
//! every chunk under both rulesets and counts, per code, the grants each flags, the grants the
//! candidate gains and loses, the same per institution, the grade transitions and, where the
//! table has `defaulted`, each code's default rate among the grants it flags (precision) and
//! the share of defaulted grants it flags (recall) under both. A diff of the two rulesets heads
//! the report. No PD model is applied, so RC-HIGH-PD is not compared.

use crate::cli::BacktestArgs;
use crate::failure::bad_input;
use crate::input::{load_ruleset, parse_as_of};
use crate::output::to_json;
use finrisk_datasets::GrantInput;
use finrisk_engine::Ruleset;
use finrisk_engine::assess::assess_grant_chunk;
use finrisk_engine::dc::{DcAnalysis, DcLedger, DcSettings};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

/// Per code: grants flagged under the current and the candidate ruleset, gained, lost, and
/// among the grants with `defaulted` known: flagged and defaulted under each.
#[derive(Default, Clone, Copy)]
struct CodeCounts {
    current: usize,
    candidate: usize,
    gained: usize,
    lost: usize,
    current_defaulted: usize,
    candidate_defaulted: usize,
    current_known: usize,
    candidate_known: usize,
}

/// Every setting the two rulesets differ on, by its path (`codes.RC-DTI-HIGH.threshold`).
fn changes(current: &Ruleset, candidate: &Ruleset) -> anyhow::Result<Vec<Value>> {
    let mut out = Vec::new();
    let as_value = |r: &Ruleset| serde_json::to_value(r);
    let (a, b) = (as_value(current)?, as_value(candidate)?);
    fn walk(path: &str, a: &Value, b: &Value, out: &mut Vec<Value>) {
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
                for k in keys {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    walk(
                        &p,
                        x.get(k).unwrap_or(&Value::Null),
                        y.get(k).unwrap_or(&Value::Null),
                        out,
                    );
                }
            }
            _ if a != b => out.push(json!({"key": path, "current": a, "candidate": b})),
            _ => {}
        }
    }
    walk("", &a, &b, &mut out);
    Ok(out)
}

/// `field,...` quoted as CSV wants it.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

pub(crate) fn run(args: &BacktestArgs) -> anyhow::Result<String> {
    let jurisdiction = crate::input::parse_jurisdiction(&args.jurisdiction)?;
    let current = load_ruleset(args.rules.as_deref(), jurisdiction)?;
    let candidate = load_ruleset(Some(&args.candidate), jurisdiction)?;
    let as_of = parse_as_of(args.as_of.as_deref())?;
    if args.chunk_rows == 0 {
        return Err(bad_input("chunk-rows: must be at least 1"));
    }
    let ruleset_changes = changes(&current, &candidate)?;
    let input = GrantInput::open(&args.input)?;

    // Pass 1: the duplicate-credit ledger, and the rows refused.
    let mut ledger = DcLedger::new();
    let (mut read, mut rejected) = (0usize, 0usize);
    let mut row_errors = Vec::new();
    for chunk in input.chunks(args.chunk_rows) {
        let chunk = chunk?;
        read += chunk.report.rows_read;
        rejected += chunk.report.rows_rejected;
        row_errors.extend(chunk.report.row_errors);
        ledger.add(&chunk.batch);
    }
    let (current_dc, candidate_settings) = (
        DcSettings::from_ruleset(&current),
        DcSettings::from_ruleset(&candidate),
    );
    let candidate_ledger = (candidate_settings != current_dc).then(|| ledger.clone());
    let dc_current: DcAnalysis = ledger.analyse(as_of, &current_dc);
    let dc_candidate: Option<DcAnalysis> =
        candidate_ledger.map(|l| l.analyse(as_of, &candidate_settings));

    // Pass 2: both rulesets on every chunk.
    let mut per_code: BTreeMap<String, CodeCounts> = BTreeMap::new();
    let mut per_institution: BTreeMap<String, BTreeMap<String, (usize, usize)>> = BTreeMap::new();
    let mut grades: BTreeMap<(char, char), usize> = BTreeMap::new();
    let (mut assessed, mut changed_rows) = (0usize, 0usize);
    let (mut defaulted_known, mut positives) = (0usize, 0usize);
    let mut changes_out = match &args.changes {
        Some(p) => {
            let file = std::fs::File::create(p)
                .map_err(|e| bad_input(format!("changes: {}: {e}", p.display())))?;
            let mut w = std::io::BufWriter::new(file);
            writeln!(w, "grant_id,institution_id,code,change")?;
            Some(w)
        }
        None => None,
    };
    let mut first = 0usize;
    for chunk in input.chunks(args.chunk_rows) {
        let batch = chunk?.batch;
        let view_current = dc_current.chunk(first);
        let view_candidate = dc_candidate.as_ref().unwrap_or(&dc_current).chunk(first);
        let rows_current = assess_grant_chunk(&batch, &current, view_current, None);
        let rows_candidate = assess_grant_chunk(&batch, &candidate, view_candidate, None);
        for (a, b) in rows_current.iter().zip(&rows_candidate) {
            let i = a.index;
            let defaulted = batch.defaulted[i];
            defaulted_known += usize::from(defaulted.is_some());
            positives += usize::from(defaulted == Some(true));
            let set = |s: &str| -> BTreeSet<String> {
                s.split(';')
                    .filter(|c| !c.is_empty())
                    .map(str::to_string)
                    .collect()
            };
            let (sa, sb) = (set(&a.findings), set(&b.findings));
            for code in sa.union(&sb) {
                let (in_a, in_b) = (sa.contains(code), sb.contains(code));
                let c = per_code.entry(code.clone()).or_default();
                c.current += usize::from(in_a);
                c.candidate += usize::from(in_b);
                if let Some(d) = defaulted {
                    c.current_known += usize::from(in_a);
                    c.candidate_known += usize::from(in_b);
                    c.current_defaulted += usize::from(in_a && d);
                    c.candidate_defaulted += usize::from(in_b && d);
                }
                if in_a != in_b {
                    let change = if in_b { "gained" } else { "lost" };
                    if in_b {
                        c.gained += 1;
                    } else {
                        c.lost += 1;
                    }
                    let inst = per_institution
                        .entry(batch.institution_id[i].clone())
                        .or_default()
                        .entry(code.clone())
                        .or_default();
                    if in_b {
                        inst.0 += 1;
                    } else {
                        inst.1 += 1;
                    }
                    if let Some(w) = &mut changes_out {
                        writeln!(
                            w,
                            "{},{},{},{change}",
                            csv_field(&batch.grant_id[i]),
                            csv_field(&batch.institution_id[i]),
                            code
                        )?;
                    }
                }
            }
            changed_rows += usize::from(sa != sb);
            *grades.entry((a.grade, b.grade)).or_default() += 1;
        }
        first += batch.len();
        assessed += batch.len();
    }
    if let Some(mut w) = changes_out {
        w.flush()?;
    }
    let share = |n: usize, d: usize| finrisk_models::metrics::wilson(n, d).map(|s| s.value);
    let codes: serde_json::Map<String, Value> = per_code
        .into_iter()
        .map(|(code, c)| {
            (
                code,
                json!({
                    "current": c.current,
                    "candidate": c.candidate,
                    "gained": c.gained,
                    "lost": c.lost,
                    "outcomes": (defaulted_known > 0).then(|| json!({
                        "current": {
                            "precision": share(c.current_defaulted, c.current_known),
                            "recall": share(c.current_defaulted, positives),
                        },
                        "candidate": {
                            "precision": share(c.candidate_defaulted, c.candidate_known),
                            "recall": share(c.candidate_defaulted, positives),
                        },
                    })),
                }),
            )
        })
        .collect();
    let institutions: serde_json::Map<String, Value> = per_institution
        .into_iter()
        .map(|(inst, codes)| {
            let codes: serde_json::Map<String, Value> = codes
                .into_iter()
                .map(|(code, (gained, lost))| (code, json!({"gained": gained, "lost": lost})))
                .collect();
            (inst, Value::Object(codes))
        })
        .collect();
    let grade_changes: Vec<Value> = grades
        .into_iter()
        .filter(|((a, b), _)| a != b)
        .map(|((a, b), n)| json!({"from": a.to_string(), "to": b.to_string(), "grants": n}))
        .collect();
    let report = json!({
        "input": args.input.display().to_string(),
        "rows_read": read,
        "rows_rejected": rejected,
        "row_errors": row_errors,
        "rows_assessed": assessed,
        "rows_changed": changed_rows,
        "as_of": dc_current.as_of,
        "current": {"version": current.version},
        "candidate": {"version": candidate.version},
        "ruleset_changes": ruleset_changes,
        "codes": codes,
        "institutions": institutions,
        "grade_changes": grade_changes,
        "defaulted_known": defaulted_known,
        "pd_model": Value::Null,
        "note": "no PD model is applied: RC-HIGH-PD is not compared",
    });
    to_json(&report)
}
