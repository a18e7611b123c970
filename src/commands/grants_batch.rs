//! `finrisk batch --kind grants`: the streamed (default) and in-memory assessment of a grants
//! table, and everything computed from its rows as they go by (output, index, persons,
//! outcome and truth evaluation).
//!
//! **Streaming** reads the input twice, one chunk at a time, on a reader thread that parses
//! the next chunk while the current one is assessed (rayon):
//! 1. every row is parsed and validated; accepted rows go to the duplicate-credit ledger (the
//!    compact per-grant columns the across-grant analysis needs), refused rows to the rejects;
//! 2. after the analysis, every chunk is parsed again (or taken from memory), scored with the
//!    PD model, assessed against the analysis and fed to the index, person and evaluation
//!    accumulators; a writer thread builds, encodes and compresses the output of each chunk
//!    while the next one is assessed.
//!
//! What stays in memory across the input is the ledger and the analysis (about 100 bytes per
//! grant), the accumulators (per institution, product, person and distinct score) and the
//! refused rows' errors; never the rows' evidence or the output. The first pass keeps its
//! parsed chunks for the second while they fit in `--memory-budget-mb` (default 1,024 MB,
//! about 5 million grants); a larger input is read again instead, so memory stops growing at
//! the budget. **In memory**
//! (`--in-memory`) loads the whole file as one batch and runs the same assessment and
//! accumulators; both give the same outputs.

use crate::cli::BatchArgs;
use crate::evaluation::TruthAccumulator;
use crate::failure::bad_input;
use crate::input::load_ruleset;
use finrisk_datasets::write::{
    TableSink, add_constant_column, grant_results_frame, output_format, persons_frame,
};
use finrisk_datasets::{GrantChunk, GrantInput, LoadReport};
use finrisk_engine::Date;
use finrisk_engine::assess::{GrantRow, assess_grant_chunk};
use finrisk_engine::catalogue::CodeCounts;
use finrisk_engine::dc::{DcAnalysis, DcChunk, DcLedger, DcSettings, PersonCodes};
use finrisk_engine::domain::grant::{GrantBatch, RowError};
use finrisk_engine::index::IndexBuilder;
use finrisk_engine::vintage::{DownTieringRules, VintageBook, grant_quality_of};
use finrisk_models::PdModel;
use finrisk_models::metrics::{AucCounter, AucList};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{Value, json};

/// What a grants batch returns to the command: counts, refused rows, and the summary fields.
pub(crate) struct GrantsOutcome {
    pub(crate) assessed: usize,
    pub(crate) rejected: usize,
    pub(crate) errors: Vec<RowError>,
    pub(crate) summary: Value,
}

/// AUC of each score against `defaulted`, and each code's default rate among the grants it
/// flags against the rest, accumulated over the rows with the outcome.
#[derive(Default)]
struct OutcomeAccumulator {
    known: usize,
    positives: usize,
    weak_risk_control: AucCounter,
    duplicate_credit: AucCounter,
    overall: AucCounter,
    /// A list, not a counter: nearly every grant has its own PD.
    pd: AucList,
    rows_without_pd: usize,
    /// Grants each code flags.
    flagged: CodeCounts,
    /// Defaulted grants each code flags.
    flagged_defaulted: CodeCounts,
}

impl OutcomeAccumulator {
    fn add(&mut self, batch: &GrantBatch, rows: &[GrantRow]) {
        for r in rows {
            let Some(bad) = batch.defaulted[r.index] else {
                continue;
            };
            self.known += 1;
            self.positives += usize::from(bad);
            self.weak_risk_control.add(r.scores.weak_risk_control, bad);
            self.duplicate_credit.add(r.scores.duplicate_credit, bad);
            self.overall.add(r.scores.overall, bad);
            match r.pd {
                Some(pd) => self.pd.add(pd, bad),
                None => self.rows_without_pd += 1,
            }
            self.flagged.add(r.codes);
            if bad {
                self.flagged_defaulted.add(r.codes);
            }
        }
    }

    fn finish(mut self) -> Value {
        if self.known == 0 || self.positives == 0 || self.positives == self.known {
            return Value::Null;
        }
        let (known, positives) = (self.known, self.positives);
        // Wilson 95% intervals beside every rate, Hanley-McNeil beside every AUC: a code that
        // flags two grants shows how little its rate says.
        let ci =
            |k: usize, n: usize| finrisk_models::metrics::wilson(k, n).map(|s| [s.low, s.high]);
        let auc_ci = |auc: Option<f64>| {
            auc.and_then(|a| finrisk_models::metrics::auc_interval(a, positives, known - positives))
                .map(|(lo, hi)| [lo, hi])
        };
        let pd_auc = if self.rows_without_pd == 0 {
            self.pd.auc()
        } else {
            None
        };
        let (wrc, dc, overall) = (
            self.weak_risk_control.auc(),
            self.duplicate_credit.auc(),
            self.overall.auc(),
        );
        let codes: serde_json::Map<String, Value> = self
            .flagged
            .by_code()
            .into_iter()
            .map(|(code, n)| {
                let bad = self.flagged_defaulted.get(code);
                let code = code.as_str().to_string();
                let rest_n = known - n;
                let rest_bad = positives - bad;
                (
                    code,
                    json!({
                        "flagged": n,
                        "default_rate_flagged": bad as f64 / n as f64,
                        "default_rate_flagged_ci95": ci(bad, n),
                        "default_rate_rest": (rest_n > 0).then(|| rest_bad as f64 / rest_n as f64),
                        "default_rate_rest_ci95": ci(rest_bad, rest_n),
                    }),
                )
            })
            .collect();
        json!({
            "outcome": "defaulted",
            "rows_with_outcome": known,
            "default_rate": positives as f64 / known as f64,
            "auc": {
                "weak_risk_control": wrc,
                "duplicate_credit": dc,
                "overall": overall,
                "pd": pd_auc,
            },
            "auc_ci95": {
                "weak_risk_control": auc_ci(wrc),
                "duplicate_credit": auc_ci(dc),
                "overall": auc_ci(overall),
                "pd": auc_ci(pd_auc),
            },
            "codes": codes,
        })
    }
}

/// Everything computed from the assessed rows besides the output table, fed chunk after
/// chunk in input order.
struct Accumulators {
    index: Option<IndexBuilder>,
    persons: Option<PersonCodes>,
    outcomes: OutcomeAccumulator,
    truth: Option<TruthAccumulator>,
    /// Borrower quality by institution and month of grant (RC-DOWN-TIERING), unless the
    /// ruleset switches the code off.
    vintages: Option<(VintageBook, DownTieringRules)>,
    assessed: usize,
}

impl Accumulators {
    fn add(
        &mut self,
        batch: &GrantBatch,
        rows: &[GrantRow],
        dc: DcChunk<'_>,
    ) -> anyhow::Result<()> {
        if let Some((book, rules)) = &mut self.vintages {
            for r in rows {
                let quality = grant_quality_of(
                    r.codes,
                    batch.borrower_age[r.index].map(f64::from),
                    rules.young_age,
                );
                book.add(
                    &batch.institution_id[r.index],
                    batch.granted_at[r.index],
                    &quality,
                    r.pd,
                );
            }
        }
        if let Some(index) = &mut self.index {
            index.add(batch, rows);
        }
        if let Some(persons) = &mut self.persons {
            persons.add(dc, rows);
        }
        self.outcomes.add(batch, rows);
        if let Some(truth) = &mut self.truth {
            for r in rows {
                let s = &r.scores;
                truth.add(
                    &batch.grant_id[r.index],
                    &r.findings,
                    [s.weak_risk_control, s.duplicate_credit, s.overall],
                )?;
            }
        }
        self.assessed += rows.len();
        Ok(())
    }
}

/// RC-DOWN-TIERING per institution: the institutions where it fires first, then every
/// institution's analysis (vintages, tests, mix PSI).
fn down_tiering_summary(book: &VintageBook, rules: &DownTieringRules) -> Value {
    let all = book.analyse(rules);
    let firing: Vec<&str> = all
        .iter()
        .filter(|d| d.fires)
        .map(|d| d.group.as_str())
        .collect();
    json!({
        "code": "RC-DOWN-TIERING",
        "institutions_firing": firing,
        "rules": rules,
        "institutions": all,
    })
}

/// An assessed chunk on its way to the output thread, with its hive partition values.
struct AssessedChunk<'a> {
    batch: GrantBatch,
    rows: Vec<GrantRow>,
    /// The chunk's PDs (their reasons are output columns), when a PD model ran.
    pds: Option<finrisk_engine::pd::GrantPds>,
    partitions: &'a [(String, String)],
}

/// Writes the assessed chunks it receives, in order, into `output` (frame building, Parquet
/// encoding and compression): runs on its own thread, so that the output of one chunk is
/// written while the next is assessed. Returns the sink, for the caller to finish.
fn write_chunks(
    mut output: TableSink,
    chunks: std::sync::mpsc::Receiver<AssessedChunk<'_>>,
) -> anyhow::Result<TableSink> {
    for chunk in chunks {
        let mut frame = grant_results_frame(&chunk.batch, &chunk.rows, chunk.pds.as_ref())?;
        for (name, value) in chunk.partitions {
            add_constant_column(&mut frame, name, value)?;
        }
        output.write(&mut frame)?;
    }
    Ok(output)
}

/// The loaded PD model and the inputs the whole input lacks.
struct PdScoring {
    model: PdModel,
    present: Vec<bool>,
}

impl PdScoring {
    fn absent(&self) -> Vec<String> {
        self.model
            .features
            .iter()
            .zip(&self.present)
            .filter(|(_, present)| !**present)
            .map(|(f, _)| f.name.clone())
            .collect()
    }

    fn score(
        &self,
        batch: &GrantBatch,
        absent: &[String],
    ) -> anyhow::Result<finrisk_engine::pd::GrantPds> {
        finrisk_models::grants::grant_pds(&self.model, batch, Some(absent))
            .map_err(|e| bad_input(format!("pd-model: {e}")))
    }
}

/// A progress bar on stderr when it is a terminal and `--quiet` is not given.
fn progress(quiet: bool, total: Option<usize>, prefix: &'static str) -> ProgressBar {
    let target = if quiet {
        ProgressDrawTarget::hidden()
    } else {
        ProgressDrawTarget::stderr()
    };
    let bar = ProgressBar::with_draw_target(total.map(|n| n as u64), target);
    let template = if total.is_some() {
        "{prefix} {bar:30} {human_pos}/{human_len} rows, {per_sec}, ETA {eta}"
    } else {
        "{prefix} {spinner} {human_pos} rows, {per_sec}, {elapsed}"
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar.set_prefix(prefix);
    bar
}

/// Runs `consume` on every chunk of `input`, while a second thread reads and parses the next
/// chunk (at most two chunks wait).
fn for_each_chunk(
    input: &GrantInput,
    rows_per_chunk: usize,
    mut consume: impl FnMut(GrantChunk) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    std::thread::scope(|scope| {
        let (send, receive) = std::sync::mpsc::sync_channel(2);
        let reader = scope.spawn(move || {
            for chunk in input.chunks(rows_per_chunk) {
                let failed = chunk.is_err();
                if send.send(chunk).is_err() || failed {
                    break;
                }
            }
        });
        let mut result = Ok(());
        for chunk in receive.iter() {
            match chunk {
                Ok(chunk) => {
                    if let Err(e) = consume(chunk) {
                        result = Err(e);
                        break;
                    }
                }
                Err(e) => {
                    result = Err(e.into());
                    break;
                }
            }
        }
        // Dropping the receiver stops the reader at its next send.
        drop(receive);
        if reader.join().is_err() {
            return Err(anyhow::anyhow!("the input reader thread panicked"));
        }
        result
    })
}

fn merge_report(total: &mut LoadReport, part: LoadReport, errors: &mut Vec<RowError>) {
    total.rows_read += part.rows_read;
    total.rows_accepted += part.rows_accepted;
    total.rows_rejected += part.rows_rejected;
    errors.extend(part.row_errors);
    for (all, new) in [
        (&mut total.unknown_columns, part.unknown_columns),
        (
            &mut total.missing_optional_columns,
            part.missing_optional_columns,
        ),
    ] {
        for c in new {
            if !all.contains(&c) {
                all.push(c);
            }
        }
    }
}

/// Estimated memory of a kept chunk (its identity columns dropped): the fixed columns and the
/// text of the id columns.
fn batch_bytes(b: &GrantBatch) -> usize {
    /// Fixed bytes per row, with the three identity columns' slots empty.
    const FIXED_PER_ROW: usize = 160;
    let text = |v: &[String]| v.iter().map(String::capacity).sum::<usize>();
    b.len() * FIXED_PER_ROW + text(&b.grant_id) + text(&b.institution_id) + text(&b.product_id)
}

/// Frees the columns only the duplicate-credit ledger reads (borrower key, phone and device
/// hashes) once the ledger has them: the second pass does not read them, and a kept chunk is
/// about a third smaller without them.
fn drop_identity_columns(batch: &mut GrantBatch) {
    batch.borrower_key = Vec::new();
    batch.phone_hash = Vec::new();
    batch.device_hash = Vec::new();
}

/// Hex SHA-256 of every part of the input.
fn input_hashes(input: &GrantInput) -> anyhow::Result<Vec<Value>> {
    input
        .parts
        .iter()
        .map(|p| {
            Ok(json!({
                "path": p.path.display().to_string(),
                "sha256": crate::output::file_sha256(&p.path)?,
            }))
        })
        .collect()
}

pub(crate) fn run(args: &BatchArgs, as_of: Option<Date>) -> anyhow::Result<GrantsOutcome> {
    output_format(&args.output)?;
    if let Some(p) = &args.persons {
        output_format(p)?;
    }
    let jurisdiction = crate::input::parse_jurisdiction(&args.jurisdiction)?;
    let ruleset = load_ruleset(args.rules.rules.as_deref(), jurisdiction)?;
    if let Some(p) = &args.index
        && p.extension().and_then(|e| e.to_str()) != Some("json")
    {
        return Err(bad_input(format!(
            "index: {} must end in .json",
            p.display()
        )));
    }
    if args.chunk_rows == 0 {
        return Err(bad_input("chunk-rows: must be at least 1"));
    }
    let truth = match &args.truth {
        Some(p) => {
            // Checked before the work, not after it.
            finrisk_datasets::TableFormat::detect(p)?;
            if !p.is_file() {
                return Err(bad_input(format!("truth: {} is not a file", p.display())));
            }
            Some(TruthAccumulator::load(p)?)
        }
        None => None,
    };
    let input = GrantInput::open(&args.input)?;
    if args.in_memory && input.parts.len() > 1 {
        return Err(bad_input(format!(
            "in-memory: {} is a directory of parts; --in-memory reads one file",
            args.input.display()
        )));
    }
    let model = match args.pd.pd_model.as_str() {
        "none" => None,
        spec => Some(super::train::load_model(spec)?),
    };
    let mut pd = model.map(|model| PdScoring {
        present: vec![false; model.features.len()],
        model,
    });
    let hashes = input_hashes(&input)?;
    let pd_model_id = pd.as_ref().map(|p| p.model.id());

    // Pass 1 (or the whole file): the rows, the rejects and the duplicate-credit analysis.
    let mut report = LoadReport::default();
    let mut errors = Vec::new();
    // Read from the Parquet footers once: sizes the ledger and the first pass's progress bar.
    let known_rows = input.known_rows();
    let mut ledger = known_rows.map_or_else(DcLedger::new, DcLedger::with_capacity);
    let mut whole: Option<GrantBatch> = None;
    let mut chunks = 0usize;
    // Parsed chunks kept for the second pass while they fit in --memory-budget-mb.
    let budget = args.memory_budget_mb.saturating_mul(1 << 20);
    let mut kept: Option<Vec<(GrantBatch, usize, u64)>> = Some(Vec::new());
    let mut kept_bytes = 0usize;
    if args.in_memory {
        let (batch, r) = finrisk_datasets::load_grants(&args.input)?;
        merge_report(&mut report, r, &mut errors);
        if let Some(pd) = &mut pd {
            pd.present = finrisk_models::grants::present_inputs(&pd.model, &batch);
        }
        ledger.add(&batch);
        let mut batch = batch;
        drop_identity_columns(&mut batch);
        whole = Some(batch);
        chunks = 1;
    } else {
        let bar = progress(args.quiet, known_rows, "[1/2 read]");
        for_each_chunk(&input, args.chunk_rows, |chunk| {
            bar.inc(chunk.report.rows_read as u64);
            if let Some(pd) = &mut pd {
                for (all, now) in pd
                    .present
                    .iter_mut()
                    .zip(finrisk_models::grants::present_inputs(
                        &pd.model,
                        &chunk.batch,
                    ))
                {
                    *all |= now;
                }
            }
            ledger.add(&chunk.batch);
            let mut batch = chunk.batch;
            drop_identity_columns(&mut batch);
            let rows_read = chunk.report.rows_read as u64;
            merge_report(&mut report, chunk.report, &mut errors);
            chunks += 1;
            if let Some(list) = &mut kept {
                kept_bytes += batch_bytes(&batch);
                if kept_bytes > budget {
                    kept = None;
                } else {
                    list.push((batch, chunk.part, rows_read));
                }
            }
            Ok(())
        })?;
        bar.finish_and_clear();
    }
    let dc: DcAnalysis = ledger.analyse(as_of, &DcSettings::from_ruleset(&ruleset));
    let absent = pd.as_ref().map(PdScoring::absent).unwrap_or_default();
    let provenance = json!({
        "finrisk_version": env!("CARGO_PKG_VERSION"),
        "ruleset_version": ruleset.version,
        "pd_model": pd_model_id,
        "pd_absent_inputs": absent,
        "input": hashes,
        "as_of": dc.as_of,
    });
    let provenance_text = serde_json::to_string(&provenance)?;

    // Pass 2 (or the whole file): assess and accumulate on this thread, write the output on
    // another (at most one assessed chunk waits for it).
    let mut sums = Accumulators {
        index: args.index.as_ref().map(|_| IndexBuilder::new()),
        persons: args.persons.as_ref().map(|_| PersonCodes::new(&dc)),
        outcomes: OutcomeAccumulator::default(),
        truth,
        vintages: DownTieringRules::from_ruleset(&ruleset).map(|r| (VintageBook::new(), r)),
        assessed: 0,
    };
    let second_pass = match (&whole, &kept) {
        (Some(_), _) => "in-memory",
        (None, Some(_)) => "kept",
        (None, None) => "read again",
    };
    let sink = TableSink::create(&args.output, Some(provenance_text.clone()))?
        .with_plain_columns(finrisk_datasets::write::GRANT_RESULT_PLAIN_COLUMNS);
    let output = std::thread::scope(|scope| -> anyhow::Result<TableSink> {
        let (send, receive) = std::sync::mpsc::sync_channel::<AssessedChunk<'_>>(1);
        let writer = scope.spawn(move || write_chunks(sink, receive));
        // `part`: the input file the chunk comes from (none for the in-memory batch).
        let mut assess =
            |batch: GrantBatch, first: usize, part: Option<usize>| -> anyhow::Result<()> {
                let pds = match &pd {
                    Some(pd) => Some(pd.score(&batch, &absent)?),
                    None => None,
                };
                let view = dc.chunk(first);
                let rows = assess_grant_chunk(&batch, &ruleset, view, pds.as_ref());
                sums.add(&batch, &rows, view)?;
                let partitions = part.map_or(&[][..], |p| &input.parts[p].partitions[..]);
                send.send(AssessedChunk {
                    batch,
                    rows,
                    pds,
                    partitions,
                })
                // The writer stopped on an error, which its join below returns.
                .map_err(|_| anyhow::anyhow!("the output writer stopped"))
            };
        let assessed = match (whole, kept) {
            (Some(batch), _) => assess(batch, 0, None),
            (None, Some(list)) => {
                let bar = progress(args.quiet, Some(report.rows_read), "[2/2 assess]");
                let mut first = 0;
                let mut result = Ok(());
                for (batch, part, rows_read) in list {
                    bar.inc(rows_read);
                    let len = batch.len();
                    result = assess(batch, first, Some(part));
                    if result.is_err() {
                        break;
                    }
                    first += len;
                }
                bar.finish_and_clear();
                result
            }
            (None, None) => {
                let bar = progress(args.quiet, Some(report.rows_read), "[2/2 assess]");
                let mut first = 0;
                let result = for_each_chunk(&input, args.chunk_rows, |chunk| {
                    bar.inc(chunk.report.rows_read as u64);
                    let len = chunk.batch.len();
                    assess(chunk.batch, first, Some(chunk.part))?;
                    first += len;
                    Ok(())
                });
                bar.finish_and_clear();
                result.and_then(|()| {
                    if first == dc.len() {
                        Ok(())
                    } else {
                        Err(anyhow::anyhow!(
                            "{} changed while it was read: {} rows accepted in the first pass, {first} in the second",
                            args.input.display(),
                            dc.len()
                        ))
                    }
                })
            }
        };
        drop(send);
        let written = writer
            .join()
            .map_err(|_| anyhow::anyhow!("the output writer thread panicked"))?;
        // A writer error explains a failed send: it comes first.
        let output = written?;
        assessed?;
        Ok(output)
    })?;
    let Accumulators {
        index,
        persons,
        outcomes,
        truth,
        vintages,
        assessed,
    } = sums;
    output.finish(|| grant_results_frame(&GrantBatch::default(), &[], None))?;
    if let (Some(path), Some(index)) = (&args.index, index) {
        let mut value = serde_json::to_value(index.finish())?;
        value["provenance"] = provenance.clone();
        finrisk_datasets::write::write_atomically(
            path,
            (serde_json::to_string_pretty(&value)? + "\n").as_bytes(),
        )?;
    }
    if let (Some(path), Some(codes)) = (&args.persons, persons) {
        TableSink::write_whole(
            path,
            Some(provenance_text),
            &mut persons_frame(&dc, &codes)?,
        )?;
    }
    let summary = json!({
        "mode": if args.in_memory { "in-memory" } else { "streaming" },
        "chunks": chunks,
        "second_pass": second_pass,
        "parts": input.parts.len(),
        "partition_columns": input.partition_columns,
        "rows_read": report.rows_read,
        "unknown_columns": report.unknown_columns,
        "missing_optional_columns": report.missing_optional_columns,
        "persons": dc.person_count(),
        "provenance": provenance,
        "index": args.index.as_ref().map(|p| p.display().to_string()),
        "outcomes": outcomes.finish(),
        "truth": truth.map(TruthAccumulator::finish).transpose()?,
        "down_tiering": vintages.map(|(book, rules)| down_tiering_summary(&book, &rules)),
    });
    Ok(GrantsOutcome {
        assessed,
        rejected: report.rows_rejected,
        errors,
        summary,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use finrisk_engine::Ruleset;

    #[test]
    fn outcome_accumulator_needs_both_classes() {
        let mut acc = OutcomeAccumulator::default();
        let mut batch = GrantBatch::default();
        let record = finrisk_engine::domain::grant::GrantRecord {
            grant_id: "G1".into(),
            institution_id: "I".into(),
            product_id: "P".into(),
            borrower_key: "k".into(),
            granted_at: Date::parse("2024-01-01").ok(),
            principal_minor: 1_000,
            term_months: 12,
            apr: 0.1,
            defaulted: Some(true),
            ..Default::default()
        };
        batch.push(1, record).unwrap();
        let ruleset = Ruleset::embedded(finrisk_engine::domain::Jurisdiction::Cn).unwrap();
        let (rows, _) = finrisk_engine::assess::assess_grants(&batch, &ruleset, None, None);
        acc.add(&batch, &rows);
        assert_eq!(acc.known, 1);
        assert_eq!(acc.finish(), Value::Null);
    }
}
