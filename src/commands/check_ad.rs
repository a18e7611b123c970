//! `finrisk check-ad`: one ad text through the marketing analyser.

use crate::cli::{CheckAdArgs, Format};
use crate::failure::bad_input;
use crate::input::{DEFAULT_MAX_DOCUMENT_BYTES, load_ruleset, read_document};
use crate::output::{describe_assessment, pct, to_json};
use finrisk_engine::assess::{Assessment, assess_ad, shortest_term_days};
use finrisk_engine::domain::Product;
use finrisk_engine::marketing::{AdFacts, Annualised, PhraseMatch, Price};
use serde::Serialize;

/// A stated price with its annual equivalent and the assumption behind it.
#[derive(Serialize)]
struct PriceOut {
    #[serde(flatten)]
    price: Price,
    annualised: Annualised,
}

#[derive(Serialize)]
struct Output {
    text: String,
    ruleset_version: String,
    grammar_versions: Vec<String>,
    /// Every price of credit the ad states, parsed and annualised.
    prices: Vec<PriceOut>,
    /// Every claim the grammar found, negated ones included (with their cue).
    claims: Vec<PhraseMatch>,
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
    let grammar = crate::input::load_grammars(&args.grammar.grammar)?;
    let assessment = assess_ad(&args.text, product.as_ref(), &ruleset, &grammar)?;
    let basis = ruleset.apr.quoted_rate_day_basis.days();
    let term_days = product.as_ref().and_then(shortest_term_days);
    let facts = AdFacts::of(&args.text, &grammar);
    let prices = facts
        .prices
        .into_iter()
        .map(|price| PriceOut {
            annualised: price.annualised(basis, term_days, None),
            price,
        })
        .collect();
    let out = Output {
        text: args.text.clone(),
        ruleset_version: ruleset.version.clone(),
        grammar_versions: grammar.versions().into_iter().map(str::to_string).collect(),
        prices,
        claims: facts.matches,
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
            for p in &out.prices {
                s.push_str(&format!(
                    "  price \"{}\" [{}..{}]: {} {}{}{}{} = {} a year ({})\n",
                    p.price.text,
                    p.price.start,
                    p.price.end,
                    pct(p.price.value),
                    period_words(&p.price),
                    if p.price.annualised_label {
                        ", labelled annualised"
                    } else {
                        ""
                    },
                    if p.price.from { ", a 'from' price" } else { "" },
                    if p.price.fee { ", a fee" } else { "" },
                    pct(p.annualised.simple),
                    p.annualised.assumption
                ));
            }
            for m in &out.claims {
                s.push_str(&format!(
                    "  claim {} ({:?}) \"{}\" [{}..{}]{}\n",
                    m.family,
                    m.category,
                    m.text,
                    m.start,
                    m.end,
                    match &m.negated_by {
                        Some(cue) => format!(", negated by \"{cue}\": no finding"),
                        None => String::new(),
                    }
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

/// The period a price is stated for, in words: `per month`, `per 14 days`, `per loan of 7 days`.
fn period_words(price: &Price) -> String {
    use finrisk_engine::marketing::PricePeriod;
    // f64's Display writes 14.0 as "14".
    match (price.period, price.period_days) {
        (PricePeriod::Days | PricePeriod::Captured, Some(d)) => format!("per {d} days"),
        (PricePeriod::Loan, Some(d)) => format!("per loan of {d} days"),
        (period, _) => format!("per {}", period.as_str()),
    }
}
