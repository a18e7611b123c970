//! What the commands print and write: JSON, percentages, text descriptions of assessments and
//! caps, file digests, and the check that an output's directory exists before a long run.

/// Hex SHA-256 of a file.
pub(crate) fn file_sha256(path: &std::path::Path) -> anyhow::Result<String> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    // Read in blocks: inputs can be gigabytes.
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut block = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut block)?;
        if n == 0 {
            break;
        }
        hasher.update(&block[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// A rate as a percentage with four decimals (`17.2708%`).
pub(crate) fn pct(rate: f64) -> String {
    format!("{:.4}%", rate * 100.0)
}

/// Text lines of an assessment: scores, grade, then each finding with its evidence.
pub(crate) fn describe_assessment(a: &finrisk_engine::assess::Assessment) -> String {
    let s = &a.scores;
    let mut out = format!(
        "Scores (0 best .. 100 worst): weak risk control {:.1}, duplicate credit {:.1}, one-sided marketing {:.1}; overall {:.1}, grade {}\n",
        s.weak_risk_control, s.duplicate_credit, s.one_sided_marketing, s.overall, a.grade
    );
    if a.findings.is_empty() {
        out.push_str("Findings: none\n");
    }
    for f in &a.findings {
        let points = a
            .contributions
            .iter()
            .find(|c| c.code == f.code)
            .map_or(0.0, |c| c.overall_points);
        let severity = serde_json::to_value(f.severity)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let level = serde_json::to_value(f.level)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        out.push_str(&format!(
            "- {} [{severity}, {level}, +{points:.1} overall] {}\n",
            f.code, f.evidence
        ));
        out.push_str(&format!(
            "    basis: {}\n    do: {}\n",
            f.basis, f.recommendation
        ));
    }
    out
}

/// Refuses an output path whose directory does not exist, naming `field`: checked before the
/// work, so that a long batch does not fail at its first write.
pub(crate) fn output_directory_exists(field: &str, path: &std::path::Path) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    if dir.is_dir() {
        Ok(())
    } else {
        Err(crate::failure::bad_input(format!(
            "{field}: the directory {} does not exist",
            dir.display()
        )))
    }
}

/// Pretty JSON with a final newline.
pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> anyhow::Result<String> {
    let mut s = serde_json::to_string_pretty(value)?;
    s.push('\n');
    Ok(s)
}

/// Text lines describing a cap.
pub(crate) fn describe_cap(cap: &finrisk_engine::rates::ApplicableCap) -> String {
    use finrisk_engine::rates::ApplicableCap;
    match cap {
        ApplicableCap::AnnualRate {
            segments,
            compared_with,
            label,
            ..
        } => {
            let parts: Vec<String> = segments
                .iter()
                .map(|s| match s.from {
                    Some(from) => format!("from {from}: {} ({})", pct(s.rate), s.derivation),
                    None => format!("{} ({})", pct(s.rate), s.derivation),
                })
                .collect();
            let with = match compared_with {
                finrisk_engine::rates::AprDefinition::Nominal => "nominal",
                finrisk_engine::rates::AprDefinition::Effective => "effective",
            };
            format!(
                "{} a year, compared with the {with} APR [{label}]",
                parts.join("; ")
            )
        }
        ApplicableCap::UkHcstc {
            daily_rate,
            total_cost_ratio,
            label,
            ..
        } => format!(
            "UK HCSTC: {} a day of the amount outstanding, total charges at most {} of the amount borrowed [{label}]",
            pct(*daily_rate),
            pct(*total_cost_ratio)
        ),
        ApplicableCap::None { reason } => format!("none ({reason})"),
    }
}

/// `x` (a position or count measured as a number: a share of a length, a score over a bin
/// width) rounded by `round` to a count; negative and NaN give 0, beyond `usize` saturates.
#[expect(
    clippy::cast_possible_truncation,
    reason = "positions within a usize length; the saturating cast is the documented bound"
)]
pub(crate) fn count_of(x: f64, round: fn(f64) -> f64) -> usize {
    round(x).max(0.0) as usize
}
