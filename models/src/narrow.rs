//! Narrowing conversions of counts, indices and shares, each with the bound that makes it
//! exact: model code stores bins as `u16`, rows and nodes as `u32`, and turns shares of counts
//! into counts. Out-of-range values saturate instead of wrapping.

/// A bin index as stored (`u16`): binnings have at most a few dozen bins (`max_bins`).
pub(crate) fn bin16(k: usize) -> u16 {
    u16::try_from(k).unwrap_or(u16::MAX)
}

/// A row, node, feature or level number as stored (`u32`): training tables and trees stay far
/// below 4 billion rows or nodes.
pub(crate) fn id32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// `x`, a share of a count (0 <= x <= the count), rounded up to a count. NaN gives 0.
#[expect(
    clippy::cast_possible_truncation,
    reason = "a share of a usize count is within usize; the cast saturates otherwise"
)]
pub(crate) fn ceil_count(x: f64) -> usize {
    x.ceil().max(0.0) as usize
}

/// `x`, a share of a count, rounded to the nearest count. NaN gives 0.
#[expect(
    clippy::cast_possible_truncation,
    reason = "a share of a usize count is within usize; the cast saturates otherwise"
)]
pub(crate) fn round_count(x: f64) -> usize {
    x.round().max(0.0) as usize
}

/// `v % n` as an index below `n` (`n` > 0).
pub(crate) fn index_below(v: u64, n: usize) -> usize {
    let n64 = u64::try_from(n.max(1)).unwrap_or(u64::MAX);
    // Below `n`, a usize: the conversion cannot fail.
    usize::try_from(v % n64).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrowing_is_exact_in_range_and_saturates_outside() {
        assert_eq!((bin16(7), bin16(70_000)), (7, u16::MAX));
        assert_eq!((id32(9), id32(usize::MAX)), (9, u32::MAX));
        assert_eq!(
            (ceil_count(2.1), ceil_count(-1.0), ceil_count(f64::NAN)),
            (3, 0, 0)
        );
        assert_eq!((round_count(2.5), round_count(2.4)), (3, 2));
        assert_eq!((index_below(17, 5), index_below(3, 0)), (2, 0));
    }
}
