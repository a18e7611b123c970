//! `finrisk report`: reads a scores table written by `finrisk batch --kind grants` (or, with
//! `--kind cases`, a docket of scored cases: [`docket`]) and writes a
//! report people can read: `report.html` (self-contained: styles inline, charts embedded as
//! data URIs, nothing fetched), the charts as PNG files, `report.md` with the same figures,
//! and `report.json` with every figure the other three show.
//!
//! Figures: score distributions per dimension, grades, findings by code, institutions ranked
//! by mean overall score with the codes behind each rank; with an outcome column
//! (`defaulted`), ROC curves and AUC/KS of each dimension score and of the PD, and the PD's
//! calibration; with `granted_at`, the population stability index of the overall score and the
//! PD between periods (each against the first); with `--truth`, precision and recall of every
//! code and the AUC of each dimension score against the planted codes of its dimension.
//!
//! The table is read in chunks and only counts are kept (`ReportCounts`): rows per distinct
//! score, per code, grade, institution, period and vintage; the PD on a grid of 1e-6 (1e-4 per
//! period). Memory does not grow with the rows; the `--truth` table is read in step with them
//! (see [`TruthAccumulator`]).

mod charts;
pub(crate) mod docket;
mod html;
pub(crate) mod monitor;
pub(crate) mod review;

use crate::cli::{ReportArgs, ReportKind, ReportPeriod};
use crate::evaluation::{LABELLED_SCORES, TruthAccumulator};
use crate::failure::bad_input;
use finrisk_engine::vintage::{DownTiering, DownTieringRules, VintageBook, grant_quality};
use finrisk_models::metrics::{
    PsiReference, auc_ks_roc_of_counts, auc_ks_roc_of_descending_groups,
    calibration_of_ascending_counts,
};
use polars::prelude::{DataFrame, DataType};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Text made safe for HTML (for pages written outside the report module).
pub(crate) fn html_escape(text: &str) -> String {
    html::escape(text)
}

/// The four score columns, in output order, with their display names.
pub(crate) const DIMENSIONS: [(&str, &str); 4] = [
    ("weak_risk_control", "Weak risk control"),
    ("duplicate_credit", "Duplicate credit"),
    ("one_sided_marketing", "One-sided marketing"),
    ("overall", "Overall"),
];

/// PDs are counted on a grid of this step for their AUC, KS and calibration bands (a PD is
/// continuous, so exact counts would grow with the rows).
const PD_GRID: f64 = 1e-6;

/// Cells of the PD grid: 0, 1e-6, ..., 1.
const PD_CELLS: usize = 1_000_001;

/// PDs are counted on a grid of this step per period, for the PSI between periods.
const PD_PERIOD_GRID: f64 = 1e-4;

/// A text column of one chunk, kept in polars' form (one contiguous array).
struct TextColumn(polars::prelude::StringChunked);

impl TextColumn {
    /// Row `row`, empty when missing.
    fn get(&self, row: usize) -> &str {
        self.0.get(row).unwrap_or("")
    }
}

fn text_column(df: &DataFrame, name: &str) -> anyhow::Result<Option<TextColumn>> {
    let Ok(column) = df.column(name) else {
        return Ok(None);
    };
    let cast = column
        .cast(&DataType::String)
        .map_err(|e| bad_input(format!("{name}: {e}")))?;
    let ca = cast.str().map_err(|e| bad_input(format!("{name}: {e}")))?;
    Ok(Some(TextColumn(ca.rechunk().into_owned())))
}

/// A numeric column of one chunk (text parsed as numbers, naming the row of a bad cell;
/// `first_row` is the chunk's first 0-based row in the table).
fn number_column(
    df: &DataFrame,
    name: &str,
    first_row: usize,
) -> anyhow::Result<Option<Vec<Option<f64>>>> {
    let Ok(column) = df.column(name) else {
        return Ok(None);
    };
    if column.dtype().is_primitive_numeric() {
        let cast = column
            .cast(&DataType::Float64)
            .map_err(|e| bad_input(format!("{name}: {e}")))?;
        let ca = cast.f64().map_err(|e| bad_input(format!("{name}: {e}")))?;
        return Ok(Some(ca.iter().collect()));
    }
    let Some(text) = text_column(df, name)? else {
        return Ok(None);
    };
    text.0
        .iter()
        .enumerate()
        .map(|(row, cell)| match cell.map(str::trim) {
            None | Some("") => Ok(None),
            Some(s) => s.parse::<f64>().map(Some).map_err(|_| {
                bad_input(format!(
                    "{name}: row {}: `{s}` is not a number",
                    first_row + row + 1
                ))
            }),
        })
        .collect::<anyhow::Result<Vec<_>>>()
        .map(Some)
}

/// The columns of one chunk of a scores table that the report reads.
struct ScoreChunk {
    rows: usize,
    grant_id: Option<TextColumn>,
    institution_id: Option<TextColumn>,
    findings: TextColumn,
    grade: Option<TextColumn>,
    scores: [Vec<f64>; 4],
    pd: Option<Vec<Option<f64>>>,
    granted_at: Option<TextColumn>,
    defaulted: Option<Vec<Option<u8>>>,
}

/// The columns of a scores table the report reads.
fn report_columns() -> Vec<&'static str> {
    let mut wanted: Vec<&str> = DIMENSIONS.iter().map(|(name, _)| *name).collect();
    wanted.extend([
        "grant_id",
        "institution_id",
        "findings",
        "grade",
        "pd",
        "granted_at",
        "defaulted",
    ]);
    wanted
}

impl ScoreChunk {
    /// Reads and checks one chunk whose first 0-based row in the table is `first_row`.
    fn read(df: &DataFrame, first_row: usize) -> anyhow::Result<Self> {
        let rows = df.height();
        let mut scores: [Vec<f64>; 4] = Default::default();
        for (k, (name, _)) in DIMENSIONS.iter().enumerate() {
            let values = number_column(df, name, first_row)?.unwrap_or_default();
            scores[k] = values
                .into_iter()
                .enumerate()
                .map(|(row, v)| match v {
                    Some(v) if (0.0..=100.0).contains(&v) => Ok(v),
                    Some(v) => Err(bad_input(format!(
                        "{name}: row {}: {v} is outside 0..100",
                        first_row + row + 1
                    ))),
                    None => Err(bad_input(format!(
                        "{name}: row {}: is empty",
                        first_row + row + 1
                    ))),
                })
                .collect::<anyhow::Result<_>>()?;
        }
        let findings = text_column(df, "findings")?
            .ok_or_else(|| bad_input("findings: column missing from a chunk"))?;
        let defaulted = match number_column(df, "defaulted", first_row)? {
            None => None,
            Some(values) => Some(
                values
                    .into_iter()
                    .enumerate()
                    .map(|(row, v)| match v {
                        None => Ok(None),
                        Some(0.0) => Ok(Some(0)),
                        Some(1.0) => Ok(Some(1)),
                        Some(other) => Err(bad_input(format!(
                            "defaulted: row {}: must be 0 or 1, got {other}",
                            first_row + row + 1
                        ))),
                    })
                    .collect::<anyhow::Result<_>>()?,
            ),
        };
        Ok(Self {
            rows,
            grant_id: text_column(df, "grant_id")?,
            institution_id: text_column(df, "institution_id")?,
            findings,
            grade: text_column(df, "grade")?,
            scores,
            pd: number_column(df, "pd", first_row)?,
            granted_at: text_column(df, "granted_at")?,
            defaulted,
        })
    }

    fn codes(&self, row: usize) -> impl Iterator<Item = &str> {
        self.findings.get(row).split(';').filter(|c| !c.is_empty())
    }
}

/// The grid cell of a PD (`step` wide).
fn pd_cell(pd: f64, step: f64) -> u32 {
    crate::output::count_of(pd.clamp(0.0, 1.0) / step, f64::round)
        .try_into()
        .unwrap_or(u32::MAX)
}

/// One institution's counts.
#[derive(Default)]
struct InstitutionCounts {
    grants: usize,
    score_sums: [f64; 4],
    codes: HashMap<String, usize>,
}

/// One period's counts for its PSI against the first period.
#[derive(Default)]
struct PeriodCounts {
    grants: usize,
    /// Overall score -> rows.
    overall: HashMap<u64, u64>,
    /// PD grid cell -> rows.
    pd: HashMap<u32, u64>,
    /// Rows of the period without a PD (then the period has no PD PSI).
    pd_missing: bool,
}

/// PD counts of one grid cell among the rows with an outcome.
#[derive(Default, Clone, Copy)]
struct PdCell {
    rows: u64,
    positives: u64,
    pd_sum: f64,
}

/// Everything the report counts, one chunk at a time.
struct ReportCounts {
    rows: usize,
    /// Per dimension: score -> rows, and the running sum.
    score_counts: [HashMap<u64, u64>; 4],
    score_sums: [f64; 4],
    grades: BTreeMap<String, usize>,
    codes: HashMap<String, usize>,
    has_institutions: bool,
    institutions: BTreeMap<String, InstitutionCounts>,
    has_outcome: bool,
    outcome_rows: usize,
    positives: usize,
    /// Per dimension: score -> (positives, negatives) among rows with an outcome.
    outcome_scores: [HashMap<u64, (u64, u64)>; 4],
    /// Counts per PD grid cell (index = cell), among rows with an outcome: one fixed array,
    /// whose untouched pages cost nothing; `None` once such a row lacks a PD.
    outcome_pd: Option<Vec<PdCell>>,
    squared_error_sum: f64,
    periods: BTreeMap<String, PeriodCounts>,
    vintages: Option<(DownTieringRules, VintageBook, VintageBook)>,
    truth: Option<TruthAccumulator>,
}

impl ReportCounts {
    fn new(
        has_pd: bool,
        vintages: Option<DownTieringRules>,
        truth: Option<TruthAccumulator>,
    ) -> Self {
        Self {
            rows: 0,
            score_counts: Default::default(),
            score_sums: [0.0; 4],
            grades: BTreeMap::new(),
            codes: HashMap::new(),
            has_institutions: false,
            institutions: BTreeMap::new(),
            has_outcome: false,
            outcome_rows: 0,
            positives: 0,
            outcome_scores: Default::default(),
            outcome_pd: has_pd.then(|| vec![PdCell::default(); PD_CELLS]),
            squared_error_sum: 0.0,
            periods: BTreeMap::new(),
            vintages: vintages.map(|r| (r, VintageBook::new(), VintageBook::new())),
            truth,
        }
    }

    /// Counts the rows of `c`, whose first 0-based row in the table is `first_row`.
    fn add(
        &mut self,
        c: &ScoreChunk,
        first_row: usize,
        period: ReportPeriod,
    ) -> anyhow::Result<()> {
        self.has_institutions |= c.institution_id.is_some();
        self.has_outcome |= c.defaulted.is_some();
        // The dimension of each score the truth evaluates.
        let columns = LABELLED_SCORES
            .map(|(name, _)| DIMENSIONS.iter().position(|(d, _)| *d == name).unwrap_or(3));
        for row in 0..c.rows {
            let scores = [
                c.scores[0][row],
                c.scores[1][row],
                c.scores[2][row],
                c.scores[3][row],
            ];
            for (k, &score) in scores.iter().enumerate() {
                *self.score_counts[k]
                    .entry((score + 0.0).to_bits())
                    .or_insert(0) += 1;
                self.score_sums[k] += score;
            }
            if let Some(g) = c.grade.as_ref().and_then(|g| g.0.get(row)) {
                match self.grades.get_mut(g) {
                    Some(n) => *n += 1,
                    None => {
                        self.grades.insert(g.to_string(), 1);
                    }
                }
            }
            for code in c.codes(row) {
                match self.codes.get_mut(code) {
                    Some(n) => *n += 1,
                    None => {
                        self.codes.insert(code.to_string(), 1);
                    }
                }
            }
            let pd = c.pd.as_ref().and_then(|p| p[row]);
            if let Some(ids) = &c.institution_id {
                let id = ids.get(row);
                let inst = match self.institutions.get_mut(id) {
                    Some(i) => i,
                    None => self.institutions.entry(id.to_string()).or_default(),
                };
                inst.grants += 1;
                for (sum, score) in inst.score_sums.iter_mut().zip(scores) {
                    *sum += score;
                }
                for code in c.codes(row) {
                    match inst.codes.get_mut(code) {
                        Some(n) => *n += 1,
                        None => {
                            inst.codes.insert(code.to_string(), 1);
                        }
                    }
                }
            }
            if let Some(y) = c.defaulted.as_ref().and_then(|d| d[row]) {
                let positive = y == 1;
                self.outcome_rows += 1;
                self.positives += usize::from(positive);
                for (counts, score) in self.outcome_scores.iter_mut().zip(scores) {
                    let e = counts.entry((score + 0.0).to_bits()).or_insert((0, 0));
                    if positive {
                        e.0 += 1;
                    } else {
                        e.1 += 1;
                    }
                }
                match (pd, self.outcome_pd.as_mut()) {
                    (Some(pd), Some(cells)) => {
                        let i = usize::try_from(pd_cell(pd, PD_GRID)).unwrap_or(PD_CELLS - 1);
                        let cell = &mut cells[i.min(PD_CELLS - 1)];
                        cell.rows += 1;
                        cell.positives += u64::from(positive);
                        cell.pd_sum += pd;
                        self.squared_error_sum += (pd - f64::from(y)).powi(2);
                    }
                    _ => self.outcome_pd = None,
                }
            }
            let date = c
                .granted_at
                .as_ref()
                .map(|d| d.get(row).trim())
                .filter(|d| !d.is_empty());
            if let Some(date) = date {
                let bad_date = || {
                    bad_input(format!(
                        "granted_at: row {}: `{date}` is not a date YYYY-MM-DD",
                        first_row + row + 1
                    ))
                };
                let p = period_of(date, period).ok_or_else(bad_date)?;
                let counts = match self.periods.get_mut(&p) {
                    Some(c) => c,
                    None => self.periods.entry(p).or_default(),
                };
                counts.grants += 1;
                *counts
                    .overall
                    .entry((scores[3] + 0.0).to_bits())
                    .or_insert(0) += 1;
                match pd {
                    Some(pd) => *counts.pd.entry(pd_cell(pd, PD_PERIOD_GRID)).or_insert(0) += 1,
                    None => counts.pd_missing = true,
                }
                if let Some((rules, all, by_institution)) = self.vintages.as_mut() {
                    let day = finrisk_engine::Date::parse(date.get(..10).unwrap_or(date))
                        .map_err(|_| bad_date())?;
                    // The scored table has no ages: `young` is not tested here (the batch
                    // tests it).
                    let quality = grant_quality(c.codes(row), None, rules.young_age);
                    all.add("all grants", day, &quality, pd);
                    let institution = c.institution_id.as_ref().map_or("", |i| i.get(row));
                    by_institution.add(institution, day, &quality, pd);
                }
            }
            if let (Some(truth), Some(ids)) = (self.truth.as_mut(), &c.grant_id) {
                truth.add(
                    ids.get(row),
                    c.findings.get(row),
                    columns.map(|k| scores[k]),
                )?;
            }
        }
        self.rows += c.rows;
        Ok(())
    }
}

/// Distribution of one score: shares in 20 bins of 5 points, and summary statistics.
#[derive(Debug, Serialize)]
pub(crate) struct Distribution {
    pub(crate) dimension: &'static str,
    pub(crate) label: &'static str,
    pub(crate) mean: f64,
    pub(crate) median: f64,
    pub(crate) p90: f64,
    pub(crate) max: f64,
    /// Share of rows in [0, 5), [5, 10), ... [95, 100].
    pub(crate) shares: Vec<f64>,
}

/// The value at 0-based position `k` of the rows `sorted` (value, rows) stand for, ascending.
fn value_at(sorted: &[(f64, u64)], k: u64) -> f64 {
    let mut seen = 0u64;
    for &(v, c) in sorted {
        seen += c;
        if k < seen {
            return v;
        }
    }
    f64::NAN
}

/// The `q` quantile of the rows `sorted` stands for: the value at position round((n - 1) q).
fn quantile(sorted: &[(f64, u64)], q: f64) -> f64 {
    let n: u64 = sorted.iter().map(|g| g.1).sum();
    if n == 0 {
        return f64::NAN;
    }
    let k = crate::output::count_of((n - 1) as f64 * q, f64::round).min(to_usize(n - 1));
    value_at(sorted, k as u64)
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// Values with their counts, ascending.
fn sorted_counts(counts: &HashMap<u64, u64>) -> Vec<(f64, u64)> {
    let mut v: Vec<(f64, u64)> = counts
        .iter()
        .map(|(&b, &c)| (f64::from_bits(b), c))
        .collect();
    v.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    v
}

fn distribution(
    dimension: &'static str,
    label: &'static str,
    counts: &HashMap<u64, u64>,
    sum: f64,
) -> Distribution {
    let sorted = sorted_counts(counts);
    let n: u64 = sorted.iter().map(|g| g.1).sum();
    let mut bins = [0u64; 20];
    for &(v, c) in &sorted {
        bins[crate::output::count_of(v / 5.0, f64::floor).min(19)] += c;
    }
    let nf = n.max(1) as f64;
    Distribution {
        dimension,
        label,
        mean: sum / nf,
        median: quantile(&sorted, 0.5),
        p90: quantile(&sorted, 0.9),
        max: sorted.last().map_or(f64::NAN, |g| g.0),
        shares: bins.iter().map(|&c| c as f64 / nf).collect(),
    }
}

/// A code with the number and share of rows carrying it.
#[derive(Debug, Serialize)]
pub(crate) struct CodeCount {
    pub(crate) code: String,
    pub(crate) grants: usize,
    pub(crate) share: f64,
}

/// One institution's line of the ranking.
#[derive(Debug, Serialize)]
pub(crate) struct InstitutionRank {
    pub(crate) rank: usize,
    pub(crate) institution_id: String,
    pub(crate) grants: usize,
    /// Mean of each dimension score, in [`DIMENSIONS`] order.
    pub(crate) mean_scores: [f64; 4],
    /// The three most frequent codes: why it ranks where it does.
    pub(crate) top_codes: Vec<CodeCount>,
}

/// How well one score separates the outcome.
#[derive(Debug, Serialize)]
pub(crate) struct Separation {
    pub(crate) score: &'static str,
    pub(crate) label: &'static str,
    pub(crate) auc: f64,
    /// Hanley-McNeil 95% interval of the AUC.
    pub(crate) auc_ci95: Option<(f64, f64)>,
    pub(crate) ks: f64,
    /// ROC curve points (false positive rate, true positive rate).
    pub(crate) roc: Vec<(f64, f64)>,
}

/// Outcome evaluation.
#[derive(Debug, Serialize)]
pub(crate) struct Outcomes {
    pub(crate) outcome: &'static str,
    pub(crate) rows_with_outcome: usize,
    pub(crate) default_rate: f64,
    pub(crate) separation: Vec<Separation>,
    /// PD calibration in ten bands of equal size (when every row with the outcome has a PD).
    pub(crate) calibration: Vec<finrisk_models::metrics::CalibrationBand>,
    pub(crate) brier: Option<f64>,
}

/// Stability of a score between periods.
#[derive(Debug, Serialize)]
pub(crate) struct PeriodStability {
    pub(crate) period: String,
    pub(crate) grants: usize,
    /// PSI of the overall score against the first period.
    pub(crate) psi_overall: f64,
    /// PSI of the PD against the first period.
    pub(crate) psi_pd: Option<f64>,
}

/// Every figure of a report.
#[derive(Debug, Serialize)]
pub(crate) struct Figures {
    pub(crate) input: String,
    pub(crate) input_sha256: String,
    /// What the scores table says about how it was made (its Parquet metadata or sidecar).
    pub(crate) provenance: Value,
    pub(crate) rows: usize,
    pub(crate) distributions: Vec<Distribution>,
    pub(crate) grades: BTreeMap<String, usize>,
    pub(crate) findings: Vec<CodeCount>,
    pub(crate) institutions: Vec<InstitutionRank>,
    pub(crate) outcomes: Option<Outcomes>,
    pub(crate) period: &'static str,
    pub(crate) stability: Vec<PeriodStability>,
    /// Precision and recall per code against `--truth`, and dimension AUCs against it.
    pub(crate) labels: Option<Value>,
    /// Borrower quality by month of grant and RC-DOWN-TIERING per institution, when the table
    /// has grant dates.
    pub(crate) down_tiering: Option<ReportDownTiering>,
    pub(crate) finrisk_version: &'static str,
}

/// Borrower quality by vintage in a report: the whole book (for the chart) and each
/// institution's test (engine::vintage), from the findings and PDs of the scored table.
#[derive(Debug, Serialize)]
pub(crate) struct ReportDownTiering {
    /// The ruleset whose RC-DOWN-TIERING settings were used.
    pub(crate) ruleset_version: String,
    /// Institutions where RC-DOWN-TIERING fires.
    pub(crate) institutions_firing: Vec<String>,
    /// The whole table as one book.
    pub(crate) all_grants: DownTiering,
    /// Each institution.
    pub(crate) institutions: Vec<DownTiering>,
    /// What the table cannot show.
    pub(crate) note: &'static str,
}

/// The embedded ruleset the table was scored with (by the version in its provenance), or the
/// CN one.
fn ruleset_of(provenance: &Value) -> anyhow::Result<finrisk_engine::Ruleset> {
    use finrisk_engine::domain::Jurisdiction;
    let version = provenance["ruleset_version"].as_str().unwrap_or("");
    let j = match version.get(..3) {
        Some("us-") => Jurisdiction::Us,
        Some("eu-") => Jurisdiction::Eu,
        Some("uk-") => Jurisdiction::Uk,
        _ => Jurisdiction::Cn,
    };
    Ok(finrisk_engine::Ruleset::embedded(j)?)
}

/// Codes with their row counts, most frequent first, as shares of `n` rows.
fn code_list(counts: &HashMap<String, usize>, n: usize) -> Vec<CodeCount> {
    let mut list: Vec<CodeCount> = counts
        .iter()
        .map(|(code, &grants)| CodeCount {
            code: code.clone(),
            grants,
            share: grants as f64 / n.max(1) as f64,
        })
        .collect();
    list.sort_by(|a, b| b.grants.cmp(&a.grants).then_with(|| a.code.cmp(&b.code)));
    list
}

fn institutions(counts: &ReportCounts) -> Vec<InstitutionRank> {
    let mut ranked: Vec<InstitutionRank> = counts
        .institutions
        .iter()
        .map(|(id, inst)| {
            let n = inst.grants as f64;
            let mut top_codes = code_list(&inst.codes, inst.grants);
            top_codes.truncate(3);
            InstitutionRank {
                rank: 0,
                institution_id: id.clone(),
                grants: inst.grants,
                mean_scores: inst.score_sums.map(|s| s / n),
                top_codes,
            }
        })
        .collect();
    ranked.sort_by(|a, b| {
        b.mean_scores[3]
            .total_cmp(&a.mean_scores[3])
            .then_with(|| b.mean_scores[0].total_cmp(&a.mean_scores[0]))
            .then_with(|| a.institution_id.cmp(&b.institution_id))
    });
    for (k, r) in ranked.iter_mut().enumerate() {
        r.rank = k + 1;
    }
    ranked
}

fn outcomes(counts: &ReportCounts) -> Option<Outcomes> {
    if !counts.has_outcome {
        return None;
    }
    let (known, positives) = (counts.outcome_rows, counts.positives);
    if positives == 0 || positives == known {
        return None;
    }
    let separation_of = |score: &'static str, label: &'static str, groups: Vec<(f64, u64, u64)>| {
        let (auc, ks, roc) = auc_ks_roc_of_counts(groups, 200);
        Separation {
            score,
            label,
            auc,
            auc_ci95: finrisk_models::metrics::auc_interval(auc, positives, known - positives),
            ks,
            roc,
        }
    };
    let mut separation: Vec<Separation> = DIMENSIONS
        .iter()
        .enumerate()
        .filter(|(_, (name, _))| *name != "one_sided_marketing")
        .map(|(k, (name, label))| {
            let groups = counts.outcome_scores[k]
                .iter()
                .map(|(&b, &(p, n))| (f64::from_bits(b), p, n))
                .collect();
            separation_of(name, label, groups)
        })
        .collect();
    // The occupied cells of the PD grid, in PD order, read in place (their number grows with
    // the rows, so they are never copied out).
    let pd = counts
        .outcome_pd
        .as_ref()
        .filter(|cells| cells.iter().any(|c| c.rows > 0));
    if let Some(cells) = pd {
        let descending = cells
            .iter()
            .enumerate()
            .rev()
            .filter(|(_, c)| c.rows > 0)
            .map(|(k, c)| (k as f64 * PD_GRID, c.positives, c.rows - c.positives));
        let (auc, ks, roc) = auc_ks_roc_of_descending_groups(descending, 200);
        separation.push(Separation {
            score: "pd",
            label: "Model PD",
            auc,
            auc_ci95: finrisk_models::metrics::auc_interval(auc, positives, known - positives),
            ks,
            roc,
        });
    }
    Some(Outcomes {
        outcome: "defaulted",
        rows_with_outcome: known,
        default_rate: positives as f64 / known as f64,
        separation,
        calibration: pd
            .map(|cells| {
                let ascending = cells
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c.rows > 0)
                    .map(|(k, c)| (k as f64 * PD_GRID, c.rows, c.positives, c.pd_sum));
                calibration_of_ascending_counts(ascending, 10)
            })
            .unwrap_or_default(),
        brier: pd.map(|_| counts.squared_error_sum / known as f64),
    })
}

fn period_of(date: &str, period: ReportPeriod) -> Option<String> {
    let d = finrisk_engine::Date::parse(date.trim()).ok()?.to_string();
    let (year, month) = (&d[0..4], d[5..7].parse::<u32>().ok()?);
    Some(match period {
        ReportPeriod::Month => d[0..7].to_string(),
        ReportPeriod::Quarter => format!("{year}Q{}", (month - 1) / 3 + 1),
        ReportPeriod::Year => year.to_string(),
    })
}

fn stability(counts: &ReportCounts) -> Vec<PeriodStability> {
    let Some(first) = counts.periods.values().next() else {
        return Vec::new();
    };
    let overall = |p: &PeriodCounts| sorted_counts(&p.overall);
    let pd_of = |p: &PeriodCounts| -> Option<Vec<(f64, u64)>> {
        (!p.pd_missing && !p.pd.is_empty()).then(|| {
            p.pd.iter()
                .map(|(&k, &c)| (f64::from(k) * PD_PERIOD_GRID, c))
                .collect()
        })
    };
    let reference_overall = PsiReference::fit_counts(&overall(first), 10);
    let reference_pd = pd_of(first).map(|pd| PsiReference::fit_counts(&pd, 10));
    counts
        .periods
        .iter()
        .map(|(p, c)| PeriodStability {
            period: p.clone(),
            grants: c.grants,
            psi_overall: reference_overall.psi_counts(&overall(c)),
            psi_pd: reference_pd
                .as_ref()
                .zip(pd_of(c))
                .map(|(r, pd)| r.psi_counts(&pd)),
        })
        .collect()
}

/// The provenance a scores table carries: the Parquet key-value metadata, or the CSV sidecar.
fn provenance_of(path: &Path) -> Value {
    use polars::prelude::{ParquetReader, SerReader};
    let sidecar = finrisk_datasets::write::provenance_sidecar(path);
    if let Ok(text) = std::fs::read_to_string(&sidecar) {
        return serde_json::from_str(&text).unwrap_or(Value::Null);
    }
    let Ok(file) = std::fs::File::open(path) else {
        return Value::Null;
    };
    let mut reader = ParquetReader::new(file);
    let Ok(metadata) = reader.get_metadata() else {
        return Value::Null;
    };
    metadata
        .key_value_metadata
        .iter()
        .flatten()
        .find(|kv| kv.key == finrisk_datasets::write::PROVENANCE_KEY)
        .and_then(|kv| kv.value.as_deref())
        .and_then(|v| serde_json::from_str(v).ok())
        .unwrap_or(Value::Null)
}

fn figures(args: &ReportArgs) -> anyhow::Result<Figures> {
    if let Some(p) = &args.truth {
        finrisk_datasets::TableFormat::detect(p)?;
    }
    if args.chunk_rows == 0 {
        return Err(bad_input("chunk-rows: must be at least 1"));
    }
    // The report holds one chunk and its counts, never the table.
    let chunks =
        finrisk_datasets::TableChunks::open(&args.input, &report_columns(), args.chunk_rows)?;
    let has = |name: &str| chunks.columns().iter().any(|c| c == name);
    for name in DIMENSIONS.iter().map(|(n, _)| *n).chain(["findings"]) {
        if !has(name) {
            return Err(bad_input(format!(
                "input: {} has no `{name}` column (a scores table from `finrisk batch --kind grants`)",
                args.input.display()
            )));
        }
    }
    let truth = match &args.truth {
        Some(path) => {
            if !has("grant_id") {
                return Err(bad_input(
                    "truth: the scores table has no `grant_id` column to match the truth by",
                ));
            }
            Some(TruthAccumulator::load(path)?)
        }
        None => None,
    };
    let provenance = provenance_of(&args.input);
    let ruleset = ruleset_of(&provenance)?;
    let vintages = if has("granted_at") {
        DownTieringRules::from_ruleset(&ruleset)
    } else {
        None
    };
    let mut counts = ReportCounts::new(has("pd"), vintages, truth);
    let mut first_row = 0usize;
    for df in chunks {
        let chunk = ScoreChunk::read(&df?, first_row)?;
        counts.add(&chunk, first_row, args.period)?;
        first_row += chunk.rows;
    }
    if counts.rows == 0 {
        return Err(bad_input(format!(
            "input: {} has no rows to report on",
            args.input.display()
        )));
    }
    let distributions = DIMENSIONS
        .iter()
        .enumerate()
        .map(|(k, (name, label))| {
            distribution(name, label, &counts.score_counts[k], counts.score_sums[k])
        })
        .collect();
    let down_tiering = counts.vintages.as_ref().and_then(|(rules, all, by_institution)| {
        let all_grants = all.analyse_one("all grants", rules)?;
        let institutions = by_institution.analyse(rules);
        Some(ReportDownTiering {
            ruleset_version: ruleset.version.clone(),
            institutions_firing: institutions
                .iter()
                .filter(|d| d.fires)
                .map(|d| d.group.clone())
                .collect(),
            all_grants,
            institutions,
            note: "from the scored table's findings (RC-STUDENT, RC-INCOME-UNVERIFIED, RC-DTI-HIGH, DC-MANY-LENDERS) and PDs; it has no ages, so `young` is tested by the batch (its summary) and assess-product, not here",
        })
    });
    Ok(Figures {
        input: args.input.display().to_string(),
        input_sha256: crate::output::file_sha256(&args.input)?,
        provenance,
        rows: counts.rows,
        distributions,
        grades: counts.grades.clone(),
        findings: code_list(&counts.codes, counts.rows),
        institutions: if counts.has_institutions {
            institutions(&counts)
        } else {
            Vec::new()
        },
        outcomes: outcomes(&counts),
        period: match args.period {
            ReportPeriod::Month => "month",
            ReportPeriod::Quarter => "quarter",
            ReportPeriod::Year => "year",
        },
        stability: stability(&counts),
        labels: counts
            .truth
            .take()
            .map(TruthAccumulator::finish)
            .transpose()?,
        down_tiering,
        finrisk_version: env!("CARGO_PKG_VERSION"),
    })
}

/// `finrisk report`.
pub(crate) fn run(args: &ReportArgs) -> anyhow::Result<String> {
    if args.kind == ReportKind::Cases {
        if args.truth.is_some() {
            return Err(bad_input("truth: only for --kind grants"));
        }
        return docket::run(&args.input, &args.out);
    }
    let figures = figures(args)?;
    std::fs::create_dir_all(&args.out)
        .map_err(|e| bad_input(format!("out: cannot create {}: {e}", args.out.display())))?;
    let charts = charts::render_all(&figures, &args.out)?;
    let write = |name: &str, text: String| -> anyhow::Result<()> {
        finrisk_datasets::write::write_atomically(&args.out.join(name), text.as_bytes())?;
        Ok(())
    };
    write(
        "report.json",
        serde_json::to_string_pretty(&figures)? + "\n",
    )?;
    write("report.md", html::markdown(&figures, &charts))?;
    write("report.html", html::page(&figures, &charts, &args.out)?)?;
    let mut files = vec!["report.html", "report.md", "report.json"];
    files.extend(charts.iter().map(|c| c.file));
    crate::output::to_json(&json!({
        "out": args.out.display().to_string(),
        "rows": figures.rows,
        "files": files,
        "charts": charts.iter().map(|c| c.id).collect::<Vec<_>>(),
        "outcomes": figures.outcomes.is_some(),
        "periods": figures.stability.len(),
        "labels": figures.labels.is_some(),
        "down_tiering_firing": figures.down_tiering.as_ref().map(|d| &d.institutions_firing),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_cut_by_calendar() {
        assert_eq!(
            period_of("2024-05-31", ReportPeriod::Quarter).as_deref(),
            Some("2024Q2")
        );
        assert_eq!(
            period_of("2024-12-01", ReportPeriod::Month).as_deref(),
            Some("2024-12")
        );
        assert_eq!(period_of("2024-13-01", ReportPeriod::Year), None);
    }

    #[test]
    fn distribution_puts_100_in_the_last_bin() {
        let values = [0.0, 4.99, 5.0, 100.0];
        let mut counts = HashMap::new();
        for v in values {
            *counts.entry(f64::to_bits(v)).or_insert(0) += 1;
        }
        let d = distribution("overall", "Overall", &counts, values.iter().sum());
        assert_eq!(d.shares[0], 0.5);
        assert_eq!(d.shares[1], 0.25);
        assert_eq!(d.shares[19], 0.25);
        assert_eq!(d.max, 100.0);
        // Position round((n - 1) q): 2 of 0..3 for the median, 3 for p90.
        assert_eq!((d.median, d.p90), (5.0, 100.0));
        assert!((d.mean - 27.4975).abs() < 1e-12);
    }
}
