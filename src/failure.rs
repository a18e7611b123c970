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
    if e.downcast_ref::<DatasetError>().is_some() {
        return 2;
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

/// Help and version go to stdout with exit 0; any other parse error is one stderr line, exit 2.
pub(crate) fn report_usage_error(e: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            print!("{}", e.render());
            ExitCode::SUCCESS
        }
        _ => {
            let rendered = e.render().to_string();
            let first = rendered
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("invalid arguments");
            let first = first.trim().trim_start_matches("error: ");
            eprintln!("finrisk: {first} (see finrisk --help)");
            ExitCode::from(2)
        }
    }
}
