//! Set-up shared by the end-to-end tests: scratch directories and generated data.

#![allow(dead_code, clippy::unwrap_used)] // each test file uses a part; set-up failures panic

pub(crate) mod messages;
pub(crate) mod server;

use finrisk_datasets::generate::{GenerateParams, GenerateSummary, generate};
use std::path::PathBuf;
use std::process::{Command, Output};

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

/// Runs the binary with `args`.
pub(crate) fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

/// The JSON a successful run printed (fails the test, with stderr, if the run failed).
pub(crate) fn json_of(out: &Output) -> serde_json::Value {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The one stderr line of a run refused as bad input (exit 2).
pub(crate) fn bad_input_line(out: &Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    stderr
}
