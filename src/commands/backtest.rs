//! `finrisk backtest`: what a candidate ruleset would have found on grants, products or cases
//! that the current one did not, and the reverse.
//!
//! A grants table is streamed twice, as `batch` does: the first pass feeds the duplicate-credit
//! ledger (one analysis per ruleset when their identity rules differ); the second assesses
//! every chunk under both rulesets. Products (JSON lines, streamed) and cases (JSON lines or an
//! element table, read whole as `batch` reads them) are assessed under both, a chunk at a time
//! on every core. Every row is
//! counted the same way ([`Tally`]): per code, the rows each ruleset flags, the rows the
//! candidate gains and loses, the same per institution and per current grade, the grade
//! transitions and, where grants have `defaulted`, each code's default rate among the grants it
//! flags (precision) and the share of defaulted grants it flags (recall) under both. A diff of
//! the two rulesets heads the report. No PD model is applied, so RC-HIGH-PD is not compared.

use crate::cli::{BacktestArgs, BatchKind};
use crate::failure::bad_input;
use crate::input::{load_ruleset, parse_as_of};
use crate::output::to_json;
use finrisk_datasets::GrantInput;
use finrisk_engine::Ruleset;
use finrisk_engine::assess::{Assessment, assess_case, assess_grant_chunk, assess_product};
use finrisk_engine::dc::{DcAnalysis, DcLedger, DcSettings};
use finrisk_engine::domain::grant::RowError;
use finrisk_engine::domain::{Case, Product};
use finrisk_engine::marketing::ClaimGrammar;
use finrisk_engine::{EngineError, FieldError};
use rayon::prelude::*;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, Write};

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

/// A row's outcome under both rulesets.
struct RowPair<'a> {
    id: &'a str,
    institution: &'a str,
    /// Codes joined by `;` under the current and the candidate ruleset.
    current_codes: &'a str,
    candidate_codes: &'a str,
    current_grade: &'a str,
    candidate_grade: &'a str,
    /// The grant's outcome, when known (grants only).
    defaulted: Option<bool>,
}

/// The codes of a `;`-joined list.
fn code_set(codes: &str) -> BTreeSet<&str> {
    codes.split(';').filter(|c| !c.is_empty()).collect()
}

/// Everything a backtest counts, whatever the kind of row.
#[derive(Default)]
struct Tally {
    per_code: BTreeMap<String, CodeCounts>,
    /// Institution -> code -> (gained, lost).
    per_institution: BTreeMap<String, BTreeMap<String, (usize, usize)>>,
    /// Current grade -> code -> (gained, lost).
    per_grade: BTreeMap<String, BTreeMap<String, (usize, usize)>>,
    /// (current grade, candidate grade) -> rows.
    grades: BTreeMap<(String, String), usize>,
    assessed: usize,
    changed_rows: usize,
    defaulted_known: usize,
    positives: usize,
}

impl Tally {
    /// Counts one row, writing each change to `changes` when given.
    fn record(
        &mut self,
        row: &RowPair<'_>,
        changes: &mut Option<std::io::BufWriter<std::fs::File>>,
    ) -> anyhow::Result<()> {
        self.assessed += 1;
        self.defaulted_known += usize::from(row.defaulted.is_some());
        self.positives += usize::from(row.defaulted == Some(true));
        let (sa, sb) = (code_set(row.current_codes), code_set(row.candidate_codes));
        for &code in sa.union(&sb) {
            let (in_a, in_b) = (sa.contains(code), sb.contains(code));
            let c = match self.per_code.get_mut(code) {
                Some(c) => c,
                None => self.per_code.entry(code.to_string()).or_default(),
            };
            c.current += usize::from(in_a);
            c.candidate += usize::from(in_b);
            if let Some(d) = row.defaulted {
                c.current_known += usize::from(in_a);
                c.candidate_known += usize::from(in_b);
                c.current_defaulted += usize::from(in_a && d);
                c.candidate_defaulted += usize::from(in_b && d);
            }
            if in_a == in_b {
                continue;
            }
            if in_b {
                c.gained += 1;
            } else {
                c.lost += 1;
            }
            for (map, key) in [
                (&mut self.per_institution, row.institution),
                (&mut self.per_grade, row.current_grade),
            ] {
                let n = map
                    .entry(key.to_string())
                    .or_default()
                    .entry(code.to_string())
                    .or_default();
                if in_b {
                    n.0 += 1;
                } else {
                    n.1 += 1;
                }
            }
            if let Some(w) = changes {
                let change = if in_b { "gained" } else { "lost" };
                writeln!(
                    w,
                    "{},{},{},{change}",
                    csv_field(row.id),
                    csv_field(row.institution),
                    code
                )?;
            }
        }
        self.changed_rows += usize::from(sa != sb);
        *self
            .grades
            .entry((
                row.current_grade.to_string(),
                row.candidate_grade.to_string(),
            ))
            .or_default() += 1;
        Ok(())
    }

    /// The counts as the report's fields.
    fn into_report(self, unit: &str) -> serde_json::Map<String, Value> {
        let (defaulted_known, positives) = (self.defaulted_known, self.positives);
        let share = |n: usize, d: usize| finrisk_models::metrics::wilson(n, d).map(|s| s.value);
        let codes: serde_json::Map<String, Value> = self
            .per_code
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
        let nested = |m: BTreeMap<String, BTreeMap<String, (usize, usize)>>| -> Value {
            m.into_iter()
                .map(|(key, codes)| {
                    let codes: serde_json::Map<String, Value> = codes
                        .into_iter()
                        .map(|(code, (gained, lost))| {
                            (code, json!({"gained": gained, "lost": lost}))
                        })
                        .collect();
                    (key, Value::Object(codes))
                })
                .collect::<serde_json::Map<String, Value>>()
                .into()
        };
        let grade_changes: Vec<Value> = self
            .grades
            .into_iter()
            .filter(|((a, b), _)| a != b)
            .map(|((a, b), n)| json!({"from": a, "to": b, unit: n}))
            .collect();
        let mut out = serde_json::Map::new();
        out.insert("rows_assessed".into(), json!(self.assessed));
        out.insert("rows_changed".into(), json!(self.changed_rows));
        out.insert("codes".into(), Value::Object(codes));
        out.insert("institutions".into(), nested(self.per_institution));
        out.insert("grades".into(), nested(self.per_grade));
        out.insert("grade_changes".into(), json!(grade_changes));
        out.insert("defaulted_known".into(), json!(defaulted_known));
        out
    }
}

/// The `--changes` file with its header, when asked for.
fn changes_file(
    args: &BacktestArgs,
    id_column: &str,
) -> anyhow::Result<Option<std::io::BufWriter<std::fs::File>>> {
    match &args.changes {
        Some(p) => {
            let file = std::fs::File::create(p)
                .map_err(|e| bad_input(format!("changes: {}: {e}", p.display())))?;
            let mut w = std::io::BufWriter::new(file);
            writeln!(w, "{id_column},institution_id,code,change")?;
            Ok(Some(w))
        }
        None => Ok(None),
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
    if args.kind != BatchKind::Cases && (args.repayments.is_some() || args.ads.is_some()) {
        return Err(bad_input(
            "repayments: only for --kind cases in an element table",
        ));
    }
    let ruleset_changes = changes(&current, &candidate)?;
    let (mut report, tally, unit) = match args.kind {
        BatchKind::Grants => {
            let (report, tally) = grants(args, &current, &candidate, as_of)?;
            (report, tally, "grants")
        }
        BatchKind::Products | BatchKind::Cases => {
            let (report, tally) = documents(args, &current, &candidate, as_of)?;
            let unit = if args.kind == BatchKind::Cases {
                "cases"
            } else {
                "products"
            };
            (report, tally, unit)
        }
    };
    report.insert("kind".into(), json!(unit));
    report.insert("current".into(), json!({"version": current.version}));
    report.insert("candidate".into(), json!({"version": candidate.version}));
    report.insert("ruleset_changes".into(), json!(ruleset_changes));
    report.extend(tally.into_report(unit));
    report.insert("pd_model".into(), Value::Null);
    report.insert(
        "note".into(),
        json!("no PD model is applied: RC-HIGH-PD is not compared"),
    );
    to_json(&Value::Object(report))
}

/// Grants: the duplicate-credit ledger from a first pass, then both rulesets on every chunk.
fn grants(
    args: &BacktestArgs,
    current: &Ruleset,
    candidate: &Ruleset,
    as_of: Option<finrisk_engine::Date>,
) -> anyhow::Result<(serde_json::Map<String, Value>, Tally)> {
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
        DcSettings::from_ruleset(current),
        DcSettings::from_ruleset(candidate),
    );
    let candidate_ledger = (candidate_settings != current_dc).then(|| ledger.clone());
    let dc_current: DcAnalysis = ledger.analyse(as_of, &current_dc);
    let dc_candidate: Option<DcAnalysis> =
        candidate_ledger.map(|l| l.analyse(as_of, &candidate_settings));

    // Pass 2: both rulesets on every chunk.
    let mut tally = Tally::default();
    let mut changes_out = changes_file(args, "grant_id")?;
    let mut first = 0usize;
    for chunk in input.chunks(args.chunk_rows) {
        let batch = chunk?.batch;
        let view_current = dc_current.chunk(first);
        let view_candidate = dc_candidate.as_ref().unwrap_or(&dc_current).chunk(first);
        let rows_current = assess_grant_chunk(&batch, current, view_current, None);
        let rows_candidate = assess_grant_chunk(&batch, candidate, view_candidate, None);
        for (a, b) in rows_current.iter().zip(&rows_candidate) {
            let i = a.index;
            let (grade_a, grade_b) = (a.grade.to_string(), b.grade.to_string());
            tally.record(
                &RowPair {
                    id: &batch.grant_id[i],
                    institution: &batch.institution_id[i],
                    current_codes: &a.findings,
                    candidate_codes: &b.findings,
                    current_grade: &grade_a,
                    candidate_grade: &grade_b,
                    defaulted: batch.defaulted[i],
                },
                &mut changes_out,
            )?;
        }
        first += batch.len();
    }
    if let Some(mut w) = changes_out {
        w.flush()?;
    }
    let mut report = serde_json::Map::new();
    report.insert("input".into(), json!(args.input.display().to_string()));
    report.insert("rows_read".into(), json!(read));
    report.insert("rows_rejected".into(), json!(rejected));
    report.insert("row_errors".into(), json!(row_errors));
    report.insert("as_of".into(), json!(dc_current.as_of));
    Ok((report, tally))
}

/// A product or case assessed under both rulesets: id, institution, and each assessment.
type DocumentPair = (String, String, Assessment, Assessment);

/// A row of a products or cases file (or why it was refused), with its 1-based row number.
type DocumentRow = (usize, Result<Document, EngineError>);

/// What a products or cases backtest has counted so far.
struct DocumentRun {
    tally: Tally,
    changes_out: Option<std::io::BufWriter<std::fs::File>>,
    row_errors: Vec<RowError>,
    rows_read: usize,
    rows_rejected: usize,
}

impl DocumentRun {
    /// Assesses `chunk` under both rulesets on every core, then counts it in row order.
    fn assess_chunk<F>(&mut self, chunk: &[DocumentRow], assess: &F) -> anyhow::Result<()>
    where
        F: Fn(&Document) -> Result<DocumentPair, EngineError> + Sync,
    {
        let pairs: Vec<Result<DocumentPair, EngineError>> = chunk
            .par_iter()
            .map(|(_, doc)| doc.as_ref().map_err(Clone::clone).and_then(assess))
            .collect();
        for ((row, _), pair) in chunk.iter().zip(pairs) {
            match pair {
                Ok((id, institution, a, b)) => self.tally.record(
                    &RowPair {
                        id: &id,
                        institution: &institution,
                        current_codes: &a.codes(),
                        candidate_codes: &b.codes(),
                        current_grade: &a.grade,
                        candidate_grade: &b.grade,
                        defaulted: None,
                    },
                    &mut self.changes_out,
                )?,
                Err(e) => {
                    self.rows_rejected += 1;
                    self.row_errors.extend(
                        e.field_errors()
                            .into_iter()
                            .map(|f: FieldError| RowError::from_field(*row, f)),
                    );
                }
            }
        }
        Ok(())
    }
}

/// Products or cases: each row read, refused with its reasons when it cannot be read or is of
/// another jurisdiction, and otherwise assessed under both rulesets, `--chunk-rows` at a time.
/// Products are streamed line by line; cases are read whole first (as `batch` reads them), since
/// an element table's side tables are joined to their cases.
fn documents(
    args: &BacktestArgs,
    current: &Ruleset,
    candidate: &Ruleset,
    as_of: Option<finrisk_engine::Date>,
) -> anyhow::Result<(serde_json::Map<String, Value>, Tally)> {
    let grammar = ClaimGrammar::embedded()?;
    let cases = args.kind == BatchKind::Cases;
    let jurisdiction = current.jurisdiction;
    let assess = |doc: &Document| -> Result<DocumentPair, EngineError> {
        let j = match doc {
            Document::Case(c) => c.jurisdiction,
            Document::Product(p) => p.jurisdiction,
        };
        if j != jurisdiction {
            return Err(EngineError::field(
                "jurisdiction",
                format!(
                    "{} is not the backtest's jurisdiction ({}); run one backtest per jurisdiction",
                    j.as_str(),
                    jurisdiction.as_str()
                ),
            ));
        }
        Ok(match doc {
            Document::Case(c) => {
                let (a, b) = (
                    assess_case(c, current, &grammar)?,
                    assess_case(c, candidate, &grammar)?,
                );
                (a.case_id, a.institution_id, a.assessment, b.assessment)
            }
            Document::Product(p) => {
                let (a, b) = (
                    assess_product(p, None, None, as_of, current, &grammar)?,
                    assess_product(p, None, None, as_of, candidate, &grammar)?,
                );
                (a.product_id, a.institution_id, a.assessment, b.assessment)
            }
        })
    };
    let mut run = DocumentRun {
        tally: Tally::default(),
        changes_out: changes_file(args, if cases { "case_id" } else { "product_id" })?,
        row_errors: Vec::new(),
        rows_read: 0,
        rows_rejected: 0,
    };
    let mut tables = Value::Null;
    if cases {
        let (cases, extra) = super::batch::read_cases(
            &args.input,
            args.repayments.as_deref(),
            args.ads.as_deref(),
            &mut run.row_errors,
        )?;
        tables = extra;
        // Side-table rows of an element table that match no case are reported with the
        // tables, not counted as rows of the input; unreadable JSON lines are.
        let unreadable = if finrisk_datasets::element_table::is_element_table(&args.input) {
            0
        } else {
            run.row_errors.len()
        };
        run.rows_read = cases.len() + unreadable;
        run.rows_rejected = unreadable;
        let rows: Vec<DocumentRow> = cases
            .into_iter()
            .map(|(row, c)| (row, c.map(|c| Document::Case(Box::new(c)))))
            .collect();
        for chunk in rows.chunks(args.chunk_rows) {
            run.assess_chunk(chunk, &assess)?;
        }
    } else {
        let input = std::fs::File::open(&args.input)
            .map_err(|e| bad_input(format!("input: cannot open {}: {e}", args.input.display())))?;
        let mut pending: Vec<DocumentRow> = Vec::with_capacity(args.chunk_rows.min(65_536));
        for (i, line) in std::io::BufReader::new(input).lines().enumerate() {
            match line {
                Ok(text) if text.trim().is_empty() => {}
                Ok(text) => {
                    run.rows_read += 1;
                    pending.push((
                        i + 1,
                        Product::from_json(&text).map(|p| Document::Product(Box::new(p))),
                    ));
                }
                Err(e) => {
                    run.rows_read += 1;
                    run.rows_rejected += 1;
                    run.row_errors
                        .push(super::batch::unreadable_line(i + 1, &e));
                }
            }
            if pending.len() >= args.chunk_rows {
                run.assess_chunk(&pending, &assess)?;
                pending.clear();
            }
        }
        run.assess_chunk(&pending, &assess)?;
    }
    if let Some(mut w) = run.changes_out.take() {
        w.flush()?;
    }
    let mut report = serde_json::Map::new();
    report.insert("input".into(), json!(args.input.display().to_string()));
    if !tables.is_null() {
        report.insert("tables".into(), tables);
    }
    report.insert("rows_read".into(), json!(run.rows_read));
    report.insert("rows_rejected".into(), json!(run.rows_rejected));
    report.insert("row_errors".into(), json!(run.row_errors));
    report.insert("as_of".into(), json!(as_of.map(|d| d.to_string())));
    Ok((report, run.tally))
}

/// A row of a products or cases file.
enum Document {
    Case(Box<Case>),
    Product(Box<Product>),
}
