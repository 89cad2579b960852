//! `aurum gpr regress`.

use anyhow::{Result, bail};
use aurum_core::{Date, Frequency, SeriesId, Unit};
use aurum_risk::{Control, ControlKind, GprInput, Measure, OlsResult, QuantResult, RollingPoint};
use aurum_store::{BarQuery, Store};
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::args::{Cli, GprCommand, GprComponent, GprRegressArgs, OutputFormat};
use crate::commands::resolve;
use crate::context::Context;
use crate::output::{Table, emit};

pub fn run(ctx: &Context, cli: &Cli, cmd: &GprCommand) -> Result<()> {
    match cmd {
        GprCommand::Regress(a) => regress(ctx, a, resolve(a.format, cli)),
    }
}

fn levels(store: &Store, id: &SeriesId, a: &GprRegressArgs) -> Result<(Unit, Vec<(Date, f64)>)> {
    let meta = store
        .series(id)?
        .ok_or_else(|| aurum_store::StoreError::UnknownSeries(id.to_string()))?;
    let bars = store.bars(
        id,
        &BarQuery {
            from: Some(a.from),
            to: a.to,
            as_of: a.as_of,
        },
    )?;
    Ok((
        meta.unit,
        bars.into_iter().map(|b| (b.date, b.close)).collect(),
    ))
}

/// The GPR series id for a frequency and component.
fn gpr_id(freq: Frequency, c: GprComponent) -> &'static str {
    match (freq, c) {
        (Frequency::Monthly, GprComponent::Total) => "gpr",
        (Frequency::Monthly, GprComponent::Threats) => "gpr-threats",
        (Frequency::Monthly, GprComponent::Acts) => "gpr-acts",
        (_, GprComponent::Total) => "gpr-daily",
        (_, GprComponent::Threats) => "gpr-daily-threats",
        (_, GprComponent::Acts) => "gpr-daily-acts",
    }
}

fn by_name(names: &[String], values: &[f64]) -> Value {
    let mut m = Map::new();
    for (n, v) in names.iter().zip(values) {
        m.insert(n.clone(), json!(v));
    }
    Value::Object(m)
}

/// The effect of the GPR coefficient in words, with its 95% interval.
fn effect(
    ols: &OlsResult,
    measure: Measure,
    component: GprComponent,
    lang: aurum_core::Lang,
) -> (String, f64, f64, f64) {
    let (b, se) = (ols.beta[1], ols.se[1]);
    // Scale: a 100-point move of the index, or a 10% (10 log points) rise for log changes.
    let scale = if measure == Measure::LogChange {
        10.0
    } else {
        100.0
    };
    let (e, lo, hi) = (b * scale, (b - 1.96 * se) * scale, (b + 1.96 * se) * scale);
    let comp_en = match component {
        GprComponent::Total => "GPR",
        GprComponent::Threats => "GPR threats",
        GprComponent::Acts => "GPR acts",
    };
    let comp_ja = match component {
        GprComponent::Total => "地政学リスク指数（GPR）",
        GprComponent::Threats => "GPRの「脅威」指数",
        GprComponent::Acts => "GPRの「行為」指数",
    };
    let text = match (lang, measure) {
        (aurum_core::Lang::En, Measure::LogChange) => {
            format!(
                "a 10% rise in {comp_en} goes with a {e:+.2}% move in gold in the same period (95% CI {lo:+.2}% to {hi:+.2}%)"
            )
        }
        (aurum_core::Lang::En, Measure::Shock) => {
            format!(
                "an unexpected 100-point rise in {comp_en} goes with a {e:+.2}% move in gold (95% CI {lo:+.2}% to {hi:+.2}%)"
            )
        }
        (aurum_core::Lang::En, _) => {
            format!(
                "a 100-point rise in {comp_en} goes with a {e:+.2}% move in gold (95% CI {lo:+.2}% to {hi:+.2}%)"
            )
        }
        (aurum_core::Lang::Ja, Measure::LogChange) => {
            format!(
                "{comp_ja}が10%上昇すると、同じ期間の金価格は{e:+.2}%変化する傾向がある（95%信頼区間 {lo:+.2}%〜{hi:+.2}%）"
            )
        }
        (aurum_core::Lang::Ja, _) => {
            format!(
                "{comp_ja}が100ポイント上昇すると、金価格は{e:+.2}%変化する傾向がある（95%信頼区間 {lo:+.2}%〜{hi:+.2}%）"
            )
        }
    };
    (text, e, lo, hi)
}

fn regress(ctx: &Context, a: &GprRegressArgs, format: OutputFormat) -> Result<()> {
    if let Some(q) = a.quantiles.iter().find(|q| !(**q > 0.0 && **q < 1.0)) {
        bail!("--quantiles {q}: expected values between 0 and 1");
    }
    let store = ctx.open_store()?;
    let (_, gold) = levels(&store, &a.series, a)?;
    let gpr_series = SeriesId::new(gpr_id(a.freq, a.component))?;
    let (_, gpr) = levels(&store, &gpr_series, a)?;
    let mut control_levels = Vec::new();
    for id in &a.controls {
        let (unit, v) = levels(&store, id, a)?;
        control_levels.push((
            id.to_string(),
            v,
            if unit == Unit::Percent {
                ControlKind::Difference
            } else {
                ControlKind::LogChange
            },
        ));
    }
    let controls: Vec<Control<'_>> = control_levels
        .iter()
        .map(|(n, v, k)| Control {
            name: n.clone(),
            levels: v,
            kind: *k,
        })
        .collect();
    let input = if a.freq == Frequency::Monthly {
        GprInput::Monthly(&gpr)
    } else {
        GprInput::Daily(&gpr)
    };
    let d = aurum_risk::design(&gold, input, &controls, a.freq, a.measure)?;
    let ols = aurum_risk::ols_hac(&d, a.maxlags)?;
    let quantiles: Vec<QuantResult> = a
        .quantiles
        .iter()
        .map(|q| aurum_risk::quantreg(&d, *q))
        .collect::<Result<_, _>>()?;
    let rolling: Option<Vec<RollingPoint>> = a
        .rolling
        .map(|w| aurum_risk::rolling(&d, w, a.maxlags))
        .transpose()?;
    let (sentence, e, lo, hi) = effect(&ols, a.measure, a.component, a.lang);
    if let (Some(path), Some(points)) = (&a.plot, &rolling) {
        super::chart::rolling_beta_plot(points, a, path)?;
        ctx.note(&format!("wrote {}", path.display()));
    }
    let doc = json!({
        "series": a.series.to_string(),
        "gpr_series": gpr_series.to_string(),
        "freq": a.freq,
        "measure": a.measure,
        "component": format!("{:?}", a.component).to_lowercase(),
        "controls": a.controls.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "as_of": a.as_of,
        "n": ols.n,
        "first": d.labels.first(),
        "last": d.labels.last(),
        "ols": {
            "beta": by_name(&ols.names, &ols.beta),
            "se": by_name(&ols.names, &ols.se),
            "t": by_name(&ols.names, &ols.t),
            "p": by_name(&ols.names, &ols.p),
            "se_nonrobust": by_name(&ols.names, &ols.se_nonrobust),
            "r2": ols.r2,
            "r2_adj": ols.r2_adj,
            "n": ols.n,
            "maxlags": ols.maxlags,
        },
        "quantiles": quantiles.iter().map(|q| json!({
            "tau": q.tau,
            "beta": by_name(&ols.names, &q.beta),
            "se": by_name(&ols.names, &q.se),
            "t": by_name(&ols.names, &q.t),
            "p": by_name(&ols.names, &q.p),
            "iterations": q.iterations,
        })).collect::<Vec<_>>(),
        "effect": { "text": sentence, "pct": e, "ci_low": lo, "ci_high": hi },
        "rolling": rolling,
    });
    match format {
        OutputFormat::Json => {
            let mut out = std::io::stdout().lock();
            serde_json::to_writer_pretty(&mut out, &doc)?;
            std::io::Write::write_all(&mut out, b"\n")?;
            Ok(())
        }
        OutputFormat::Csv => {
            #[derive(Serialize)]
            struct Row<'a> {
                estimator: String,
                regressor: &'a str,
                beta: f64,
                se: f64,
                t: f64,
                p: f64,
            }
            let mut rows: Vec<Row<'_>> = (0..ols.names.len())
                .map(|i| Row {
                    estimator: "ols".into(),
                    regressor: &ols.names[i],
                    beta: ols.beta[i],
                    se: ols.se[i],
                    t: ols.t[i],
                    p: ols.p[i],
                })
                .collect();
            for q in &quantiles {
                rows.extend((0..ols.names.len()).map(|i| Row {
                    estimator: format!("quantile {}", q.tau),
                    regressor: &ols.names[i],
                    beta: q.beta[i],
                    se: q.se[i],
                    t: q.t[i],
                    p: q.p[i],
                }));
            }
            emit(format, &rows, Table::default)
        }
        OutputFormat::Table => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            writeln!(
                out,
                "{} returns on {} ({}), {} from {} to {}: {} observations",
                a.series,
                gpr_series,
                a.measure,
                a.freq,
                d.labels
                    .first()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                d.labels.last().map(ToString::to_string).unwrap_or_default(),
                ols.n
            )?;
            writeln!(out)?;
            let mut t = Table::new(&["regressor", "OLS beta", "HAC se", "t", "p"]);
            for i in 0..ols.names.len() {
                t.row(vec![
                    ols.names[i].clone(),
                    format!("{:.5}", ols.beta[i]),
                    format!("{:.5}", ols.se[i]),
                    format!("{:.2}", ols.t[i]),
                    format!("{:.4}", ols.p[i]),
                ]);
            }
            t.write(&mut out)?;
            writeln!(
                out,
                "R² {:.4} (adjusted {:.4}); Newey–West with {} lags",
                ols.r2, ols.r2_adj, ols.maxlags
            )?;
            if !quantiles.is_empty() {
                writeln!(out)?;
                let mut t = Table::new(&["quantile", "beta on gpr", "se", "p", "iterations"]);
                for q in &quantiles {
                    t.row(vec![
                        format!("{}", q.tau),
                        format!("{:.5}", q.beta[1]),
                        format!("{:.5}", q.se[1]),
                        format!("{:.4}", q.p[1]),
                        q.iterations.to_string(),
                    ]);
                }
                t.write(&mut out)?;
            }
            if let Some(r) = &rolling
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
            match a.lang {
                aurum_core::Lang::En => writeln!(out, "In words: {sentence}.")?,
                aurum_core::Lang::Ja => writeln!(out, "要約: {sentence}。")?,
            }
            Ok(())
        }
    }
}
