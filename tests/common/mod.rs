//! Set-up shared by the end-to-end tests: scratch directories and generated data.

#![allow(dead_code, clippy::unwrap_used)] // each test file uses a part; set-up failures panic

use finrisk_datasets::generate::{GenerateParams, GenerateSummary, generate};
use std::path::PathBuf;

/// The `finrisk` binary under test.
pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_finrisk");

/// An empty directory of this test process, `<prefix>-<pid>-<name>` under the temp dir.
pub(crate) fn scratch(prefix: &str, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("{prefix}-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `finrisk generate`'s data (`grants` grants, 10 cases) in a fresh scratch directory.
pub(crate) fn generated(prefix: &str, name: &str, grants: u64) -> (PathBuf, GenerateSummary) {
    let dir = scratch(prefix, name);
    let params = GenerateParams {
        grants,
        cases: 10,
        ..GenerateParams::default()
    };
    let summary = generate(&params, &dir).unwrap();
    (dir, summary)
}
