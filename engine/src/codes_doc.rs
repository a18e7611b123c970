//! The code catalogue as a Markdown page (`docs/codes.md`): every code with its dimension,
//! meaning, levels and how it is evaluated, then, per jurisdiction, whether its ruleset enables
//! it, with what severity, threshold and parameters, and on which legal basis. Generated from
//! [`CATALOGUE`] and the rulesets, so the page cannot drift from what the engine does; a test
//! fails when the checked-in page is stale.

use crate::catalogue::{CATALOGUE, Evaluation};
use crate::findings::{Dimension, Level, Severity};
use crate::ruleset::Ruleset;
use std::fmt::Write;

fn level_name(level: Level) -> &'static str {
    match level {
        Level::Product => "product",
        Level::Portfolio => "portfolio",
        Level::Grant => "grant",
        Level::Case => "case",
    }
}

fn severity_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Info => "info",
        Severity::Low => "low",
        Severity::Medium => "medium",
        Severity::High => "high",
        Severity::Critical => "critical",
    }
}

fn evaluation_name(evaluation: Evaluation) -> &'static str {
    match evaluation {
        Evaluation::Direct => "from one object",
        Evaluation::AcrossGrants => "across a person's grants",
        Evaluation::NeedsModel => "needs a PD model",
    }
}

/// One `[identity]` value of a ruleset.
type IdentitySetting = fn(&Ruleset) -> u32;

/// A Markdown table cell: pipes escaped, line breaks folded.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// One jurisdiction's setting of a code: `off`, or severity, threshold and parameters.
fn setting(ruleset: &Ruleset, code: &str) -> String {
    match ruleset.codes.get(code) {
        None => "absent".to_string(),
        Some(rule) if !rule.enabled => "off".to_string(),
        Some(rule) => {
            let mut s = severity_name(rule.severity).to_string();
            if let Some(t) = rule.threshold {
                let _ = write!(s, ", threshold {t}");
            }
            for (name, value) in &rule.params {
                let _ = write!(s, ", {name} {value}");
            }
            if rule.weight != 1.0 {
                let _ = write!(s, ", weight {}", rule.weight);
            }
            s
        }
    }
}

/// A Markdown table header: the `columns`, then one column per ruleset's jurisdiction.
fn table_header(out: &mut String, columns: &[&str], rulesets: &[Ruleset]) {
    out.push('|');
    for c in columns {
        let _ = write!(out, " {c} |");
    }
    for r in rulesets {
        let _ = write!(out, " {} |", r.jurisdiction.as_str());
    }
    out.push_str("\n|");
    for _ in 0..columns.len() + rulesets.len() {
        out.push_str("---|");
    }
    out.push('\n');
}

/// The page, for `rulesets` (one column each, in the order given).
pub fn codes_markdown(rulesets: &[Ruleset]) -> String {
    let mut out = String::new();
    out.push_str(
        "# Finding codes\n\n\
         <!-- Generated from engine/src/catalogue.rs and rules/*.toml by engine/src/codes_doc.rs.\n     \
         Do not edit: run `FINRISK_WRITE_DOCS=1 cargo test codes_page` to rewrite it. -->\n\n\
         Every finding has a stable code. What a code means, where it applies and how it is\n\
         evaluated is the engine's catalogue; its severity, threshold, legal basis and\n\
         recommendation are ruleset data (`rules/*.toml`, `[codes.\"CODE\"]`), shown here for\n\
         each embedded ruleset. `off` means the ruleset carries the code but does not evaluate it\n\
         (a rule of another jurisdiction with no local equivalent). What the scores built from\n\
         these findings mean is in [scores.md](scores.md).\n\n",
    );
    table_header(
        &mut out,
        &["code", "dimension", "fires when", "where", "evaluated"],
        rulesets,
    );
    for spec in &CATALOGUE {
        let dimension = Dimension::of_code(spec.code).map_or("", Dimension::as_str);
        let levels: Vec<&str> = spec.levels.iter().map(|l| level_name(*l)).collect();
        let _ = write!(
            out,
            "| {} | {} | {} | {} | {} |",
            spec.code,
            dimension,
            cell(spec.meaning),
            levels.join(", "),
            evaluation_name(spec.evaluation)
        );
        for r in rulesets {
            let _ = write!(out, " {} |", cell(&setting(r, spec.code)));
        }
        out.push('\n');
    }
    out.push_str(
        "\n## Identity resolution (`[identity]`)\n\n\
         How the DC codes that add up a person's grants join borrower keys (the researchers' guide\n\
         explains the rules; `rules/cn.toml` gives their sources): an identifier seen with more\n\
         than `hub_keys` keys is a hub and joins nothing; two keys seen with one identifier only\n\
         more than `recycle_gap_days` apart are not joined through it; a link's strength is the\n\
         sum of `link_weight` over the identifier types two keys share, and each code joins keys\n\
         through links of at least its `min_link_strength` (in the table above).\n\n",
    );
    table_header(&mut out, &["setting"], rulesets);
    let identity_rows: [(&str, IdentitySetting); 5] = [
        ("`hub_keys.phone_hash`", |r| r.identity.hub_keys.phone_hash),
        ("`hub_keys.device_hash`", |r| {
            r.identity.hub_keys.device_hash
        }),
        ("`recycle_gap_days`", |r| r.identity.recycle_gap_days),
        ("`link_weight.phone_hash`", |r| {
            r.identity.link_weight.phone_hash
        }),
        ("`link_weight.device_hash`", |r| {
            r.identity.link_weight.device_hash
        }),
    ];
    for (name, value) in identity_rows {
        let _ = write!(out, "| {name} |");
        for r in rulesets {
            let _ = write!(out, " {} |", value(r));
        }
        out.push('\n');
    }
    out.push_str("\n## Legal bases and recommendations\n");
    for spec in &CATALOGUE {
        let _ = write!(out, "\n### {}\n\n", spec.code);
        for r in rulesets {
            match r.codes.get(spec.code) {
                Some(rule) if rule.enabled => {
                    let _ = writeln!(
                        out,
                        "- **{}** ({}): {} *Recommendation:* {}",
                        r.jurisdiction.as_str(),
                        r.version,
                        cell(rule.basis.trim()),
                        cell(rule.recommendation.trim())
                    );
                }
                _ => {
                    let _ = writeln!(
                        out,
                        "- **{}** ({}): not evaluated.",
                        r.jurisdiction.as_str(),
                        r.version
                    );
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Jurisdiction;

    fn embedded() -> Vec<Ruleset> {
        [
            Jurisdiction::Cn,
            Jurisdiction::Us,
            Jurisdiction::Eu,
            Jurisdiction::Uk,
        ]
        .into_iter()
        .map(|j| Ruleset::embedded(j).unwrap())
        .collect()
    }

    /// `docs/codes.md` is what the catalogue and the embedded rulesets give; with
    /// `FINRISK_WRITE_DOCS=1` the test rewrites it instead of failing.
    #[test]
    fn codes_page_is_generated_and_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/codes.md");
        let want = codes_markdown(&embedded());
        if std::env::var_os("FINRISK_WRITE_DOCS").is_some() {
            std::fs::write(path, &want).unwrap();
        }
        let have = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            have == want,
            "docs/codes.md is stale: run `FINRISK_WRITE_DOCS=1 cargo test codes_page` and commit it"
        );
    }

    #[test]
    fn every_code_has_a_row_and_a_basis_section() {
        let page = codes_markdown(&embedded());
        for spec in &CATALOGUE {
            assert!(
                page.contains(&format!("\n| {} |", spec.code)),
                "{}",
                spec.code
            );
            assert!(
                page.contains(&format!("\n### {}\n", spec.code)),
                "{}",
                spec.code
            );
        }
        // A switched-off code says so in its column.
        let mut rulesets = embedded();
        if let Some(rule) = rulesets[0].codes.get_mut("RC-MINOR") {
            rule.enabled = false;
        }
        let page = codes_markdown(&rulesets);
        let row = page
            .lines()
            .find(|l| l.starts_with("| RC-MINOR |"))
            .unwrap();
        assert!(row.contains("| off |"), "{row}");
    }
}
