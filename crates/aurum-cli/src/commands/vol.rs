//! `aurum vol fit|forecast`.

use anyhow::Result;
use aurum_app::figures;
use aurum_app::vol::{self, Fitted, ForecastRequest, VolKind, VolSpec};
use serde::Serialize;

use super::resolve;
use crate::args::{self, Cli, OutputFormat, VolCommand, VolModelArgs};
use crate::context::Context;
use crate::output::{Table, emit, print_json};

pub fn run(ctx: &Context, cli: &Cli, cmd: &VolCommand) -> Result<()> {
    match cmd {
        VolCommand::Fit(a) => {
            let fitted = vol::fit(&ctx.open_store()?, &spec(&a.model), &ctx.progress)?;
            print_fit(&fitted, resolve(a.format, cli))
        }
        VolCommand::Forecast(a) => forecast(ctx, a, resolve(a.format, cli)),
    }
}

/// The model the arguments describe.
fn spec(a: &VolModelArgs) -> VolSpec {
    VolSpec {
        series: a.series.clone(),
        kind: match a.model {
            args::VolKind::Garch => VolKind::Garch,
            args::VolKind::Gjr => VolKind::Gjr,
            args::VolKind::Egarch => VolKind::Egarch,
            args::VolKind::Ewma => VolKind::Ewma,
            args::VolKind::Constant => VolKind::Constant,
        },
        dist: a.dist,
        mean: a.mean,
        p: a.p,
        o: a.o,
        q: a.q,
        scale: a.scale,
        starts: a.starts,
        window: a.window.into(),
    }
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
        OutputFormat::Json => print_json(&f.report()),
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
                f.spec.scale
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
    let req = ForecastRequest {
        spec: spec(&a.model),
        horizon: a.horizon,
        paths: a.paths,
        seed: a.seed,
    };
    let fc = vol::forecast(&ctx.open_store()?, &req, &ctx.progress)?;
    if let Some(path) = &a.plot {
        figures::term_structure_plot(&fc, a.lang, path)?;
        ctx.note(&format!("wrote {}", path.display()));
    }
    match format {
        OutputFormat::Json => print_json(&fc),
        _ => emit(format, &fc.forecast, || {
            let mut t = Table::new(&["h", "daily vol %", "annualised vol % (to h)"]);
            for r in fc
                .forecast
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
