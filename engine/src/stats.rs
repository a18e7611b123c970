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
}
