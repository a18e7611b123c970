//! `finrisk eval-ads`: the marketing rules measured on a labelled ad corpus, per code and
//! language, split by source so the figures to quote come from places the grammar was never
//! tuned on.
//!
//! A source's split is fixed by its address: FNV-1a of the `source` string, modulo 3; 0 is
//! `dev` (the grammar may be tuned on it), 1 and 2 are `heldout`. Written ads
//! (`taken: "written"`) are always `dev`.

use crate::cli::{CorpusSplit, EvalAdsArgs, Format};
use crate::failure::bad_input;
use crate::input::{load_grammars, load_ruleset};
use crate::output::to_json;
use finrisk_engine::Ruleset;
use finrisk_engine::assess::assess_ad;
use finrisk_engine::domain::Jurisdiction;
use finrisk_models::corpus::{LABELLED_CODES, source_split};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The codes a corpus labels and the rules are measured on.
pub(crate) const EVAL_CODES: [&str; 5] = LABELLED_CODES;

/// The text model flags a code at this probability.
const MODEL_THRESHOLD: f64 = 0.5;

#[derive(Debug, Default, Serialize)]
struct Counts {
    tp: u32,
    fp: u32,
    #[serde(rename = "fn")]
    fn_: u32,
    tn: u32,
    precision: Option<f64>,
    recall: Option<f64>,
}

impl Counts {
    fn add(&mut self, expected: bool, found: bool) {
        match (expected, found) {
            (true, true) => self.tp += 1,
            (false, true) => self.fp += 1,
            (true, false) => self.fn_ += 1,
            (false, false) => self.tn += 1,
        }
    }

    fn finish(&mut self) {
        let ratio = |a: u32, b: u32| (b > 0).then(|| f64::from(a) / f64::from(b));
        self.precision = ratio(self.tp, self.tp + self.fp);
        self.recall = ratio(self.tp, self.tp + self.fn_);
    }
}

/// The text model measured on the same ads.
#[derive(Debug, Serialize)]
struct ModelFigures {
    version: String,
    training_hash: String,
    threshold: f64,
    by_language: BTreeMap<String, BTreeMap<String, Counts>>,
}

#[derive(Debug, Default, Serialize)]
struct LanguageFigures {
    ads: u32,
    sources: usize,
    codes: BTreeMap<String, Counts>,
}

#[derive(Debug, Serialize)]
struct AdError {
    id: String,
    text: String,
    source: String,
    expected: Vec<String>,
    found: Vec<String>,
}

#[derive(Debug, Serialize)]
struct Output {
    corpus: String,
    split: String,
    grammar_versions: Vec<String>,
    method: &'static str,
    by_language: BTreeMap<String, LanguageFigures>,
    #[serde(skip_serializing_if = "Option::is_none")]
    model: Option<ModelFigures>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<AdError>,
}

pub(crate) fn run(args: &EvalAdsArgs) -> anyhow::Result<String> {
    let ads = crate::input::load_ad_corpus(&args.corpus)?;
    let grammar = load_grammars(&args.grammar.grammar)?;
    let mut rulesets: std::collections::HashMap<Jurisdiction, Ruleset> =
        std::collections::HashMap::new();
    let mut by_language: BTreeMap<String, LanguageFigures> = BTreeMap::new();
    let mut sources: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut errors = Vec::new();
    let ad_model = if args.model {
        Some(finrisk_models::AdModel::shipped()?)
    } else {
        None
    };
    let mut model_counts: BTreeMap<String, BTreeMap<String, Counts>> = BTreeMap::new();
    for ad in &ads {
        let split = source_split(&ad.source, &ad.taken);
        let wanted = match args.split {
            CorpusSplit::All => true,
            CorpusSplit::Dev => split == "dev",
            CorpusSplit::Heldout => split == "heldout",
        } && args.batch.is_none_or(|b| b == ad.batch);
        if !wanted {
            continue;
        }
        let jurisdiction = match (&ad.jurisdiction, ad.language.as_str()) {
            (Some(j), _) => crate::input::parse_jurisdiction(j)
                .map_err(|e| bad_input(format!("corpus ad {}: jurisdiction: {e}", ad.id)))?,
            (None, "zh") => Jurisdiction::Cn,
            (None, _) => Jurisdiction::Us,
        };
        let ruleset = match rulesets.entry(jurisdiction) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(load_ruleset(None, jurisdiction)?)
            }
        };
        let assessment = assess_ad(&ad.text, None, &*ruleset, &grammar)?;
        let found: BTreeSet<&str> = assessment
            .findings
            .iter()
            .map(|f| f.code.as_str())
            .filter(|c| EVAL_CODES.contains(c))
            .collect();
        let expected: BTreeSet<&str> = ad
            .codes
            .iter()
            .map(String::as_str)
            .filter(|c| EVAL_CODES.contains(c))
            .collect();
        let figures = by_language.entry(ad.language.clone()).or_default();
        figures.ads += 1;
        sources
            .entry(ad.language.clone())
            .or_default()
            .insert(ad.source.clone());
        for code in EVAL_CODES {
            let c = figures.codes.entry(code.to_string()).or_default();
            c.add(expected.contains(code), found.contains(code));
        }
        if let Some(m) = &ad_model {
            let p = m.probabilities(&ad.text);
            let counts = model_counts.entry(ad.language.clone()).or_default();
            for code in EVAL_CODES {
                let predicted = p.get(code).is_some_and(|v| *v >= MODEL_THRESHOLD);
                counts
                    .entry(code.to_string())
                    .or_default()
                    .add(expected.contains(code), predicted);
            }
        }
        if args.errors && expected != found {
            errors.push(AdError {
                id: ad.id.clone(),
                text: ad.text.clone(),
                source: ad.source.clone(),
                expected: expected.iter().map(|s| s.to_string()).collect(),
                found: found.iter().map(|s| s.to_string()).collect(),
            });
        }
    }
    for (language, figures) in &mut by_language {
        figures.sources = sources.get(language).map_or(0, BTreeSet::len);
        figures.codes.values_mut().for_each(Counts::finish);
    }
    model_counts
        .values_mut()
        .flat_map(|codes| codes.values_mut())
        .for_each(Counts::finish);
    let model = ad_model.map(|m| ModelFigures {
        version: m.version,
        training_hash: m.training_hash,
        threshold: MODEL_THRESHOLD,
        by_language: model_counts,
    });
    let out = Output {
        corpus: args.corpus.display().to_string(),
        split: match args.batch {
            Some(b) => format!("{:?}, batch {b}", args.split).to_lowercase(),
            None => format!("{:?}", args.split).to_lowercase(),
        },
        grammar_versions: grammar.versions().iter().map(|v| v.to_string()).collect(),
        method: "each ad checked alone with `check-ad` (no product): the rules' MK codes against the labels; a source's split is FNV-1a(source) mod 3 (0 = dev)",
        by_language,
        model,
        errors,
    };
    match args.format {
        Format::Json => to_json(&out),
        Format::Text => {
            let fmt = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.3}"));
            let mut s = format!(
                "corpus {} ({} sources), grammar {}\n",
                out.corpus,
                out.split,
                out.grammar_versions.join(", ")
            );
            s.push_str(
                "language  code                   ads  sources   tp   fp   fn  precision  recall\n",
            );
            for (language, f) in &out.by_language {
                for (code, c) in &f.codes {
                    s.push_str(&format!(
                        "{language:<9} {code:<21} {:>4} {:>8} {:>4} {:>4} {:>4}  {:>9}  {:>6}\n",
                        f.ads,
                        f.sources,
                        c.tp,
                        c.fp,
                        c.fn_,
                        fmt(c.precision),
                        fmt(c.recall)
                    ));
                }
            }
            if let Some(m) = &out.model {
                s.push_str(&format!(
                    "text model {} ({}), probability {}:\n",
                    m.version, m.training_hash, m.threshold
                ));
                s.push_str("language  code                    tp   fp   fn  precision  recall\n");
                for (language, codes) in &m.by_language {
                    for (code, c) in codes {
                        s.push_str(&format!(
                            "{language:<9} {code:<21} {:>4} {:>4} {:>4}  {:>9}  {:>6}\n",
                            c.tp,
                            c.fp,
                            c.fn_,
                            fmt(c.precision),
                            fmt(c.recall)
                        ));
                    }
                }
            }
            for e in &out.errors {
                s.push_str(&format!(
                    "error {}: expected [{}] found [{}]: {}\n",
                    e.id,
                    e.expected.join(", "),
                    e.found.join(", "),
                    e.text
                ));
            }
            Ok(s)
        }
    }
}
