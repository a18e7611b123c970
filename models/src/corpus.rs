//! The real labelled ads the marketing-text model learns from and the marketing rules are measured
//! on (`datasets/data/ads/ads.jsonl`, described in its `ads.SOURCE.md`): the reader, whose errors
//! name the line and the field, the rules' split by source, and the model's split by collection
//! round.

use crate::ModelError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Codes the corpus labels (MK-FALSE-FREE needs the product's APR, so it is not labelled).
pub const LABELLED_CODES: [&str; 5] = [
    "MK-INDUCEMENT",
    "MK-NO-APR",
    "MK-NO-RISK-WARNING",
    "MK-PERIODIC-RATE",
    "MK-VULNERABLE-TARGET",
];

/// One ad as the corpus file holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorpusAd {
    /// Unique id (`zh-b7-0214`).
    pub id: String,
    /// `zh` or `en`.
    pub language: String,
    /// The ad's wording.
    pub text: String,
    /// The codes it evidences, labelled by hand.
    pub codes: Vec<String>,
    /// Address of the public page that shows or quotes it.
    pub source: String,
    /// What the source is (`news`, `lender_page`, `advertising_ruling`, ...).
    pub source_kind: String,
    /// `quoted`, `paraphrased` or `written`.
    pub taken: String,
    /// The jurisdiction whose rules apply, when not the language's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jurisdiction: Option<String>,
    /// The collection round, each collected after the grammar it measures was frozen.
    pub batch: u32,
    /// A reviewer's note (a corrected label says why).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

fn line_error(n: usize, field: &str, reason: impl Into<String>) -> ModelError {
    ModelError::Input {
        field: if field.is_empty() {
            format!("corpus line {n}")
        } else {
            format!("corpus line {n}: {field}")
        },
        reason: reason.into(),
    }
}

/// Reads the corpus (JSON lines; blank lines are skipped). A malformed line, an unknown code or
/// a repeated id is an error naming the line and the field.
pub fn read_corpus(text: &str) -> Result<Vec<CorpusAd>, ModelError> {
    let mut ads = Vec::new();
    let mut ids = BTreeSet::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let ad: CorpusAd =
            serde_json::from_str(line).map_err(|e| line_error(n, "", e.to_string()))?;
        if !matches!(ad.language.as_str(), "zh" | "en") {
            return Err(line_error(
                n,
                "language",
                format!("must be zh or en, not {:?}", ad.language),
            ));
        }
        if ad.text.trim().is_empty() {
            return Err(line_error(n, "text", "must not be empty"));
        }
        if ad.source.trim().is_empty() || ad.source_kind.trim().is_empty() {
            return Err(line_error(n, "source and source_kind", "must not be empty"));
        }
        if !matches!(ad.taken.as_str(), "quoted" | "paraphrased" | "written") {
            return Err(line_error(
                n,
                "taken",
                "must be quoted, paraphrased or written",
            ));
        }
        if let Some(c) = ad
            .codes
            .iter()
            .find(|c| !LABELLED_CODES.contains(&c.as_str()) && c.as_str() != "MK-FALSE-FREE")
        {
            return Err(line_error(
                n,
                "codes",
                format!(
                    "unknown code {c:?} (expected one of {})",
                    LABELLED_CODES.join(", ")
                ),
            ));
        }
        if !ids.insert(ad.id.clone()) {
            return Err(line_error(n, "id", format!("{:?} appears twice", ad.id)));
        }
        ads.push(ad);
    }
    Ok(ads)
}

/// The rules' split of a source: FNV-1a of its address modulo 3 (0 is `dev`, the rest
/// `heldout`), so all ads of one page fall on one side; written ads are `dev`.
pub fn source_split(source: &str, taken: &str) -> &'static str {
    if taken == "written" {
        return "dev";
    }
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in source.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    if h.is_multiple_of(3) {
        "dev"
    } else {
        "heldout"
    }
}

/// One ad as the model sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelledAd {
    /// The corpus id (`en-b61-0722`).
    #[serde(default)]
    pub id: String,
    /// The text.
    pub text: String,
    /// Language tag.
    pub language: String,
    /// Codes the text evidences.
    pub codes: Vec<String>,
    /// `train` or `heldout`.
    pub split: String,
    /// The page it comes from (cross-validation folds never split one source).
    pub source: String,
    /// Its collection round.
    pub batch: u32,
}

/// The model's split: the rounds before `heldout_batch` train it, that round is held out (its
/// sources are all new, collected after the earlier rounds), later rounds are left out. Refused
/// when the held-out round is empty or shares a source with the training rounds.
pub fn model_split(ads: &[CorpusAd], heldout_batch: u32) -> Result<Vec<LabelledAd>, ModelError> {
    let to = |a: &CorpusAd, split: &str| LabelledAd {
        id: a.id.clone(),
        text: a.text.clone(),
        language: a.language.clone(),
        codes: a.codes.clone(),
        split: split.to_string(),
        source: a.source.clone(),
        batch: a.batch,
    };
    let out: Vec<LabelledAd> = ads
        .iter()
        .filter(|a| a.batch <= heldout_batch)
        .map(|a| {
            to(
                a,
                if a.batch < heldout_batch {
                    "train"
                } else {
                    "heldout"
                },
            )
        })
        .collect();
    let train_sources: BTreeSet<&str> = out
        .iter()
        .filter(|a| a.split == "train")
        .map(|a| a.source.as_str())
        .collect();
    if !out.iter().any(|a| a.split == "heldout") {
        return Err(ModelError::Input {
            field: "heldout_batch".into(),
            reason: format!("no ad of batch {heldout_batch} in the corpus"),
        });
    }
    if let Some(a) = out
        .iter()
        .find(|a| a.split == "heldout" && train_sources.contains(a.source.as_str()))
    {
        return Err(ModelError::Input {
            field: "heldout_batch".into(),
            reason: format!(
                "source {} is in batch {heldout_batch} and in an earlier batch: the held-out round must come from new sources",
                a.source
            ),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(id: &str, codes: &str, source: &str, batch: u32) -> String {
        format!(
            r#"{{"id":"{id}","language":"en","text":"Cash today","codes":[{codes}],"source":"{source}","source_kind":"news","taken":"paraphrased","batch":{batch}}}"#
        )
    }

    #[test]
    fn bad_lines_are_refused_naming_the_line_and_field() {
        let good = line("a", r#""MK-INDUCEMENT""#, "s1", 1);
        let bad = line("b", r#""MK-WHATEVER""#, "s2", 1);
        let e = read_corpus(&format!("{good}\n{bad}\n"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("corpus line 2: codes") && e.contains("MK-WHATEVER"),
            "{e}"
        );
        let e = read_corpus(&format!("{good}\n\n{good}\n"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("corpus line 3: id"), "{e}");
        let e = read_corpus("{").unwrap_err().to_string();
        assert!(e.starts_with("corpus line 1"), "{e}");
    }

    #[test]
    fn the_model_split_holds_out_one_round_of_new_sources() {
        let text = [
            line("a", "", "s1", 1),
            line("b", "", "s2", 2),
            line("c", "", "s3", 3),
        ]
        .join("\n");
        let ads = read_corpus(&text).unwrap();
        let split = model_split(&ads, 2).unwrap();
        assert_eq!(
            split
                .iter()
                .map(|a| (a.source.as_str(), a.split.as_str()))
                .collect::<Vec<_>>(),
            [("s1", "train"), ("s2", "heldout")]
        );
        assert!(model_split(&ads, 9).is_err());
        let shared = [line("a", "", "s1", 1), line("b", "", "s1", 2)].join("\n");
        let e = model_split(&read_corpus(&shared).unwrap(), 2)
            .unwrap_err()
            .to_string();
        assert!(e.contains("s1") && e.contains("new sources"), "{e}");
    }
}
