//! Reasons a model gives for a record's probability of default: the characteristics that cost
//! it the most points (scorecards) or pushed its log-odds of default up the most (other models),
//! ranked one way for every model: largest impact first, ties by feature name.

use crate::table::{ColumnData, MISSING_CODE};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// A characteristic that cost a record points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    /// Input column (shared by every record's reasons: no copy per record).
    pub feature: Arc<str>,
    /// The record's bin (or value description).
    pub bin: Arc<str>,
    /// Points below the characteristic's best bin (scorecards), or the feature's push on the
    /// log-odds of default (other models).
    pub impact: f64,
}

/// Sorts `(impact, feature)` candidates into reason order (largest impact first, ties by the
/// feature's name) and keeps the first `top`.
pub(crate) fn rank<'n>(
    candidates: &mut Vec<(f64, usize)>,
    name: impl Fn(usize) -> &'n str,
    top: usize,
) {
    candidates.sort_unstable_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then_with(|| name(a.1).cmp(name(b.1)))
            .then_with(|| a.1.cmp(&b.1))
    });
    candidates.truncate(top);
}

/// Describes row `i`'s value of a column.
fn describe(c: &ColumnData, i: usize) -> String {
    match c {
        ColumnData::Numeric(v) if v[i].is_nan() => "missing".into(),
        ColumnData::Numeric(v) => format!("= {}", v[i]),
        ColumnData::Categorical { codes, .. } if codes[i] == MISSING_CODE => "missing".into(),
        ColumnData::Categorical { codes, levels } => format!("= {}", levels[codes[i] as usize]),
    }
}

/// The `top` features of row `i` with the largest positive push on the log-odds of default.
pub(crate) fn top_reasons(
    pushes: &[f64],
    names: &[String],
    columns: &[&ColumnData],
    i: usize,
    top: usize,
) -> Vec<Reason> {
    let mut candidates: Vec<(f64, usize)> = pushes
        .iter()
        .enumerate()
        .filter(|(_, p)| **p > 1e-12)
        .map(|(j, p)| (*p, j))
        .collect();
    rank(&mut candidates, |j| names[j].as_str(), top);
    candidates
        .into_iter()
        .map(|(impact, j)| Reason {
            feature: Arc::from(names[j].as_str()),
            bin: Arc::from(describe(columns[j], i)),
            impact,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_rank_by_impact_then_name_and_keep_the_top() {
        let names = ["b", "a", "c", "d"];
        let mut c = vec![(1.0, 0), (2.0, 2), (1.0, 1), (0.5, 3)];
        rank(&mut c, |j| names[j], 3);
        assert_eq!(c, vec![(2.0, 2), (1.0, 1), (1.0, 0)]);
    }

    #[test]
    fn only_positive_pushes_are_reasons() {
        let names: Vec<String> = ["x", "y"].map(String::from).to_vec();
        let col = ColumnData::Numeric(vec![f64::NAN]);
        let r = top_reasons(&[0.0, -1.0], &names, &[&col, &col], 0, 3);
        assert!(r.is_empty());
        let r = top_reasons(&[0.3, 0.0], &names, &[&col, &col], 0, 3);
        assert_eq!((&*r[0].feature, &*r[0].bin), ("x", "missing"));
    }
}
