//! The I/O floor of a grants batch: what reading the input and writing an output of the same
//! size and encoding costs with no assessment at all, so that `finrisk batch --kind grants` can
//! be stated as a multiple of it (BENCHMARKS.md).
//!
//! `io_floor INPUT.parquet SCORES.parquet OUT.parquet`: SCORES is what `finrisk batch` wrote for
//! INPUT. It is first read into memory (not timed). Then, timed: INPUT is decoded in
//! 32,768-row chunks (every column, as the batch's reader decodes them), and for each chunk the
//! next held chunk of SCORES is written to OUT through the batch's own sink (`TableSink`: Parquet,
//! zstd level 1) on a writer thread, as the batch writes. Prints the wall time and the CPU time
//! (user and system, from `/proc/self/stat`) of the timed part as JSON.

use finrisk_datasets::TableChunks;
use finrisk_datasets::write::TableSink;
use polars::prelude::{DataFrame, ParquetReader, SerReader};
use std::path::Path;
use std::time::Instant;

/// The batch's allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Rows per chunk, as the batch reads.
const CHUNK_ROWS: usize = 32_768;

/// User and system CPU seconds of this process so far (Linux `/proc/self/stat`, clock ticks of
/// 1/100 s).
fn cpu_seconds() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(") ").map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the line: 11 and 12 after the name.
    (ticks(11) / 100.0, ticks(12) / 100.0)
}

/// The column names of a Parquet file.
fn columns_of(path: &Path) -> Result<Vec<String>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let schema = ParquetReader::new(file)
        .schema()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(schema.iter_names().map(|n| n.to_string()).collect())
}

/// Every chunk of `path`, all columns.
fn chunks(path: &Path) -> Result<TableChunks, String> {
    let names = columns_of(path)?;
    let wanted: Vec<&str> = names.iter().map(String::as_str).collect();
    TableChunks::open(path, &wanted, CHUNK_ROWS).map_err(|e| e.to_string())
}

fn run(input: &Path, scores: &Path, out: &Path) -> Result<String, String> {
    let held: Vec<DataFrame> = chunks(scores)?
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    let held_rows: usize = held.iter().map(DataFrame::height).sum();
    let (user0, system0) = cpu_seconds();
    let start = Instant::now();
    let (send, receive) = std::sync::mpsc::sync_channel::<DataFrame>(2);
    let out_path = out.to_path_buf();
    let writer = std::thread::spawn(move || -> Result<(), String> {
        let mut sink = TableSink::create(&out_path, None)
            .map_err(|e| e.to_string())?
            .with_plain_columns(finrisk_datasets::write::GRANT_RESULT_PLAIN_COLUMNS);
        for mut df in receive {
            sink.write(&mut df).map_err(|e| e.to_string())?;
        }
        sink.finish(|| Ok(DataFrame::empty()))
            .map_err(|e| e.to_string())
    });
    let mut held = held.into_iter();
    let mut input_rows = 0usize;
    for df in chunks(input)? {
        let df = df.map_err(|e| e.to_string())?;
        input_rows += df.height();
        if let Some(next) = held.next()
            && send.send(next).is_err()
        {
            break;
        }
    }
    // Scores left over (an output with more chunks than the input) are written too.
    for next in held {
        if send.send(next).is_err() {
            break;
        }
    }
    drop(send);
    writer
        .join()
        .map_err(|_| "the writer thread panicked".to_string())??;
    let wall = start.elapsed().as_secs_f64();
    let (user1, system1) = cpu_seconds();
    Ok(format!(
        "{{\"input_rows\": {input_rows}, \"output_rows\": {held_rows}, \"wall_s\": {wall:.3}, \"user_s\": {:.2}, \"system_s\": {:.2}}}",
        user1 - user0,
        system1 - system0
    ))
}

/// Transparent huge pages off, as `finrisk` sets them for its batch commands (src/main.rs).
#[expect(
    unsafe_code,
    reason = "prctl is a system call without a safe wrapper in std"
)]
fn no_transparent_huge_pages() {
    // SAFETY: integer arguments only; changes only this process's memory-management flag.
    let _ = unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) };
}

fn main() {
    no_transparent_huge_pages();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, scores, out] = args.as_slice() else {
        eprintln!("usage: io_floor INPUT.parquet SCORES.parquet OUT.parquet");
        std::process::exit(2);
    };
    match run(Path::new(input), Path::new(scores), Path::new(out)) {
        Ok(line) => println!("{line}"),
        Err(e) => {
            eprintln!("io_floor: {e}");
            std::process::exit(1);
        }
    }
}
