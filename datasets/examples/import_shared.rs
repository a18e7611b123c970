//! Rebuilds `datasets/data/` from the team's shared copies of the real datasets.
//!
//! ```sh
//! cargo run --release --example import_shared -- ../shared/datasets datasets/data
//! ```
//!
//! Each CSV is read with its types inferred from the whole file and written as Parquet with
//! zstd (default level); values are unchanged. The small files (German, Australian) are copied as
//! CSV. Every dataset keeps its `SOURCE.md`, with this transformation appended.

use polars::prelude::*;
use std::path::{Path, PathBuf};

/// (shared folder, source file, target file)
/// Give Me Some Credit is not imported: Kaggle's terms grant no redistribution, so it stays in
/// the shared folder and `RealDataset::GiveMeSomeCredit` reads it from there.
const DATASETS: [(&str, &str, &str); 4] = [
    (
        "lending_club",
        "lending_club_2007_2011.csv",
        "lending_club_2007_2011.parquet",
    ),
    (
        "taiwan_default",
        "default_of_credit_card_clients.csv",
        "taiwan_default.parquet",
    ),
    ("german_credit", "german.csv", "german_credit.csv"),
    (
        "australian_credit",
        "australian.csv",
        "australian_credit.csv",
    ),
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(from), Some(to)) = (args.get(1), args.get(2)) else {
        return Err("usage: import_shared SHARED_DATASETS_DIR OUT_DIR".into());
    };
    let (from, to) = (PathBuf::from(from), PathBuf::from(to));
    std::fs::create_dir_all(&to)?;
    for (folder, source, target) in DATASETS {
        let src = from.join(folder).join(source);
        let dst = to.join(target);
        if target.ends_with(".csv") {
            std::fs::copy(&src, &dst)?;
        } else {
            let mut df = CsvReadOptions::default()
                .with_has_header(true)
                .with_infer_schema_length(None)
                .try_into_reader_with_file_path(Some(src.clone()))?
                .finish()?;
            let file = std::fs::File::create(&dst)?;
            ParquetWriter::new(file)
                .with_compression(ParquetCompression::Zstd(None))
                .finish(&mut df)?;
        }
        let notes = std::fs::read_to_string(from.join(folder).join("SOURCE.md"))?;
        let sha = sha256_of(&src)?;
        let extra = format!(
            "\n\n## In finrisk (`datasets/data/{target}`)\n\n- **From:** the team's shared copy `shared/datasets/{folder}/{source}` \
             (SHA-256 `{sha}`).\n- **Transformation:** {}\n- **Rebuild:** `cargo run --release --example import_shared -- ../shared/datasets datasets/data`.\n",
            if target.ends_with(".csv") {
                "none (copied byte for byte).".to_string()
            } else {
                "CSV read with types inferred from the whole file, written as Parquet (zstd, default level); values unchanged, row order kept.".to_string()
            }
        );
        let stem = target.split('.').next().unwrap_or(target);
        std::fs::write(to.join(format!("{stem}.SOURCE.md")), notes + &extra)?;
        println!(
            "{} -> {} ({} bytes)",
            src.display(),
            dst.display(),
            std::fs::metadata(&dst)?.len()
        );
    }
    Ok(())
}

fn sha256_of(path: &Path) -> Result<String, Box<dyn std::error::Error>> {
    let out = std::process::Command::new("sha256sum").arg(path).output()?;
    let text = String::from_utf8(out.stdout)?;
    Ok(text
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string())
}
