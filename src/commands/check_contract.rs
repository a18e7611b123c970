//! `finrisk check-contract`: the clause checks of a product's loan contract (RC-CLAUSE-*), with
//! the clause, the matched span and the reason of every finding.

use crate::cli::{CheckContractArgs, Format};
use crate::failure::bad_input;
use crate::input::{load_ruleset, read_document};
use crate::output::{describe_cap, pct, to_json};
use finrisk_engine::assess::{ProductAssessment, assess_product};
use finrisk_engine::contract::{ContractCheck, ContractGrammar};
use finrisk_engine::domain::Product;
use finrisk_engine::findings::Finding;
use finrisk_engine::marketing::ClaimGrammar;
use serde::Serialize;

#[derive(Serialize)]
struct Output<'a> {
    product_id: &'a str,
    institution_id: &'a str,
    ruleset_version: &'a str,
    /// The product's lowest legal APR over its terms (what default charges are added to).
    contract_apr: f64,
    cap: &'a finrisk_engine::rates::ApplicableCap,
    contract: &'a ContractCheck,
    /// The clause findings, with basis and recommendation.
    findings: Vec<&'a Finding>,
}

pub(crate) fn run(args: &CheckContractArgs) -> anyhow::Result<String> {
    let document = read_document(&args.product, "product", args.max_document_bytes)?;
    let product = Product::from_json(&document)?;
    if product.contract.is_none() {
        return Err(bad_input(
            "contract: the product has no `contract` section (clauses as {title, text}): nothing to check",
        ));
    }
    let ruleset = load_ruleset(args.rules.rules.as_deref(), product.jurisdiction)?;
    let mut grammar = ClaimGrammar::embedded()?;
    if !args.contract_grammar.is_empty() {
        let mut texts = Vec::new();
        for path in &args.contract_grammar {
            let text = std::fs::read_to_string(path).map_err(|e| {
                bad_input(format!(
                    "contract-grammar: cannot read {}: {e}",
                    path.display()
                ))
            })?;
            texts.push((path.display().to_string(), text));
        }
        let named: Vec<(&str, &str)> = texts
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .collect();
        grammar = grammar.with_contract_grammar(ContractGrammar::from_texts(&named)?);
    }
    let a = assess_product(&product, None, None, None, &ruleset, &grammar)?;
    let Some(contract) = a.contract.as_ref() else {
        return Err(bad_input("contract: no clause was read"));
    };
    let out = Output {
        product_id: &a.product_id,
        institution_id: &a.institution_id,
        ruleset_version: &a.ruleset_version,
        contract_apr: lowest_apr(&a),
        cap: &a.cap,
        contract,
        findings: a
            .assessment
            .findings
            .iter()
            .filter(|f| f.code.starts_with("RC-CLAUSE-"))
            .collect(),
    };
    match args.format {
        Format::Json => to_json(&out),
        Format::Text => Ok(text(&out)),
    }
}

fn lowest_apr(a: &ProductAssessment) -> f64 {
    a.apr_by_term
        .iter()
        .map(|t| t.apr)
        .fold(f64::INFINITY, f64::min)
}

fn text(o: &Output<'_>) -> String {
    let c = o.contract;
    let mut s = format!(
        "Contract of product {} of {} (ruleset {}; clause grammars {})\n",
        o.product_id,
        o.institution_id,
        o.ruleset_version,
        c.grammar_versions.join(", ")
    );
    s.push_str(&format!(
        "{} clauses read; contract APR {} (lowest over the terms); cap: {}\n",
        c.clauses_checked,
        pct(o.contract_apr),
        describe_cap(o.cap)
    ));
    if o.findings.is_empty() {
        s.push_str("No clause finding.\n");
    }
    for f in &o.findings {
        s.push_str(&format!(
            "\n{} ({})\n",
            f.code,
            format!("{:?}", f.severity).to_lowercase()
        ));
        let hits: Vec<_> = c.hits.iter().filter(|h| h.code == f.code).collect();
        for h in hits {
            s.push_str(&format!(
                "  clause {} \"{}\", characters {}..{}: \"{}\"\n    {}\n",
                h.clause + 1,
                h.title,
                h.start,
                h.end,
                h.text,
                h.reason
            ));
        }
        if f.code == "RC-CLAUSE-PENALTY-STACK"
            && let Some(p) = &c.penalty
        {
            for i in &p.items {
                s.push_str(&format!(
                    "  clause {} \"{}\", characters {}..{}: \"{}\": {}{}\n",
                    i.clause + 1,
                    i.title,
                    i.start,
                    i.end,
                    i.text,
                    i.added_annual_rate
                        .map_or_else(String::new, |r| format!("+{} a year, ", pct(r))),
                    i.assumption
                ));
            }
            s.push_str(&format!(
                "  contract APR {} + default charges = {} a year, above the cap ({})\n",
                pct(p.contract_apr),
                pct(p.total_annual_rate),
                p.cap_note
            ));
        }
        if f.code == "RC-CLAUSE-NO-ESERVICE" {
            s.push_str(
                "  no clause confirms the borrower's address for service (electronic service included)\n",
            );
        }
        s.push_str(&format!(
            "  basis: {}\n  recommendation: {}\n",
            f.basis, f.recommendation
        ));
    }
    if let Some(h) = &c.service_clause {
        s.push_str(&format!(
            "\nAddress for service: clause {} \"{}\" (\"{}\")\n",
            h.clause + 1,
            h.title,
            h.text
        ));
    }
    if let Some(p) = c.penalty.as_ref().filter(|p| !p.above_cap) {
        s.push_str(&format!(
            "Default charges: contract APR {} + charges = {} a year, within the cap ({})\n",
            pct(p.contract_apr),
            pct(p.total_annual_rate),
            p.cap_note
        ));
    }
    for (clause, code) in &c.cured_by_notice {
        s.push_str(&format!(
            "Clause {} would get {code}, but it is prominently notified (flag or notice in its text)\n",
            clause + 1
        ));
    }
    s
}
