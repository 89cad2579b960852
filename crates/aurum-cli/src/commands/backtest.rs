//! `aurum backtest`: rolling-origin forecasts scored against what happened, saved block by
//! block so that an interrupted run resumes.

use std::path::Path;
use std::sync::Mutex;
use std::time::Instant;

use anyhow::{Context as _, Result, anyhow, bail};
use aurum_backtest::{
    BacktestError, Config, Every, Failure, History, ModelKind, Revision, Row, Score, Summary,
    Window, blocks, origins, spacing, summarise,
};
use aurum_chart::{LineChart, LineSeries, render_line_svg};
use aurum_core::{Date, Lang, SeriesId};
use aurum_store::{BacktestRow, BarQuery, Store};
use serde::Serialize;

use crate::args::{BacktestArgs, OutputFormat};
use crate::commands::chart::write_figure;
use crate::context::{Context, now};
use crate::fingerprint::Fnv;
use crate::output::{Table, print_json};

/// What a backtest found, as printed with `--format json` and written to `scores.json`.
#[derive(Serialize)]
pub struct BacktestReport {
    /// The series.
    pub series: String,
    /// Data cut-off (none: everything stored).
    pub as_of: Option<Date>,
    /// First and last origin.
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
    /// Scores per model and horizon, and comparisons.
    #[serde(flatten)]
    pub summary: Summary,
}

/// How much of a backtest is done.
#[derive(Serialize)]
pub struct BlockCounts {
    /// Blocks in the backtest.
    pub total: usize,
    /// Already saved when this run started.
    pub resumed: usize,
    /// Computed by this run.
    pub computed: usize,
}

pub fn run(ctx: &Context, a: &BacktestArgs, format: OutputFormat) -> Result<()> {
    let cfg = config(a)?;
    let every = parse_every(&a.every)?;
    let (store, _) = ctx.open_and_seed()?;
    let job = Job {
        series: &a.series,
        window: a.window,
        every,
        cfg,
        fresh: a.fresh,
        max_blocks: a.max_blocks,
    };
    let report = compute(ctx, store, &job)?;
    if let Some(dir) = &a.out {
        write_outputs(dir, &report, a.lang)?;
    }
    print(&report, format)
}

/// A backtest to run.
pub(crate) struct Job<'a> {
    /// The series.
    pub series: &'a SeriesId,
    /// Origins from, to, and the data cut-off.
    pub window: crate::args::Window,
    /// The schedule.
    pub every: Every,
    /// Settings.
    pub cfg: Config,
    /// Forget saved results first.
    pub fresh: bool,
    /// Compute at most this many blocks.
    pub max_blocks: Option<usize>,
}

/// Runs (or resumes) a backtest, saving each block as it finishes, and summarises it.
pub(crate) fn compute(ctx: &Context, mut store: Store, job: &Job<'_>) -> Result<BacktestReport> {
    let a = job;
    let cfg = job.cfg.clone();
    let every = job.every;
    let history = history(&store, a.series, a.window.as_of)?;
    let dates = history.dates();
    let (Some(first), Some(last)) = (dates.first(), dates.last()) else {
        bail!("{} has no data{}", a.series, as_of_note(a.window.as_of));
    };
    let from = a.window.from.unwrap_or(*first);
    let to = a.window.to.unwrap_or(*last);
    if from > to {
        bail!("--from {from} is after --to {to}");
    }
    let schedule = origins(dates, from, to, every);
    if schedule.is_empty() {
        bail!(
            "no origins between {from} and {to}: {} has data from {first} to {last}",
            a.series
        );
    }
    let plan = blocks(&schedule, cfg.refit);
    let key = key(a.series, &history, &cfg, from, to, every);
    let config_json = serde_json::to_string(&cfg)?;
    let record = store.backtest(&key, a.series, &config_json, plan.len() as u64, now())?;
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
        ctx.note(&format!(
            "resuming: {resumed} of {} blocks were saved by an earlier run",
            plan.len()
        ));
    }
    let started = Instant::now();
    let bar = ctx.progress(todo as u64, "backtest");
    let store = Mutex::new(store);
    let failed: Mutex<Option<anyhow::Error>> = Mutex::new(None);
    let computed = Mutex::new(0usize);
    aurum_backtest::run(&history, &cfg, &plan, &skip, |block| {
        let saved = save(&store, record.id, &block);
        bar.inc(block.origins as u64);
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
    bar.finish_and_clear();
    if let Some(e) = failed.into_inner().unwrap_or_else(|e| e.into_inner()) {
        return Err(
            e.context("saving backtest results (saved blocks are kept; run again to resume)")
        );
    }
    let computed = computed.into_inner().unwrap_or_else(|e| e.into_inner());
    let store = store.into_inner().unwrap_or_else(|e| e.into_inner());
    let (rows, failures) = store.backtest_results(record.id)?;
    let rows: Vec<Row> = rows
        .iter()
        .map(|r| serde_json::from_str(r))
        .collect::<Result<_, _>>()
        .context("reading saved backtest rows")?;
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
        summary: summarise(&rows, &models, gap),
    };
    if computed > 0 {
        ctx.note(&format!(
            "computed {computed} blocks ({todo} origins) in {:.1} s",
            started.elapsed().as_secs_f64()
        ));
    }
    let pending = plan.len() - resumed - computed;
    if pending > 0 {
        ctx.note(&format!(
            "{pending} blocks are still to compute: run the same command again to continue"
        ));
    }
    Ok(report)
}

fn as_of_note(as_of: Option<Date>) -> String {
    as_of.map(|d| format!(" as of {d}")).unwrap_or_default()
}

fn cfg_models(a: &BacktestArgs) -> Result<Vec<ModelKind>> {
    a.models
        .iter()
        .map(|m| {
            ModelKind::parse(m.trim()).ok_or_else(|| {
                anyhow!("--models: unknown model {m:?} (expected gbm, garch-t, gjr-t or fhs)")
            })
        })
        .collect()
}

fn config(a: &BacktestArgs) -> Result<Config> {
    let models = cfg_models(a)?;
    let window = match a.fit_window.as_str() {
        "expanding" => Window::Expanding,
        n => Window::Days(n.trim_end_matches("-days").parse().map_err(|_| {
            anyhow!("--window: expected `expanding` or a number of trading days, got {n:?}")
        })?),
    };
    let refit = match a.refit.as_str() {
        "every" => 1,
        n => n
            .parse()
            .map_err(|_| anyhow!("--refit: expected `every` or a number of origins, got {n:?}"))?,
    };
    let mut horizons = a.horizons.clone();
    horizons.sort_unstable();
    horizons.dedup();
    let cfg = Config {
        models,
        horizons,
        window,
        refit,
        paths: a.paths,
        seed: a.seed,
        relative_levels: a.relative.clone(),
        absolute_levels: a.levels.clone(),
        vol_window: 252,
        min_returns: 500,
    };
    cfg.validate().map_err(|e| match e {
        // The library names its fields as the flags.
        BacktestError::Settings(m) => anyhow!("--{m}"),
        e => anyhow!(e),
    })?;
    Ok(cfg)
}

fn parse_every(s: &str) -> Result<Every> {
    match s {
        "week" => Ok(Every::Week),
        "month" => Ok(Every::Month),
        n => match n.trim_end_matches("-days").parse::<usize>() {
            Ok(d) if d > 0 => Ok(Every::Days(d)),
            _ => bail!("--every: expected week, month or a number of trading days, got {s:?}"),
        },
    }
}

/// The series as known at `as_of`, with the revisions made before then.
fn history(store: &Store, id: &SeriesId, as_of: Option<Date>) -> Result<History> {
    let bars = store.bars(
        id,
        &BarQuery {
            as_of,
            ..BarQuery::default()
        },
    )?;
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
    f.eat(id.as_str().as_bytes());
    // The latest values, and the replaced ones that earlier origins saw.
    let known = h.known_at(h.dates().len().saturating_sub(1));
    for (d, v) in h.dates().iter().zip(known.iter()) {
        f.eat(d.to_string().as_bytes());
        f.eat(&v.to_le_bytes());
    }
    f.eat(format!("{:?}", h.revisions()).as_bytes());
    f.eat(serde_json::to_string(cfg).unwrap_or_default().as_bytes());
    f.eat(format!("{from} {to} {every:?}").as_bytes());
    f.hex()
}

fn save(store: &Mutex<Store>, id: i64, block: &aurum_backtest::BlockResult) -> Result<()> {
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
        .collect::<Result<Vec<_>>>()?;
    let failures = serde_json::to_string(&block.failures)?;
    let mut store = store.lock().unwrap_or_else(|e| e.into_inner());
    store.save_backtest_block(id, block.block as u64, &rows, &failures)?;
    Ok(())
}

/// One line of `--format csv`.
#[derive(Serialize)]
struct CsvRow {
    horizon: usize,
    model: ModelKind,
    n: u64,
    crps: f64,
    crps_skill: Option<f64>,
    log_score: f64,
    mae: f64,
    brier: f64,
    brier_skill: Option<f64>,
    brier_reliability: f64,
    brier_resolution: f64,
    brier_uncertainty: f64,
    pit_chi2_p: f64,
    pit_ks_p: f64,
    coverage_50: f64,
    coverage_80: f64,
    coverage_90: f64,
    coverage_98: f64,
    calibrated: bool,
}

fn csv_row(s: &Score) -> CsvRow {
    let cov = |i: usize| s.coverage.get(i).map_or(f64::NAN, |c| c.rate);
    CsvRow {
        horizon: s.horizon,
        model: s.model,
        n: s.n,
        crps: s.crps,
        crps_skill: s.skill.as_ref().map(|k| k.crps),
        log_score: s.log_score,
        mae: s.mae,
        brier: s.brier.bs,
        brier_skill: s.skill.as_ref().map(|k| k.brier),
        brier_reliability: s.brier.reliability,
        brier_resolution: s.brier.resolution,
        brier_uncertainty: s.brier.uncertainty,
        pit_chi2_p: s.pit.chi2_p,
        pit_ks_p: s.pit.ks_p,
        coverage_50: cov(0),
        coverage_80: cov(1),
        coverage_90: cov(2),
        coverage_98: cov(3),
        calibrated: s.calibrated,
    }
}

fn print(report: &BacktestReport, format: OutputFormat) -> Result<()> {
    use std::io::Write;
    match format {
        OutputFormat::Json => print_json(report),
        OutputFormat::Csv => {
            let rows: Vec<CsvRow> = report.summary.scores.iter().map(csv_row).collect();
            crate::output::emit(format, &rows, || Table::new(&[]))
        }
        OutputFormat::Table => {
            let mut out = std::io::stdout().lock();
            writeln!(
                out,
                "{}: {} origins from {} to {}{} · {} paths · seed {}",
                report.series,
                report.origins,
                report.from.map(|d| d.to_string()).unwrap_or_default(),
                report.to.map(|d| d.to_string()).unwrap_or_default(),
                as_of_note(report.as_of),
                report.config.paths,
                report.config.seed
            )?;
            let mut t = Table::new(&[
                "h",
                "model",
                "n",
                "CRPS %",
                "skill",
                "log score",
                "PIT p",
                "cover 50/80/90/98",
                "Brier",
                "BSS",
                "calibrated",
            ]);
            for s in &report.summary.scores {
                let cov: Vec<String> = s
                    .coverage
                    .iter()
                    .map(|c| format!("{:.0}", c.rate * 100.0))
                    .collect();
                t.row(vec![
                    s.horizon.to_string(),
                    s.model.to_string(),
                    s.n.to_string(),
                    format!("{:.3}", s.crps),
                    s.skill
                        .as_ref()
                        .map_or("—".into(), |k| format!("{:+.1}%", k.crps * 100.0)),
                    format!("{:.3}", s.log_score),
                    format!("{:.3}", s.pit.chi2_p),
                    cov.join("/"),
                    format!("{:.4}", s.brier.bs),
                    s.skill
                        .as_ref()
                        .map_or("—".into(), |k| format!("{:+.1}%", k.brier * 100.0)),
                    if s.calibrated {
                        "yes".into()
                    } else {
                        "no".into()
                    },
                ]);
            }
            t.write(&mut out)?;
            if !report.summary.comparisons.is_empty() {
                writeln!(
                    out,
                    "\nDiebold–Mariano on CRPS (negative favours the first model):"
                )?;
                let mut t = Table::new(&["h", "models", "mean diff", "stat", "p", "lags"]);
                for c in &report.summary.comparisons {
                    t.row(vec![
                        c.horizon.to_string(),
                        format!("{} − {}", c.a, c.b),
                        format!("{:+.4}", c.dm.mean),
                        format!("{:+.2}", c.dm.stat),
                        format!("{:.3}", c.dm.p),
                        c.dm.lags.to_string(),
                    ]);
                }
                t.write(&mut out)?;
            }
            let flagged: Vec<&Score> = report
                .summary
                .scores
                .iter()
                .filter(|s| !s.calibrated)
                .collect();
            if !flagged.is_empty() {
                writeln!(out, "\nFlags (tests at 1%):")?;
                for s in flagged {
                    writeln!(out, "  h={} {}: {}", s.horizon, s.model, s.flags.join("; "))?;
                }
            }
            if !report.failures.is_empty() {
                writeln!(
                    out,
                    "\n{} fits failed; their forecasts are missing.",
                    report.failures.len()
                )?;
            }
            out.flush()?;
            Ok(())
        }
    }
}

/// Writes `scores.json`, and per horizon a reliability diagram and a PIT histogram (PNG).
fn write_outputs(dir: &Path, report: &BacktestReport, lang: Lang) -> Result<()> {
    fs_err::create_dir_all(dir)?;
    fs_err::write(
        dir.join("scores.json"),
        serde_json::to_string_pretty(report)? + "\n",
    )?;
    let mut horizons: Vec<usize> = report.summary.scores.iter().map(|s| s.horizon).collect();
    horizons.dedup();
    let ja = lang == Lang::Ja;
    for h in horizons {
        let scores: Vec<&Score> = report
            .summary
            .scores
            .iter()
            .filter(|s| s.horizon == h)
            .collect();
        let source = if ja {
            format!("出所: {}; aurum バックテスト", report.series)
        } else {
            format!("Source: {}; aurum backtest", report.series)
        };
        let (title, x, y) = if ja {
            (
                format!("確率予測の信頼性（{h}営業日先）"),
                "予測確率".to_owned(),
                "実現頻度".to_owned(),
            )
        } else {
            (
                format!("Reliability of threshold probabilities, {h} trading days ahead"),
                "Forecast probability".to_owned(),
                "Observed frequency".to_owned(),
            )
        };
        let mut chart = LineChart::new(title, x, y, source.clone());
        chart.x_ticks_integer = false;
        chart.zero_line = false;
        chart.subtitle = Some(if ja {
            "対角線上なら確率どおりに実現（閾値イベントをプール）".to_owned()
        } else {
            "On the diagonal, events happen as often as forecast (all threshold events pooled)"
                .to_owned()
        });
        for s in &scores {
            let pts: Vec<(f64, f64)> = s
                .brier
                .bins
                .iter()
                .map(|b| (b.mean_forecast, b.observed))
                .collect();
            if !pts.is_empty() {
                chart.series.push(LineSeries::new(
                    format!("{} (Brier {:.4})", s.model, s.brier.bs),
                    pts,
                ));
            }
        }
        // Last, so that each model keeps its colour across the charts.
        chart.series.push(LineSeries::new(
            if ja {
                "完全な信頼性"
            } else {
                "perfect reliability"
            },
            vec![(0.0, 0.0), (1.0, 1.0)],
        ));
        write_figure(
            &dir.join(format!("reliability-h{h}.png")),
            render_line_svg(&chart)?,
            true,
        )?;
        let (title, x, y) = if ja {
            (
                format!("PIT ヒストグラム（{h}営業日先）"),
                "PIT（予測分布での実現値の分位）".to_owned(),
                "相対頻度（1 = 一様）".to_owned(),
            )
        } else {
            (
                format!("PIT histogram, {h} trading days ahead"),
                "PIT (quantile of the outcome in the forecast)".to_owned(),
                "Relative frequency (1 = uniform)".to_owned(),
            )
        };
        let mut chart = LineChart::new(title, x, y, source);
        chart.x_ticks_integer = false;
        chart.zero_line = false;
        chart.subtitle = Some(if ja {
            "平坦なら較正良好。U字は分布が狭すぎ、山形は広すぎ".to_owned()
        } else {
            "Flat is calibrated; a U shape means too narrow, a hump too wide".to_owned()
        });
        for s in &scores {
            let k = s.pit.counts.len() as f64;
            let n = s.independent_n as f64;
            let pts: Vec<(f64, f64)> = s
                .pit
                .counts
                .iter()
                .enumerate()
                .map(|(i, c)| ((i as f64 + 0.5) / k, *c as f64 * k / n))
                .collect();
            chart.series.push(LineSeries::new(
                format!("{} (χ² p = {:.3})", s.model, s.pit.chi2_p),
                pts,
            ));
        }
        write_figure(
            &dir.join(format!("pit-h{h}.png")),
            render_line_svg(&chart)?,
            true,
        )?;
    }
    Ok(())
}
