//! The credit scorecard: WoE-binned characteristics, a linfa logistic regression on the WoE
//! values, and points scaled by PDO / base odds / base score, with reason codes per record.
//!
//! Scaling: `score = offset + factor * ln(odds of good)`, `factor = pdo / ln 2`,
//! `offset = base_score - factor * ln(base_odds)`. The points of characteristic `j` in bin `k`
//! are `-factor * (b_j * woe_jk) + (offset - factor * b_0) / p`, so a record's score is the sum of
//! its points and its PD is `sigmoid(b_0 + sum_j b_j * woe_j)`. A reason code names a
//! characteristic whose bin cost points against that characteristic's best bin.

use crate::ModelError;
use crate::binning::{BinningParams, FeatureBinning};
use crate::calibration::{LogisticFit, fit_logistic, sigmoid};
use crate::reasons::{Reason, rank};
use crate::table::{ColumnData, TrainingSet};
use ndarray::Array2;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Points scaling.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Scaling {
    /// Points to double the odds.
    pub pdo: f64,
    /// Score at the base odds.
    pub base_score: f64,
    /// Odds of good to bad at the base score.
    pub base_odds: f64,
}

impl Default for Scaling {
    fn default() -> Self {
        Self {
            pdo: 20.0,
            base_score: 600.0,
            base_odds: 50.0,
        }
    }
}

/// A fitted scorecard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scorecard {
    /// One binning per feature, in the model's feature order.
    pub binnings: Vec<FeatureBinning>,
    /// Logistic regression of P(default) on the WoE values.
    pub logistic: LogisticFit,
    /// Points scaling.
    pub scaling: Scaling,
    /// Points per feature per bin.
    pub points: Vec<Vec<f64>>,
    /// Characteristics dropped by the sign check (weight 0: their points do not vary).
    #[serde(default)]
    pub excluded: Vec<String>,
}

impl Scorecard {
    /// Fits the binnings and the regression on `set` (columns in `set.table` order).
    pub fn fit(
        set: &TrainingSet,
        binning: &BinningParams,
        scaling: Scaling,
        alpha: f64,
    ) -> Result<Self, ModelError> {
        let binnings: Vec<FeatureBinning> = set
            .table
            .columns
            .par_iter()
            .map(|c| FeatureBinning::fit(&c.name, &c.data, &set.target, binning))
            .collect();
        let n = set.rows();
        let woe: Vec<Vec<f64>> = binnings
            .par_iter()
            .zip(&set.table.columns)
            .map(|(b, c)| {
                b.bin_indices(&c.data)
                    .into_iter()
                    .map(|k| b.bins[k as usize].woe)
                    .collect()
            })
            .collect();
        // Sign check: with WoE = ln(good/bad), every weight of P(default) should be negative.
        // A positive weight means the characteristic only corrects for a collinear one; it is
        // dropped (weight 0) and the regression refitted, the usual scorecard practice.
        let mut kept: Vec<usize> = (0..binnings.len()).collect();
        let mut excluded = Vec::new();
        let logistic = loop {
            let mut x = Array2::<f64>::zeros((n, kept.len()));
            for (col, &j) in kept.iter().enumerate() {
                for (i, v) in woe[j].iter().enumerate() {
                    x[[i, col]] = *v;
                }
            }
            let fit = fit_logistic(x, &set.target, alpha, 500)?;
            let worst = fit
                .weights
                .iter()
                .enumerate()
                .filter(|(_, w)| **w > 0.0)
                .max_by(|a, b| a.1.total_cmp(b.1))
                .map(|(col, _)| col);
            match worst {
                Some(col) if kept.len() > 1 => {
                    excluded.push(binnings[kept[col]].name.clone());
                    kept.remove(col);
                }
                _ => {
                    let mut weights = vec![0.0; binnings.len()];
                    for (col, &j) in kept.iter().enumerate() {
                        weights[j] = fit.weights[col];
                    }
                    break LogisticFit {
                        intercept: fit.intercept,
                        weights,
                    };
                }
            }
        };
        let factor = scaling.pdo / std::f64::consts::LN_2;
        let offset = scaling.base_score - factor * scaling.base_odds.ln();
        let p = binnings.len() as f64;
        let points = binnings
            .iter()
            .zip(&logistic.weights)
            .map(|(b, w)| {
                b.bins
                    .iter()
                    .map(|bin| -factor * w * bin.woe + (offset - factor * logistic.intercept) / p)
                    .collect()
            })
            .collect();
        Ok(Self {
            binnings,
            logistic,
            scaling,
            points,
            excluded,
        })
    }

    /// Bin of every row for every feature (`columns` in model order).
    pub fn bins(&self, columns: &[&ColumnData]) -> Vec<Vec<u16>> {
        self.binnings
            .par_iter()
            .zip(columns.par_iter())
            .map(|(b, c)| b.bin_indices(c))
            .collect()
    }

    /// PD of every row.
    pub fn pd(&self, columns: &[&ColumnData]) -> Vec<f64> {
        let rows = columns.first().map_or(0, |c| c.len());
        let mut margin = vec![self.logistic.intercept; rows];
        for ((b, c), w) in self
            .binnings
            .iter()
            .zip(columns)
            .zip(&self.logistic.weights)
        {
            let woe: Vec<f64> = b.bins.iter().map(|bin| w * bin.woe).collect();
            match c {
                ColumnData::Numeric(values) => margin
                    .par_chunks_mut(4096)
                    .zip(values.par_chunks(4096))
                    .for_each(|(m, v)| {
                        for (m, &v) in m.iter_mut().zip(v) {
                            *m += woe[b.numeric_bin(v)];
                        }
                    }),
                ColumnData::Categorical { codes, levels } => {
                    let lookup = b.level_lookup(levels);
                    let missing = b.missing_bin();
                    for (m, &code) in margin.iter_mut().zip(codes) {
                        let k = if code == crate::table::MISSING_CODE {
                            missing
                        } else {
                            lookup[code as usize] as usize
                        };
                        *m += woe[k];
                    }
                }
            }
        }
        margin.into_par_iter().map(sigmoid).collect()
    }

    /// PD of every row from the bins of [`Scorecard::bins`] (the same sums as
    /// [`Scorecard::pd`], in the same order).
    pub fn pd_of_bins(&self, bins: &[Vec<u16>]) -> Vec<f64> {
        let rows = bins.first().map_or(0, Vec::len);
        let mut margin = vec![self.logistic.intercept; rows];
        for ((b, k), w) in self.binnings.iter().zip(bins).zip(&self.logistic.weights) {
            let woe: Vec<f64> = b.bins.iter().map(|bin| w * bin.woe).collect();
            for (m, &k) in margin.iter_mut().zip(k) {
                *m += woe[k as usize];
            }
        }
        margin.into_par_iter().map(sigmoid).collect()
    }

    /// Score and the `top` reasons of every row, from the bins of [`Scorecard::bins`]. Labels
    /// and best points are computed once per bin, so a row costs one pass over its points.
    pub fn explain_rows(&self, bins: &[Vec<u16>], top: usize) -> Vec<(f64, Vec<Reason>)> {
        let labels: Vec<Vec<Arc<str>>> = self
            .binnings
            .iter()
            .map(|b| b.bins.iter().map(|bin| Arc::from(bin.label())).collect())
            .collect();
        let names: Vec<Arc<str>> = self
            .binnings
            .iter()
            .map(|b| Arc::from(b.name.as_str()))
            .collect();
        let best: Vec<f64> = self
            .points
            .iter()
            .map(|p| p.iter().copied().fold(f64::NEG_INFINITY, f64::max))
            .collect();
        let rows = bins.first().map_or(0, Vec::len);
        (0..rows)
            .into_par_iter()
            .with_min_len(4096)
            .map_init(Vec::new, |lost: &mut Vec<(f64, usize)>, i| {
                lost.clear();
                let mut score = 0.0;
                for (j, p) in self.points.iter().enumerate() {
                    let k = bins[j][i] as usize;
                    score += p[k];
                    let impact = best[j] - p[k];
                    if impact > 1e-9 {
                        lost.push((impact, j));
                    }
                }
                rank(lost, |j| self.binnings[j].name.as_str(), top);
                let reasons = lost
                    .iter()
                    .map(|&(impact, j)| Reason {
                        feature: Arc::clone(&names[j]),
                        bin: Arc::clone(&labels[j][bins[j][i] as usize]),
                        impact,
                    })
                    .collect();
                (score, reasons)
            })
            .collect()
    }
}
