//! Set-up shared by the end-to-end tests: scratch directories and generated data.

#![allow(dead_code, reason = "each test file uses a part of the shared set-up")]
#![allow(clippy::unwrap_used, reason = "test set-up: a failure should panic")]

pub(crate) mod messages;
pub(crate) mod server;

use finrisk_datasets::generate::{GenerateParams, GenerateSummary, generate};
use std::ffi::{OsStr, OsString};
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

/// The one stderr line of a run refused as bad input (exit 2), which must name `field`.
pub(crate) fn assert_bad_input(out: &Output, field: &str) {
    let stderr = bad_input_line(out);
    assert!(stderr.contains(field), "`{field}` not named in: {stderr}");
}

/// The JSON printed by a successful run of the binary with `args`.
pub(crate) fn json(args: &[&str]) -> serde_json::Value {
    json_of(&run(args))
}

/// A file `name` with `content` in a fresh scratch directory of its own.
pub(crate) fn scratch_file(prefix: &str, name: &str, content: &[u8]) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let path = scratch(prefix, &format!("f{n}")).join(name);
    std::fs::write(&path, content).unwrap();
    path
}

/// A command line of the binary, built option by option:
/// `Cli::batch("grants", &input, &output).opt("--persons", &persons).flag("--quiet").json()`.
#[derive(Debug, Clone)]
pub(crate) struct Cli {
    args: Vec<OsString>,
}

impl Cli {
    /// `finrisk <command>`.
    pub(crate) fn new(command: &str) -> Self {
        Self {
            args: vec![command.into()],
        }
    }

    /// `finrisk batch --kind <kind> --input <input> --output <output>`.
    pub(crate) fn batch(kind: &str, input: impl AsRef<OsStr>, output: impl AsRef<OsStr>) -> Self {
        Self::new("batch")
            .opt("--kind", kind)
            .opt("--input", input)
            .opt("--output", output)
    }

    /// Adds `--name value`.
    pub(crate) fn opt(mut self, name: &str, value: impl AsRef<OsStr>) -> Self {
        self.args.push(name.into());
        self.args.push(value.as_ref().to_os_string());
        self
    }

    /// Adds a flag or a lone argument.
    pub(crate) fn flag(mut self, flag: impl AsRef<OsStr>) -> Self {
        self.args.push(flag.as_ref().to_os_string());
        self
    }

    /// Adds several arguments as they are.
    pub(crate) fn args<I, A>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = A>,
        A: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_os_string()));
        self
    }

    /// The command, to adjust (environment, standard input) before running it.
    pub(crate) fn command(&self) -> Command {
        let mut c = Command::new(BIN);
        c.args(&self.args);
        c
    }

    /// Runs it to completion.
    pub(crate) fn output(&self) -> Output {
        self.command().output().unwrap()
    }

    /// Runs it and returns the JSON it printed (fails the test if the run failed).
    pub(crate) fn json(&self) -> serde_json::Value {
        json_of(&self.output())
    }
}
