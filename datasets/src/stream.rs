//! Grants tables read in chunks, so that a batch never holds its whole input in memory.
//!
//! An input is one CSV or Parquet file, or a directory of Parquet part files (searched
//! recursively, in path order) whose directory names may carry hive-style partitions
//! (`region=north/month=2024-01/part-0.parquet`). Each chunk is parsed and validated exactly as
//! [`load_grants`](crate::load_grants) parses a whole file, with the same 1-based row numbers
//! (counted across the parts of a directory, in path order), so a chunked read accepts and
//! refuses the same rows with the same reasons.
//!
//! - **Parquet**: chunks are row slices of the file (the reader decodes only the row groups a
//!   slice covers); the footer is read once.
//! - **CSV**: the file is split at record boundaries (a newline outside double quotes), each
//!   chunk is parsed with the header in front of it, all columns as text.

use crate::DatasetError;
use crate::grants::{LoadReport, TableFormat, grants_from_frame_at, read_error};
use finrisk_engine::domain::grant::GrantBatch;
use polars::prelude::*;
use std::io::{BufRead, BufReader, Cursor};
use std::path::{Path, PathBuf};

/// One file of an input, with its hive-style partition values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputPart {
    /// The file.
    pub path: PathBuf,
    /// Its format.
    pub format: TableFormat,
    /// `(column, value)` of every `column=value` directory between the input root and the file.
    pub partitions: Vec<(String, String)>,
}

/// The input of a batch: its parts and the partition columns they carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantInput {
    /// The path given.
    pub root: PathBuf,
    /// The files, in path order.
    pub parts: Vec<InputPart>,
    /// Partition column names, in the order of the first part's directories.
    pub partition_columns: Vec<String>,
}

/// One chunk of an input.
#[derive(Debug, Clone)]
pub struct GrantChunk {
    /// The accepted rows.
    pub batch: GrantBatch,
    /// What parsing the chunk found (`rows_read` counts the chunk's rows).
    pub report: LoadReport,
    /// Index of the part in [`GrantInput::parts`].
    pub part: usize,
}

fn partitions_of(relative: &Path) -> Vec<(String, String)> {
    relative
        .parent()
        .into_iter()
        .flat_map(|dir| dir.components())
        .filter_map(|c| {
            let text = c.as_os_str().to_str()?;
            let (key, value) = text.split_once('=')?;
            (!key.is_empty()).then(|| (key.to_string(), value.to_string()))
        })
        .collect()
}

fn parquet_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), DatasetError> {
    let entries = std::fs::read_dir(dir).map_err(|e| DatasetError::io(dir, e))?;
    for entry in entries {
        let path = entry.map_err(|e| DatasetError::io(dir, e))?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') || name.starts_with('_') {
            // Hidden and marker files (`_SUCCESS`, `.crc`) are not data.
            continue;
        }
        if path.is_dir() {
            parquet_files(&path, out)?;
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("parquet" | "pq")
        ) {
            out.push(path);
        }
    }
    Ok(())
}

impl GrantInput {
    /// Opens a file, or lists the Parquet part files of a directory. A directory without part
    /// files, or whose parts disagree on the partition columns, is refused.
    pub fn open(root: &Path) -> Result<Self, DatasetError> {
        if root.is_dir() {
            let mut files = Vec::new();
            parquet_files(root, &mut files)?;
            files.sort();
            if files.is_empty() {
                return Err(DatasetError::Read {
                    path: root.display().to_string(),
                    reason: "the directory holds no .parquet part files".into(),
                });
            }
            let parts: Vec<InputPart> = files
                .into_iter()
                .map(|path| {
                    let partitions = partitions_of(path.strip_prefix(root).unwrap_or(&path));
                    InputPart {
                        path,
                        format: TableFormat::Parquet,
                        partitions,
                    }
                })
                .collect();
            let names = |p: &InputPart| p.partitions.iter().map(|(k, _)| k.clone()).collect();
            let partition_columns: Vec<String> = names(&parts[0]);
            if let Some(odd) = parts.iter().find(|p| names(p) != partition_columns) {
                return Err(DatasetError::Read {
                    path: odd.path.display().to_string(),
                    reason: format!(
                        "partition columns [{}] differ from the first part's [{}]",
                        names(odd).join(", "),
                        partition_columns.join(", ")
                    ),
                });
            }
            return Ok(Self {
                root: root.to_path_buf(),
                parts,
                partition_columns,
            });
        }
        let format = TableFormat::detect(root)?;
        if !root.is_file() {
            return Err(DatasetError::io(
                root,
                std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
            ));
        }
        Ok(Self {
            root: root.to_path_buf(),
            parts: vec![InputPart {
                path: root.to_path_buf(),
                format,
                partitions: Vec::new(),
            }],
            partition_columns: Vec::new(),
        })
    }

    /// Data rows of the input when the format says so without reading it (Parquet), else
    /// `None` (CSV).
    pub fn known_rows(&self) -> Option<usize> {
        self.parts.iter().try_fold(0usize, |sum, part| {
            if part.format != TableFormat::Parquet {
                return None;
            }
            let file = std::fs::File::open(&part.path).ok()?;
            // A malformed file is reported when its chunks are read; here it has no count.
            let rows = crate::guarded(&part.path, || Ok(ParquetReader::new(file).num_rows().ok()));
            rows.ok().flatten().map(|n| sum + n)
        })
    }

    /// Bytes of all the parts (for progress over inputs whose row count is unknown).
    pub fn bytes(&self) -> u64 {
        self.parts
            .iter()
            .filter_map(|p| std::fs::metadata(&p.path).ok())
            .map(|m| m.len())
            .sum()
    }

    /// The chunks of at most `rows_per_chunk` rows, part after part, in row order.
    pub fn chunks(&self, rows_per_chunk: usize) -> GrantChunks<'_> {
        GrantChunks {
            input: self,
            rows_per_chunk: rows_per_chunk.max(1),
            part: 0,
            reader: None,
            rows_before: 0,
            part_had_rows: false,
        }
    }
}

/// Where the reader is inside the current part.
enum PartReader {
    Parquet {
        metadata: std::sync::Arc<polars::io::parquet::read::FileMetadata>,
        rows: usize,
        next: usize,
    },
    Csv {
        lines: BufReader<std::fs::File>,
        header: Vec<u8>,
        done: bool,
    },
}

/// Iterator over the chunks of a [`GrantInput`]; a part that cannot be read ends it with the
/// error.
pub struct GrantChunks<'a> {
    input: &'a GrantInput,
    rows_per_chunk: usize,
    part: usize,
    reader: Option<PartReader>,
    /// Rows read from earlier chunks: the row number offset of the next one.
    rows_before: usize,
    /// Whether the current part gave a chunk (a part with no rows still has its columns checked).
    part_had_rows: bool,
}

/// Reads one CSV record (lines until the double quotes balance), appended to `out`; returns
/// the bytes read (0 at the end of the file).
fn read_record(lines: &mut BufReader<std::fs::File>, out: &mut Vec<u8>) -> std::io::Result<usize> {
    let start = out.len();
    loop {
        let n = lines.read_until(b'\n', out)?;
        if n == 0 {
            return Ok(out.len() - start);
        }
        let quotes = out[start..].iter().filter(|&&b| b == b'"').count();
        if quotes % 2 == 0 {
            return Ok(out.len() - start);
        }
    }
}

/// A Parquet file's reading position at its first row, with its footer read once.
fn parquet_part(
    path: &Path,
    reader: &mut ParquetReader<std::fs::File>,
) -> Result<PartReader, DatasetError> {
    let metadata = reader
        .get_metadata()
        .map_err(|e| read_error(path, &e))?
        .clone();
    Ok(PartReader::Parquet {
        rows: metadata.num_rows,
        metadata,
        next: 0,
    })
}

/// A CSV file's reader past its header record, and the header (ending in a newline).
fn csv_header(
    path: &Path,
    file: std::fs::File,
) -> Result<(BufReader<std::fs::File>, Vec<u8>), DatasetError> {
    let mut lines = BufReader::with_capacity(1 << 20, file);
    let mut header = Vec::new();
    read_record(&mut lines, &mut header).map_err(|e| DatasetError::io(path, e))?;
    if !header.ends_with(b"\n") {
        header.push(b'\n');
    }
    Ok((lines, header))
}

/// Rows `[next, next + len)` of a Parquet file whose footer is `metadata`, only `columns` when
/// given.
fn parquet_slice(
    path: &Path,
    metadata: &std::sync::Arc<polars::io::parquet::read::FileMetadata>,
    next: usize,
    len: usize,
    columns: Option<Vec<String>>,
) -> Result<DataFrame, DatasetError> {
    let file = std::fs::File::open(path).map_err(|e| DatasetError::io(path, e))?;
    let mut reader = ParquetReader::new(file)
        .with_slice(Some((next, len)))
        .with_columns(columns);
    reader.set_metadata(metadata.clone());
    reader.finish().map_err(|e| read_error(path, &e))
}

/// The next `rows` records of a CSV file, parsed as text behind its `header` (only `columns`
/// when given); `None` at the end of the file, when `done` is also set.
fn csv_records(
    path: &Path,
    lines: &mut BufReader<std::fs::File>,
    header: &[u8],
    done: &mut bool,
    rows: usize,
    columns: Option<&[String]>,
) -> Result<Option<DataFrame>, DatasetError> {
    if *done {
        return Ok(None);
    }
    let mut bytes = header.to_vec();
    let mut records = 0;
    while records < rows {
        let n = read_record(lines, &mut bytes).map_err(|e| DatasetError::io(path, e))?;
        if n == 0 {
            *done = true;
            break;
        }
        records += 1;
    }
    if records == 0 {
        return Ok(None);
    }
    let mut options = CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0));
    if let Some(columns) = columns {
        let columns: Vec<PlSmallStr> = columns
            .iter()
            .map(|c| PlSmallStr::from(c.as_str()))
            .collect();
        options = options.with_columns(Some(columns.into()));
    }
    options
        .into_reader_with_file_handle(Cursor::new(bytes))
        .finish()
        .map(Some)
        .map_err(|e| read_error(path, &e))
}

impl PartReader {
    /// The next `rows` rows of the file at `path` (only `columns` when given), or `None` when
    /// it is done.
    fn next_frame(
        &mut self,
        path: &Path,
        rows: usize,
        columns: Option<&[String]>,
    ) -> Result<Option<DataFrame>, DatasetError> {
        match self {
            PartReader::Parquet {
                metadata,
                rows: total,
                next,
            } => {
                if *next >= *total {
                    return Ok(None);
                }
                let len = rows.min(*total - *next);
                let df =
                    parquet_slice(path, metadata, *next, len, columns.map(<[String]>::to_vec))?;
                *next += len;
                Ok(Some(df))
            }
            PartReader::Csv {
                lines,
                header,
                done,
            } => csv_records(path, lines, header, done, rows, columns),
        }
    }
}

impl GrantChunks<'_> {
    fn open_part(&self, part: &InputPart) -> Result<PartReader, DatasetError> {
        let path = &part.path;
        let file = std::fs::File::open(path).map_err(|e| DatasetError::io(path, e))?;
        Ok(match part.format {
            TableFormat::Parquet => parquet_part(path, &mut ParquetReader::new(file))?,
            TableFormat::Csv => {
                let (lines, header) = csv_header(path, file)?;
                PartReader::Csv {
                    lines,
                    header,
                    done: false,
                }
            }
        })
    }

    /// A part without rows: its columns are still checked, as a whole-file load checks them.
    fn check_empty_part(&self, part: &InputPart) -> Result<(), DatasetError> {
        let path = &part.path;
        let df = match self.reader.as_ref() {
            Some(PartReader::Csv { header, .. }) => CsvReadOptions::default()
                .with_has_header(true)
                .with_infer_schema_length(Some(0))
                .into_reader_with_file_handle(Cursor::new(header.clone()))
                .finish()
                .map_err(|e| read_error(path, &e))?,
            _ => {
                let file = std::fs::File::open(path).map_err(|e| DatasetError::io(path, e))?;
                ParquetReader::new(file)
                    .with_slice(Some((0, 0)))
                    .finish()
                    .map_err(|e| read_error(path, &e))?
            }
        };
        grants_from_frame_at(&df, self.rows_before).map(|_| ())
    }

    /// The next chunk's frame of the current part, or `None` when the part is done.
    fn next_frame(&mut self) -> Result<Option<DataFrame>, DatasetError> {
        let path = &self.input.parts[self.part].path;
        match self.reader.as_mut() {
            Some(reader) => reader.next_frame(path, self.rows_per_chunk, None),
            None => Ok(None),
        }
    }
}

impl Iterator for GrantChunks<'_> {
    type Item = Result<GrantChunk, DatasetError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let part = self.input.parts.get(self.part)?;
            if self.reader.is_none() {
                match crate::guarded(&part.path, || self.open_part(part)) {
                    Ok(r) => self.reader = Some(r),
                    Err(e) => {
                        self.part = self.input.parts.len();
                        return Some(Err(e));
                    }
                }
            }
            match crate::guarded(&part.path, || self.next_frame()) {
                Ok(Some(df)) if df.height() > 0 => {
                    self.part_had_rows = true;
                    let first = self.rows_before;
                    self.rows_before += df.height();
                    let result =
                        grants_from_frame_at(&df, first).map(|(batch, report)| GrantChunk {
                            batch,
                            report,
                            part: self.part,
                        });
                    if result.is_err() {
                        self.part = self.input.parts.len();
                    }
                    return Some(result);
                }
                Ok(_) => {
                    if !self.part_had_rows
                        && let Err(e) = crate::guarded(&part.path, || self.check_empty_part(part))
                    {
                        self.part = self.input.parts.len();
                        return Some(Err(e));
                    }
                    self.part += 1;
                    self.reader = None;
                    self.part_had_rows = false;
                }
                Err(e) => {
                    self.part = self.input.parts.len();
                    return Some(Err(e));
                }
            }
        }
    }
}

/// Any table (one CSV or Parquet file) read in chunks of rows, keeping only the columns asked
/// for: a report over millions of scored rows holds one chunk at a time. CSV cells are text, as
/// [`read_table_columns`](crate::read_table_columns) reads them; Parquet columns keep their types.
pub struct TableChunks {
    path: PathBuf,
    rows_per_chunk: usize,
    columns: Vec<String>,
    source: PartReader,
}

impl TableChunks {
    /// Opens `path` to read the columns of `wanted` it has, `rows_per_chunk` rows at a time.
    pub fn open(path: &Path, wanted: &[&str], rows_per_chunk: usize) -> Result<Self, DatasetError> {
        crate::guarded(path, || Self::open_unguarded(path, wanted, rows_per_chunk))
    }

    fn open_unguarded(
        path: &Path,
        wanted: &[&str],
        rows_per_chunk: usize,
    ) -> Result<Self, DatasetError> {
        let format = TableFormat::detect(path)?;
        let file = std::fs::File::open(path).map_err(|e| DatasetError::io(path, e))?;
        let (columns, source) = match format {
            TableFormat::Parquet => {
                let mut reader = ParquetReader::new(file);
                let schema = reader.schema().map_err(|e| read_error(path, &e))?;
                let columns: Vec<String> = schema
                    .iter_names()
                    .filter(|n| wanted.contains(&n.as_str()))
                    .map(|n| n.to_string())
                    .collect();
                (columns, parquet_part(path, &mut reader)?)
            }
            TableFormat::Csv => {
                let (lines, header) = csv_header(path, file)?;
                let columns: Vec<String> = String::from_utf8_lossy(&header)
                    .trim_end_matches(['\r', '\n'])
                    .split(',')
                    .map(|c| c.trim_matches('"'))
                    .filter(|c| wanted.contains(c))
                    .map(str::to_string)
                    .collect();
                (
                    columns,
                    PartReader::Csv {
                        lines,
                        header,
                        done: false,
                    },
                )
            }
        };
        Ok(Self {
            path: path.to_path_buf(),
            rows_per_chunk: rows_per_chunk.max(1),
            columns,
            source,
        })
    }

    /// The wanted columns the table has, in the table's order.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    fn next_frame(&mut self) -> Result<Option<DataFrame>, DatasetError> {
        if self.columns.is_empty() {
            return Ok(None);
        }
        self.source
            .next_frame(&self.path, self.rows_per_chunk, Some(&self.columns))
    }
}

impl Iterator for TableChunks {
    type Item = Result<DataFrame, DatasetError>;

    fn next(&mut self) -> Option<Self::Item> {
        let path = self.path.clone();
        match crate::guarded(&path, || self.next_frame()) {
            Ok(Some(df)) if df.height() > 0 => Some(Ok(df)),
            Ok(_) => None,
            Err(e) => {
                // A chunk that cannot be read ends the table.
                self.columns.clear();
                Some(Err(e))
            }
        }
    }
}

#[cfg(test)]
mod table_chunk_tests {
    use super::*;

    #[test]
    fn chunks_of_csv_and_parquet_hold_every_row_of_the_wanted_columns() {
        let dir = std::env::temp_dir().join(format!("finrisk-table-chunks-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let csv = dir.join("t.csv");
        let mut text = String::from("a,\"b\",c\n");
        for i in 0..1001 {
            text += &format!("{i},\"x,{i}\",{}\n", i * 2);
        }
        std::fs::write(&csv, text).unwrap();
        let mut df = DataFrame::new_infer_height(vec![
            Column::new("a".into(), (0..1001i64).collect::<Vec<_>>()),
            Column::new("c".into(), (0..1001i64).map(|i| i * 2).collect::<Vec<_>>()),
        ])
        .unwrap();
        let parquet = dir.join("t.parquet");
        ParquetWriter::new(std::fs::File::create(&parquet).unwrap())
            .finish(&mut df)
            .unwrap();
        for path in [&csv, &parquet] {
            let chunks = TableChunks::open(path, &["c", "a", "zz"], 300).unwrap();
            assert_eq!(chunks.columns(), ["a", "c"]);
            let frames: Vec<DataFrame> = chunks.map(Result::unwrap).collect();
            assert_eq!(
                frames.iter().map(DataFrame::height).collect::<Vec<_>>(),
                [300, 300, 300, 101]
            );
            assert!(frames.iter().all(|f| f.width() == 2));
            let last = frames[3]
                .column("c")
                .unwrap()
                .cast(&DataType::Int64)
                .unwrap();
            assert_eq!(last.i64().unwrap().get(100), Some(2000));
        }
        let none = TableChunks::open(&csv, &["zz"], 300).unwrap();
        assert!(none.columns().is_empty());
        assert_eq!(none.count(), 0);
    }
}
