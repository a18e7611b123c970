//! Internal rate of return: bracketed root finding on the net present value of cash flows.
//!
//! The solver follows domain.md section 7.2: it looks for a sign change of the NPV on
//! r in (-0.9999, 10), starting at 0 and stepping outwards so that the root nearest zero is
//! found first, then polishes it with Brent's method (bisection fallback) to 1e-13. If the
//! NPV never changes sign (nothing received, nothing repaid) it returns an error, never NaN.

use crate::date::Date;

/// Why an IRR could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum IrrError {
    /// Fewer than two cash flows.
    #[error("at least two cash flows are needed, got {count}")]
    TooFewFlows {
        /// Number of flows given.
        count: usize,
    },
    /// A flow or time is NaN or infinite.
    #[error("cash flow {index} is not a finite number")]
    NonFinite {
        /// Index of the offending flow.
        index: usize,
    },
    /// The NPV has the same sign over the whole bracket: the flows never change sign or
    /// cannot be balanced by any rate in the interval.
    #[error(
        "the cash flows have no internal rate of return in ({lo}, {hi}): the net present value never changes sign"
    )]
    NoSignChange {
        /// Lower end of the bracket searched.
        lo: f64,
        /// Upper end of the bracket searched.
        hi: f64,
    },
}

/// Lowest periodic rate searched.
pub const RATE_LO: f64 = -0.9999;
/// Highest periodic rate searched for periodic flows (domain.md 7.2).
pub const RATE_HI: f64 = 10.0;
/// Highest annual rate searched by [`xirr`]: payday-style loans exceed 1,000% a year.
pub const XIRR_HI: f64 = 1e6;

const GRID_UP: [f64; 16] = [
    0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 100.0, 1e3, 1e4, 1e6,
];
const GRID_DOWN: [f64; 10] = [
    -0.001, -0.01, -0.05, -0.1, -0.2, -0.5, -0.9, -0.99, -0.999, -0.9999,
];

/// Net present value of equally spaced flows (`amounts[k]` at period `k`) at rate `r`,
/// by Horner's rule in the discount factor.
pub fn npv_periodic(r: f64, amounts: &[f64]) -> f64 {
    let v = 1.0 / (1.0 + r);
    amounts.iter().rev().fold(0.0, |acc, a| acc * v + a)
}

/// Net present value of flows at times `t` (in periods or years) at rate `r`.
pub fn npv_timed(r: f64, flows: &[(f64, f64)]) -> f64 {
    let ln = (1.0 + r).ln();
    flows.iter().map(|(t, a)| a * (-t * ln).exp()).sum()
}

/// Periodic IRR of equally spaced flows: `amounts[0]` now, `amounts[k]` after k periods.
pub fn irr_periodic(amounts: &[f64]) -> Result<f64, IrrError> {
    if amounts.len() < 2 {
        return Err(IrrError::TooFewFlows {
            count: amounts.len(),
        });
    }
    if let Some(index) = amounts.iter().position(|a| !a.is_finite()) {
        return Err(IrrError::NonFinite { index });
    }
    solve(|r| npv_periodic(r, amounts), RATE_HI)
}

/// IRR of flows `(t, amount)` at arbitrary times in periods.
pub fn irr_timed(flows: &[(f64, f64)]) -> Result<f64, IrrError> {
    check(flows)?;
    solve(|r| npv_timed(r, flows), RATE_HI)
}

/// XIRR: the effective annual rate of dated flows, with time in years of 365 days
/// (actual/365 fixed) from the first date.
pub fn xirr(flows: &[(Date, f64)]) -> Result<f64, IrrError> {
    let Some(start) = flows.iter().map(|(d, _)| *d).min() else {
        return Err(IrrError::TooFewFlows { count: 0 });
    };
    let timed: Vec<(f64, f64)> = flows
        .iter()
        .map(|(d, a)| (f64::from(start.days_until(*d)) / 365.0, *a))
        .collect();
    check(&timed)?;
    solve(|r| npv_timed(r, &timed), XIRR_HI)
}

fn check(flows: &[(f64, f64)]) -> Result<(), IrrError> {
    if flows.len() < 2 {
        return Err(IrrError::TooFewFlows { count: flows.len() });
    }
    match flows
        .iter()
        .position(|(t, a)| !t.is_finite() || !a.is_finite())
    {
        Some(index) => Err(IrrError::NonFinite { index }),
        None => Ok(()),
    }
}

/// What stepping out from zero along a grid found.
enum Scan {
    /// The NPV is exactly zero at this rate.
    Root(f64),
    /// The NPV changes sign between these two rates (`(rate, npv)` pairs, in grid order).
    Bracket((f64, f64), (f64, f64)),
    /// No sign change before the grid ended or the NPV stopped being finite.
    Nothing,
}

/// Steps from `(0, f0)` along `grid` until the NPV changes sign.
fn scan(f: &impl Fn(f64) -> f64, f0: f64, grid: impl Iterator<Item = f64>) -> Scan {
    let mut prev = (0.0, f0);
    for b in grid {
        let fb = f(b);
        if !fb.is_finite() {
            break;
        }
        if fb == 0.0 {
            return Scan::Root(b);
        }
        if (prev.1 < 0.0) != (fb < 0.0) {
            return Scan::Bracket(prev, (b, fb));
        }
        prev = (b, fb);
    }
    Scan::Nothing
}

/// Finds the root of `f` nearest zero in (RATE_LO, hi): upwards first, then downwards.
fn solve(f: impl Fn(f64) -> f64, hi: f64) -> Result<f64, IrrError> {
    let f0 = f(0.0);
    if f0 == 0.0 {
        return Ok(0.0);
    }
    match scan(&f, f0, GRID_UP.iter().copied().filter(|&b| b <= hi)) {
        Scan::Root(r) => return Ok(r),
        Scan::Bracket((a, fa), (b, fb)) => return Ok(brent(&f, a, fa, b, fb)),
        Scan::Nothing => {}
    }
    match scan(&f, f0, GRID_DOWN.iter().copied()) {
        Scan::Root(r) => Ok(r),
        Scan::Bracket((a, fa), (b, fb)) => Ok(brent(&f, b, fb, a, fa)),
        Scan::Nothing => Err(IrrError::NoSignChange { lo: RATE_LO, hi }),
    }
}

/// Brent's method on a bracket with `f(a)` and `f(b)` of opposite signs.
fn brent(f: &impl Fn(f64) -> f64, a: f64, fa: f64, b: f64, fb: f64) -> f64 {
    const TOL: f64 = 1e-15;
    let (mut a, mut fa, mut b, mut fb) = (a, fa, b, fb);
    if fa.abs() < fb.abs() {
        std::mem::swap(&mut a, &mut b);
        std::mem::swap(&mut fa, &mut fb);
    }
    let (mut c, mut fc) = (a, fa);
    let mut d = b - a;
    let mut bisected = true;
    for _ in 0..200 {
        if fb == 0.0 || (b - a).abs() <= TOL * (1.0 + b.abs()) {
            return b;
        }
        let mut s = if fa != fc && fb != fc {
            // inverse quadratic interpolation
            a * fb * fc / ((fa - fb) * (fa - fc))
                + b * fa * fc / ((fb - fa) * (fb - fc))
                + c * fa * fb / ((fc - fa) * (fc - fb))
        } else {
            b - fb * (b - a) / (fb - fa)
        };
        let lo = (3.0 * a + b) / 4.0;
        let between = if lo < b {
            s > lo && s < b
        } else {
            s > b && s < lo
        };
        let use_bisection = !between
            || !s.is_finite()
            || (bisected && (s - b).abs() >= (b - c).abs() / 2.0)
            || (!bisected && (s - b).abs() >= (c - d).abs() / 2.0)
            || (bisected && (b - c).abs() < TOL)
            || (!bisected && (c - d).abs() < TOL);
        if use_bisection {
            s = (a + b) / 2.0;
        }
        bisected = use_bisection;
        let fs = f(s);
        d = c;
        (c, fc) = (b, fb);
        if (fa < 0.0) != (fs < 0.0) {
            (b, fb) = (s, fs);
        } else {
            (a, fa) = (s, fs);
        }
        if fa.abs() < fb.abs() {
            std::mem::swap(&mut a, &mut b);
            std::mem::swap(&mut fa, &mut fb);
        }
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn level(received: f64, payment: f64, n: usize) -> Vec<f64> {
        let mut v = vec![received];
        v.extend(std::iter::repeat_n(-payment, n));
        v
    }

    #[test]
    fn tv1_pboc_annex_example() {
        let r = irr_periodic(&level(99_000.0, 8_833.3, 12)).unwrap();
        assert!((r - 0.010_669_83).abs() < 5e-9, "{r}");
        assert!((r * 12.0 - 0.128_038).abs() < 5e-6);
        assert!(((1.0 + r).powi(12) - 1.0 - 0.135_826).abs() < 5e-6);
        let no_fee = irr_periodic(&level(100_000.0, 8_833.3, 12)).unwrap();
        assert!((no_fee - 0.009_079_72).abs() < 5e-9, "{no_fee}");
    }

    #[test]
    fn no_sign_change_is_an_error_not_nan() {
        assert!(matches!(
            irr_periodic(&[100.0, 10.0, 10.0]),
            Err(IrrError::NoSignChange { .. })
        ));
        assert!(matches!(
            irr_periodic(&[-100.0]),
            Err(IrrError::TooFewFlows { count: 1 })
        ));
        assert!(matches!(
            irr_periodic(&[100.0, f64::NAN]),
            Err(IrrError::NonFinite { .. })
        ));
    }

    #[test]
    fn repaying_less_than_received_gives_a_negative_rate() {
        let r = irr_periodic(&[100.0, -90.0]).unwrap();
        assert!((r + 0.1).abs() < 1e-12, "{r}");
    }

    #[test]
    fn tv9_xirr_act365() {
        let d = |s| Date::parse(s).unwrap();
        let flows = [
            (d("2024-01-01"), 10_000.0),
            (d("2024-04-01"), -5_300.0),
            (d("2024-07-01"), -5_300.0),
        ];
        let r = xirr(&flows).unwrap();
        assert!((r - 0.169_198).abs() < 5e-6, "{r}");
        let quarterly = irr_periodic(&[10_000.0, -5_300.0, -5_300.0]).unwrap();
        assert!((quarterly - 0.039_741_89).abs() < 5e-9, "{quarterly}");
        assert!(((1.0 + quarterly).powi(4) - 1.0 - 0.168_698).abs() < 5e-6);
    }

    #[test]
    fn tv14_bnpl_pay_in_four() {
        let r = irr_periodic(&[725.0, -250.0, -250.0, -250.0]).unwrap();
        assert!((r - 0.017_144_24).abs() < 5e-9, "{r}");
        assert!((r * 26.0 - 0.445_750).abs() < 5e-6);
        assert!(((1.0 + r).powi(26) - 1.0 - 0.555_773).abs() < 5e-6);
    }

    #[test]
    fn xirr_handles_payday_rates_above_1000_percent() {
        let d = |s| Date::parse(s).unwrap();
        let r = xirr(&[(d("2024-01-01"), 200.0), (d("2024-01-31"), -248.0)]).unwrap();
        let expected = (248.0f64 / 200.0).powf(365.0 / 30.0) - 1.0;
        assert!((r - expected).abs() / expected < 1e-9, "{r} vs {expected}");
    }

    proptest! {
        #[test]
        fn irr_zeroes_the_npv(principal in 100.0f64..1e7, rate in 0.0f64..0.2, n in 1usize..120, fee in 0.0f64..0.05) {
            let payment = if rate == 0.0 { principal / n as f64 } else {
                principal * rate / (1.0 - (1.0 + rate).powi(-(n as i32)))
            };
            let flows = level(principal * (1.0 - fee), payment, n);
            let r = irr_periodic(&flows).unwrap();
            prop_assert!(npv_periodic(r, &flows).abs() < 1e-9 * principal);
            prop_assert!(r >= rate - 1e-12);
        }

        #[test]
        fn irr_never_panics(flows in proptest::collection::vec(-1e6f64..1e6, 0..40)) {
            if let Ok(r) = irr_periodic(&flows) {
                prop_assert!(r.is_finite());
            }
        }
    }
}
