//! Plain logistic regression (linfa) on standardised numbers and one-hot categories: numbers
//! get their training median where missing, then `(x - mean) / sd`; each training level of a
//! category is a 0/1 column (unseen levels and missing values are all zeros). This is the
//! `logreg_std` baseline of `shared/baselines.md`.

use crate::ModelError;
use crate::calibration::{LogisticFit, fit_logistic, sigmoid};
use crate::reasons::{Reason, top_reasons};
use crate::table::{ColumnData, MISSING_CODE, TrainingSet};
use ndarray::Array2;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// How one input column enters the design matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum LinearInput {
    /// One standardised column.
    Numeric {
        /// Replaces missing values.
        median: f64,
        /// Training mean (after imputation).
        mean: f64,
        /// Training standard deviation (1 when constant).
        sd: f64,
    },
    /// One 0/1 column per level.
    OneHot {
        /// The levels, in design-column order.
        levels: Vec<String>,
    },
}

impl LinearInput {
    fn width(&self) -> usize {
        match self {
            Self::Numeric { .. } => 1,
            Self::OneHot { levels } => levels.len(),
        }
    }
}

/// A fitted logistic model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinearModel {
    /// One entry per input column, in model order.
    pub inputs: Vec<LinearInput>,
    /// Coefficients over the design columns.
    pub logistic: LogisticFit,
}

/// Each row's contribution to the margin from one input column.
fn column_terms(input: &LinearInput, weights: &[f64], data: &ColumnData) -> Vec<f64> {
    match (input, data) {
        (LinearInput::Numeric { median, mean, sd }, ColumnData::Numeric(v)) => v
            .iter()
            .map(|&x| {
                let x = if x.is_nan() { *median } else { x };
                weights[0] * (x - mean) / sd
            })
            .collect(),
        (LinearInput::OneHot { levels: train }, ColumnData::Categorical { codes, levels }) => {
            let map: std::collections::HashMap<&str, usize> = train
                .iter()
                .enumerate()
                .map(|(k, l)| (l.as_str(), k))
                .collect();
            let lookup: Vec<f64> = levels
                .iter()
                .map(|l| map.get(l.as_str()).map_or(0.0, |&k| weights[k]))
                .collect();
            codes
                .iter()
                .map(|&c| {
                    if c == MISSING_CODE {
                        0.0
                    } else {
                        lookup[c as usize]
                    }
                })
                .collect()
        }
        (_, d) => vec![0.0; d.len()],
    }
}

impl LinearModel {
    /// Fits on `set` with L2 penalty `alpha`.
    pub fn fit(set: &TrainingSet, alpha: f64) -> Result<Self, ModelError> {
        let inputs: Vec<LinearInput> = set
            .table
            .columns
            .iter()
            .map(|c| match &c.data {
                ColumnData::Numeric(v) => {
                    let mut present: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
                    present.sort_unstable_by(f64::total_cmp);
                    let median = present.get(present.len() / 2).copied().unwrap_or(0.0);
                    let filled = v.iter().map(|&x| if x.is_nan() { median } else { x });
                    let n = v.len().max(1) as f64;
                    let mean = filled.clone().sum::<f64>() / n;
                    let var = filled.map(|x| (x - mean).powi(2)).sum::<f64>() / n;
                    let sd = if var > 0.0 { var.sqrt() } else { 1.0 };
                    LinearInput::Numeric { median, mean, sd }
                }
                ColumnData::Categorical { codes, levels } => {
                    let mut seen = vec![false; levels.len()];
                    for &c in codes.iter().filter(|&&c| c != MISSING_CODE) {
                        seen[c as usize] = true;
                    }
                    let mut kept: Vec<String> = levels
                        .iter()
                        .zip(&seen)
                        .filter(|(_, s)| **s)
                        .map(|(l, _)| l.clone())
                        .collect();
                    kept.sort();
                    LinearInput::OneHot { levels: kept }
                }
            })
            .collect();
        let width: usize = inputs.iter().map(LinearInput::width).sum();
        let n = set.rows();
        let mut x = Array2::<f64>::zeros((n, width));
        let mut col = 0;
        for (input, c) in inputs.iter().zip(&set.table.columns) {
            match (input, &c.data) {
                (
                    LinearInput::OneHot { levels: kept },
                    ColumnData::Categorical { codes, levels },
                ) => {
                    let index: std::collections::HashMap<&str, usize> = kept
                        .iter()
                        .enumerate()
                        .map(|(k, l)| (l.as_str(), k))
                        .collect();
                    let lookup: Vec<Option<usize>> = levels
                        .iter()
                        .map(|l| index.get(l.as_str()).copied())
                        .collect();
                    for (i, &code) in codes.iter().enumerate() {
                        if let Some(k) = lookup.get(code as usize).copied().flatten() {
                            x[[i, col + k]] = 1.0;
                        }
                    }
                }
                // A number: its standardised value is its term under weight 1.
                _ => {
                    for (i, t) in column_terms(input, &[1.0], &c.data).into_iter().enumerate() {
                        x[[i, col]] = t;
                    }
                }
            }
            col += input.width();
        }
        let logistic = fit_logistic(x, &set.target, alpha, 150)?;
        Ok(Self { inputs, logistic })
    }

    fn terms(&self, columns: &[&ColumnData]) -> Vec<Vec<f64>> {
        let mut offset = 0;
        let spans: Vec<(usize, usize)> = self
            .inputs
            .iter()
            .map(|i| {
                let s = (offset, i.width());
                offset += i.width();
                s
            })
            .collect();
        self.inputs
            .par_iter()
            .zip(spans.par_iter())
            .zip(columns.par_iter())
            .map(|((input, &(o, w)), c)| column_terms(input, &self.logistic.weights[o..o + w], c))
            .collect()
    }

    /// PD of every row.
    pub fn pd(&self, columns: &[&ColumnData]) -> Vec<f64> {
        let terms = self.terms(columns);
        let rows = columns.first().map_or(0, |c| c.len());
        (0..rows)
            .into_par_iter()
            .map(|i| sigmoid(self.logistic.intercept + terms.iter().map(|t| t[i]).sum::<f64>()))
            .collect()
    }

    /// Per row, the PD and the `top` columns that push the log-odds of default up the most
    /// (the terms of the linear predictor are computed once for both).
    pub fn explain(
        &self,
        columns: &[&ColumnData],
        names: &[String],
        top: usize,
    ) -> Vec<(f64, Vec<Reason>)> {
        let terms = self.terms(columns);
        let rows = columns.first().map_or(0, |c| c.len());
        (0..rows)
            .map(|i| {
                let values: Vec<f64> = terms.iter().map(|t| t[i]).collect();
                let pd = sigmoid(self.logistic.intercept + values.iter().sum::<f64>());
                (pd, top_reasons(&values, names, columns, i, top))
            })
            .collect()
    }
}
