//! Price series: reading bars as of a date, importing files, updating from live sources.

use std::path::PathBuf;
use std::time::Duration;

use aurum_core::{Bar, Date, Frequency, PeriodBar, SeriesId, SeriesMeta, Unit, resample};
use aurum_ingest::update::Source;
use aurum_ingest::{Format, OnBadRange, OnDuplicate, ParseOptions, Warning, parse, unit_factor};
use aurum_store::{ImportBatch, MergeReport, Store};
use serde::Serialize;

use crate::{AppError, AppResult, Progress, Window, now};

/// Bars of a series for a window, as of a date.
///
/// # Errors
///
/// A window whose `from` is after its `to`; an unknown series ([`AppError::NotFound`]).
pub fn load_bars(
    store: &Store,
    id: &SeriesId,
    window: &Window,
) -> AppResult<(SeriesMeta, Vec<Bar>)> {
    let window = window.checked()?;
    let meta = store
        .series(id)?
        .ok_or_else(|| AppError::from(aurum_store::StoreError::UnknownSeries(id.to_string())))?;
    Ok((meta, store.bars(id, &window.query())?))
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
pub fn closes(store: &Store, id: &SeriesId, window: &Window) -> AppResult<Closes> {
    let (meta, bars) = load_bars(store, id, window)?;
    Ok(Closes {
        id: id.clone(),
        unit: meta.unit,
        values: bars.into_iter().map(|b| (b.date, b.close)).collect(),
    })
}

/// A request for a series' bars.
#[derive(Clone, Debug)]
pub struct BarsRequest {
    /// The series.
    pub series: SeriesId,
    /// Daily bars, or resampled to weeks (ending Friday) or months.
    pub freq: Frequency,
    /// Dates and as-of date.
    pub window: Window,
}

/// One weekly or monthly bar.
#[derive(Clone, Debug, Serialize)]
pub struct PeriodRow {
    /// The period's end (a Friday, or the month's last day).
    pub date: Date,
    /// First open (or close) of the period.
    pub open: f64,
    /// Highest high.
    pub high: f64,
    /// Lowest low.
    pub low: f64,
    /// Last close.
    pub close: f64,
    /// Summed volume.
    pub volume: Option<f64>,
    /// First trading day in the period.
    pub first_date: Date,
    /// Last trading day in the period.
    pub last_date: Date,
    /// Trading days in the period.
    pub days: u32,
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

/// A series' bars, daily or by period.
#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub enum Bars {
    /// Daily bars.
    Daily(Vec<Bar>),
    /// Weekly or monthly bars.
    Periods(Vec<PeriodRow>),
}

/// The bars a request asks for.
///
/// # Errors
///
/// As [`load_bars`].
pub fn bars(store: &Store, req: &BarsRequest) -> AppResult<Bars> {
    let (_, bars) = load_bars(store, &req.series, &req.window)?;
    if req.freq == Frequency::Daily {
        return Ok(Bars::Daily(bars));
    }
    Ok(Bars::Periods(
        resample(&bars, req.freq)
            .iter()
            .map(PeriodRow::from)
            .collect(),
    ))
}

/// A file to import into a series.
#[derive(Clone, Debug)]
pub struct ImportRequest {
    /// The file.
    pub file: PathBuf,
    /// The series (created if new).
    pub series: SeriesId,
    /// The file's layout, or [`Format::Auto`].
    pub format: Format,
    /// Unit of the file's values (default: the series' unit).
    pub unit: Option<Unit>,
    /// The column holding the value.
    pub column: Option<String>,
    /// Repeated dates.
    pub on_duplicate: OnDuplicate,
    /// Rows whose high/low contradict open/close.
    pub on_bad_range: OnBadRange,
    /// Name of a new series.
    pub name: Option<String>,
    /// Currency of a new series.
    pub currency: Option<String>,
    /// Source of a new series.
    pub source: Option<String>,
    /// When the import is recorded as made (unix seconds; default now).
    pub recorded_at: Option<i64>,
    /// Validate and count, write nothing.
    pub dry_run: bool,
}

/// What an import or update did to one series.
#[derive(Clone, Debug, Serialize)]
pub struct MergeRow {
    /// The series.
    pub series: String,
    /// Whether the series was created.
    pub created: bool,
    /// Dates new to the store.
    pub new: u64,
    /// Dates whose values changed (the old ones are kept as revisions).
    pub changed: u64,
    /// Dates already held with the same values.
    pub unchanged: u64,
    /// Warnings raised by the file.
    pub warnings: usize,
    /// Nothing was written.
    pub dry_run: bool,
}

fn merge_rows(reports: &[MergeReport], warnings: &[usize], dry_run: bool) -> Vec<MergeRow> {
    reports
        .iter()
        .zip(warnings)
        .map(|(r, w)| MergeRow {
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

/// Tells at most 20 warnings of one file.
fn warn(progress: &dyn Progress, origin: &str, warnings: &[Warning]) {
    const SHOWN: usize = 20;
    for w in warnings.iter().take(SHOWN) {
        progress.note(&format!("warning: {origin}: {w}"));
    }
    if warnings.len() > SHOWN {
        progress.note(&format!(
            "warning: {origin}: {} more warnings",
            warnings.len() - SHOWN
        ));
    }
}

/// Imports a file in one transaction: on any error nothing is written.
///
/// # Errors
///
/// An unreadable or invalid file (naming its line and column), a unit that cannot be
/// converted into the series', the store.
pub fn import(
    store: &mut Store,
    req: &ImportRequest,
    progress: &dyn Progress,
) -> AppResult<Vec<MergeRow>> {
    let file = req.file.display().to_string();
    let bytes = crate::input::read_bounded("file", &req.file, crate::input::MAX_DATA_BYTES)?;
    let existing = store.series(&req.series)?;
    let input_unit = req
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
            id: req.series.clone(),
            name: req.name.clone().unwrap_or_else(|| req.series.to_string()),
            unit,
            currency: req
                .currency
                .clone()
                .or_else(|| matches!(unit, Unit::TroyOunce | Unit::Gram).then(|| "USD".to_owned())),
            source: req.source.clone().unwrap_or_else(|| file.clone()),
        }
    });
    if existing.is_some() && (req.name.is_some() || req.currency.is_some() || req.source.is_some())
    {
        progress.note(&format!(
            "note: series {} exists; a name, currency and source apply only to new series",
            meta.id
        ));
    }
    let factor = unit_factor(input_unit, meta.unit).ok_or_else(|| {
        AppError::bad(
            "unit",
            format!(
                "cannot convert prices in {input_unit} into series {} measured in {}",
                meta.id, meta.unit
            ),
        )
    })?;
    let opts = ParseOptions {
        format: req.format,
        column: req.column.clone(),
        factor,
        positive: meta.unit != Unit::Percent,
        on_duplicate: req.on_duplicate,
        on_bad_range: req.on_bad_range,
        ..ParseOptions::default()
    };
    let parsed = parse(&file, &bytes, &opts)?;
    warn(progress, &file, &parsed.warnings);
    let batch = ImportBatch {
        meta,
        bars: parsed.bars,
        origin: file.clone(),
    };
    let reports = if req.dry_run {
        store.dry_run(&[batch])?
    } else {
        store.import(&[batch], req.recorded_at.unwrap_or_else(now))?
    };
    progress.note(&format!(
        "read {file} as {} (value column {:?})",
        parsed.format, parsed.value_column
    ));
    Ok(merge_rows(&reports, &[parsed.warnings.len()], req.dry_run))
}

/// A live source to fetch.
#[derive(Clone, Debug)]
pub struct UpdateRequest {
    /// The source.
    pub source: Source,
    /// Only this series (default: every series of the source).
    pub series: Option<SeriesId>,
    /// Address of the source (default: its public address).
    pub base_url: Option<String>,
    /// Time to wait for each file.
    pub timeout: Duration,
}

/// Fetches and validates every file of a source first, then merges them in one transaction:
/// a failure part-way leaves the store as it was. The GPR authors' workbooks are read as
/// `aurum gpr import` reads them (see [`crate::gpr::import`]); revised values are kept as
/// revisions.
///
/// # Errors
///
/// A series the source does not update, a failed fetch, an invalid file, the store.
pub fn update(
    store: &mut Store,
    req: &UpdateRequest,
    progress: &dyn Progress,
) -> AppResult<Vec<MergeRow>> {
    let source = req.source;
    if !source.workbooks().is_empty() {
        return update_workbooks(store, req, progress);
    }
    let base = req.base_url.as_deref().unwrap_or(source.default_base_url());
    let targets: Vec<_> = source
        .targets()
        .into_iter()
        .filter(|t| req.series.as_ref().is_none_or(|s| s.as_str() == t.series))
        .collect();
    if targets.is_empty() {
        let ids: Vec<&str> = source.targets().iter().map(|t| t.series).collect();
        return Err(AppError::bad(
            "series",
            format!(
                "source {source} does not update series {}; it updates {}",
                req.series
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                ids.join(", ")
            ),
        ));
    }
    let mut batches = Vec::with_capacity(targets.len());
    let mut warning_counts = Vec::with_capacity(targets.len());
    for t in &targets {
        let url = t.url(base);
        progress.start(&format!("fetching {url}"), None);
        let bytes = aurum_ingest::update::fetch(&url, req.timeout);
        progress.finish();
        let unchanged =
            |e: aurum_ingest::IngestError| AppError::from(e).context("nothing was changed");
        let bytes = bytes.map_err(unchanged)?;
        let id = SeriesId::new(t.series)?;
        let meta = store.series(&id)?.ok_or_else(|| {
            AppError::from(aurum_store::StoreError::UnknownSeries(id.to_string()))
        })?;
        let opts = ParseOptions {
            format: t.format,
            column: t.column.map(str::to_owned),
            positive: meta.unit != Unit::Percent,
            ..ParseOptions::default()
        };
        let parsed = parse(&url, &bytes, &opts).map_err(unchanged)?;
        warn(progress, &url, &parsed.warnings);
        warning_counts.push(parsed.warnings.len());
        batches.push(ImportBatch {
            meta,
            bars: parsed.bars,
            origin: url,
        });
    }
    let reports = store.import(&batches, now())?;
    Ok(merge_rows(&reports, &warning_counts, false))
}

/// [`update`] from the GPR authors' workbooks: each feeds every series it has a column for,
/// or only `req.series`.
fn update_workbooks(
    store: &mut Store,
    req: &UpdateRequest,
    progress: &dyn Progress,
) -> AppResult<Vec<MergeRow>> {
    let source = req.source;
    let base = req.base_url.as_deref().unwrap_or(source.default_base_url());
    let workbooks: Vec<_> = source
        .workbooks()
        .iter()
        .filter(|w| req.series.as_ref().is_none_or(|s| w.may_feed(s.as_str())))
        .collect();
    if workbooks.is_empty() {
        return Err(AppError::bad(
            "series",
            format!(
                "source {source} does not update series {}; it updates the GPR index series \
                 (gpr, gpr-threats, gpr-acts, gpr-hist…, gpr-country-xxx from the monthly \
                 workbook; gpr-daily, gpr-daily-acts, gpr-daily-threats from the daily one)",
                req.series
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
            ),
        ));
    }
    let unchanged = |e: AppError| e.context("nothing was changed");
    let mut batches = Vec::new();
    for w in workbooks {
        let url = w.url(base);
        progress.start(&format!("fetching {url}"), None);
        let bytes = aurum_ingest::update::fetch(&url, req.timeout);
        progress.finish();
        let bytes = bytes.map_err(|e| unchanged(e.into()))?;
        let table = w.table(&url, &bytes).map_err(|e| unchanged(e.into()))?;
        let mut found = crate::gpr::batches(store, &url, &table).map_err(unchanged)?;
        if let Some(id) = &req.series {
            found.retain(|b| b.meta.id == *id);
            if found.is_empty() {
                return Err(unchanged(AppError::bad(
                    "series",
                    format!("{url}: {} has no column for series {id}", w.description),
                )));
            }
        }
        batches.extend(found);
    }
    let reports = store.import(&batches, now())?;
    let rows = merge_rows(&reports, &vec![0; reports.len()], false);
    crate::gpr::note_revisions(progress, rows.iter().map(|r| r.changed).sum());
    Ok(rows)
}
