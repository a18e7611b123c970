//! A random forest of linfa decision trees (`linfa-trees`, Gini impurity): each tree is fitted
//! on a bootstrap sample of the rows and a random subset of the features (the linfa-ensemble
//! scheme), missing values are imputed with the training median, and the forest's score is the
//! share of trees voting "default". The fitted linfa trees are copied into plain
//! [`crate::trees::Tree`]s so an artifact needs no linfa types to score.

use crate::ModelError;
use crate::narrow::{ceil_count, id32};
use crate::table::SplitMix;
use crate::trees::{Node, Tree};
use linfa::prelude::*;
use linfa_trees::{DecisionTree, SplitQuality, TreeNode};
use ndarray::{Array1, Array2};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Forest settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForestParams {
    /// Trees.
    pub trees: usize,
    /// Deepest split.
    pub max_depth: usize,
    /// Fewest rows in a leaf.
    pub min_rows_in_leaf: usize,
    /// Share of the features each tree sees.
    pub feature_share: f64,
    /// Bootstrap sample size, as a share of the rows.
    pub bootstrap_share: f64,
}

impl Default for ForestParams {
    fn default() -> Self {
        Self {
            trees: 100,
            max_depth: 8,
            min_rows_in_leaf: 20,
            feature_share: 0.6,
            bootstrap_share: 1.0,
        }
    }
}

/// A fitted forest: every node holds the share of class 1 among the in-bag rows that reach it
/// (a leaf's is the tree's probability, an inner node's serves the reasons' attribution), and
/// features index the model's columns. (Forests fitted before 2026-12-02 hold the leaf's
/// majority class, 0 or 1: their votes were nearly constant on imbalanced data.)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Forest {
    /// Training medians that replace missing values.
    pub medians: Vec<f64>,
    /// The trees.
    pub trees: Vec<Tree>,
}

impl Forest {
    /// Mean over the trees of the class-1 share of the leaf a row read through `x(feature)`
    /// reaches: the forest's probability.
    pub fn vote(&self, x: impl Fn(usize) -> f64 + Copy) -> f64 {
        let filled = |f: usize| {
            let v = x(f);
            if v.is_nan() { self.medians[f] } else { v }
        };
        self.trees.iter().map(|t| t.predict(filled)).sum::<f64>() / self.trees.len().max(1) as f64
    }
}

fn median(values: impl Iterator<Item = f64>) -> f64 {
    let mut v: Vec<f64> = values.filter(|v| !v.is_nan()).collect();
    if v.is_empty() {
        return 0.0;
    }
    v.sort_unstable_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Copies a linfa tree, mapping its feature indices through `features`.
fn copy_tree(root: &TreeNode<f64, bool>, features: &[usize]) -> Tree {
    let mut nodes: Vec<Node> = Vec::new();
    let mut stack: Vec<(&TreeNode<f64, bool>, usize)> = vec![(root, 0)];
    nodes.push(Node::leaf(0.0));
    while let Some((n, k)) = stack.pop() {
        let children: Vec<&TreeNode<f64, bool>> = n
            .children()
            .into_iter()
            .filter_map(|c| c.as_deref())
            .collect();
        if n.is_leaf() || children.len() != 2 {
            nodes[k].value = f64::from(u8::from(n.prediction().unwrap_or(false)));
            continue;
        }
        let (feature, threshold, _) = n.split();
        let base = id32(nodes.len());
        nodes[k].feature = id32(features[feature]);
        nodes[k].threshold = threshold;
        nodes[k].left = base;
        nodes[k].right = base + 1;
        for _ in 0..2 {
            nodes.push(Node::leaf(0.0));
        }
        stack.push((children[0], base as usize));
        stack.push((children[1], base as usize + 1));
    }
    Tree { nodes }
}

/// Sets every node of `tree` to the share of class 1 among the `rows` that pass through it
/// (`x(row, feature)` reads a value). A node no row reaches keeps its parent's share.
fn class_shares(tree: &mut Tree, rows: &[usize], x: impl Fn(usize, usize) -> f64, y: &[u8]) {
    let mut counts = vec![(0u64, 0u64); tree.nodes.len()];
    for &i in rows {
        tree.visit(
            |f| x(i, f),
            |k| {
                counts[k].0 += 1;
                counts[k].1 += u64::from(y[i] == 1);
            },
        );
    }
    // Nodes are stored parents before children: a parent's share is set before its children's.
    let mut parent_of = vec![usize::MAX; tree.nodes.len()];
    for (k, n) in tree.nodes.iter().enumerate() {
        if !n.is_leaf() {
            parent_of[n.left as usize] = k;
            parent_of[n.right as usize] = k;
        }
    }
    for k in 0..tree.nodes.len() {
        let (n, pos) = counts[k];
        tree.nodes[k].value = if n > 0 {
            pos as f64 / n as f64
        } else if parent_of[k] != usize::MAX {
            tree.nodes[parent_of[k]].value
        } else {
            0.0
        };
    }
}

/// Fits a forest on the `train` rows of `columns` (`NaN` = missing), seeded with `seed`.
pub(crate) fn fit(
    columns: &[Vec<f64>],
    y: &[u8],
    train: &[usize],
    p: &ForestParams,
    seed: u64,
) -> Result<Forest, ModelError> {
    if train.is_empty() || columns.is_empty() {
        return Err(ModelError::Input {
            field: "data".into(),
            reason: "no training rows or no features".into(),
        });
    }
    let medians: Vec<f64> = columns
        .iter()
        .map(|c| median(train.iter().map(|&i| c[i])))
        .collect();
    let n_feat = columns.len();
    let n_sub = ceil_count(n_feat as f64 * p.feature_share).clamp(1, n_feat);
    let n_rows = ceil_count(train.len() as f64 * p.bootstrap_share).max(1);
    let trees: Result<Vec<Tree>, ModelError> = (0..p.trees)
        .into_par_iter()
        .map(|t| {
            let mut rng = SplitMix::new(seed.wrapping_mul(1_000_003).wrapping_add(t as u64));
            let mut feats: Vec<usize> = (0..n_feat).collect();
            rng.shuffle(&mut feats);
            feats.truncate(n_sub);
            feats.sort_unstable();
            let sample: Vec<usize> = (0..n_rows).map(|_| train[rng.below(train.len())]).collect();
            let mut x = Array2::<f64>::zeros((sample.len(), feats.len()));
            for (j, &f) in feats.iter().enumerate() {
                for (r, &i) in sample.iter().enumerate() {
                    let v = columns[f][i];
                    x[[r, j]] = if v.is_nan() { medians[f] } else { v };
                }
            }
            let labels: Array1<bool> = sample.iter().map(|&i| y[i] == 1).collect();
            let fitted = DecisionTree::params()
                .split_quality(SplitQuality::Gini)
                .max_depth(Some(p.max_depth))
                .min_weight_leaf(p.min_rows_in_leaf as f32)
                .min_weight_split(2.0 * p.min_rows_in_leaf as f32)
                .fit(&Dataset::new(x, labels))
                .map_err(|e| ModelError::Fit {
                    code: "forest".into(),
                    reason: e.to_string(),
                })?;
            let mut tree = copy_tree(fitted.root_node(), &feats);
            class_shares(
                &mut tree,
                &sample,
                |i, f| {
                    let v = columns[f][i];
                    if v.is_nan() { medians[f] } else { v }
                },
                y,
            );
            Ok(tree)
        })
        .collect();
    Ok(Forest {
        medians,
        trees: trees?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::auc;

    /// On imbalanced data (8% positives) whose signal is weak, majority-vote leaves say 0
    /// almost everywhere; class-share leaves rank the rows.
    #[test]
    fn probabilities_rank_rows_on_imbalanced_data() {
        let mut s = SplitMix::new(11);
        let n = 4000;
        let x0: Vec<f64> = (0..n)
            .map(|_| (s.next_u64() % 1000) as f64 / 1000.0)
            .collect();
        let x1: Vec<f64> = (0..n)
            .map(|_| (s.next_u64() % 1000) as f64 / 1000.0)
            .collect();
        let y: Vec<u8> = (0..n)
            .map(|i| {
                let p = 0.02 + 0.12 * x0[i] + 0.04 * x1[i];
                u8::from((s.next_u64() % 10_000) as f64 / 10_000.0 < p)
            })
            .collect();
        let cols = vec![x0, x1];
        let train: Vec<usize> = (0..3000).collect();
        let f = fit(&cols, &y, &train, &ForestParams::default(), 5).unwrap();
        let test: Vec<usize> = (3000..n).collect();
        let scores: Vec<f64> = test.iter().map(|&i| f.vote(|k| cols[k][i])).collect();
        let yt: Vec<u8> = test.iter().map(|&i| y[i]).collect();
        let distinct = {
            let mut v: Vec<u64> = scores.iter().map(|p| (p * 1e6) as u64).collect();
            v.sort_unstable();
            v.dedup();
            v.len()
        };
        assert!(distinct > 100, "{distinct} distinct probabilities");
        let mean = scores.iter().sum::<f64>() / scores.len() as f64;
        assert!(mean > 0.03 && mean < 0.15, "mean probability {mean}");
        let oracle: Vec<f64> = test
            .iter()
            .map(|&i| 0.12 * cols[0][i] + 0.04 * cols[1][i])
            .collect();
        assert!(
            auc(&scores, &yt) > auc(&oracle, &yt) - 0.08,
            "auc {} against the true probabilities' {}",
            auc(&scores, &yt),
            auc(&oracle, &yt)
        );
    }

    #[test]
    fn the_copied_trees_separate_the_classes() {
        let mut s = SplitMix::new(3);
        let n = 1200;
        let x0: Vec<f64> = (0..n)
            .map(|_| (s.next_u64() % 1000) as f64 / 100.0)
            .collect();
        let x1: Vec<f64> = (0..n)
            .map(|_| (s.next_u64() % 1000) as f64 / 100.0)
            .collect();
        let y: Vec<u8> = (0..n)
            .map(|i| u8::from((x0[i] > 5.0) ^ (x1[i] > 7.0) ^ s.next_u64().is_multiple_of(10)))
            .collect();
        let cols = vec![x0, x1];
        let train: Vec<usize> = (0..900).collect();
        let p = ForestParams {
            trees: 20,
            feature_share: 1.0,
            ..ForestParams::default()
        };
        let f = fit(&cols, &y, &train, &p, 42).unwrap();
        let test: Vec<usize> = (900..n).collect();
        let scores: Vec<f64> = test.iter().map(|&i| f.vote(|k| cols[k][i])).collect();
        let yt: Vec<u8> = test.iter().map(|&i| y[i]).collect();
        assert!(auc(&scores, &yt) > 0.8, "auc {}", auc(&scores, &yt));
        // linfa sums class frequencies from a HashMap (f32, in hash order), so near-tied splits
        // can break differently between fits: the same seed gives the same samples and
        // feature subsets, and the artifact (not the refit) is what reproduces scores exactly.
        let again = fit(&cols, &y, &train, &p, 42).unwrap();
        let again_scores: Vec<f64> = test.iter().map(|&i| again.vote(|k| cols[k][i])).collect();
        assert!((auc(&again_scores, &yt) - auc(&scores, &yt)).abs() < 0.05);
    }
}
