//! The evaluation index of a loan book: per institution and per product, the figures a court
//! would publish (mean dimension scores, how many grants carry each finding code, the shares of
//! students, unverified incomes, high DTI and many-lender grants, early and final default
//! rates, mean model PD), ranked worst first, each rank with the codes that drive it.

use crate::catalogue::{CodeCounts, CodeSet};
use crate::domain::grant::GrantBatch;
use crate::findings::{Scores, share};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// One row of a batch assessment of grants: what the index, the persons table and the batch
/// output are built from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GrantRow {
    /// Index in the batch.
    pub index: usize,
    /// Codes joined by `;`.
    pub findings: String,
    /// The same codes as a set, for counting them without reading the text (not serialised:
    /// `findings` carries them).
    #[serde(skip)]
    pub codes: CodeSet,
    /// Scores.
    pub scores: Scores,
    /// Grade.
    pub grade: char,
    /// Evidence of every finding, as a JSON object keyed by code (`{}` without findings). The
    /// model's PD, score and reasons are not in it: they are the batch's columns
    /// ([`crate::pd::GrantPds`] holds the reasons, by row).
    pub evidence: String,
    /// Model PD, when a PD model was applied.
    pub pd: Option<f64>,
    /// Scorecard score of the PD model.
    pub pd_score: Option<f64>,
}

/// The index of one institution or product.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupIndex {
    /// 1 = worst (highest mean overall score).
    pub rank: usize,
    /// Institution id, or product id.
    pub id: String,
    /// Institution of a product (for products).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub institution_id: Option<String>,
    /// Grants assessed.
    pub grants: usize,
    /// Mean weak-risk-control score.
    pub weak_risk_control: f64,
    /// Mean duplicate-credit score.
    pub duplicate_credit: f64,
    /// Mean one-sided-marketing score (grants carry none; products assessed separately do).
    pub one_sided_marketing: f64,
    /// Mean overall score.
    pub overall: f64,
    /// Grants carrying each code.
    pub code_counts: BTreeMap<String, usize>,
    /// Share of grants to students (of those with the flag).
    pub share_student: Option<f64>,
    /// Share with unverified income (of those with the flag).
    pub share_income_unverified: Option<f64>,
    /// Share with RC-DTI-HIGH.
    pub share_dti_high: f64,
    /// Share with DC-MANY-LENDERS.
    pub share_many_lenders: f64,
    /// First-payment-default rate (of those with the outcome).
    pub fpd_rate: Option<f64>,
    /// Default rate (of those with the outcome).
    pub default_rate: Option<f64>,
    /// Mean model PD (when a PD model was applied).
    pub mean_pd: Option<f64>,
    /// Why it ranks where it does: its three most frequent codes with their shares.
    pub rank_evidence: Vec<CodeShare>,
}

/// A code and the share of a group's grants carrying it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CodeShare {
    /// The code.
    pub code: String,
    /// Grants carrying it.
    pub grants: usize,
    /// Share of the group's grants.
    pub share: f64,
}

/// The index of a whole batch.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvaluationIndex {
    /// Institutions, worst first.
    pub institutions: Vec<GroupIndex>,
    /// Products, worst first.
    pub products: Vec<GroupIndex>,
}

#[derive(Default)]
struct Acc {
    grants: usize,
    scores: [f64; 4],
    codes: CodeCounts,
    student: (usize, usize),
    unverified: (usize, usize),
    fpd: (usize, usize),
    default: (usize, usize),
    pd: (f64, usize),
}

impl Acc {
    fn add(&mut self, b: &GrantBatch, r: &GrantRow) {
        let i = r.index;
        self.grants += 1;
        let s = &r.scores;
        for (acc, v) in self.scores.iter_mut().zip([
            s.weak_risk_control,
            s.duplicate_credit,
            s.one_sided_marketing,
            s.overall,
        ]) {
            *acc += v;
        }
        self.codes.add(r.codes);
        let flag = |acc: &mut (usize, usize), v: Option<bool>| {
            if let Some(v) = v {
                acc.1 += 1;
                acc.0 += usize::from(v);
            }
        };
        flag(&mut self.student, b.is_student[i]);
        flag(&mut self.unverified, b.income_verified[i].map(|v| !v));
        flag(&mut self.fpd, b.first_payment_default[i]);
        flag(&mut self.default, b.defaulted[i]);
        if let Some(pd) = r.pd {
            self.pd.0 += pd;
            self.pd.1 += 1;
        }
    }

    fn finish(self, id: String, institution_id: Option<String>) -> GroupIndex {
        let n = self.grants.max(1) as f64;
        let codes: BTreeMap<String, usize> = self
            .codes
            .by_code()
            .into_iter()
            .map(|(code, k)| (code.as_str().to_string(), k))
            .collect();
        let code_share = |code: &str| *codes.get(code).unwrap_or(&0) as f64 / n;
        let mut top: Vec<CodeShare> = codes
            .iter()
            .map(|(c, &k)| CodeShare {
                code: c.clone(),
                grants: k,
                share: k as f64 / n,
            })
            .collect();
        top.sort_by(|a, b| b.grants.cmp(&a.grants).then_with(|| a.code.cmp(&b.code)));
        top.truncate(3);
        GroupIndex {
            rank: 0,
            id,
            institution_id,
            grants: self.grants,
            weak_risk_control: self.scores[0] / n,
            duplicate_credit: self.scores[1] / n,
            one_sided_marketing: self.scores[2] / n,
            overall: self.scores[3] / n,
            share_student: share(self.student.0, self.student.1),
            share_income_unverified: share(self.unverified.0, self.unverified.1),
            share_dti_high: code_share("RC-DTI-HIGH"),
            share_many_lenders: code_share("DC-MANY-LENDERS"),
            fpd_rate: share(self.fpd.0, self.fpd.1),
            default_rate: share(self.default.0, self.default.1),
            mean_pd: (self.pd.1 > 0).then(|| self.pd.0 / self.pd.1 as f64),
            code_counts: codes,
            rank_evidence: top,
        }
    }
}

fn ranked(mut groups: Vec<GroupIndex>) -> Vec<GroupIndex> {
    groups.sort_by(|a, b| {
        b.overall
            .total_cmp(&a.overall)
            .then_with(|| b.weak_risk_control.total_cmp(&a.weak_risk_control))
            .then_with(|| a.id.cmp(&b.id))
            .then_with(|| a.institution_id.cmp(&b.institution_id))
    });
    for (k, g) in groups.iter_mut().enumerate() {
        g.rank = k + 1;
    }
    groups
}

/// Builds the evaluation index from assessed rows fed chunk by chunk, in input order; its
/// state is one accumulator per institution and per product, whatever the number of rows.
#[derive(Default)]
pub struct IndexBuilder {
    institutions: HashMap<String, Acc>,
    /// Institution, then product.
    products: HashMap<String, HashMap<String, Acc>>,
}

/// The entry of a group not seen before (the id is copied only then).
fn group<'m, V: Default>(map: &'m mut HashMap<String, V>, id: &str) -> &'m mut V {
    map.entry(id.to_string()).or_default()
}

impl IndexBuilder {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds assessed rows of `batch` (`rows[k].index` is a row of `batch`).
    pub fn add(&mut self, batch: &GrantBatch, rows: &[GrantRow]) {
        for r in rows {
            let inst = batch.institution_id[r.index].as_str();
            let prod = batch.product_id[r.index].as_str();
            match self.institutions.get_mut(inst) {
                Some(acc) => acc.add(batch, r),
                None => group(&mut self.institutions, inst).add(batch, r),
            }
            let products = match self.products.get_mut(inst) {
                Some(p) => p,
                None => group(&mut self.products, inst),
            };
            match products.get_mut(prod) {
                Some(acc) => acc.add(batch, r),
                None => group(products, prod).add(batch, r),
            }
        }
    }

    /// The ranked index.
    pub fn finish(self) -> EvaluationIndex {
        EvaluationIndex {
            institutions: ranked(
                self.institutions
                    .into_iter()
                    .map(|(id, acc)| acc.finish(id, None))
                    .collect(),
            ),
            products: ranked(
                self.products
                    .into_iter()
                    .flat_map(|(inst, products)| {
                        products
                            .into_iter()
                            .map(move |(prod, acc)| acc.finish(prod, Some(inst.clone())))
                    })
                    .collect(),
            ),
        }
    }
}

/// The evaluation index of assessed grants (`rows` from
/// [`assess_grants`](crate::assess::assess_grants) over `batch`).
pub fn evaluation_index(batch: &GrantBatch, rows: &[GrantRow]) -> EvaluationIndex {
    let mut builder = IndexBuilder::new();
    builder.add(batch, rows);
    builder.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Date;
    use crate::assess::assess_grants;
    use crate::domain::Jurisdiction;
    use crate::domain::grant::GrantRecord;
    use crate::ruleset::Ruleset;

    fn row(id: &str, inst: &str, prod: &str, student: bool, defaulted: bool) -> GrantRecord {
        GrantRecord {
            grant_id: id.into(),
            institution_id: inst.into(),
            product_id: prod.into(),
            borrower_key: format!("b-{id}"),
            granted_at: Date::parse("2024-03-01").ok(),
            principal_minor: 500_000,
            term_months: 12,
            apr: 0.15,
            is_student: Some(student),
            income_verified: Some(true),
            defaulted: Some(defaulted),
            ..GrantRecord::default()
        }
    }

    #[test]
    fn groups_are_counted_and_ranked_worst_first() {
        let mut b = GrantBatch::default();
        let rows = [
            row("1", "LAX", "P1", true, true),
            row("2", "LAX", "P1", true, false),
            row("3", "LAX", "P2", false, false),
            row("4", "CAREFUL", "P3", false, false),
        ];
        for (k, r) in rows.into_iter().enumerate() {
            b.push(k + 1, r).unwrap();
        }
        let ruleset = Ruleset::embedded(Jurisdiction::Cn).unwrap();
        let (assessed, _) = assess_grants(&b, &ruleset, None, None);
        let index = evaluation_index(&b, &assessed);
        assert_eq!(index.institutions.len(), 2);
        let lax = &index.institutions[0];
        assert_eq!((lax.id.as_str(), lax.rank, lax.grants), ("LAX", 1, 3));
        assert_eq!(lax.code_counts.get("RC-STUDENT"), Some(&2));
        assert!((lax.share_student.unwrap() - 2.0 / 3.0).abs() < 1e-12);
        assert!((lax.default_rate.unwrap() - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(lax.rank_evidence[0].code, "RC-STUDENT");
        assert_eq!(index.institutions[1].id, "CAREFUL");
        assert!(index.institutions[1].overall < lax.overall);
        assert_eq!(index.products[0].id, "P1");
        assert_eq!(index.products[0].institution_id.as_deref(), Some("LAX"));
        assert_eq!(index.products.len(), 3);
    }
}
