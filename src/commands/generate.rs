//! `finrisk generate`: the synthetic data set with planted problems.

use crate::cli::{Format, GenerateArgs, Switch, TableFileFormat};
use crate::failure::bad_input;
use crate::output::to_json;
use finrisk_datasets::element_table::write_case_tables;
use finrisk_datasets::generate::{DataProfile, GenerateParams, GrantsFormat, generate};
use finrisk_engine::Date;
use finrisk_engine::domain::Case;

pub(crate) fn run(args: &GenerateArgs) -> anyhow::Result<String> {
    let date =
        |field: &str, text: &str| Date::parse(text).map_err(|e| bad_input(format!("{field}: {e}")));
    let params = GenerateParams {
        seed: args.seed,
        grants: args.grants,
        products: args.products,
        cases: args.cases,
        chunk_size: args.chunk_size,
        format: if args.csv {
            GrantsFormat::Csv
        } else {
            GrantsFormat::Parquet
        },
        start: date("start", &args.start)?,
        end: date("end", &args.end)?,
        profile: args.profile.into(),
        identity_noise: args
            .identity_noise
            .map_or(DataProfile::from(args.profile).identity_noise(), |s| {
                s == Switch::On
            }),
    };
    let started = std::time::Instant::now();
    let mut summary = generate(&params, &args.out)?;
    if !args.case_tables.is_empty() {
        let cases_path = args.out.join("cases.jsonl");
        let text = std::fs::read_to_string(&cases_path)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", cases_path.display()))?;
        let cases = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(Case::from_json)
            .collect::<Result<Vec<_>, _>>()?;
        for &format in &args.case_tables {
            let target = args.out.join(match format {
                TableFileFormat::Csv => "cases.csv",
                TableFileFormat::Xlsx => "cases.xlsx",
            });
            for path in write_case_tables(&cases, &target, format.into())? {
                if let Ok(name) = path.strip_prefix(&args.out) {
                    summary.files.push(name.display().to_string());
                }
            }
        }
        // The manifest lists every file the run wrote.
        finrisk_datasets::write::write_atomically(
            &args.out.join("manifest.json"),
            &serde_json::to_vec_pretty(&summary)?,
        )?;
    }
    let seconds = started.elapsed().as_secs_f64();
    match args.format {
        Format::Json => {
            let mut v = serde_json::to_value(&summary)?;
            v["seconds"] = serde_json::json!((seconds * 1000.0).round() / 1000.0);
            v["out"] = serde_json::json!(args.out.display().to_string());
            to_json(&v)
        }
        Format::Text => {
            let mut s = format!(
                "wrote {} grants ({} defaulted), {} products of {} institutions, {} cases to {} in {seconds:.1} s (as of {})\n",
                summary.grants,
                summary.defaulted,
                summary.products,
                summary.institutions,
                summary.cases,
                args.out.display(),
                summary.as_of
            );
            for (code, n) in &summary.grant_codes {
                s.push_str(&format!("  {code:<28} {n}\n"));
            }
            Ok(s)
        }
    }
}
