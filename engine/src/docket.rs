//! The docket: a court's view of many scored cases at once, and the judicial suggestions
//! (司法建议) drafted from it.
//!
//! [`DocketCase`] is the line of one scored case that the docket needs (who sued whom, what
//! was found, the cost figures of SPEC section 5). [`docket_figures`] sums a docket: per
//! currency and per plaintiff institution, the claimed amounts, the excess over the cap and
//! the supportable claim, the cases and cost above the cap, findings by code, the contract
//! APRs against the cap, filings by month, and borrowers sued in several cases. Every figure
//! comes with the counts it is made of, so a reader can check it against the scored table.
//!
//! [`draft_suggestion`] drafts the letter to one institution: the codes carried by at least the
//! ruleset's share of its cases (`[docket] suggestion_min_share`), each with its count, share,
//! example cases, legal basis and the remedy the ruleset recommends, the total excess, and every
//! case the letter rests on. Rendering (HTML, Markdown) is the caller's.

use crate::assess::CaseAssessment;
use crate::error::EngineError;
use crate::rates::ApplicableCap;
use crate::ruleset::Ruleset;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// One scored case, as the docket sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocketCase {
    /// Case number.
    pub case_id: String,
    /// Plaintiff institution.
    pub institution_id: String,
    /// Product, when known.
    pub product_id: Option<String>,
    /// Pseudonymous borrower key of the defendant.
    pub borrower_key: String,
    /// Jurisdiction code (`CN`).
    pub jurisdiction: String,
    /// Currency of every amount.
    pub currency: String,
    /// Filing date, `YYYY-MM-DD`.
    pub filed_at: String,
    /// Codes found, in the assessment's order.
    pub codes: Vec<String>,
    /// Overall score (0 best .. 100 worst).
    pub overall: f64,
    /// Grade.
    pub grade: String,
    /// The contract's legal APR.
    pub contract_apr_legal: f64,
    /// The annual cap rate, when the cap is a rate.
    pub cap_rate: Option<f64>,
    /// Principal plus capped costs claimed, minor units.
    pub claimed_minor: i64,
    /// Costs paid and claimed, minor units.
    pub total_cost_minor: i64,
    /// Largest cost the cap allows, minor units.
    pub allowed_cost_minor: Option<i64>,
    /// Cost above the cap, minor units.
    pub excess_minor: i64,
    /// What the claim can be supported up to, minor units.
    pub supportable_claim_minor: i64,
}

impl DocketCase {
    /// The docket line of a scored case.
    pub fn new(a: &CaseAssessment) -> Self {
        let c = &a.cost;
        Self {
            case_id: a.case_id.clone(),
            institution_id: a.institution_id.clone(),
            product_id: a.product_id.clone(),
            borrower_key: a.borrower_key.clone(),
            jurisdiction: a.jurisdiction.to_string(),
            currency: a.currency.clone(),
            filed_at: a.filed_at.to_string(),
            codes: a
                .assessment
                .findings
                .iter()
                .map(|f| f.code.to_string())
                .collect(),
            overall: a.assessment.scores.overall,
            grade: a.assessment.grade.to_string(),
            contract_apr_legal: c.contract_apr_legal,
            cap_rate: match &c.cap {
                ApplicableCap::AnnualRate { rate, .. } => Some(*rate),
                _ => None,
            },
            claimed_minor: c.claimed_minor,
            total_cost_minor: c.total_cost_minor,
            allowed_cost_minor: c.allowed_cost_minor,
            excess_minor: c.excess_minor,
            supportable_claim_minor: c.supportable_claim_minor,
        }
    }

    /// The filing month, `YYYY-MM`.
    pub fn filing_month(&self) -> &str {
        self.filed_at.get(..7).unwrap_or(&self.filed_at)
    }
}

/// Sums of money over a set of cases, in one currency.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MoneyTotals {
    /// Currency.
    pub currency: String,
    /// Cases.
    pub cases: usize,
    /// Cases whose cost is above the cap (`excess_minor` > 0).
    pub cases_above_cap: usize,
    /// `cases_above_cap / cases`.
    pub share_cases_above_cap: f64,
    /// Principal plus capped costs claimed.
    pub claimed_minor: i64,
    /// Costs paid and claimed.
    pub total_cost_minor: i64,
    /// Costs of the cases above the cap.
    pub cost_of_cases_above_cap_minor: i64,
    /// `cost_of_cases_above_cap_minor / total_cost_minor`: the share of claimed cost that sits
    /// in cases above the cap.
    pub share_cost_in_cases_above_cap: f64,
    /// Excess over the cap.
    pub excess_minor: i64,
    /// `excess_minor / total_cost_minor`: the share of cost the cap does not allow.
    pub share_cost_excess: f64,
    /// Supportable claim.
    pub supportable_claim_minor: i64,
}

impl MoneyTotals {
    fn add(&mut self, c: &DocketCase) {
        self.cases += 1;
        if c.excess_minor > 0 {
            self.cases_above_cap += 1;
            self.cost_of_cases_above_cap_minor += c.total_cost_minor;
        }
        self.claimed_minor += c.claimed_minor;
        self.total_cost_minor += c.total_cost_minor;
        self.excess_minor += c.excess_minor;
        self.supportable_claim_minor += c.supportable_claim_minor;
    }

    fn finish(&mut self) {
        self.share_cases_above_cap = ratio(self.cases_above_cap as f64, self.cases as f64);
        let cost = self.total_cost_minor as f64;
        self.share_cost_in_cases_above_cap = ratio(self.cost_of_cases_above_cap_minor as f64, cost);
        self.share_cost_excess = ratio(self.excess_minor as f64, cost);
    }
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { 0.0 }
}

/// A code with the number and share of cases carrying it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CodeCases {
    /// Code.
    pub code: String,
    /// Cases carrying it.
    pub cases: usize,
    /// `cases` over the cases of the group.
    pub share: f64,
}

/// One plaintiff institution's line of the docket.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InstitutionDocket {
    /// Institution.
    pub institution_id: String,
    /// Money figures (one currency: an institution suing in two currencies has two lines).
    #[serde(flatten)]
    pub totals: MoneyTotals,
    /// Findings on its cases, all codes together.
    pub findings: usize,
    /// `findings / cases`: findings per case.
    pub finding_rate: f64,
    /// Mean overall score of its cases.
    pub mean_overall: f64,
    /// Codes on its cases, most frequent first.
    pub codes: Vec<CodeCases>,
    /// Products it sued under, with their case counts.
    pub products: BTreeMap<String, usize>,
    /// Rank by excess over the cap (1 = largest).
    pub rank_by_excess: usize,
    /// Rank by finding rate (1 = highest).
    pub rank_by_finding_rate: usize,
}

/// Contract APRs of the docket in bins of 4 percentage points, against the cap.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AprBin {
    /// Lower edge, as a rate (0.24).
    pub from: f64,
    /// Upper edge (exclusive; the last bin is open).
    pub to: Option<f64>,
    /// Cases with a contract APR in the bin.
    pub cases: usize,
}

/// The contract APRs against the cap.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AprAgainstCap {
    /// Bins of 4 points up to 100%, and one open bin above.
    pub bins: Vec<AprBin>,
    /// Cases whose cap is an annual rate.
    pub cases_with_rate_cap: usize,
    /// Of those, cases whose contract APR is above their cap.
    pub contract_apr_above_cap: usize,
    /// Median contract APR.
    pub median_contract_apr: f64,
}

/// Filings in one month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FilingMonth {
    /// `YYYY-MM`.
    pub month: String,
    /// Cases filed.
    pub cases: usize,
    /// Cases per plaintiff.
    pub by_institution: BTreeMap<String, usize>,
    /// Cases per product (`institution/product`).
    pub by_product: BTreeMap<String, usize>,
}

/// A borrower sued in more than one case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RepeatBorrower {
    /// Pseudonymous key.
    pub borrower_key: String,
    /// Their cases.
    pub case_ids: Vec<String>,
    /// The plaintiffs.
    pub institutions: Vec<String>,
}

/// Every figure of a docket.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocketFigures {
    /// Cases.
    pub cases: usize,
    /// Totals per currency.
    pub totals: Vec<MoneyTotals>,
    /// Institutions, ranked by excess (then by finding rate, then id).
    pub institutions: Vec<InstitutionDocket>,
    /// Codes over the whole docket, most frequent first.
    pub findings: Vec<CodeCases>,
    /// Contract APRs against the cap.
    pub apr: AprAgainstCap,
    /// Filings per month, in order.
    pub filing_months: Vec<FilingMonth>,
    /// Plaintiffs that filed in more than one month: institution -> months with filings.
    pub repeat_plaintiffs: BTreeMap<String, usize>,
    /// Products sued on in more than one month: `institution/product` -> months with filings.
    pub repeat_products: BTreeMap<String, usize>,
    /// Borrowers in several cases, most cases first.
    pub repeat_borrowers: Vec<RepeatBorrower>,
}

fn code_cases<'a>(codes: impl Iterator<Item = &'a String>, cases: usize) -> Vec<CodeCases> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for c in codes {
        *counts.entry(c.as_str()).or_insert(0) += 1;
    }
    let mut list: Vec<CodeCases> = counts
        .into_iter()
        .map(|(code, n)| CodeCases {
            code: code.to_string(),
            cases: n,
            share: ratio(n as f64, cases as f64),
        })
        .collect();
    list.sort_by(|a, b| b.cases.cmp(&a.cases).then_with(|| a.code.cmp(&b.code)));
    list
}

/// The distinct codes of a case (a code is counted once per case).
fn distinct_codes(c: &DocketCase) -> BTreeSet<&String> {
    c.codes.iter().collect()
}

/// Sums a docket.
pub fn docket_figures(cases: &[DocketCase]) -> DocketFigures {
    let mut totals: BTreeMap<&str, MoneyTotals> = BTreeMap::new();
    let mut groups: BTreeMap<(&str, &str), Vec<&DocketCase>> = BTreeMap::new();
    for c in cases {
        totals
            .entry(c.currency.as_str())
            .or_insert_with(|| MoneyTotals {
                currency: c.currency.clone(),
                ..MoneyTotals::default()
            })
            .add(c);
        groups
            .entry((c.institution_id.as_str(), c.currency.as_str()))
            .or_default()
            .push(c);
    }
    let mut totals: Vec<MoneyTotals> = totals.into_values().collect();
    totals.iter_mut().for_each(MoneyTotals::finish);

    let mut institutions: Vec<InstitutionDocket> = groups
        .into_iter()
        .map(|((id, currency), list)| {
            let mut t = MoneyTotals {
                currency: currency.to_string(),
                ..MoneyTotals::default()
            };
            let mut products = BTreeMap::new();
            for c in &list {
                t.add(c);
                *products
                    .entry(c.product_id.clone().unwrap_or_default())
                    .or_insert(0) += 1;
            }
            t.finish();
            let findings: usize = list.iter().map(|c| c.codes.len()).sum();
            InstitutionDocket {
                institution_id: id.to_string(),
                findings,
                finding_rate: ratio(findings as f64, list.len() as f64),
                mean_overall: ratio(
                    list.iter().map(|c| c.overall).sum::<f64>(),
                    list.len() as f64,
                ),
                codes: code_cases(list.iter().flat_map(|c| distinct_codes(c)), list.len()),
                products,
                totals: t,
                rank_by_excess: 0,
                rank_by_finding_rate: 0,
            }
        })
        .collect();
    let mut order: Vec<usize> = (0..institutions.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&institutions[a], &institutions[b]);
        y.finding_rate
            .total_cmp(&x.finding_rate)
            .then_with(|| x.institution_id.cmp(&y.institution_id))
    });
    for (rank, i) in order.into_iter().enumerate() {
        institutions[i].rank_by_finding_rate = rank + 1;
    }
    institutions.sort_by(|x, y| {
        y.totals
            .excess_minor
            .cmp(&x.totals.excess_minor)
            .then_with(|| y.finding_rate.total_cmp(&x.finding_rate))
            .then_with(|| x.institution_id.cmp(&y.institution_id))
    });
    for (rank, inst) in institutions.iter_mut().enumerate() {
        inst.rank_by_excess = rank + 1;
    }

    DocketFigures {
        cases: cases.len(),
        totals,
        institutions,
        findings: code_cases(cases.iter().flat_map(distinct_codes), cases.len()),
        apr: apr_against_cap(cases),
        filing_months: filing_months(cases),
        repeat_plaintiffs: repeat_over_months(cases, |c| c.institution_id.clone()),
        repeat_products: repeat_over_months(cases, product_key),
        repeat_borrowers: repeat_borrowers(cases),
    }
}

fn apr_against_cap(cases: &[DocketCase]) -> AprAgainstCap {
    const BINS: usize = 25;
    let mut counts = [0usize; BINS + 1];
    let mut aprs: Vec<f64> = Vec::with_capacity(cases.len());
    let (mut with_cap, mut above) = (0, 0);
    for c in cases {
        let apr = c.contract_apr_legal;
        aprs.push(apr);
        // Bins of 4 points ([0.24, 0.28) ...); 100% and more, and anything not a number, share
        // the open bin; edges as k * 4 / 100 so that 0.24 is exactly an edge.
        let bin = (0..BINS)
            .find(|&k| apr < (k + 1) as f64 * 4.0 / 100.0)
            .unwrap_or(BINS);
        counts[bin] += 1;
        if let Some(cap) = c.cap_rate {
            with_cap += 1;
            if apr > cap {
                above += 1;
            }
        }
    }
    aprs.sort_by(f64::total_cmp);
    let median = if aprs.is_empty() {
        0.0
    } else {
        aprs[aprs.len() / 2]
    };
    AprAgainstCap {
        bins: counts
            .iter()
            .enumerate()
            .map(|(k, &n)| AprBin {
                from: k as f64 * 4.0 / 100.0,
                to: (k < BINS).then(|| (k + 1) as f64 * 4.0 / 100.0),
                cases: n,
            })
            .collect(),
        cases_with_rate_cap: with_cap,
        contract_apr_above_cap: above,
        median_contract_apr: median,
    }
}

fn filing_months(cases: &[DocketCase]) -> Vec<FilingMonth> {
    let mut months: BTreeMap<&str, FilingMonth> = BTreeMap::new();
    for c in cases {
        let m = months
            .entry(c.filing_month())
            .or_insert_with(|| FilingMonth {
                month: c.filing_month().to_string(),
                cases: 0,
                by_institution: BTreeMap::new(),
                by_product: BTreeMap::new(),
            });
        m.cases += 1;
        *m.by_institution
            .entry(c.institution_id.clone())
            .or_insert(0) += 1;
        *m.by_product.entry(product_key(c)).or_insert(0) += 1;
    }
    months.into_values().collect()
}

/// `institution/product` (`-` for an unknown product).
fn product_key(c: &DocketCase) -> String {
    format!(
        "{}/{}",
        c.institution_id,
        c.product_id.as_deref().unwrap_or("-")
    )
}

/// The keys (plaintiffs, products) with filings in more than one month, with their months.
fn repeat_over_months(
    cases: &[DocketCase],
    key: impl Fn(&DocketCase) -> String,
) -> BTreeMap<String, usize> {
    let mut months: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    for c in cases {
        months.entry(key(c)).or_default().insert(c.filing_month());
    }
    months
        .into_iter()
        .filter(|(_, m)| m.len() > 1)
        .map(|(k, m)| (k, m.len()))
        .collect()
}

fn repeat_borrowers(cases: &[DocketCase]) -> Vec<RepeatBorrower> {
    let mut by_key: BTreeMap<&str, Vec<&DocketCase>> = BTreeMap::new();
    for c in cases {
        by_key.entry(c.borrower_key.as_str()).or_default().push(c);
    }
    let mut list: Vec<RepeatBorrower> = by_key
        .into_iter()
        .filter(|(_, v)| v.len() > 1)
        .map(|(key, v)| RepeatBorrower {
            borrower_key: key.to_string(),
            case_ids: v.iter().map(|c| c.case_id.clone()).collect(),
            institutions: v
                .iter()
                .map(|c| c.institution_id.clone())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
        })
        .collect();
    list.sort_by(|a, b| {
        b.case_ids
            .len()
            .cmp(&a.case_ids.len())
            .then_with(|| a.borrower_key.cmp(&b.borrower_key))
    });
    list
}

/// The language of a judicial suggestion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LetterLanguage {
    /// Chinese.
    Zh,
    /// English.
    En,
}

impl LetterLanguage {
    /// `zh` or `en`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "zh" => Some(Self::Zh),
            "en" => Some(Self::En),
            _ => None,
        }
    }
}

/// One pattern a suggestion addresses.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SuggestionItem {
    /// Code.
    pub code: String,
    /// What the code means (the catalogue's words).
    pub meaning: String,
    /// Cases of the institution carrying it.
    pub cases: usize,
    /// `cases` over the institution's cases.
    pub share: f64,
    /// Excess over the cap in these cases, minor units.
    pub excess_minor: i64,
    /// Up to five example cases (largest excess first, then by case id).
    pub example_cases: Vec<String>,
    /// Legal basis (the ruleset's, in the letter's language).
    pub basis: String,
    /// The remedy asked for.
    pub remedy: String,
}

/// A judicial suggestion drafted for one institution.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    /// Addressee.
    pub institution_id: String,
    /// Language.
    pub language: LetterLanguage,
    /// Ruleset the findings and texts come from.
    pub ruleset_version: String,
    /// Jurisdiction.
    pub jurisdiction: String,
    /// Threshold share used.
    pub min_share: f64,
    /// The institution's money figures.
    pub totals: MoneyTotals,
    /// Filing months covered (first, last).
    pub period: (String, String),
    /// The patterns: RC-COST-CAP first, then the most frequent.
    pub items: Vec<SuggestionItem>,
    /// Every case the letter rests on: those carrying at least one of its codes.
    pub cases: Vec<String>,
}

/// Why no letter is drafted for an institution.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NoSuggestion {
    /// The institution.
    pub institution_id: String,
    /// Its cases in the docket.
    pub cases: usize,
    /// Its most frequent code and its share, if any.
    pub most_frequent: Option<CodeCases>,
    /// Why.
    pub reason: String,
}

/// Drafts the judicial suggestion to `institution` from the docket `cases` (the institution's
/// cases are picked out), or says why there is none: fewer cases than the ruleset's minimum, or
/// no code carried by at least its share of them. An institution with no case in the docket is
/// an error naming it.
pub fn draft_suggestion(
    cases: &[DocketCase],
    institution: &str,
    ruleset: &Ruleset,
    language: Option<LetterLanguage>,
) -> Result<Result<Suggestion, NoSuggestion>, EngineError> {
    let mine: Vec<&DocketCase> = cases
        .iter()
        .filter(|c| c.institution_id == institution)
        .collect();
    if mine.is_empty() {
        let mut known: Vec<&str> = cases.iter().map(|c| c.institution_id.as_str()).collect();
        known.sort_unstable();
        known.dedup();
        known.truncate(20);
        return Err(EngineError::field(
            "institution",
            format!(
                "`{institution}` has no case in the docket (plaintiffs: {})",
                known.join(", ")
            ),
        ));
    }
    let language = language.unwrap_or_else(|| {
        LetterLanguage::parse(&ruleset.docket.letter_language).unwrap_or(LetterLanguage::En)
    });
    let rules = &ruleset.docket;
    let codes = code_cases(mine.iter().flat_map(|c| distinct_codes(c)), mine.len());
    let mut totals = MoneyTotals {
        currency: mine[0].currency.clone(),
        ..MoneyTotals::default()
    };
    for c in &mine {
        if c.currency == totals.currency {
            totals.add(c);
        }
    }
    totals.finish();
    if mine.len() < rules.suggestion_min_cases {
        return Ok(Err(NoSuggestion {
            institution_id: institution.to_string(),
            cases: mine.len(),
            most_frequent: codes.first().cloned(),
            reason: format!(
                "{} case(s) in the docket, fewer than the ruleset's minimum of {} for a pattern",
                mine.len(),
                rules.suggestion_min_cases
            ),
        }));
    }
    // Overcharging first (what the court itself cut), then by how many cases carry a code.
    let mut carried: Vec<&CodeCases> = codes
        .iter()
        .filter(|c| c.share >= rules.suggestion_min_share)
        .collect();
    carried.sort_by_key(|c| c.code != "RC-COST-CAP");
    if carried.is_empty() {
        return Ok(Err(NoSuggestion {
            institution_id: institution.to_string(),
            cases: mine.len(),
            most_frequent: codes.first().cloned(),
            reason: format!(
                "no code is carried by at least {:.0}% of its {} cases",
                rules.suggestion_min_share * 100.0,
                mine.len()
            ),
        }));
    }
    let mut items = Vec::new();
    let mut rest_on: BTreeSet<&str> = BTreeSet::new();
    for cc in carried {
        let rule = ruleset.codes.get(&cc.code);
        let mut with: Vec<&&DocketCase> =
            mine.iter().filter(|c| c.codes.contains(&cc.code)).collect();
        with.sort_by(|a, b| {
            b.excess_minor
                .cmp(&a.excess_minor)
                .then_with(|| a.case_id.cmp(&b.case_id))
        });
        rest_on.extend(with.iter().map(|c| c.case_id.as_str()));
        let (basis, remedy) = match (language, rule) {
            (LetterLanguage::Zh, Some(r)) => (
                r.basis_zh.clone().unwrap_or_else(|| r.basis.to_string()),
                r.recommendation_zh
                    .clone()
                    .unwrap_or_else(|| r.recommendation.to_string()),
            ),
            (LetterLanguage::En, Some(r)) => (r.basis.to_string(), r.recommendation.to_string()),
            (_, None) => (String::new(), String::new()),
        };
        items.push(SuggestionItem {
            code: cc.code.clone(),
            meaning: crate::catalogue::CodeId::find(&cc.code)
                .map(|id| id.spec().meaning.to_string())
                .unwrap_or_default(),
            cases: cc.cases,
            share: cc.share,
            excess_minor: with.iter().map(|c| c.excess_minor).sum(),
            example_cases: with.iter().take(5).map(|c| c.case_id.clone()).collect(),
            basis,
            remedy,
        });
    }
    let first = mine.iter().map(|c| c.filing_month()).min().unwrap_or("");
    let last = mine.iter().map(|c| c.filing_month()).max().unwrap_or("");
    Ok(Ok(Suggestion {
        institution_id: institution.to_string(),
        language,
        ruleset_version: ruleset.version.clone(),
        jurisdiction: ruleset.jurisdiction.as_str().to_string(),
        min_share: rules.suggestion_min_share,
        totals,
        period: (first.to_string(), last.to_string()),
        items,
        cases: rest_on.into_iter().map(str::to_string).collect(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(id: &str, inst: &str, key: &str, excess: i64, codes: &[&str]) -> DocketCase {
        DocketCase {
            case_id: id.into(),
            institution_id: inst.into(),
            product_id: Some("P".into()),
            borrower_key: key.into(),
            jurisdiction: "CN".into(),
            currency: "CNY".into(),
            filed_at: "2024-05-10".into(),
            codes: codes.iter().map(|c| c.to_string()).collect(),
            overall: 50.0,
            grade: "C".into(),
            contract_apr_legal: 0.3,
            cap_rate: Some(0.24),
            claimed_minor: 1000,
            total_cost_minor: 300,
            allowed_cost_minor: Some(300 - excess),
            excess_minor: excess,
            supportable_claim_minor: 1000 - excess,
        }
    }

    #[test]
    fn totals_are_the_sums_and_ranks_follow_excess() {
        let cases = vec![
            case("1", "A", "k1", 100, &["RC-COST-CAP"]),
            case("2", "A", "k2", 0, &[]),
            case("3", "B", "k1", 50, &["RC-COST-CAP", "RC-STUDENT"]),
        ];
        let f = docket_figures(&cases);
        assert_eq!(f.totals[0].excess_minor, 150);
        assert_eq!(f.totals[0].cases_above_cap, 2);
        assert_eq!(f.totals[0].cost_of_cases_above_cap_minor, 600);
        assert_eq!(f.institutions[0].institution_id, "A");
        assert_eq!(f.institutions[0].rank_by_excess, 1);
        assert_eq!(f.institutions[1].rank_by_finding_rate, 1);
        assert_eq!(f.repeat_borrowers.len(), 1);
        assert_eq!(f.repeat_borrowers[0].institutions, vec!["A", "B"]);
        assert_eq!(f.apr.contract_apr_above_cap, 3);
        assert_eq!(f.apr.bins[7].cases, 3, "0.30 is in [0.28, 0.32)");
    }

    #[test]
    fn a_letter_takes_codes_at_the_threshold_and_names_its_cases() {
        let ruleset = Ruleset::embedded(crate::domain::Jurisdiction::Cn).unwrap();
        let mut cases: Vec<DocketCase> = (0..10)
            .map(|i| case(&format!("A{i}"), "A", &format!("a{i}"), 0, &[]))
            .collect();
        cases[0] = case("A0", "A", "a0", 70, &["RC-COST-CAP"]);
        cases[1] = case("A1", "A", "a1", 30, &["RC-COST-CAP", "RC-STUDENT"]);
        let s = draft_suggestion(&cases, "A", &ruleset, None)
            .unwrap()
            .unwrap();
        assert_eq!(s.language, LetterLanguage::Zh);
        let codes: Vec<&str> = s.items.iter().map(|i| i.code.as_str()).collect();
        assert_eq!(codes, vec!["RC-COST-CAP", "RC-STUDENT"]);
        assert_eq!(s.items[0].excess_minor, 100);
        assert_eq!(s.items[0].example_cases, vec!["A0", "A1"]);
        assert!(s.items[0].basis.contains("24%"));
        assert_eq!(s.cases, vec!["A0", "A1"]);
        // One case in ten is below a 15% threshold.
        let mut strict = ruleset.clone();
        strict.docket.suggestion_min_share = 0.15;
        let s = draft_suggestion(&cases, "A", &strict, Some(LetterLanguage::En))
            .unwrap()
            .unwrap();
        assert_eq!(s.items.len(), 1);
        assert_eq!(s.cases, vec!["A0", "A1"]);
        strict.docket.suggestion_min_share = 0.5;
        let none = draft_suggestion(&cases, "A", &strict, None)
            .unwrap()
            .unwrap_err();
        assert!(none.reason.contains("50%"), "{}", none.reason);
        assert!(draft_suggestion(&cases, "Z", &ruleset, None).is_err());
    }
}
