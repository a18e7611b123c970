//! The report as one self-contained HTML page (styles inline, charts as `data:` URIs) and as
//! Markdown (charts linked as files). Both show the same figures, from [`Figures`]; every
//! value taken from the input is escaped.

use super::charts::Chart;
use super::{DIMENSIONS, Figures};
use std::fmt::Write as _;
use std::path::Path;

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1040px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}\
h1{font-size:1.7em}h2{margin-top:2em;border-bottom:1px solid #ddd;padding-bottom:.2em}\
table{border-collapse:collapse;margin:.8em 0;font-size:.92em}th,td{border:1px solid #ccc;padding:.3em .6em;text-align:right}\
th:first-child,td:first-child{text-align:left}th{background:#f4f4f4}img{max-width:100%;height:auto;border:1px solid #eee}\
.meta{color:#555;font-size:.9em}code{background:#f4f4f4;padding:0 .2em}";

/// Standard base64 (RFC 4648, with padding).
pub(crate) fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * k) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Text made safe for HTML content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Text made safe for a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}

pub(super) fn fmt(v: f64, decimals: usize) -> String {
    if v.is_finite() {
        format!("{v:.decimals$}")
    } else {
        "n/a".to_string()
    }
}

pub(super) fn pct(v: f64) -> String {
    format!("{}%", fmt(v * 100.0, 1))
}

/// The tables of a report: a title, a header and rows of cells (raw text).
pub(super) struct Table {
    pub(super) id: &'static str,
    pub(super) title: &'static str,
    pub(super) header: Vec<String>,
    pub(super) rows: Vec<Vec<String>>,
    pub(super) note: Option<String>,
}

fn tables(f: &Figures) -> Vec<Table> {
    let mut out = Vec::new();
    out.push(Table {
        id: "scores",
        title: "Scores",
        header: ["dimension", "mean", "median", "p90", "max"]
            .map(String::from)
            .to_vec(),
        rows: f
            .distributions
            .iter()
            .map(|d| {
                vec![
                    d.label.to_string(),
                    fmt(d.mean, 2),
                    fmt(d.median, 2),
                    fmt(d.p90, 2),
                    fmt(d.max, 2),
                ]
            })
            .collect(),
        note: None,
    });
    if !f.grades.is_empty() {
        out.push(Table {
            id: "grades",
            title: "Grades",
            header: ["grade", "grants", "share"].map(String::from).to_vec(),
            rows: f
                .grades
                .iter()
                .map(|(g, n)| {
                    vec![
                        g.clone(),
                        n.to_string(),
                        pct(*n as f64 / f.rows.max(1) as f64),
                    ]
                })
                .collect(),
            note: None,
        });
    }
    out.push(Table {
        id: "findings",
        title: "Findings by code",
        header: ["code", "grants", "share"].map(String::from).to_vec(),
        rows: f
            .findings
            .iter()
            .map(|c| vec![c.code.clone(), c.grants.to_string(), pct(c.share)])
            .collect(),
        note: None,
    });
    if !f.institutions.is_empty() {
        let mut header = vec!["rank".to_string(), "institution".into(), "grants".into()];
        header.extend(
            DIMENSIONS
                .iter()
                .map(|(_, l)| format!("mean {}", l.to_lowercase())),
        );
        header.push("codes behind the rank".into());
        out.push(Table {
            id: "institutions",
            title: "Institutions ranked",
            header,
            rows: f
                .institutions
                .iter()
                .map(|r| {
                    let mut row = vec![
                        r.rank.to_string(),
                        r.institution_id.clone(),
                        r.grants.to_string(),
                    ];
                    row.extend(r.mean_scores.iter().map(|m| fmt(*m, 2)));
                    row.push(
                        r.top_codes
                            .iter()
                            .map(|c| format!("{} {}", c.code, pct(c.share)))
                            .collect::<Vec<_>>()
                            .join(", "),
                    );
                    row
                })
                .collect(),
            note: None,
        });
    }
    if let Some(o) = &f.outcomes {
        out.push(Table {
            id: "outcomes",
            title: "Scores against outcomes",
            header: ["score", "AUC [95% CI]", "KS"].map(String::from).to_vec(),
            rows: o
                .separation
                .iter()
                .map(|s| {
                    let auc = match s.auc_ci95 {
                        Some((lo, hi)) => format!("{} [{}, {}]", fmt(s.auc, 4), fmt(lo, 3), fmt(hi, 3)),
                        None => fmt(s.auc, 4),
                    };
                    vec![s.label.to_string(), auc, fmt(s.ks, 4)]
                })
                .collect(),
            note: Some(format!(
                "{} grants with the outcome `{}`, default rate {}. AUC intervals: Hanley and McNeil (1982). Generated outcomes come from the generator's own model of the engine's flags: against them an AUC checks consistency, not quality.",
                o.rows_with_outcome,
                o.outcome,
                pct(o.default_rate)
            )),
        });
        if !o.calibration.is_empty() {
            out.push(Table {
                id: "calibration",
                title: "PD calibration",
                header: ["band", "grants", "PD from", "PD to", "mean PD", "observed"]
                    .map(String::from)
                    .to_vec(),
                rows: o
                    .calibration
                    .iter()
                    .enumerate()
                    .map(|(k, b)| {
                        vec![
                            (k + 1).to_string(),
                            b.rows.to_string(),
                            fmt(b.pd_min, 4),
                            fmt(b.pd_max, 4),
                            fmt(b.mean_pd, 4),
                            fmt(b.observed, 4),
                        ]
                    })
                    .collect(),
                note: o.brier.map(|b| format!("Brier score {}.", fmt(b, 4))),
            });
        }
    }
    if let Some(d) = &f.down_tiering {
        out.push(Table {
            id: "vintages",
            title: "Customer-quality down-tiering by institution (RC-DOWN-TIERING)",
            header: [
                "institution",
                "grants",
                "months tested",
                "fires",
                "worsening (first months -> last months, p)",
                "mix PSI",
            ]
            .map(String::from)
            .to_vec(),
            rows: d
                .institutions
                .iter()
                .map(|i| {
                    let worsening: Vec<String> = i
                        .trends
                        .iter()
                        .filter(|t| t.worsens)
                        .map(|t| {
                            format!(
                                "{} {} -> {} (p {:.1e})",
                                t.characteristic.replace('_', " "),
                                fmt(t.baseline_share, 3),
                                fmt(t.recent_share, 3),
                                t.p_value
                            )
                        })
                        .collect();
                    vec![
                        if i.group.is_empty() { "(none)".into() } else { i.group.clone() },
                        i.vintages.iter().map(|v| v.grants).sum::<u64>().to_string(),
                        i.vintages_tested.to_string(),
                        if i.fires { "yes".into() } else { "no".into() },
                        if worsening.is_empty() { i.reason.clone() } else { worsening.join("; ") },
                        i.mix_psi.map_or("n/a".into(), |v| fmt(v, 3)),
                    ]
                })
                .collect(),
            note: Some(format!(
                "Ruleset {}: a characteristic worsens when its share rises with time (Cochran-Armitage, one-sided p below {} over the characteristics tested), by at least {} with a PSI of at least {} from the first {} to the last {} tested months, each of the last above the first's share; months with fewer than {} grants are not tested. Computed {}.",
                d.ruleset_version,
                d.all_grants.rules.alpha,
                d.all_grants.rules.min_share_increase,
                d.all_grants.rules.min_psi,
                d.all_grants.rules.window_vintages,
                d.all_grants.rules.window_vintages,
                d.all_grants.rules.min_grants_per_vintage,
                d.note
            )),
        });
    }
    if !f.stability.is_empty() {
        out.push(Table {
            id: "psi",
            title: "Stability between periods",
            header: ["period", "grants", "PSI overall", "PSI PD"]
                .map(String::from)
                .to_vec(),
            rows: f
                .stability
                .iter()
                .map(|s| {
                    vec![
                        s.period.clone(),
                        s.grants.to_string(),
                        fmt(s.psi_overall, 4),
                        s.psi_pd.map_or("n/a".into(), |v| fmt(v, 4)),
                    ]
                })
                .collect(),
            note: Some(format!(
                "Each {} against the first; below 0.10 stable, 0.10 to 0.25 worth watching, above 0.25 shifted.",
                f.period
            )),
        });
    }
    if let Some(labels) = &f.labels {
        let codes = labels["codes"].as_object().cloned().unwrap_or_default();
        let num = |v: &serde_json::Value| v.as_f64().map_or("n/a".into(), |x| fmt(x, 4));
        let with_ci =
            |v: &serde_json::Value, ci: &serde_json::Value| match (v.as_f64(), ci.as_array()) {
                (Some(x), Some(ci)) if ci.len() == 2 => format!(
                    "{} [{}, {}]",
                    fmt(x, 4),
                    ci[0].as_f64().map_or("?".into(), |v| fmt(v, 3)),
                    ci[1].as_f64().map_or("?".into(), |v| fmt(v, 3))
                ),
                _ => num(v),
            };
        out.push(Table {
            id: "labels",
            title: "Findings against labels",
            header: [
                "code",
                "planted",
                "flagged",
                "precision [95% CI]",
                "recall [95% CI]",
            ]
                .map(String::from)
                .to_vec(),
            rows: codes
                .iter()
                .map(|(code, c)| {
                    vec![
                        code.clone(),
                        c["planted"].to_string(),
                        c["flagged"].to_string(),
                        with_ci(&c["precision"], &c["precision_ci95"]),
                        with_ci(&c["recall"], &c["recall_ci95"]),
                    ]
                })
                .collect(),
            note: Some(format!(
                "Against {} ({} grants matched). Intervals are Wilson 95%. Labels planted by `finrisk generate` use the engine's own thresholds: against them these figures check consistency, not quality. AUC of each score against its planted dimension: {}.",
                labels["file"].as_str().unwrap_or(""),
                labels["rows_matched"],
                labels["dimension_auc"]
                    .as_object()
                    .map(|m| m
                        .iter()
                        .map(|(k, v)| format!("{k} {}", num(v)))
                        .collect::<Vec<_>>()
                        .join(", "))
                    .unwrap_or_default()
            )),
        });
    }
    out
}

fn provenance_line(f: &Figures) -> String {
    let p = &f.provenance;
    if p.is_null() {
        return "no provenance record found beside the input".to_string();
    }
    format!(
        "scored by finrisk {} with ruleset {}, PD model {}, as of {}",
        p["finrisk_version"].as_str().unwrap_or("?"),
        p["ruleset_version"].as_str().unwrap_or("?"),
        p["pd_model"].as_str().unwrap_or("none"),
        p["as_of"].as_str().unwrap_or("?")
    )
}

/// The HTML page; chart PNGs are read from `dir` and embedded.
pub(crate) fn page(f: &Figures, charts: &[Chart], dir: &Path) -> anyhow::Result<String> {
    let mut h = String::new();
    page_head(
        &mut h,
        &format!("finrisk report: {}", f.input),
        "finrisk evaluation report",
        &format!(
            "Input <code>{}</code> ({} rows, SHA-256 <code>{}</code>); {}. Report by finrisk {}.",
            escape(&f.input),
            f.rows,
            escape(&f.input_sha256),
            escape(&provenance_line(f)),
            f.finrisk_version
        ),
    );
    sections(&mut h, charts, &tables(f), dir)?;
    Ok(h)
}

/// The opening of a page: doctype, title, inline styles, heading and a line of metadata
/// (`meta_html`, already escaped).
pub(super) fn page_head(h: &mut String, title: &str, heading: &str, meta_html: &str) {
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n<p class=\"meta\">{meta_html}</p>\n",
        escape(title),
        escape(heading)
    );
}

/// The charts (PNG files in `dir`, embedded), each followed by the tables of its id, then the
/// other tables, and the end of the page.
pub(super) fn sections(
    h: &mut String,
    charts: &[Chart],
    tables: &[Table],
    dir: &Path,
) -> anyhow::Result<()> {
    // Each chart is followed by the table of the same id.
    let mut written: Vec<&str> = Vec::new();
    for chart in charts {
        let bytes = std::fs::read(dir.join(chart.file))
            .map_err(|e| anyhow::anyhow!("report: cannot read {}: {e}", chart.file))?;
        let _ = write!(
            h,
            "<section id=\"{id}\">\n<h2>{title}</h2>\n<p>{desc}</p>\n<img id=\"chart-{id}\" alt=\"{desc}\" src=\"data:image/png;base64,{data}\">\n",
            id = chart.id,
            title = escape(chart.title),
            desc = escape(&chart.description),
            data = base64(&bytes)
        );
        for t in tables.iter().filter(|t| t.id == chart.id) {
            html_table(h, t);
            written.push(t.id);
        }
        h.push_str("</section>\n");
    }
    for t in tables.iter().filter(|t| !written.contains(&t.id)) {
        let _ = write!(
            h,
            "<section id=\"table-{}\">\n<h2>{}</h2>\n",
            t.id,
            escape(t.title)
        );
        html_table(h, t);
        h.push_str("</section>\n");
    }
    h.push_str("</body>\n</html>\n");
    Ok(())
}

pub(super) fn html_table(h: &mut String, t: &Table) {
    let _ = writeln!(h, "<table id=\"table-{}-data\">", t.id);
    h.push_str("<thead><tr>");
    for c in &t.header {
        let _ = write!(h, "<th>{}</th>", escape(c));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for row in &t.rows {
        h.push_str("<tr>");
        for c in row {
            let _ = write!(h, "<td>{}</td>", escape(c));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n");
    if let Some(note) = &t.note {
        let _ = writeln!(h, "<p class=\"meta\">{}</p>", escape(note));
    }
}

/// The Markdown summary: the same figures, charts linked as the PNG files beside it.
pub(crate) fn markdown(f: &Figures, charts: &[Chart]) -> String {
    let mut m = String::new();
    let _ = write!(
        m,
        "# finrisk evaluation report\n\nInput `{}` ({} rows, SHA-256 `{}`); {}. Report by finrisk {}.\n",
        f.input,
        f.rows,
        f.input_sha256,
        provenance_line(f),
        f.finrisk_version
    );
    markdown_sections(&mut m, charts, &tables(f));
    m
}

/// The charts (linked as files) with their tables, then the other tables, in Markdown.
pub(super) fn markdown_sections(m: &mut String, charts: &[Chart], tables: &[Table]) {
    let mut written: Vec<&str> = Vec::new();
    let table = |m: &mut String, t: &Table| {
        let _ = writeln!(
            m,
            "\n| {} |",
            t.header
                .iter()
                .map(|c| cell(c))
                .collect::<Vec<_>>()
                .join(" | ")
        );
        let _ = writeln!(m, "|{}", " --- |".repeat(t.header.len()));
        for row in &t.rows {
            let _ = writeln!(
                m,
                "| {} |",
                row.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")
            );
        }
        if let Some(note) = &t.note {
            let _ = writeln!(m, "\n{note}");
        }
    };
    for chart in charts {
        let _ = write!(
            m,
            "\n## {}\n\n{}\n\n![{}]({})\n",
            chart.title, chart.description, chart.title, chart.file
        );
        for t in tables.iter().filter(|t| t.id == chart.id) {
            table(m, t);
            written.push(t.id);
        }
    }
    for t in tables.iter().filter(|t| !written.contains(&t.id)) {
        let _ = writeln!(m, "\n## {}", t.title);
        table(m, t);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }

    #[test]
    fn input_text_is_escaped() {
        assert_eq!(
            escape("<b a=\"1\">&'"),
            "&lt;b a=&quot;1&quot;&gt;&amp;&#39;"
        );
        assert_eq!(cell("a|b\nc"), "a\\|b c");
    }
}
