//! The ad text checks shared by products (their ads) and cases (the marketing texts in
//! evidence), and the check of one ad on its own ([`assess_ad`]).

use super::collector::{Assessment, Collector, merge, score_findings};
use super::product::assess_product;
use crate::catalogue::{CodeId, code};
use crate::domain::Product;
use crate::domain::product::FeePer;
use crate::error::EngineError;
use crate::findings::{Dimension, FindingEvidence, Level};
use crate::marketing::{AdFacts, Category, ClaimGrammar, NoAprEvidence, PhraseMatch, Price};
use crate::ruleset::Ruleset;
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// A writer of JSON text into a `String`: the few value kinds of an ad finding's evidence,
/// printed as serde_json prints them (numbers by the crates serde_json prints them with, itoa
/// and zmij; escapes by serde_json itself; a string with nothing to escape, the usual case for
/// patterns and matched text, copied as it is).
struct JsonText(String);

impl JsonText {
    fn raw(&mut self, s: &str) {
        self.0.push_str(s);
    }

    /// A key with nothing to escape, and the comma before it unless it is the first.
    fn key(&mut self, first: bool, key: &str) {
        self.0.reserve(key.len() + 4);
        if !first {
            self.0.push(',');
        }
        self.0.push('"');
        self.0.push_str(key);
        self.0.push_str("\":");
    }

    fn string(&mut self, s: &str) {
        // One pass with no early exit, which the compiler turns into vector code.
        let escapes = s.bytes().fold(false, |any, b| {
            any | (b < 0x20) | (b == b'"') | (b == b'\\')
        });
        if escapes {
            self.serialised(s);
        } else {
            self.0.reserve(s.len() + 2);
            self.0.push('"');
            self.0.push_str(s);
            self.0.push('"');
        }
    }

    fn serialised<T: Serialize + ?Sized>(&mut self, value: &T) {
        // serde_json prints a string, a number or a bool without failing.
        if let Ok(text) = serde_json::to_string(value) {
            self.0.push_str(&text);
        }
    }

    fn number(&mut self, x: f64) {
        if x.is_finite() {
            self.0.push_str(zmij::Buffer::new().format_finite(x));
        } else {
            self.0.push_str("null");
        }
    }

    fn optional_number(&mut self, x: Option<f64>) {
        match x {
            Some(x) => self.number(x),
            None => self.0.push_str("null"),
        }
    }

    fn integer(&mut self, n: usize) {
        self.0.push_str(itoa::Buffer::new().format(n));
    }

    fn boolean(&mut self, b: bool) {
        self.0.push_str(if b { "true" } else { "false" });
    }
}

/// A claim or a price in an ad finding's `matches`.
enum MatchEvidence<'a> {
    /// A claim of ad `.0`, borrowed from what the ad's reading found.
    Phrase(usize, &'a PhraseMatch),
    /// A stated price: its JSON object, written once however many findings cite it (MK-NO-APR
    /// and MK-PERIODIC-RATE often cite the same daily rate).
    Price(std::rc::Rc<str>),
}

impl MatchEvidence<'_> {
    /// About how many bytes the match's JSON takes (to size the text once).
    fn size_hint(&self) -> usize {
        match self {
            Self::Phrase(_, m) => 80 + m.family.len() + m.pattern.len() + m.text.len(),
            Self::Price(text) => text.len(),
        }
    }

    /// The match as a JSON object, keys in sorted order.
    fn write(&self, out: &mut JsonText) {
        match self {
            Self::Phrase(ad, m) => {
                out.raw("{");
                out.key(true, "ad");
                out.integer(*ad);
                out.key(false, "end");
                out.integer(m.end);
                out.key(false, "family");
                out.string(&m.family);
                out.key(false, "pattern");
                out.string(&m.pattern);
                out.key(false, "start");
                out.integer(m.start);
                out.key(false, "text");
                out.string(&m.text);
                out.raw("}");
            }
            Self::Price(text) => out.raw(text),
        }
    }
}

/// A stated price of ad `ad` as a JSON object: where it is, what it says, and its annual
/// equivalent with the assumption behind it, keys in sorted order.
fn price_text(ad: usize, p: &Price, day_basis: f64, term_days: Option<f64>) -> std::rc::Rc<str> {
    let a = p.annualised(day_basis, term_days, None);
    let size = 300 + p.family.len() + p.pattern.len() + p.text.len() + a.assumption.len();
    let mut out = JsonText(String::with_capacity(size));
    out.raw("{");
    out.key(true, "ad");
    out.integer(ad);
    out.key(false, "annualised");
    out.number(a.simple);
    out.key(false, "assumption");
    out.string(&a.assumption);
    out.key(false, "cost");
    out.optional_number(p.cost);
    out.key(false, "end");
    out.integer(p.end);
    out.key(false, "family");
    out.string(&p.family);
    out.key(false, "fee");
    out.boolean(p.fee);
    out.key(false, "from_rate");
    out.boolean(p.from);
    out.key(false, "labelled_annualised");
    out.boolean(p.annualised_label);
    out.key(false, "pattern");
    out.string(&p.pattern);
    out.key(false, "per_amount");
    out.optional_number(p.per_amount);
    out.key(false, "period");
    out.string(p.period.as_str());
    out.key(false, "period_days");
    out.optional_number(p.period_days);
    out.key(false, "start");
    out.integer(p.start);
    out.key(false, "text");
    out.string(&p.text);
    out.key(false, "value");
    out.number(p.value);
    out.raw("}");
    out.0.into()
}

/// A stated price as a JSON value (for evidence merged as a `Value`, MK-RATE-UNDERSTATED): the
/// object [`price_text`] writes.
pub(super) fn price_value(ad: usize, p: &Price, day_basis: f64, term_days: Option<f64>) -> Value {
    serde_json::from_str(&price_text(ad, p, day_basis, term_days)).unwrap_or(Value::Null)
}

/// The prices of an assessment written as JSON, each once.
struct WrittenPrices<'a> {
    day_basis: f64,
    term_days: Option<f64>,
    written: Vec<(usize, &'a Price, std::rc::Rc<str>)>,
}

impl<'a> WrittenPrices<'a> {
    /// Price `p` of ad `ad` as evidence: written on first use, shared after.
    fn evidence(&mut self, ad: usize, p: &'a Price) -> MatchEvidence<'a> {
        if let Some((_, _, text)) = self
            .written
            .iter()
            .find(|(a, q, _)| *a == ad && std::ptr::eq(*q, p))
        {
            return MatchEvidence::Price(text.clone());
        }
        let text = price_text(ad, p, self.day_basis, self.term_days);
        self.written.push((ad, p, text.clone()));
        MatchEvidence::Price(text)
    }
}

/// The evidence of one ad finding as JSON text: its `matches`, `apr` for MK-FALSE-FREE, and
/// the fields of the context (which win over the others, as [`merge`] lets them), keys in
/// sorted order: the text a `serde_json::Value` built from the same fields prints.
fn text_evidence(
    matches: &[MatchEvidence<'_>],
    apr: Option<f64>,
    context: Option<&serde_json::Map<String, Value>>,
) -> FindingEvidence {
    let in_context = |key: &str| context.is_some_and(|c| c.contains_key(key));
    let mut keys: Vec<&str> = Vec::with_capacity(2 + context.map_or(0, serde_json::Map::len));
    if apr.is_some() && !in_context("apr") {
        keys.push("apr");
    }
    if !in_context("matches") {
        keys.push("matches");
    }
    if let Some(c) = context {
        keys.extend(c.keys().map(String::as_str));
    }
    keys.sort_unstable();
    let size = 64 + matches.iter().map(MatchEvidence::size_hint).sum::<usize>();
    let mut out = JsonText(String::with_capacity(size));
    out.raw("{");
    for (i, key) in keys.into_iter().enumerate() {
        out.key(i == 0, key);
        match (context.and_then(|c| c.get(key)), key) {
            (Some(v), _) => out.serialised(v),
            (None, "apr") => out.optional_number(apr),
            (None, _) => {
                out.raw("[");
                for (j, m) in matches.iter().enumerate() {
                    if j > 0 {
                        out.raw(",");
                    }
                    m.write(&mut out);
                }
                out.raw("]");
            }
        }
    }
    out.raw("}");
    FindingEvidence::from_json_text(out.0)
}

/// Text checks shared by products (ads) and cases (marketing texts): MK-NO-APR,
/// MK-PERIODIC-RATE, MK-FALSE-FREE, MK-INDUCEMENT, MK-VULNERABLE-TARGET, MK-NO-RISK-WARNING.
///
/// The matches' evidence is written straight into each finding's JSON text, borrowing the
/// claims and prices read from the ads: the same JSON a `serde_json::Value` per match would
/// print, without a `String` per key (see [`text_evidence`]).
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
    let mut per_code: BTreeMap<CodeId, Vec<MatchEvidence<'_>>> = BTreeMap::new();
    let mut prices = WrittenPrices {
        day_basis,
        term_days,
        written: Vec::new(),
    };
    for (i, f) in facts.iter().enumerate() {
        if let Some(e) = f.no_apr() {
            per_code.entry(code::MK_NO_APR).or_default().push(match e {
                NoAprEvidence::Price(p) => prices.evidence(i, p),
                NoAprEvidence::Claim(m) => MatchEvidence::Phrase(i, m),
            });
        }
        if let Some(p) = f.periodic_first() {
            per_code
                .entry(code::MK_PERIODIC_RATE)
                .or_default()
                .push(prices.evidence(i, p));
        }
        if max_apr > 0.0 {
            for m in f.of_category(Category::Free) {
                per_code
                    .entry(code::MK_FALSE_FREE)
                    .or_default()
                    .push(MatchEvidence::Phrase(i, m));
            }
        }
        for m in f.of_category(Category::Inducement) {
            per_code
                .entry(code::MK_INDUCEMENT)
                .or_default()
                .push(MatchEvidence::Phrase(i, m));
        }
        for m in f.of_category(Category::Vulnerable) {
            per_code
                .entry(code::MK_VULNERABLE_TARGET)
                .or_default()
                .push(MatchEvidence::Phrase(i, m));
        }
    }
    let context_fields = context.as_object().filter(|c| !c.is_empty());
    for (found, matches) in &per_code {
        let apr = (*found == code::MK_FALSE_FREE).then_some(max_apr);
        c.add_text(*found, text_evidence(matches, apr, context_fields));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::marketing::{PriceForm, PricePeriod};
    use proptest::prelude::*;

    fn phrase(family: &str, pattern: &str, text: &str, start: usize) -> PhraseMatch {
        PhraseMatch {
            category: Category::Inducement,
            family: family.into(),
            pattern: pattern.into(),
            text: text.to_string(),
            start,
            end: start + text.chars().count(),
            slots: Vec::new(),
            negated_by: None,
        }
    }

    fn price(text: &str, value: f64, cost: Option<f64>, period_days: Option<f64>) -> Price {
        Price {
            family: "daily".into(),
            pattern: "(日息){gap:8}{pct:rate}".into(),
            form: PriceForm::Rate,
            value,
            period: PricePeriod::Day,
            period_days,
            cost,
            per_amount: cost.map(|c| c * 100.0),
            fee: false,
            annualised_label: false,
            from: true,
            start: 3,
            end: 11,
            value_start: 5,
            value_end: 9,
            text: text.to_string(),
        }
    }

    /// An evidence object from its fields (the way the evidence was built before it was
    /// written as text: the independent reference of these tests).
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

    /// A stated price as a `Value`, field by field.
    fn price_json(ad: usize, p: &Price, day_basis: f64, term_days: Option<f64>) -> Value {
        let a = p.annualised(day_basis, term_days, None);
        object([
            ("ad", Value::from(ad)),
            ("annualised", Value::from(a.simple)),
            ("assumption", Value::String(a.assumption)),
            ("cost", number_or_null(p.cost)),
            ("end", Value::from(p.end)),
            ("family", Value::from(&*p.family)),
            ("fee", Value::Bool(p.fee)),
            ("from_rate", Value::Bool(p.from)),
            ("labelled_annualised", Value::Bool(p.annualised_label)),
            ("pattern", Value::from(&*p.pattern)),
            ("per_amount", number_or_null(p.per_amount)),
            ("period", Value::String(p.period.as_str().to_string())),
            ("period_days", number_or_null(p.period_days)),
            ("start", Value::from(p.start)),
            ("text", Value::String(p.text.clone())),
            ("value", Value::from(p.value)),
        ])
    }

    /// What the evidence was before it was written as text: a `Value` per match, the
    /// context merged in, printed by serde_json.
    fn as_values(
        phrases: &[(usize, &PhraseMatch)],
        prices: &[(usize, &Price)],
        apr: Option<f64>,
        context: &Value,
    ) -> String {
        let mut matches: Vec<Value> = phrases
            .iter()
            .map(|(ad, m)| {
                json!({ "ad": ad, "end": m.end, "family": &*m.family, "pattern": &*m.pattern,
                    "start": m.start, "text": m.text })
            })
            .collect();
        matches.extend(prices.iter().map(|(ad, p)| price_json(*ad, p, 365.0, None)));
        let mut ev = json!({ "matches": matches });
        if let Some(apr) = apr {
            ev["apr"] = json!(apr);
        }
        merge(&mut ev, context);
        ev.to_string()
    }

    fn as_text(
        phrases: &[(usize, &PhraseMatch)],
        prices: &[(usize, &Price)],
        apr: Option<f64>,
        context: &Value,
    ) -> String {
        let mut matches: Vec<MatchEvidence<'_>> = phrases
            .iter()
            .map(|(ad, m)| MatchEvidence::Phrase(*ad, m))
            .collect();
        matches.extend(
            prices
                .iter()
                .map(|(ad, p)| MatchEvidence::Price(price_text(*ad, p, 365.0, None))),
        );
        text_evidence(&matches, apr, context.as_object().filter(|c| !c.is_empty()))
            .as_json()
            .to_string()
    }

    #[test]
    fn an_ad_findings_evidence_text_is_what_a_value_prints() {
        let quoted = phrase("speed", r#"say "now" \ {dur}"#, "line\nbreak\t\u{1}", 0);
        let chinese = phrase("skipped_checks", "(不看|不查)(征信)", "不看征信", 13);
        let plain = price("日息低至万分之五", 0.0005, None, None);
        let odd = price("\"0.5\"", f64::NAN, Some(f64::INFINITY), Some(0.0));
        let cases: [(Option<f64>, Value); 5] = [
            (None, json!({})),
            (Some(0.36), json!({})),
            (None, json!({ "evidence.borrower_alleges_misled": true })),
            // Context keys win over the finding's own, and sort among them.
            (
                Some(0.2),
                json!({ "apr": "from the case", "a": 1, "z": [1, 2] }),
            ),
            (None, json!({ "matches": null })),
        ];
        for (apr, context) in cases {
            let phrases = [(0, &quoted), (1, &chinese)];
            let prices = [(0, &plain), (2, &odd)];
            let text = as_text(&phrases, &prices, apr, &context);
            assert_eq!(text, as_values(&phrases, &prices, apr, &context));
            let parsed: Value = serde_json::from_str(&text).expect("the evidence is JSON");
            assert!(parsed.is_object());
        }
    }

    proptest! {
        #[test]
        fn any_text_and_number_is_written_as_serde_json_writes_it(
            family in any::<String>(),
            pattern in any::<String>(),
            text in any::<String>(),
            start in 0usize..100_000,
            value in any::<f64>(),
            cost in proptest::option::of(any::<f64>()),
            apr in proptest::option::of(any::<f64>()),
        ) {
            let m = phrase(&family, &pattern, &text, start);
            let p = price(&text, value, cost, None);
            let phrases = [(start, &m)];
            let prices = [(1, &p)];
            let context = json!({});
            prop_assert_eq!(
                as_text(&phrases, &prices, apr, &context),
                as_values(&phrases, &prices, apr, &context)
            );
        }
    }
}
