//! Logistic fits (linfa) and probability calibration (Platt scaling, isotonic regression).

use crate::ModelError;
use linfa::prelude::*;
use linfa_logistic::LogisticRegression;
use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};

/// Intercept and weights of a fitted logistic model of P(target = 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogisticFit {
    /// Intercept.
    pub intercept: f64,
    /// One weight per column.
    pub weights: Vec<f64>,
}

impl LogisticFit {
    /// The linear predictor of one row.
    pub fn margin(&self, row: impl Iterator<Item = f64>) -> f64 {
        self.intercept + row.zip(&self.weights).map(|(x, w)| x * w).sum::<f64>()
    }
}

/// The logistic function.
pub fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// Fits an L2-regularised logistic regression with linfa (objective: log loss summed over the
/// rows plus `alpha / 2 * |w|^2`, so `alpha = 1` is scikit-learn's `C = 1`).
pub fn fit_logistic(
    x: Array2<f64>,
    y: &[u8],
    alpha: f64,
    max_iterations: u64,
) -> Result<LogisticFit, ModelError> {
    let labels: Array1<bool> = y.iter().map(|&t| t == 1).collect();
    let dataset = Dataset::new(x, labels);
    let fitted = LogisticRegression::default()
        .alpha(alpha)
        .max_iterations(max_iterations)
        .fit(&dataset)
        .map_err(|e| ModelError::Fit {
            code: "logistic".into(),
            reason: e.to_string(),
        })?;
    // linfa models its "positive" class, the more frequent label; store the model of 1.
    let sign = if fitted.labels().pos.class { 1.0 } else { -1.0 };
    Ok(LogisticFit {
        intercept: sign * fitted.intercept(),
        weights: fitted.params().iter().map(|w| sign * w).collect(),
    })
}

/// How raw scores are turned into calibrated probabilities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "method")]
pub enum Calibration {
    /// PD = sigmoid(a * score + b).
    Platt {
        /// Slope.
        a: f64,
        /// Intercept.
        b: f64,
    },
    /// A non-decreasing step function: PD = `values[k]` for the last `thresholds[k] <= score`.
    Isotonic {
        /// Lowest score of each step.
        thresholds: Vec<f64>,
        /// PD of each step.
        values: Vec<f64>,
    },
    /// The score is already the PD.
    None,
}

/// Calibration method named on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CalibrationMethod {
    /// Platt scaling.
    Platt,
    /// Isotonic regression.
    Isotonic,
    /// None.
    None,
}

impl Calibration {
    /// Fits `method` on raw scores and outcomes.
    pub fn fit(method: CalibrationMethod, scores: &[f64], y: &[u8]) -> Result<Self, ModelError> {
        match method {
            CalibrationMethod::None => Ok(Self::None),
            CalibrationMethod::Platt => {
                let x =
                    Array2::from_shape_vec((scores.len(), 1), scores.to_vec()).map_err(|e| {
                        ModelError::Fit {
                            code: "platt".into(),
                            reason: e.to_string(),
                        }
                    })?;
                let f = fit_logistic(x, y, 1e-6, 200)?;
                Ok(Self::Platt {
                    a: f.weights.first().copied().unwrap_or(0.0),
                    b: f.intercept,
                })
            }
            CalibrationMethod::Isotonic => {
                let mut order: Vec<usize> = (0..scores.len()).collect();
                order.sort_unstable_by(|&a, &b| scores[a].total_cmp(&scores[b]));
                // Blocks of (lowest score, sum of y, rows), pooled while decreasing.
                let mut blocks: Vec<(f64, f64, f64)> = Vec::new();
                for i in order {
                    let (s, t) = (scores[i], f64::from(y[i]));
                    match blocks.last_mut() {
                        Some(b) if b.0 == s => {
                            b.1 += t;
                            b.2 += 1.0;
                        }
                        _ => blocks.push((s, t, 1.0)),
                    }
                    while blocks.len() >= 2 {
                        let (a, b) = (blocks[blocks.len() - 2], blocks[blocks.len() - 1]);
                        if a.1 / a.2 <= b.1 / b.2 {
                            break;
                        }
                        blocks.pop();
                        blocks.pop();
                        blocks.push((a.0, a.1 + b.1, a.2 + b.2));
                    }
                }
                Ok(Self::Isotonic {
                    thresholds: blocks.iter().map(|b| b.0).collect(),
                    values: blocks.iter().map(|b| b.1 / b.2).collect(),
                })
            }
        }
    }

    /// The calibrated probability of a raw score.
    pub fn apply(&self, score: f64) -> f64 {
        match self {
            Self::Platt { a, b } => sigmoid(a * score + b),
            Self::Isotonic { thresholds, values } => {
                let k = thresholds.partition_point(|&t| t <= score);
                values.get(k.saturating_sub(1)).copied().unwrap_or(0.5)
            }
            Self::None => score,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platt_and_isotonic_are_monotone_and_fit_the_rates() {
        let scores: Vec<f64> = (0..400).map(|i| f64::from(i % 20)).collect();
        let y: Vec<u8> = (0..400).map(|i| u8::from((i * 13) % 20 < i % 20)).collect();
        for m in [CalibrationMethod::Platt, CalibrationMethod::Isotonic] {
            let c = Calibration::fit(m, &scores, &y).unwrap();
            let p: Vec<f64> = (0..20).map(|s| c.apply(f64::from(s))).collect();
            assert!(p.windows(2).all(|w| w[0] <= w[1] + 1e-12), "{m:?} {p:?}");
            let mean: f64 = scores.iter().map(|&s| c.apply(s)).sum::<f64>() / 400.0;
            let rate = y.iter().map(|&t| f64::from(t)).sum::<f64>() / 400.0;
            assert!((mean - rate).abs() < 0.02, "{m:?}: {mean} vs {rate}");
        }
    }
}
