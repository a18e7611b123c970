//! The ad text checks shared by products (their ads) and cases (the marketing texts in
//! evidence), and the check of one ad on its own ([`assess_ad`]).

use super::collector::{Assessment, Collector, merge, score_findings};
use super::product::assess_product;
use crate::catalogue::{CodeId, code};
use crate::domain::Product;
use crate::domain::product::FeePer;
use crate::error::EngineError;
use crate::findings::{Dimension, Level};
use crate::marketing::{AdFacts, Category, ClaimGrammar, NoAprEvidence, PhraseMatch, Price};
use crate::ruleset::Ruleset;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// An evidence object from its fields, sorted by key: built in one pass (`json!` searches
/// the map for every key it inserts).
fn object<const N: usize>(fields: [(&str, Value); N]) -> Value {
    Value::Object(
        fields
            .into_iter()
            .map(|(key, value)| (key.to_string(), value))
            .collect(),
    )
}

fn number_or_null(x: Option<f64>) -> Value {
    x.map_or(Value::Null, Value::from)
}

fn phrase_json(ad: usize, m: &PhraseMatch) -> Value {
    object([
        ("ad", Value::from(ad)),
        ("end", Value::from(m.end)),
        ("family", Value::String(m.family.clone())),
        ("pattern", Value::String(m.pattern.clone())),
        ("start", Value::from(m.start)),
        ("text", Value::String(m.text.clone())),
    ])
}

/// A stated price as evidence: where it is, what it says, and its annual equivalent with the
/// assumption behind it.
pub(super) fn price_json(ad: usize, p: &Price, day_basis: f64, term_days: Option<f64>) -> Value {
    let a = p.annualised(day_basis, term_days, None);
    object([
        ("ad", Value::from(ad)),
        ("annualised", Value::from(a.simple)),
        ("assumption", Value::String(a.assumption)),
        ("cost", number_or_null(p.cost)),
        ("end", Value::from(p.end)),
        ("family", Value::String(p.family.clone())),
        ("fee", Value::Bool(p.fee)),
        ("from_rate", Value::Bool(p.from)),
        ("labelled_annualised", Value::Bool(p.annualised_label)),
        ("pattern", Value::String(p.pattern.clone())),
        ("per_amount", number_or_null(p.per_amount)),
        ("period", Value::String(p.period.as_str().to_string())),
        ("period_days", number_or_null(p.period_days)),
        ("start", Value::from(p.start)),
        ("text", Value::String(p.text.clone())),
        ("value", Value::from(p.value)),
    ])
}

/// Text checks shared by products (ads) and cases (marketing texts): MK-NO-APR,
/// MK-PERIODIC-RATE, MK-FALSE-FREE, MK-INDUCEMENT, MK-VULNERABLE-TARGET, MK-NO-RISK-WARNING.
pub(super) fn text_findings(
    c: &mut Collector<'_>,
    facts: &[AdFacts],
    max_apr: f64,
    term_days: Option<f64>,
    context: Value,
) {
    let day_basis = c.ruleset().apr.quoted_rate_day_basis.days();
    if facts.is_empty() {
        return;
    }
    let mut per_code: BTreeMap<CodeId, Vec<Value>> = BTreeMap::new();
    for (i, f) in facts.iter().enumerate() {
        if let Some(e) = f.no_apr() {
            per_code.entry(code::MK_NO_APR).or_default().push(match e {
                NoAprEvidence::Price(p) => price_json(i, p, day_basis, term_days),
                NoAprEvidence::Claim(m) => phrase_json(i, m),
            });
        }
        if let Some(p) = f.periodic_first() {
            per_code
                .entry(code::MK_PERIODIC_RATE)
                .or_default()
                .push(price_json(i, p, day_basis, term_days));
        }
        if max_apr > 0.0 {
            for m in f.of_category(Category::Free) {
                per_code
                    .entry(code::MK_FALSE_FREE)
                    .or_default()
                    .push(phrase_json(i, m));
            }
        }
        for m in f.of_category(Category::Inducement) {
            per_code
                .entry(code::MK_INDUCEMENT)
                .or_default()
                .push(phrase_json(i, m));
        }
        for m in f.of_category(Category::Vulnerable) {
            per_code
                .entry(code::MK_VULNERABLE_TARGET)
                .or_default()
                .push(phrase_json(i, m));
        }
    }
    for (found, matches) in per_code {
        // The matches move into the evidence as they are (`json!` would serialise a copy).
        let mut ev = Value::Object(serde_json::Map::from_iter([(
            "matches".to_string(),
            Value::Array(matches),
        )]));
        if found == code::MK_FALSE_FREE {
            ev["apr"] = json!(max_apr);
        }
        merge(&mut ev, &context);
        c.add(found, ev);
    }
    if !facts.iter().any(AdFacts::has_risk_warning) {
        let mut ev = json!({ "ads_checked": facts.len() });
        merge(&mut ev, &context);
        c.add(code::MK_NO_RISK_WARNING, ev);
    }
}

/// MK-HIDDEN-FEE: the product has a mandatory fee (a named fee, a monthly or an up-front fee
/// rate) that no ad names. A fee the ad states (a price stated as a fee, `$15 per $100`,
/// 手续费每期0.6%) is not hidden; a fee phrase in a denial ("no hidden fees", 无手续费: the
/// grammar's `negation.fee` words just before it) does not disclose a fee.
pub(super) fn hidden_fee_findings(
    c: &mut Collector<'_>,
    product: &Product,
    facts: &[AdFacts],
    grammar: &ClaimGrammar,
) {
    if facts.is_empty() {
        return;
    }
    let pr = &product.pricing;
    let mut fees: Vec<String> = pr
        .other_fees
        .iter()
        .filter(|f| f.mandatory)
        .map(|f| {
            let per = if f.per == FeePer::Month {
                "month"
            } else {
                "loan"
            };
            format!("{} ({} per {per})", f.name, f.amount_minor)
        })
        .collect();
    if pr.monthly_fee_rate > 0.0 {
        fees.push(format!(
            "monthly fee {}% of principal",
            pr.monthly_fee_rate * 100.0
        ));
    }
    if pr.upfront_fee_rate > 0.0 {
        fees.push(format!(
            "up-front fee {}% of principal",
            pr.upfront_fee_rate * 100.0
        ));
    }
    let named = |name: &str| {
        let name = name.to_lowercase();
        product
            .marketing
            .iter()
            .any(|a| a.text.to_lowercase().contains(&name))
    };
    let any_fee_phrase = product
        .marketing
        .iter()
        .zip(facts)
        .any(|(ad, f)| f.states_fee(&ad.text, grammar));
    let unnamed_other = pr.other_fees.iter().any(|f| f.mandatory && !named(&f.name));
    if !fees.is_empty()
        && !any_fee_phrase
        && (unnamed_other || pr.monthly_fee_rate > 0.0 || pr.upfront_fee_rate > 0.0)
    {
        c.add(
            code::MK_HIDDEN_FEE,
            json!({ "mandatory_fees": fees, "ads_checked": facts.len() }),
        );
    }
}

/// The one-sided-marketing checks of one ad text. With a product, the ad is judged against the
/// product's pricing (APR, fees, advertised rate) as if it were the product's only ad; without
/// one, only the text checks run (MK-FALSE-FREE needs an APR, so it is left out).
pub fn assess_ad(
    text: &str,
    product: Option<&Product>,
    ruleset: &Ruleset,
    grammar: &ClaimGrammar,
) -> Result<Assessment, EngineError> {
    let mut check = crate::validate::Checker::new();
    check.text("text", text);
    check.finish()?;
    let findings = match product {
        Some(p) => {
            let mut one = p.clone();
            one.marketing = vec![crate::domain::product::Ad {
                channel: None,
                language: None,
                text: text.to_string(),
            }];
            let a = assess_product(&one, None, None, None, ruleset, grammar)?;
            a.assessment
                .findings
                .into_iter()
                .filter(|f| f.dimension == Dimension::OneSidedMarketing)
                .collect()
        }
        None => {
            let mut c = Collector::new(ruleset, Level::Product);
            text_findings(&mut c, &[AdFacts::of(text, grammar)], 0.0, None, json!({}));
            c.into_findings()
        }
    };
    Ok(score_findings(ruleset, findings))
}
