//! The `finrisk` command line: argument parsing and wiring only.
//!
//! Every decision lives in the libraries (`finrisk-engine`, `finrisk-datasets`); this binary
//! reads inputs, calls them, prints JSON (or text with `--format text`) and maps failures to
//! exit codes: 0 success, 2 bad input (one line on stderr naming the field), 1 internal failure.

mod cli;
mod commands;
mod evaluation;
mod failure;
mod input;
mod pd;
mod report;
mod server;

use clap::Parser;
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = match cli::Cli::try_parse() {
        Ok(args) => args,
        Err(e) => return failure::report_usage_error(&e),
    };
    let outcome = std::panic::catch_unwind(|| commands::run(args));
    match outcome {
        Ok(Ok(output)) => {
            let mut stdout = std::io::stdout().lock();
            match stdout
                .write_all(output.as_bytes())
                .and_then(|()| stdout.flush())
            {
                Ok(()) => ExitCode::SUCCESS,
                // A closed pipe (`finrisk ... | head`) is not a failure of ours.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
                Err(e) => failure::report(&anyhow::anyhow!("cannot write the output: {e}")),
            }
        }
        Ok(Err(e)) => failure::report(&e),
        Err(_) => {
            eprintln!(
                "finrisk: internal error (a bug): the command panicked; please report it with the input"
            );
            ExitCode::from(1)
        }
    }
}
