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

/// The output format: the command's own `--format`, else the one given before it, else a table.
fn resolve(own: Option<OutputFormat>, cli: &Cli) -> OutputFormat {
    own.or(cli.format).unwrap_or_default()
}

/// The run a report or scenario run recorded, and how to see it.
fn run_note(id: i64) -> String {
    format!("recorded as run {id} (`aurum runs show {id}`)")
}

/// Where the call a report or scenario run recorded went, and how to publish it.
fn call_note(id: i64, published: bool) -> String {
    if published {
        format!("recorded and published as call {id} (`aurum calls show {id}`)")
    } else {
        format!("recorded as draft call {id} (`aurum calls publish {id}` publishes it)")
    }
}
