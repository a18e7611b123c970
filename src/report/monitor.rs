//! The drift monitor's report (`finrisk monitor --out DIR`): a self-contained HTML page, the
//! same figures in Markdown and JSON, and PNG charts of the PSI of every characteristic and of
//! the code rates' changes.

use super::charts::{Chart, PALETTE, bars, register_font};
use super::html::{Table, escape, fmt, markdown_sections, page_head, sections};
use crate::commands::monitor::MonitorFigures;
use std::path::Path;

fn tables(f: &MonitorFigures) -> Vec<Table> {
    let drift_rows = |list: &[finrisk_models::drift::Drift]| -> Vec<Vec<String>> {
        list.iter()
            .map(|d| {
                vec![
                    d.name.clone(),
                    fmt(d.psi, 4),
                    fmt(d.critical, 4),
                    if d.alert { "ALERT".into() } else { "no".into() },
                    d.bins
                        .iter()
                        .map(|b| format!("{}: {} / {}", b.label, b.baseline, b.current))
                        .collect::<Vec<_>>()
                        .join("; "),
                ]
            })
            .collect()
    };
    let header = [
        "name",
        "PSI",
        "critical value",
        "alert",
        "bins (baseline / current rows)",
    ]
    .map(String::from)
    .to_vec();
    vec![
        Table {
            id: "characteristics",
            title: "Characteristics (CSI)",
            header: header.clone(),
            rows: drift_rows(&f.characteristics),
            note: Some(f.method.to_string()),
        },
        Table {
            id: "scores",
            title: "Scores",
            header,
            rows: drift_rows(&f.scores),
            note: None,
        },
        Table {
            id: "codes",
            title: "Finding codes",
            header: ["code", "baseline rate", "current rate", "z", "p", "alert"]
                .map(String::from)
                .to_vec(),
            rows: f
                .codes
                .iter()
                .map(|r| {
                    vec![
                        r.name.clone(),
                        format!(
                            "{} ({} of {})",
                            fmt(r.baseline_rate, 4),
                            r.baseline_count,
                            r.baseline_rows
                        ),
                        format!(
                            "{} ({} of {})",
                            fmt(r.current_rate, 4),
                            r.current_count,
                            r.current_rows
                        ),
                        fmt(r.z, 2),
                        format!("{:.2e}", r.p_value),
                        if r.alert { "ALERT".into() } else { "no".into() },
                    ]
                })
                .collect(),
            note: None,
        },
    ]
}

/// Writes `report.html`, `report.md`, `report.json` and the charts into `dir`; returns the
/// file names.
pub(crate) fn write(f: &MonitorFigures, dir: &Path) -> anyhow::Result<Vec<String>> {
    std::fs::create_dir_all(dir).map_err(|e| {
        crate::failure::bad_input(format!("out: cannot create {}: {e}", dir.display()))
    })?;
    register_font()?;
    let mut charts = Vec::new();
    if !f.characteristics.is_empty() {
        let file = "characteristics.png";
        bars(
            &dir.join(file),
            file,
            "PSI of each characteristic, current against baseline",
            "PSI",
            &f.characteristics
                .iter()
                .map(|d| d.name.clone())
                .collect::<Vec<_>>(),
            &f.characteristics.iter().map(|d| d.psi).collect::<Vec<_>>(),
            PALETTE[0],
        )?;
        charts.push(Chart {
            id: "characteristics",
            file,
            title: "Characteristics (CSI)",
            description: format!(
                "{} characteristics of model {}; {} alert.",
                f.characteristics.len(),
                f.model,
                f.characteristics.iter().filter(|d| d.alert).count()
            ),
        });
    }
    let file = "codes.png";
    bars(
        &dir.join(file),
        file,
        "Change of each finding code's rate (points)",
        "current minus baseline rate, percentage points",
        &f.codes.iter().map(|r| r.name.clone()).collect::<Vec<_>>(),
        &f.codes
            .iter()
            .map(|r| 100.0 * (r.current_rate - r.baseline_rate))
            .collect::<Vec<_>>(),
        PALETTE[1],
    )?;
    charts.push(Chart {
        id: "codes",
        file,
        title: "Finding codes",
        description: format!(
            "{} codes; {} alert.",
            f.codes.len(),
            f.codes.iter().filter(|r| r.alert).count()
        ),
    });
    let tables = tables(f);
    let alerts = if f.alerts.is_empty() {
        "No alert.".to_string()
    } else {
        format!("{} alerts: {}.", f.alerts.len(), f.alerts.join("; "))
    };
    let meta = format!(
        "Current <code>{}</code> ({} grants) against baseline <code>{}</code> ({} grants); ruleset {}, model {}. {}",
        escape(&f.current.source),
        f.current.rows,
        escape(&f.baseline.source),
        f.baseline.rows,
        escape(&f.ruleset_version),
        escape(&f.model),
        escape(&alerts)
    );
    let mut html = String::new();
    page_head(
        &mut html,
        "finrisk drift monitor",
        "finrisk drift monitor",
        &meta,
    );
    sections(&mut html, &charts, &tables, dir)?;
    let mut md = format!(
        "# finrisk drift monitor\n\nCurrent {}. {alerts}\n",
        f.headline()
    );
    markdown_sections(&mut md, &charts, &tables);
    let write = |name: &str, text: String| -> anyhow::Result<()> {
        finrisk_datasets::write::write_atomically(&dir.join(name), text.as_bytes())?;
        Ok(())
    };
    write("report.json", serde_json::to_string_pretty(f)? + "\n")?;
    write("report.md", md)?;
    write("report.html", html)?;
    let mut files: Vec<String> = ["report.html", "report.md", "report.json"]
        .map(String::from)
        .to_vec();
    files.extend(charts.iter().map(|c| c.file.to_string()));
    Ok(files)
}
