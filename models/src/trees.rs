//! Decision trees as plain data (shared by the boosted trees and the forest), and the numeric
//! encoding of categories that tree models use.
//!
//! A tree is a flat list of nodes; node 0 is the root. An internal node sends a row left when its
//! value is `<= threshold`, and a missing value (`NaN`) the way `missing_left` says. Every node
//! keeps its own value, so a prediction can be explained by the changes along its path.

use crate::table::{ColumnData, MISSING_CODE};
use serde::{Deserialize, Serialize};

/// One node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Node {
    /// Feature index (internal nodes).
    pub feature: u32,
    /// Values `<= threshold` go left.
    pub threshold: f64,
    /// Where missing values go.
    pub missing_left: bool,
    /// Left child (0 for a leaf).
    pub left: u32,
    /// Right child (0 for a leaf).
    pub right: u32,
    /// The node's output (a leaf's is what the tree returns).
    pub value: f64,
}

impl Node {
    /// A leaf returning `value`.
    pub fn leaf(value: f64) -> Self {
        Self {
            feature: 0,
            threshold: 0.0,
            missing_left: false,
            left: 0,
            right: 0,
            value,
        }
    }

    /// Whether the node is a leaf.
    pub fn is_leaf(&self) -> bool {
        self.left == 0
    }
}

/// A tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tree {
    /// Nodes; 0 is the root.
    pub nodes: Vec<Node>,
}

impl Tree {
    /// The child of internal node `n` a row goes to.
    #[inline]
    fn child(n: &Node, x: &impl Fn(usize) -> f64) -> usize {
        let v = x(n.feature as usize);
        let left = if v.is_nan() {
            n.missing_left
        } else {
            v <= n.threshold
        };
        (if left { n.left } else { n.right }) as usize
    }

    /// The leaf value for a row, read through `x(feature)`.
    #[inline]
    /// Calls `f` with the index of every node on the row's path, root to leaf.
    pub(crate) fn visit(&self, x: impl Fn(usize) -> f64, mut f: impl FnMut(usize)) {
        let mut k = 0usize;
        loop {
            f(k);
            let n = &self.nodes[k];
            if n.is_leaf() {
                break;
            }
            k = Self::child(n, &x);
        }
    }

    /// The value of the leaf the row reaches.
    pub fn predict(&self, x: impl Fn(usize) -> f64) -> f64 {
        let mut n = &self.nodes[0];
        while !n.is_leaf() {
            n = &self.nodes[Self::child(n, &x)];
        }
        n.value
    }

    /// Adds to `contributions[feature]` the change of node value at each split on the row's
    /// path (Saabas attribution): the leaf value = root value + the sum of the contributions.
    pub fn attribute(&self, x: impl Fn(usize) -> f64, contributions: &mut [f64]) {
        let mut n = &self.nodes[0];
        while !n.is_leaf() {
            let next = &self.nodes[Self::child(n, &x)];
            contributions[n.feature as usize] += next.value - n.value;
            n = next;
        }
    }
}

/// Categories as numbers for the trees: each training level gets its rank by event rate
/// (lowest first); unseen levels and missing values are `NaN` (missing).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelRanks {
    /// Levels in rank order.
    pub levels: Vec<String>,
}

impl LevelRanks {
    /// Ranks the levels of a categorical column by their smoothed event rate.
    pub fn fit(codes: &[u32], levels: &[String], target: &[u8]) -> Self {
        let mut counts = vec![(0.0f64, 0.0f64); levels.len()];
        for (&c, &t) in codes.iter().zip(target) {
            if c != MISSING_CODE {
                counts[c as usize].0 += 1.0;
                counts[c as usize].1 += f64::from(t);
            }
        }
        let prior = target.iter().map(|&t| f64::from(t)).sum::<f64>() / target.len().max(1) as f64;
        let mut order: Vec<usize> = (0..levels.len()).filter(|&k| counts[k].0 > 0.0).collect();
        let rate = |k: usize| (counts[k].1 + 10.0 * prior) / (counts[k].0 + 10.0);
        order.sort_by(|&a, &b| {
            rate(a)
                .total_cmp(&rate(b))
                .then_with(|| levels[a].cmp(&levels[b]))
        });
        Self {
            levels: order.into_iter().map(|k| levels[k].clone()).collect(),
        }
    }

    /// The rank of each code of a column with its own dictionary (`NaN` = unseen).
    pub fn lookup(&self, levels: &[String]) -> Vec<f64> {
        let map: std::collections::HashMap<&str, f64> = self
            .levels
            .iter()
            .enumerate()
            .map(|(k, l)| (l.as_str(), k as f64))
            .collect();
        levels
            .iter()
            .map(|l| map.get(l.as_str()).copied().unwrap_or(f64::NAN))
            .collect()
    }
}

/// How each model column becomes a number for the trees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum TreeEncoding {
    /// The number itself.
    Numeric,
    /// The rank of the level.
    Ranked(LevelRanks),
}

impl TreeEncoding {
    /// Fits the encoding of a column.
    pub fn fit(data: &ColumnData, target: &[u8]) -> Self {
        match data {
            ColumnData::Numeric(_) => Self::Numeric,
            ColumnData::Categorical { codes, levels } => {
                Self::Ranked(LevelRanks::fit(codes, levels, target))
            }
        }
    }

    /// The column as numbers.
    pub fn encode(&self, data: &ColumnData) -> Vec<f64> {
        match (self, data) {
            (Self::Numeric, ColumnData::Numeric(v)) => v.clone(),
            (Self::Ranked(r), ColumnData::Categorical { codes, levels }) => {
                let lookup = r.lookup(levels);
                codes
                    .iter()
                    .map(|&c| {
                        if c == MISSING_CODE {
                            f64::NAN
                        } else {
                            lookup[c as usize]
                        }
                    })
                    .collect()
            }
            // Kinds are checked when the table is resolved; a mismatch reads as missing.
            (_, d) => vec![f64::NAN; d.len()],
        }
    }
}
