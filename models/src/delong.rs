//! Comparing two scores on the same rows: the difference of their AUCs with DeLong's variance
//! (DeLong, DeLong and Clarke-Pearson, Biometrics 44(3), 1988), computed with the midrank
//! algorithm of Sun and Xu (IEEE Signal Processing Letters 21(11), 2014) in O(n log n); and
//! the difference of their Brier scores with a paired normal interval; the difference of their
//! KS statistics with a paired percentile bootstrap.

use serde::Serialize;

/// 97.5% quantile of the standard normal.
const Z95: f64 = 1.959_963_984_540_054;

/// The difference of two AUCs on the same rows.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AucDifference {
    /// AUC of the first score.
    pub auc_a: f64,
    /// AUC of the second score.
    pub auc_b: f64,
    /// `auc_a - auc_b`.
    pub difference: f64,
    /// DeLong standard error of the difference.
    pub standard_error: f64,
    /// 95% interval of the difference.
    pub ci95: [f64; 2],
    /// z statistic (0 when the standard error is 0).
    pub z: f64,
    /// Two-sided p-value of "the AUCs are equal".
    pub p_value: f64,
}

/// Midranks (1-based, ties get their mean rank) of `values`.
fn midranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_unstable_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && values[order[j + 1]] == values[order[i]] {
            j += 1;
        }
        // Ranks i+1 ..= j+1 share their mean.
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            ranks[k] = rank;
        }
        i = j + 1;
    }
    ranks
}

/// DeLong's structural components of one score: `v10` per positive row, `v01` per negative
/// row (in row order within each class).
fn components(score: &[f64], target: &[u8]) -> (Vec<f64>, Vec<f64>) {
    let positives: Vec<f64> = score
        .iter()
        .zip(target)
        .filter(|(_, t)| **t == 1)
        .map(|(s, _)| *s)
        .collect();
    let negatives: Vec<f64> = score
        .iter()
        .zip(target)
        .filter(|(_, t)| **t != 1)
        .map(|(s, _)| *s)
        .collect();
    let (m, n) = (positives.len() as f64, negatives.len() as f64);
    let all: Vec<f64> = positives.iter().chain(&negatives).copied().collect();
    let tz = midranks(&all);
    let tx = midranks(&positives);
    let ty = midranks(&negatives);
    let v10 = (0..positives.len()).map(|i| (tz[i] - tx[i]) / n).collect();
    let v01 = (0..negatives.len())
        .map(|j| 1.0 - (tz[positives.len() + j] - ty[j]) / m)
        .collect();
    (v10, v01)
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// Sample covariance of two equally long series.
fn covariance(a: &[f64], b: &[f64]) -> f64 {
    let (ma, mb) = (mean(a), mean(b));
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - ma) * (y - mb))
        .sum::<f64>()
        / (a.len() as f64 - 1.0)
}

/// Standard normal CDF (the engine's Abramowitz and Stegun 7.1.26 tail).
fn normal_cdf(x: f64) -> f64 {
    1.0 - finrisk_engine::stats::normal_upper_tail(x)
}

/// The AUCs of `a` and `b` against `target` (1 positive, anything else negative) on the same
/// rows, and DeLong's test of their difference; `None` without at least two rows of each class
/// or when the lengths differ.
pub fn auc_difference(a: &[f64], b: &[f64], target: &[u8]) -> Option<AucDifference> {
    if a.len() != target.len() || b.len() != target.len() {
        return None;
    }
    let positives = target.iter().filter(|t| **t == 1).count();
    if positives < 2 || target.len() - positives < 2 {
        return None;
    }
    let (a10, a01) = components(a, target);
    let (b10, b01) = components(b, target);
    let (m, n) = (a10.len() as f64, a01.len() as f64);
    let (auc_a, auc_b) = (mean(&a10), mean(&b10));
    let s10 = covariance(&a10, &a10) + covariance(&b10, &b10) - 2.0 * covariance(&a10, &b10);
    let s01 = covariance(&a01, &a01) + covariance(&b01, &b01) - 2.0 * covariance(&a01, &b01);
    let variance = (s10 / m + s01 / n).max(0.0);
    let standard_error = variance.sqrt();
    let difference = auc_a - auc_b;
    let z = if standard_error > 0.0 {
        difference / standard_error
    } else {
        0.0
    };
    let p_value = if standard_error > 0.0 {
        2.0 * (1.0 - normal_cdf(z.abs()))
    } else if difference == 0.0 {
        1.0
    } else {
        0.0
    };
    Some(AucDifference {
        auc_a,
        auc_b,
        difference,
        standard_error,
        ci95: [
            difference - Z95 * standard_error,
            difference + Z95 * standard_error,
        ],
        z,
        p_value,
    })
}

/// The difference of two Brier scores on the same rows, with a 95% interval from the paired
/// per-row differences (normal approximation): `[difference, low, high]`; `None` with fewer
/// than two rows or different lengths.
pub fn brier_difference(a: &[f64], b: &[f64], target: &[u8]) -> Option<[f64; 3]> {
    if a.len() != target.len() || b.len() != target.len() || target.len() < 2 {
        return None;
    }
    let d: Vec<f64> = a
        .iter()
        .zip(b)
        .zip(target)
        .map(|((pa, pb), t)| {
            let y = f64::from(u8::from(*t == 1));
            (pa - y).powi(2) - (pb - y).powi(2)
        })
        .collect();
    let md = mean(&d);
    let se = (covariance(&d, &d) / d.len() as f64).max(0.0).sqrt();
    Some([md, md - Z95 * se, md + Z95 * se])
}

/// The difference of two KS statistics on the same rows, `ks(a) - ks(b)`, with a 95% paired
/// percentile bootstrap interval (`resamples` resamples of the rows, drawn from `seed` with
/// SplitMix64, so the same inputs give the same interval): `[difference, low, high]`; `None`
/// with different lengths or fewer than two rows of a class.
pub fn ks_difference(
    a: &[f64],
    b: &[f64],
    target: &[u8],
    resamples: usize,
    seed: u64,
) -> Option<[f64; 3]> {
    if a.len() != target.len() || b.len() != target.len() {
        return None;
    }
    let positives = target.iter().filter(|t| **t == 1).count();
    if positives < 2 || target.len() - positives < 2 || resamples == 0 {
        return None;
    }
    let ks = crate::metrics::ks;
    let difference = ks(a, target) - ks(b, target);
    let mut state = seed;
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let n = target.len();
    let (mut ra, mut rb, mut rt) = (vec![0.0; n], vec![0.0; n], vec![0u8; n]);
    let mut diffs = Vec::with_capacity(resamples);
    for _ in 0..resamples {
        for k in 0..n {
            // Row counts are far below 2^64: the modulo bias is negligible.
            let i = usize::try_from(next() % n as u64).unwrap_or(0);
            ra[k] = a[i];
            rb[k] = b[i];
            rt[k] = target[i];
        }
        diffs.push(ks(&ra, &rt) - ks(&rb, &rt));
    }
    diffs.sort_unstable_by(f64::total_cmp);
    // The q-th quantile (q in thousandths) at the nearest rank.
    let at = |per_mille: usize| diffs[(per_mille * (diffs.len() - 1) + 500) / 1000];
    Some([difference, at(25), at(975)])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// DeLong's components from their definition: O(m n) comparisons.
    fn components_by_definition(score: &[f64], target: &[u8]) -> (Vec<f64>, Vec<f64>) {
        let pos: Vec<f64> = (0..score.len())
            .filter(|&i| target[i] == 1)
            .map(|i| score[i])
            .collect();
        let neg: Vec<f64> = (0..score.len())
            .filter(|&i| target[i] != 1)
            .map(|i| score[i])
            .collect();
        let psi = |x: f64, y: f64| {
            if x > y {
                1.0
            } else if x == y {
                0.5
            } else {
                0.0
            }
        };
        let v10 = pos
            .iter()
            .map(|&x| neg.iter().map(|&y| psi(x, y)).sum::<f64>() / neg.len() as f64)
            .collect();
        let v01 = neg
            .iter()
            .map(|&y| pos.iter().map(|&x| psi(x, y)).sum::<f64>() / pos.len() as f64)
            .collect();
        (v10, v01)
    }

    fn sample(seed: u64, n: usize) -> (Vec<f64>, Vec<f64>, Vec<u8>) {
        let mut x = seed;
        let mut next = || {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (x >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut a = Vec::new();
        let mut b = Vec::new();
        let mut t = Vec::new();
        for _ in 0..n {
            let y = u8::from(next() < 0.3);
            let signal = f64::from(y);
            // Rounded to two decimals: many ties, which the midranks must handle.
            a.push(((0.6 * signal + next()) * 100.0).round() / 100.0);
            b.push(((0.2 * signal + next()) * 10.0).round() / 10.0);
            t.push(y);
        }
        (a, b, t)
    }

    #[test]
    fn midrank_components_equal_the_definition_with_ties() {
        for seed in 1..6 {
            let (a, _, t) = sample(seed, 300);
            let (fast10, fast01) = components(&a, &t);
            let (def10, def01) = components_by_definition(&a, &t);
            for (x, y) in fast10.iter().zip(&def10).chain(fast01.iter().zip(&def01)) {
                assert!((x - y).abs() < 1e-12, "{x} {y}");
            }
            let d = auc_difference(&a, &a, &t).unwrap();
            assert!((d.auc_a - crate::metrics::auc(&a, &t)).abs() < 1e-12);
            assert_eq!((d.difference, d.standard_error, d.p_value), (0.0, 0.0, 1.0));
        }
    }

    #[test]
    fn a_stronger_score_wins_and_the_interval_covers_the_difference() {
        let (a, b, t) = sample(7, 2_000);
        let d = auc_difference(&a, &b, &t).unwrap();
        assert!(d.auc_a > d.auc_b);
        assert!(d.ci95[0] > 0.0 && d.p_value < 1e-6, "{d:?}");
        assert!(d.ci95[0] < d.difference && d.difference < d.ci95[1]);
        // Swapping the scores flips the sign, not the error.
        let r = auc_difference(&b, &a, &t).unwrap();
        assert!((r.difference + d.difference).abs() < 1e-12);
        assert!((r.standard_error - d.standard_error).abs() < 1e-12);
        assert!(auc_difference(&a, &b, &t[..10]).is_none());
        assert!(auc_difference(&a[..3], &b[..3], &[1, 0, 0]).is_none());
        let brier = brier_difference(&a, &a, &t).unwrap();
        assert_eq!(brier, [0.0, 0.0, 0.0]);
        let ks = ks_difference(&a, &b, &t, 200, 1).unwrap();
        assert!(
            ks[0] > 0.0 && ks[1] > 0.0 && ks[1] <= ks[0] && ks[0] <= ks[2],
            "{ks:?}"
        );
        assert_eq!(
            ks_difference(&a, &b, &t, 200, 1),
            Some(ks),
            "same seed, same interval"
        );
    }

    #[test]
    fn the_normal_cdf_matches_published_values() {
        for (x, p) in [
            (0.0, 0.5),
            (1.959_964, 0.975),
            (-1.0, 0.158_655_3),
            (3.0, 0.998_650_1),
        ] {
            assert!((normal_cdf(x) - p).abs() < 2e-7, "{x}: {}", normal_cdf(x));
        }
    }
}
