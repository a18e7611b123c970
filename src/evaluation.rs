//! Evaluation of findings against labels: the planted codes of generated data (or codes a
//! reviewer assigned), per code precision and recall. Used by `batch --truth` and `report
//! --truth`.

use crate::failure::bad_input;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::Path;

/// Precision and recall of every code against a truth table (`grant_id`, `codes`), read in
/// step with the assessed rows. The truth is read one chunk at a time and matched row by row:
/// when both tables list the grants in the same order (as `generate`, `batch` and `report` keep
/// them), every assessed row meets its truth row next and memory stays flat however long the
/// tables are. A truth row read before its grant is assessed (another order, or a grant the
/// scores table skipped) waits in a map until it is, so any order gives the same figures; only
/// the memory then grows with how far the two orders differ. The planted codes of each grant are
/// kept as one bit per code (the catalogue's codes, then any other code the table uses).
pub(crate) struct TruthAccumulator {
    file: String,
    /// Bit `k` is `codes[k]`.
    codes: Vec<String>,
    rows: TruthRows,
    /// Truth rows read ahead of their assessed row, by grant id.
    waiting: HashMap<Box<str>, u64>,
    /// Per code (by bit): planted, flagged, both.
    counts: Vec<(usize, usize, usize)>,
    matched: usize,
    without_truth: usize,
    /// AUC of the weak-risk-control, duplicate-credit and overall scores against "a code of the
    /// dimension (any code, for overall) was planted".
    dimension_auc: [finrisk_models::metrics::AucCounter; 3],
    /// When the table has `person_id`: grants of persons with one grant, and how many of them
    /// got each of [`PERSON_CODES`] where the truth does not plant it (a person with one grant
    /// can carry DC-MANY-LENDERS only from the bureau's `active_lenders`, which the truth
    /// plants; every other one comes from a false join).
    single_grant: Option<(usize, [usize; 3])>,
}

/// How the truth says a grant's person has one grant.
enum PersonGrants {
    /// The table has no `person_id`.
    Unknown,
    /// A `person_grants` column (written by `finrisk generate`): read with each row.
    Column,
    /// Only `person_id`: every person's grants counted in a first pass over that column (this
    /// map grows with the persons; a `person_grants` column avoids it).
    Counted(HashMap<Box<str>, u32>),
}

/// The truth table's rows in file order, one chunk at a time.
struct TruthRows {
    chunks: finrisk_datasets::TableChunks,
    /// The current chunk's rows not taken yet, last row first.
    pending: Vec<(Box<str>, u64)>,
    /// Rows read from the file so far.
    read: usize,
    person_grants: PersonGrants,
    done: bool,
}

/// Rows per chunk of the truth table.
const TRUTH_CHUNK_ROWS: usize = 65_536;

/// The codes that add up a person's grants.
const PERSON_CODES: [&str; 3] = [
    "DC-CONCURRENT-SAME-LENDER",
    "DC-EXPOSURE-INCOME",
    "DC-MANY-LENDERS",
];

/// The bit of a truth entry that says "the grant's person has one grant" (codes use the others).
const SINGLE_GRANT_PERSON: u64 = 1 << 63;

/// The scores [`TruthAccumulator::add`] evaluates, with the code prefix of their dimension.
pub(crate) const LABELLED_SCORES: [(&str, &str); 3] = [
    ("weak_risk_control", "RC-"),
    ("duplicate_credit", "DC-"),
    ("overall", ""),
];

/// One column of a truth chunk as text (CSV cells are text already; Parquet keeps types).
fn text_column(
    frame: &polars::prelude::DataFrame,
    name: &str,
) -> anyhow::Result<Option<polars::prelude::StringChunked>> {
    let Ok(column) = frame.column(name) else {
        return Ok(None);
    };
    let text = column
        .cast(&polars::prelude::DataType::String)
        .map_err(|e| bad_input(format!("truth: {name}: {e}")))?;
    let text = text
        .str()
        .map_err(|e| bad_input(format!("truth: {name}: {e}")))?
        .clone();
    Ok(Some(text))
}

impl TruthRows {
    /// Moves the next chunk's rows into `pending`, giving their planted codes bits in `codes`.
    /// False at the end of the table.
    fn refill(
        &mut self,
        codes: &mut Vec<String>,
        counts: &mut Vec<(usize, usize, usize)>,
    ) -> anyhow::Result<bool> {
        if self.done {
            return Ok(false);
        }
        let Some(frame) = self.chunks.next() else {
            self.done = true;
            return Ok(false);
        };
        let frame = frame.map_err(|e| bad_input(format!("truth: {e}")))?;
        let missing = |name: &str| {
            bad_input(format!(
                "truth: the chunk from row {} has no `{name}` column",
                self.read + 1
            ))
        };
        let ids = text_column(&frame, "grant_id")?.ok_or_else(|| missing("grant_id"))?;
        let planted = text_column(&frame, "codes")?.ok_or_else(|| missing("codes"))?;
        let persons = match self.person_grants {
            PersonGrants::Unknown => None,
            PersonGrants::Column => text_column(&frame, "person_grants")?,
            PersonGrants::Counted(_) => text_column(&frame, "person_id")?,
        };
        let first = self.read;
        let mut rows = Vec::with_capacity(ids.len());
        for (k, (id, list)) in ids.iter().zip(planted.iter()).enumerate() {
            let row = first + k + 1;
            let id = id.ok_or_else(|| bad_input(format!("truth: row {row}: grant_id is empty")))?;
            let mut bits = 0u64;
            for code in list
                .unwrap_or_default()
                .split(';')
                .filter(|c| !c.is_empty())
            {
                let k = match codes.iter().position(|c| c == code) {
                    Some(k) => k,
                    None if codes.len() < 63 => {
                        codes.push(code.to_string());
                        counts.push((0, 0, 0));
                        codes.len() - 1
                    }
                    None => {
                        return Err(bad_input(format!(
                            "truth: row {row}: more than 63 distinct codes (`{code}`)"
                        )));
                    }
                };
                bits |= 1 << k;
            }
            let person = persons.as_ref().and_then(|p| p.get(k));
            let single = match (&self.person_grants, person) {
                (PersonGrants::Column, Some(n)) => {
                    n.trim().parse::<u64>().map_err(|_| {
                        bad_input(format!(
                            "truth: row {row}: person_grants: `{n}` is not a count of grants"
                        ))
                    })? == 1
                }
                (PersonGrants::Counted(grants_of), Some(p)) => grants_of.get(p) == Some(&1),
                _ => false,
            };
            if single {
                bits |= SINGLE_GRANT_PERSON;
            }
            rows.push((Box::from(id), bits));
        }
        self.read += rows.len();
        rows.reverse();
        self.pending = rows;
        Ok(true)
    }
}

impl TruthAccumulator {
    /// Opens a truth table (CSV or Parquet with `grant_id` and `;`-joined `codes`, optionally
    /// `person_id` and `person_grants`); its rows are read as the assessed rows come.
    pub(crate) fn load(path: &Path) -> anyhow::Result<Self> {
        const WANTED: [&str; 4] = ["grant_id", "codes", "person_id", "person_grants"];
        let chunks = finrisk_datasets::TableChunks::open(path, &WANTED, TRUTH_CHUNK_ROWS)
            .map_err(|e| bad_input(format!("truth: {e}")))?;
        let has = |name: &str| chunks.columns().iter().any(|c| c == name);
        for name in ["grant_id", "codes"] {
            if !has(name) {
                return Err(bad_input(format!(
                    "truth: {} has no `{name}` column",
                    path.display()
                )));
            }
        }
        let person_grants = if has("person_grants") {
            PersonGrants::Column
        } else if has("person_id") {
            let mut grants_of: HashMap<Box<str>, u32> = HashMap::new();
            let truth_error = |e: finrisk_datasets::DatasetError| bad_input(format!("truth: {e}"));
            for frame in finrisk_datasets::TableChunks::open(path, &["person_id"], TRUTH_CHUNK_ROWS)
                .map_err(truth_error)?
            {
                if let Some(persons) = text_column(&frame.map_err(truth_error)?, "person_id")? {
                    for p in persons.iter().flatten() {
                        match grants_of.get_mut(p) {
                            Some(n) => *n = n.saturating_add(1),
                            None => {
                                grants_of.insert(p.into(), 1);
                            }
                        }
                    }
                }
            }
            PersonGrants::Counted(grants_of)
        } else {
            PersonGrants::Unknown
        };
        let single_grant = (!matches!(person_grants, PersonGrants::Unknown)).then_some((0, [0; 3]));
        let codes: Vec<String> = finrisk_engine::catalogue::CATALOGUE
            .iter()
            .map(|spec| spec.code.to_string())
            .collect();
        Ok(Self {
            file: path.display().to_string(),
            counts: vec![(0, 0, 0); codes.len()],
            codes,
            rows: TruthRows {
                chunks,
                pending: Vec::new(),
                read: 0,
                person_grants,
                done: false,
            },
            waiting: HashMap::new(),
            matched: 0,
            without_truth: 0,
            dimension_auc: Default::default(),
            single_grant,
        })
    }

    /// The planted codes of `grant_id`: from the rows read ahead, else the next rows of the
    /// table (keeping the ones passed over); `None` when the table has no such grant.
    fn planted(&mut self, grant_id: &str) -> anyhow::Result<Option<u64>> {
        if !self.waiting.is_empty()
            && let Some(bits) = self.waiting.remove(grant_id)
        {
            return Ok(Some(bits));
        }
        loop {
            while let Some((id, bits)) = self.rows.pending.pop() {
                if &*id == grant_id {
                    return Ok(Some(bits));
                }
                // A repeated grant id keeps its first row; the repeat counts as not assessed.
                self.waiting.entry(id).or_insert(bits);
            }
            if !self.rows.refill(&mut self.codes, &mut self.counts)? {
                return Ok(None);
            }
        }
    }

    /// Counts one assessed row: its id, its `;`-joined findings and its scores in
    /// [`LABELLED_SCORES`] order.
    pub(crate) fn add(
        &mut self,
        grant_id: &str,
        findings: &str,
        scores: [f64; 3],
    ) -> anyhow::Result<()> {
        let Some(planted) = self.planted(grant_id)? else {
            self.without_truth += 1;
            return Ok(());
        };
        self.matched += 1;
        let of_prefix = |prefix: &str| {
            self.codes
                .iter()
                .enumerate()
                .any(|(k, c)| planted & (1 << k) != 0 && c.starts_with(prefix))
        };
        let labels = LABELLED_SCORES.map(|(_, prefix)| of_prefix(prefix));
        for ((counter, label), score) in self.dimension_auc.iter_mut().zip(labels).zip(scores) {
            counter.add(score, label);
        }
        let mut found = 0u64;
        for code in findings.split(';').filter(|c| !c.is_empty()) {
            // Findings are catalogue codes, which the table starts with.
            if let Some(k) = self.codes.iter().position(|c| c == code) {
                found |= 1 << k;
            }
        }
        if planted & SINGLE_GRANT_PERSON != 0
            && let Some((grants, flagged)) = &mut self.single_grant
        {
            *grants += 1;
            for (code, n) in PERSON_CODES.iter().zip(flagged.iter_mut()) {
                let was_planted = self
                    .codes
                    .iter()
                    .position(|c| c == code)
                    .is_some_and(|k| planted & (1 << k) != 0);
                *n += usize::from(!was_planted && findings.split(';').any(|c| c == *code));
            }
        }
        for (k, count) in self.counts.iter_mut().enumerate() {
            let bit = 1u64 << k;
            count.0 += usize::from(planted & bit != 0);
            count.1 += usize::from(found & bit != 0);
            count.2 += usize::from(planted & found & bit != 0);
        }
        Ok(())
    }

    /// Per code: planted, flagged, both, precision and recall; and the row counts. Reads the
    /// truth rows no assessed row reached, to count them.
    pub(crate) fn finish(mut self) -> anyhow::Result<Value> {
        while self.rows.refill(&mut self.codes, &mut self.counts)? {}
        // A share of nothing is undefined (null), never 1; every share carries its Wilson 95%
        // interval, which says how little a figure from a handful of grants shows.
        let ratio = |n: usize, d: usize| finrisk_models::metrics::wilson(n, d).map(|s| s.value);
        let interval =
            |n: usize, d: usize| finrisk_models::metrics::wilson(n, d).map(|s| [s.low, s.high]);
        let per_code: serde_json::Map<String, Value> = self
            .codes
            .into_iter()
            .zip(self.counts)
            .filter(|(_, (planted, flagged, _))| planted + flagged > 0)
            .map(|(code, (planted, flagged, both))| {
                (
                    code,
                    json!({
                        "planted": planted,
                        "flagged": flagged,
                        "flagged_and_planted": both,
                        "precision": ratio(both, flagged),
                        "precision_ci95": interval(both, flagged),
                        "recall": ratio(both, planted),
                        "recall_ci95": interval(both, planted),
                    }),
                )
            })
            .collect();
        Ok(json!({
            "file": self.file,
            "rows_matched": self.matched,
            "rows_without_truth": self.without_truth,
            "truth_rows_not_assessed": self.rows.read.saturating_sub(self.matched),
            "codes": per_code,
            "single_grant_persons": self.single_grant.map(|(grants, flagged)| json!({
                "grants": grants,
                "flagged": PERSON_CODES
                    .iter()
                    .zip(flagged)
                    .map(|(c, n)| ((*c).to_string(), json!(n)))
                    .collect::<serde_json::Map<String, Value>>(),
            })),
            "dimension_auc": LABELLED_SCORES
                .iter()
                .zip(&self.dimension_auc)
                .map(|((name, _), counter)| ((*name).to_string(), json!(counter.auc())))
                .collect::<serde_json::Map<String, Value>>(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A truth table of `n` grants: every third plants DC-SHARED-IDENTITY, persons of one or two
    /// grants.
    fn truth_rows(n: usize) -> Vec<(String, String, String, usize)> {
        (0..n)
            .map(|i| {
                let person = format!("P{}", i / 2 + (i % 5 == 0) as usize * 10_000);
                let codes = if i % 3 == 0 {
                    "DC-SHARED-IDENTITY;RC-DTI-HIGH"
                } else {
                    ""
                };
                (format!("G{i:06}"), codes.to_string(), person, 0)
            })
            .collect()
    }

    fn write_csv(path: &Path, rows: &[(String, String, String, usize)], person_grants: bool) {
        let mut grants_of: HashMap<&str, usize> = HashMap::new();
        for r in rows {
            *grants_of.entry(&r.2).or_insert(0) += 1;
        }
        let mut text = String::from(if person_grants {
            "grant_id,codes,person_id,person_grants\n"
        } else {
            "grant_id,codes,person_id\n"
        });
        for (id, codes, person, _) in rows {
            text += &format!("{id},{codes},{person}");
            if person_grants {
                text += &format!(",{}", grants_of[person.as_str()]);
            }
            text += "\n";
        }
        std::fs::write(path, text).unwrap();
    }

    /// Feeds the assessed rows `order` (indices into the truth, or ids of its own) and returns
    /// the figures.
    fn evaluate(path: &Path, assessed: &[String]) -> Value {
        let mut acc = TruthAccumulator::load(path).unwrap();
        for (k, id) in assessed.iter().enumerate() {
            let findings = if k % 2 == 0 {
                "DC-SHARED-IDENTITY;DC-MANY-LENDERS"
            } else {
                ""
            };
            acc.add(id, findings, [0.1, (k % 7) as f64 / 7.0, 0.5])
                .unwrap();
        }
        let mut figures = acc.finish().unwrap();
        // The file's name is the one field that differs between the tables compared.
        figures["file"] = Value::Null;
        figures
    }

    #[test]
    fn any_order_of_the_assessed_rows_gives_the_same_figures() {
        let dir = std::env::temp_dir().join(format!("finrisk-truth-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let rows = truth_rows(150_000);
        let with_column = dir.join("with.csv");
        let counted = dir.join("counted.csv");
        write_csv(&with_column, &rows, true);
        write_csv(&counted, &rows, false);
        // Assessed: the truth's order without every 11th grant, plus two grants it lacks.
        let mut in_order: Vec<String> = rows
            .iter()
            .enumerate()
            .filter(|(i, _)| i % 11 != 4)
            .map(|(_, r)| r.0.clone())
            .collect();
        in_order.insert(1_000, "X-NOT-IN-TRUTH".into());
        in_order.push("Y-NOT-IN-TRUTH".into());
        let reference = evaluate(&with_column, &in_order);
        assert_eq!(reference["rows_without_truth"], 2);
        assert_eq!(reference["rows_matched"], in_order.len() - 2);
        assert_eq!(
            reference["truth_rows_not_assessed"],
            rows.len() - (in_order.len() - 2)
        );
        assert!(
            reference["single_grant_persons"]["grants"]
                .as_u64()
                .unwrap()
                > 0
        );
        assert_eq!(evaluate(&counted, &in_order), reference);
        // The same rows in another order (each block of 1,000 reversed, then blocks swapped).
        let mut shuffled: Vec<String> = in_order
            .chunks(1_000)
            .rev()
            .flat_map(|block| block.iter().rev().cloned())
            .collect();
        shuffled.swap(3, 70_000);
        // Findings and scores follow the row position, so compare codes the truth alone sets.
        let other = evaluate(&with_column, &shuffled);
        for field in [
            "rows_matched",
            "rows_without_truth",
            "truth_rows_not_assessed",
        ] {
            assert_eq!(other[field], reference[field], "{field}");
        }
        assert_eq!(
            other["codes"]["DC-SHARED-IDENTITY"]["planted"],
            reference["codes"]["DC-SHARED-IDENTITY"]["planted"]
        );
        assert_eq!(
            other["codes"]["RC-DTI-HIGH"]["planted"],
            reference["codes"]["RC-DTI-HIGH"]["planted"]
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn rows_in_the_truths_order_are_matched_without_waiting() {
        let dir = std::env::temp_dir().join(format!("finrisk-truth-order-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let rows = truth_rows(200_000);
        let path = dir.join("t.csv");
        write_csv(&path, &rows, true);
        let mut acc = TruthAccumulator::load(&path).unwrap();
        let mut most_waiting = 0;
        for r in &rows {
            acc.add(&r.0, "", [0.0; 3]).unwrap();
            most_waiting = most_waiting.max(acc.waiting.len());
        }
        // Memory held: at most one chunk of rows, never the table.
        assert_eq!(most_waiting, 0);
        assert!(acc.rows.pending.capacity() <= TRUTH_CHUNK_ROWS);
        let figures = acc.finish().unwrap();
        assert_eq!(figures["rows_matched"], rows.len());
        assert_eq!(figures["truth_rows_not_assessed"], 0);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_bad_truth_row_names_its_row_and_field() {
        let dir = std::env::temp_dir().join(format!("finrisk-truth-bad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.csv");
        std::fs::write(
            &path,
            "grant_id,codes,person_id,person_grants\nG1,,P1,1\nG2,,P2,two\n",
        )
        .unwrap();
        let mut acc = TruthAccumulator::load(&path).unwrap();
        let e = acc.add("G1", "", [0.0; 3]).unwrap_err().to_string();
        assert!(e.contains("row 2: person_grants: `two`"), "{e}");
        std::fs::write(&path, "grant_id,person_id\nG1,P1\n").unwrap();
        let e = TruthAccumulator::load(&path).err().unwrap().to_string();
        assert!(e.contains("has no `codes` column"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
