//! `aurum backtest`: rolling-origin forecasts scored against what happened, saved block by
//! block so that an interrupted run resumes.

use anyhow::Result;
use aurum_app::backtest::{
    self, BacktestJob, BacktestReport, parse_every, parse_fit_window, parse_models, parse_refit,
};
use aurum_app::figures;
use aurum_backtest::scores::RELIABILITY_MIN_N;
use aurum_backtest::{Config, ModelKind, Score};
use serde::Serialize;

use crate::args::{BacktestArgs, OutputFormat};
use crate::context::Context;
use crate::output::{Table, print_json};

pub fn run(ctx: &Context, a: &BacktestArgs, format: OutputFormat) -> Result<()> {
    let mut horizons = a.horizons.clone();
    horizons.sort_unstable();
    horizons.dedup();
    let cfg = Config {
        models: parse_models(&a.models)?,
        horizons,
        window: parse_fit_window(&a.fit_window)?,
        refit: parse_refit(&a.refit)?,
        paths: a.paths,
        seed: a.seed,
        relative_levels: a.relative.clone(),
        absolute_levels: a.levels.clone(),
        vol_window: 252,
        min_returns: 500,
        sampler: aurum_backtest::Sampler::Fast,
    };
    backtest::validate(&cfg)?;
    let job = BacktestJob {
        series: a.series.clone(),
        window: a.window.into(),
        every: parse_every(&a.every)?,
        cfg,
        fresh: a.fresh,
        max_blocks: a.max_blocks,
    };
    let report = backtest::run(&mut ctx.open_store()?, &job, &ctx.progress)?;
    if report.summary.scores.is_empty() {
        ctx.note(&format!(
            "nothing to score: none of the {} origins has an outcome {} trading days ahead in \
             the data{}; start earlier (--from) or use shorter --horizons",
            report.origins,
            job.cfg
                .horizons
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" or "),
            as_of_note(report.as_of)
        ));
    }
    if let Some(dir) = &a.out {
        figures::write_backtest_outputs(dir, &report, a.lang)?;
    }
    print(&report, format)
}

fn as_of_note(as_of: Option<aurum_core::Date>) -> String {
    as_of.map(|d| format!(" as of {d}")).unwrap_or_default()
}

/// One line of `--format csv`.
#[derive(Serialize)]
struct CsvRow {
    horizon: usize,
    model: ModelKind,
    n: u64,
    crps: f64,
    crps_skill_vs_gbm: Option<f64>,
    log_score: f64,
    mae: f64,
    brier: f64,
    brier_skill_vs_gbm: Option<f64>,
    brier_skill_vs_climatology: Option<f64>,
    brier_reliability: f64,
    brier_resolution: f64,
    brier_uncertainty: f64,
    pit_chi2_p: f64,
    pit_ks_p: f64,
    reliability_test_bins: Option<usize>,
    reliability_test_p: Option<f64>,
    coverage_50: f64,
    coverage_80: f64,
    coverage_90: f64,
    coverage_98: f64,
    calibrated: bool,
    verdict: String,
}

fn csv_row(s: &Score) -> CsvRow {
    let cov = |i: usize| s.coverage.get(i).map_or(f64::NAN, |c| c.rate);
    CsvRow {
        horizon: s.horizon,
        model: s.model,
        n: s.n,
        crps: s.crps,
        crps_skill_vs_gbm: s.crps_skill_vs_gbm,
        log_score: s.log_score,
        mae: s.mae,
        brier: s.brier.bs,
        brier_skill_vs_gbm: s.brier_skill_vs_gbm,
        brier_skill_vs_climatology: s.brier_skill_vs_climatology,
        brier_reliability: s.brier.reliability,
        brier_resolution: s.brier.resolution,
        brier_uncertainty: s.brier.uncertainty,
        pit_chi2_p: s.pit.chi2_p,
        pit_ks_p: s.pit.ks_p,
        reliability_test_bins: s.brier.reliability_test.as_ref().map(|t| t.bins),
        reliability_test_p: s.brier.reliability_test.as_ref().map(|t| t.p),
        coverage_50: cov(0),
        coverage_80: cov(1),
        coverage_90: cov(2),
        coverage_98: cov(3),
        calibrated: s.calibrated,
        verdict: s.verdict.clone(),
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
                "BSS clim.",
                "calibrated",
            ]);
            for s in &report.summary.scores {
                let cov: Vec<String> = s
                    .coverage
                    .iter()
                    // One decimal: a 90% interval that covered 87.6% must not read as 88%.
                    .map(|c| format!("{:.1}", c.rate * 100.0))
                    .collect();
                t.row(vec![
                    s.horizon.to_string(),
                    s.model.to_string(),
                    s.n.to_string(),
                    format!("{:.3}", s.crps),
                    s.skill.as_ref().map_or("—".into(), |k| pct1(k.crps)),
                    format!("{:.3}", s.log_score),
                    format!("{:.3}", s.pit.chi2_p),
                    cov.join("/"),
                    format!("{:.4}", s.brier.bs),
                    s.skill.as_ref().map_or("—".into(), |k| pct1(k.brier)),
                    s.brier_skill_vs_climatology.map_or("—".into(), pct1),
                    s.verdict.clone(),
                ]);
            }
            t.write(&mut out)?;
            for line in [
                "h: trading days ahead. CRPS % and log score: lower is better. skill: CRPS skill",
                "against gbm. PIT p: χ² test that the PIT is uniform. cover: % of outcomes inside",
                "the 50/80/90/98% intervals. Brier: mean over the events; BSS: Brier skill against",
                "gbm; BSS clim.: against each event's frequency known at the origin. calibrated:",
                "no calibration test flags the model at 1%.",
            ] {
                writeln!(out, "{line}")?;
            }
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
            // The reliability of the last model listed (the stack, when given), bin by bin.
            if let Some(last) = report.summary.scores.last().map(|s| s.model) {
                writeln!(
                    out,
                    "\nReliability of {last} (all threshold events pooled; *: a bin of 50 or more \
                     forecasts off by more than two standard errors):"
                )?;
                let mut t =
                    Table::new(&["h", "forecast", "n", "mean", "happened", "± s.e. (pts)", ""]);
                for s in report.summary.scores.iter().filter(|s| s.model == last) {
                    for b in &s.brier.bins {
                        // Fewer forecasts give a standard error too uncertain to judge by.
                        let off = b.n >= RELIABILITY_MIN_N
                            && b.se
                                .is_some_and(|se| (b.observed - b.mean_forecast).abs() > 2.0 * se);
                        t.row(vec![
                            s.horizon.to_string(),
                            format!("{:.0}–{:.0}%", b.lo * 100.0, b.hi * 100.0),
                            b.n.to_string(),
                            format!("{:.1}%", b.mean_forecast * 100.0),
                            format!("{:.1}%", b.observed * 100.0),
                            b.se.map_or("—".into(), |se| format!("{:.1}", se * 100.0)),
                            if off { "*".into() } else { String::new() },
                        ]);
                    }
                }
                t.write(&mut out)?;
                // One test of all the bins at once, as the calibration verdict uses it.
                for s in report.summary.scores.iter().filter(|s| s.model == last) {
                    if let Some(w) = &s.brier.reliability_test {
                        writeln!(
                            out,
                            "h={}: bins of {RELIABILITY_MIN_N} or more on the diagonal, jointly: \
                             Wald χ²({}) = {:.1}, p = {:.3}",
                            s.horizon, w.bins, w.stat, w.p
                        )?;
                    }
                }
            }
            let flagged: Vec<&Score> = report
                .summary
                .scores
                .iter()
                .filter(|s| !s.flags.is_empty())
                .collect();
            if !flagged.is_empty() {
                writeln!(out, "\nFlags (tests at 1%):")?;
                for s in flagged {
                    writeln!(out, "  h={} {}: {}", s.horizon, s.model, s.flags.join("; "))?;
                }
            }
            if !report.stack.is_empty() {
                writeln!(
                    out,
                    "\nThe stack at its last origin (weights fitted on past log scores):"
                )?;
                for t in &report.stack {
                    let w: Vec<String> = t
                        .weights
                        .iter()
                        .filter(|(_, w)| *w >= 0.005)
                        .map(|(m, w)| format!("{m} {:.0}%", w * 100.0))
                        .collect();
                    let recalibrated = match t.calibration.len() {
                        0 => format!(
                            "no event recalibrated yet (a map needs {} past outcomes of it)",
                            aurum_backtest::CALIBRATION_MIN
                        ),
                        1 => "1 event recalibrated".to_owned(),
                        n => format!("{n} events recalibrated"),
                    };
                    writeln!(
                        out,
                        "  h={} on {} forecasts: {}; {recalibrated}",
                        t.horizon,
                        t.fitted_on,
                        w.join(", "),
                    )?;
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

/// A share as a signed percentage to a tenth; a value that rounds to zero is `0.0%`, not
/// `-0.0%`.
fn pct1(x: f64) -> String {
    let v = (x * 1000.0).round() / 10.0;
    if v == 0.0 {
        "0.0%".to_owned()
    } else {
        format!("{v:+.1}%")
    }
}

#[cfg(test)]
mod tests {
    use super::pct1;

    #[test]
    fn shares_round_to_a_tenth_of_a_percent_without_a_negative_zero() {
        assert_eq!(pct1(-0.0004), "0.0%");
        assert_eq!(pct1(0.0), "0.0%");
        assert_eq!(pct1(0.0123), "+1.2%");
        assert_eq!(pct1(-0.0123), "-1.2%");
    }
}
