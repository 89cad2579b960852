//! `aurum init`: create and seed the store.

use anyhow::Result;
use serde::Serialize;

use crate::args::OutputFormat;
use crate::context::Context;
use crate::output::{Table, emit};

#[derive(Serialize)]
struct InitRow {
    home: String,
    database: String,
    schema_version: i64,
    seeded_now: bool,
    series: u64,
    observations: u64,
}

pub fn run(ctx: &Context, format: OutputFormat) -> Result<()> {
    let (store, report) = ctx.home.open_and_seed(&ctx.progress)?;
    let counts = store.counts()?;
    let row = InitRow {
        home: ctx.home.dir().display().to_string(),
        database: ctx.home.db_path().display().to_string(),
        schema_version: store.schema_version()?,
        seeded_now: report.seeded,
        series: counts.series,
        observations: counts.observations,
    };
    emit(format, std::slice::from_ref(&row), || {
        let mut t = Table::new(&["database", "schema", "seeded now", "series", "observations"]);
        t.row(vec![
            row.database.clone(),
            row.schema_version.to_string(),
            if row.seeded_now {
                "yes"
            } else {
                "no (already seeded)"
            }
            .to_owned(),
            row.series.to_string(),
            row.observations.to_string(),
        ]);
        t
    })
}
