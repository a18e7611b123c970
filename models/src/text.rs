//! Features of ad texts, and the per-code logistic models on them.
//!
//! Features are the presence of character 1- to 3-grams of the normalised text (full-width,
//! traditional characters and case folded as the rules read them), and optionally of what the
//! claim grammar reads in it: each claim family found (or found negated) and each price's period,
//! whether it is labelled annual and whether it is a fee. Character n-grams need no dictionary,
//! so they work the same on Chinese and English and on slang a segmenter has never seen; the
//! grammar's features carry what the patterns generalise (a number and a unit, a negation). The
//! tokeniser is chosen by cross-validation (see README). One linfa logistic regression per code
//! gives a probability; the rule findings stay the explanation.

use crate::ModelError;
use finrisk_engine::marketing::{AdFacts, ClaimGrammar};
use linfa::prelude::*;
use linfa_logistic::LogisticRegression;
use ndarray::{Array1, Array2, ShapeBuilder};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

/// How texts are cut into features.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tokens {
    /// Character 1- to 3-grams.
    CharNgrams,
    /// Latin words, and Chinese character bigrams.
    WordsAndBigrams,
    /// Character 1- to 3-grams, and what the embedded claim grammar reads: `§claim:<family>`,
    /// `§negated:<family>`, `§price:<period>`, `§price:annual_labelled`, `§price:fee`.
    CharNgramsAndClaims,
}

/// The embedded claim grammar, loaded once, or why it does not load (its tests say it does).
fn loaded_grammar() -> &'static Result<ClaimGrammar, String> {
    static GRAMMAR: OnceLock<Result<ClaimGrammar, String>> = OnceLock::new();
    GRAMMAR.get_or_init(|| ClaimGrammar::embedded().map_err(|e| e.to_string()))
}

/// The embedded claim grammar; `None` if it does not load, in which case reading a text adds no
/// grammar feature (training with them refuses first: [`require_grammar`]).
fn grammar() -> Option<&'static ClaimGrammar> {
    loaded_grammar().as_ref().ok()
}

/// Fails with the grammar's load error when the embedded grammar does not load: a model whose
/// tokens include its claims must not be trained without them (an edited
/// `rules/marketing/*.toml` with a bad pattern).
pub(crate) fn require_grammar() -> Result<(), ModelError> {
    loaded_grammar()
        .as_ref()
        .map(|_| ())
        .map_err(|e| ModelError::Input {
            field: "grammar".into(),
            reason: format!(
                "the embedded claim grammar does not load, so its claims cannot be features: {e}"
            ),
        })
}

/// The versions of the embedded grammar the claim features are read with (empty if it does
/// not load).
pub fn grammar_versions() -> Vec<String> {
    grammar().map_or_else(Vec::new, |g| {
        g.versions().into_iter().map(str::to_string).collect()
    })
}

/// What the grammar reads in `text`, as feature names.
fn grammar_tokens(text: &str, out: &mut Vec<String>) {
    let Some(g) = grammar() else { return };
    let facts = AdFacts::of(text, g);
    for m in &facts.matches {
        let kind = if m.negated_by.is_some() {
            "negated"
        } else {
            "claim"
        };
        out.push(format!("§{kind}:{}", m.family));
    }
    for p in &facts.prices {
        let period = serde_json::to_value(p.period)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        out.push(format!("§price:{period}"));
        if p.annualised_label {
            out.push("§price:annual_labelled".into());
        }
        if p.fee {
            out.push("§price:fee".into());
        }
    }
}

fn tokens(text: &str, kind: Tokens) -> Vec<String> {
    let chars: Vec<char> = finrisk_engine::marketing::normalise(text).chars().collect();
    let mut out = Vec::new();
    match kind {
        Tokens::CharNgrams | Tokens::CharNgramsAndClaims => {
            if kind == Tokens::CharNgramsAndClaims {
                grammar_tokens(text, &mut out);
            }
            for n in 1..=3 {
                for w in chars.windows(n) {
                    if !w
                        .iter()
                        .all(|c| c.is_whitespace() || c.is_ascii_punctuation())
                    {
                        out.push(w.iter().collect());
                    }
                }
            }
        }
        Tokens::WordsAndBigrams => {
            let mut word = String::new();
            for (i, c) in chars.iter().enumerate() {
                if c.is_ascii_alphanumeric() || *c == '%' || *c == '.' {
                    word.push(*c);
                    continue;
                }
                if !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
                if !c.is_ascii() && !c.is_whitespace() {
                    out.push(c.to_string());
                    if let Some(next) = chars.get(i + 1).filter(|n| !n.is_ascii()) {
                        out.push(format!("{c}{next}"));
                    }
                }
            }
            if !word.is_empty() {
                out.push(word);
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// A fitted vocabulary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Featurizer {
    /// How texts are cut.
    pub tokens: Tokens,
    /// Feature names, in column order.
    pub vocabulary: Vec<String>,
    #[serde(skip)]
    index: HashMap<String, usize>,
}

impl Featurizer {
    /// The vocabulary of `texts`: tokens in at least `min_count` texts, most frequent first
    /// (ties by name), at most `max_features`.
    pub fn fit(texts: &[&str], tokens_kind: Tokens, min_count: usize, max_features: usize) -> Self {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for t in texts {
            for tok in tokens(t, tokens_kind) {
                *counts.entry(tok).or_insert(0) += 1;
            }
        }
        let mut vocab: Vec<(String, usize)> = counts
            .into_iter()
            .filter(|(_, c)| *c >= min_count)
            .collect();
        vocab.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        vocab.truncate(max_features);
        let vocabulary: Vec<String> = vocab.into_iter().map(|(t, _)| t).collect();
        let mut f = Self {
            tokens: tokens_kind,
            vocabulary,
            index: HashMap::new(),
        };
        f.reindex();
        f
    }

    /// Rebuilds the lookup after deserialising.
    pub fn reindex(&mut self) {
        self.index = self
            .vocabulary
            .iter()
            .enumerate()
            .map(|(i, t)| (t.clone(), i))
            .collect();
    }

    /// Presence features of `texts`.
    pub fn transform(&self, texts: &[&str]) -> Array2<f64> {
        let mut x = Array2::<f64>::zeros((texts.len(), self.vocabulary.len()));
        for (r, t) in texts.iter().enumerate() {
            for tok in tokens(t, self.tokens) {
                if let Some(&c) = self.index.get(&tok) {
                    x[[r, c]] = 1.0;
                }
            }
        }
        x
    }
}

/// One code's fitted logistic model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CodeModel {
    /// The code.
    pub code: String,
    /// Intercept.
    pub intercept: f64,
    /// One weight per vocabulary entry.
    pub weights: Vec<f64>,
}

impl CodeModel {
    /// Probability that row `x` evidences the code.
    pub fn probability(&self, x: ndarray::ArrayView1<'_, f64>) -> f64 {
        let z = self.intercept + x.iter().zip(&self.weights).map(|(a, b)| a * b).sum::<f64>();
        1.0 / (1.0 + (-z).exp())
    }
}

/// Regularisation of the logistic fits (L2).
pub const ALPHA: f64 = 0.05;

/// Fits one logistic regression per code on the presence matrix `x`.
pub fn fit_codes(
    x: &Array2<f64>,
    labels: &[Vec<String>],
    codes: &[&str],
) -> Result<Vec<CodeModel>, ModelError> {
    // Column-major: linfa's gradient multiplies by the transpose, whose rows are then
    // contiguous (read with ndarray's unrolled dot instead of a strided one).
    let mut x_by_column = Array2::<f64>::zeros(x.raw_dim().f());
    x_by_column.assign(x);
    codes
        .iter()
        .map(|code| {
            let y: Array1<bool> = labels.iter().map(|l| l.iter().any(|c| c == code)).collect();
            let positives = y.iter().filter(|v| **v).count();
            if positives == 0 || positives == y.len() {
                return Err(ModelError::OneClass {
                    code: code.to_string(),
                });
            }
            let dataset = Dataset::new(x_by_column.clone(), y);
            let fitted = LogisticRegression::default()
                .alpha(ALPHA)
                .max_iterations(300)
                .fit(&dataset)
                .map_err(|e| ModelError::Fit {
                    code: code.to_string(),
                    reason: e.to_string(),
                })?;
            // linfa models the probability of its "positive" class, which is the more frequent
            // label; store the model of `true` (the code is evidenced) either way.
            let sign = if fitted.labels().pos.class { 1.0 } else { -1.0 };
            Ok(CodeModel {
                code: code.to_string(),
                intercept: sign * fitted.intercept(),
                weights: fitted.params().iter().map(|w| sign * w).collect(),
            })
        })
        .collect()
}
