//! Backtests: rolling-origin forecasts scored against what happened, saved block by block so
//! that an interrupted run resumes.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use aurum_backtest::{
    BacktestError, Config, Every, Failure, History, ModelKind, Revision, Row, StackWeights,
    Summary, Window as FitWindow, blocks, origins, spacing, summarise,
};
use aurum_core::{Date, SeriesId};
use aurum_store::{BacktestRow, Store};
use serde::Serialize;

use crate::fingerprint::Fnv;
use crate::{AppError, AppResult, Progress, Window, now};

/// What a backtest found.
#[derive(Clone, Debug, Serialize)]
pub struct BacktestReport {
    /// The series.
    pub series: String,
    /// Data cut-off (none: everything stored).
    pub as_of: Option<Date>,
    /// First origin.
    pub from: Option<Date>,
    /// Last origin.
    pub to: Option<Date>,
    /// Settings.
    pub config: Config,
    /// Origins scheduled.
    pub origins: usize,
    /// Mean trading days between origins.
    pub spacing: f64,
    /// Blocks in all, saved before this run, computed now.
    pub blocks: BlockCounts,
    /// Fingerprint of the data and settings (the key results are saved under).
    pub key: String,
    /// Fits that failed (their forecasts are missing).
    pub failures: Vec<Failure>,
    /// The stack at its last origin per horizon: its members' weights and calibration maps
    /// (empty without the stack).
    pub stack: Vec<StackWeights>,
    /// Scores per model and horizon, and comparisons.
    #[serde(flatten)]
    pub summary: Summary,
}

/// How much of a backtest is done.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct BlockCounts {
    /// Blocks in the backtest.
    pub total: usize,
    /// Already saved when this run started.
    pub resumed: usize,
    /// Computed by this run.
    pub computed: usize,
}

/// A backtest to run.
#[derive(Clone, Debug)]
pub struct BacktestJob {
    /// The series.
    pub series: SeriesId,
    /// Origins from, to, and the data cut-off.
    pub window: Window,
    /// The schedule.
    pub every: Every,
    /// Settings.
    pub cfg: Config,
    /// Forget saved results first.
    pub fresh: bool,
    /// Compute at most this many blocks.
    pub max_blocks: Option<usize>,
}

/// Parses a schedule: `week`, `month` or a number of trading days.
///
/// # Errors
///
/// Anything else, naming `every`.
pub fn parse_every(s: &str) -> AppResult<Every> {
    match s {
        "week" => Ok(Every::Week),
        "month" => Ok(Every::Month),
        n => match n.trim_end_matches("-days").parse::<usize>() {
            Ok(d) if d > 0 => Ok(Every::Days(d)),
            _ => Err(AppError::bad(
                "every",
                format!("`every`: expected week, month or a number of trading days, got {s:?}"),
            )),
        },
    }
}

/// Parses a fit window: `expanding` or a number of trading days.
///
/// # Errors
///
/// Anything else, naming `window`.
pub fn parse_fit_window(s: &str) -> AppResult<FitWindow> {
    match s {
        "expanding" => Ok(FitWindow::Expanding),
        n => n
            .trim_end_matches("-days")
            .parse()
            .map(FitWindow::Days)
            .map_err(|_| {
                AppError::bad(
                    "window",
                    format!(
                        "`window`: expected `expanding` or a number of trading days, got {n:?}"
                    ),
                )
            }),
    }
}

/// Parses a refit schedule: `every` or a number of origins.
///
/// # Errors
///
/// Anything else, naming `refit`.
pub fn parse_refit(s: &str) -> AppResult<usize> {
    match s {
        "every" => Ok(1),
        n => n.parse().map_err(|_| {
            AppError::bad(
                "refit",
                format!("`refit`: expected `every` or a number of origins, got {n:?}"),
            )
        }),
    }
}

/// Parses model names.
///
/// # Errors
///
/// An unknown name, naming `models`.
pub fn parse_models(names: &[String]) -> AppResult<Vec<ModelKind>> {
    names
        .iter()
        .map(|m| {
            ModelKind::parse(m.trim()).ok_or_else(|| {
                AppError::bad(
                    "models",
                    format!(
                        "`models`: unknown model {m:?} (expected gbm, garch-t, gjr-t, fhs or har, each optionally with +zero, +hist or +mom, or stack)"
                    ),
                )
            })
        })
        .collect()
}

/// Checks settings; the library names its fields as the request does.
///
/// # Errors
///
/// Invalid settings, naming the field.
pub fn validate(cfg: &Config) -> AppResult<()> {
    cfg.validate().map_err(|e| match e {
        BacktestError::Settings(m) => {
            let field = m.split([' ', ':']).next().unwrap_or_default().to_owned();
            AppError::bad(&field, format!("`{field}`{}", &m[field.len()..]))
        }
        e => AppError::from(e),
    })
}

fn as_of_note(as_of: Option<Date>) -> String {
    as_of.map(|d| format!(" as of {d}")).unwrap_or_default()
}

/// Runs (or resumes) a backtest, saving each block as it finishes, and summarises it.
///
/// # Errors
///
/// No data or no origins in the window, settings the library refuses, the store.
pub fn run(
    store: &mut Store,
    job: &BacktestJob,
    progress: &dyn Progress,
) -> AppResult<BacktestReport> {
    Ok(run_rows(store, job, progress)?.0)
}

/// The lock of one backtest key in this process.
fn key_lock(key: &str) -> std::sync::Arc<Mutex<()>> {
    static LOCKS: std::sync::OnceLock<Mutex<HashMap<String, std::sync::Arc<Mutex<()>>>>> =
        std::sync::OnceLock::new();
    LOCKS
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .entry(key.to_owned())
        .or_default()
        .clone()
}

/// As [`run`], also answering every scored forecast (the stack's included).
///
/// # Errors
///
/// As [`run`].
pub fn run_rows(
    store: &mut Store,
    job: &BacktestJob,
    progress: &dyn Progress,
) -> AppResult<(BacktestReport, Vec<Row>)> {
    let a = job;
    let cfg = job.cfg.clone();
    validate(&cfg)?;
    let every = job.every;
    let history = history(store, &a.series, a.window.as_of)?;
    let dates = history.dates();
    let (Some(first), Some(last)) = (dates.first(), dates.last()) else {
        return Err(AppError::bad(
            "series",
            format!("{} has no data{}", a.series, as_of_note(a.window.as_of)),
        ));
    };
    let from = a.window.from.unwrap_or(*first);
    let to = a.window.to.unwrap_or(*last);
    if from > to {
        return Err(AppError::bad(
            "from",
            format!("`from` {from} is after `to` {to}"),
        ));
    }
    let schedule = origins(dates, from, to, every);
    if schedule.is_empty() {
        return Err(AppError::bad(
            "from",
            format!(
                "no origins between {from} and {to}: {} has data from {first} to {last}",
                a.series
            ),
        ));
    }
    if to > *last {
        progress.note(&format!(
            "{}'s data end on {last}, before the requested end {to}: the last origin is \
             on or before it, and only forecasts whose horizon ends by then are scored",
            a.series
        ));
    }
    let plan = blocks(&schedule, cfg.refit);
    let key = key(&a.series, &history, &cfg, from, to, every);
    // The same backtest asked for twice at once (the dashboard's first runs on a fresh home)
    // is computed once: the second waits, then reads the blocks the first saved.
    let lock = key_lock(&key);
    let _running = lock
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let config_json = serde_json::to_string(&cfg)?;
    let record = store.backtest(&key, &a.series, &config_json, plan.len() as u64, now())?;
    if a.fresh {
        store.clear_backtest(record.id)?;
    }
    let done = store.backtest_blocks_done(record.id)?;
    let mut skip = vec![false; plan.len()];
    for b in &done {
        if let Some(s) = skip.get_mut(*b as usize) {
            *s = true;
        }
    }
    let resumed = skip.iter().filter(|s| **s).count();
    if let Some(max) = a.max_blocks {
        // Leave all but the first `max` pending blocks for a later run.
        let mut left = max;
        for s in &mut skip {
            if !*s {
                if left == 0 {
                    *s = true;
                } else {
                    left -= 1;
                }
            }
        }
    }
    let todo: usize = plan
        .iter()
        .zip(&skip)
        .filter(|(_, s)| !**s)
        .map(|(b, _)| b.len())
        .sum();
    if resumed > 0 {
        progress.note(&format!(
            "resuming: {resumed} of {} blocks were saved by an earlier run",
            plan.len()
        ));
    }
    let started = Instant::now();
    progress.start("backtest", Some(todo as u64));
    let store = Mutex::new(store);
    let failed: Mutex<Option<AppError>> = Mutex::new(None);
    let computed = Mutex::new(0usize);
    // Given up (a client gone, a time limit): no further block starts.
    let stop = || progress.cancelled();
    aurum_backtest::run_until(&history, &cfg, &plan, &skip, &stop, |block| {
        // Blocks that finish after the work was given up are not saved.
        if progress.cancelled() {
            return;
        }
        let saved = save(&store, record.id, &block);
        progress.advance(block.origins as u64);
        match saved {
            Ok(()) => *computed.lock().unwrap_or_else(|e| e.into_inner()) += 1,
            Err(e) => {
                failed
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .get_or_insert(e);
            }
        }
    });
    progress.finish();
    AppError::check(progress)?;
    if let Some(e) = failed.into_inner().unwrap_or_else(|e| e.into_inner()) {
        return Err(
            e.context("saving backtest results (saved blocks are kept; run again to resume)")
        );
    }
    let computed = computed.into_inner().unwrap_or_else(|e| e.into_inner());
    let store = store.into_inner().unwrap_or_else(|e| e.into_inner());
    let (rows, failures) = store.backtest_results(record.id)?;
    let mut rows: Vec<Row> = rows
        .iter()
        .map(|r| serde_json::from_str(r))
        .collect::<Result<_, _>>()
        .map_err(|e| AppError::internal(format!("reading saved backtest rows: {e}")))?;
    // The stack is mixed from its members' saved forecasts, origin by origin, from what was
    // known at each.
    let mut stack = Vec::new();
    if cfg.models.contains(&ModelKind::Stack) {
        let (stacked, trace) = aurum_backtest::stack(&rows);
        rows.extend(stacked);
        let mut last: std::collections::BTreeMap<usize, StackWeights> = Default::default();
        for t in trace {
            last.insert(t.horizon, t);
        }
        stack = last.into_values().collect();
    }
    let mut all_failures = Vec::new();
    for f in &failures {
        all_failures.extend(serde_json::from_str::<Vec<Failure>>(f)?);
    }
    let gap = spacing(&schedule);
    let models = cfg.models.clone();
    let report = BacktestReport {
        series: a.series.to_string(),
        as_of: a.window.as_of,
        from: Some(from),
        to: Some(to),
        config: cfg,
        origins: schedule.len(),
        spacing: gap,
        blocks: BlockCounts {
            total: plan.len(),
            resumed,
            computed,
        },
        key,
        failures: all_failures,
        stack,
        summary: summarise(&rows, &models, gap),
    };
    if computed > 0 {
        progress.note(&format!(
            "computed {computed} blocks ({todo} origins) in {:.1} s",
            started.elapsed().as_secs_f64()
        ));
    }
    let pending = plan.len() - resumed - computed;
    if pending > 0 {
        progress.note(&format!(
            "{pending} blocks are still to compute: run the same command again to continue"
        ));
    }
    Ok((report, rows))
}

/// The series as known at `as_of`, with the revisions made before then.
fn history(store: &Store, id: &SeriesId, as_of: Option<Date>) -> AppResult<History> {
    let bars = store.bars(id, &Window::as_of(as_of).query())?;
    let revisions = store
        .close_revisions(id)?
        .into_iter()
        // Values replaced after `as_of` are what `bars` already shows.
        .filter(|(_, _, through)| as_of.is_none_or(|a| *through < a))
        .map(|(date, close, known_through)| Revision {
            date,
            close,
            known_through,
        })
        .collect();
    Ok(History::new(
        bars.iter().map(|b| b.date).collect(),
        bars.iter().map(|b| b.close).collect(),
        revisions,
    )?)
}

/// Fingerprint of everything the results depend on: the data as known, the settings and the
/// origins.
fn key(id: &SeriesId, h: &History, cfg: &Config, from: Date, to: Date, every: Every) -> String {
    let mut f = Fnv::default();
    f.field(id.as_str().as_bytes());
    // The latest values, and the replaced ones that earlier origins saw.
    let known = h.known_at(h.dates().len().saturating_sub(1));
    f.count(h.dates().len());
    for (d, v) in h.dates().iter().zip(known.iter()) {
        f.field(d.to_string().as_bytes());
        f.number(*v);
    }
    f.field(format!("{:?}", h.revisions()).as_bytes());
    f.field(serde_json::to_string(cfg).unwrap_or_default().as_bytes());
    f.field(format!("{from} {to} {every:?}").as_bytes());
    f.hex()
}

fn save(store: &Mutex<&mut Store>, id: i64, block: &aurum_backtest::BlockResult) -> AppResult<()> {
    let rows = block
        .rows
        .iter()
        .map(|r| {
            Ok(BacktestRow {
                origin: r.origin,
                model: r.model.name().to_owned(),
                horizon: r.horizon as u64,
                row: serde_json::to_string(r)?,
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    let failures = serde_json::to_string(&block.failures)?;
    let mut store = store.lock().unwrap_or_else(|e| e.into_inner());
    store.save_backtest_block(id, block.block as u64, &rows, &failures)?;
    Ok(())
}
