//! Proto messages to engine types, with the CLI's field paths in every error, and engine
//! results to proto messages.
//!
//! The server converts every request through here, and so does the `proto_requests` fuzz
//! target: [`validated_case`], [`validated_product`] and [`grant_batch`] take a decoded message
//! to a validated domain value or to the field errors the server answers with
//! `INVALID_ARGUMENT`.

use finrisk_engine::EngineError;
use finrisk_engine::assess::{Assessment, CaseAssessment};
use finrisk_engine::domain::case::{
    CaseRepayment, Claims, Contract, Defendant, Evidence, Plaintiff,
};
use finrisk_engine::domain::grant::GrantBatch;
use finrisk_engine::domain::product::{
    Ad, Clause, Contract as ProductContract, Controls, Fee, FeePer, Limits, Pricing, ProductKind,
    QuotedRate, RateUnit,
};
use finrisk_engine::domain::{Case, Cause, GrantRecord, Jurisdiction, Product, Repayment};
use finrisk_engine::{Date, FieldError};

use crate::v1 as pb;

/// Puts `prefix` (`product.`, `cases[3].`) in front of every field path of a validation error.
pub fn prefixed(e: EngineError, prefix: &str) -> EngineError {
    match e {
        EngineError::Invalid(mut errors) if !prefix.is_empty() => {
            for f in &mut errors {
                f.field = format!("{prefix}{}", f.field);
            }
            EngineError::Invalid(errors)
        }
        other => other,
    }
}

fn finish<T>(value: T, conv: Conv, prefix: &str) -> Result<T, EngineError> {
    if conv.errors.is_empty() {
        Ok(value)
    } else {
        Err(prefixed(EngineError::Invalid(conv.errors), prefix))
    }
}

/// A case message to a validated case: the conversion (required fields, enums, dates), then the
/// same validation as `finrisk score-case`. Every error's field is `prefix` + its path.
pub fn validated_case(m: &pb::Case, prefix: &str) -> Result<Case, EngineError> {
    let mut conv = Conv::default();
    let value = case(&mut conv, m);
    let value = finish(value, conv, prefix)?;
    value.validate().map_err(|e| prefixed(e, prefix))?;
    Ok(value)
}

/// A product message to a validated product: the conversion, then the same validation as
/// `finrisk assess-product`. Every error's field is `prefix` + its path.
pub fn validated_product(m: &pb::Product, prefix: &str) -> Result<Product, EngineError> {
    let mut conv = Conv::default();
    let value = product(&mut conv, m);
    let value = finish(value, conv, prefix)?;
    value.validate().map_err(|e| prefixed(e, prefix))?;
    Ok(value)
}

/// Grant messages to a validated batch. Every grant is checked; the errors of all of them are
/// returned together, each under `grants[i].`.
pub fn grant_batch(grants: &[pb::Grant]) -> Result<GrantBatch, EngineError> {
    let mut batch = GrantBatch::with_capacity(grants.len());
    let mut errors = Vec::new();
    for (i, g) in grants.iter().enumerate() {
        let prefix = format!("grants[{i}].");
        let mut conv = Conv::default();
        let record = grant(&mut conv, g, &prefix);
        if !conv.errors.is_empty() {
            errors.extend(conv.errors);
            continue;
        }
        if let Err(es) = batch.push(i + 1, record) {
            errors.extend(es.into_iter().map(|mut e| {
                e.field = format!("{prefix}{}", e.field);
                e
            }));
        }
    }
    if errors.is_empty() {
        Ok(batch)
    } else {
        Err(EngineError::Invalid(errors))
    }
}

/// Collects conversion problems with their paths.
#[derive(Default)]
pub struct Conv {
    /// The problems found so far, in the order they were found.
    pub errors: Vec<FieldError>,
}

impl Conv {
    fn fail(&mut self, field: &str, reason: impl Into<String>) {
        self.errors.push(FieldError::with_code(
            field,
            reason,
            finrisk_engine::ErrorCode::InvalidField,
        ));
    }

    fn date(&mut self, field: &str, text: &str) -> Date {
        match Date::parse(text) {
            Ok(d) => d,
            Err(e) => {
                self.fail(
                    field,
                    if text.is_empty() {
                        "is required".to_string()
                    } else {
                        e.to_string()
                    },
                );
                Date::from_days_since_epoch(0)
            }
        }
    }

    fn opt_date(&mut self, field: &str, text: Option<&str>) -> Option<Date> {
        text.filter(|t| !t.is_empty()).map(|t| self.date(field, t))
    }

    fn required<'a, T: Default>(&mut self, field: &str, v: Option<&'a T>) -> Option<&'a T> {
        if v.is_none() {
            self.fail(field, "is required");
        }
        v
    }
}

fn enum_error(c: &mut Conv, field: &str, raw: i32) {
    if raw == 0 {
        c.fail(field, "is required");
    } else {
        c.fail(field, format!("unknown value {raw}"));
    }
}

/// A jurisdiction enum value; 0 and unknown values are recorded as problems.
pub fn jurisdiction(c: &mut Conv, field: &str, raw: i32) -> Jurisdiction {
    match pb::Jurisdiction::try_from(raw) {
        Ok(pb::Jurisdiction::Cn) => Jurisdiction::Cn,
        Ok(pb::Jurisdiction::Us) => Jurisdiction::Us,
        Ok(pb::Jurisdiction::Eu) => Jurisdiction::Eu,
        Ok(pb::Jurisdiction::Uk) => Jurisdiction::Uk,
        _ => {
            enum_error(c, field, raw);
            Jurisdiction::Cn
        }
    }
}

/// A repayment enum value; 0 and unknown values are recorded as problems.
pub fn repayment(c: &mut Conv, field: &str, raw: i32) -> Repayment {
    match pb::Repayment::try_from(raw) {
        Ok(pb::Repayment::EqualInstallment) => Repayment::EqualInstallment,
        Ok(pb::Repayment::EqualPrincipal) => Repayment::EqualPrincipal,
        Ok(pb::Repayment::InterestOnly) => Repayment::InterestOnly,
        Ok(pb::Repayment::Bullet) => Repayment::Bullet,
        _ => {
            enum_error(c, field, raw);
            Repayment::EqualInstallment
        }
    }
}

/// A cause enum value; 0 and unknown values are recorded as problems.
pub fn cause(c: &mut Conv, field: &str, raw: i32) -> Cause {
    match pb::Cause::try_from(raw) {
        Ok(pb::Cause::FinancialLoan) => Cause::FinancialLoan,
        Ok(pb::Cause::CreditCard) => Cause::CreditCard,
        Ok(pb::Cause::ConsumerFinance) => Cause::ConsumerFinance,
        Ok(pb::Cause::Microloan) => Cause::Microloan,
        Ok(pb::Cause::PrivateLending) => Cause::PrivateLending,
        _ => {
            enum_error(c, field, raw);
            Cause::FinancialLoan
        }
    }
}

fn kind(c: &mut Conv, field: &str, raw: i32) -> ProductKind {
    match pb::ProductKind::try_from(raw) {
        Ok(pb::ProductKind::CashLoan) => ProductKind::CashLoan,
        Ok(pb::ProductKind::CreditLine) => ProductKind::CreditLine,
        Ok(pb::ProductKind::Installment) => ProductKind::Installment,
        Ok(pb::ProductKind::CreditCard) => ProductKind::CreditCard,
        Ok(pb::ProductKind::Microloan) => ProductKind::Microloan,
        _ => {
            enum_error(c, field, raw);
            ProductKind::CashLoan
        }
    }
}

fn unit(c: &mut Conv, field: &str, raw: i32) -> RateUnit {
    match pb::RateUnit::try_from(raw) {
        Ok(pb::RateUnit::Daily) => RateUnit::Daily,
        Ok(pb::RateUnit::Monthly) => RateUnit::Monthly,
        Ok(pb::RateUnit::Annual) => RateUnit::Annual,
        _ => {
            enum_error(c, field, raw);
            RateUnit::Annual
        }
    }
}

fn fee_per(c: &mut Conv, field: &str, raw: i32) -> FeePer {
    match pb::FeePer::try_from(raw) {
        Ok(pb::FeePer::Once) => FeePer::Once,
        Ok(pb::FeePer::Month) => FeePer::Month,
        _ => {
            enum_error(c, field, raw);
            FeePer::Once
        }
    }
}

/// A product message to the domain type; conversion problems are returned, then the caller
/// runs the domain validation (the same as the CLI's).
pub fn product(c: &mut Conv, p: &pb::Product) -> Product {
    let default_pricing = pb::Pricing::default();
    let default_limits = pb::Limits::default();
    let pr = c
        .required("pricing", p.pricing.as_ref())
        .unwrap_or(&default_pricing);
    let li = c
        .required("limits", p.limits.as_ref())
        .unwrap_or(&default_limits);
    let k = p.controls.unwrap_or_default();
    Product {
        product_id: p.product_id.clone(),
        institution_id: p.institution_id.clone(),
        name: p.name.clone(),
        kind: kind(c, "kind", p.kind),
        jurisdiction: jurisdiction(c, "jurisdiction", p.jurisdiction),
        currency: p.currency.clone(),
        launched_at: c.opt_date("launched_at", p.launched_at.as_deref()),
        pricing: Pricing {
            repayment: repayment(c, "pricing.repayment", pr.repayment),
            term_months: pr.term_months.clone(),
            nominal_annual_rate: pr.nominal_annual_rate,
            monthly_fee_rate: pr.monthly_fee_rate,
            upfront_fee_rate: pr.upfront_fee_rate,
            other_fees: pr
                .other_fees
                .iter()
                .enumerate()
                .map(|(i, f)| Fee {
                    name: f.name.clone(),
                    amount_minor: f.amount_minor,
                    per: fee_per(c, &format!("pricing.other_fees[{i}].per"), f.per),
                    mandatory: f.mandatory.unwrap_or(true),
                })
                .collect(),
            advertised_rate: pr.advertised_rate.as_ref().map(|q| QuotedRate {
                value: q.value,
                unit: unit(c, "pricing.advertised_rate.unit", q.unit),
            }),
        },
        limits: Limits {
            min_principal_minor: li.min_principal_minor,
            max_principal_minor: li.max_principal_minor,
        },
        controls: Controls {
            verifies_income: k.verifies_income,
            checks_credit_bureau: k.checks_credit_bureau,
            checks_multi_lending: k.checks_multi_lending,
            min_age: k.min_age,
            max_age: k.max_age,
            allows_students: k.allows_students,
            max_dti: k.max_dti,
            max_line_to_income: k.max_line_to_income,
            median_approval_seconds: k.median_approval_seconds,
            cooling_off_days: k.cooling_off_days,
            funding_share: k.funding_share,
        },
        marketing: p
            .marketing
            .iter()
            .map(|a| Ad {
                channel: a.channel.clone(),
                language: a.language.clone(),
                text: a.text.clone(),
            })
            .collect(),
        contract: p.contract.as_ref().map(|k| ProductContract {
            clauses: k
                .clauses
                .iter()
                .map(|c| Clause {
                    title: c.title.clone(),
                    text: c.text.clone(),
                    prominent_notice: c.prominent_notice,
                })
                .collect(),
        }),
    }
}

/// A case message to the domain type.
pub fn case(c: &mut Conv, m: &pb::Case) -> Case {
    let default_plaintiff = pb::Plaintiff::default();
    let default_defendant = pb::Defendant::default();
    let default_contract = pb::Contract::default();
    let default_claims = pb::Claims::default();
    let pl = c
        .required("plaintiff", m.plaintiff.as_ref())
        .unwrap_or(&default_plaintiff);
    let d = c
        .required("defendant", m.defendant.as_ref())
        .unwrap_or(&default_defendant);
    let k = c
        .required("contract", m.contract.as_ref())
        .unwrap_or(&default_contract);
    let cl = c
        .required("claims", m.claims.as_ref())
        .unwrap_or(&default_claims);
    let ev = m.evidence.clone().unwrap_or_default();
    Case {
        case_id: m.case_id.clone(),
        court: m.court.clone(),
        jurisdiction: jurisdiction(c, "jurisdiction", m.jurisdiction),
        currency: m.currency.clone(),
        cause: cause(c, "cause", m.cause),
        filed_at: c.date("filed_at", &m.filed_at),
        plaintiff: Plaintiff {
            institution_id: pl.institution_id.clone(),
            product_id: pl.product_id.clone(),
        },
        defendant: Defendant {
            borrower_key: d.borrower_key.clone(),
            age: d.age,
            monthly_income_minor: d.monthly_income_minor,
            income_verified: d.income_verified,
            is_student: d.is_student,
            active_lenders: d.active_lenders,
            other_cases_12m: d.other_cases_12m,
        },
        contract: Contract {
            principal_minor: k.principal_minor,
            disbursed_at: c.date("contract.disbursed_at", &k.disbursed_at),
            term_months: k.term_months,
            repayment: repayment(c, "contract.repayment", k.repayment),
            nominal_annual_rate: k.nominal_annual_rate,
            monthly_fee_rate: k.monthly_fee_rate,
            upfront_fee_minor: k.upfront_fee_minor,
            penalty_annual_rate: k.penalty_annual_rate,
        },
        repayments: m
            .repayments
            .iter()
            .enumerate()
            .map(|(i, r)| CaseRepayment {
                date: c.date(&format!("repayments[{i}].date"), &r.date),
                principal_minor: r.principal_minor,
                cost_minor: r.cost_minor,
            })
            .collect(),
        claims: Claims {
            as_of: c.date("claims.as_of", &cl.as_of),
            principal_minor: cl.principal_minor,
            interest_minor: cl.interest_minor,
            penalty_minor: cl.penalty_minor,
            compound_minor: cl.compound_minor,
            fees_minor: cl.fees_minor,
            legal_costs_minor: cl.legal_costs_minor,
        },
        evidence: Evidence {
            marketing_texts: ev.marketing_texts,
            borrower_alleges_misled: ev.borrower_alleges_misled,
            insurance_bundled: ev.insurance_bundled,
        },
    }
}

/// A grant message to a record; `prefix` is its path (`grants[3].`).
pub fn grant(c: &mut Conv, g: &pb::Grant, prefix: &str) -> GrantRecord {
    let granted = if g.granted_at.is_empty() {
        c.fail(&format!("{prefix}granted_at"), "is required");
        None
    } else {
        Some(c.date(&format!("{prefix}granted_at"), &g.granted_at))
    };
    GrantRecord {
        grant_id: g.grant_id.clone(),
        institution_id: g.institution_id.clone(),
        product_id: g.product_id.clone(),
        borrower_key: g.borrower_key.clone(),
        granted_at: granted,
        principal_minor: g.principal_minor,
        term_months: g.term_months,
        apr: g.apr,
        closed_at: c.opt_date(&format!("{prefix}closed_at"), g.closed_at.as_deref()),
        borrower_age: g.borrower_age,
        monthly_income_minor: g.monthly_income_minor,
        income_verified: g.income_verified,
        is_student: g.is_student,
        dti: g.dti,
        active_lenders: g.active_lenders,
        inquiries_30d: g.inquiries_30d,
        inquiries_6m: g.inquiries_6m,
        open_lines: g.open_lines,
        delinquencies_2y: g.delinquencies_2y,
        revolving_utilization: g.revolving_utilization,
        line_increased: g.line_increased,
        dpd_at_grant: g.dpd_at_grant,
        phone_hash: g.phone_hash.clone(),
        device_hash: g.device_hash.clone(),
        max_dpd: g.max_dpd,
        first_payment_default: g.first_payment_default,
        defaulted: g.defaulted,
    }
}

/// An assessment as a proto message.
pub fn assessment(a: &Assessment) -> pb::Assessment {
    pb::Assessment {
        scores: Some(pb::Scores {
            weak_risk_control: a.scores.weak_risk_control,
            duplicate_credit: a.scores.duplicate_credit,
            one_sided_marketing: a.scores.one_sided_marketing,
            overall: a.scores.overall,
        }),
        grade: a.grade.clone(),
        findings: a
            .findings
            .iter()
            .map(|f| pb::Finding {
                code: f.code.clone(),
                dimension: f.dimension.as_str().to_string(),
                severity: f.severity.as_str().to_string(),
                level: f.level.as_str().to_string(),
                // The JSON text the engine wrote when it made the finding.
                evidence_json: f.evidence.as_json().to_string(),
                basis: f.basis.to_string(),
                recommendation: f.recommendation.to_string(),
            })
            .collect(),
        contributions: a
            .contributions
            .iter()
            .map(|x| pb::Contribution {
                code: x.code.clone(),
                dimension: x.dimension.as_str().to_string(),
                points: x.points,
                dimension_points: x.dimension_points,
                overall_points: x.overall_points,
            })
            .collect(),
    }
}

/// The typed `ScoreCase` response of a scored case; `result_json` is left empty (the server
/// fills it only when the request asks for it).
pub fn score_case_response(a: &CaseAssessment) -> pb::ScoreCaseResponse {
    pb::ScoreCaseResponse {
        case_id: a.case_id.clone(),
        excess_minor: a.cost.excess_minor,
        supportable_claim_minor: a.cost.supportable_claim_minor,
        allowed_cost_minor: a.cost.allowed_cost_minor,
        total_cost_minor: a.cost.total_cost_minor,
        assessment: Some(assessment(&a.assessment)),
        result_json: String::new(),
    }
}
