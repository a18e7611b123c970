//! `finrisk apr`: schedule, APR figures and cap check of a loan's terms.

use super::{describe_cap, pct, to_json};
use crate::cli::{AprArgs, Format};
use crate::failure::bad_input;
use crate::input::load_ruleset;
use finrisk_engine::Date;
use finrisk_engine::domain::{Cause, Jurisdiction, Repayment};
use finrisk_engine::rates::{
    ApplicableCap, AprDefinition, AprFigures, CapCheck, Installment, LoanTerms, applicable_cap,
    apr_of_terms, check_cap,
};
use finrisk_engine::validate::Checker;
use serde::Serialize;

/// What `finrisk apr` prints and `ComputeApr` returns.
#[derive(Debug, Serialize)]
pub(crate) struct AprOutput {
    pub(crate) jurisdiction: &'static str,
    pub(crate) ruleset_version: String,
    pub(crate) terms: LoanTerms,
    #[serde(flatten)]
    pub(crate) figures: AprFigures,
    pub(crate) apr: f64,
    pub(crate) apr_definition: AprDefinition,
    pub(crate) net_received_minor: i64,
    pub(crate) total_interest_minor: i64,
    pub(crate) total_periodic_fees_minor: i64,
    pub(crate) upfront_fee_minor: i64,
    pub(crate) total_cost_minor: i64,
    pub(crate) total_paid_minor: i64,
    pub(crate) cap: ApplicableCap,
    #[serde(flatten)]
    pub(crate) check: CapCheck,
    pub(crate) schedule: Vec<Installment>,
}

/// Loan terms from raw values; the term is range-checked before it is narrowed, so that -5 or
/// 400 months are named as given.
#[allow(clippy::too_many_arguments)]
pub(crate) fn loan_terms(
    principal_minor: i64,
    term_months: i64,
    repayment: Repayment,
    nominal_annual_rate: f64,
    monthly_fee_rate: f64,
    upfront_fee_minor: i64,
    monthly_other_fee_minor: i64,
) -> Result<LoanTerms, finrisk_engine::EngineError> {
    let mut c = Checker::new();
    c.int_range("term_months", term_months, 1, 360);
    c.positive_minor("principal_minor", principal_minor);
    c.finish()?;
    Ok(LoanTerms {
        principal_minor,
        term_months: u32::try_from(term_months).unwrap_or(0),
        repayment,
        nominal_annual_rate,
        monthly_fee_rate,
        upfront_fee_minor,
        monthly_fixed_fee_minor: monthly_other_fee_minor,
    })
}

/// Schedule, APR figures and cap check of `terms` (validated here) under `ruleset`.
pub(crate) fn compute(
    terms: LoanTerms,
    jurisdiction: Jurisdiction,
    cause: Cause,
    contract_date: Option<Date>,
    ruleset: &finrisk_engine::Ruleset,
) -> Result<AprOutput, finrisk_engine::EngineError> {
    let (schedule, figures) = apr_of_terms(&terms)?;
    let cap = applicable_cap(
        ruleset,
        cause,
        contract_date,
        None,
        figures.apr_effective,
        terms.term_months,
    )?;
    let check = check_cap(&cap, &figures, &schedule, ruleset.apr.report_borderline);
    let definition = ruleset.apr.legal_definition;
    Ok(AprOutput {
        jurisdiction: jurisdiction.as_str(),
        ruleset_version: ruleset.version.clone(),
        terms,
        figures,
        apr: figures.legal(definition),
        apr_definition: definition,
        net_received_minor: schedule.net_received_minor,
        total_interest_minor: schedule.total_interest_minor,
        total_periodic_fees_minor: schedule.total_periodic_fees_minor,
        upfront_fee_minor: terms.upfront_fee_minor,
        total_cost_minor: schedule.total_cost_minor,
        total_paid_minor: schedule.total_paid_minor,
        cap,
        check,
        schedule: schedule.installments,
    })
}

fn parse_choice<T>(
    field: &str,
    value: &str,
    parse: impl Fn(&str) -> Option<T>,
    choices: &[&str],
) -> anyhow::Result<T> {
    parse(value).ok_or_else(|| {
        bad_input(format!(
            "{field}: unknown value `{value}`, expected one of {}",
            choices.join(", ")
        ))
    })
}

pub(crate) fn run(args: &AprArgs) -> anyhow::Result<String> {
    let repayment = parse_choice(
        "repayment",
        &args.repayment,
        Repayment::parse,
        &Repayment::ALL.map(Repayment::as_str),
    )?;
    let jurisdiction = parse_choice(
        "jurisdiction",
        &args.jurisdiction,
        Jurisdiction::parse,
        &["CN", "US", "EU", "UK"],
    )?;
    let cause = parse_choice(
        "cause",
        &args.cause,
        Cause::parse,
        &Cause::ALL.map(Cause::as_str),
    )?;
    let contract_date = args
        .contract_date
        .as_deref()
        .map(|d| Date::parse(d).map_err(|e| bad_input(format!("contract_date: {e}"))))
        .transpose()?;
    let terms = loan_terms(
        args.principal_minor,
        args.term_months,
        repayment,
        args.nominal_annual_rate,
        args.monthly_fee_rate,
        args.upfront_fee_minor,
        args.monthly_other_fee_minor,
    )?;
    let ruleset = load_ruleset(args.rules.rules.as_deref(), jurisdiction)?;
    let out = compute(terms, jurisdiction, cause, contract_date, &ruleset)?;
    match args.format {
        Format::Json => to_json(&out),
        Format::Text => Ok(text(&out)),
    }
}

fn text(o: &AprOutput) -> String {
    let mut s = String::new();
    let def = match o.apr_definition {
        AprDefinition::Nominal => "nominal, 12 x monthly IRR",
        AprDefinition::Effective => "effective, (1 + monthly IRR)^12 - 1",
    };
    s.push_str(&format!(
        "APR ({} legal figure, {def}): {}\n",
        o.jurisdiction,
        pct(o.apr)
    ));
    s.push_str(&format!(
        "  nominal {}   effective {}   monthly IRR {}\n",
        pct(o.figures.apr_nominal),
        pct(o.figures.apr_effective),
        pct(o.figures.monthly_irr)
    ));
    s.push_str(&format!(
        "Received {} (minor units); interest {}, periodic fees {}, up-front fees {}; total cost {}, total paid {}\n",
        o.net_received_minor, o.total_interest_minor, o.total_periodic_fees_minor, o.upfront_fee_minor, o.total_cost_minor, o.total_paid_minor
    ));
    s.push_str(&format!("Cap: {}\n", describe_cap(&o.cap)));
    let verdict = if !o.check.within_cap {
        "ABOVE the cap"
    } else if o.check.borderline {
        "within the cap on the nominal APR, above it on the effective APR (borderline)"
    } else {
        "within the cap"
    };
    s.push_str(&format!("Verdict: {verdict}\n"));
    if let Some(allowed) = o.check.allowed_cost_minor {
        s.push_str(&format!("  cost allowed by the cap: {allowed}\n"));
    }
    s.push_str("month  payment  principal  interest  fees  balance\n");
    for i in &o.schedule {
        s.push_str(&format!(
            "{:>5}  {:>7}  {:>9}  {:>8}  {:>4}  {:>7}\n",
            i.period,
            i.payment_minor,
            i.principal_minor,
            i.interest_minor,
            i.fee_minor,
            i.balance_minor
        ));
    }
    s
}
