//! The `aurum` command line.
//!
//! [`main`] parses the arguments ([`args`]), resolves the home directory and store
//! ([`context`]), runs one command ([`commands`]) and maps the outcome to an exit code:
//! 0 success, 1 failure, 2 usage error (a missing or bad flag, whether clap or the application
//! finds the value bad: [`aurum_app::AppError::is_bad_value`]). Results go to stdout as a table, CSV or JSON
//! ([`output`]); progress and warnings go to stderr and are silenced by `--quiet`.
//!
//! Every use case lives in `aurum-app`; this crate turns arguments into its requests and its
//! results into tables, CSV or JSON. Its errors name flags (`--paths`) where the application
//! names fields. `anyhow` is used here and in `aurum-bench`, nowhere below.

pub mod args;
pub mod commands;
pub mod context;
pub mod output;

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;

/// Runs the `aurum` command line with the process arguments.
#[must_use]
pub fn main() -> ExitCode {
    let cli = match args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version go to stdout with 0; usage errors to stderr with 2.
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    match commands::run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // A closed pipe (`aurum data show … | head`) is not a failure.
            if err.chain().any(is_broken_pipe) {
                return ExitCode::SUCCESS;
            }
            // A bad value of a flag is a usage error, whether the parser or the application
            // found it.
            let usage = err.chain().any(|c| {
                c.downcast_ref::<aurum_app::AppError>()
                    .is_some_and(aurum_app::AppError::is_bad_value)
            });
            let mut stderr = io::stderr().lock();
            let _ = write!(stderr, "error");
            for cause in err.chain() {
                let _ = match cause.downcast_ref::<aurum_app::AppError>() {
                    Some(e) => write!(stderr, ": {}", e.render(aurum_app::FieldStyle::Flag)),
                    None => write!(stderr, ": {cause}"),
                };
            }
            let _ = writeln!(stderr);
            if usage {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

/// Whether an error is a write to a closed pipe, however it was wrapped.
fn is_broken_pipe(e: &(dyn std::error::Error + 'static)) -> bool {
    let pipe = |k: io::ErrorKind| k == io::ErrorKind::BrokenPipe;
    if let Some(e) = e.downcast_ref::<io::Error>() {
        return pipe(e.kind());
    }
    if let Some(e) = e.downcast_ref::<serde_json::Error>() {
        return e.io_error_kind().is_some_and(pipe);
    }
    if let Some(e) = e.downcast_ref::<csv::Error>()
        && let csv::ErrorKind::Io(io) = e.kind()
    {
        return pipe(io.kind());
    }
    false
}
