//! The report's charts, drawn with plotters into PNG files. Text is set in DejaVu Sans, compiled
//! into the binary (`assets/fonts`), so a chart looks the same on every machine and needs no
//! system font library.

use super::Figures;
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use std::path::Path;

/// One chart of a report.
#[derive(Debug, Clone)]
pub(crate) struct Chart {
    /// Element id in the HTML page (`chart-<id>`).
    pub(crate) id: &'static str,
    /// PNG file name in the output directory.
    pub(crate) file: &'static str,
    /// Heading.
    pub(crate) title: &'static str,
    /// What it shows, for the alt text and the Markdown.
    pub(crate) description: String,
}

const WIDTH: u32 = 960;
const HEIGHT: u32 = 540;
const FONT: &str = "sans-serif";

pub(super) const PALETTE: [RGBColor; 6] = [
    RGBColor(0x1f, 0x77, 0xb4),
    RGBColor(0xd6, 0x27, 0x28),
    RGBColor(0x2c, 0xa0, 0x2c),
    RGBColor(0x94, 0x67, 0xbd),
    RGBColor(0xff, 0x7f, 0x0e),
    RGBColor(0x7f, 0x7f, 0x7f),
];

pub(super) fn register_font() -> anyhow::Result<()> {
    static REGISTERED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        plotters::style::register_font(
            FONT,
            FontStyle::Normal,
            include_bytes!("../../assets/fonts/DejaVuSans.ttf"),
        )
        .is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(anyhow::anyhow!(
            "the embedded chart font could not be loaded"
        ))
    }
}

fn draw_error<E: std::fmt::Display>(file: &str) -> impl Fn(E) -> anyhow::Error + '_ {
    move |e| anyhow::anyhow!("report: cannot draw {file}: {e}")
}

/// The legend box of a chart's labelled series.
fn draw_legend<'a, DB: DrawingBackend + 'a, CT: plotters::coord::CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    chart
        .configure_series_labels()
        .label_font((FONT, 15))
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .position(position)
        .draw()
}

/// The legend sample of a line series.
fn legend_line(color: RGBColor) -> impl Fn((i32, i32)) -> PathElement<(i32, i32)> {
    move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], color.stroke_width(3))
}

/// Score distributions: share of grants per 5-point bin, one line per dimension.
fn scores(f: &Figures, path: &Path) -> anyhow::Result<()> {
    let err = draw_error("scores.png");
    let root = BitMapBackend::new(path, (WIDTH, HEIGHT)).into_drawing_area();
    root.fill(&WHITE).map_err(&err)?;
    let top = f
        .distributions
        .iter()
        .flat_map(|d| d.shares.iter().copied())
        .fold(0.0f64, f64::max)
        .max(0.01);
    let mut chart = ChartBuilder::on(&root)
        .caption("Score distributions (0 best .. 100 worst)", (FONT, 24))
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(64)
        .build_cartesian_2d(0f64..100f64, 0f64..top * 1.1)
        .map_err(&err)?;
    chart
        .configure_mesh()
        .x_desc("score (bin of 5 points)")
        .y_desc("share of grants")
        .y_label_formatter(&|v| format!("{:.0}%", v * 100.0))
        .label_style((FONT, 14))
        .draw()
        .map_err(&err)?;
    // A dimension no grant scored on (marketing, for grants) would only flatten the others.
    for (k, d) in f
        .distributions
        .iter()
        .enumerate()
        .filter(|(_, d)| d.max > 0.0)
    {
        let color = PALETTE[k % PALETTE.len()];
        let points = d
            .shares
            .iter()
            .enumerate()
            .map(|(b, s)| (b as f64 * 5.0 + 2.5, *s));
        chart
            .draw_series(LineSeries::new(points, color.stroke_width(3)))
            .map_err(&err)?
            .label(format!("{} (mean {:.1})", d.label, d.mean))
            .legend(legend_line(color));
    }
    draw_legend(&mut chart, SeriesLabelPosition::UpperRight).map_err(&err)?;
    root.present().map_err(&err)?;
    Ok(())
}

/// Horizontal bars: `labels[i]` with `values[i]`, the first on top.
pub(super) fn bars(
    path: &Path,
    file: &str,
    caption: &str,
    x_desc: &str,
    labels: &[String],
    values: &[f64],
    color: RGBColor,
) -> anyhow::Result<()> {
    let err = draw_error(file);
    let n = labels.len().max(1);
    let height = (120 + 28 * u32::try_from(n).unwrap_or(u32::MAX / 56)).clamp(HEIGHT / 2, 1200);
    let root = BitMapBackend::new(path, (WIDTH, height)).into_drawing_area();
    root.fill(&WHITE).map_err(&err)?;
    let top = values.iter().copied().fold(0.0f64, f64::max).max(1e-9);
    // Bottom-up on the axis: reverse so that the first label is drawn on top.
    let reversed: Vec<(&String, f64)> = labels.iter().zip(values.iter().copied()).rev().collect();
    let mut chart = ChartBuilder::on(&root)
        .caption(caption, (FONT, 24))
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(250)
        .build_cartesian_2d(0f64..top * 1.15, (0usize..n - 1).into_segmented())
        .map_err(&err)?;
    let label_of = |v: &SegmentValue<usize>| match v {
        SegmentValue::CenterOf(i) => reversed
            .get(*i)
            .map(|(l, _)| (*l).clone())
            .unwrap_or_default(),
        _ => String::new(),
    };
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(n)
        .y_label_formatter(&label_of)
        .x_desc(x_desc)
        .label_style((FONT, 14))
        .draw()
        .map_err(&err)?;
    chart
        .draw_series(
            Histogram::horizontal(&chart)
                .style(color.filled())
                .margin(4)
                .data(reversed.iter().enumerate().map(|(i, (_, v))| (i, *v))),
        )
        .map_err(&err)?;
    root.present().map_err(&err)?;
    Ok(())
}

/// Lines through points, one series per `(label, points)`, on [0, 1] x [0, 1] with the
/// diagonal dashed (ROC and calibration).
fn unit_lines(
    path: &Path,
    file: &str,
    caption: &str,
    (x_desc, y_desc): (&str, &str),
    series: &[(String, Vec<(f64, f64)>)],
    markers: bool,
) -> anyhow::Result<()> {
    let err = draw_error(file);
    let root = BitMapBackend::new(path, (WIDTH, HEIGHT)).into_drawing_area();
    root.fill(&WHITE).map_err(&err)?;
    let top = series
        .iter()
        .flat_map(|(_, p)| p.iter().flat_map(|(x, y)| [*x, *y]))
        .fold(0.0f64, f64::max)
        .clamp(0.05, 1.0);
    let mut chart = ChartBuilder::on(&root)
        .caption(caption, (FONT, 24))
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(64)
        .build_cartesian_2d(0f64..top, 0f64..top)
        .map_err(&err)?;
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .label_style((FONT, 14))
        .draw()
        .map_err(&err)?;
    chart
        .draw_series(DashedLineSeries::new(
            [(0.0, 0.0), (top, top)],
            6,
            4,
            BLACK.mix(0.5).stroke_width(1),
        ))
        .map_err(&err)?;
    for (k, (label, points)) in series.iter().enumerate() {
        let color = PALETTE[k % PALETTE.len()];
        chart
            .draw_series(LineSeries::new(
                points.iter().copied(),
                color.stroke_width(3),
            ))
            .map_err(&err)?
            .label(label.clone())
            .legend(legend_line(color));
        if markers {
            chart
                .draw_series(points.iter().map(|&p| Circle::new(p, 5, color.filled())))
                .map_err(&err)?;
        }
    }
    draw_legend(&mut chart, SeriesLabelPosition::LowerRight).map_err(&err)?;
    root.present().map_err(&err)?;
    Ok(())
}

/// Lines over periods (a category axis labelled every `label_every` periods), with dashed
/// horizontal `thresholds`; series that are all NaN are left out, NaN points skipped.
#[allow(clippy::too_many_arguments)]
fn period_lines(
    path: &Path,
    file: &str,
    caption: &str,
    periods: &[&str],
    y_desc: &str,
    top: f64,
    series: &[(String, Vec<f64>)],
    (markers, thresholds): (bool, &[(f64, &str)]),
) -> anyhow::Result<()> {
    let err = draw_error(file);
    let root = BitMapBackend::new(path, (WIDTH, HEIGHT)).into_drawing_area();
    root.fill(&WHITE).map_err(&err)?;
    let n = periods.len().max(1);
    let mut chart = ChartBuilder::on(&root)
        .caption(caption, (FONT, 24))
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(64)
        .build_cartesian_2d((0usize..n - 1).into_segmented(), 0f64..top)
        .map_err(&err)?;
    let label_every = n.div_ceil(12).max(1);
    let label_of = |v: &SegmentValue<usize>| match v {
        SegmentValue::CenterOf(i) if i % label_every == 0 => {
            periods.get(*i).map(|p| p.to_string()).unwrap_or_default()
        }
        _ => String::new(),
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n)
        .x_label_formatter(&label_of)
        .y_desc(y_desc)
        .label_style((FONT, 14))
        .draw()
        .map_err(&err)?;
    for (k, (label, values)) in series.iter().enumerate() {
        if values.iter().all(|v| v.is_nan()) {
            continue;
        }
        let color = PALETTE[k % PALETTE.len()];
        let points: Vec<(SegmentValue<usize>, f64)> = values
            .iter()
            .enumerate()
            .filter(|(_, v)| v.is_finite())
            .map(|(i, v)| (SegmentValue::CenterOf(i), *v))
            .collect();
        chart
            .draw_series(LineSeries::new(points.clone(), color.stroke_width(3)))
            .map_err(&err)?
            .label(label.clone())
            .legend(legend_line(color));
        if markers {
            chart
                .draw_series(
                    points
                        .into_iter()
                        .map(|p| Circle::new(p, 5, color.filled())),
                )
                .map_err(&err)?;
        }
    }
    for (threshold, label) in thresholds {
        chart
            .draw_series(DashedLineSeries::new(
                [
                    (SegmentValue::Exact(0), *threshold),
                    (SegmentValue::Last, *threshold),
                ],
                6,
                4,
                BLACK.mix(0.5).stroke_width(1),
            ))
            .map_err(&err)?
            .label(*label)
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], BLACK.mix(0.5)));
    }
    draw_legend(&mut chart, SeriesLabelPosition::UpperLeft).map_err(&err)?;
    root.present().map_err(&err)?;
    Ok(())
}

/// PSI of the overall score and the PD per period against the first, with the 0.1 and 0.25
/// thresholds.
fn psi(f: &Figures, path: &Path) -> anyhow::Result<()> {
    let periods: Vec<&str> = f.stability.iter().map(|s| s.period.as_str()).collect();
    let top = f
        .stability
        .iter()
        .flat_map(|s| [s.psi_overall, s.psi_pd.unwrap_or(0.0)])
        .filter(|v| v.is_finite())
        .fold(0.3f64, f64::max);
    let series = [
        (
            "overall score".to_string(),
            f.stability.iter().map(|s| s.psi_overall).collect(),
        ),
        (
            "model PD".to_string(),
            f.stability
                .iter()
                .map(|s| s.psi_pd.unwrap_or(f64::NAN))
                .collect(),
        ),
    ];
    period_lines(
        path,
        "psi.png",
        &format!(
            "Population stability by {} (against {})",
            f.period,
            periods.first().copied().unwrap_or("")
        ),
        &periods,
        "PSI",
        top * 1.1,
        &series,
        (true, &[(0.1, "0.10: watch"), (0.25, "0.25: shifted")]),
    )
}

/// Borrower quality by month of grant for the whole table: the share of each characteristic
/// the table shows, and the mean PD where a model scored the grants.
fn vintages(d: &finrisk_engine::vintage::DownTiering, path: &Path) -> anyhow::Result<()> {
    let months: Vec<&str> = d.vintages.iter().map(|v| v.month.as_str()).collect();
    let mut series: Vec<(String, Vec<f64>)> = finrisk_engine::vintage::CHARACTERISTICS
        .iter()
        .enumerate()
        .map(|(k, name)| {
            (
                name.replace('_', " "),
                d.vintages
                    .iter()
                    .map(|v| v.shares.get(k).copied().flatten().unwrap_or(f64::NAN))
                    .collect(),
            )
        })
        .collect();
    series.push((
        "mean model PD".to_string(),
        d.vintages
            .iter()
            .map(|v| v.mean_pd.unwrap_or(f64::NAN))
            .collect(),
    ));
    let top = series
        .iter()
        .flat_map(|(_, v)| v.iter().copied())
        .filter(|v| v.is_finite())
        .fold(0.1f64, f64::max)
        .min(1.0);
    period_lines(
        path,
        "vintages.png",
        "Borrower quality by month of grant",
        &months,
        "share of grants",
        top * 1.1,
        &series,
        (false, &[]),
    )
}

/// Draws every chart the figures support into `dir`; returns them in page order.
pub(crate) fn render_all(f: &Figures, dir: &Path) -> anyhow::Result<Vec<Chart>> {
    register_font()?;
    let mut charts = Vec::new();
    let path_of = |file: &str| dir.join(file);

    let file = "scores.png";
    scores(f, &path_of(file))?;
    charts.push(Chart {
        id: "scores",
        file,
        title: "Score distributions",
        description: format!(
            "Share of the {} grants in each 5-point score bin, per dimension with a score above 0: {}.",
            f.rows,
            f.distributions
                .iter()
                .filter(|d| d.max > 0.0)
                .map(|d| format!("{} mean {:.1}", d.label.to_lowercase(), d.mean))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    });

    let file = "findings.png";
    let codes: Vec<String> = f.findings.iter().map(|c| c.code.clone()).collect();
    let shares: Vec<f64> = f.findings.iter().map(|c| c.share * 100.0).collect();
    bars(
        &path_of(file),
        file,
        "Findings by code",
        "% of grants",
        &codes,
        &shares,
        PALETTE[1],
    )?;
    charts.push(Chart {
        id: "findings",
        file,
        title: "Findings by code",
        description: match f.findings.first() {
            Some(c) => format!(
                "{} codes found; the most frequent, {}, on {:.1}% of grants.",
                f.findings.len(),
                c.code,
                c.share * 100.0
            ),
            None => "No finding on any grant.".to_string(),
        },
    });

    if !f.institutions.is_empty() {
        let file = "institutions.png";
        let shown: Vec<&super::InstitutionRank> = f.institutions.iter().take(25).collect();
        let labels: Vec<String> = shown
            .iter()
            .map(|r| format!("{}. {}", r.rank, r.institution_id))
            .collect();
        let values: Vec<f64> = shown.iter().map(|r| r.mean_scores[3]).collect();
        bars(
            &path_of(file),
            file,
            "Institutions ranked by mean overall score (worst first)",
            "mean overall score",
            &labels,
            &values,
            PALETTE[0],
        )?;
        charts.push(Chart {
            id: "institutions",
            file,
            title: "Institutions ranked",
            description: format!(
                "{} institutions; worst: {} (mean overall {:.1}).",
                f.institutions.len(),
                f.institutions[0].institution_id,
                f.institutions[0].mean_scores[3]
            ),
        });
    }

    if let Some(o) = &f.outcomes {
        let file = "roc.png";
        let series: Vec<(String, Vec<(f64, f64)>)> = o
            .separation
            .iter()
            .map(|s| (format!("{} (AUC {:.3})", s.label, s.auc), s.roc.clone()))
            .collect();
        unit_lines(
            &path_of(file),
            file,
            &format!("ROC against `{}`", o.outcome),
            ("false positive rate", "true positive rate"),
            &series,
            false,
        )?;
        charts.push(Chart {
            id: "roc",
            file,
            title: "ROC curves",
            description: format!(
                "How well each score ranks the {} grants with an outcome (default rate {:.1}%): {}.",
                o.rows_with_outcome,
                o.default_rate * 100.0,
                o.separation
                    .iter()
                    .map(|s| format!("{} AUC {:.3}", s.label.to_lowercase(), s.auc))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
        if !o.calibration.is_empty() {
            let file = "calibration.png";
            let points: Vec<(f64, f64)> = o
                .calibration
                .iter()
                .map(|b| (b.mean_pd, b.observed))
                .collect();
            unit_lines(
                &path_of(file),
                file,
                "PD calibration (ten bands of equal size)",
                ("mean predicted PD", "observed default rate"),
                &[("observed against predicted".to_string(), points)],
                true,
            )?;
            charts.push(Chart {
                id: "calibration",
                file,
                title: "PD calibration",
                description: format!(
                    "Mean model PD against the observed default rate in ten bands; Brier score {:.4}.",
                    o.brier.unwrap_or(f64::NAN)
                ),
            });
        }
    }

    if let Some(d) = f
        .down_tiering
        .as_ref()
        .filter(|d| d.all_grants.vintages.len() >= 2)
    {
        let file = "vintages.png";
        vintages(&d.all_grants, &path_of(file))?;
        charts.push(Chart {
            id: "vintages",
            file,
            title: "Borrower quality by vintage",
            description: format!(
                "Share of the grants of each month that carry RC-STUDENT, RC-INCOME-UNVERIFIED, RC-DTI-HIGH or DC-MANY-LENDERS{}, over {} months; RC-DOWN-TIERING fires for {} of {} institutions{}.",
                if d.all_grants.vintages.iter().any(|v| v.mean_pd.is_some()) {
                    ", and the mean model PD"
                } else {
                    ""
                },
                d.all_grants.vintages.len(),
                d.institutions_firing.len(),
                d.institutions.len(),
                if d.institutions_firing.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", d.institutions_firing.join(", "))
                }
            ),
        });
    }

    if f.stability.len() >= 2 {
        let file = "psi.png";
        psi(f, &path_of(file))?;
        let worst = f
            .stability
            .iter()
            .skip(1)
            .max_by(|a, b| a.psi_overall.total_cmp(&b.psi_overall));
        charts.push(Chart {
            id: "psi",
            file,
            title: "Stability between periods",
            description: match worst {
                Some(w) => format!(
                    "PSI of each {} against the first ({}); largest for the overall score: {:.3} in {}.",
                    f.period, f.stability[0].period, w.psi_overall, w.period
                ),
                None => String::new(),
            },
        });
    }
    Ok(charts)
}
