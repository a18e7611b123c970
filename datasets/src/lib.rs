//! finrisk-datasets: where files become engine types, and where data come from.
//!
//! - Grants tables from CSV or Parquet with polars, whole ([`grants`]) or streamed in chunks
//!   over files and hive-partitioned directories ([`stream`]), with every row it could not
//!   accept reported with its row number, field and reason; whole and streamed reads agree
//!   ([`consistency`], also the oracle of a fuzz target).
//! - Outputs: result tables and persons written to CSV or Parquet with their provenance
//!   ([`write`](mod@write)).
//! - Element tables (要素式): dispute cases as CSV or XLSX tables, read into Case documents and
//!   written back ([`element_table`]).
//! - The real public credit datasets shipped in `datasets/data/` and their loaders ([`real`]).
//! - The synthetic generator of products, grants and cases with planted problems and their
//!   truth ([`generate`]).

// Narrowing casts are justified where they stay (`#[expect]` with the bound) or replaced by
// checked conversions; test code may cast freely.
#![cfg_attr(not(test), warn(clippy::cast_possible_truncation))]

pub mod consistency;
pub mod element_table;
pub mod generate;
pub mod grants;
pub mod parquet_sink;
pub mod period;
pub mod real;
pub mod stream;
pub mod write;

pub use grants::{LoadReport, TableFormat, load_grants, read_table, read_table_columns};
pub use period::{PeriodFilter, PeriodSelection};
pub use real::{
    FeatureKind, FeatureSpec, ModelTable, RealDataset, dataset_column, lending_club_grants,
    load_model_table,
};
pub use stream::{GrantChunk, GrantChunks, GrantInput, InputPart, TableChunks};

use std::path::Path;

/// Why a table could not be loaded at all (row-level problems go in the [`LoadReport`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DatasetError {
    /// The file could not be opened or read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// The file is neither CSV nor Parquet.
    #[error("{path}: not a CSV (.csv) or Parquet (.parquet) file")]
    UnsupportedFormat {
        /// The file.
        path: String,
    },
    /// The reader refused the file (malformed CSV, corrupt Parquet).
    #[error("{path}: cannot read the table: {reason}")]
    Read {
        /// The file.
        path: String,
        /// The reader's message.
        reason: String,
    },
    /// An output could not be written (no space left, a file size limit, the directory
    /// removed): a failure of the machine, not of the input.
    #[error("{path}: cannot write the output: {reason}")]
    Write {
        /// The output the user named (not the temporary file it is written to first).
        path: String,
        /// The writer's or the OS's message.
        reason: String,
    },
    /// Required columns are missing.
    #[error("{}: required column missing", columns.join(", "))]
    MissingColumns {
        /// The missing columns.
        columns: Vec<String>,
    },
    /// A generator or loader parameter is out of range.
    #[error("{field}: {reason}")]
    Parameter {
        /// The parameter.
        field: String,
        /// Why it is refused.
        reason: String,
    },
    /// A column has a type that cannot hold its field.
    #[error("{column}: column type {dtype} is not supported")]
    ColumnType {
        /// The column.
        column: String,
        /// Its type.
        dtype: String,
    },
}

impl DatasetError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        Self::Io {
            path: path.display().to_string(),
            source,
        }
    }

    pub(crate) fn write(path: &Path, reason: impl std::fmt::Display) -> Self {
        Self::Write {
            path: path.display().to_string(),
            reason: reason.to_string(),
        }
    }

    /// Whether the error is a failure to write an output (exit 1) rather than bad input.
    pub fn is_write_failure(&self) -> bool {
        matches!(self, Self::Write { .. })
    }
}

/// Runs a read of `path` through polars, turning a panic of the reader into
/// [`DatasetError::Read`]. polars' Parquet metadata decoder panics on some malformed files
/// (found by the `grant_table` fuzz target: a corrupt thrift field stops on an `expect`); a bad
/// file must be an error that names it, never a crash.
pub(crate) fn guarded<T>(
    path: &Path,
    read: impl FnOnce() -> Result<T, DatasetError>,
) -> Result<T, DatasetError> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(read)) {
        Ok(result) => result,
        Err(payload) => {
            let detail = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "no detail".to_string());
            Err(DatasetError::Read {
                path: path.display().to_string(),
                reason: format!("the file is malformed (the reader failed: {detail})"),
            })
        }
    }
}
