//! Gradient-boosted decision trees for binary log loss, histogram-based and grown leaf-wise
//! (the LightGBM recipe): each feature is cut into at most 255 quantile bins plus a missing bin,
//! a tree keeps splitting the leaf with the largest gain until it has `max_leaves` leaves, and
//! missing values go whichever way gains more. Deterministic: no sampling, sums in a fixed
//! order, so the same data and parameters give the same trees bit for bit.

use crate::ModelError;
use crate::calibration::sigmoid;
use crate::narrow::id32;
use crate::trees::{Node, Tree};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Boosting settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GbmParams {
    /// Most boosting rounds.
    pub rounds: usize,
    /// Shrinkage.
    pub learning_rate: f64,
    /// Leaves per tree.
    pub max_leaves: usize,
    /// Fewest training rows in a leaf.
    pub min_rows_in_leaf: usize,
    /// Smallest hessian sum in a leaf.
    pub min_hessian_in_leaf: f64,
    /// L2 penalty on leaf values.
    pub lambda: f64,
    /// Quantile bins per feature (at most 255).
    pub max_bins: usize,
    /// Stop when the validation log loss has not improved for this many rounds (0: never).
    pub early_stopping_rounds: usize,
}

impl Default for GbmParams {
    fn default() -> Self {
        Self {
            rounds: 500,
            learning_rate: 0.05,
            max_leaves: 31,
            min_rows_in_leaf: 20,
            min_hessian_in_leaf: 1e-3,
            lambda: 1.0,
            max_bins: 255,
            early_stopping_rounds: 50,
        }
    }
}

/// A fitted booster: PD margin = `base_margin` + the sum of the trees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Booster {
    /// Log-odds of the training positive rate.
    pub base_margin: f64,
    /// The trees (leaf values include the learning rate).
    pub trees: Vec<Tree>,
}

impl Booster {
    /// The margin of a row read through `x(feature)`.
    #[inline]
    pub fn margin(&self, x: impl Fn(usize) -> f64 + Copy) -> f64 {
        self.base_margin + self.trees.iter().map(|t| t.predict(x)).sum::<f64>()
    }
}

/// Feature columns cut into bins: bin 0 is missing, bins 1.. are the quantile ranges.
struct Binned {
    bins: Vec<Vec<u8>>,
    /// Upper edges per feature: bin `b >= 1` holds values in `(edges[b-2], edges[b-1]]`.
    edges: Vec<Vec<f64>>,
}

impl Binned {
    fn new(columns: &[Vec<f64>], rows: &[usize], max_bins: usize) -> Self {
        let max_bins = max_bins.clamp(2, 255);
        let edges: Vec<Vec<f64>> = columns
            .par_iter()
            .map(|c| {
                let mut v: Vec<f64> = rows.iter().map(|&i| c[i]).filter(|v| !v.is_nan()).collect();
                v.sort_unstable_by(f64::total_cmp);
                v.dedup();
                if v.len() <= max_bins {
                    // One bin per distinct value: edges at the values (the last is open).
                    v.pop();
                    v
                } else {
                    let mut e: Vec<f64> =
                        (1..max_bins).map(|k| v[k * v.len() / max_bins]).collect();
                    e.dedup();
                    e
                }
            })
            .collect();
        let bins = columns
            .par_iter()
            .zip(&edges)
            .map(|(c, e)| c.iter().map(|&v| bin_of(e, v)).collect())
            .collect();
        Self { bins, edges }
    }
}

#[inline]
fn bin_of(edges: &[f64], v: f64) -> u8 {
    if v.is_nan() {
        0
    } else {
        // max_bins is clamped to 255, so there are at most 254 edges and the bin fits a u8.
        u8::try_from(1 + edges.partition_point(|&e| e < v)).unwrap_or(u8::MAX)
    }
}

/// Gradient, hessian and row count per bin.
type Histogram = Vec<[f64; 3]>;

struct Leaf {
    node: usize,
    rows: Vec<u32>,
    hist: Vec<Histogram>,
    g: f64,
    h: f64,
    best: Option<Split>,
}

#[derive(Debug, Clone, Copy)]
struct Split {
    gain: f64,
    feature: usize,
    /// Non-missing bins `1..=bin` go left.
    bin: usize,
    missing_left: bool,
}

fn histograms(binned: &Binned, rows: &[u32], g: &[f64], h: &[f64]) -> Vec<Histogram> {
    binned
        .bins
        .par_iter()
        .zip(&binned.edges)
        .map(|(col, e)| {
            let mut hist = vec![[0.0; 3]; e.len() + 2];
            for &r in rows {
                let r = r as usize;
                let b = &mut hist[col[r] as usize];
                b[0] += g[r];
                b[1] += h[r];
                b[2] += 1.0;
            }
            hist
        })
        .collect()
}

fn score(g: f64, h: f64, lambda: f64) -> f64 {
    g * g / (h + lambda)
}

fn best_split(hist: &[Histogram], g: f64, h: f64, n: f64, p: &GbmParams) -> Option<Split> {
    let parent = score(g, h, p.lambda);
    let min_rows = p.min_rows_in_leaf as f64;
    hist.iter()
        .enumerate()
        .filter_map(|(f, hist)| {
            let miss = hist[0];
            let mut best: Option<Split> = None;
            let (mut gl, mut hl, mut nl) = (0.0, 0.0, 0.0);
            let last = hist.len().saturating_sub(1);
            for (b, cell) in hist.iter().enumerate().take(last).skip(1) {
                gl += cell[0];
                hl += cell[1];
                nl += cell[2];
                for missing_left in [false, true] {
                    let (gl, hl, nl) = if missing_left {
                        (gl + miss[0], hl + miss[1], nl + miss[2])
                    } else {
                        (gl, hl, nl)
                    };
                    let (gr, hr, nr) = (g - gl, h - hl, n - nl);
                    if nl < min_rows
                        || nr < min_rows
                        || hl < p.min_hessian_in_leaf
                        || hr < p.min_hessian_in_leaf
                    {
                        continue;
                    }
                    let gain = score(gl, hl, p.lambda) + score(gr, hr, p.lambda) - parent;
                    if gain > best.map_or(1e-12, |s| s.gain) {
                        best = Some(Split {
                            gain,
                            feature: f,
                            bin: b,
                            missing_left,
                        });
                    }
                }
            }
            best
        })
        .fold(None, |acc: Option<Split>, s| match acc {
            Some(a) if a.gain >= s.gain => Some(a),
            _ => Some(s),
        })
}

fn leaf_value(g: f64, h: f64, p: &GbmParams) -> f64 {
    -g / (h + p.lambda) * p.learning_rate
}

fn grow_tree(binned: &Binned, rows: Vec<u32>, g: &[f64], h: &[f64], p: &GbmParams) -> Tree {
    let hist = histograms(binned, &rows, g, h);
    let (gs, hs) = rows.iter().fold((0.0, 0.0), |(a, b), &r| {
        (a + g[r as usize], b + h[r as usize])
    });
    let mut nodes = vec![Node::leaf(leaf_value(gs, hs, p))];
    let n = rows.len() as f64;
    let best = best_split(&hist, gs, hs, n, p);
    let mut leaves = vec![Leaf {
        node: 0,
        rows,
        hist,
        g: gs,
        h: hs,
        best,
    }];
    while leaves.len() < p.max_leaves {
        let Some((k, _)) = leaves
            .iter()
            .enumerate()
            .filter_map(|(k, l)| l.best.map(|s| (k, s.gain)))
            .fold(None, |acc: Option<(usize, f64)>, c| match acc {
                Some(a) if a.1 >= c.1 => Some(a),
                _ => Some(c),
            })
        else {
            break;
        };
        let leaf = leaves.swap_remove(k);
        let Some(split) = leaf.best else { break };
        let col = &binned.bins[split.feature];
        let (left_rows, right_rows): (Vec<u32>, Vec<u32>) = leaf.rows.iter().partition(|&&r| {
            let b = col[r as usize] as usize;
            if b == 0 {
                split.missing_left
            } else {
                b <= split.bin
            }
        });
        // Histogram of the smaller child from its rows, the other by subtraction.
        let (small, small_is_left) = if left_rows.len() <= right_rows.len() {
            (&left_rows, true)
        } else {
            (&right_rows, false)
        };
        let small_hist = histograms(binned, small, g, h);
        let big_hist: Vec<Histogram> = leaf
            .hist
            .iter()
            .zip(&small_hist)
            .map(|(p, s)| {
                p.iter()
                    .zip(s)
                    .map(|(a, b)| [a[0] - b[0], a[1] - b[1], a[2] - b[2]])
                    .collect()
            })
            .collect();
        let (left_hist, right_hist) = if small_is_left {
            (small_hist, big_hist)
        } else {
            (big_hist, small_hist)
        };
        let sum = |rows: &[u32]| {
            rows.iter().fold((0.0, 0.0), |(a, b), &r| {
                (a + g[r as usize], b + h[r as usize])
            })
        };
        let (gl, hl) = sum(&left_rows);
        let (gr, hr) = (leaf.g - gl, leaf.h - hl);
        let (gr, hr) = if right_rows.is_empty() {
            (0.0, 0.0)
        } else {
            (gr, hr)
        };
        let base = id32(nodes.len());
        let edges = &binned.edges[split.feature];
        let threshold = edges.get(split.bin - 1).copied().unwrap_or(f64::INFINITY);
        let parent = &mut nodes[leaf.node];
        parent.feature = id32(split.feature);
        parent.threshold = threshold;
        parent.missing_left = split.missing_left;
        parent.left = base;
        parent.right = base + 1;
        for (gg, hh) in [(gl, hl), (gr, hr)] {
            nodes.push(Node::leaf(leaf_value(gg, hh, p)));
        }
        let lb = best_split(&left_hist, gl, hl, left_rows.len() as f64, p);
        let rb = best_split(&right_hist, gr, hr, right_rows.len() as f64, p);
        leaves.push(Leaf {
            node: base as usize,
            rows: left_rows,
            hist: left_hist,
            g: gl,
            h: hl,
            best: lb,
        });
        leaves.push(Leaf {
            node: base as usize + 1,
            rows: right_rows,
            hist: right_hist,
            g: gr,
            h: hr,
            best: rb,
        });
    }
    Tree { nodes }
}

fn log_loss_of(margins: &[f64], y: &[u8], rows: &[usize]) -> f64 {
    rows.iter()
        .map(|&i| {
            let p = sigmoid(margins[i]).clamp(1e-15, 1.0 - 1e-15);
            if y[i] == 1 { -p.ln() } else { -(1.0 - p).ln() }
        })
        .sum::<f64>()
        / rows.len().max(1) as f64
}

/// Fits a booster on the `train` rows of `columns` (one `Vec<f64>` per feature, `NaN` missing);
/// with `valid` rows and `early_stopping_rounds > 0`, keeps the rounds up to the best
/// validation log loss.
pub(crate) fn fit(
    columns: &[Vec<f64>],
    y: &[u8],
    train: &[usize],
    valid: &[usize],
    p: &GbmParams,
) -> Result<Booster, ModelError> {
    if train.is_empty() || columns.is_empty() {
        return Err(ModelError::Input {
            field: "data".into(),
            reason: "no training rows or no features".into(),
        });
    }
    let binned = Binned::new(columns, train, p.max_bins);
    let n = y.len();
    let rate = train.iter().map(|&i| f64::from(y[i])).sum::<f64>() / train.len() as f64;
    let rate = rate.clamp(1e-6, 1.0 - 1e-6);
    let base_margin = (rate / (1.0 - rate)).ln();
    let mut margin = vec![base_margin; n];
    let (mut g, mut h) = (vec![0.0; n], vec![0.0; n]);
    let mut trees: Vec<Tree> = Vec::new();
    let (mut best_loss, mut best_round) = (f64::INFINITY, 0usize);
    let train_rows: Vec<u32> = train.iter().map(|&i| id32(i)).collect();
    for round in 0..p.rounds {
        for &i in train {
            let pr = sigmoid(margin[i]);
            g[i] = pr - f64::from(y[i]);
            h[i] = (pr * (1.0 - pr)).max(1e-16);
        }
        let tree = grow_tree(&binned, train_rows.clone(), &g, &h, p);
        if tree.nodes.len() == 1 {
            break;
        }
        // Update every row (train and validation) through the tree's raw-value thresholds.
        margin.par_iter_mut().enumerate().for_each(|(i, m)| {
            *m += tree.predict(|f| columns[f][i]);
        });
        trees.push(tree);
        if !valid.is_empty() && p.early_stopping_rounds > 0 {
            let loss = log_loss_of(&margin, y, valid);
            if loss < best_loss {
                best_loss = loss;
                best_round = round + 1;
            } else if round + 1 - best_round >= p.early_stopping_rounds {
                break;
            }
        }
    }
    if !valid.is_empty() && p.early_stopping_rounds > 0 && best_round > 0 {
        trees.truncate(best_round);
    }
    Ok(Booster { base_margin, trees })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::auc;

    #[test]
    fn learns_an_interaction_a_linear_model_cannot() {
        // y = 1 when x0 and x1 have the same sign (XOR-like), with missing values in x0.
        let mut s = crate::table::SplitMix::new(7);
        let n = 4000;
        let mut x0 = Vec::new();
        let mut x1 = Vec::new();
        let mut y = Vec::new();
        for i in 0..n {
            let a = (s.next_u64() % 2000) as f64 / 1000.0 - 1.0;
            let b = (s.next_u64() % 2000) as f64 / 1000.0 - 1.0;
            let noise = s.next_u64().is_multiple_of(10);
            y.push(u8::from((a * b > 0.0) != noise));
            x0.push(if i % 17 == 0 { f64::NAN } else { a });
            x1.push(b);
        }
        let cols = vec![x0, x1];
        let train: Vec<usize> = (0..3000).collect();
        let valid: Vec<usize> = (3000..n).collect();
        let model = fit(&cols, &y, &train, &valid, &GbmParams::default()).unwrap();
        let scores: Vec<f64> = valid
            .iter()
            .map(|&i| model.margin(|f| cols[f][i]))
            .collect();
        let yv: Vec<u8> = valid.iter().map(|&i| y[i]).collect();
        assert!(auc(&scores, &yv) > 0.85, "auc {}", auc(&scores, &yv));
        // Deterministic.
        let again = fit(&cols, &y, &train, &valid, &GbmParams::default()).unwrap();
        assert_eq!(model, again);
    }
}
