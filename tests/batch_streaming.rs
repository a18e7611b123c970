//! The streamed grants batch against the in-memory one: the same outputs (results, persons,
//! index, rejects, outcome and truth evaluation) whatever the chunk size, for Parquet and for
//! CSV with refused rows and quoted newlines; a directory of hive-partitioned Parquet parts
//! gives the single file's results plus its partition columns; provenance on every output.

#![expect(
    clippy::unwrap_used,
    reason = "test code: a failed set-up should panic"
)]

mod common;

use common::{BIN, Cli};
use polars::prelude::*;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn generated(name: &str, grants: u64) -> std::path::PathBuf {
    common::generated("finrisk-stream", name, grants).0
}

/// Runs a grants batch writing `<tag>.csv`, `<tag>_persons.csv` and `<tag>_index.json` in
/// `dir`; returns the summary.
fn batch(dir: &Path, input: &Path, tag: &str, extra: &[&str]) -> Value {
    let p = |name: String| dir.join(name).to_str().unwrap().to_string();
    let mut args = vec![
        "batch".to_string(),
        "--kind".into(),
        "grants".into(),
        "--input".into(),
        input.to_str().unwrap().into(),
        "--output".into(),
        p(format!("{tag}.csv")),
        "--persons".into(),
        p(format!("{tag}_persons.csv")),
        "--index".into(),
        p(format!("{tag}_index.json")),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    common::json_of(&common::run(&args))
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap()
}

/// The parts of a summary that describe results, not how they were computed or where written.
fn results_of(mut summary: Value) -> Value {
    let map = summary.as_object_mut().unwrap();
    for k in [
        "output",
        "rejects",
        "index",
        "mode",
        "chunks",
        "second_pass",
    ] {
        map.remove(k);
    }
    summary
}

/// Temporary output files (`.NAME.PID.partial`) in `dir`.
fn partial_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".partial"))
        .collect()
}

fn assert_same_outputs(dir: &Path, a: &str, b: &str) {
    for suffix in [".csv", "_persons.csv", "_index.json", ".csv.rejects.csv"] {
        assert_eq!(
            read(dir, &format!("{a}{suffix}")),
            read(dir, &format!("{b}{suffix}")),
            "{a}{suffix} differs from {b}{suffix}"
        );
    }
}

#[test]
fn streaming_parquet_in_small_chunks_equals_the_in_memory_batch() {
    let dir = generated("parquet", 20_000);
    let input = dir.join("grants.parquet");
    let truth = dir.join("truth/grants.parquet");
    let truth_args = ["--truth", truth.to_str().unwrap()];
    let memory = batch(
        &dir,
        &input,
        "memory",
        &[&truth_args[..], &["--in-memory"]].concat(),
    );
    // 1,499 rows per chunk: chunks end at rows that do not line up with anything. With no
    // memory budget the second pass reads the file again; with one it reuses the parsed rows.
    let streamed = batch(
        &dir,
        &input,
        "streamed",
        &[
            &truth_args[..],
            &["--chunk-rows", "1499", "--quiet", "--memory-budget-mb", "0"],
        ]
        .concat(),
    );
    assert_eq!(streamed["second_pass"], "read again");
    let kept = batch(
        &dir,
        &input,
        "kept",
        &[&truth_args[..], &["--chunk-rows", "1499"]].concat(),
    );
    assert_eq!(kept["second_pass"], "kept");
    assert_same_outputs(&dir, "memory", "kept");
    assert_eq!(memory["mode"], "in-memory");
    assert_eq!(streamed["mode"], "streaming");
    assert_eq!(streamed["chunks"], 14);
    assert_eq!(streamed["rows_assessed"], 20_000);
    assert_same_outputs(&dir, "memory", "streamed");
    assert_eq!(results_of(memory.clone()), results_of(streamed));
    // The duplicate-credit codes are there to be compared: across-chunk partners were found.
    let results = read(&dir, "streamed.csv");
    assert!(results.contains("DC-CONCURRENT-SAME-LENDER"));
    assert!(results.contains("DC-SHARED-IDENTITY"));
    assert!(memory["truth"]["codes"]["DC-SHARED-IDENTITY"]["recall"] == 1.0);
    // Each dimension score ranks the grants planted with a code of its dimension first.
    let dimension_auc = &memory["truth"]["dimension_auc"];
    for k in ["weak_risk_control", "duplicate_credit", "overall"] {
        assert!(
            dimension_auc[k].as_f64().unwrap() > 0.8,
            "{k}: {dimension_auc}"
        );
    }
    // Provenance: in the summary, beside the CSV outputs and in the index.
    let provenance = &memory["provenance"];
    assert_eq!(provenance["input"][0]["sha256"].as_str().unwrap().len(), 64);
    for file in ["memory.csv", "memory_persons.csv", "memory.csv.rejects.csv"] {
        let sidecar: Value =
            serde_json::from_str(&read(&dir, &format!("{file}.provenance.json"))).unwrap();
        assert_eq!(&sidecar, provenance, "{file}");
    }
    let index: Value = serde_json::from_str(&read(&dir, "memory_index.json")).unwrap();
    assert_eq!(&index["provenance"], provenance);
    // No temporary file is left behind.
    assert!(partial_files(&dir).is_empty(), "{:?}", partial_files(&dir));
}

#[test]
fn streaming_csv_with_refused_rows_and_quoted_newlines_equals_the_in_memory_batch() {
    let dir = generated("csv", 3_000);
    let mut df = ParquetReader::new(std::fs::File::open(dir.join("grants.parquet")).unwrap())
        .finish()
        .unwrap();
    let input = dir.join("grants.csv");
    CsvWriter::new(std::fs::File::create(&input).unwrap())
        .include_header(true)
        .finish(&mut df)
        .unwrap();
    // Refuse some rows, and put a newline and a comma inside quoted ids.
    let text = std::fs::read_to_string(&input).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for k in [5usize, 777, 2_999] {
        lines[k] = lines[k].replacen(",20", ",1x20", 1);
    }
    for k in [10usize, 1_500] {
        let (id, rest) = lines[k].split_once(',').unwrap();
        lines[k] = format!("\"{id}\nsecond line, with a comma\",{rest}");
    }
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    let memory = batch(&dir, &input, "memory", &["--in-memory"]);
    let streamed = batch(
        &dir,
        &input,
        "streamed",
        &["--chunk-rows", "7", "--memory-budget-mb", "0"],
    );
    assert_same_outputs(&dir, "memory", "streamed");
    let rejects = read(&dir, "streamed.csv.rejects.csv");
    // Three bad dates, and two ids with a newline (refused: control characters). The row
    // numbers count records, not lines: row 1500 comes after a record of two lines.
    assert_eq!(memory["rows_rejected"], 5, "{rejects}");
    assert_eq!(results_of(memory), results_of(streamed));
    let rows: Vec<&str> = rejects
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(rows, ["5", "10", "777", "1500", "2999"], "{rejects}");
}

#[test]
fn a_directory_of_hive_partitioned_parts_gives_the_single_file_results_and_its_partitions() {
    let dir = generated("hive", 6_000);
    let file = dir.join("grants.parquet");
    let df = ParquetReader::new(std::fs::File::open(&file).unwrap())
        .finish()
        .unwrap();
    let parts = dir.join("parts");
    // Path order (region=east < region=west, part-0 < part-1) is row order.
    for (k, (region, from, len)) in [
        ("east", 0, 2_000),
        ("east", 2_000, 1_000),
        ("west", 3_000, 3_000),
    ]
    .into_iter()
    .enumerate()
    {
        let folder = parts.join(format!("region={region}"));
        std::fs::create_dir_all(&folder).unwrap();
        let mut slice = df.slice(from, len);
        ParquetWriter::new(
            std::fs::File::create(folder.join(format!("part-{k}.parquet"))).unwrap(),
        )
        .finish(&mut slice)
        .unwrap();
    }
    std::fs::write(parts.join("_SUCCESS"), "").unwrap();
    let single = batch(&dir, &file, "single", &[]);
    let partitioned = batch(&dir, &parts, "parts", &["--chunk-rows", "1000"]);
    assert_eq!(partitioned["parts"], 3);
    assert_eq!(
        partitioned["partition_columns"],
        serde_json::json!(["region"])
    );
    assert_eq!(partitioned["rows_assessed"], 6_000);
    // The results are the single file's, with a `region` column at the end.
    let single_csv = read(&dir, "single.csv");
    let parts_csv = read(&dir, "parts.csv");
    let mut with_region = single_csv.lines();
    let header = with_region.next().unwrap();
    let mut p = parts_csv.lines();
    assert_eq!(p.next().unwrap(), format!("{header},region"));
    for (k, (a, b)) in with_region.zip(p).enumerate() {
        let region = if k < 3_000 { "east" } else { "west" };
        assert_eq!(format!("{a},{region}"), b, "row {}", k + 1);
    }
    assert_eq!(
        read(&dir, "single_persons.csv"),
        read(&dir, "parts_persons.csv")
    );
    assert_eq!(single["outcomes"], partitioned["outcomes"]);
    // Every part's hash is recorded.
    let inputs = partitioned["provenance"]["input"].as_array().unwrap();
    assert_eq!(inputs.len(), 3);
    // --in-memory reads one file only.
    let out = Cli::batch("grants", &parts, dir.join("x.csv"))
        .args(["--in-memory"])
        .output();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("in-memory"));
}

#[test]
fn parquet_outputs_carry_their_provenance_in_the_file() {
    let dir = generated("meta", 1_000);
    let out = dir.join("out.parquet");
    let status = Cli::batch("grants", dir.join("grants.parquet"), &out)
        .args(["--pd-model", "none"])
        .output();
    assert_eq!(status.status.code(), Some(0));
    let mut reader = ParquetReader::new(std::fs::File::open(&out).unwrap());
    let metadata = reader.get_metadata().unwrap().clone();
    let kv = metadata.key_value_metadata.clone().unwrap_or_default();
    let provenance = kv
        .iter()
        .find(|k| k.key == "finrisk:provenance")
        .and_then(|k| k.value.clone())
        .expect("provenance in the Parquet key-value metadata");
    let provenance: Value = serde_json::from_str(&provenance).unwrap();
    assert_eq!(provenance["pd_model"], Value::Null);
    // The evidence texts are written Plain (no dictionary attempt, BENCHMARKS.md); columns of
    // few values keep polars' dictionary.
    let dictionary = |name: &str| {
        metadata.row_groups[0]
            .parquet_columns()
            .iter()
            .find(|c| c.descriptor().path_in_schema[0].as_str() == name)
            .map(|c| c.dictionary_page_offset().is_some())
    };
    assert_eq!(dictionary("evidence"), Some(false));
    assert_eq!(dictionary("grant_id"), Some(false));
    assert_eq!(dictionary("grade"), Some(true));
    assert_eq!(reader.finish().unwrap().height(), 1_000);
}

#[test]
fn a_batch_killed_mid_run_leaves_no_output_and_a_rerun_completes_it() {
    let dir = generated("killed", 50_000);
    let input = dir.join("grants.parquet");
    let output = dir.join("out.csv");
    let mut child = std::process::Command::new(common::BIN)
        .args([
            "batch",
            "--kind",
            "grants",
            "--input",
            input.to_str().unwrap(),
            "--output",
            output.to_str().unwrap(),
            "--chunk-rows",
            "500",
            "--memory-budget-mb",
            "0",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once it is writing (the temporary file exists), as a power cut would.
    let started = std::time::Instant::now();
    while partial_files(&dir).is_empty() && started.elapsed() < std::time::Duration::from_secs(120)
    {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(
        !partial_files(&dir).is_empty(),
        "the batch never started writing"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!output.exists(), "a killed run must not leave an output");
    // The re-run completes the output and clears what the killed run left.
    let rerun = batch(&dir, &input, "out", &[]);
    assert_eq!(rerun["rows_assessed"], 50_000);
    assert!(partial_files(&dir).is_empty(), "{:?}", partial_files(&dir));
    let clean = batch(&dir, &input, "clean", &["--in-memory"]);
    assert_eq!(clean["rows_assessed"], 50_000);
    assert_eq!(read(&dir, "out.csv"), read(&dir, "clean.csv"));
}

#[test]
fn a_table_with_no_rows_still_has_its_columns_checked() {
    let dir = common::scratch("finrisk-stream", "empty");
    let input = dir.join("empty.csv");
    std::fs::write(&input, "grant_id,institution_id\n").unwrap();
    let out = common::run(&[
        "batch",
        "--kind",
        "grants",
        "--input",
        input.to_str().unwrap(),
        "--output",
        dir.join("out.csv").to_str().unwrap(),
    ]);
    let stderr = common::bad_input_line(&out);
    assert!(stderr.contains("required column missing"), "{stderr}");
    assert!(stderr.contains("borrower_key"), "{stderr}");
}

#[test]
fn an_output_that_cannot_be_written_mid_run_fails_with_one_line_and_leaves_nothing() {
    // The output is written on its own thread while later chunks are assessed. A write that
    // fails there (here: a file size limit of 256 KiB, with SIGXFSZ ignored so that the write
    // returns EFBIG, as on a full disk) must stop the run with exit 1 (a machine failure, not
    // bad input), one stderr line naming the output the user gave, and no output or partial
    // file left behind.
    let dir = generated("write-failure", 20_000);
    let input = dir.join("grants.parquet");
    let output = dir.join("limited.parquet");
    let script = "trap '' XFSZ; ulimit -f 512; exec \"$0\" batch --kind grants --input \"$1\" \
                  --output \"$2\" --chunk-rows 2000 --quiet";
    let out = Command::new("sh")
        .args(["-c", script, BIN])
        .arg(&input)
        .arg(&output)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr: {stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(&format!("{}: cannot write the output", output.display())),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!output.exists());
    assert!(partial_files(&dir).is_empty(), "{:?}", partial_files(&dir));
}

/// The shipped default PD model was validated on US LendingClub loans: on CN grants (the
/// generator's, scored under the CN ruleset) its RC-HIGH-PD findings are information only,
/// with the reason in their evidence, and the product's loan book says the same.
#[test]
fn the_us_validated_default_model_gives_information_only_findings_on_cn_grants() {
    let dir = generated("pd-info", 3_000);
    let out = dir.join("scored.parquet");
    let run = Cli::batch("grants", dir.join("grants.parquet"), &out)
        .flag("--quiet")
        .output();
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let df = ParquetReader::new(std::fs::File::open(&out).unwrap())
        .finish()
        .unwrap();
    let findings = df.column("findings").unwrap().str().unwrap().clone();
    let evidence = df.column("evidence").unwrap().str().unwrap().clone();
    let mut flagged = 0;
    for (codes, ev) in findings.iter().zip(evidence.iter()) {
        if !codes.unwrap_or_default().contains("RC-HIGH-PD") {
            continue;
        }
        flagged += 1;
        let ev: Value = serde_json::from_str(ev.unwrap()).unwrap();
        let reason = ev["RC-HIGH-PD"]["information_only"]
            .as_str()
            .unwrap_or_default();
        assert!(
            reason.contains("(US, USD), not on CN data"),
            "no information-only reason: {ev}"
        );
    }
    assert!(flagged > 0, "no grant above the PD threshold to check");
    let product = common::json(&[
        "assess-product",
        "--product",
        "examples/product.json",
        "--grants",
        "examples/grants.csv",
    ]);
    let reason = product["portfolio"]["pd"]["information_only"]
        .as_str()
        .unwrap_or_default();
    assert!(reason.contains("not on CN data"), "{product}");
}
