//! `finrisk check-ad`: one ad text through the marketing analyser.

use crate::cli::{CheckAdArgs, Format};
use crate::failure::bad_input;
use crate::input::{DEFAULT_MAX_DOCUMENT_BYTES, load_ruleset, read_document};
use crate::output::{describe_assessment, pct, to_json};
use finrisk_engine::assess::{Assessment, assess_ad};
use finrisk_engine::domain::Product;
use finrisk_engine::marketing::{Lexicons, PhraseMatch, StatedRate, extract_rates};
use finrisk_engine::rates::annualise_quote;
use serde::Serialize;

#[derive(Serialize)]
struct RateOut {
    #[serde(flatten)]
    rate: StatedRate,
    annualised_simple: f64,
    annualised_compound: f64,
}

#[derive(Serialize)]
struct Output {
    text: String,
    ruleset_version: String,
    lexicon_versions: Vec<String>,
    rates: Vec<RateOut>,
    phrases: Vec<PhraseMatch>,
    /// Probability per MK code from the learned text model (a second opinion; the findings
    /// are the explanation).
    model: ModelOut,
    #[serde(flatten)]
    assessment: Assessment,
}

#[derive(Serialize)]
struct ModelOut {
    version: String,
    training_hash: String,
    probabilities: std::collections::BTreeMap<String, f64>,
}

pub(crate) fn run(args: &CheckAdArgs) -> anyhow::Result<String> {
    if args.text.trim().is_empty() {
        return Err(bad_input("text: must not be empty"));
    }
    let product = match &args.product {
        Some(path) => Some(Product::from_json(&read_document(
            path,
            "product",
            DEFAULT_MAX_DOCUMENT_BYTES,
        )?)?),
        None => None,
    };
    let jurisdiction = match &product {
        Some(p) => p.jurisdiction,
        None => crate::input::parse_jurisdiction(&args.jurisdiction)?,
    };
    let ruleset = load_ruleset(args.rules.rules.as_deref(), jurisdiction)?;
    let lexicons = Lexicons::embedded()?;
    let assessment = assess_ad(&args.text, product.as_ref(), &ruleset, &lexicons)?;
    let basis = ruleset.apr.quoted_rate_day_basis;
    let rates = extract_rates(&args.text)
        .into_iter()
        .map(|rate| {
            let a = annualise_quote(rate.value, rate.unit, basis);
            RateOut {
                rate,
                annualised_simple: a.simple,
                annualised_compound: a.compound,
            }
        })
        .collect();
    let out = Output {
        text: args.text.clone(),
        ruleset_version: ruleset.version.clone(),
        lexicon_versions: lexicons
            .versions()
            .into_iter()
            .map(str::to_string)
            .collect(),
        rates,
        phrases: lexicons.scan(&args.text),
        model: {
            let m = finrisk_models::AdModel::shipped()?;
            ModelOut {
                version: m.version.clone(),
                training_hash: m.training_hash.clone(),
                probabilities: m.probabilities(&args.text),
            }
        },
        assessment,
    };
    match args.format {
        Format::Json => to_json(&out),
        Format::Text => {
            let mut s = format!("Ad: {}\n", out.text);
            for r in &out.rates {
                s.push_str(&format!(
                    "  rate \"{}\": {} {:?}{}{} = {} a year (simple)\n",
                    r.rate.phrase,
                    pct(r.rate.value),
                    r.rate.unit,
                    if r.rate.annualised_label {
                        ", labelled annualised"
                    } else {
                        ""
                    },
                    if r.rate.from { ", a 'from' rate" } else { "" },
                    pct(r.annualised_simple)
                ));
            }
            let p: Vec<String> = out
                .model
                .probabilities
                .iter()
                .map(|(c, p)| format!("{c} {p:.2}"))
                .collect();
            s.push_str(&format!(
                "  text model ({}): {}\n",
                out.model.version,
                p.join(", ")
            ));
            s.push_str(&describe_assessment(&out.assessment));
            Ok(s)
        }
    }
}
