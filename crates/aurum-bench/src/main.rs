//! `aurum-bench`: benchmarks of aurum's heavy computations against their peers, measured in
//! the same run (a development tool; the shipped `aurum` has none of this).
//!
//! - `aurum-bench vol`: GARCH(1,1)-t and GJR-GARCH(1,1)-t fits on the full LBMA series, and
//!   Python's `arch` on the same data when it is installed; the ratio.
//! - `aurum-bench scenario`: simulated steps per second of scenario runs against the raw
//!   speed of drawing their Student-t innovations and a numpy peer.
//! - `aurum-bench serve`: requests per second of the server's read endpoints under load on
//!   loopback, with latency percentiles.
//! - `aurum-bench seed`: creating and seeding a fresh store, as a new home does, against the
//!   plain seeding kept as its reference.
//!
//! Speed is reported as ratios against a peer timed in the same run, never as absolute
//! goals.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Result, bail};
use aurum_app::vol::{VolKind, VolSpec};
use aurum_app::{Home, Progress, Window};
use aurum_cli::args::OutputFormat;
use aurum_cli::context::Bars;
use aurum_cli::output::{Table, emit};
use aurum_core::SeriesId;
use aurum_serve::{AppState, Limits, StoreBackend};
use aurum_sim::{Base, RunOptions, Sampler, Setup, simulate_with, trading_days};
use aurum_vol::{ArchModel, Dist, FitOptions, LANES, LaneRng, Mean, Simulator, Vol};
use clap::{Args, Parser, Subcommand};
use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;

/// Benchmarks of aurum's heavy computations against their peers.
#[derive(Debug, Parser)]
#[command(name = "aurum-bench", version, about, long_about = None)]
struct Cli {
    /// Directory of the store (aurum.db). Default: $AURUM_HOME, else the platform data directory.
    #[arg(long, global = true, value_name = "DIR")]
    home: Option<PathBuf>,
    /// Print results only: no progress, no notes.
    #[arg(long, short, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: BenchCommand,
}

/// What the benchmarks share.
struct Ctx {
    home: Home,
    progress: Bars,
}

impl Ctx {
    fn note(&self, text: &str) {
        self.progress.note(text);
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(std::io::stderr().lock(), "error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: &Cli) -> Result<()> {
    let ctx = Ctx {
        home: Home::resolve(cli.home.as_deref())?,
        progress: Bars::new(cli.quiet),
    };
    match &cli.command {
        BenchCommand::Vol(a) => bench_vol(&ctx, a, a.format.unwrap_or_default()),
        BenchCommand::Scenario(a) => bench_scenario(&ctx, a, a.format.unwrap_or_default()),
        BenchCommand::Serve(a) => bench_serve(&ctx, a, a.format.unwrap_or_default()),
        BenchCommand::Sampler(a) => bench_sampler(&ctx, a, a.format.unwrap_or_default()),
        BenchCommand::Example(a) => bench_example(&ctx, a, a.format.unwrap_or_default()),
        BenchCommand::Seed(a) => bench_seed(&ctx, a, a.format.unwrap_or_default()),
    }
}

/// `aurum-bench …`.
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Time GARCH(1,1)-t and GJR-GARCH(1,1)-t fits on the full LBMA series; with Python's
    /// arch available, time arch on the same data in the same run and report the ratio.
    Vol(BenchVolArgs),
    /// Simulated steps per second (paths × days) of GARCH(1,1)-t scenario runs, against the
    /// raw speed of drawing the Student-t innovations alone and, if Python is there, the numpy
    /// peer in the same run; over a grid of paths and horizons, each the median of `--runs`.
    Scenario(BenchScenarioArgs),
    /// The fast Student-t sampler against the exact t CDF: Kolmogorov–Smirnov and
    /// Anderson–Darling at 1e8 draws, tail shares P(|T| > q) at q = 4, 6, 8 and moments, with
    /// its raw draw speed against the exact (Gamma-based) sampler's.
    Sampler(BenchSamplerArgs),
    /// A scenario file's probabilities with the fast sampler against the exact one (the
    /// same scenario draws, different innovations): each difference over its standard error.
    Example(BenchExampleArgs),
    /// Requests per second of `aurum serve`'s read endpoints under concurrent load on
    /// loopback (client and server share this machine), with latency percentiles and errors.
    Serve(BenchServeArgs),
    /// Create and seed fresh stores in temporary directories, as `aurum init` does in a new
    /// home, against the plain seeding (one parse per series, one insert per row) in the
    /// same run; min and median over the runs.
    Seed(BenchSeedArgs),
}

/// `aurum-bench seed`.
#[derive(Debug, Args)]
pub struct BenchSeedArgs {
    /// Timed repetitions of each way (alternated).
    #[arg(long, default_value_t = 7)]
    pub runs: usize,
    /// Do not time the plain seeding.
    #[arg(long)]
    pub no_naive: bool,
    /// How results are printed.
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,
}

/// `aurum-bench example`.
#[derive(Debug, Args)]
pub struct BenchExampleArgs {
    /// The scenario file.
    #[arg(default_value = "examples/us-nato-exit-2025-02-18.toml")]
    pub file: PathBuf,
    /// Paths of each run.
    #[arg(long, default_value_t = 200_000)]
    pub paths: usize,
    /// Seed.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// How results are printed.
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,
}

/// `aurum-bench sampler`.
#[derive(Debug, Args)]
pub struct BenchSamplerArgs {
    /// Draws (they are kept and sorted: 8 bytes each).
    #[arg(long, default_value_t = 100_000_000)]
    pub draws: usize,
    /// Degrees of freedom of the t tabulated (ν = 4 uses the closed-form CDF; others the
    /// incomplete beta function, far slower).
    #[arg(long, default_value_t = 4.0)]
    pub nu: f64,
    /// Seed of the streams.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// How results are printed.
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,
}

/// `aurum-bench serve`.
#[derive(Debug, Args)]
pub struct BenchServeArgs {
    /// Requests per endpoint.
    #[arg(long, default_value_t = 5000)]
    pub requests: usize,
    /// Client threads, each with its own keep-alive connection.
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
    /// How results are printed.
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,
}

/// `aurum-bench scenario`.
#[derive(Debug, Args)]
pub struct BenchScenarioArgs {
    /// Path counts to time (comma-separated).
    #[arg(long, value_delimiter = ',', default_value = "10000,100000")]
    pub paths: Vec<usize>,
    /// Horizons in trading days to time (comma-separated).
    #[arg(long, value_delimiter = ',', default_value = "21,93")]
    pub days: Vec<usize>,
    /// The numpy peer; skipped if it or python3 is missing.
    #[arg(long, default_value = "scripts/reference/scenario_peer.py")]
    pub peer_script: PathBuf,
    /// Do not run the numpy peer.
    #[arg(long)]
    pub no_peer: bool,
    /// Time the exact sampler (ChaCha8 streams, Gamma-based Student-t draws, one path at a
    /// time) instead of the fast one.
    #[arg(long)]
    pub exact_sampler: bool,
    /// Do not rerun each size on one and two threads to check that the results are identical.
    #[arg(long)]
    pub no_thread_check: bool,
    /// Timed repetitions of each size (the median is reported), for the engine, the raw
    /// draws and the numpy peer alike.
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
    /// How results are printed.
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,
}

/// `aurum-bench vol`.
#[derive(Debug, Args)]
pub struct BenchVolArgs {
    /// Timed repetitions (the median is reported), for aurum and for arch.
    #[arg(long, default_value_t = 7)]
    pub runs: usize,
    /// The arch script: times arch's fits and prints the optimum they reach; skipped if it or
    /// python3 is missing.
    #[arg(long, default_value = "scripts/reference/bench_arch_vol.py")]
    pub arch_script: PathBuf,
    /// Do not run the arch comparison.
    #[arg(long)]
    pub no_arch: bool,
    /// Fit with the naive twin (BFGS on unconstrained coordinates) instead of Newton.
    #[arg(long)]
    pub bfgs: bool,
    /// How results are printed.
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,
}

/// α + γ/2 + β of GARCH(1,1) or GJR-GARCH(1,1,1) parameters (μ, ω, α, [γ,] β, ν).
fn persistence(params: &[f64], gjr: bool) -> f64 {
    if gjr {
        params[2] + params[3] / 2.0 + params[4]
    } else {
        params[2] + params[3]
    }
}

fn bench_vol(ctx: &Ctx, a: &BenchVolArgs, format: OutputFormat) -> Result<()> {
    let store = ctx.home.open(&ctx.progress)?;
    let spec = |kind: VolKind| {
        VolSpec::new(
            SeriesId::new("gold-usd-lbma-pm").expect("a valid id"),
            kind,
            Dist::StudentsT,
        )
    };
    let runs = a.runs.max(1);
    let opts = FitOptions {
        optimizer: if a.bfgs {
            aurum_vol::Optimizer::Bfgs
        } else {
            aurum_vol::Optimizer::Newton
        },
        ..FitOptions::default()
    };
    struct Ours {
        name: &'static str,
        gjr: bool,
        model: ArchModel,
        returns: Vec<f64>,
        median: f64,
        min: f64,
        loglik: f64,
        iterations: usize,
        evaluations: usize,
    }
    let mut ours = Vec::new();
    for (name, kind) in [("garch_t", VolKind::Garch), ("gjr_t", VolKind::Gjr)] {
        let va = spec(kind);
        let r = aurum_app::vol::returns(&store, &va)?;
        let m = va.model();
        let mut times = Vec::with_capacity(runs);
        let mut fit = m.fit(&r.values, &opts)?; // warm-up
        for _ in 0..runs {
            let t = Instant::now();
            fit = m.fit(&r.values, &opts)?;
            times.push(t.elapsed().as_secs_f64());
        }
        ours.push(Ours {
            name,
            gjr: kind == VolKind::Gjr,
            model: m,
            returns: r.values,
            median: median(&mut times),
            min: times[0],
            loglik: fit.loglik,
            iterations: fit.termination.iterations,
            evaluations: fit.termination.evaluations,
        });
    }
    let arch = if a.no_arch {
        None
    } else {
        run_python(
            ctx,
            &a.arch_script,
            &["--repeats".to_owned(), runs.to_string()],
            "arch",
        )
    };
    #[derive(Serialize)]
    struct Row {
        model: &'static str,
        nobs: usize,
        aurum_median_s: f64,
        aurum_min_s: f64,
        aurum_loglik: f64,
        aurum_iterations: usize,
        aurum_evaluations: usize,
        arch_median_s: Option<f64>,
        arch_loglik: Option<f64>,
        /// arch's estimate moved onto the feasible set (β less the excess persistence where
        /// SLSQP stopped outside α + γ/2 + β ≤ 1), evaluated by aurum's likelihood.
        arch_loglik_feasible: Option<f64>,
        arch_iterations: Option<i64>,
        speedup: Option<f64>,
        /// aurum's log-likelihood less arch's feasible one (≥ 0: aurum's optimum is as good).
        loglik_diff: Option<f64>,
    }
    let mut rows = Vec::new();
    for o in ours {
        let theirs = arch.as_ref().map(|v| &v[o.name]);
        let arch_med = theirs.and_then(|v| v["median_s"].as_f64());
        let arch_params: Option<Vec<f64>> = theirs.and_then(|v| {
            v["params"]
                .as_array()
                .map(|p| p.iter().filter_map(Value::as_f64).collect())
        });
        let feasible = match arch_params {
            Some(mut p) if p.len() == o.model.num_params() => {
                let excess = persistence(&p, o.gjr) - 1.0;
                if excess > 0.0 {
                    let ib = if o.gjr { 4 } else { 3 };
                    p[ib] -= excess;
                }
                Some(o.model.fix(&o.returns, &p)?.loglik)
            }
            _ => None,
        };
        rows.push(Row {
            model: o.name,
            nobs: o.returns.len(),
            aurum_median_s: o.median,
            aurum_min_s: o.min,
            aurum_loglik: o.loglik,
            aurum_iterations: o.iterations,
            aurum_evaluations: o.evaluations,
            arch_median_s: arch_med,
            arch_loglik: theirs.and_then(|v| v["loglik"].as_f64()),
            arch_loglik_feasible: feasible,
            arch_iterations: theirs.and_then(|v| v["iterations"].as_i64()),
            speedup: arch_med.map(|x| x / o.median),
            loglik_diff: feasible.map(|f| o.loglik - f),
        });
    }
    emit(format, &rows, || {
        let mut t = Table::new(&[
            "model",
            "returns",
            "aurum (median)",
            "arch (median)",
            "arch / aurum",
            "loglik aurum",
            "− arch (feasible)",
            "iterations aurum / arch",
        ]);
        for r in &rows {
            t.row(vec![
                r.model.to_owned(),
                r.nobs.to_string(),
                format!("{:.2} ms", 1e3 * r.aurum_median_s),
                r.arch_median_s
                    .map(|x| format!("{:.1} ms", 1e3 * x))
                    .unwrap_or_else(|| "n/a".into()),
                r.speedup
                    .map(|x| format!("{x:.1}×"))
                    .unwrap_or_else(|| "n/a".into()),
                format!("{:.6}", r.aurum_loglik),
                r.loglik_diff
                    .map(|x| format!("{x:+.2e}"))
                    .unwrap_or_else(|| "n/a".into()),
                format!(
                    "{} / {}",
                    r.aurum_iterations,
                    r.arch_iterations
                        .map_or_else(|| "n/a".into(), |x| x.to_string())
                ),
            ]);
        }
        t
    })
}

fn bench_seed(ctx: &Ctx, a: &BenchSeedArgs, format: OutputFormat) -> Result<()> {
    let root = std::env::temp_dir().join(format!("aurum-bench-seed-{}", std::process::id()));
    let result = time_seeds(ctx, a, &root);
    let _ = fs_err::remove_dir_all(&root);
    let (fast, naive, rows) = result?;
    #[derive(Serialize)]
    struct Row {
        way: &'static str,
        runs: usize,
        observations: u64,
        min_s: f64,
        median_s: f64,
        naive_over_this: Option<f64>,
    }
    let stats = |t: &[f64]| (t[0], t[t.len() / 2]);
    let (fast_min, fast_med) = stats(&fast);
    let mut out = vec![Row {
        way: "seed_bundled",
        runs: fast.len(),
        observations: rows,
        min_s: fast_min,
        median_s: fast_med,
        naive_over_this: None,
    }];
    if !naive.is_empty() {
        let (min, med) = stats(&naive);
        out[0].naive_over_this = Some(med / fast_med);
        out.push(Row {
            way: "seed_bundled_naive",
            runs: naive.len(),
            observations: rows,
            min_s: min,
            median_s: med,
            naive_over_this: Some(1.0),
        });
    }
    emit(format, &out, || {
        let mut t = Table::new(&[
            "way",
            "runs",
            "observations",
            "min",
            "median",
            "naive / this",
        ]);
        for r in &out {
            t.row(vec![
                r.way.to_owned(),
                r.runs.to_string(),
                r.observations.to_string(),
                format!("{:.1} ms", 1e3 * r.min_s),
                format!("{:.1} ms", 1e3 * r.median_s),
                r.naive_over_this
                    .map(|x| format!("{x:.2}×"))
                    .unwrap_or_else(|| "n/a".into()),
            ]);
        }
        t
    })
}

/// Seconds to create, seed and close a fresh store, each way, sorted; and the observations
/// seeded (the same both ways, or an error).
fn time_seeds(
    ctx: &Ctx,
    a: &BenchSeedArgs,
    root: &std::path::Path,
) -> Result<(Vec<f64>, Vec<f64>, u64)> {
    let runs = a.runs.max(1);
    let (mut fast, mut naive) = (Vec::with_capacity(runs), Vec::with_capacity(runs));
    let mut rows = None;
    let mut check = |seeded: u64, way: &str| -> Result<()> {
        match rows {
            Some(r) if r != seeded => bail!("{way} seeded {seeded} observations, not {r}"),
            _ => rows = Some(seeded),
        }
        Ok(())
    };
    ctx.progress
        .start("seeding fresh stores", Some(runs as u64));
    for run in 0..runs {
        // As a new home: the directory made, the store created, migrated and seeded, closed.
        let dir = root.join(format!("fast-{run}"));
        let t = Instant::now();
        let (store, report) = Home::new(&dir).open_and_seed(&aurum_app::Silent)?;
        drop(store);
        fast.push(t.elapsed().as_secs_f64());
        check(report.rows, "seed_bundled")?;
        if !a.no_naive {
            let dir = root.join(format!("naive-{run}"));
            let t = Instant::now();
            fs_err::create_dir_all(&dir)?;
            let mut store = aurum_store::Store::open(&dir.join("aurum.db"))?;
            let report = store.seed_bundled_naive(aurum_app::now())?;
            drop(store);
            naive.push(t.elapsed().as_secs_f64());
            check(report.rows, "seed_bundled_naive")?;
        }
        ctx.progress.advance(1);
    }
    ctx.progress.finish();
    fast.sort_by(f64::total_cmp);
    naive.sort_by(f64::total_cmp);
    Ok((fast, naive, rows.unwrap_or(0)))
}

/// Runs a Python reference script that prints JSON, if it and python3 are there.
fn run_python(ctx: &Ctx, script: &std::path::Path, args: &[String], what: &str) -> Option<Value> {
    if !script.exists() {
        ctx.note(&format!(
            "note: {} not found; {what} not timed",
            script.display()
        ));
        return None;
    }
    ctx.progress.start(&format!("timing {what}"), None);
    let out = std::process::Command::new("python3")
        .arg(script)
        .args(args)
        .output();
    ctx.progress.finish();
    match out {
        Ok(o) if o.status.success() => serde_json::from_slice(&o.stdout).ok(),
        Ok(o) => {
            let err = String::from_utf8_lossy(&o.stderr);
            ctx.note(&format!(
                "note: {what} timing failed: {}",
                err.lines().last().unwrap_or("")
            ));
            None
        }
        Err(e) => {
            ctx.note(&format!(
                "note: python3 not available ({e}); {what} not timed"
            ));
            None
        }
    }
}

/// `aurum bench scenario`.
fn bench_scenario(ctx: &Ctx, a: &BenchScenarioArgs, format: OutputFormat) -> Result<()> {
    let runs = a.runs.max(1);
    let store = ctx.home.open(&ctx.progress)?;
    let as_of = aurum_core::date(2025, 2, 18);
    let window = Window {
        from: Some(aurum_core::date(2015, 2, 18)),
        to: None,
        as_of: Some(as_of),
    };
    let series =
        aurum_app::data::closes(&store, &SeriesId::new("gold-usd-lbma-pm")?, &window)?.values;
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
    let sampler = if a.exact_sampler {
        Sampler::Exact
    } else {
        Sampler::Fast
    };
    let fast = sim.fast_draws(&aurum_vol::Innovations::Parametric)?;
    #[derive(serde::Serialize)]
    struct Row {
        sampler: &'static str,
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
        identical_1_2_threads: Option<bool>,
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
            let opts = RunOptions {
                paths,
                seed: 1,
                disabled: None,
            };
            // Each size's own peak: Linux resets the high-water mark to the current
            // resident set on "5" (elsewhere this fails and the peak is the process's).
            let _ = fs_err::write("/proc/self/clear_refs", "5");
            let mut times = Vec::with_capacity(runs);
            let mut result = None;
            for _ in 0..runs {
                let t = Instant::now();
                let r = simulate_with(&setup, &opts, sampler, &|_| {})?;
                times.push(t.elapsed().as_secs_f64());
                if result.as_ref().is_some_and(|first| *first != r) {
                    bail!("two runs of {paths} paths × {days} days with one seed differ");
                }
                result = Some(r);
            }
            let seconds = median(&mut times);
            let steps = (paths * days) as f64;
            // The practical limit: drawing the same number of innovations, the way the
            // engine draws them, on the same threads, and nothing else.
            let mut draw_times = Vec::with_capacity(runs);
            for _ in 0..runs {
                let t = Instant::now();
                let chunk = 2048;
                let sum: f64 = (0..paths.div_ceil(chunk))
                    .into_par_iter()
                    .map(|b| {
                        let n = chunk.min(paths - b * chunk);
                        match (sampler, fast.table()) {
                            (Sampler::Fast, Some(table)) => {
                                let mut acc = [0.0f64; LANES];
                                for g in (0..n).step_by(LANES) {
                                    let mut rng = LaneRng::new(1, (b * chunk + g) as u64);
                                    for _ in 0..days {
                                        let z = table.sample_lanes(&rng.step());
                                        for l in 0..LANES {
                                            acc[l] += z[l];
                                        }
                                    }
                                }
                                acc.iter().sum::<f64>()
                            }
                            _ => {
                                let mut rng = aurum_vol::path_rng(1, b as u64);
                                (0..n * days)
                                    .map(|_| {
                                        sim.draw(&mut rng, &aurum_vol::Innovations::Parametric)
                                    })
                                    .sum::<f64>()
                            }
                        }
                    })
                    .sum();
                draw_times.push(t.elapsed().as_secs_f64());
                std::hint::black_box(sum);
            }
            let draw_s = median(&mut draw_times);
            let rss = peak_rss_mb();
            let identical = if a.no_thread_check {
                None
            } else {
                let on = |threads: usize| -> Result<aurum_sim::Results> {
                    let pool = rayon::ThreadPoolBuilder::new()
                        .num_threads(threads)
                        .build()?;
                    Ok(pool.install(|| simulate_with(&setup, &opts, sampler, &|_| {}))?)
                };
                let (one, two) = (on(1)?, on(2)?);
                Some(Some(one) == result && Some(two) == result)
            };
            let peer = if a.no_peer {
                None
            } else {
                run_python(
                    ctx,
                    &a.peer_script,
                    &[
                        "--bench".into(),
                        paths.to_string(),
                        days.to_string(),
                        "--repeats".into(),
                        runs.to_string(),
                    ],
                    "the numpy peer",
                )
                .and_then(|v| v["steps_per_s"].as_f64())
            };
            let sps = steps / seconds;
            rows.push(Row {
                sampler: if a.exact_sampler { "exact" } else { "fast" },
                paths,
                days,
                seconds,
                steps_per_s: sps,
                draws_per_s: steps / draw_s,
                share_of_raw: sps / (steps / draw_s),
                peer_steps_per_s: peer,
                speedup_vs_peer: peer.map(|p| sps / p),
                peak_rss_mb: rss,
                threads: rayon::current_num_threads(),
                identical_1_2_threads: identical,
            });
        }
    }
    emit(format, &rows, || {
        let mut t = Table::new(&[
            "sampler",
            "paths",
            "days",
            "seconds",
            "steps/s",
            "raw draws/s",
            "share of raw",
            "numpy steps/s",
            "× numpy",
            "peak RSS MB",
            "1 = 2 threads",
        ]);
        for r in &rows {
            t.row(vec![
                r.sampler.to_owned(),
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
                r.identical_1_2_threads
                    .map(|x| if x { "yes" } else { "NO" }.to_owned())
                    .unwrap_or_else(|| "n/a".into()),
            ]);
        }
        t
    })
}

/// `aurum-bench example`.
fn bench_example(ctx: &Ctx, a: &BenchExampleArgs, format: OutputFormat) -> Result<()> {
    let text = fs_err::read_to_string(&a.file)?;
    let f = aurum_sim::parse(&a.file.display().to_string(), &text)?;
    let mut store = ctx.home.open(&ctx.progress)?;
    let prepared = aurum_app::scenario::prepare(
        &mut store,
        &f,
        &aurum_app::scenario::RecordSettings::default(),
        &ctx.progress,
    )?;
    let opts = RunOptions {
        paths: a.paths,
        seed: a.seed,
        disabled: None,
    };
    let run = |sampler: Sampler| -> Result<(aurum_sim::Results, f64)> {
        ctx.progress
            .start(&format!("simulating ({sampler:?} sampler)"), None);
        let t = Instant::now();
        let r = simulate_with(&prepared.setup, &opts, sampler, &|_| {});
        ctx.progress.finish();
        Ok((r?, t.elapsed().as_secs_f64()))
    };
    let (fast, fast_s) = run(Sampler::Fast)?;
    let (exact, exact_s) = run(Sampler::Exact)?;
    #[derive(Serialize)]
    struct Row {
        what: String,
        fast: f64,
        exact: f64,
        /// Difference over the standard error of the difference of two independent estimates.
        z: f64,
    }
    let z = |p: f64, q: f64| {
        let se = (p * (1.0 - p) / a.paths as f64 + q * (1.0 - q) / a.paths as f64).sqrt();
        if se > 0.0 { (p - q) / se } else { 0.0 }
    };
    let mut rows = Vec::new();
    for (tf, te) in fast.targets.iter().zip(&exact.targets) {
        for (what, p, q) in [
            ("close above", tf.p_close_above, te.p_close_above),
            ("touch (daily)", tf.p_touch, te.p_touch),
            (
                "touch (continuous)",
                tf.p_touch_continuous,
                te.p_touch_continuous,
            ),
        ] {
            rows.push(Row {
                what: format!("{} {what}", tf.target),
                fast: p,
                exact: q,
                z: z(p, q),
            });
        }
    }
    for (sf, se) in fast.scenarios.iter().zip(&exact.scenarios) {
        rows.push(Row {
            what: format!("{} happened", sf.id),
            fast: sf.p_happened,
            exact: se.p_happened,
            z: z(sf.p_happened, se.p_happened),
        });
    }
    rows.push(Row {
        what: "seconds".into(),
        fast: fast_s,
        exact: exact_s,
        z: f64::NAN,
    });
    emit(format, &rows, || {
        let mut t = Table::new(&["probability", "fast", "exact", "z"]);
        for r in &rows {
            t.row(vec![
                r.what.clone(),
                format!("{:.4}", r.fast),
                format!("{:.4}", r.exact),
                if r.z.is_finite() {
                    format!("{:+.2}", r.z)
                } else {
                    String::new()
                },
            ]);
        }
        t
    })
}

/// `aurum-bench sampler`.
fn bench_sampler(ctx: &Ctx, a: &BenchSamplerArgs, format: OutputFormat) -> Result<()> {
    let (n, nu) = (a.draws.max(LANES), a.nu);
    if !(nu > 2.0 && nu.is_finite()) {
        bail!("ν must be above 2 (the moments checked need a variance)");
    }
    let t = Instant::now();
    let table = aurum_vol::Table::new(aurum_vol::Symmetric::StudentsT { nu }, 1.0)?;
    let build_s = t.elapsed().as_secs_f64();
    ctx.progress
        .start(&format!("drawing {n} t({nu}) variates"), None);
    // Each chunk is the lanes of its own paths: the same numbers at any thread count.
    let chunk = LANES * 4096;
    let mut x = vec![0.0f64; n];
    let t = Instant::now();
    x.par_chunks_mut(chunk).enumerate().for_each(|(c, out)| {
        for (g, lanes) in out.chunks_mut(LANES * 512).enumerate() {
            let mut rng = LaneRng::new(a.seed, ((c * 8 + g) * LANES) as u64);
            for block in lanes.chunks_mut(LANES) {
                let z = table.sample_lanes(&rng.step());
                block.copy_from_slice(&z[..block.len()]);
            }
        }
    });
    let draw_s = t.elapsed().as_secs_f64();
    // The exact sampler's speed, on 1e7 draws.
    let m = ArchModel::new(Mean::Zero, Vol::Constant, Dist::StudentsT);
    let data: Vec<f64> = (0..100).map(|i| f64::from(i % 7) - 3.0).collect();
    let sim = Simulator::new(&m, &m.fix(&data, &[1.0, nu])?, &data)?;
    let n_exact = 10_000_000usize;
    let t = Instant::now();
    let sum: f64 = (0..n_exact.div_ceil(65_536))
        .into_par_iter()
        .map(|b| {
            let mut rng = aurum_vol::path_rng(a.seed, b as u64);
            (0..65_536)
                .map(|_| sim.draw(&mut rng, &aurum_vol::Innovations::Parametric))
                .sum::<f64>()
        })
        .sum();
    std::hint::black_box(sum);
    let exact_rate = (n_exact.div_ceil(65_536) * 65_536) as f64 / t.elapsed().as_secs_f64();
    ctx.progress.finish();
    let nf = n as f64;
    // Moments and tails.
    let (s1, s_abs, s2) = x
        .par_iter()
        .map(|v| (*v, v.abs(), v * v))
        .reduce(|| (0.0, 0.0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2));
    let ln_g = statrs::function::gamma::ln_gamma;
    let e_abs = 2.0 * nu.sqrt() * (ln_g((nu + 1.0) / 2.0) - ln_g(nu / 2.0)).exp()
        / (std::f64::consts::PI.sqrt() * (nu - 1.0));
    let e2 = nu / (nu - 2.0);
    #[derive(Serialize)]
    struct Row {
        check: String,
        value: f64,
        expected: Option<f64>,
        /// z-score, or the statistic over its 1% critical value.
        score: Option<f64>,
        pass: Option<bool>,
    }
    let mut rows = vec![Row {
        check: "mean".into(),
        value: s1 / nf,
        expected: Some(0.0),
        score: Some(s1 / nf / (e2 / nf).sqrt()),
        pass: Some((s1 / nf / (e2 / nf).sqrt()).abs() < 3.0),
    }];
    let z_abs = (s_abs / nf - e_abs) / ((e2 - e_abs * e_abs) / nf).sqrt();
    rows.push(Row {
        check: "E|T|".into(),
        value: s_abs / nf,
        expected: Some(e_abs),
        score: Some(z_abs),
        pass: Some(z_abs.abs() < 3.0),
    });
    // Var T² is finite only for ν > 4.
    let z2 = (nu > 4.0).then(|| {
        let e4 = 3.0 * nu * nu / ((nu - 2.0) * (nu - 4.0));
        (s2 / nf - e2) / ((e4 - e2 * e2) / nf).sqrt()
    });
    rows.push(Row {
        check: "E T²".into(),
        value: s2 / nf,
        expected: Some(e2),
        score: z2,
        pass: z2.map(|z| z.abs() < 3.0),
    });
    for q in [4.0, 6.0, 8.0] {
        let p = 2.0 * aurum_vol::t_cdf(nu, q).1;
        let hits = x.par_iter().filter(|v| v.abs() > q).count() as f64;
        let z = (hits / nf - p) / (p * (1.0 - p) / nf).sqrt();
        rows.push(Row {
            check: format!("P(|T| > {q})"),
            value: hits / nf,
            expected: Some(p),
            score: Some(z),
            pass: Some(z.abs() < 3.0),
        });
    }
    ctx.progress.start("sorting for KS and AD", None);
    x.par_sort_unstable_by(f64::total_cmp);
    ctx.progress.finish();
    let fit = aurum_vol::goodness_of_fit(&x, |v| aurum_vol::t_cdf(nu, v));
    rows.push(Row {
        check: "KS √n D".into(),
        value: fit.ks_scaled,
        expected: None,
        score: Some(fit.ks_scaled / 1.628),
        pass: Some(fit.ks_scaled < 1.628),
    });
    rows.push(Row {
        check: "KS D".into(),
        value: fit.ks,
        expected: None,
        score: None,
        pass: None,
    });
    rows.push(Row {
        check: "AD A²".into(),
        value: fit.ad,
        expected: None,
        score: Some(fit.ad / 3.878),
        pass: Some(fit.ad < 3.878),
    });
    rows.push(Row {
        check: "table build (s)".into(),
        value: build_s,
        expected: None,
        score: None,
        pass: None,
    });
    rows.push(Row {
        check: "fast draws/s".into(),
        value: nf / draw_s,
        expected: None,
        score: None,
        pass: None,
    });
    rows.push(Row {
        check: "exact draws/s".into(),
        value: exact_rate,
        expected: None,
        score: None,
        pass: None,
    });
    rows.push(Row {
        check: "fast / exact".into(),
        value: nf / draw_s / exact_rate,
        expected: None,
        score: None,
        pass: None,
    });
    emit(format, &rows, || {
        let mut t = Table::new(&["check", "value", "expected", "z or /critical(1%)", "pass"]);
        for r in &rows {
            t.row(vec![
                r.check.clone(),
                format!("{:.6e}", r.value),
                r.expected
                    .map(|e| format!("{e:.6e}"))
                    .unwrap_or_else(|| "".into()),
                r.score.map(|z| format!("{z:+.2}")).unwrap_or_default(),
                r.pass
                    .map(|p| if p { "yes" } else { "NO" }.to_owned())
                    .unwrap_or_default(),
            ]);
        }
        t
    })
}

/// The median of timings (the upper one of an even count), sorting them.
fn median(times: &mut [f64]) -> f64 {
    times.sort_by(f64::total_cmp);
    times.get(times.len() / 2).copied().unwrap_or(f64::NAN)
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

/// One endpoint's figures under load.
#[derive(serde::Serialize)]
struct LoadRow {
    endpoint: &'static str,
    requests: usize,
    errors: usize,
    requests_per_s: f64,
    p50_ms: f64,
    p99_ms: f64,
}

/// Loads the read endpoints of a server started in this process on a free loopback port.
fn bench_serve(ctx: &Ctx, a: &BenchServeArgs, format: OutputFormat) -> Result<()> {
    anyhow::ensure!(
        a.requests > 0 && a.concurrency > 0,
        "--requests and --concurrency must be at least 1"
    );
    drop(ctx.home.open(&ctx.progress)?);
    let backend = Arc::new(StoreBackend::new(ctx.home.clone()));
    let state = AppState::new(backend, Limits::default());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let listener = runtime.block_on(aurum_serve::bind("127.0.0.1:0".parse()?))?;
    let addr = listener.local_addr()?;
    runtime.spawn(async move {
        let _ = aurum_serve::serve(listener, state, std::future::pending()).await;
    });
    let endpoints: [(&'static str, &str); 4] = [
        ("health", "/api/health"),
        ("series", "/api/series"),
        (
            "weekly bars",
            "/api/series/gold-usd-lbma-pm/bars?freq=weekly&from=2023-01-01&as_of=2025-02-18",
        ),
        ("events", "/api/events?category=nuclear&as_of=2025-02-18"),
    ];
    let bar = &ctx.progress;
    bar.start(
        "loading the server",
        Some((a.requests * endpoints.len()) as u64),
    );
    let mut rows = Vec::new();
    for (name, path) in endpoints {
        let url = format!("http://{addr}{path}");
        let started = std::time::Instant::now();
        let per = a.requests.div_ceil(a.concurrency);
        let results: Vec<(usize, Vec<f64>)> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..a.concurrency)
                .map(|t| {
                    let (url, bar) = (&url, &bar);
                    let n = per.min(a.requests.saturating_sub(t * per));
                    scope.spawn(move || {
                        let agent: ureq::Agent = ureq::Agent::config_builder()
                            .http_status_as_error(false)
                            .build()
                            .into();
                        let mut errors = 0;
                        let mut lat = Vec::with_capacity(n);
                        for _ in 0..n {
                            let t0 = std::time::Instant::now();
                            let ok = agent.get(url).call().is_ok_and(|mut r| {
                                r.status() == 200 && r.body_mut().read_to_vec().is_ok()
                            });
                            lat.push(t0.elapsed().as_secs_f64() * 1000.0);
                            errors += usize::from(!ok);
                            bar.advance(1);
                        }
                        (errors, lat)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_default())
                .collect()
        });
        let elapsed = started.elapsed().as_secs_f64();
        let errors = results.iter().map(|r| r.0).sum();
        let mut lat: Vec<f64> = results.into_iter().flat_map(|r| r.1).collect();
        lat.sort_by(f64::total_cmp);
        let q = |p: f64| {
            lat.get(((lat.len() as f64 - 1.0) * p) as usize)
                .copied()
                .unwrap_or(f64::NAN)
        };
        rows.push(LoadRow {
            endpoint: name,
            requests: lat.len(),
            errors,
            requests_per_s: lat.len() as f64 / elapsed,
            p50_ms: q(0.5),
            p99_ms: q(0.99),
        });
    }
    bar.finish();
    emit(format, &rows, || {
        let mut t = Table::new(&[
            "endpoint", "requests", "errors", "req/s", "p50 ms", "p99 ms",
        ]);
        for r in &rows {
            t.row(vec![
                r.endpoint.to_owned(),
                r.requests.to_string(),
                r.errors.to_string(),
                format!("{:.0}", r.requests_per_s),
                format!("{:.2}", r.p50_ms),
                format!("{:.2}", r.p99_ms),
            ]);
        }
        t
    })
}
