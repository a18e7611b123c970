//! Quality measures of a probability of default against 0/1 outcomes: AUC, KS, Gini, Brier,
//! log loss, a calibration table, and the population stability index between two samples.
//!
//! Definitions follow scikit-learn (`roc_auc_score` with ties counted half, `brier_score_loss`,
//! `log_loss` with probabilities clipped to [1e-15, 1 - 1e-15]) so figures compare with
//! `shared/baselines.md`.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// The headline metrics of one evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Metrics {
    /// Rows evaluated.
    pub rows: usize,
    /// Share of positives.
    pub positive_rate: f64,
    /// Area under the ROC curve.
    pub auc: f64,
    /// Kolmogorov-Smirnov statistic: max(TPR - FPR).
    pub ks: f64,
    /// 2 * AUC - 1.
    pub gini: f64,
    /// Mean squared error of the probability.
    pub brier: f64,
    /// Mean negative log-likelihood.
    pub log_loss: f64,
}

/// Rows sorted by score, descending, with ties grouped: (score, positives, negatives) per group.
fn tie_groups(scores: &[f64], target: &[u8]) -> Vec<(f64, f64, f64)> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_unstable_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let mut groups: Vec<(f64, f64, f64)> = Vec::new();
    for i in order {
        let (p, n) = if target[i] == 1 {
            (1.0, 0.0)
        } else {
            (0.0, 1.0)
        };
        match groups.last_mut() {
            Some(g) if g.0 == scores[i] => {
                g.1 += p;
                g.2 += n;
            }
            _ => groups.push((scores[i], p, n)),
        }
    }
    groups
}

/// AUC (ties count half) and KS, from one sort.
fn auc_ks(scores: &[f64], target: &[u8]) -> (f64, f64) {
    auc_ks_of_groups(&tie_groups(scores, target))
}

fn auc_ks_of_groups(groups: &[(f64, f64, f64)]) -> (f64, f64) {
    let pos: f64 = groups.iter().map(|g| g.1).sum();
    let neg: f64 = groups.iter().map(|g| g.2).sum();
    if pos == 0.0 || neg == 0.0 {
        return (f64::NAN, f64::NAN);
    }
    let (mut tp, mut fp, mut area, mut ks) = (0.0, 0.0, 0.0, 0.0f64);
    for &(_, p, n) in groups {
        // Trapezoid between (fp, tp) and (fp + n, tp + p).
        area += n * (tp + p / 2.0);
        tp += p;
        fp += n;
        ks = ks.max(tp / pos - fp / neg);
    }
    (area / (pos * neg), ks)
}

/// AUC, KS and the ROC curve (thinned to `max_points`, as [`roc_curve`]) from one sort.
pub fn auc_ks_roc(scores: &[f64], target: &[u8], max_points: usize) -> (f64, f64, Vec<(f64, f64)>) {
    let groups = tie_groups(scores, target);
    let (auc, ks) = auc_ks_of_groups(&groups);
    (auc, ks, roc_of_groups(&groups, max_points))
}

/// [`auc_ks_roc`] from counts: `(score, positives, negatives)` per distinct score, in any
/// order. The same figures as [`auc_ks_roc`] on the rows the counts stand for, with memory that
/// grows with the distinct scores only (a streamed report).
pub fn auc_ks_roc_of_counts(
    counts: impl IntoIterator<Item = (f64, u64, u64)>,
    max_points: usize,
) -> (f64, f64, Vec<(f64, f64)>) {
    let mut groups: Vec<(f64, u64, u64)> = counts
        .into_iter()
        .filter(|g| !g.0.is_nan() && g.1 + g.2 > 0)
        .map(|(s, p, n)| (s + 0.0, p, n))
        .collect();
    groups.sort_unstable_by(|a, b| b.0.total_cmp(&a.0));
    // Equal scores given twice are one group.
    groups.dedup_by(|later, kept| {
        if later.0 == kept.0 {
            kept.1 += later.1;
            kept.2 += later.2;
            true
        } else {
            false
        }
    });
    auc_ks_roc_of_descending_groups(groups.into_iter(), max_points)
}

/// [`auc_ks_roc`] from tie groups `(score, positives, negatives)` already in descending score
/// order (each score once): two passes over the iterator and no allocation but the ROC
/// points, for counts held in an array indexed by score (a report's PD grid).
pub fn auc_ks_roc_of_descending_groups<I>(
    groups: I,
    max_points: usize,
) -> (f64, f64, Vec<(f64, f64)>)
where
    I: Iterator<Item = (f64, u64, u64)> + Clone,
{
    let (mut pos, mut neg, mut len) = (0.0f64, 0.0f64, 0usize);
    for (_, p, n) in groups.clone() {
        pos += p as f64;
        neg += n as f64;
        len += 1;
    }
    if pos == 0.0 || neg == 0.0 {
        return (f64::NAN, f64::NAN, Vec::new());
    }
    // The ROC points are (0, 0) and one per group; thinned to `max_points` evenly spaced
    // indices when there are more (as [`roc_curve`]).
    let max_points = max_points.max(2);
    let last = len;
    let thinned = len + 1 > max_points;
    let mut wanted = 0usize; // the next thinned point, k of k * last / (max_points - 1)
    let mut roc = Vec::with_capacity((len + 1).min(max_points));
    let mut keep = |i: usize, point: (f64, f64), roc: &mut Vec<(f64, f64)>| {
        if !thinned {
            roc.push(point);
            return;
        }
        while wanted < max_points && wanted * last / (max_points - 1) == i {
            roc.push(point);
            wanted += 1;
        }
    };
    keep(0, (0.0, 0.0), &mut roc);
    let (mut tp, mut fp, mut area, mut ks) = (0.0, 0.0, 0.0, 0.0f64);
    for (i, (_, p, n)) in groups.enumerate() {
        let (p, n) = (p as f64, n as f64);
        // Trapezoid between (fp, tp) and (fp + n, tp + p).
        area += n * (tp + p / 2.0);
        tp += p;
        fp += n;
        ks = ks.max(tp / pos - fp / neg);
        keep(i + 1, (fp / neg, tp / pos), &mut roc);
    }
    (area / (pos * neg), ks, roc)
}

/// Area under the ROC curve.
pub fn auc(scores: &[f64], target: &[u8]) -> f64 {
    auc_ks(scores, target).0
}

/// Exact AUC from counts, built one observation at a time: positives and negatives per
/// distinct score, so its memory grows with the distinct scores, not the rows (a rule score
/// takes a few hundred values). Ties count half, as in [`auc`]; the area is summed in integers,
/// so the result does not depend on the order of the observations.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AucCounter {
    counts: std::collections::HashMap<u64, (u64, u64), foldhash::fast::RandomState>,
}

impl AucCounter {
    /// No observations.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one observation (`NaN` scores are not counted).
    pub fn add(&mut self, score: f64, positive: bool) {
        if score.is_nan() {
            return;
        }
        // +0.0 and -0.0 are one score.
        let key = (score + 0.0).to_bits();
        let e = self.counts.entry(key).or_insert((0, 0));
        if positive {
            e.0 += 1;
        } else {
            e.1 += 1;
        }
    }

    /// Observations counted.
    pub fn len(&self) -> u64 {
        self.counts.values().map(|(p, n)| p + n).sum()
    }

    /// Whether nothing was counted.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// The AUC, `None` without both classes.
    pub fn auc(&self) -> Option<f64> {
        let mut groups: Vec<(f64, u64, u64)> = self
            .counts
            .iter()
            .map(|(&bits, &(p, n))| (f64::from_bits(bits), p, n))
            .collect();
        groups.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        auc_of_ascending_groups(groups.iter().map(|&(_, p, n)| (p, n)))
    }
}

/// Exact AUC from `(positives, negatives)` per distinct score, in ascending score order: ties
/// count half, and the area is summed in integers. `None` without both classes.
fn auc_of_ascending_groups(groups: impl Iterator<Item = (u64, u64)> + Clone) -> Option<f64> {
    let (pos, neg): (u64, u64) = groups.clone().fold((0, 0), |(p, n), g| (p + g.0, n + g.1));
    if pos == 0 || neg == 0 {
        return None;
    }
    // Twice the area: 2 * pos * negatives below + pos * negatives tied.
    let (mut twice_area, mut neg_below) = (0u128, 0u128);
    for (p, n) in groups {
        twice_area += 2 * u128::from(p) * neg_below + u128::from(p) * u128::from(n);
        neg_below += u128::from(n);
    }
    Some(twice_area as f64 / (2 * u128::from(pos) * u128::from(neg)) as f64)
}

/// Exact AUC of observations kept as a list: the same result as [`AucCounter`], for a score
/// with about as many distinct values as observations (a model's PD). There a list costs 9 to
/// 16 bytes per observation and an append, where the counter's hash map costs about twice the
/// memory and a random access per observation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AucList {
    observations: Vec<(f64, bool)>,
}

impl AucList {
    /// No observations.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one observation (`NaN` scores are not counted).
    pub fn add(&mut self, score: f64, positive: bool) {
        if !score.is_nan() {
            // +0.0 and -0.0 are one score.
            self.observations.push((score + 0.0, positive));
        }
    }

    /// Observations counted.
    pub fn len(&self) -> usize {
        self.observations.len()
    }

    /// Whether nothing was counted.
    pub fn is_empty(&self) -> bool {
        self.observations.is_empty()
    }

    /// The AUC, `None` without both classes (sorts the observations in place).
    pub fn auc(&mut self) -> Option<f64> {
        self.observations
            .par_sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        let o = &self.observations;
        let groups = o.chunk_by(|a, b| a.0 == b.0).map(|g| {
            let p = g.iter().filter(|x| x.1).count() as u64;
            (p, g.len() as u64 - p)
        });
        auc_of_ascending_groups(groups)
    }
}

/// The ROC curve: `(false positive rate, true positive rate)` from (0, 0) to (1, 1), one point
/// per distinct score (highest first), thinned to at most `max_points` points (the first and
/// last kept). Empty without both classes.
pub fn roc_curve(scores: &[f64], target: &[u8], max_points: usize) -> Vec<(f64, f64)> {
    roc_of_groups(&tie_groups(scores, target), max_points)
}

fn roc_of_groups(groups: &[(f64, f64, f64)], max_points: usize) -> Vec<(f64, f64)> {
    let pos: f64 = groups.iter().map(|g| g.1).sum();
    let neg: f64 = groups.iter().map(|g| g.2).sum();
    if pos == 0.0 || neg == 0.0 {
        return Vec::new();
    }
    let mut points = Vec::with_capacity(groups.len() + 1);
    points.push((0.0, 0.0));
    let (mut tp, mut fp) = (0.0, 0.0);
    for &(_, p, n) in groups {
        tp += p;
        fp += n;
        points.push((fp / neg, tp / pos));
    }
    let max_points = max_points.max(2);
    if points.len() <= max_points {
        return points;
    }
    let last = points.len() - 1;
    (0..max_points)
        .map(|k| points[k * last / (max_points - 1)])
        .collect()
}

/// Kolmogorov-Smirnov statistic.
pub fn ks(scores: &[f64], target: &[u8]) -> f64 {
    auc_ks(scores, target).1
}

/// Brier score.
pub fn brier(pd: &[f64], target: &[u8]) -> f64 {
    let n = pd.len().max(1) as f64;
    pd.iter()
        .zip(target)
        .map(|(p, &t)| (p - f64::from(t)).powi(2))
        .sum::<f64>()
        / n
}

/// Log loss with probabilities clipped to [1e-15, 1 - 1e-15].
pub fn log_loss(pd: &[f64], target: &[u8]) -> f64 {
    let n = pd.len().max(1) as f64;
    pd.iter()
        .zip(target)
        .map(|(p, &t)| {
            let p = p.clamp(1e-15, 1.0 - 1e-15);
            if t == 1 { -p.ln() } else { -(1.0 - p).ln() }
        })
        .sum::<f64>()
        / n
}

/// Every headline metric.
pub fn evaluate(pd: &[f64], target: &[u8]) -> Metrics {
    let (auc, ks) = auc_ks(pd, target);
    Metrics {
        rows: pd.len(),
        positive_rate: target.iter().map(|&t| f64::from(t)).sum::<f64>() / pd.len().max(1) as f64,
        auc,
        ks,
        gini: 2.0 * auc - 1.0,
        brier: brier(pd, target),
        log_loss: log_loss(pd, target),
    }
}

/// One band of a calibration table.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CalibrationBand {
    /// Rows in the band.
    pub rows: usize,
    /// Lowest predicted PD in the band.
    pub pd_min: f64,
    /// Highest predicted PD in the band.
    pub pd_max: f64,
    /// Mean predicted PD.
    pub mean_pd: f64,
    /// Observed share of positives.
    pub observed: f64,
}

/// Calibration table: rows sorted by PD and cut into `bands` bands of equal size.
pub fn calibration_table(pd: &[f64], target: &[u8], bands: usize) -> Vec<CalibrationBand> {
    let mut order: Vec<usize> = (0..pd.len()).collect();
    order.sort_unstable_by(|&a, &b| pd[a].total_cmp(&pd[b]));
    let bands = bands.clamp(1, pd.len().max(1));
    (0..bands)
        .filter_map(|b| {
            let lo = b * pd.len() / bands;
            let hi = (b + 1) * pd.len() / bands;
            let rows = &order[lo..hi];
            if rows.is_empty() {
                return None;
            }
            let n = rows.len() as f64;
            Some(CalibrationBand {
                rows: rows.len(),
                pd_min: pd[rows[0]],
                pd_max: pd[rows[rows.len() - 1]],
                mean_pd: rows.iter().map(|&i| pd[i]).sum::<f64>() / n,
                observed: rows.iter().map(|&i| f64::from(target[i])).sum::<f64>() / n,
            })
        })
        .collect()
}

/// [`calibration_table`] from counts: `(pd, rows, positives, sum of the rows' PDs)` per distinct
/// (or grid-rounded) PD, in any order. Bands cut the rows in PD order at the same positions as
/// [`calibration_table`]; a group of equal PDs that straddles a cut is split between the two
/// bands in proportion (its positives too), where the row version splits it in sort order.
pub fn calibration_of_counts(
    counts: impl IntoIterator<Item = (f64, u64, u64, f64)>,
    bands: usize,
) -> Vec<CalibrationBand> {
    let mut groups: Vec<(f64, u64, u64, f64)> = counts.into_iter().filter(|g| g.1 > 0).collect();
    groups.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    calibration_of_ascending_counts(groups.into_iter(), bands)
}

/// [`calibration_of_counts`] from counts already in ascending PD order (each PD once): two
/// passes over the iterator and no allocation but the bands.
pub fn calibration_of_ascending_counts<I>(counts: I, bands: usize) -> Vec<CalibrationBand>
where
    I: Iterator<Item = (f64, u64, u64, f64)> + Clone,
{
    let n: u64 = counts.clone().map(|g| g.1).sum();
    if n == 0 {
        return Vec::new();
    }
    let mut groups = counts.filter(|g| g.1 > 0);
    let mut current = groups.next();
    let bands = (bands as u64).clamp(1, n);
    let mut out = Vec::new();
    let mut used = 0u64; // rows of the current group already in a band
    for b in 0..bands {
        let (lo, hi) = (b * n / bands, (b + 1) * n / bands);
        let mut need = hi - lo;
        if need == 0 {
            continue;
        }
        let rows = need;
        let (mut pd_sum, mut positives) = (0.0f64, 0.0f64);
        let (mut pd_min, mut pd_max) = (f64::NAN, f64::NAN);
        while need > 0 {
            let Some((pd, count, pos, sum)) = current else {
                break;
            };
            let take = need.min(count - used);
            let part = take as f64 / count as f64;
            pd_sum += sum * part;
            positives += pos as f64 * part;
            if pd_min.is_nan() {
                pd_min = pd;
            }
            pd_max = pd;
            need -= take;
            used += take;
            if used == count {
                current = groups.next();
                used = 0;
            }
        }
        let rows_f = rows as f64;
        out.push(CalibrationBand {
            rows: usize::try_from(rows).unwrap_or(usize::MAX),
            pd_min,
            pd_max,
            mean_pd: pd_sum / rows_f,
            observed: positives / rows_f,
        });
    }
    out
}

/// The distribution of a reference sample (a model's training PDs, say), kept to measure the
/// population stability index of later samples against it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PsiReference {
    /// Cut points: the reference's quantiles (duplicates removed).
    pub edges: Vec<f64>,
    /// Share of the reference in each of the `edges.len() + 1` bins (floored at 1e-4).
    pub shares: Vec<f64>,
}

impl PsiReference {
    /// Cuts `expected` into `bins` bins at its quantiles.
    pub fn fit(expected: &[f64], bins: usize) -> Self {
        let mut sorted: Vec<f64> = expected.iter().copied().filter(|v| !v.is_nan()).collect();
        sorted.sort_unstable_by(f64::total_cmp);
        let bins = bins.max(2);
        let mut edges: Vec<f64> = if sorted.is_empty() {
            Vec::new()
        } else {
            (1..bins)
                .map(|b| sorted[(b * sorted.len() / bins).min(sorted.len() - 1)])
                .collect()
        };
        edges.dedup();
        let shares = Self::shares_of(&edges, expected);
        Self { edges, shares }
    }

    /// [`PsiReference::fit`] from counts: `(value, rows)` per distinct value, in any order;
    /// the same edges and shares as on the rows the counts stand for.
    pub fn fit_counts(counts: &[(f64, u64)], bins: usize) -> Self {
        let mut sorted: Vec<(f64, u64)> = counts
            .iter()
            .copied()
            .filter(|(v, c)| !v.is_nan() && *c > 0)
            .collect();
        sorted.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        let n: u64 = sorted.iter().map(|g| g.1).sum();
        let bins = bins.max(2) as u64;
        // The value at 0-based position `k` of the sorted rows.
        let at = |k: u64| -> f64 {
            let mut seen = 0u64;
            for &(v, c) in &sorted {
                seen += c;
                if k < seen {
                    return v;
                }
            }
            sorted.last().map_or(f64::NAN, |g| g.0)
        };
        let mut edges: Vec<f64> = if n == 0 {
            Vec::new()
        } else {
            (1..bins).map(|b| at((b * n / bins).min(n - 1))).collect()
        };
        edges.dedup();
        let shares = Self::shares_of_counts(&edges, sorted.iter().copied());
        Self { edges, shares }
    }

    /// Share of `(value, rows)` in each bin cut at `edges` (floored at 1e-4; NaN left out).
    fn shares_of_counts(edges: &[f64], counts: impl Iterator<Item = (f64, u64)>) -> Vec<f64> {
        let mut per_bin = vec![0u64; edges.len() + 1];
        for (v, c) in counts.filter(|(v, _)| !v.is_nan()) {
            per_bin[edges.partition_point(|e| *e < v)] += c;
        }
        let n = per_bin.iter().sum::<u64>().max(1) as f64;
        per_bin.iter().map(|&c| (c as f64 / n).max(1e-4)).collect()
    }

    fn shares_of(edges: &[f64], values: &[f64]) -> Vec<f64> {
        Self::shares_of_counts(edges, values.iter().map(|&v| (v, 1)))
    }

    /// PSI of the bin shares `actual` against the reference's.
    fn psi_of_shares(&self, actual: &[f64]) -> f64 {
        self.shares
            .iter()
            .zip(actual)
            .map(|(e, a)| (a - e) * (a / e).ln())
            .sum()
    }

    /// [`PsiReference::psi`] from counts: `(value, rows)` per distinct value.
    pub fn psi_counts(&self, counts: &[(f64, u64)]) -> f64 {
        if counts.iter().all(|g| g.1 == 0) {
            return f64::NAN;
        }
        self.psi_of_shares(&Self::shares_of_counts(&self.edges, counts.iter().copied()))
    }

    /// Population stability index of `actual` against the reference: the sum over bins of
    /// (actual share - reference share) * ln(actual share / reference share).
    pub fn psi(&self, actual: &[f64]) -> f64 {
        if actual.is_empty() {
            return f64::NAN;
        }
        self.psi_of_shares(&Self::shares_of(&self.edges, actual))
    }
}

/// Population stability index of `actual` against `expected`, over `bins` bins cut at the
/// quantiles of `expected` (shares floored at 1e-4 so empty bins stay finite).
pub fn psi(expected: &[f64], actual: &[f64], bins: usize) -> f64 {
    if expected.is_empty() {
        return f64::NAN;
    }
    PsiReference::fit(expected, bins).psi(actual)
}

/// A share `k / n` with its Wilson score interval at 95% (Wilson 1927; Brown, Cai and
/// DasGupta 2001 recommend it over the normal interval for small `n` and shares near 0 or 1).
/// `None` when `n` is 0: a share of nothing is undefined, not 0 or 1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Share {
    /// `k / n`.
    pub value: f64,
    /// Lower end of the 95% interval.
    pub low: f64,
    /// Upper end of the 95% interval.
    pub high: f64,
    /// The count `n` the share is of.
    pub of: usize,
}

/// z of a two-sided 95% interval.
const Z95: f64 = 1.959_963_984_540_054;

/// `k` of `n` as a [`Share`] with its Wilson interval; `None` when `n` is 0.
pub fn wilson(k: usize, n: usize) -> Option<Share> {
    if n == 0 {
        return None;
    }
    let (k, nf) = (k.min(n) as f64, n as f64);
    let p = k / nf;
    let z2 = Z95 * Z95;
    let centre = (p + z2 / (2.0 * nf)) / (1.0 + z2 / nf);
    let half = Z95 / (1.0 + z2 / nf) * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt();
    // At 0 of n and n of n the interval touches the bound exactly (not 1e-16 inside it).
    Some(Share {
        value: p,
        low: if k == 0.0 {
            0.0
        } else {
            (centre - half).max(0.0)
        },
        high: if k == nf {
            1.0
        } else {
            (centre + half).min(1.0)
        },
        of: n,
    })
}

/// An AUC with its 95% interval from the Hanley and McNeil (1982) standard error, for
/// `positives` and `negatives` scored rows; `None` when either is 0 (the AUC is undefined).
pub fn auc_interval(auc: f64, positives: usize, negatives: usize) -> Option<(f64, f64)> {
    if positives == 0 || negatives == 0 || !auc.is_finite() {
        return None;
    }
    let (n1, n2) = (positives as f64, negatives as f64);
    let q1 = auc / (2.0 - auc);
    let q2 = 2.0 * auc * auc / (1.0 + auc);
    let var = (auc * (1.0 - auc) + (n1 - 1.0) * (q1 - auc * auc) + (n2 - 1.0) * (q2 - auc * auc))
        / (n1 * n2);
    let se = var.max(0.0).sqrt();
    Some(((auc - Z95 * se).max(0.0), (auc + Z95 * se).min(1.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_share_of_nothing_is_undefined_and_intervals_match_published_values() {
        assert_eq!(wilson(0, 0), None);
        // Brown, Cai and DasGupta (2001): 0 of 10 -> [0, 0.278]; 5 of 10 -> [0.237, 0.763].
        let zero = wilson(0, 10).unwrap();
        assert_eq!((zero.value, zero.low), (0.0, 0.0));
        assert!((zero.high - 0.2775).abs() < 1e-3, "{zero:?}");
        let half = wilson(5, 10).unwrap();
        assert!((half.low - 0.2366).abs() < 1e-3 && (half.high - 0.7634).abs() < 1e-3);
        let all = wilson(10, 10).unwrap();
        assert!(
            all.high == 1.0 && (all.low - 0.7225).abs() < 1e-3,
            "{all:?}"
        );
        // Hanley and McNeil (1982), table 3: AUC 0.9 with 50 and 50 cases, SE about 0.0304.
        let (lo, hi) = auc_interval(0.9, 50, 50).unwrap();
        assert!(((hi - lo) / (2.0 * Z95) - 0.0304).abs() < 2e-3, "{lo} {hi}");
        assert_eq!(auc_interval(0.7, 0, 10), None);
    }
    use proptest::prelude::*;

    #[test]
    fn known_values() {
        // sklearn: roc_auc_score([0,0,1,1],[0.1,0.4,0.35,0.8]) = 0.75
        let t = [0, 0, 1, 1];
        let s = [0.1, 0.4, 0.35, 0.8];
        assert!((auc(&s, &t) - 0.75).abs() < 1e-12);
        assert!((ks(&s, &t) - 0.5).abs() < 1e-12);
        // Ties count half.
        assert!((auc(&[0.5, 0.5], &[0, 1]) - 0.5).abs() < 1e-12);
        // brier_score_loss([0,1,1,0],[0.1,0.9,0.8,0.3]) = 0.0375
        assert!((brier(&[0.1, 0.9, 0.8, 0.3], &[0, 1, 1, 0]) - 0.0375).abs() < 1e-12);
        // log_loss([0,1],[0.2,0.7]) = (-(ln 0.8) - ln 0.7)/2
        let ll = log_loss(&[0.2, 0.7], &[0, 1]);
        assert!((ll - (-(0.8f64.ln()) - 0.7f64.ln()) / 2.0).abs() < 1e-12);
        assert!(psi(&[0.1, 0.2, 0.3, 0.4], &[0.1, 0.2, 0.3, 0.4], 4).abs() < 1e-12);
        assert!(psi(&[0.1, 0.2, 0.3, 0.4], &[0.9, 0.9, 0.9, 0.9], 4) > 1.0);
        let table = calibration_table(&[0.1, 0.2, 0.8, 0.9], &[0, 0, 1, 1], 2);
        assert_eq!(table.len(), 2);
        assert_eq!(table[1].observed, 1.0);
    }

    proptest! {
        #[test]
        fn auc_matches_pair_counting(scores in proptest::collection::vec(0u8..6, 2..60), seed in 0u64..1000) {
            let target: Vec<u8> = scores.iter().enumerate().map(|(i, _)| u8::from((i as u64 * 7 + seed).is_multiple_of(3))).collect();
            let s: Vec<f64> = scores.iter().map(|&v| f64::from(v)).collect();
            let (mut num, mut den) = (0.0, 0.0);
            for i in 0..s.len() { for j in 0..s.len() {
                if target[i] == 1 && target[j] == 0 {
                    den += 1.0;
                    num += if s[i] > s[j] { 1.0 } else if s[i] == s[j] { 0.5 } else { 0.0 };
                }
            }}
            let a = auc(&s, &target);
            if den == 0.0 { prop_assert!(a.is_nan()); } else { prop_assert!((a - num / den).abs() < 1e-9); }
        }
    }
    #[test]
    fn auc_counter_agrees_with_the_sorted_auc() {
        let mut x = 7u64;
        let mut next = || {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            x >> 33
        };
        let scores: Vec<f64> = (0..5_000).map(|_| (next() % 300) as f64 / 3.0).collect();
        let target: Vec<u8> = scores
            .iter()
            .map(|s| u8::from(((next() % 100) as f64) < *s))
            .collect();
        let mut counter = AucCounter::new();
        let mut reversed = AucCounter::new();
        for (s, t) in scores.iter().zip(&target) {
            counter.add(*s, *t == 1);
        }
        for (s, t) in scores.iter().zip(&target).rev() {
            reversed.add(*s, *t == 1);
        }
        let exact = counter.auc().unwrap();
        assert!((exact - auc(&scores, &target)).abs() < 1e-12);
        assert_eq!(exact, reversed.auc().unwrap());
        assert_eq!(counter.len(), 5_000);
        let roc = roc_curve(&scores, &target, 50);
        let (a, k, r) = auc_ks_roc(&scores, &target, 50);
        assert_eq!(
            (a, k, &r),
            (auc(&scores, &target), ks(&scores, &target), &roc)
        );
        assert_eq!(roc.first(), Some(&(0.0, 0.0)));
        assert_eq!(roc.last(), Some(&(1.0, 1.0)));
        assert!(roc.len() <= 50);
        assert!(roc.windows(2).all(|w| w[0].0 <= w[1].0 && w[0].1 <= w[1].1));
        let mut one_class = AucCounter::new();
        one_class.add(1.0, true);
        assert_eq!(one_class.auc(), None);
    }

    proptest! {
        #[test]
        fn the_list_gives_the_counter_s_auc_exactly(
            obs in proptest::collection::vec(
                (prop_oneof![(0u8..20).prop_map(|v| f64::from(v) / 4.0), any::<f64>(), Just(-0.0), Just(0.0)], any::<bool>()),
                0..300,
            )
        ) {
            let mut counter = AucCounter::new();
            let mut list = AucList::new();
            for &(score, positive) in &obs {
                counter.add(score, positive);
                list.add(score, positive);
            }
            prop_assert_eq!(counter.len(), list.len() as u64);
            prop_assert_eq!(counter.auc(), list.auc());
        }
    }

    proptest! {
        #[test]
        fn counts_give_the_figures_of_the_rows_they_stand_for(
            rows in proptest::collection::vec(((0u8..12).prop_map(|v| f64::from(v) / 8.0), any::<bool>()), 1..200),
            bins in 2usize..12,
        ) {
            let scores: Vec<f64> = rows.iter().map(|r| r.0).collect();
            let target: Vec<u8> = rows.iter().map(|r| u8::from(r.1)).collect();
            let mut counts: std::collections::BTreeMap<u64, (u64, u64)> = Default::default();
            for (s, t) in scores.iter().zip(&target) {
                let e = counts.entry(s.to_bits()).or_default();
                if *t == 1 { e.0 += 1 } else { e.1 += 1 }
            }
            let grouped: Vec<(f64, u64, u64)> =
                counts.iter().map(|(&b, &(p, n))| (f64::from_bits(b), p, n)).collect();
            let (a, k, r) = auc_ks_roc(&scores, &target, 50);
            let (ac, kc, rc) = auc_ks_roc_of_counts(grouped.iter().rev().copied(), 50);
            let (ad, kd, rd) = auc_ks_roc_of_descending_groups(grouped.iter().rev().copied(), 50);
            prop_assert!(ad == ac || (ad.is_nan() && ac.is_nan()));
            prop_assert!(kd == kc || (kd.is_nan() && kc.is_nan()));
            prop_assert_eq!(&rd, &rc);
            let (_, _, few) = auc_ks_roc_of_descending_groups(grouped.iter().rev().copied(), 3);
            let (_, _, few_rows) = auc_ks_roc(&scores, &target, 3);
            prop_assert_eq!(few, few_rows);
            prop_assert!(a == ac || (a.is_nan() && ac.is_nan()));
            prop_assert!(k == kc || (k.is_nan() && kc.is_nan()));
            prop_assert_eq!(r, rc);
            let values: Vec<(f64, u64)> = grouped.iter().map(|g| (g.0, g.1 + g.2)).collect();
            let reference = PsiReference::fit(&scores, bins);
            let from_counts = PsiReference::fit_counts(&values, bins);
            prop_assert_eq!(&reference, &from_counts);
            let half: Vec<f64> = scores.iter().step_by(2).copied().collect();
            let mut half_counts: std::collections::BTreeMap<u64, u64> = Default::default();
            for v in &half { *half_counts.entry(v.to_bits()).or_default() += 1; }
            let half_counts: Vec<(f64, u64)> = half_counts.iter().map(|(&b, &c)| (f64::from_bits(b), c)).collect();
            prop_assert!((reference.psi(&half) - from_counts.psi_counts(&half_counts)).abs() < 1e-12);
            // Calibration: the same bands when no group of equal PDs straddles a cut; the same
            // rows, mean PD and observed rate over all bands in any case.
            let calibration = calibration_table(&scores, &target, 4);
            let of_counts = calibration_of_counts(
                grouped.iter().map(|&(v, p, n)| (v, p + n, p, v * (p + n) as f64)),
                4,
            );
            prop_assert_eq!(calibration.len(), of_counts.len());
            for (x, y) in calibration.iter().zip(&of_counts) {
                prop_assert_eq!(x.rows, y.rows);
                prop_assert!((x.mean_pd - y.mean_pd).abs() < 1e-9 || x.pd_min != x.pd_max || y.pd_min != y.pd_max);
            }
            let total = |t: &[CalibrationBand]| t.iter().map(|b| b.observed * b.rows as f64).sum::<f64>();
            prop_assert!((total(&calibration) - total(&of_counts)).abs() < 1e-6);
            let pd_total = |t: &[CalibrationBand]| t.iter().map(|b| b.mean_pd * b.rows as f64).sum::<f64>();
            prop_assert!((pd_total(&calibration) - pd_total(&of_counts)).abs() < 1e-6);
        }
    }
}
