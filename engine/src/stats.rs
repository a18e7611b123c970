//! Small statistical functions the engine's tests of findings need (no I/O, no state).

/// Upper tail of the standard normal, `1 - Phi(z)` (Abramowitz and Stegun 7.1.26 on the
/// complementary error function: absolute error below 1.5e-7, and small tails keep their
/// relative precision).
pub fn normal_upper_tail(z: f64) -> f64 {
    let x = z.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let erfc = poly * (-x * x).exp();
    if z >= 0.0 {
        0.5 * erfc
    } else {
        1.0 - 0.5 * erfc
    }
}

/// The `z` with `normal_upper_tail(z) == p`, for `0 < p < 1` (bisection to 1e-10; `p` outside
/// gives an infinite `z`).
pub fn normal_upper_quantile(p: f64) -> f64 {
    if p.is_nan() || p <= 0.0 {
        return f64::INFINITY;
    }
    if p >= 1.0 {
        return f64::NEG_INFINITY;
    }
    let (mut lo, mut hi) = (-40.0f64, 40.0f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if normal_upper_tail(mid) > p {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo < 1e-10 {
            break;
        }
    }
    0.5 * (lo + hi)
}

/// The upper `p` quantile of the chi-square distribution with `k` degrees of freedom (the value
/// exceeded with probability `p`), by the Wilson-Hilferty approximation (relative error below
/// 1% for `k >= 3` at the usual levels).
pub fn chi_square_upper_quantile(k: f64, p: f64) -> f64 {
    if k <= 0.0 {
        return 0.0;
    }
    let z = normal_upper_quantile(p);
    let a = 2.0 / (9.0 * k);
    (k * (1.0 - a + z * a.sqrt()).powi(3)).max(0.0)
}

/// PSI of `actual` against `expected` counts over the same bins, each bin smoothed by half a
/// row (a bin empty on one side stays finite); `None` when either side is empty.
pub fn psi_of_counts(expected: &[u64], actual: &[u64]) -> Option<f64> {
    let (e_n, a_n) = (
        expected.iter().sum::<u64>() as f64,
        actual.iter().sum::<u64>() as f64,
    );
    if e_n <= 0.0 || a_n <= 0.0 {
        return None;
    }
    let bins = expected.len() as f64;
    Some(
        expected
            .iter()
            .zip(actual)
            .map(|(e, a)| {
                let pe = (*e as f64 + 0.5) / (e_n + 0.5 * bins);
                let pa = (*a as f64 + 0.5) / (a_n + 0.5 * bins);
                (pa - pe) * (pa / pe).ln()
            })
            .sum(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_tail_values() {
        assert!((normal_upper_tail(0.0) - 0.5).abs() < 2e-7);
        assert!((normal_upper_tail(1.959_964) - 0.025).abs() < 2e-7);
        assert!((normal_upper_tail(-1.959_964) - 0.975).abs() < 2e-7);
        // 1 - Phi(5) = 2.8665e-7: the relative error stays small in the tail.
        assert!((normal_upper_tail(5.0) / 2.866_515_7e-7 - 1.0).abs() < 0.01);
    }

    #[test]
    fn quantiles_invert_the_tails() {
        assert!((normal_upper_quantile(0.025) - 1.959_964).abs() < 1e-5);
        // Chi-square 99% points: 9 df 21.666, 3 df 11.345 (tables).
        assert!((chi_square_upper_quantile(9.0, 0.01) / 21.666 - 1.0).abs() < 0.01);
        assert!((chi_square_upper_quantile(3.0, 0.01) / 11.345 - 1.0).abs() < 0.01);
    }
}
