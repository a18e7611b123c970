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

/// Row errors listed in full up to this many; the count is always exact.
const MAX_LISTED_ROW_ERRORS: usize = 1_000;

#[derive(Serialize)]
struct Output<'a> {
    #[serde(flatten)]
    assessment: &'a ProductAssessment,
    #[serde(skip_serializing_if = "Option::is_none")]
    grants_load: Option<LoadReport>,
}

pub(crate) fn run(args: &AssessProductArgs) -> anyhow::Result<String> {
    let document = read_document(&args.product, "product", args.max_document_bytes)?;
    let product = Product::from_json(&document)?;
    let ruleset = load_ruleset(args.rules.rules.as_deref(), product.jurisdiction)?;
    let grammar = ClaimGrammar::embedded()?;
    let as_of = parse_as_of(args.as_of.as_deref())?;
    let loaded = args.grants.as_deref().map(load_grants).transpose()?;
    let pds = match &loaded {
        Some((batch, _)) => super::train::pds_for(&args.pd.pd_model, batch)?,
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
    let out = Output {
        assessment: &assessment,
        grants_load,
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
