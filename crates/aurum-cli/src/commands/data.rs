//! `aurum data list|show|import|update`.

use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use aurum_core::{Bar, Date, Frequency, PeriodBar, SeriesId, SeriesMeta, Unit, resample};
use aurum_ingest::update::Source;
use aurum_ingest::{ParseOptions, Parsed, Warning, parse, unit_factor};
use aurum_store::{BarQuery, ImportBatch, MergeReport, Store};
use serde::Serialize;

use crate::args::{self, Cli, DataCommand, ImportArgs, ShowArgs, UpdateArgs};
use crate::commands::resolve;
use crate::context::{Context, now};
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

/// Bars of a series for a window, as of a date, at a frequency.
pub fn load_bars(
    store: &Store,
    id: &SeriesId,
    window: &args::Window,
) -> Result<(SeriesMeta, Vec<Bar>)> {
    if let (Some(f), Some(t)) = (window.from, window.to)
        && f > t
    {
        bail!("--from {f} is after --to {t}");
    }
    let meta = store
        .series(id)?
        .ok_or_else(|| aurum_store::StoreError::UnknownSeries(id.to_string()))?;
    let q = BarQuery {
        from: window.from,
        to: window.to,
        as_of: window.as_of,
    };
    Ok((meta, store.bars(id, &q)?))
}

/// Dated closes of a series, with its unit.
pub struct Closes {
    /// The series.
    pub id: SeriesId,
    /// Its unit.
    pub unit: Unit,
    /// `(date, close)` pairs.
    pub values: Vec<(Date, f64)>,
}

/// The closes of a series over a window, as of a date.
///
/// # Errors
///
/// As [`load_bars`].
pub fn closes(store: &Store, id: &SeriesId, window: &args::Window) -> Result<Closes> {
    let (meta, bars) = load_bars(store, id, window)?;
    Ok(Closes {
        id: id.clone(),
        unit: meta.unit,
        values: bars.into_iter().map(|b| (b.date, b.close)).collect(),
    })
}

#[derive(Serialize)]
struct DailyRow {
    date: Date,
    open: Option<f64>,
    high: Option<f64>,
    low: Option<f64>,
    close: f64,
    volume: Option<f64>,
}

#[derive(Serialize)]
struct PeriodRow {
    date: Date,
    open: f64,
    high: f64,
    low: f64,
    close: f64,
    volume: Option<f64>,
    first_date: Date,
    last_date: Date,
    days: u32,
}

impl From<&PeriodBar> for PeriodRow {
    fn from(p: &PeriodBar) -> Self {
        Self {
            date: p.period_end,
            open: p.open,
            high: p.high,
            low: p.low,
            close: p.close,
            volume: p.volume,
            first_date: p.first_date,
            last_date: p.last_date,
            days: p.days,
        }
    }
}

fn show(ctx: &Context, a: &ShowArgs, format: args::OutputFormat) -> Result<()> {
    let store = ctx.open_store()?;
    let (_, bars) = load_bars(&store, &a.series, &a.window)?;
    if a.freq == Frequency::Daily {
        let rows: Vec<DailyRow> = bars
            .iter()
            .map(|b| DailyRow {
                date: b.date,
                open: b.open,
                high: b.high,
                low: b.low,
                close: b.close,
                volume: b.volume,
            })
            .collect();
        return emit(format, &rows, || {
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
        });
    }
    let rows: Vec<PeriodRow> = resample(&bars, a.freq)
        .iter()
        .map(PeriodRow::from)
        .collect();
    emit(format, &rows, || {
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
    })
}

/// A merge report row, with the last date now held.
#[derive(Serialize)]
struct ReportRow {
    series: String,
    created: bool,
    new: u64,
    changed: u64,
    unchanged: u64,
    warnings: usize,
    dry_run: bool,
}

fn report_rows(reports: &[MergeReport], warnings: &[usize], dry_run: bool) -> Vec<ReportRow> {
    reports
        .iter()
        .zip(warnings)
        .map(|(r, w)| ReportRow {
            series: r.series.to_string(),
            created: r.created,
            new: r.new,
            changed: r.changed,
            unchanged: r.unchanged,
            warnings: *w,
            dry_run,
        })
        .collect()
}

fn print_reports(format: args::OutputFormat, rows: &[ReportRow]) -> Result<()> {
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

/// Prints warnings to stderr, at most 20 of them.
fn warn(ctx: &Context, origin: &str, warnings: &[Warning]) {
    const SHOWN: usize = 20;
    for w in warnings.iter().take(SHOWN) {
        ctx.note(&format!("warning: {origin}: {w}"));
    }
    if warnings.len() > SHOWN {
        ctx.note(&format!(
            "warning: {origin}: {} more warnings",
            warnings.len() - SHOWN
        ));
    }
}

/// Parses `--recorded-at`: a date (midnight UTC) or an RFC 3339 time, as unix seconds.
///
/// # Errors
///
/// Anything else.
pub fn parse_time(s: &str) -> Result<i64> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(t.timestamp());
    }
    let d: Date = s
        .parse()
        .with_context(|| format!("--recorded-at {s:?}: expected YYYY-MM-DD or an RFC 3339 time"))?;
    Ok(d.and_time(chrono::NaiveTime::MIN).and_utc().timestamp())
}

fn import(ctx: &Context, a: &ImportArgs, format: args::OutputFormat) -> Result<()> {
    let mut store = ctx.open_store()?;
    let file = a.file.display().to_string();
    let bytes = fs_err::read(&a.file)?;
    let existing = store.series(&a.series)?;
    let input_unit = a
        .unit
        .or(existing.as_ref().map(|m| m.unit))
        .unwrap_or(Unit::TroyOunce);
    let meta = existing.clone().unwrap_or_else(|| {
        let unit = if input_unit == Unit::Gram {
            Unit::TroyOunce
        } else {
            input_unit
        };
        SeriesMeta {
            id: a.series.clone(),
            name: a.name.clone().unwrap_or_else(|| a.series.to_string()),
            unit,
            currency: a
                .currency
                .clone()
                .or_else(|| matches!(unit, Unit::TroyOunce | Unit::Gram).then(|| "USD".to_owned())),
            source: a.source.clone().unwrap_or_else(|| file.clone()),
        }
    });
    if existing.is_some() && (a.name.is_some() || a.currency.is_some() || a.source.is_some()) {
        ctx.note(&format!(
            "note: series {} exists; --name, --currency and --source apply only to new series",
            meta.id
        ));
    }
    let factor = unit_factor(input_unit, meta.unit).with_context(|| {
        format!(
            "cannot convert prices in {input_unit} into series {} measured in {}",
            meta.id, meta.unit
        )
    })?;
    let opts = ParseOptions {
        format: a.format,
        column: a.column.clone(),
        factor,
        positive: meta.unit != Unit::Percent,
        on_duplicate: match a.on_duplicate {
            args::OnDuplicate::Error => aurum_ingest::OnDuplicate::Error,
            args::OnDuplicate::KeepLast => aurum_ingest::OnDuplicate::KeepLast,
        },
        on_bad_range: match a.on_bad_range {
            args::OnBadRange::Error => aurum_ingest::OnBadRange::Error,
            args::OnBadRange::CloseOnly => aurum_ingest::OnBadRange::CloseOnly,
        },
        ..ParseOptions::default()
    };
    let parsed: Parsed = parse(&file, &bytes, &opts)?;
    warn(ctx, &file, &parsed.warnings);
    let at = a
        .recorded_at
        .as_deref()
        .map(parse_time)
        .transpose()?
        .unwrap_or_else(now);
    let batch = ImportBatch {
        meta,
        bars: parsed.bars,
        origin: file.clone(),
    };
    let reports = if a.dry_run {
        store.dry_run(&[batch])?
    } else {
        store.import(&[batch], at)?
    };
    ctx.note(&format!(
        "read {file} as {} (value column {:?})",
        parsed.format, parsed.value_column
    ));
    print_reports(
        format,
        &report_rows(&reports, &[parsed.warnings.len()], a.dry_run),
    )
}

fn update(ctx: &Context, a: &UpdateArgs, format: args::OutputFormat) -> Result<()> {
    let mut store = ctx.open_store()?;
    let source: Source = a.source;
    let base = a.base_url.as_deref().unwrap_or(source.default_base_url());
    let targets: Vec<_> = source
        .targets()
        .into_iter()
        .filter(|t| a.series.as_ref().is_none_or(|s| s.as_str() == t.series))
        .collect();
    if targets.is_empty() {
        let ids: Vec<&str> = source.targets().iter().map(|t| t.series).collect();
        bail!(
            "source {source} does not update series {}; it updates {}",
            a.series
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            ids.join(", ")
        );
    }
    // Fetch and validate everything first, then merge in one transaction: a failure part-way
    // leaves the store as it was.
    let mut batches = Vec::with_capacity(targets.len());
    let mut warning_counts = Vec::with_capacity(targets.len());
    for t in &targets {
        let url = t.url(base);
        let spinner = ctx.spinner(&format!("fetching {url}"));
        let bytes = aurum_ingest::update::fetch(&url, Duration::from_secs(a.timeout));
        spinner.finish_and_clear();
        let bytes = bytes.context("nothing was changed")?;
        let id = SeriesId::new(t.series)?;
        let meta = store
            .series(&id)?
            .ok_or_else(|| aurum_store::StoreError::UnknownSeries(id.to_string()))?;
        let opts = ParseOptions {
            format: t.format,
            column: t.column.map(str::to_owned),
            positive: meta.unit != Unit::Percent,
            ..ParseOptions::default()
        };
        let parsed = parse(&url, &bytes, &opts).context("nothing was changed")?;
        warn(ctx, &url, &parsed.warnings);
        warning_counts.push(parsed.warnings.len());
        batches.push(ImportBatch {
            meta,
            bars: parsed.bars,
            origin: url,
        });
    }
    let reports = store.import(&batches, now())?;
    print_reports(format, &report_rows(&reports, &warning_counts, false))
}
