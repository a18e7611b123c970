//! Maps failures to one stderr line and an exit code (2 bad input, 1 internal failure).

use finrisk_datasets::DatasetError;
use finrisk_engine::EngineError;
use std::process::ExitCode;

/// A problem with what the user gave us, already phrased as `field: reason`.
#[derive(Debug)]
pub(crate) struct BadInput(pub(crate) String);

impl std::fmt::Display for BadInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadInput {}

/// A run that finished and whose output must still be printed, but that exits 3: an alert
/// fired (`finrisk monitor`), so a scheduler can act on it.
#[derive(Debug)]
pub(crate) struct Alerted(pub(crate) String);

impl std::fmt::Display for Alerted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an alert fired")
    }
}

impl std::error::Error for Alerted {}

/// A run whose output must be printed but that exits 1 with a message: the audit chain is
/// broken (`finrisk audit verify`).
#[derive(Debug)]
pub(crate) struct ChainBroken {
    /// What to print on stdout.
    pub(crate) output: String,
    /// The stderr line (without the `finrisk: ` prefix).
    pub(crate) message: String,
}

impl std::fmt::Display for ChainBroken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ChainBroken {}

/// Shorthand for a bad-input error.
pub(crate) fn bad_input(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(BadInput(message.into()))
}

fn exit_code_of(e: &anyhow::Error) -> u8 {
    if e.downcast_ref::<BadInput>().is_some() {
        return 2;
    }
    if let Some(engine) = e.downcast_ref::<EngineError>() {
        return engine.code().exit_code();
    }
    if let Some(r) = e.downcast_ref::<finrisk_review::ReviewError>() {
        return if r.is_caller_error() { 2 } else { 1 };
    }
    if let Some(d) = e.downcast_ref::<DatasetError>() {
        return if d.is_write_failure() { 1 } else { 2 };
    }
    if let Some(
        finrisk_models::ModelError::Input { .. } | finrisk_models::ModelError::Artifact(_),
    ) = e.downcast_ref::<finrisk_models::ModelError>()
    {
        return 2;
    }
    1
}

/// Prints one line for `e` and returns its exit code.
pub(crate) fn report(e: &anyhow::Error) -> ExitCode {
    let code = exit_code_of(e);
    let line = e.to_string().replace(['\n', '\r'], " ");
    if code == 2 {
        eprintln!("finrisk: {line}");
    } else {
        eprintln!("finrisk: internal error: {line}");
    }
    ExitCode::from(code)
}

/// Writes `text` on stdout and flushes it; a closed pipe (`finrisk ... | head`) is not an
/// error of ours and is ignored, any other write error is returned.
pub(crate) fn write_stdout(text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Help and version go to stdout with exit 0; any other parse error is one stderr line, exit 2.
pub(crate) fn report_usage_error(e: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            // `finrisk --help | head` closes the pipe early: not a failure, and never a panic.
            match write_stdout(&e.render().to_string()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) => report(&anyhow::anyhow!("cannot write the help: {err}")),
            }
        }
        _ => {
            eprintln!("finrisk: {} (see finrisk --help)", usage_error_line(e));
            ExitCode::from(2)
        }
    }
}

/// clap's message as one line: its first paragraph, lines joined (a missing argument's name is
/// on the line after "the following required arguments were not provided:").
fn usage_error_line(e: &clap::Error) -> String {
    let rendered = e.render().to_string();
    let paragraph: Vec<&str> = rendered
        .lines()
        .map(str::trim)
        .skip_while(|l| l.is_empty())
        .take_while(|l| !l.is_empty())
        .collect();
    let line = paragraph.join(" ");
    let line = line.trim_start_matches("error: ");
    if line.is_empty() {
        "invalid arguments".to_string()
    } else {
        line.to_string()
    }
}

/// The message and place of the last panic, kept by the hook of [`keep_panics_quiet`].
static LAST_PANIC: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

/// Replaces the default panic hook, which prints several lines, by one that keeps the message:
/// a panic caught where it is expected (a third-party reader failing on a malformed file, turned
/// into an error naming the file) then prints nothing, and an uncaught one is reported by
/// [`report_panic`] as one line. With `RUST_BACKTRACE` set the default hook stays, for
/// debugging.
pub(crate) fn keep_panics_quiet() {
    if std::env::var("RUST_BACKTRACE").is_ok_and(|v| !v.is_empty() && v != "0") {
        return;
    }
    std::panic::set_hook(Box::new(|info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".to_string());
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        if let Ok(mut last) = LAST_PANIC.lock() {
            *last = Some(format!("{message}{place}"));
        }
    }));
}

/// One stderr line for a panic that reached `main`, with its message; exit 1.
pub(crate) fn report_panic() -> ExitCode {
    let detail = LAST_PANIC
        .lock()
        .ok()
        .and_then(|mut last| last.take())
        .map(|d| format!(" ({})", d.replace('\n', " ")))
        .unwrap_or_default();
    eprintln!(
        "finrisk: internal error (a bug): the command panicked{detail}; please report it with the input"
    );
    ExitCode::from(1)
}
