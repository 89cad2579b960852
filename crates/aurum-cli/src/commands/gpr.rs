//! `aurum gpr regress|import|build`.

use anyhow::Result;
use aurum_app::gpr::{self, BuildRequest, GprComponent, GprRequest, parse_base};
use aurum_app::{Window, figures, parse_time, rows};

use super::resolve;
use crate::args::{
    self, Cli, GprBuildArgs, GprCommand, GprImportArgs, GprRegressArgs, OutputFormat,
};
use crate::context::Context;
use crate::output::{Table, emit, emit_rows, print_json};

pub fn run(ctx: &Context, cli: &Cli, cmd: &GprCommand) -> Result<()> {
    match cmd {
        GprCommand::Regress(a) => regress(ctx, a, resolve(a.format, cli)),
        GprCommand::Import(a) => import(ctx, a, resolve(a.format, cli)),
        GprCommand::Build(a) => build(ctx, a, resolve(a.format, cli)),
    }
}

fn regress(ctx: &Context, a: &GprRegressArgs, format: OutputFormat) -> Result<()> {
    let req = GprRequest {
        series: a.series.clone(),
        freq: a.freq,
        measure: a.measure,
        component: match a.component {
            args::GprComponent::Total => GprComponent::Total,
            args::GprComponent::Threats => GprComponent::Threats,
            args::GprComponent::Acts => GprComponent::Acts,
        },
        controls: a.controls.clone(),
        window: Window {
            from: Some(a.from),
            to: a.to,
            as_of: a.as_of,
        },
        maxlags: a.maxlags,
        quantiles: a.quantiles.clone(),
        rolling: a.rolling,
        lang: a.lang,
    };
    let r = gpr::regress(&ctx.open_store()?, &req)?;
    if let (Some(path), Some(points)) = (&a.plot, &r.rolling) {
        figures::rolling_beta_plot(points, &req, path)?;
        ctx.note(&format!("wrote {}", path.display()));
    }
    match format {
        OutputFormat::Json => print_json(&r),
        OutputFormat::Csv => emit_rows(format, &rows::gpr(&r), Table::default),
        OutputFormat::Table => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            writeln!(
                out,
                "{} returns on {} ({}), {} from {} to {}: {} observations",
                r.series,
                r.gpr_series,
                r.measure,
                r.freq,
                r.first.map(|d| d.to_string()).unwrap_or_default(),
                r.last.map(|d| d.to_string()).unwrap_or_default(),
                r.n
            )?;
            writeln!(out)?;
            let mut t = Table::new(&["regressor", "OLS beta", "HAC se", "t", "p"]);
            for c in rows::gpr(&r).iter().filter(|c| c.estimator == "ols") {
                t.row(vec![
                    c.regressor.to_owned(),
                    format!("{:.5}", c.beta),
                    format!("{:.5}", c.se),
                    format!("{:.2}", c.t),
                    format!("{:.4}", c.p),
                ]);
            }
            t.write(&mut out)?;
            writeln!(
                out,
                "R² {:.4} (adjusted {:.4}); Newey–West with {} lags",
                r.ols.r2, r.ols.r2_adj, r.ols.maxlags
            )?;
            // The GPR regressor: the design's second column.
            let gpr = r.names.get(1).map_or("", String::as_str);
            if !r.quantiles.is_empty() {
                writeln!(out)?;
                let mut t = Table::new(&["quantile", "beta on gpr", "se", "p", "iterations"]);
                for q in &r.quantiles {
                    t.row(vec![
                        format!("{}", q.tau),
                        format!("{:.5}", at(&q.beta, gpr)),
                        format!("{:.5}", at(&q.se, gpr)),
                        format!("{:.4}", at(&q.p, gpr)),
                        q.iterations.to_string(),
                    ]);
                }
                t.write(&mut out)?;
            }
            if let Some(r) = &r.rolling
                && let (Some(first), Some(last)) = (r.first(), r.last())
            {
                writeln!(out)?;
                let max = r.iter().map(|p| p.beta).fold(f64::MIN, f64::max);
                let min = r.iter().map(|p| p.beta).fold(f64::MAX, f64::min);
                writeln!(
                    out,
                    "rolling beta: {} windows, {} to {}; from {min:.5} to {max:.5}, last {:.5}",
                    r.len(),
                    first.end,
                    last.end,
                    last.beta
                )?;
            }
            writeln!(out)?;
            let sentence = &r.effect.text;
            match a.lang {
                aurum_core::Lang::En => writeln!(out, "In words: {sentence}.")?,
                aurum_core::Lang::Ja => writeln!(out, "要約: {sentence}。")?,
            }
            Ok(())
        }
    }
}

fn import(ctx: &Context, a: &GprImportArgs, format: OutputFormat) -> Result<()> {
    let recorded_at = a
        .recorded_at
        .as_deref()
        .map(|s| parse_time("recorded_at", s))
        .transpose()?;
    let rows = gpr::import(&mut ctx.open_store()?, &a.file, recorded_at, &ctx.progress)?;
    emit(format, &rows, || {
        let mut t = Table::new(&["series", "new", "changed", "unchanged"]);
        for r in rows
            .iter()
            .filter(|r| r.new + r.changed > 0 || rows.len() <= 12)
        {
            t.row(vec![
                r.series.clone(),
                r.new.to_string(),
                r.changed.to_string(),
                r.unchanged.to_string(),
            ]);
        }
        t
    })
}

fn build(ctx: &Context, a: &GprBuildArgs, format: OutputFormat) -> Result<()> {
    let req = BuildRequest {
        corpus: a.corpus.clone(),
        lang: a.lang,
        dictionary: a.dictionary.clone(),
        freq: a.freq,
        base: a.base.as_deref().map(parse_base).transpose()?,
        as_of: a.as_of,
        save: a.save.clone(),
    };
    let mut store = a.save.is_some().then(|| ctx.open_store()).transpose()?;
    let rows = gpr::build(store.as_mut(), &req, &ctx.progress)?;
    emit(format, &rows, || {
        let mut t = Table::new(&[
            "period", "articles", "matches", "share %", "index", "threats", "acts",
        ]);
        for r in &rows {
            t.row(vec![
                r.period.to_string(),
                r.articles.to_string(),
                r.matches.to_string(),
                format!("{:.1}", r.share),
                format!("{:.1}", r.index),
                format!("{:.1}", r.index_threats),
                format!("{:.1}", r.index_acts),
            ]);
        }
        t
    })
}

/// A value by regressor name (NaN when absent).
fn at(m: &std::collections::BTreeMap<String, f64>, name: &str) -> f64 {
    m.get(name).copied().unwrap_or(f64::NAN)
}
