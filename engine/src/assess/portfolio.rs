//! A product's loan book: statistics of its grants (shares of students, unverified incomes,
//! high DTI; early and final default rates; model PDs) and the portfolio-level findings
//! (a grant-level code carried by a large enough share of the book, RC-HIGH-PD over the book's
//! PDs, RC-EARLY-DEFAULT).

use super::cause_of_kind;
use super::collector::Collector;
use super::grant::GrantRules;
use crate::catalogue::{CodeId, code};
use crate::date::Date;
use crate::dc::{DcAnalysis, DcSettings};
use crate::domain::Product;
use crate::domain::grant::GrantBatch;
use crate::findings::{Finding, Level, share};
use crate::pd::GrantPds;
use crate::ruleset::Ruleset;
use crate::vintage::{DownTiering, DownTieringRules, VintageBook, grant_quality};
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;

/// Statistics of a product's loan book.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PortfolioStats {
    /// Grants of this product assessed.
    pub grants: usize,
    /// Rows of the table for other products (not assessed here).
    pub other_product_rows: usize,
    /// Share of grants to students (of those with the flag).
    pub share_student: Option<f64>,
    /// Share with unverified income.
    pub share_income_unverified: Option<f64>,
    /// Share with RC-DTI-HIGH.
    pub share_dti_high: f64,
    /// First-payment-default rate (of those with the outcome).
    pub fpd_rate: Option<f64>,
    /// Default rate (of those with the outcome).
    pub default_rate: Option<f64>,
    /// Mean APR.
    pub mean_apr: f64,
    /// Open grants at the as-of date.
    pub open_at_as_of: usize,
    /// The as-of date used.
    pub as_of: Option<Date>,
    /// Grants carrying each grant-level code.
    pub code_counts: BTreeMap<String, usize>,
    /// Model PDs of the product's grants, when a PD model was applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pd: Option<PortfolioPd>,
    /// Borrower quality by vintage and its trend test (RC-DOWN-TIERING), unless the code is
    /// switched off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub down_tiering: Option<DownTiering>,
}

/// Model PDs of a loan book.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PortfolioPd {
    /// The model's id.
    pub model: String,
    /// Mean PD of the product's grants.
    pub mean_pd: f64,
    /// Share of the product's grants with a PD above the RC-HIGH-PD threshold.
    pub share_above_threshold: f64,
    /// The RC-HIGH-PD threshold.
    pub threshold: f64,
    /// Model inputs the table did not have.
    pub absent_inputs: Vec<String>,
    /// Why the model's findings are information only on this book (the model is not validated
    /// for its jurisdiction or currency); absent when they count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub information_only: Option<String>,
}

/// The statistics and portfolio-level findings of `product`'s grants in `batch`; the
/// duplicate-credit analysis runs over the whole batch (a person's grants at every institution).
pub(super) fn assess_portfolio(
    product: &Product,
    batch: &GrantBatch,
    pds: Option<&GrantPds>,
    as_of: Option<Date>,
    ruleset: &Ruleset,
) -> (PortfolioStats, Vec<Finding>) {
    let rows: Vec<usize> = (0..batch.len())
        .filter(|&i| batch.product_id[i] == product.product_id)
        .collect();
    let as_of = as_of.or_else(|| batch.latest_date());
    let rules = GrantRules::new(ruleset, Some(cause_of_kind(product.kind)))
        .with_currency(&product.currency);
    // The person's grants at every institution in the table count for duplicate credit.
    let dc = DcAnalysis::analyse(batch, as_of, &DcSettings::from_ruleset(ruleset));
    let mut code_counts: BTreeMap<String, usize> = BTreeMap::new();
    let (mut students, mut student_known, mut unverified, mut verified_known) = (0, 0, 0, 0);
    let (mut fpd, mut fpd_known, mut defaults, mut default_known) = (0, 0, 0, 0);
    let mut apr_sum = 0.0;
    let mut open = 0;
    let vintage_rules = DownTieringRules::from_ruleset(ruleset);
    let mut vintages = VintageBook::new();
    for &i in &rows {
        let findings = rules.assess_full(batch, i, Some(dc.whole()), pds).findings;
        if let Some(vr) = &vintage_rules {
            let quality = grant_quality(
                findings.iter().map(|f| f.code.as_str()),
                batch.borrower_age[i].map(f64::from),
                vr.young_age,
            );
            let pd = pds.and_then(|p| p.pd.get(i).copied());
            vintages.add(&product.product_id, batch.granted_at[i], &quality, pd);
        }
        for f in findings {
            *code_counts.entry(f.code).or_insert(0) += 1;
        }
        if let Some(s) = batch.is_student[i] {
            student_known += 1;
            students += usize::from(s);
        }
        if let Some(v) = batch.income_verified[i] {
            verified_known += 1;
            unverified += usize::from(!v);
        }
        if let Some(f) = batch.first_payment_default[i] {
            fpd_known += 1;
            fpd += usize::from(f);
        }
        if let Some(d) = batch.defaulted[i] {
            default_known += 1;
            defaults += usize::from(d);
        }
        apr_sum += batch.apr[i];
        if let Some(day) = as_of
            && batch.granted_at[i] <= day
            && batch.closed_at[i].is_none_or(|c| c > day)
        {
            open += 1;
        }
    }
    let n = rows.len();
    let stats = PortfolioStats {
        grants: n,
        other_product_rows: batch.len() - n,
        share_student: share(students, student_known),
        share_income_unverified: share(unverified, verified_known),
        share_dti_high: share(code_counts.get("RC-DTI-HIGH").copied().unwrap_or(0), n)
            .unwrap_or(0.0),
        fpd_rate: share(fpd, fpd_known),
        default_rate: share(defaults, default_known),
        mean_apr: if n > 0 { apr_sum / n as f64 } else { 0.0 },
        open_at_as_of: open,
        as_of,
        code_counts: code_counts.clone(),
        pd: pds.filter(|_| n > 0).map(|p| {
            let threshold = ruleset
                .code(code::RC_HIGH_PD.as_str())
                .map_or(f64::INFINITY, |r| r.threshold());
            let values: Vec<f64> = rows.iter().filter_map(|&i| p.pd.get(i).copied()).collect();
            let m = values.len().max(1) as f64;
            PortfolioPd {
                model: p.model.clone(),
                mean_pd: values.iter().sum::<f64>() / m,
                share_above_threshold: values.iter().filter(|&&v| v > threshold).count() as f64 / m,
                threshold,
                absent_inputs: p.absent_inputs.clone(),
                information_only: rules.pd_information_only(p),
            }
        }),
        down_tiering: vintage_rules
            .as_ref()
            .and_then(|vr| vintages.analyse_one(&product.product_id, vr)),
    };
    let mut c = Collector::new(ruleset, Level::Portfolio);
    let min_share = ruleset.scoring.portfolio_share;
    for (found, count) in &code_counts {
        let s = *count as f64 / n.max(1) as f64;
        if s >= min_share
            && let Some(id) = CodeId::find(found).filter(|&id| id != code::RC_HIGH_PD)
        {
            c.add(
                id,
                json!({ "grants_with_code": count, "grants": n, "share": s, "portfolio_share": min_share }),
            );
        }
    }
    // RC-HIGH-PD at portfolio level: the share of approvals above the PD threshold exceeds
    // the code's own `portfolio_share`.
    if let (Some(rule), Some(p)) = (c.rule(code::RC_HIGH_PD), &stats.pd) {
        let limit = rule.param("portfolio_share");
        if p.share_above_threshold > limit {
            let mut evidence = json!({ "model": p.model, "grants": n, "mean_pd": p.mean_pd, "share_above_threshold": p.share_above_threshold, "threshold": p.threshold, "portfolio_share": limit, "absent_inputs": p.absent_inputs });
            match &p.information_only {
                Some(reason) => {
                    evidence["information_only"] = json!(reason);
                    c.add_information(code::RC_HIGH_PD, evidence);
                }
                None => c.add(code::RC_HIGH_PD, evidence),
            }
        }
    }
    if let Some(d) = stats.down_tiering.as_ref().filter(|d| d.fires) {
        c.add(code::RC_DOWN_TIERING, down_tiering_evidence(d));
    }
    if let (Some(t), Some(rate)) = (c.threshold(code::RC_EARLY_DEFAULT), stats.fpd_rate)
        && rate > t
    {
        c.add(
            code::RC_EARLY_DEFAULT,
            json!({ "fpd_rate": rate, "grants_with_outcome": fpd_known, "threshold": t }),
        );
    }
    (stats, c.into_findings())
}

/// RC-DOWN-TIERING's evidence: the characteristics that worsen, every test, the months and
/// the mix PSI (the vintages table is in the statistics beside it).
pub fn down_tiering_evidence(d: &DownTiering) -> serde_json::Value {
    json!({
        "group": d.group,
        "reason": d.reason,
        "worsening": d.trends.iter().filter(|t| t.worsens).map(|t| t.characteristic).collect::<Vec<_>>(),
        "trends": d.trends,
        "baseline_months": d.baseline_months,
        "recent_months": d.recent_months,
        "vintages_tested": d.vintages_tested,
        "mix_psi": d.mix_psi,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assess::assess_product;
    use crate::assess::fixtures::{clean_row, cn, dc_batch, lex};

    #[test]
    fn portfolio_findings_follow_shares_and_the_fpd_rate() {
        let p = Product::from_json(include_str!("../../../examples/product.json")).unwrap();
        let a = assess_product(&p, Some(&dc_batch()), None, None, &cn(), &lex()).unwrap();
        let portfolio: Vec<&Finding> = a
            .assessment
            .findings
            .iter()
            .filter(|f| f.level == Level::Portfolio)
            .collect();
        let codes: Vec<&str> = portfolio.iter().map(|f| f.code.as_str()).collect();
        assert!(codes.contains(&"DC-MANY-LENDERS"), "{codes:?}");
        assert!(codes.contains(&"RC-EARLY-DEFAULT"), "{codes:?}");
        let stats = a.portfolio.unwrap();
        assert_eq!((stats.grants, stats.fpd_rate), (10, Some(0.2)));
        // 1 FPD in 20 grants is 5%: not above the 5% threshold.
        let mut b = GrantBatch::default();
        for k in 0..20 {
            let mut r = clean_row();
            r.grant_id = format!("G{k}");
            r.first_payment_default = Some(k == 0);
            b.push(k + 1, r).unwrap();
        }
        let a = assess_product(&p, Some(&b), None, None, &cn(), &lex()).unwrap();
        assert!(
            !a.assessment
                .findings
                .iter()
                .any(|f| f.code == "RC-EARLY-DEFAULT")
        );
    }
}
