//! Drift between a baseline sample and a current one: the population stability index (PSI) of
//! a score or a characteristic over bins fixed on the baseline, with a threshold that accounts
//! for the sample sizes, and the shift of a rate (a finding code's) with a two-proportion test.
//!
//! **PSI and sample size.** Under no drift, PSI over `B` bins is approximately chi-square with
//! `B - 1` degrees of freedom scaled by `1/n + 1/m` (Yurdakul and Naranjo, "Statistical
//! properties of the population stability index", Journal of Risk Model Validation 14(4),
//! 2020). So a PSI of 0.1 on 200 rows a side is noise (the 1% critical value is 0.22) and on 2
//! million it is not (1e-5). A characteristic alerts when its PSI is above both the critical
//! value at the family-wise level (Bonferroni over the characteristics) and the materiality
//! line (0.1 by default: Siddiqi, Credit Risk Scorecards, 2006).

use crate::table::ColumnData;
use finrisk_engine::stats::{chi_square_upper_quantile, normal_upper_tail, psi_of_counts};
use serde::Serialize;

/// One bin of a drift table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BinCount {
    /// What the bin holds (`<= 0.35`, `(0.35, 0.5]`, `missing`, a category).
    pub label: String,
    /// Baseline rows in it.
    pub baseline: u64,
    /// Current rows in it.
    pub current: u64,
}

/// The drift of one score or characteristic.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Drift {
    /// Its name.
    pub name: String,
    /// The bins behind the figure.
    pub bins: Vec<BinCount>,
    /// PSI of the current rows against the baseline ones.
    pub psi: f64,
    /// The PSI no-drift samples of these sizes exceed with probability `alpha`.
    pub critical: f64,
    /// The materiality line.
    pub material: f64,
    /// Whether the PSI is above both.
    pub alert: bool,
}

/// Bins for numbers: the baseline's quantiles (`bins` of them, ties merged) and a bin for
/// missing values (NaN) when either side has one.
pub fn numeric_bins(baseline: &[f64], current: &[f64], bins: usize) -> Vec<BinCount> {
    let mut edges = crate::metrics::PsiReference::fit(baseline, bins).edges;
    let top = baseline
        .iter()
        .copied()
        .filter(|v| !v.is_nan())
        .fold(f64::NEG_INFINITY, f64::max);
    // The top edge would leave its bin empty on the baseline: values equal to it go below.
    if edges.last() == Some(&top) {
        edges.pop();
    }
    let mut out: Vec<BinCount> = (0..=edges.len())
        .map(|i| BinCount {
            label: match (i.checked_sub(1).map(|j| edges[j]), edges.get(i)) {
                (None, Some(hi)) => format!("<= {hi}"),
                (Some(lo), Some(hi)) => format!("({lo}, {hi}]"),
                (Some(lo), None) => format!("> {lo}"),
                (None, None) => "all".to_string(),
            },
            baseline: 0,
            current: 0,
        })
        .collect();
    let mut missing = (0u64, 0u64);
    let mut count = |values: &[f64], current: bool| {
        for v in values {
            if v.is_nan() {
                if current {
                    missing.1 += 1;
                } else {
                    missing.0 += 1;
                }
                continue;
            }
            let b = &mut out[edges.partition_point(|e| e < v)];
            if current {
                b.current += 1;
            } else {
                b.baseline += 1;
            }
        }
    };
    count(baseline, false);
    count(current, true);
    if missing != (0, 0) {
        out.push(BinCount {
            label: "missing".to_string(),
            baseline: missing.0,
            current: missing.1,
        });
    }
    out
}

/// Bins for a characteristic as model input: numbers by [`numeric_bins`] (10 bins), categories
/// one bin each.
pub fn column_bins(baseline: &ColumnData, current: &ColumnData) -> Vec<BinCount> {
    match (baseline, current) {
        (ColumnData::Numeric(b), ColumnData::Numeric(c)) => numeric_bins(b, c, 10),
        _ => {
            let mut out: Vec<BinCount> = Vec::new();
            for (data, is_current) in [(baseline, false), (current, true)] {
                for label in labels(data) {
                    let at = match out.iter().position(|b| b.label == label) {
                        Some(at) => at,
                        None => {
                            out.push(BinCount {
                                label,
                                baseline: 0,
                                current: 0,
                            });
                            out.len() - 1
                        }
                    };
                    if is_current {
                        out[at].current += 1;
                    } else {
                        out[at].baseline += 1;
                    }
                }
            }
            out
        }
    }
}

/// Each row's bin label as a category: its level, or `missing`; numbers as written.
fn labels(data: &ColumnData) -> Vec<String> {
    match data {
        ColumnData::Numeric(v) => v
            .iter()
            .map(|x| {
                if x.is_nan() {
                    "missing".to_string()
                } else {
                    x.to_string()
                }
            })
            .collect(),
        ColumnData::Categorical { codes, levels } => codes
            .iter()
            .map(|c| {
                usize::try_from(*c)
                    .ok()
                    .and_then(|i| levels.get(i))
                    .cloned()
                    .unwrap_or_else(|| "missing".to_string())
            })
            .collect(),
    }
}

/// PSI over `bins` (a bin empty on one side is smoothed by half a row).
pub fn psi_of_bins(bins: &[BinCount]) -> f64 {
    let (baseline, current): (Vec<u64>, Vec<u64>) =
        bins.iter().map(|b| (b.baseline, b.current)).unzip();
    psi_of_counts(&baseline, &current).unwrap_or(0.0)
}

/// The drift of `name` over `bins`, at level `alpha` and materiality `material`.
pub fn drift(name: &str, bins: Vec<BinCount>, alpha: f64, material: f64) -> Drift {
    let (nb, nc) = bins
        .iter()
        .fold((0u64, 0u64), |(b, c), x| (b + x.baseline, c + x.current));
    let psi = psi_of_bins(&bins);
    let critical = if nb == 0 || nc == 0 {
        f64::INFINITY
    } else {
        chi_square_upper_quantile((bins.len() as f64 - 1.0).max(1.0), alpha)
            * (1.0 / nb as f64 + 1.0 / nc as f64)
    };
    Drift {
        name: name.to_string(),
        alert: psi > critical && psi >= material,
        bins,
        psi,
        critical,
        material,
    }
}

/// The shift of a rate between the samples.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RateShift {
    /// What is counted (a finding code).
    pub name: String,
    /// Baseline rows with it.
    pub baseline_count: u64,
    /// Baseline rows.
    pub baseline_rows: u64,
    /// Current rows with it.
    pub current_count: u64,
    /// Current rows.
    pub current_rows: u64,
    /// Baseline rate.
    pub baseline_rate: f64,
    /// Current rate.
    pub current_rate: f64,
    /// Two-proportion z statistic (pooled), positive when the rate rose.
    pub z: f64,
    /// Two-sided p-value.
    pub p_value: f64,
    /// Whether `p_value` is below the level and the rate moved by at least the minimum.
    pub alert: bool,
}

/// The two-proportion test of `current_count / current_rows` against the baseline rate;
/// alerts when `p < alpha` and the rates differ by at least `min_change`.
pub fn rate_shift(
    name: &str,
    (baseline_count, baseline_rows): (u64, u64),
    (current_count, current_rows): (u64, u64),
    alpha: f64,
    min_change: f64,
) -> RateShift {
    let rate = |k: u64, n: u64| if n == 0 { 0.0 } else { k as f64 / n as f64 };
    let (pb, pc) = (
        rate(baseline_count, baseline_rows),
        rate(current_count, current_rows),
    );
    let pooled = rate(baseline_count + current_count, baseline_rows + current_rows);
    let se = (pooled
        * (1.0 - pooled)
        * (1.0 / baseline_rows.max(1) as f64 + 1.0 / current_rows.max(1) as f64))
        .sqrt();
    let z = if se > 0.0 { (pc - pb) / se } else { 0.0 };
    let p = (2.0 * normal_upper_tail(z.abs())).min(1.0);
    RateShift {
        name: name.to_string(),
        baseline_count,
        baseline_rows,
        current_count,
        current_rows,
        baseline_rate: pb,
        current_rate: pc,
        z,
        p_value: p,
        alert: p < alpha && (pc - pb).abs() >= min_change,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ramp(n: usize, shift: f64) -> Vec<f64> {
        (0..n).map(|i| i as f64 / n as f64 + shift).collect()
    }

    #[test]
    fn psi_of_the_same_distribution_is_noise_and_a_shift_alerts() {
        let same = drift(
            "x",
            numeric_bins(&ramp(2_000, 0.0), &ramp(1_000, 0.0), 10),
            0.01,
            0.1,
        );
        assert!(same.psi < 0.01 && !same.alert, "{same:?}");
        let moved = drift(
            "x",
            numeric_bins(&ramp(2_000, 0.0), &ramp(1_000, 0.3), 10),
            0.01,
            0.1,
        );
        assert!(moved.psi > 0.25 && moved.alert, "{moved:?}");
    }

    #[test]
    fn the_same_psi_is_noise_on_few_rows_and_drift_on_many() {
        // 0.1 of PSI on 200 rows a side is below the 1% critical value; on 200,000 it is not.
        let few = chi_square_upper_quantile(9.0, 0.01) * (1.0 / 200.0 + 1.0 / 200.0);
        let many = chi_square_upper_quantile(9.0, 0.01) * (2.0 / 200_000.0);
        assert!(few > 0.1 && many < 0.1);
    }

    #[test]
    fn missing_values_get_a_bin_of_their_own() {
        let bins = numeric_bins(&[1.0, 2.0, f64::NAN], &[1.0, f64::NAN, f64::NAN], 10);
        let missing = bins.iter().find(|b| b.label == "missing").unwrap();
        assert_eq!((missing.baseline, missing.current), (1, 2));
    }

    #[test]
    fn a_rate_shift_needs_significance_and_size() {
        let s = rate_shift("C", (100, 1_000), (200, 1_000), 0.01, 0.02);
        assert!(s.alert && s.z > 5.0);
        let small = rate_shift("C", (100, 1_000), (110, 1_000), 0.01, 0.02);
        assert!(!small.alert);
    }
}
