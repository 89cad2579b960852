//! `aurum runs list|show`.

use anyhow::Result;
use aurum_app::scenario;

use super::resolve;
use crate::args::{Cli, OutputFormat, RunsCommand};
use crate::context::Context;
use crate::output::{Table, emit, emit_rows, print_json};

pub fn run(ctx: &Context, cli: &Cli, cmd: &RunsCommand) -> Result<()> {
    let store = ctx.open_store()?;
    match cmd {
        RunsCommand::List(a) => {
            let rows = scenario::runs(&store)?;
            let format = resolve(a.format, cli);
            if format == OutputFormat::Csv {
                let ja = scenario::titles_ja(&store, &rows)?;
                let flat: Vec<_> = rows
                    .iter()
                    .map(|r| aurum_app::rows::run(r, ja.get(&r.id).map(String::as_str)))
                    .collect();
                return emit_rows(format, &flat, Table::default);
            }
            emit(format, &rows, || {
                let mut t =
                    Table::new(&["id", "when (UTC)", "kind", "paths", "seed", "data", "title"]);
                for r in &rows {
                    let when = chrono::DateTime::from_timestamp(r.created_at, 0)
                        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                        .unwrap_or_default();
                    t.row(vec![
                        r.id.to_string(),
                        when,
                        r.kind.clone(),
                        r.paths.to_string(),
                        r.seed.to_string(),
                        r.data_fingerprint.clone(),
                        r.title.clone(),
                    ]);
                }
                t
            })
        }
        RunsCommand::Show(a) => print_json(&scenario::show(&store, a.id)?),
    }
}
