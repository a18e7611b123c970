//! The two ways a batch reads a grants table must agree: whole ([`load_grants`], used by
//! `--in-memory` and `assess-product --grants`) and streamed in chunks ([`GrantInput`], used by
//! `finrisk batch`). [`compare_reads`] reads a file both ways and says how they differ. The
//! `grant_table` fuzz target runs it on arbitrary bytes, and this crate's tests run it on the
//! fuzz corpus and on every input that once made them disagree.

use crate::grants::load_grants;
use crate::stream::GrantInput;
use finrisk_engine::domain::GrantBatch;
use std::path::Path;

/// What the two reads agreed on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Agreement {
    /// Both read the table: the same rows, accepted batch and row errors.
    Read {
        /// Data rows read.
        rows: usize,
        /// Rows accepted.
        accepted: usize,
        /// Row errors (a row may have several).
        row_errors: usize,
    },
    /// Both refused the file as a whole.
    Refused,
}

/// Reads `path` whole and in chunks of `rows_per_chunk` rows. `Err` says how the reads
/// disagree, or which invariant of a load report failed (every row either accepted or refused,
/// every row error with a row number inside the table and a field and reason).
pub fn compare_reads(path: &Path, rows_per_chunk: usize) -> Result<Agreement, String> {
    let whole = load_grants(path);
    let streamed = read_streamed(path, rows_per_chunk);
    match (whole, streamed) {
        (Ok((batch, report)), Ok(s)) => {
            for e in &report.row_errors {
                if e.field.is_empty()
                    || e.reason.is_empty()
                    || !(1..=report.rows_read).contains(&e.row)
                {
                    return Err(format!(
                        "a row error without its row, field or reason: {e:?}"
                    ));
                }
            }
            if report.rows_accepted + report.rows_rejected != report.rows_read
                || batch.len() != report.rows_accepted
            {
                return Err(format!("rows neither accepted nor refused: {report:?}"));
            }
            let errors: Vec<(usize, &str)> = report
                .row_errors
                .iter()
                .map(|e| (e.row, e.field.as_str()))
                .collect();
            let s_errors: Vec<(usize, &str)> =
                s.errors.iter().map(|(r, f)| (*r, f.as_str())).collect();
            if (report.rows_read, report.rows_accepted) != (s.rows, s.accepted)
                || errors != s_errors
            {
                return Err(format!(
                    "whole read: {} rows, {} accepted, errors {errors:?}; streamed: {} rows, {} accepted, errors {s_errors:?}",
                    report.rows_read, report.rows_accepted, s.rows, s.accepted
                ));
            }
            if batch != s.batch {
                return Err("the whole and streamed reads accepted different values".into());
            }
            Ok(Agreement::Read {
                rows: report.rows_read,
                accepted: report.rows_accepted,
                row_errors: report.row_errors.len(),
            })
        }
        (Err(_), Err(_)) => Ok(Agreement::Refused),
        (Ok((_, report)), Err(e)) => Err(format!(
            "the whole read took {} rows, the streamed read refused the file: {e}",
            report.rows_read
        )),
        (Err(e), Ok(s)) => Err(format!(
            "the streamed read took {} rows, the whole read refused the file: {e}",
            s.rows
        )),
    }
}

/// Compares the reads of one input of the `grant_table` fuzz target: its first byte picks the
/// format (even: CSV, odd: Parquet) and the chunk size (1 to 4 rows), the rest is the file. The
/// file is written to `scratch` with the format's extension, compared, and removed. `None` for
/// an empty input.
pub fn compare_fuzz_input(data: &[u8], scratch: &Path) -> Option<Result<Agreement, String>> {
    let (&selector, bytes) = data.split_first()?;
    let path = scratch.with_extension(if selector & 1 == 0 { "csv" } else { "parquet" });
    if let Err(e) = std::fs::write(&path, bytes) {
        return Some(Err(format!("cannot write {}: {e}", path.display())));
    }
    let result = compare_reads(&path, 1 + usize::from(selector >> 1) % 4);
    let _ = std::fs::remove_file(&path);
    Some(result)
}

struct Streamed {
    batch: GrantBatch,
    rows: usize,
    accepted: usize,
    errors: Vec<(usize, String)>,
}

fn read_streamed(path: &Path, rows_per_chunk: usize) -> Result<Streamed, crate::DatasetError> {
    let input = GrantInput::open(path)?;
    let mut out = Streamed {
        batch: GrantBatch::default(),
        rows: 0,
        accepted: 0,
        errors: Vec::new(),
    };
    for chunk in input.chunks(rows_per_chunk.max(1)) {
        let chunk = chunk?;
        out.rows += chunk.report.rows_read;
        out.accepted += chunk.report.rows_accepted;
        out.errors.extend(
            chunk
                .report
                .row_errors
                .iter()
                .map(|e| (e.row, e.field.clone())),
        );
        out.batch.append(chunk.batch);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every input kept for the `grant_table` fuzz target (its corpus, and the inputs that once
    /// failed it) still reads the same both ways. The first byte is the target's selector: the
    /// format and the chunk size.
    #[test]
    fn the_fuzz_corpus_reads_the_same_whole_and_streamed() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
        let mut checked = 0;
        for dir in ["corpus/grant_table", "regressions/grant_table"] {
            let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
                continue;
            };
            for entry in entries.flatten() {
                let Ok(data) = std::fs::read(entry.path()) else {
                    continue;
                };
                let scratch = std::env::temp_dir()
                    .join(format!("finrisk-corpus-{}-{checked}", std::process::id()));
                let Some(result) = compare_fuzz_input(&data, &scratch) else {
                    continue;
                };
                if let Err(e) = result {
                    panic!("{}: {e}", entry.path().display());
                }
                checked += 1;
            }
        }
        assert!(
            checked >= 3,
            "the grant_table corpus is missing ({checked} inputs)"
        );
    }
}
