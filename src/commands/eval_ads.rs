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
use finrisk_models::corpus::{LABELLED_CODES, read_corpus, source_split};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The codes a corpus labels and the rules are measured on.
pub(crate) const EVAL_CODES: [&str; 5] = LABELLED_CODES;

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
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<AdError>,
}

pub(crate) fn run(args: &EvalAdsArgs) -> anyhow::Result<String> {
    let text = std::fs::read_to_string(&args.corpus).map_err(|e| {
        bad_input(format!(
            "corpus: cannot read {}: {e}",
            args.corpus.display()
        ))
    })?;
    let grammar = load_grammars(&args.grammar.grammar)?;
    let mut rulesets: std::collections::HashMap<Jurisdiction, Ruleset> =
        std::collections::HashMap::new();
    let mut by_language: BTreeMap<String, LanguageFigures> = BTreeMap::new();
    let mut sources: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut errors = Vec::new();
    let ads = read_corpus(&text).map_err(|e| bad_input(e.to_string()))?;
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
            match (expected.contains(code), found.contains(code)) {
                (true, true) => c.tp += 1,
                (false, true) => c.fp += 1,
                (true, false) => c.fn_ += 1,
                (false, false) => c.tn += 1,
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
        for c in figures.codes.values_mut() {
            let ratio = |a: u32, b: u32| (b > 0).then(|| f64::from(a) / f64::from(b));
            c.precision = ratio(c.tp, c.tp + c.fp);
            c.recall = ratio(c.tp, c.tp + c.fn_);
        }
    }
    let out = Output {
        corpus: args.corpus.display().to_string(),
        split: match args.batch {
            Some(b) => format!("{:?}, batch {b}", args.split).to_lowercase(),
            None => format!("{:?}", args.split).to_lowercase(),
        },
        grammar_versions: grammar.versions().iter().map(|v| v.to_string()).collect(),
        method: "each ad checked alone with `check-ad` (no product): the rules' MK codes against the labels; a source's split is FNV-1a(source) mod 3 (0 = dev)",
        by_language,
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
