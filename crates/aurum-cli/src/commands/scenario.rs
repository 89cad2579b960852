//! `aurum scenario check|run`.

use std::collections::HashMap;

use anyhow::{Context as _, Result, bail};
use aurum_core::SeriesId;
use aurum_events::{Category, EventFilter};
use aurum_eventstudy::{Calendar, Design, EventSpec, Model, OverlapPolicy};
use aurum_sim::{
    Base, Baseline, Results, RunOptions, ScenarioFile, Setup, Shock, simulate,
    simulate_with_progress, trading_days,
};
use aurum_vol::{ArchModel, Dist, FitOptions, Mean, Simulator, Vol};
use rayon::prelude::*;
use serde_json::{Value, json};

use crate::args::{Cli, EventOrigin, OutputFormat, ScenarioCommand, ScenarioRunArgs, Window};
use crate::commands::data::closes;
use crate::commands::events::all_events;
use crate::commands::resolve;
use crate::context::Context;
use crate::output::{Table, print_json};

pub fn run(ctx: &Context, cli: &Cli, cmd: &ScenarioCommand) -> Result<()> {
    match cmd {
        ScenarioCommand::Check(a) => check(&a.file),
        ScenarioCommand::Run(a) => run_file(ctx, a, resolve(a.format, cli)),
    }
}

pub(crate) fn load(path: &std::path::Path) -> Result<ScenarioFile> {
    let text = fs_err::read_to_string(path)?;
    Ok(aurum_sim::parse(&path.display().to_string(), &text)?)
}

fn check(path: &std::path::Path) -> Result<()> {
    let f = load(path)?;
    let mut t = Table::new(&[
        "scenario",
        "probability",
        "window",
        "requires",
        "excludes",
        "shock",
    ]);
    for s in &f.scenarios {
        t.row(vec![
            s.id.clone(),
            format!("{}", s.probability),
            s.window
                .map(|(a, b)| format!("{a} to {b}"))
                .unwrap_or_else(|| "horizon".into()),
            s.requires.join(", "),
            s.excludes.join(", "),
            match &s.shock {
                Shock::None => "none".into(),
                Shock::Fixed { pct } => format!("{pct:+}%"),
                Shock::Normal { mean_pct, sd_pct } => format!("N({mean_pct:+}%, {sd_pct}%)"),
                Shock::Analogs { category } => format!("analogs: {category}"),
            },
        ]);
    }
    let mut out = std::io::stdout().lock();
    use std::io::Write;
    writeln!(
        out,
        "{}: {} ({} to {}, {} scenarios) is valid",
        path.display(),
        f.title,
        f.as_of,
        f.horizon,
        f.scenarios.len()
    )?;
    t.write(&mut out)?;
    Ok(())
}

/// What the event study measured for one analog category.
pub(crate) struct AnalogStats {
    /// Events measured.
    pub n: usize,
    /// Year of the first.
    pub first_year: i32,
    /// CAAR over the window, as a log return.
    pub caar: f64,
    /// Cross-sectional t.
    pub t: f64,
    /// Share of events with a positive CAR.
    pub positive_share: f64,
    /// The event window.
    pub window: (i32, i32),
}

/// The event window analogs are measured over, in trading days around day 0.
const ANALOG_WINDOW: (i32, i32) = (-1, 5);

/// Cumulative abnormal returns of each analog category, measured as of `as_of`, with the
/// study's summary.
pub(crate) fn analogs(
    store: &aurum_store::Store,
    f: &ScenarioFile,
    series: &[(aurum_core::Date, f64)],
) -> Result<HashMap<String, (Vec<f64>, AnalogStats)>> {
    let mut out = HashMap::new();
    let events = all_events(store, EventOrigin::All)?;
    let cal = Calendar::new(series, &[])?;
    for s in &f.scenarios {
        let Shock::Analogs { category } = &s.shock else {
            continue;
        };
        if out.contains_key(category) {
            continue;
        }
        let cat: Category = category
            .parse()
            .map_err(|e: String| anyhow::anyhow!("scenario {:?}: shock analogs: {e}", s.id))?;
        let filter = EventFilter {
            categories: vec![cat],
            as_of: Some(f.as_of),
            ..EventFilter::default()
        };
        let specs: Vec<EventSpec> = events
            .iter()
            .filter(|l| filter.matches(&l.event))
            .map(|l| EventSpec {
                id: l.event.id.clone(),
                date: l.event.date,
            })
            .collect();
        let study = aurum_eventstudy::study(
            &cal,
            Model::Mean,
            &Design::new(ANALOG_WINDOW, (-250, -11))?,
            &specs,
            OverlapPolicy::Flag,
        )?;
        let cars: Vec<f64> = study.events.iter().map(|e| e.car).collect();
        let Some(agg) = &study.aggregate else {
            bail!(
                "scenario {:?}: no {category} event measurable as of {}",
                s.id,
                f.as_of
            );
        };
        let stats = AnalogStats {
            n: agg.n,
            first_year: study
                .events
                .iter()
                .map(|e| chrono::Datelike::year(&e.day0))
                .min()
                .unwrap_or(0),
            caar: agg.caar,
            t: agg.t_cs,
            positive_share: cars.iter().filter(|c| **c > 0.0).count() as f64
                / cars.len().max(1) as f64,
            window: ANALOG_WINDOW,
        };
        out.insert(category.clone(), (cars, stats));
    }
    Ok(out)
}

fn run_file(ctx: &Context, a: &ScenarioRunArgs, format: OutputFormat) -> Result<()> {
    if a.paths == 0 || a.paths > 5_000_000 {
        bail!("--paths {}: expected 1 to 5,000,000", a.paths);
    }
    let mut f = load(&a.file)?;
    if let Some(d) = a.as_of {
        f.set_as_of(d).map_err(|e| anyhow::anyhow!("--as-of {e}"))?;
    }
    let mut store = ctx.open_store()?;
    let prepared = prepare(ctx, &store, &f)?;
    let (results, contributions) =
        run_all(ctx, &prepared.setup, a.paths, a.seed, !a.no_contributions)?;
    let contributions: Vec<Value> = contributions
        .iter()
        .map(|without| contribution(&results, without))
        .collect();
    if let Some(path) = &a.fan {
        super::chart::fan_plot(&f, &results, prepared.s0, a.lang, path)?;
        ctx.note(&format!("wrote {}", path.display()));
    }
    let input = fs_err::read_to_string(&a.file)?;
    let (doc, id) = record(
        &mut store,
        &f,
        &input,
        &prepared,
        &results,
        &contributions,
        (a.paths, a.seed),
    )?;
    ctx.note(&format!("recorded as run {id} (`aurum runs show {id}`)"));
    match format {
        OutputFormat::Json => print_json(&doc),
        _ => print_summary(
            &f,
            &results,
            &contributions,
            prepared.s0,
            prepared.last_date,
        ),
    }
}

/// A scenario file made ready to simulate: prices as of its date, the fitted baseline and the
/// analogs.
pub(crate) struct Prepared {
    /// Closes up to as_of.
    pub series: Vec<(aurum_core::Date, f64)>,
    /// Date of the last close.
    pub last_date: aurum_core::Date,
    /// The last close.
    pub s0: f64,
    /// What the engine needs.
    pub setup: Setup,
    /// The baseline as JSON (model, fit, parameters).
    pub baseline_json: Value,
    /// Annualised volatility now and in the long run, percent.
    pub vol_now_pct: f64,
    /// Long-run volatility, percent (none when integrated).
    pub vol_long_run_pct: Option<f64>,
    /// First date of the fit.
    pub fit_from: Option<aurum_core::Date>,
    /// Event-study summaries of the analog categories.
    pub analog_stats: HashMap<String, AnalogStats>,
}

pub(crate) fn prepare(
    ctx: &Context,
    store: &aurum_store::Store,
    f: &ScenarioFile,
) -> Result<Prepared> {
    let id = SeriesId::new(f.series.clone())?;
    let window = Window {
        from: None,
        to: None,
        as_of: Some(f.as_of),
    };
    let series = closes(store, &id, &window)?.values;
    let &(last_date, s0) = series
        .last()
        .with_context(|| format!("{id} has no price on or before {}", f.as_of))?;
    let mut fit_from = None;
    let (base, baseline_json, vol_now_pct, vol_long_run_pct) = match &f.baseline {
        Baseline::Gbm { drift_pct, vol_pct } => {
            let sigma = vol_pct / 100.0 / 252f64.sqrt();
            (
                Base::Gbm {
                    mu: drift_pct / 100.0 / 252.0,
                    sigma,
                },
                json!({ "model": "gbm", "drift_pct": drift_pct, "vol_pct": vol_pct }),
                *vol_pct,
                Some(*vol_pct),
            )
        }
        Baseline::GarchT { fit_years } => {
            let start = f
                .as_of
                .checked_sub_months(chrono::Months::new(12 * fit_years))
                .unwrap_or(f.as_of);
            fit_from = Some(start);
            let recent: Vec<(aurum_core::Date, f64)> = series
                .iter()
                .copied()
                .filter(|(d, _)| *d >= start)
                .collect();
            let returns: Vec<f64> = recent
                .windows(2)
                .map(|w| 100.0 * (w[1].1.ln() - w[0].1.ln()))
                .collect();
            let model = ArchModel::new(
                Mean::Constant,
                Vol::Garch { p: 1, o: 0, q: 1 },
                Dist::StudentsT,
            );
            let spinner = ctx.spinner("fitting GARCH(1,1)-t");
            let fit = model.fit(&returns, &FitOptions::default());
            spinner.finish_and_clear();
            let fit = fit?;
            let params = crate::output::by_name(&fit.names, &fit.params);
            let json = json!({ "model": "garch-t", "fit_from": start, "params": params, "loglik": fit.loglik, "nobs": fit.nobs, "diagnostics": fit.diagnostics });
            let sim = Simulator::new(&model, &fit, &returns)?;
            let now = sim.next_variance(&sim.initial_state());
            let persistence = fit.params[2] + fit.params[3];
            let long_run = (persistence < 1.0 - 1e-6)
                .then(|| (252.0 * fit.params[1] / (1.0 - persistence)).sqrt());
            (
                Base::Model {
                    sim: Box::new(sim),
                    scale: 100.0,
                },
                json,
                (252.0 * now).sqrt(),
                long_run,
            )
        }
    };
    let analogs = analogs(store, f, &series)?;
    let mut cars = HashMap::new();
    let mut analog_stats = HashMap::new();
    for (k, (c, st)) in analogs {
        cars.insert(k.clone(), c);
        analog_stats.insert(k, st);
    }
    let setup = Setup {
        s0,
        days: trading_days(f.as_of, f.horizon),
        base,
        scenarios: f.scenarios.clone(),
        analogs: cars,
        targets: f.targets.iter().map(|t| t.level(s0)).collect(),
    };
    Ok(Prepared {
        series,
        last_date,
        s0,
        setup,
        baseline_json,
        vol_now_pct,
        vol_long_run_pct,
        fit_from,
        analog_stats,
    })
}

/// Simulates the tree, and with `contributions` once more per scenario with it switched off
/// (the same paths otherwise), under one progress bar.
pub(crate) fn run_all(
    ctx: &Context,
    setup: &Setup,
    paths: usize,
    seed: u64,
    contributions: bool,
) -> Result<(Results, Vec<Results>)> {
    let runs = 1 + if contributions {
        setup.scenarios.len()
    } else {
        0
    };
    let bar = ctx.progress(
        (paths * runs) as u64,
        &format!("simulating {paths} paths × {} days", setup.days.len()),
    );
    let tick = |n: u64| bar.inc(n);
    let results = simulate_with_progress(
        setup,
        &RunOptions {
            paths,
            seed,
            disabled: None,
        },
        &tick,
    )?;
    let mut without = Vec::new();
    if contributions {
        for i in 0..setup.scenarios.len() {
            let options = RunOptions {
                paths,
                seed,
                disabled: Some(i),
            };
            without.push(simulate_with_progress(setup, &options, &tick)?);
        }
    }
    bar.finish_and_clear();
    Ok((results, without))
}

/// The results document of a run (with each scenario's contribution when given), recorded
/// in the store with the file's text; returns the document and the run's id.
pub(crate) fn record(
    store: &mut aurum_store::Store,
    f: &ScenarioFile,
    input: &str,
    p: &Prepared,
    results: &Results,
    contributions: &[Value],
    (paths, seed): (usize, u64),
) -> Result<(Value, i64)> {
    let fingerprint = fingerprint(&p.series, &p.setup.analogs);
    let doc = json!({
        "title": f.title,
        "series": f.series,
        "as_of": f.as_of,
        "start": { "date": p.last_date, "price": p.s0 },
        "horizon": f.horizon,
        "trading_days": p.setup.days.len(),
        "paths": paths,
        "seed": seed,
        "baseline": p.baseline_json,
        "targets": results.targets,
        "scenarios": results.scenarios.iter().enumerate().map(|(i, s)| {
            let mut v = serde_json::to_value(s).unwrap_or(Value::Null);
            if let (Some(c), Value::Object(m)) = (contributions.get(i), &mut v) {
                m.insert("contribution".into(), c.clone());
            }
            v
        }).collect::<Vec<_>>(),
        "combinations": results.combinations,
        "var_5_pct": results.var_5,
        "es_5_pct": results.es_5,
        "fan": results.fan,
        "data_fingerprint": fingerprint,
    });
    let id = store.record_run(
        &aurum_store::NewRun {
            kind: "scenario".into(),
            title: f.title.clone(),
            input: input.to_owned(),
            seed,
            paths: paths as u64,
            data_fingerprint: fingerprint,
            results: doc.to_string(),
        },
        crate::context::now(),
    )?;
    Ok((doc, id))
}

/// Probabilities with a scenario minus without it, per target.
fn contribution(with: &Results, without: &Results) -> Value {
    let d = |f: fn(&aurum_sim::TargetResult) -> f64| -> Vec<f64> {
        with.targets
            .iter()
            .zip(&without.targets)
            .map(|(a, b)| f(a) - f(b))
            .collect()
    };
    json!({
        "p_touch": d(|t| t.p_touch),
        "p_close_above": d(|t| t.p_close_above),
        "p_touch_without": without.targets.iter().map(|t| t.p_touch).collect::<Vec<_>>(),
    })
}

fn print_summary(
    f: &ScenarioFile,
    r: &Results,
    contributions: &[Value],
    s0: f64,
    last: aurum_core::Date,
) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", f.title)?;
    writeln!(
        out,
        "{} from {s0:.2} on {last} to {} ({} paths, seed {})",
        f.series, f.horizon, r.paths, r.seed
    )?;
    writeln!(out)?;
    let mut t = Table::new(&[
        "target",
        "P(close ≥) ± se",
        "P(touch, daily) ± se",
        "P(touch, continuous)",
        "median first passage",
    ]);
    for x in &r.targets {
        t.row(vec![
            format!("{:.2}", x.target),
            format!("{:.3} ± {:.3}", x.p_close_above, x.p_close_above_se),
            format!("{:.3} ± {:.3}", x.p_touch, x.p_touch_se),
            format!(
                "{:.3} ± {:.3}",
                x.p_touch_continuous, x.p_touch_continuous_se
            ),
            x.first_passage
                .as_ref()
                .map(|p| p.median.to_string())
                .unwrap_or_else(|| "—".into()),
        ]);
    }
    t.write(&mut out)?;
    if !r.scenarios.is_empty() {
        writeln!(out)?;
        let mut t = Table::new(&[
            "scenario",
            "happened",
            "P(touch 1st target | happened)",
            "adds to P(touch)",
        ]);
        for (i, s) in r.scenarios.iter().enumerate() {
            let adds = contributions
                .get(i)
                .and_then(|c| c["p_touch"][0].as_f64())
                .map(|v| format!("{v:+.3}"))
                .unwrap_or_default();
            t.row(vec![
                s.id.clone(),
                format!("{:.3}", s.p_happened),
                s.p_touch_given
                    .first()
                    .map(|v| format!("{v:.3}"))
                    .unwrap_or_default(),
                adds,
            ]);
        }
        t.write(&mut out)?;
    }
    let end = r.fan.last().expect("at least one day");
    writeln!(out)?;
    writeln!(
        out,
        "price on {}: 5% {:.0}, 25% {:.0}, median {:.0}, 75% {:.0}, 95% {:.0}",
        end.date, end.q05, end.q25, end.q50, end.q75, end.q95
    )?;
    writeln!(
        out,
        "horizon return: 5% VaR {:.1}%, expected shortfall {:.1}%",
        r.var_5, r.es_5
    )?;
    Ok(())
}

/// FNV-1a over the prices and analog returns a run used: two runs with the same fingerprint,
/// file and seed give the same numbers.
pub(crate) fn fingerprint(
    series: &[(aurum_core::Date, f64)],
    analogs: &HashMap<String, Vec<f64>>,
) -> String {
    let mut h = crate::fingerprint::Fnv::default();
    for (d, v) in series {
        h.eat(d.to_string().as_bytes());
        h.eat(&v.to_le_bytes());
    }
    let mut keys: Vec<&String> = analogs.keys().collect();
    keys.sort();
    for k in keys {
        h.eat(k.as_bytes());
        for v in &analogs[k] {
            h.eat(&v.to_le_bytes());
        }
    }
    h.hex()
}

/// `aurum runs list|show`.
pub fn runs(ctx: &Context, cli: &Cli, cmd: &crate::args::RunsCommand) -> Result<()> {
    let store = ctx.open_store()?;
    match cmd {
        crate::args::RunsCommand::List(a) => {
            let rows = store.runs()?;
            crate::output::emit(resolve(a.format, cli), &rows, || {
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
        crate::args::RunsCommand::Show(a) => {
            let r = store
                .run(a.id)?
                .ok_or_else(|| anyhow::anyhow!("no run {}; `aurum runs list` shows them", a.id))?;
            let results: Value =
                serde_json::from_str(&r.results).unwrap_or(Value::String(r.results.clone()));
            print_json(&json!({
                "id": r.id,
                "created_at": r.created_at,
                "kind": r.kind,
                "title": r.title,
                "seed": r.seed,
                "paths": r.paths,
                "data_fingerprint": r.data_fingerprint,
                "input": r.input,
                "results": results,
            }))
        }
    }
}

/// `aurum bench scenario`.
pub fn bench(
    ctx: &Context,
    a: &crate::args::BenchScenarioArgs,
    format: OutputFormat,
) -> Result<()> {
    use std::time::Instant;
    let store = ctx.open_store()?;
    let as_of = aurum_core::date(2025, 2, 18);
    let window = Window {
        from: Some(aurum_core::date(2015, 2, 18)),
        to: None,
        as_of: Some(as_of),
    };
    let series = closes(&store, &SeriesId::new("gold-usd-lbma-pm")?, &window)?.values;
    let returns: Vec<f64> = series
        .windows(2)
        .map(|w| 100.0 * (w[1].1.ln() - w[0].1.ln()))
        .collect();
    let model = ArchModel::new(
        Mean::Constant,
        Vol::Garch { p: 1, o: 0, q: 1 },
        Dist::StudentsT,
    );
    let fit = model.fit(&returns, &FitOptions::default())?;
    let sim = Simulator::new(&model, &fit, &returns)?;
    let s0 = series.last().map_or(1.0, |x| x.1);
    #[derive(serde::Serialize)]
    struct Row {
        paths: usize,
        days: usize,
        seconds: f64,
        steps_per_s: f64,
        draws_per_s: f64,
        share_of_raw: f64,
        peer_steps_per_s: Option<f64>,
        speedup_vs_peer: Option<f64>,
        peak_rss_mb: Option<f64>,
        threads: usize,
    }
    let mut rows = Vec::new();
    for &days in &a.days {
        for &paths in &a.paths {
            let all_days = trading_days(as_of, aurum_core::date(2027, 12, 31));
            if days == 0 || days > all_days.len() || paths == 0 {
                bail!("bench sizes: days 1 to {} and paths ≥ 1", all_days.len());
            }
            let setup = Setup {
                s0,
                days: all_days[..days].to_vec(),
                base: Base::Model {
                    sim: Box::new(sim.clone()),
                    scale: 100.0,
                },
                scenarios: Vec::new(),
                analogs: HashMap::new(),
                targets: vec![3000.0, 3200.0],
            };
            let t = Instant::now();
            simulate(
                &setup,
                &RunOptions {
                    paths,
                    seed: 1,
                    disabled: None,
                },
            )?;
            let seconds = t.elapsed().as_secs_f64();
            let steps = (paths * days) as f64;
            // The practical limit: drawing the same number of Student-t innovations, on the
            // same threads, and nothing else.
            let t = Instant::now();
            let chunk = 2048;
            let sum: f64 = (0..paths.div_ceil(chunk))
                .into_par_iter()
                .map(|b| {
                    let mut rng = aurum_vol::path_rng(1, b as u64);
                    let n = chunk.min(paths - b * chunk) * days;
                    (0..n)
                        .map(|_| sim.draw(&mut rng, &aurum_vol::Innovations::Parametric))
                        .sum::<f64>()
                })
                .sum();
            let draw_s = t.elapsed().as_secs_f64();
            std::hint::black_box(sum);
            let peer = if a.no_peer {
                None
            } else {
                super::vol::run_python(
                    ctx,
                    &a.peer_script,
                    &["--bench".into(), paths.to_string(), days.to_string()],
                    "the numpy peer",
                )
                .and_then(|v| v["steps_per_s"].as_f64())
            };
            let sps = steps / seconds;
            rows.push(Row {
                paths,
                days,
                seconds,
                steps_per_s: sps,
                draws_per_s: steps / draw_s,
                share_of_raw: sps / (steps / draw_s),
                peer_steps_per_s: peer,
                speedup_vs_peer: peer.map(|p| sps / p),
                peak_rss_mb: peak_rss_mb(),
                threads: rayon::current_num_threads(),
            });
        }
    }
    crate::output::emit(format, &rows, || {
        let mut t = Table::new(&[
            "paths",
            "days",
            "seconds",
            "steps/s",
            "raw t draws/s",
            "share of raw",
            "numpy steps/s",
            "× numpy",
            "peak RSS MB",
        ]);
        for r in &rows {
            t.row(vec![
                r.paths.to_string(),
                r.days.to_string(),
                format!("{:.3}", r.seconds),
                format!("{:.3e}", r.steps_per_s),
                format!("{:.3e}", r.draws_per_s),
                format!("{:.0}%", 100.0 * r.share_of_raw),
                r.peer_steps_per_s
                    .map(|p| format!("{p:.3e}"))
                    .unwrap_or_else(|| "n/a".into()),
                r.speedup_vs_peer
                    .map(|x| format!("{x:.1}"))
                    .unwrap_or_else(|| "n/a".into()),
                r.peak_rss_mb
                    .map(|m| format!("{m:.0}"))
                    .unwrap_or_else(|| "n/a".into()),
            ]);
        }
        t
    })
}

/// The process's peak resident memory, from /proc (Linux), in MB.
fn peak_rss_mb() -> Option<f64> {
    let status = fs_err::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}
