//! `finrisk apr`: schedule, APR figures and cap check of a loan's terms.

use crate::cli::{AprArgs, Format};
use crate::failure::bad_input;
use crate::input::load_ruleset;
use crate::output::{describe_cap, pct, to_json};
use finrisk_engine::Date;
use finrisk_engine::domain::{Cause, Jurisdiction, Repayment};
use finrisk_engine::rates::{AprDefinition, AprQuote, RawTerms, quote};

/// `value` parsed by `parse`, or a bad-input error naming `field` and the choices.
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

/// Runs `finrisk apr`.
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
    let terms = RawTerms {
        principal_minor: args.principal_minor,
        term_months: args.term_months,
        repayment,
        nominal_annual_rate: args.nominal_annual_rate,
        monthly_fee_rate: args.monthly_fee_rate,
        upfront_fee_minor: args.upfront_fee_minor,
        monthly_other_fee_minor: args.monthly_other_fee_minor,
    }
    .checked()?;
    let ruleset = load_ruleset(args.rules.rules.as_deref(), jurisdiction)?;
    let out = quote(terms, jurisdiction, cause, contract_date, &ruleset)?;
    match args.format {
        Format::Json => to_json(&out),
        Format::Text => Ok(text(&out)),
    }
}

fn text(o: &AprQuote) -> String {
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
