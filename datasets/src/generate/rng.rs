//! A small, specified random number generator, so generated data are the same bytes forever.
//!
//! xoshiro256** seeded through SplitMix64 (Blackman and Vigna), with the few distributions the
//! generator needs. Each chunk of work gets its own stream from `(seed, stream id)`, so the
//! output does not depend on how many threads run the chunks.

/// SplitMix64 finaliser: a bijection on `u64` that mixes all bits.
pub fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// xoshiro256** generator.
#[derive(Debug, Clone)]
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// A generator for stream `stream` of `seed`.
    pub fn new(seed: u64, stream: u64) -> Self {
        let mut x = mix64(seed) ^ mix64(stream.wrapping_add(0x632B_E59B_D9B4_E019));
        let mut s = [0u64; 4];
        for v in &mut s {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            *v = mix64(x);
        }
        if s == [0; 4] {
            s[0] = 1;
        }
        Self { s }
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in [lo, hi).
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// Uniform integer in [lo, hi] (inclusive).
    pub fn int(&mut self, lo: i64, hi: i64) -> i64 {
        let span = (hi - lo + 1).max(1) as u64;
        lo + (self.next_u64() % span) as i64
    }

    /// Uniform number of days in [lo, hi] (inclusive), as a date offset. The generator's
    /// bounds are days within its horizon; a value outside `i32` saturates.
    pub fn days(&mut self, lo: i64, hi: i64) -> i32 {
        saturating_i32(self.int(lo, hi))
    }

    /// Uniform count in [lo, hi] (inclusive).
    pub fn count(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.index(hi.saturating_sub(lo).saturating_add(1))
    }

    /// Uniform index in [0, len) (0 when `len` is 0).
    pub fn index(&mut self, len: usize) -> usize {
        let len = u64::try_from(len.max(1)).unwrap_or(u64::MAX);
        // Below `len`, which came from a usize: the conversion back cannot fail.
        usize::try_from(self.next_u64() % len).unwrap_or(0)
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Standard normal (Box-Muller, one value per call).
    pub fn normal(&mut self) -> f64 {
        let u1 = self.unit().max(f64::MIN_POSITIVE);
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Log-normal with the given median and log-scale sigma.
    pub fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        median * (sigma * self.normal()).exp()
    }

    /// Poisson (Knuth's method; for the small means used here).
    pub fn poisson(&mut self, mean: f64) -> i64 {
        if mean <= 0.0 {
            return 0;
        }
        let limit = (-mean.min(30.0)).exp();
        let mut k = 0;
        let mut p = self.unit();
        while p > limit && k < 200 {
            k += 1;
            p *= self.unit();
        }
        k
    }

    /// An element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.index(items.len())]
    }
}

/// `v` as an `i32`, saturating at its bounds.
pub fn saturating_i32(v: i64) -> i32 {
    i32::try_from(v).unwrap_or(if v < 0 { i32::MIN } else { i32::MAX })
}

/// `v` as a `u32`, saturating at its bounds (negative values give 0).
pub fn saturating_u32(v: i64) -> u32 {
    u32::try_from(v).unwrap_or(if v < 0 { 0 } else { u32::MAX })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<u64> = (0..4).map(|_| Rng::new(42, 7).next_u64()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        let mut x = Rng::new(42, 7);
        let mut y = Rng::new(42, 8);
        assert_ne!(x.next_u64(), y.next_u64());
    }

    #[test]
    fn distributions_have_the_right_centre() {
        let mut r = Rng::new(1, 1);
        let n = 20_000;
        let mean_unit: f64 = (0..n).map(|_| r.unit()).sum::<f64>() / f64::from(n);
        assert!((mean_unit - 0.5).abs() < 0.01);
        let mean_normal: f64 = (0..n).map(|_| r.normal()).sum::<f64>() / f64::from(n);
        assert!(mean_normal.abs() < 0.03);
        let mean_poisson: f64 = (0..n).map(|_| r.poisson(2.5) as f64).sum::<f64>() / f64::from(n);
        assert!((mean_poisson - 2.5).abs() < 0.05);
        let mut incomes: Vec<f64> = (0..n).map(|_| r.lognormal(6000.0, 0.6)).collect();
        incomes.sort_by(f64::total_cmp);
        assert!((incomes[n as usize / 2] / 6000.0 - 1.0).abs() < 0.03);
    }
}
