//! The marketing-text model measured round by round, as it would have been used: for each
//! collection round N of the labelled ads, a model trained on the rounds before N alone reads
//! round N, whose sources no earlier round used. Summed over the rounds, each ad counts once, at
//! the one reading a model that had never seen it gave it: the learned model's counterpart of
//! the rules' per-round first readings in `models/README.md`.
//!
//! Only tokenisers that read no claim grammar are accepted: the embedded grammar was written
//! from the misses of the very rounds being measured, so its readings as features would carry
//! those rounds' labels into their own test.

use crate::corpus::{CorpusAd, LABELLED_CODES, model_split};
use crate::text::Tokens;
use crate::{AdModel, ModelError, TrainParams};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::ops::RangeInclusive;

/// Right and wrong readings of one code in one language.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Ads with the code that the model flagged.
    pub tp: usize,
    /// Ads without the code that the model flagged.
    pub fp: usize,
    /// Ads with the code that the model did not flag.
    #[serde(rename = "fn")]
    pub fn_: usize,
}

impl Counts {
    /// Share of flagged ads that carry the code; `None` when nothing was flagged.
    pub fn precision(&self) -> Option<f64> {
        let flagged = self.tp + self.fp;
        (flagged > 0).then(|| self.tp as f64 / flagged as f64)
    }

    /// Share of the ads carrying the code that were flagged; `None` without such an ad.
    pub fn recall(&self) -> Option<f64> {
        let positives = self.tp + self.fn_;
        (positives > 0).then(|| self.tp as f64 / positives as f64)
    }

    fn add(&mut self, other: Counts) {
        self.tp += other.tp;
        self.fp += other.fp;
        self.fn_ += other.fn_;
    }
}

/// One code in one language: its counts and the figures they give.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CodeRow {
    /// `zh` or `en`.
    pub language: String,
    /// The MK code.
    pub code: String,
    /// The counts.
    #[serde(flatten)]
    pub counts: Counts,
    /// tp / (tp + fp); `None` when nothing was flagged.
    pub precision: Option<f64>,
    /// tp / (tp + fn); `None` without a positive.
    pub recall: Option<f64>,
}

/// One ad of a round: the codes it carries and the codes the model flagged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdReading {
    /// The corpus id.
    pub id: String,
    /// The labelled codes.
    pub expected: Vec<String>,
    /// The codes whose probability was at least 0.5.
    pub flagged: Vec<String>,
}

/// One round read by the model trained on the rounds before it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoundReading {
    /// The round (`batch` in the corpus).
    pub batch: u32,
    /// Ads of the earlier rounds the model was trained on.
    pub training_texts: usize,
    /// Ads of this round.
    pub held_out_texts: usize,
    /// Every (language, code) with at least one positive or one flag in the round.
    pub rows: Vec<CodeRow>,
    /// Every ad of the round, in corpus order.
    pub ads: Vec<AdReading>,
}

/// A round in the range that was not measured, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedRound {
    /// The round.
    pub batch: u32,
    /// Why it was not measured (no ads; a source shared with an earlier round; a code with one
    /// class in the training rounds).
    pub reason: String,
}

/// Every round of a range, read by models trained on the rounds before each, and the sums.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RollingEvaluation {
    /// The features the models were trained on.
    pub tokens: Tokens,
    /// First round of the range asked for.
    pub from_batch: u32,
    /// Last round of the range asked for.
    pub to_batch: u32,
    /// The rounds measured, in order.
    pub rounds: Vec<RoundReading>,
    /// The rounds of the range not measured, with the reason.
    pub skipped: Vec<SkippedRound>,
    /// The counts of every measured round summed per language and code (each ad once).
    pub pooled: Vec<CodeRow>,
}

fn rows_of(counts: &BTreeMap<(String, String), Counts>) -> Vec<CodeRow> {
    counts
        .iter()
        .map(|((language, code), c)| CodeRow {
            language: language.clone(),
            code: code.clone(),
            counts: *c,
            precision: c.precision(),
            recall: c.recall(),
        })
        .collect()
}

/// Trains on the rounds before `batch` and reads `batch`; `Ok(Err(reason))` when the round
/// cannot be measured.
fn read_round(
    ads: &[CorpusAd],
    batch: u32,
    params: TrainParams,
) -> Result<Result<RoundReading, String>, ModelError> {
    if !ads.iter().any(|a| a.batch == batch) {
        return Ok(Err("no ads in the corpus".to_string()));
    }
    let corpus = match model_split(ads, batch) {
        Ok(corpus) => corpus,
        Err(ModelError::Input { reason, .. }) => return Ok(Err(reason)),
        Err(e) => return Err(e),
    };
    let (featurizer, models) = match AdModel::fit_final(&corpus, params) {
        Ok(fitted) => fitted,
        Err(ModelError::OneClass { code }) => {
            return Ok(Err(format!(
                "{code}: the rounds before it hold only one class, so no model can be trained"
            )));
        }
        Err(e) => return Err(e),
    };
    let held: Vec<_> = corpus.iter().filter(|a| a.split == "heldout").collect();
    let texts: Vec<&str> = held.iter().map(|a| a.text.as_str()).collect();
    let x = featurizer.transform(&texts);
    let mut counts: BTreeMap<(String, String), Counts> = BTreeMap::new();
    let mut readings: Vec<AdReading> = held
        .iter()
        .map(|ad| AdReading {
            id: ad.id.clone(),
            expected: ad.codes.clone(),
            flagged: Vec::new(),
        })
        .collect();
    for model in &models {
        for (r, ad) in held.iter().enumerate() {
            let truth = ad.codes.contains(&model.code);
            let flagged = model.probability(x.row(r)) >= 0.5;
            if flagged && let Some(reading) = readings.get_mut(r) {
                reading.flagged.push(model.code.clone());
            }
            if !truth && !flagged {
                continue;
            }
            let entry = counts
                .entry((ad.language.clone(), model.code.clone()))
                .or_default();
            match (truth, flagged) {
                (true, true) => entry.tp += 1,
                (false, true) => entry.fp += 1,
                _ => entry.fn_ += 1,
            }
        }
    }
    Ok(Ok(RoundReading {
        batch,
        training_texts: corpus.len() - held.len(),
        held_out_texts: held.len(),
        rows: rows_of(&counts),
        ads: readings,
    }))
}

/// Reads every round of `rounds` with a model trained on the rounds before it (probability
/// 0.5, the settings of `params`), and sums the counts. Refused for tokens that read the claim
/// grammar (see the module's documentation) and for an empty range.
pub fn rolling_evaluation(
    ads: &[CorpusAd],
    rounds: RangeInclusive<u32>,
    params: TrainParams,
) -> Result<RollingEvaluation, ModelError> {
    if params.tokens == Tokens::CharNgramsAndClaims {
        return Err(ModelError::Input {
            field: "tokens".into(),
            reason: "char-ngrams-and-claims reads the embedded claim grammar, which was written \
                     from the rounds being measured: use char-ngrams or words-and-bigrams"
                .into(),
        });
    }
    if rounds.is_empty() {
        return Err(ModelError::Input {
            field: "from_batch".into(),
            reason: format!(
                "the range {} to {} holds no round",
                rounds.start(),
                rounds.end()
            ),
        });
    }
    let readings: Vec<(u32, Result<RoundReading, String>)> = rounds
        .clone()
        .collect::<Vec<u32>>()
        .into_par_iter()
        .map(|batch| read_round(ads, batch, params).map(|r| (batch, r)))
        .collect::<Result<_, _>>()?;
    let mut pooled: BTreeMap<(String, String), Counts> = BTreeMap::new();
    let mut measured = Vec::new();
    let mut skipped = Vec::new();
    for (batch, reading) in readings {
        match reading {
            Ok(round) => {
                for row in &round.rows {
                    pooled
                        .entry((row.language.clone(), row.code.clone()))
                        .or_default()
                        .add(row.counts);
                }
                measured.push(round);
            }
            Err(reason) => skipped.push(SkippedRound { batch, reason }),
        }
    }
    // Every labelled code of every language measured appears in the sums, even with no
    // positive and no flag, so that a code the model never flags is visible as such.
    let languages: Vec<String> = pooled.keys().map(|(l, _)| l.clone()).collect();
    for language in languages {
        for code in LABELLED_CODES {
            pooled
                .entry((language.clone(), code.to_string()))
                .or_default();
        }
    }
    Ok(RollingEvaluation {
        tokens: params.tokens,
        from_batch: *rounds.start(),
        to_batch: *rounds.end(),
        rounds: measured,
        skipped,
        pooled: rows_of(&pooled),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ad(id: &str, batch: u32, source: &str, text: &str, codes: &[&str]) -> CorpusAd {
        CorpusAd {
            id: id.to_string(),
            language: "en".to_string(),
            text: text.to_string(),
            codes: codes.iter().map(|c| c.to_string()).collect(),
            source: source.to_string(),
            source_kind: "news".to_string(),
            taken: "written".to_string(),
            jurisdiction: None,
            batch,
            note: None,
        }
    }

    /// Two rounds of training ads in which "instant cash" marks an inducement and "per month" a
    /// periodic rate, and so on for every labelled code, then rounds to read.
    fn corpus() -> Vec<CorpusAd> {
        let mut ads = Vec::new();
        let mut n = 0;
        for batch in 1..=2 {
            for i in 0..12 {
                n += 1;
                let source = format!("https://example.org/{batch}/{i}");
                let (text, codes): (&str, &[&str]) = match i % 4 {
                    0 => (
                        "instant cash today, apply now",
                        &["MK-INDUCEMENT", "MK-NO-RISK-WARNING"],
                    ),
                    1 => (
                        "only 2% per month on every loan",
                        &["MK-NO-APR", "MK-PERIODIC-RATE", "MK-NO-RISK-WARNING"],
                    ),
                    2 => (
                        "loans for students and pensioners",
                        &["MK-VULNERABLE-TARGET", "MK-NO-RISK-WARNING"],
                    ),
                    _ => ("late repayment can cause you serious money problems", &[]),
                };
                ads.push(ad(&format!("en-{n}"), batch, &source, text, codes));
            }
        }
        ads.push(ad(
            "en-r3a",
            3,
            "https://new.example/a",
            "instant cash today",
            &["MK-INDUCEMENT", "MK-NO-RISK-WARNING"],
        ));
        ads.push(ad(
            "en-r3b",
            3,
            "https://new.example/b",
            "late repayment can cause you serious money problems",
            &[],
        ));
        // Round 5 reuses a source of round 1: not a held-out round.
        ads.push(ad(
            "en-r5",
            5,
            "https://example.org/1/0",
            "instant cash today",
            &["MK-INDUCEMENT", "MK-NO-RISK-WARNING"],
        ));
        ads
    }

    #[test]
    fn each_round_is_read_by_a_model_of_the_rounds_before_it_and_the_sums_add_up() {
        let ads = corpus();
        let params = TrainParams {
            tokens: Tokens::CharNgrams,
            min_count: 1,
            ..TrainParams::default()
        };
        let report = rolling_evaluation(&ads, 3..=5, params).expect("the corpus trains");
        assert_eq!(report.rounds.len(), 1);
        let round = &report.rounds[0];
        assert_eq!(
            (round.batch, round.training_texts, round.held_out_texts),
            (3, 24, 2)
        );
        let inducement = round
            .rows
            .iter()
            .find(|r| r.code == "MK-INDUCEMENT")
            .expect("the round has an inducement");
        assert_eq!(
            inducement.counts,
            Counts {
                tp: 1,
                fp: 0,
                fn_: 0
            }
        );
        let ids: Vec<&str> = round.ads.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["en-r3a", "en-r3b"]);
        assert!(round.ads[0].flagged.contains(&"MK-INDUCEMENT".to_string()));
        assert!(!round.ads[1].flagged.contains(&"MK-INDUCEMENT".to_string()));
        // Round 4 has no ads and round 5 shares a source with round 1: both are reported.
        let skipped: Vec<u32> = report.skipped.iter().map(|s| s.batch).collect();
        assert_eq!(skipped, vec![4, 5]);
        assert!(report.skipped[0].reason.contains("no ads"));
        assert!(report.skipped[1].reason.contains("https://example.org/1/0"));
        // The sums are those of the one measured round, with every labelled code listed.
        assert_eq!(report.pooled.len(), LABELLED_CODES.len());
        for row in &report.pooled {
            let in_round = round
                .rows
                .iter()
                .find(|r| r.code == row.code)
                .map_or(Counts::default(), |r| r.counts);
            assert_eq!(row.counts, in_round, "{}", row.code);
        }
    }

    #[test]
    fn the_grammar_tokens_and_an_empty_range_are_refused() {
        let ads = corpus();
        let with_claims = TrainParams {
            tokens: Tokens::CharNgramsAndClaims,
            ..TrainParams::default()
        };
        let err = rolling_evaluation(&ads, 3..=3, with_claims).expect_err("leaks the grammar");
        assert!(err.to_string().starts_with("tokens:"), "{err}");
        #[allow(clippy::reversed_empty_ranges)]
        let empty = 5..=3;
        let err = rolling_evaluation(&ads, empty, TrainParams::default()).expect_err("empty");
        assert!(err.to_string().starts_with("from_batch:"), "{err}");
    }

    #[test]
    fn precision_and_recall_are_undefined_without_flags_or_positives() {
        let none = Counts::default();
        assert_eq!((none.precision(), none.recall()), (None, None));
        let c = Counts {
            tp: 3,
            fp: 1,
            fn_: 2,
        };
        assert_eq!(c.precision(), Some(0.75));
        assert_eq!(c.recall(), Some(0.6));
    }
}
