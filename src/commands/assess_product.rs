//! `finrisk assess-product`: a product's findings from its terms and ads, and its loan book.

use crate::cli::{AssessProductArgs, Format};
use crate::input::parse_as_of;
use crate::input::{load_ruleset, read_document};
use crate::output::{describe_assessment, describe_cap, pct, to_json};
use finrisk_datasets::{LoadReport, load_grants};
use finrisk_engine::assess::{ProductAssessment, assess_product};
use finrisk_engine::domain::Product;
use finrisk_engine::marketing::ClaimGrammar;
use serde::Serialize;
use std::path::Path;

/// Row errors listed in full up to this many; the count is always exact.
const MAX_LISTED_ROW_ERRORS: usize = 1_000;

#[derive(Serialize)]
struct Output<'a> {
    #[serde(flatten)]
    assessment: &'a ProductAssessment,
    #[serde(skip_serializing_if = "Option::is_none")]
    grants_load: Option<LoadReport>,
}

/// A product assessed from its files: the product document as read, the assessment, and how
/// the grants loaded.
pub(crate) struct AssessedProduct {
    /// The product document, as read.
    pub(crate) document: String,
    /// What the engine made of it.
    pub(crate) assessment: ProductAssessment,
    /// How the grants loaded (row errors listed up to a limit), when grants were given.
    pub(crate) grants_load: Option<LoadReport>,
}

/// Reads and assesses a product and its loan book, as `assess-product` does.
pub(crate) fn assess(
    product_path: &Path,
    grants: Option<&Path>,
    pd_model: &str,
    as_of: Option<&str>,
    rules: Option<&Path>,
    max_document_bytes: u64,
) -> anyhow::Result<AssessedProduct> {
    let document = read_document(product_path, "product", max_document_bytes)?;
    let product = Product::from_json(&document)?;
    let ruleset = load_ruleset(rules, product.jurisdiction)?;
    let grammar = ClaimGrammar::embedded()?;
    let as_of = parse_as_of(as_of)?;
    let loaded = grants.map(load_grants).transpose()?;
    let pds = match &loaded {
        Some((batch, _)) => super::train::pds_for(pd_model, batch)?,
        None => None,
    };
    let assessment = assess_product(
        &product,
        loaded.as_ref().map(|(b, _)| b),
        pds.as_ref(),
        as_of,
        &ruleset,
        &grammar,
    )?;
    let grants_load = loaded.map(|(_, mut report)| {
        report.row_errors.truncate(MAX_LISTED_ROW_ERRORS);
        report
    });
    if let Some(r) = grants_load.as_ref().filter(|r| r.rows_rejected > 0) {
        eprintln!(
            "finrisk: grants: {} of {} rows refused and not assessed (listed in grants_load.row_errors)",
            r.rows_rejected, r.rows_read
        );
    }
    Ok(AssessedProduct {
        document,
        assessment,
        grants_load,
    })
}

/// The JSON document `assess-product` prints for an assessed product.
pub(crate) fn output_json(a: &AssessedProduct) -> anyhow::Result<serde_json::Value> {
    Ok(serde_json::to_value(Output {
        assessment: &a.assessment,
        grants_load: a.grants_load.clone(),
    })?)
}

pub(crate) fn run(args: &AssessProductArgs) -> anyhow::Result<String> {
    let assessed = assess(
        &args.product,
        args.grants.as_deref(),
        &args.pd.pd_model,
        args.as_of.as_deref(),
        args.rules.rules.as_deref(),
        args.max_document_bytes,
    )?;
    let out = Output {
        assessment: &assessed.assessment,
        grants_load: assessed.grants_load,
    };
    match args.format {
        Format::Json => to_json(&out),
        Format::Text => Ok(text(&out)),
    }
}

fn text(o: &Output<'_>) -> String {
    let a = o.assessment;
    let mut s = format!(
        "Product {} of {} (ruleset {})\n",
        a.product_id, a.institution_id, a.ruleset_version
    );
    s.push_str(&format!("Cap: {}\n", describe_cap(&a.cap)));
    for t in &a.apr_by_term {
        s.push_str(&format!(
            "  {:>3} months, {} (minor units): APR {} ({} nominal, {} effective){}\n",
            t.term_months,
            t.principal_minor,
            pct(t.apr),
            pct(t.apr_nominal),
            pct(t.apr_effective),
            if t.within_cap { "" } else { "  ABOVE THE CAP" }
        ));
    }
    if let Some(p) = &a.portfolio {
        let opt = |v: Option<f64>| v.map_or_else(|| "n/a".to_string(), pct);
        s.push_str(&format!(
            "Loan book: {} grants ({} rows of other products left out); students {}, income unverified {}, DTI high {}, first-payment default {}, default {}\n",
            p.grants,
            p.other_product_rows,
            opt(p.share_student),
            opt(p.share_income_unverified),
            pct(p.share_dti_high),
            opt(p.fpd_rate),
            opt(p.default_rate)
        ));
        if let Some(pd) = &p.pd {
            s.push_str(&format!(
                "Model PD ({}): mean {}, above {} for {} of grants\n",
                pd.model,
                pct(pd.mean_pd),
                pct(pd.threshold),
                pct(pd.share_above_threshold)
            ));
            if let Some(reason) = &pd.information_only {
                s.push_str(&format!("  information only: {reason}\n"));
            }
        }
    }
    s.push_str(&describe_assessment(&a.assessment));
    s
}
