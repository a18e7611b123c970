//! `finrisk score-case`: cost figures, findings, scores and grade of one dispute case.

use crate::cli::{Format, ScoreCaseArgs};
use crate::input::{load_ruleset, read_document};
use crate::output::{describe_assessment, describe_cap, pct, to_json};
use finrisk_engine::assess::{CaseAssessment, assess_case};
use finrisk_engine::domain::{Case, format_minor};
use finrisk_engine::marketing::ClaimGrammar;

pub(crate) fn run(args: &ScoreCaseArgs) -> anyhow::Result<String> {
    let document = read_document(&args.case, "case", args.max_document_bytes)?;
    let case = Case::from_json(&document)?;
    let ruleset = load_ruleset(args.rules.rules.as_deref(), case.jurisdiction)?;
    let grammar = ClaimGrammar::embedded()?;
    let out = assess_case(&case, &ruleset, &grammar)?;
    match args.format {
        Format::Json => to_json(&out),
        Format::Text => Ok(text(&out)),
    }
}

fn text(o: &CaseAssessment) -> String {
    let c = &o.cost;
    let m = |v: i64| format!("{} {}", format_minor(v, &o.currency), o.currency);
    let mut s = String::new();
    s.push_str(&format!(
        "Case {} ({}, {}, ruleset {}), as of {}\n",
        o.case_id, o.jurisdiction, o.cause, o.ruleset_version, o.as_of
    ));
    s.push_str(&format!(
        "Contract APR: {} legal ({} nominal, {} effective)\n",
        pct(c.contract_apr_legal),
        pct(c.contract_apr.apr_nominal),
        pct(c.contract_apr.apr_effective)
    ));
    match c.effective_apr {
        Some(r) => s.push_str(&format!(
            "Effective annual cost paid and claimed: {}\n",
            pct(r)
        )),
        None => s.push_str("Effective annual cost: n/a (no time elapsed)\n"),
    }
    s.push_str(&format!("Cap: {}\n", describe_cap(&c.cap)));
    s.push_str(&format!(
        "Recognised principal: {}\n",
        m(c.recognised_principal_minor)
    ));
    match c.allowed_cost_minor {
        Some(a) => s.push_str(&format!("Cost allowed by the cap: {}\n", m(a))),
        None => s.push_str("Cost allowed by the cap: unlimited (no cap)\n"),
    }
    s.push_str(&format!(
        "Total cost paid and claimed: {}\n",
        m(c.total_cost_minor)
    ));
    s.push_str(&format!("Excess over the cap: {}\n", m(c.excess_minor)));
    s.push_str(&format!(
        "Claimed (principal + costs): {}\n",
        m(c.claimed_minor)
    ));
    s.push_str(&format!(
        "Supportable claim: {}\n",
        m(c.supportable_claim_minor)
    ));
    s.push_str(&format!(
        "Legal costs (outside the cap): {}\n",
        m(c.legal_costs_minor)
    ));
    s.push_str("Intervals (outstanding principal x days x cap):\n");
    for i in &c.intervals {
        let rate = i.cap_rate.map_or_else(|| "-".to_string(), pct);
        let allows = i.allowed_cost.map_or_else(
            || "any cost".to_string(),
            |a| m(finrisk_engine::rates::round_minor(a)),
        );
        s.push_str(&format!(
            "  {} .. {}  {:>4} days  {}  at {}  allows {}\n",
            i.from,
            i.to,
            i.days,
            m(i.outstanding_minor),
            rate,
            allows
        ));
    }
    s.push_str(&describe_assessment(&o.assessment));
    s
}
