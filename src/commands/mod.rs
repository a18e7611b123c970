//! One module per subcommand; each returns the text to print on stdout.

mod apr;
mod generate;
mod score_case;
mod validate;

use crate::cli::{Cli, Command};

/// Runs a parsed command line and returns what to print.
pub(crate) fn run(cli: Cli) -> anyhow::Result<String> {
    match cli.command {
        Command::Apr(args) => apr::run(&args),
        Command::ScoreCase(args) => score_case::run(&args),
        Command::Validate(args) => validate::run(&args),
        Command::Generate(args) => generate::run(&args),
    }
}

/// A rate as a percentage with four decimals (`17.2708%`).
pub(crate) fn pct(rate: f64) -> String {
    format!("{:.4}%", rate * 100.0)
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
            format!("{} a year, compared with the {with} APR", parts.join("; "))
        }
        ApplicableCap::UkHcstc {
            daily_rate,
            total_cost_ratio,
            ..
        } => format!(
            "UK HCSTC: {} a day of the amount outstanding, total charges at most {} of the amount borrowed",
            pct(*daily_rate),
            pct(*total_cost_ratio)
        ),
        ApplicableCap::None { reason } => format!("none ({reason})"),
    }
}
