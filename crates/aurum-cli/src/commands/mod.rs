//! One module per command; [`run`] dispatches. No command module uses another.

mod backtest;
mod calls;
mod chart;
mod data;
mod events;
mod gpr;
mod init;
mod report;
mod runs;
mod scenario;
mod serve;
mod study;
mod vol;

use anyhow::Result;

use crate::args::{Cli, Command, OutputFormat};
use crate::context::Context;

/// Runs the command the user asked for.
///
/// # Errors
///
/// Whatever the command reports; the caller prints it and exits with 1, or 2 for a bad
/// value of a flag.
pub fn run(cli: &Cli) -> Result<()> {
    let ctx = Context::from_cli(cli)?;
    match &cli.command {
        Command::Init(a) => init::run(&ctx, resolve(a.format, cli)),
        Command::Data(d) => data::run(&ctx, cli, d),
        Command::Chart(a) => chart::run(&ctx, a),
        Command::Events(e) => events::run(&ctx, cli, e),
        Command::Study(a) => study::run(&ctx, a, resolve(a.format, cli)),
        Command::Vol(v) => vol::run(&ctx, cli, v),
        Command::Gpr(g) => gpr::run(&ctx, cli, g),
        Command::Scenario(s) => scenario::run(&ctx, cli, s),
        Command::Runs(r) => runs::run(&ctx, cli, r),
        Command::Calls(c) => calls::run(&ctx, cli, c),
        Command::Backtest(a) => backtest::run(&ctx, a, resolve(a.format, cli)),
        Command::Report(a) => report::run(&ctx, a),
        Command::Serve(a) => serve::run(&ctx, a),
    }
}

/// Fails with a plain message (`x.toml: no such file`) when the input file `path` cannot be
/// read, before a command reads it: the application's errors about files carry the system's
/// wording (`failed to query resolved metadata …`).
fn input_file(path: &std::path::Path) -> Result<()> {
    let Err(e) = std::fs::metadata(path) else {
        return Ok(());
    };
    let why = match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        std::io::ErrorKind::NotADirectory => {
            "no such file (a folder on its path is a file)".to_owned()
        }
        _ => e.to_string(),
    };
    anyhow::bail!("{}: {why}", path.display())
}

/// The output format: the command's own `--format`, else the one given before it, else a table.
fn resolve(own: Option<OutputFormat>, cli: &Cli) -> OutputFormat {
    own.or(cli.format).unwrap_or_default()
}

/// Where the call a report or scenario run recorded went, and how to publish it.
fn call_note(id: i64, published: bool) -> String {
    if published {
        format!("recorded and published as call {id} (`aurum calls show {id}`)")
    } else {
        format!("recorded as draft call {id} (`aurum calls publish {id}` publishes it)")
    }
}
