//! Shared set-up of finrisk's criterion benchmarks: one configuration and deterministic inputs.
//!
//! Every bench takes its inputs from here so that the figures in `BENCHMARKS.md` can be
//! reproduced exactly, and the Python baselines (`benches/python/`) generate the same loans.

// Narrowing casts are justified where they stay (`#[expect]` with the bound) or replaced by
// checked conversions; test code may cast freely.
#![cfg_attr(not(test), warn(clippy::cast_possible_truncation))]

use criterion::Criterion;
use finrisk_engine::domain::Repayment;
use finrisk_engine::rates::LoanTerms;
use std::time::Duration;

/// The criterion configuration every bench uses: short enough for a 2-core CI machine,
/// long enough for stable figures.
pub fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(30)
}

/// The generator's output for `params`, written once under `target/bench-data/NAME` and reused.
pub fn generated_dir(
    name: &str,
    params: &finrisk_datasets::generate::GenerateParams,
) -> Result<std::path::PathBuf, String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../target/bench-data")
        .join(name);
    if !dir.join("manifest.json").is_file() {
        finrisk_datasets::generate::generate(params, &dir).map_err(|e| e.to_string())?;
    }
    Ok(dir)
}

/// A generated grants table of `grants` rows (seed 42, default generator parameters), made
/// once under `target/bench-data/` and loaded from there. Returns the batch and its as-of date.
pub fn generated_grants(
    grants: u64,
) -> Result<(finrisk_engine::domain::GrantBatch, finrisk_engine::Date), String> {
    generated_grants_of(grants, finrisk_datasets::generate::DataProfile::Planted)
}

/// The generated grants table of `grants` rows with the generator profile `profile` (seed 42,
/// default parameters otherwise), made once under `target/bench-data/`: its Parquet file and
/// its generator parameters.
pub fn generated_grants_file(
    grants: u64,
    profile: finrisk_datasets::generate::DataProfile,
) -> Result<
    (
        std::path::PathBuf,
        finrisk_datasets::generate::GenerateParams,
    ),
    String,
> {
    let params = finrisk_datasets::generate::GenerateParams {
        grants,
        cases: 0,
        profile,
        identity_noise: profile.identity_noise(),
        ..Default::default()
    };
    let name = match profile {
        finrisk_datasets::generate::DataProfile::Planted => format!("grants-{grants}"),
        finrisk_datasets::generate::DataProfile::Realistic => format!("grants-{grants}-realistic"),
    };
    let dir = generated_dir(&name, &params)?;
    Ok((dir.join("grants.parquet"), params))
}

/// As [`generated_grants`], with the generator profile `profile` (the `realistic` one shares
/// identifiers between people).
pub fn generated_grants_of(
    grants: u64,
    profile: finrisk_datasets::generate::DataProfile,
) -> Result<(finrisk_engine::domain::GrantBatch, finrisk_engine::Date), String> {
    let (file, params) = generated_grants_file(grants, profile)?;
    let (batch, report) = finrisk_datasets::load_grants(&file).map_err(|e| e.to_string())?;
    if report.rows_accepted as u64 != grants {
        return Err(format!(
            "{} rows refused in the generated table",
            report.rows_rejected
        ));
    }
    Ok((batch, params.as_of()))
}

/// `count` generated cases (the generator's `cases.jsonl`, seed 42), parsed; written once under
/// `target/bench-data` and reused.
pub fn generated_cases(count: usize) -> Result<Vec<finrisk_engine::domain::Case>, String> {
    // Cases come from defaulted grants: enough grants for `count` of them.
    let params = finrisk_datasets::generate::GenerateParams {
        grants: 100 * count as u64,
        cases: count,
        ..Default::default()
    };
    let dir = generated_dir(&format!("cases-{count}"), &params)?;
    let text = std::fs::read_to_string(dir.join("cases.jsonl")).map_err(|e| e.to_string())?;
    let cases = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| finrisk_engine::domain::Case::from_json(l).map_err(|e| e.to_string()))
        .collect::<Result<Vec<_>, String>>()?;
    if cases.len() < count {
        return Err(format!(
            "the generator wrote {} cases, not {count}",
            cases.len()
        ));
    }
    Ok(cases)
}

/// Resident memory of this process, bytes (Linux `/proc/self/statm`; 0 elsewhere).
pub fn resident_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .nth(1)
                .and_then(|p| p.parse::<u64>().ok())
        })
        .map_or(0, |pages| pages * 4096)
}

/// `count` loans with terms of 3-36 months across all repayment methods, interest and fees:
/// loan `k` has principal `100,000 + 1,000 k` minor units, term `3 + k % 34`, method
/// `k % 4`, nominal rate `(k % 30) / 100` and monthly fee rate `(k % 7) / 1000`.
/// `benches/python/apr_baseline.py` builds the same loans.
pub fn sample_loans(count: usize) -> Vec<LoanTerms> {
    (0..count)
        .map(|k| {
            let k32 = u32::try_from(k % 1_000_000).unwrap_or(0);
            let mut t = LoanTerms::new(
                100_000 + 1_000 * i64::from(k32),
                3 + k32 % 34,
                Repayment::ALL[k % 4],
            );
            t.nominal_annual_rate = f64::from(k32 % 30) / 100.0;
            t.monthly_fee_rate = f64::from(k32 % 7) / 1000.0;
            t
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn sample_loans_are_valid_and_deterministic() {
        let a = super::sample_loans(500);
        assert_eq!(a, super::sample_loans(500));
        assert!(a.iter().all(|t| t.validate().is_ok()));
    }

    /// The Python baseline must do the same work: `benches/python/apr_baseline.py` is run
    /// (with `FINRISK_PYTHON`, which `scripts/test.sh` points at its venv) on the same loans and
    /// must print the mean nominal APR the engine computes.
    #[test]
    fn python_baseline_computes_the_same_aprs() {
        let count = 2_000;
        let loans = super::sample_loans(count);
        let aprs = finrisk_engine::rates::apr_many(&loans);
        let sum: f64 = aprs
            .iter()
            .map(|a| a.as_ref().map(|f| f.apr_nominal).unwrap())
            .sum();
        let ours = format!("{:.6}", sum / loans.len() as f64);
        let python = std::env::var("FINRISK_PYTHON").unwrap_or_else(|_| "python3".to_string());
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/python/apr_baseline.py");
        let out = std::process::Command::new(&python)
            .arg(script)
            .arg(count.to_string())
            .output()
            .unwrap_or_else(|e| {
                panic!("cannot run {python}: {e}; run the tests with scripts/test.sh")
            });
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{python} {script} failed (scripts/test.sh installs numpy-financial): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let theirs = stdout
            .split_whitespace()
            .find_map(|w| w.strip_prefix("mean_apr_nominal="))
            .unwrap_or_else(|| panic!("no mean_apr_nominal in: {stdout}"));
        assert_eq!(theirs, ours);
    }
}
