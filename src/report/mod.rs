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

mod charts;
pub(crate) mod docket;
mod html;
pub(crate) mod monitor;

use crate::cli::{ReportArgs, ReportKind, ReportPeriod};
use crate::evaluation::{LABELLED_SCORES, TruthAccumulator};
use crate::failure::bad_input;
use finrisk_engine::vintage::{DownTiering, DownTieringRules, VintageBook, grant_quality};
use finrisk_models::metrics::{PsiReference, auc_ks_roc, calibration_table};
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

/// The columns of a scores table the report reads.
struct ScoreTable {
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

/// A text column of the scores table, kept in polars' form (one contiguous array): 10 million
/// rows are not copied into 10 million strings.
struct TextColumn(polars::prelude::StringChunked);

impl TextColumn {
    /// Row `row`, empty when missing.
    fn get(&self, row: usize) -> &str {
        self.0.get(row).unwrap_or("")
    }

    /// Every row, in order (`None` when missing).
    fn iter(&self) -> impl Iterator<Item = Option<&str>> {
        self.0.iter()
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

fn number_column(df: &DataFrame, name: &str) -> anyhow::Result<Option<Vec<Option<f64>>>> {
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
    text.iter()
        .enumerate()
        .map(|(row, cell)| match cell.map(str::trim) {
            None | Some("") => Ok(None),
            Some(s) => s
                .parse::<f64>()
                .map(Some)
                .map_err(|_| bad_input(format!("{name}: row {}: `{s}` is not a number", row + 1))),
        })
        .collect::<anyhow::Result<Vec<_>>>()
        .map(Some)
}

impl ScoreTable {
    fn read(path: &Path) -> anyhow::Result<Self> {
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
        let df = finrisk_datasets::read_table_columns(path, &wanted)?;
        let rows = df.height();
        let required = |name: &str| {
            bad_input(format!(
                "input: {} has no `{name}` column (a scores table from `finrisk batch --kind grants`)",
                path.display()
            ))
        };
        let mut scores: [Vec<f64>; 4] = Default::default();
        for (k, (name, _)) in DIMENSIONS.iter().enumerate() {
            let values = number_column(&df, name)?.ok_or_else(|| required(name))?;
            scores[k] = values
                .into_iter()
                .enumerate()
                .map(|(row, v)| match v {
                    Some(v) if (0.0..=100.0).contains(&v) => Ok(v),
                    Some(v) => Err(bad_input(format!(
                        "{name}: row {}: {v} is outside 0..100",
                        row + 1
                    ))),
                    None => Err(bad_input(format!("{name}: row {}: is empty", row + 1))),
                })
                .collect::<anyhow::Result<_>>()?;
        }
        let findings = text_column(&df, "findings")?.ok_or_else(|| required("findings"))?;
        let defaulted = match number_column(&df, "defaulted")? {
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
                            row + 1
                        ))),
                    })
                    .collect::<anyhow::Result<_>>()?,
            ),
        };
        Ok(Self {
            rows,
            grant_id: text_column(&df, "grant_id")?,
            institution_id: text_column(&df, "institution_id")?,
            findings,
            grade: text_column(&df, "grade")?,
            scores,
            pd: number_column(&df, "pd")?,
            granted_at: text_column(&df, "granted_at")?,
            defaulted,
        })
    }

    fn codes(&self, row: usize) -> impl Iterator<Item = &str> {
        self.findings.get(row).split(';').filter(|c| !c.is_empty())
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

fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[crate::output::count_of((sorted.len() - 1) as f64 * q, f64::round).min(sorted.len() - 1)]
}

fn distribution(dimension: &'static str, label: &'static str, values: &[f64]) -> Distribution {
    let mut sorted = values.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    let mut counts = [0usize; 20];
    for v in values {
        counts[crate::output::count_of(v / 5.0, f64::floor).min(19)] += 1;
    }
    let n = values.len().max(1) as f64;
    Distribution {
        dimension,
        label,
        mean: values.iter().sum::<f64>() / n,
        median: quantile(&sorted, 0.5),
        p90: quantile(&sorted, 0.9),
        max: sorted.last().copied().unwrap_or(f64::NAN),
        shares: counts.iter().map(|&c| c as f64 / n).collect(),
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

fn down_tiering(t: &ScoreTable, provenance: &Value) -> anyhow::Result<Option<ReportDownTiering>> {
    let Some(dates) = &t.granted_at else {
        return Ok(None);
    };
    let ruleset = ruleset_of(provenance)?;
    let Some(rules) = DownTieringRules::from_ruleset(&ruleset) else {
        return Ok(None);
    };
    let (mut all, mut by_institution) = (VintageBook::new(), VintageBook::new());
    for (row, date) in dates.iter().enumerate() {
        let Some(date) = date.map(str::trim).filter(|d| !d.is_empty()) else {
            continue;
        };
        let day = finrisk_engine::Date::parse(date.get(..10).unwrap_or(date)).map_err(|_| {
            bad_input(format!(
                "granted_at: row {}: `{date}` is not a date YYYY-MM-DD",
                row + 1
            ))
        })?;
        // The scored table has no ages: `young` is not tested here (the batch tests it).
        let quality = grant_quality(t.codes(row), None, rules.young_age);
        let pd = t.pd.as_ref().and_then(|p| p[row]);
        all.add("all grants", day, &quality, pd);
        let institution = t.institution_id.as_ref().map_or("", |c| c.get(row));
        by_institution.add(institution, day, &quality, pd);
    }
    let Some(all_grants) = all.analyse_one("all grants", &rules) else {
        return Ok(None);
    };
    let institutions = by_institution.analyse(&rules);
    Ok(Some(ReportDownTiering {
        ruleset_version: ruleset.version.clone(),
        institutions_firing: institutions
            .iter()
            .filter(|d| d.fires)
            .map(|d| d.group.clone())
            .collect(),
        all_grants,
        institutions,
        note: "from the scored table's findings (RC-STUDENT, RC-INCOME-UNVERIFIED, RC-DTI-HIGH, DC-MANY-LENDERS) and PDs; it has no ages, so `young` is tested by the batch (its summary) and assess-product, not here",
    }))
}

fn code_counts<'a>(codes: impl Iterator<Item = &'a str>, n: usize) -> Vec<CodeCount> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for c in codes {
        *counts.entry(c).or_insert(0) += 1;
    }
    let mut list: Vec<CodeCount> = counts
        .into_iter()
        .map(|(code, grants)| CodeCount {
            code: code.to_string(),
            grants,
            share: grants as f64 / n.max(1) as f64,
        })
        .collect();
    list.sort_by(|a, b| b.grants.cmp(&a.grants).then_with(|| a.code.cmp(&b.code)));
    list
}

fn institutions(t: &ScoreTable) -> Vec<InstitutionRank> {
    let Some(ids) = &t.institution_id else {
        return Vec::new();
    };
    let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (row, id) in ids.iter().enumerate() {
        groups.entry(id.unwrap_or("")).or_default().push(row);
    }
    let mut ranked: Vec<InstitutionRank> = groups
        .into_iter()
        .map(|(id, rows)| {
            let n = rows.len() as f64;
            let mut mean_scores = [0.0; 4];
            for (k, m) in mean_scores.iter_mut().enumerate() {
                *m = rows.iter().map(|&r| t.scores[k][r]).sum::<f64>() / n;
            }
            let mut top_codes = code_counts(rows.iter().flat_map(|&r| t.codes(r)), rows.len());
            top_codes.truncate(3);
            InstitutionRank {
                rank: 0,
                institution_id: id.to_string(),
                grants: rows.len(),
                mean_scores,
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

fn outcomes(t: &ScoreTable) -> Option<Outcomes> {
    let defaulted = t.defaulted.as_ref()?;
    let known: Vec<usize> = (0..t.rows).filter(|&r| defaulted[r].is_some()).collect();
    let y: Vec<u8> = known.iter().map(|&r| defaulted[r].unwrap_or(0)).collect();
    let positives = y.iter().filter(|&&v| v == 1).count();
    if positives == 0 || positives == y.len() {
        return None;
    }
    let separation_of = |score: &'static str, label: &'static str, s: Vec<f64>| {
        let (auc, ks, roc) = auc_ks_roc(&s, &y, 200);
        Separation {
            score,
            label,
            auc,
            auc_ci95: finrisk_models::metrics::auc_interval(auc, positives, y.len() - positives),
            ks,
            roc,
        }
    };
    let mut separation: Vec<Separation> = DIMENSIONS
        .iter()
        .enumerate()
        .filter(|(_, (name, _))| *name != "one_sided_marketing")
        .map(|(k, (name, label))| {
            separation_of(name, label, known.iter().map(|&r| t.scores[k][r]).collect())
        })
        .collect();
    let pd: Option<Vec<f64>> =
        t.pd.as_ref()
            .and_then(|pd| known.iter().map(|&r| pd[r]).collect());
    if let Some(pd) = &pd {
        separation.push(separation_of("pd", "Model PD", pd.clone()));
    }
    Some(Outcomes {
        outcome: "defaulted",
        rows_with_outcome: known.len(),
        default_rate: positives as f64 / known.len() as f64,
        separation,
        calibration: pd
            .as_ref()
            .map(|pd| calibration_table(pd, &y, 10))
            .unwrap_or_default(),
        brier: pd.as_ref().map(|pd| finrisk_models::metrics::brier(pd, &y)),
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

fn stability(t: &ScoreTable, period: ReportPeriod) -> anyhow::Result<Vec<PeriodStability>> {
    let Some(dates) = &t.granted_at else {
        return Ok(Vec::new());
    };
    let mut by_period: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (row, date) in dates.iter().enumerate() {
        let Some(date) = date.filter(|d| !d.trim().is_empty()) else {
            continue;
        };
        let p = period_of(date, period).ok_or_else(|| {
            bad_input(format!(
                "granted_at: row {}: `{date}` is not a date YYYY-MM-DD",
                row + 1
            ))
        })?;
        by_period.entry(p).or_default().push(row);
    }
    let Some(first) = by_period.values().next() else {
        return Ok(Vec::new());
    };
    let overall = |rows: &[usize]| rows.iter().map(|&r| t.scores[3][r]).collect::<Vec<f64>>();
    let pd_of = |rows: &[usize]| -> Option<Vec<f64>> {
        let pd = t.pd.as_ref()?;
        rows.iter().map(|&r| pd[r]).collect()
    };
    let reference_overall = PsiReference::fit(&overall(first), 10);
    let reference_pd = pd_of(first).map(|pd| PsiReference::fit(&pd, 10));
    Ok(by_period
        .iter()
        .map(|(p, rows)| PeriodStability {
            period: p.clone(),
            grants: rows.len(),
            psi_overall: reference_overall.psi(&overall(rows)),
            psi_pd: reference_pd
                .as_ref()
                .zip(pd_of(rows))
                .map(|(r, pd)| r.psi(&pd)),
        })
        .collect())
}

fn labels(t: &ScoreTable, path: &Path) -> anyhow::Result<Value> {
    let ids = t.grant_id.as_ref().ok_or_else(|| {
        bad_input("truth: the scores table has no `grant_id` column to match the truth by")
    })?;
    let mut truth = TruthAccumulator::load(path)?;
    let column = |name: &str| DIMENSIONS.iter().position(|(d, _)| *d == name).unwrap_or(3);
    let columns = LABELLED_SCORES.map(|(name, _)| column(name));
    for (row, id) in ids.iter().enumerate() {
        truth.add(
            id.unwrap_or(""),
            t.findings.get(row),
            columns.map(|k| t.scores[k][row]),
        );
    }
    Ok(truth.finish())
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
    let t = ScoreTable::read(&args.input)?;
    if t.rows == 0 {
        return Err(bad_input(format!(
            "input: {} has no rows to report on",
            args.input.display()
        )));
    }
    let distributions = DIMENSIONS
        .iter()
        .enumerate()
        .map(|(k, (name, label))| distribution(name, label, &t.scores[k]))
        .collect();
    let mut grades = BTreeMap::new();
    if let Some(column) = &t.grade {
        for g in column.iter().flatten() {
            match grades.get_mut(g) {
                Some(n) => *n += 1,
                None => {
                    grades.insert(g.to_string(), 1);
                }
            }
        }
    }
    let provenance = provenance_of(&args.input);
    let down_tiering = down_tiering(&t, &provenance)?;
    Ok(Figures {
        input: args.input.display().to_string(),
        input_sha256: crate::output::file_sha256(&args.input)?,
        provenance,
        rows: t.rows,
        distributions,
        grades,
        findings: code_counts((0..t.rows).flat_map(|r| t.codes(r)), t.rows),
        institutions: institutions(&t),
        outcomes: outcomes(&t),
        period: match args.period {
            ReportPeriod::Month => "month",
            ReportPeriod::Quarter => "quarter",
            ReportPeriod::Year => "year",
        },
        stability: stability(&t, args.period)?,
        labels: match &args.truth {
            Some(path) => Some(labels(&t, path)?),
            None => None,
        },
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
        let d = distribution("overall", "Overall", &[0.0, 4.99, 5.0, 100.0]);
        assert_eq!(d.shares[0], 0.5);
        assert_eq!(d.shares[1], 0.25);
        assert_eq!(d.shares[19], 0.25);
        assert_eq!(d.max, 100.0);
    }
}
