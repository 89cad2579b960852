//! `aurum data list|show|import|update`.

use std::time::Duration;

use anyhow::Result;
use aurum_app::data::{self, Bars, BarsRequest, ImportRequest, MergeRow, UpdateRequest};
use aurum_app::parse_time;
use aurum_core::Date;
use serde::Serialize;

use super::resolve;
use crate::args::{self, Cli, DataCommand, ImportArgs, ShowArgs, UpdateArgs};
use crate::context::Context;
use crate::output::{Table, emit, opt, price};

pub fn run(ctx: &Context, cli: &Cli, cmd: &DataCommand) -> Result<()> {
    match cmd {
        DataCommand::List(a) => list(ctx, resolve(a.format, cli)),
        DataCommand::Show(a) => show(ctx, a, resolve(a.format, cli)),
        DataCommand::Import(a) => import(ctx, a, resolve(a.output, cli)),
        DataCommand::Update(a) => update(ctx, a, resolve(a.format, cli)),
    }
}

fn list(ctx: &Context, format: args::OutputFormat) -> Result<()> {
    let store = ctx.open_store()?;
    let rows = store.list()?;
    emit(
        format,
        &rows.iter().map(ListRow::from).collect::<Vec<_>>(),
        || {
            let mut t = Table::new(&["id", "name", "unit", "rows", "first", "last", "source"]);
            for s in &rows {
                t.row(vec![
                    s.meta.id.to_string(),
                    s.meta.name.clone(),
                    s.meta.unit_label(),
                    s.rows.to_string(),
                    s.first.map(|d| d.to_string()).unwrap_or_default(),
                    s.last.map(|d| d.to_string()).unwrap_or_default(),
                    s.meta.source.clone(),
                ]);
            }
            t
        },
    )
}

/// A flat row of `data list` (CSV needs flat records).
#[derive(Serialize)]
struct ListRow {
    id: String,
    name: String,
    unit: &'static str,
    currency: Option<String>,
    source: String,
    bundled: bool,
    rows: u64,
    first: Option<Date>,
    last: Option<Date>,
}

impl From<&aurum_store::SeriesSummary> for ListRow {
    fn from(s: &aurum_store::SeriesSummary) -> Self {
        Self {
            id: s.meta.id.to_string(),
            name: s.meta.name.clone(),
            unit: s.meta.unit.code(),
            currency: s.meta.currency.clone(),
            source: s.meta.source.clone(),
            bundled: s.bundled,
            rows: s.rows,
            first: s.first,
            last: s.last,
        }
    }
}

fn show(ctx: &Context, a: &ShowArgs, format: args::OutputFormat) -> Result<()> {
    let store = ctx.open_store()?;
    let req = BarsRequest {
        series: a.series.clone(),
        freq: a.freq,
        window: a.window.into(),
    };
    match data::bars(&store, &req)? {
        Bars::Daily(rows) => emit(format, &rows, || {
            let mut t = Table::new(&["date", "open", "high", "low", "close", "volume"]);
            for r in &rows {
                t.row(vec![
                    r.date.to_string(),
                    opt(r.open),
                    opt(r.high),
                    opt(r.low),
                    price(r.close),
                    r.volume.map(|v| format!("{v:.0}")).unwrap_or_default(),
                ]);
            }
            t
        }),
        Bars::Periods(rows) => emit(format, &rows, || {
            let mut t = Table::new(&[
                "date", "open", "high", "low", "close", "first", "last", "days",
            ]);
            for r in &rows {
                t.row(vec![
                    r.date.to_string(),
                    price(r.open),
                    price(r.high),
                    price(r.low),
                    price(r.close),
                    r.first_date.to_string(),
                    r.last_date.to_string(),
                    r.days.to_string(),
                ]);
            }
            t
        }),
    }
}

fn print_merges(format: args::OutputFormat, rows: &[MergeRow]) -> Result<()> {
    emit(format, rows, || {
        let mut t = Table::new(&["series", "new", "changed", "unchanged", "warnings", "note"]);
        for r in rows {
            let note = match (r.dry_run, r.created) {
                (true, _) => "dry run: nothing written",
                (false, true) => "series created",
                (false, false) => "",
            };
            t.row(vec![
                r.series.clone(),
                r.new.to_string(),
                r.changed.to_string(),
                r.unchanged.to_string(),
                r.warnings.to_string(),
                note.to_owned(),
            ]);
        }
        t
    })
}

fn import(ctx: &Context, a: &ImportArgs, format: args::OutputFormat) -> Result<()> {
    let mut store = ctx.open_store()?;
    let req = ImportRequest {
        file: a.file.clone(),
        series: a.series.clone(),
        format: a.format,
        unit: a.unit,
        column: a.column.clone(),
        on_duplicate: match a.on_duplicate {
            args::OnDuplicate::Error => aurum_ingest::OnDuplicate::Error,
            args::OnDuplicate::KeepLast => aurum_ingest::OnDuplicate::KeepLast,
        },
        on_bad_range: match a.on_bad_range {
            args::OnBadRange::Error => aurum_ingest::OnBadRange::Error,
            args::OnBadRange::CloseOnly => aurum_ingest::OnBadRange::CloseOnly,
        },
        name: a.name.clone(),
        currency: a.currency.clone(),
        source: a.source.clone(),
        recorded_at: a
            .recorded_at
            .as_deref()
            .map(|s| parse_time("recorded_at", s))
            .transpose()?,
        dry_run: a.dry_run,
    };
    let rows = data::import(&mut store, &req, &ctx.progress)?;
    print_merges(format, &rows)
}

fn update(ctx: &Context, a: &UpdateArgs, format: args::OutputFormat) -> Result<()> {
    let mut store = ctx.open_store()?;
    let req = UpdateRequest {
        source: a.source,
        series: a.series.clone(),
        base_url: a.base_url.clone(),
        timeout: Duration::from_secs(a.timeout),
    };
    let rows = data::update(&mut store, &req, &ctx.progress)?;
    print_merges(format, &rows)
}
