//! `aurum vol fit|forecast` and `aurum bench vol`.

use std::time::Instant;

use anyhow::{Context as _, Result, bail};
use aurum_core::{Date, SeriesId};
use aurum_store::BarQuery;
use aurum_vol::{ArchModel, FitOptions, FitResult, Simulator, Vol};
use serde::Serialize;
use serde_json::Value;

use crate::args::{
    BenchCommand, BenchVolArgs, Cli, OutputFormat, VolCommand, VolKind, VolModelArgs,
};
use crate::commands::resolve;
use crate::context::Context;
use crate::output::{Table, by_name, emit, print_json};

pub fn run(ctx: &Context, cli: &Cli, cmd: &VolCommand) -> Result<()> {
    match cmd {
        VolCommand::Fit(a) => {
            let fitted = fit(ctx, &a.model)?;
            print_fit(&fitted, resolve(a.format, cli))
        }
        VolCommand::Forecast(a) => forecast(ctx, a, resolve(a.format, cli)),
    }
}

/// Returns of a series with their dates (the date of each return is its second price).
pub struct Returns {
    /// Series id.
    pub series: SeriesId,
    /// Dates of the returns.
    pub dates: Vec<Date>,
    /// scale × log price changes.
    pub values: Vec<f64>,
}

/// Loads scale × log returns of a series over a window, as of a date.
///
/// # Errors
///
/// Unknown series, non-positive prices, too little data.
pub fn returns(ctx: &Context, a: &VolModelArgs) -> Result<Returns> {
    if !(a.scale.is_finite() && a.scale > 0.0) {
        bail!("--scale {}: expected a positive number", a.scale);
    }
    let store = ctx.open_store()?;
    let bars = store.bars(
        &a.series,
        &BarQuery {
            from: a.window.from,
            to: a.window.to,
            as_of: a.window.as_of,
        },
    )?;
    if let Some(b) = bars.iter().find(|b| b.close <= 0.0) {
        bail!(
            "{} on {}: price {} is not > 0; log returns need positive prices",
            a.series,
            b.date,
            b.close
        );
    }
    let values = bars
        .windows(2)
        .map(|w| a.scale * (w[1].close.ln() - w[0].close.ln()))
        .collect();
    let dates = bars.iter().skip(1).map(|b| b.date).collect();
    Ok(Returns {
        series: a.series.clone(),
        dates,
        values,
    })
}

/// The model the arguments describe.
pub fn model(a: &VolModelArgs) -> ArchModel {
    let vol = match a.model {
        VolKind::Garch => Vol::Garch {
            p: a.p,
            o: a.o.unwrap_or(0),
            q: a.q,
        },
        VolKind::Gjr => Vol::Garch {
            p: a.p,
            o: a.o.unwrap_or(1),
            q: a.q,
        },
        VolKind::Egarch => Vol::Egarch {
            p: a.p,
            o: a.o.unwrap_or(1),
            q: a.q,
        },
        VolKind::Ewma => Vol::Ewma { lambda: 0.94 },
        VolKind::Constant => Vol::Constant,
    };
    ArchModel::new(a.mean, vol, a.dist)
}

/// A fit with what it was fitted to.
pub struct Fitted {
    /// The model.
    pub model: ArchModel,
    /// Its data.
    pub returns: Returns,
    /// The fit.
    pub fit: FitResult,
    /// Arguments.
    pub args: VolModelArgs,
}

/// Fits the model the arguments describe.
///
/// # Errors
///
/// As [`returns`], and invalid specifications.
pub fn fit(ctx: &Context, a: &VolModelArgs) -> Result<Fitted> {
    let r = returns(ctx, a)?;
    let m = model(a);
    let spinner = ctx.spinner(&format!(
        "fitting {} to {} returns of {}",
        m.vol,
        r.values.len(),
        r.series
    ));
    let fit = m.fit(
        &r.values,
        &FitOptions {
            starts: a.starts.max(1),
            ..FitOptions::default()
        },
    );
    spinner.finish_and_clear();
    let fit = fit.with_context(|| format!("fitting {} to {}", m.vol, r.series))?;
    for d in &fit.diagnostics {
        ctx.note(&format!("note: {d}"));
    }
    Ok(Fitted {
        model: m,
        returns: r,
        fit,
        args: a.clone(),
    })
}

/// The JSON document of a fit.
#[must_use]
pub fn fit_json(f: &Fitted) -> Value {
    let fit = &f.fit;
    serde_json::json!({
        "series": f.returns.series.to_string(),
        "first_date": f.returns.dates.first(),
        "last_date": f.returns.dates.last(),
        "as_of": f.args.window.as_of,
        "scale": f.args.scale,
        "mean": f.model.mean,
        "model": fit.model,
        "dist": fit.dist,
        "nobs": fit.nobs,
        "params": by_name(&fit.names, &fit.params),
        "std_err": by_name(&fit.names, &fit.std_err),
        "std_err_classic": by_name(&fit.names, &fit.std_err_classic),
        "t": by_name(&fit.names, &fit.t),
        "p": by_name(&fit.names, &fit.p),
        "loglik": fit.loglik,
        "aic": fit.aic,
        "bic": fit.bic,
        "backcast": fit.backcast,
        "ljung_box": fit.ljung_box,
        "termination": fit.termination,
        "diagnostics": fit.diagnostics,
    })
}

fn print_fit(f: &Fitted, format: OutputFormat) -> Result<()> {
    let fit = &f.fit;
    #[derive(Serialize)]
    struct Row<'a> {
        param: &'a str,
        estimate: f64,
        std_err: f64,
        t: f64,
        p: f64,
        std_err_classic: f64,
    }
    let rows: Vec<Row<'_>> = (0..fit.names.len())
        .map(|i| Row {
            param: &fit.names[i],
            estimate: fit.params[i],
            std_err: fit.std_err[i],
            t: fit.t[i],
            p: fit.p[i],
            std_err_classic: fit.std_err_classic[i],
        })
        .collect();
    match format {
        OutputFormat::Json => print_json(&fit_json(f)),
        OutputFormat::Csv => emit(format, &rows, Table::default),
        OutputFormat::Table => {
            let mut out = std::io::stdout().lock();
            use std::io::Write;
            writeln!(
                out,
                "{} with {} innovations, {} mean: {} {} to {} ({} returns × {})",
                fit.model,
                dist_name(fit.dist),
                mean_name(f.model.mean),
                f.returns.series,
                f.returns
                    .dates
                    .first()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                f.returns
                    .dates
                    .last()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                fit.nobs,
                f.args.scale
            )?;
            writeln!(out)?;
            let mut t = Table::new(&[
                "parameter",
                "estimate",
                "std err",
                "t",
                "p",
                "std err (classic)",
            ]);
            for r in &rows {
                t.row(vec![
                    r.param.to_owned(),
                    format!("{:.6}", r.estimate),
                    format!("{:.6}", r.std_err),
                    format!("{:.2}", r.t),
                    format!("{:.4}", r.p),
                    format!("{:.6}", r.std_err_classic),
                ]);
            }
            t.write(&mut out)?;
            writeln!(out)?;
            writeln!(
                out,
                "log-likelihood {:.4}   AIC {:.2}   BIC {:.2}",
                fit.loglik, fit.aic, fit.bic
            )?;
            writeln!(
                out,
                "Ljung–Box({}) on squared standardised residuals: Q = {:.2}, p = {:.3}",
                fit.ljung_box.lags, fit.ljung_box.statistic, fit.ljung_box.p
            )?;
            writeln!(
                out,
                "optimiser: {} ({}; {} iterations, {} evaluations; standard errors are robust)",
                if fit.termination.converged {
                    "converged"
                } else {
                    "NOT converged"
                },
                fit.termination.reason,
                fit.termination.iterations,
                fit.termination.evaluations
            )?;
            Ok(())
        }
    }
}

fn dist_name(d: aurum_vol::Dist) -> &'static str {
    match d {
        aurum_vol::Dist::Normal => "normal",
        aurum_vol::Dist::StudentsT => "Student's t",
        aurum_vol::Dist::SkewT => "Hansen's skewed t",
        aurum_vol::Dist::Ged => "generalised error",
    }
}

fn mean_name(m: aurum_vol::Mean) -> &'static str {
    match m {
        aurum_vol::Mean::Zero => "zero",
        aurum_vol::Mean::Constant => "constant",
        aurum_vol::Mean::Ar1 => "AR(1)",
    }
}

fn forecast(ctx: &Context, a: &crate::args::VolForecastArgs, format: OutputFormat) -> Result<()> {
    if a.horizon == 0 || a.horizon > 2520 {
        bail!("--horizon {}: expected 1 to 2520 trading days", a.horizon);
    }
    let f = fit(ctx, &a.model)?;
    let sim = Simulator::new(&f.model, &f.fit, &f.returns.values)?;
    let fc = sim.forecast(a.horizon, a.paths, a.seed);
    let ann = fc.annualised(252.0);
    // Volatility in percent per year, whatever --scale was.
    let to_pct = 100.0 / a.model.scale;
    #[derive(Serialize)]
    struct Row {
        horizon: usize,
        variance: f64,
        daily_vol_pct: f64,
        annualised_vol_pct: f64,
    }
    let rows: Vec<Row> = fc
        .variance
        .iter()
        .zip(&ann)
        .enumerate()
        .map(|(i, (v, an))| Row {
            horizon: i + 1,
            variance: *v,
            daily_vol_pct: v.sqrt() * to_pct,
            annualised_vol_pct: an * to_pct,
        })
        .collect();
    if let Some(path) = &a.plot {
        super::chart::term_structure_plot(
            &f,
            &rows
                .iter()
                .map(|r| (r.horizon as f64, r.annualised_vol_pct))
                .collect::<Vec<_>>(),
            a.lang,
            path,
        )?;
        ctx.note(&format!("wrote {}", path.display()));
    }
    match format {
        OutputFormat::Json => {
            let doc =
                serde_json::json!({ "fit": fit_json(&f), "method": fc.method, "forecast": rows });
            print_json(&doc)
        }
        _ => emit(format, &rows, || {
            let mut t = Table::new(&["h", "daily vol %", "annualised vol % (to h)"]);
            for r in rows
                .iter()
                .filter(|r| r.horizon <= 5 || r.horizon % 5 == 0 || r.horizon == a.horizon)
            {
                t.row(vec![
                    r.horizon.to_string(),
                    format!("{:.3}", r.daily_vol_pct),
                    format!("{:.2}", r.annualised_vol_pct),
                ]);
            }
            t
        }),
    }
}

/// `aurum bench vol`.
pub fn bench(ctx: &Context, cli: &Cli, cmd: &BenchCommand) -> Result<()> {
    match cmd {
        BenchCommand::Vol(a) => bench_vol(ctx, a, resolve(a.format, cli)),
        BenchCommand::Scenario(a) => super::scenario::bench(ctx, a, resolve(a.format, cli)),
        BenchCommand::Serve(a) => super::serve::bench(ctx, a, resolve(a.format, cli)),
    }
}

fn bench_vol(ctx: &Context, a: &BenchVolArgs, format: OutputFormat) -> Result<()> {
    let args = |model: VolKind| VolModelArgs {
        series: SeriesId::new("gold-usd-lbma-pm").expect("valid id"),
        model,
        dist: aurum_vol::Dist::StudentsT,
        mean: aurum_vol::Mean::Constant,
        p: 1,
        o: None,
        q: 1,
        scale: 100.0,
        starts: 1,
        window: crate::args::Window {
            from: None,
            to: None,
            as_of: None,
        },
    };
    let mut out = Vec::new();
    let runs = a.runs.max(1);
    for (name, kind) in [("garch_t", VolKind::Garch), ("gjr_t", VolKind::Gjr)] {
        let va = args(kind);
        let r = returns(ctx, &va)?;
        let m = model(&va);
        let mut times = Vec::with_capacity(runs);
        let mut ll = 0.0;
        let _ = m.fit(&r.values, &FitOptions::default())?; // warm-up
        for _ in 0..runs {
            let t = Instant::now();
            let f = m.fit(&r.values, &FitOptions::default())?;
            times.push(t.elapsed().as_secs_f64());
            ll = f.loglik;
        }
        times.sort_by(f64::total_cmp);
        out.push((name, r.values.len(), times[times.len() / 2], times[0], ll));
    }
    let arch = if a.no_arch {
        None
    } else {
        run_arch(ctx, &a.arch_script)
    };
    #[derive(Serialize)]
    struct Row {
        model: &'static str,
        nobs: usize,
        aurum_median_s: f64,
        aurum_min_s: f64,
        aurum_loglik: f64,
        arch_median_s: Option<f64>,
        speedup: Option<f64>,
    }
    let rows: Vec<Row> = out
        .into_iter()
        .map(|(name, n, med, min, ll)| {
            let arch_med = arch.as_ref().and_then(|v| v[name]["median_s"].as_f64());
            Row {
                model: name,
                nobs: n,
                aurum_median_s: med,
                aurum_min_s: min,
                aurum_loglik: ll,
                arch_median_s: arch_med,
                speedup: arch_med.map(|x| x / med),
            }
        })
        .collect();
    emit(format, &rows, || {
        let mut t = Table::new(&[
            "model",
            "returns",
            "aurum (median)",
            "arch (median)",
            "arch / aurum",
        ]);
        for r in &rows {
            t.row(vec![
                r.model.to_owned(),
                r.nobs.to_string(),
                format!("{:.1} ms", 1e3 * r.aurum_median_s),
                r.arch_median_s
                    .map(|x| format!("{:.1} ms", 1e3 * x))
                    .unwrap_or_else(|| "n/a".into()),
                r.speedup
                    .map(|x| format!("{x:.2}×"))
                    .unwrap_or_else(|| "n/a".into()),
            ]);
        }
        t
    })
}

/// Runs the arch timing script in the same run, if python3 and arch are there.
fn run_arch(ctx: &Context, script: &std::path::Path) -> Option<Value> {
    run_python(ctx, script, &[], "arch")
}

/// Runs a Python reference script that prints JSON, if it and python3 are there.
pub fn run_python(
    ctx: &Context,
    script: &std::path::Path,
    args: &[String],
    what: &str,
) -> Option<Value> {
    if !script.exists() {
        ctx.note(&format!(
            "note: {} not found; {what} not timed",
            script.display()
        ));
        return None;
    }
    let spinner = ctx.spinner(&format!("timing {what}"));
    let out = std::process::Command::new("python3")
        .arg(script)
        .args(args)
        .output();
    spinner.finish_and_clear();
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
