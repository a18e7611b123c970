//! `finrisk monitor`: drift between a baseline loan book and a current one (two tables, or one
//! split at a date): PSI of the model PD and of the overall score, PSI of every model
//! characteristic (CSI) with the bins behind each figure, and the shift of each finding code's
//! rate, with thresholds that account for the sample sizes (`finrisk_models::drift`). Exit 0,
//! or 3 when an alert fires.

use crate::cli::{Format, MonitorArgs};
use crate::failure::{Alerted, bad_input};
use crate::input::{load_ruleset, parse_jurisdiction};
use finrisk_datasets::{DatasetError, PeriodFilter, load_grants, read_table_columns};
use finrisk_engine::Date;
use finrisk_engine::assess::assess_grants;
use finrisk_engine::domain::GrantBatch;
use finrisk_models::drift::{Drift, RateShift, column_bins, drift, numeric_bins, rate_shift};
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::Path;

/// Everything the monitor found, as written to `report.json` and printed.
#[derive(Debug, Serialize)]
pub(crate) struct MonitorFigures {
    pub(crate) baseline: SampleInfo,
    pub(crate) current: SampleInfo,
    pub(crate) ruleset_version: String,
    /// The PD model (`none`: no PD and no characteristics).
    pub(crate) model: String,
    /// Family-wise level and the materiality lines used.
    pub(crate) alpha: f64,
    pub(crate) min_psi: f64,
    pub(crate) min_rate_change: f64,
    /// PSI of the model PD and of the overall score.
    pub(crate) scores: Vec<Drift>,
    /// PSI of each model characteristic (CSI), Bonferroni over them.
    pub(crate) characteristics: Vec<Drift>,
    /// Each finding code's rate, Bonferroni over the codes.
    pub(crate) codes: Vec<RateShift>,
    /// One line per alert.
    pub(crate) alerts: Vec<String>,
    pub(crate) method: &'static str,
}

/// Where a sample came from.
#[derive(Debug, Serialize)]
pub(crate) struct SampleInfo {
    pub(crate) source: String,
    pub(crate) rows: usize,
    pub(crate) rows_rejected: usize,
    /// Valid grants with no value in the period column (split by another column than
    /// `granted_at`): in neither sample.
    pub(crate) rows_without_period: usize,
}

const METHOD: &str = "PSI over ten bins cut at the baseline's deciles (a bin for missing values; categories one bin each); under no drift PSI is about chi-square with bins-1 degrees of freedom times (1/n + 1/m) (Yurdakul and Naranjo, Journal of Risk Model Validation 14(4), 2020), so a figure alerts when it is above that critical value at the level (Bonferroni over the characteristics) and at least the materiality line (Siddiqi, Credit Risk Scorecards, 2006: 0.1). Code rates: two-proportion z test, Bonferroni over the codes, and a change of at least min_rate_change.";

fn load(path: &Path, what: &str) -> anyhow::Result<(GrantBatch, usize)> {
    let (batch, report) = load_grants(path)?;
    if batch.is_empty() {
        return Err(bad_input(format!(
            "{what}: {} has no valid grant ({} rows read, {} refused)",
            path.display(),
            report.rows_read,
            report.rows_rejected
        )));
    }
    Ok((batch, report.rows_rejected))
}

/// The side of the split of each grant of `batch`: `Some(true)` for the baseline (before the
/// split value), `Some(false)` for the current sample, `None` for no period value.
fn sides(
    batch: &GrantBatch,
    input: &Path,
    column: &str,
    at: &str,
) -> anyhow::Result<Vec<Option<bool>>> {
    if column == "granted_at" {
        let day = Date::parse(at)
            .map_err(|_| bad_input(format!("split-at: `{at}` is not a date YYYY-MM-DD")))?;
        return Ok(batch.granted_at.iter().map(|d| Some(*d < day)).collect());
    }
    let table = read_table_columns(input, &[column])?;
    let values = table.column(column).map_err(|_| {
        bad_input(format!(
            "period-column: column `{column}` is not in {}",
            input.display()
        ))
    })?;
    let filter = PeriodFilter {
        column: column.to_string(),
        from: None,
        before: Some(at.to_string()),
    };
    let selection = filter.select(values).map_err(|e| match e {
        DatasetError::Parameter { reason, .. } => bad_input(format!("split-at: {reason}")),
        other => other.into(),
    })?;
    Ok(batch
        .source_row
        .iter()
        .map(|&row| {
            let i = row.saturating_sub(1);
            match (selection.missing.get(i), selection.keep.get(i)) {
                (Some(false), Some(&keep)) => Some(keep),
                _ => None,
            }
        })
        .collect())
}

/// The grants of `batch` on each side of the split, and how many are on neither.
fn split(
    batch: &GrantBatch,
    side: &[Option<bool>],
) -> anyhow::Result<(GrantBatch, GrantBatch, usize)> {
    let (mut before, mut after) = (GrantBatch::default(), GrantBatch::default());
    let mut neither = 0;
    for i in 0..batch.len() {
        let target = match side.get(i).copied().flatten() {
            Some(true) => &mut before,
            Some(false) => &mut after,
            None => {
                neither += 1;
                continue;
            }
        };
        target
            .push(batch.source_row[i], batch.record(i))
            .map_err(|e| anyhow::anyhow!("row {}: {e:?}", batch.source_row[i]))?;
    }
    Ok((before, after, neither))
}

/// The baseline and current samples, each after what it says of itself.
fn samples(args: &MonitorArgs) -> anyhow::Result<(SampleInfo, GrantBatch, SampleInfo, GrantBatch)> {
    match (&args.baseline, &args.current, &args.input, &args.split_at) {
        (Some(b), Some(c), None, None) => {
            let (base, base_bad) = load(b, "baseline")?;
            let (cur, cur_bad) = load(c, "current")?;
            Ok((
                SampleInfo {
                    source: b.display().to_string(),
                    rows: base.len(),
                    rows_rejected: base_bad,
                    rows_without_period: 0,
                },
                base,
                SampleInfo {
                    source: c.display().to_string(),
                    rows: cur.len(),
                    rows_rejected: cur_bad,
                    rows_without_period: 0,
                },
                cur,
            ))
        }
        (None, None, Some(input), Some(at)) => {
            let (whole, bad) = load(input, "input")?;
            let column = args.period_column.as_str();
            let (base, cur, neither) = split(&whole, &sides(&whole, input, column, at)?)?;
            for (part, name) in [(&base, "before"), (&cur, "at or after")] {
                if part.is_empty() {
                    return Err(bad_input(format!(
                        "split-at: no grant of {} has {column} {name} {at}",
                        input.display()
                    )));
                }
            }
            let source = |side: &str| format!("{} ({column} {side} {at})", input.display());
            Ok((
                SampleInfo {
                    source: source("before"),
                    rows: base.len(),
                    rows_rejected: bad,
                    rows_without_period: neither,
                },
                base,
                SampleInfo {
                    source: source("from"),
                    rows: cur.len(),
                    rows_rejected: 0,
                    rows_without_period: 0,
                },
                cur,
            ))
        }
        _ => Err(bad_input(
            "baseline: give --baseline and --current (two grants tables), or --input and --split-at (one table split at a date)",
        )),
    }
}

/// Codes per row, counted: code -> grants carrying it.
fn code_counts(rows: &[finrisk_engine::assess::GrantRow]) -> BTreeMap<String, u64> {
    let mut counts = finrisk_engine::catalogue::CodeCounts::default();
    for r in rows {
        counts.add(r.codes);
    }
    counts
        .by_code()
        .into_iter()
        .map(|(code, n)| (code.as_str().to_string(), n as u64))
        .collect()
}

pub(crate) fn figures(args: &MonitorArgs) -> anyhow::Result<MonitorFigures> {
    for (name, v) in [("alpha", args.alpha), ("min-psi", args.min_psi)] {
        if !(v > 0.0 && v < 1.0) {
            return Err(bad_input(format!(
                "{name}: must be between 0 and 1, got {v}"
            )));
        }
    }
    if !(0.0..1.0).contains(&args.min_rate_change) {
        return Err(bad_input(format!(
            "min-rate-change: must be at least 0 and below 1, got {}",
            args.min_rate_change
        )));
    }
    let (base_info, base, cur_info, cur) = samples(args)?;
    let ruleset = load_ruleset(
        args.rules.rules.as_deref(),
        parse_jurisdiction(&args.jurisdiction)?,
    )?;
    let model = match args.model.as_str() {
        "none" => None,
        spec => Some(super::train::load_model(spec)?),
    };
    let pds = |batch: &GrantBatch| -> anyhow::Result<Option<finrisk_engine::pd::GrantPds>> {
        model
            .as_ref()
            .map(|m| {
                finrisk_models::grants::grant_pds(m, batch, None)
                    .map_err(|e| bad_input(format!("model: {e}")))
            })
            .transpose()
    };
    let (base_pd, cur_pd) = (pds(&base)?, pds(&cur)?);
    let (base_rows, _) = assess_grants(&base, &ruleset, None, base_pd.as_ref());
    let (cur_rows, _) = assess_grants(&cur, &ruleset, None, cur_pd.as_ref());

    let mut scores = Vec::new();
    if let (Some(b), Some(c)) = (&base_pd, &cur_pd) {
        scores.push(drift(
            "model PD",
            numeric_bins(&b.pd, &c.pd, 10),
            args.alpha,
            args.min_psi,
        ));
    }
    let overall = |rows: &[finrisk_engine::assess::GrantRow]| -> Vec<f64> {
        rows.iter().map(|r| r.scores.overall).collect()
    };
    scores.push(drift(
        "overall score",
        numeric_bins(&overall(&base_rows), &overall(&cur_rows), 10),
        args.alpha,
        args.min_psi,
    ));

    let mut characteristics = Vec::new();
    if let Some(m) = &model {
        let level = args.alpha / m.features.len().max(1) as f64;
        for spec in &m.features {
            let (Some(b), Some(c)) = (
                finrisk_models::grants::grant_column(&base, &spec.name),
                finrisk_models::grants::grant_column(&cur, &spec.name),
            ) else {
                continue;
            };
            characteristics.push(drift(&spec.name, column_bins(&b, &c), level, args.min_psi));
        }
    }

    let (bc, cc) = (code_counts(&base_rows), code_counts(&cur_rows));
    let mut names: Vec<&String> = bc.keys().chain(cc.keys()).collect();
    names.sort();
    names.dedup();
    let level = args.alpha / names.len().max(1) as f64;
    let codes: Vec<RateShift> = names
        .iter()
        .map(|code| {
            rate_shift(
                code,
                (bc.get(*code).copied().unwrap_or(0), base.len() as u64),
                (cc.get(*code).copied().unwrap_or(0), cur.len() as u64),
                level,
                args.min_rate_change,
            )
        })
        .collect();

    let mut alerts = Vec::new();
    for d in scores.iter().chain(&characteristics).filter(|d| d.alert) {
        alerts.push(format!(
            "{}: PSI {:.4} (critical {:.4}, materiality {})",
            d.name, d.psi, d.critical, d.material
        ));
    }
    for r in codes.iter().filter(|r| r.alert) {
        alerts.push(format!(
            "{}: rate {:.4} -> {:.4} (p = {:.2e})",
            r.name, r.baseline_rate, r.current_rate, r.p_value
        ));
    }
    Ok(MonitorFigures {
        baseline: base_info,
        current: cur_info,
        ruleset_version: ruleset.version.clone(),
        model: model
            .as_ref()
            .map_or_else(|| "none".to_string(), |m| m.id()),
        alpha: args.alpha,
        min_psi: args.min_psi,
        min_rate_change: args.min_rate_change,
        scores,
        characteristics,
        codes,
        alerts,
        method: METHOD,
    })
}

impl MonitorFigures {
    /// What was compared with what, under which ruleset and model.
    pub(crate) fn headline(&self) -> String {
        format!(
            "{} ({} grants) against baseline {} ({} grants); ruleset {}, model {}",
            self.current.source,
            self.current.rows,
            self.baseline.source,
            self.baseline.rows,
            self.ruleset_version,
            self.model
        )
    }
}

fn text(f: &MonitorFigures) -> String {
    let mut s = format!("Drift of {}\n", f.headline());
    let line = |d: &Drift| {
        format!(
            "  {:<24} PSI {:.4}  critical {:.4}{}\n",
            d.name,
            d.psi,
            d.critical,
            if d.alert { "  ALERT" } else { "" }
        )
    };
    s.push_str("Scores:\n");
    f.scores.iter().for_each(|d| s.push_str(&line(d)));
    if !f.characteristics.is_empty() {
        s.push_str("Characteristics (CSI):\n");
        f.characteristics.iter().for_each(|d| s.push_str(&line(d)));
    }
    s.push_str("Codes:\n");
    for r in &f.codes {
        s.push_str(&format!(
            "  {:<28} {:.4} -> {:.4}  p {:.2e}{}\n",
            r.name,
            r.baseline_rate,
            r.current_rate,
            r.p_value,
            if r.alert { "  ALERT" } else { "" }
        ));
    }
    s.push_str(&if f.alerts.is_empty() {
        "No alert.\n".to_string()
    } else {
        format!("{} alerts (exit 3).\n", f.alerts.len())
    });
    s
}

/// `finrisk monitor`.
pub(crate) fn run(args: &MonitorArgs) -> anyhow::Result<String> {
    let f = figures(args)?;
    let files = match &args.out {
        Some(dir) => Some(crate::report::monitor::write(&f, dir)?),
        None => None,
    };
    let output = match args.format {
        Format::Json => {
            let mut v = serde_json::to_value(&f)?;
            v["files"] = json!(files);
            crate::output::to_json(&v)?
        }
        Format::Text => text(&f),
    };
    if f.alerts.is_empty() {
        Ok(output)
    } else {
        Err(anyhow::Error::new(Alerted(output)))
    }
}
