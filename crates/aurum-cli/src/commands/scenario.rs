//! `aurum scenario check|run`.

use anyhow::Result;
use aurum_app::figures;
use aurum_app::scenario::{self, RunResult, ScenarioRun, Simulated};
use aurum_sim::Shock;

use super::resolve;
use crate::args::{
    Cli, OutputFormat, ScenarioCommand, ScenarioResolveArgs, ScenarioRunArgs, YesNo,
};
use crate::context::Context;
use crate::output::{Table, emit, print_json};

pub fn run(ctx: &Context, cli: &Cli, cmd: &ScenarioCommand) -> Result<()> {
    match cmd {
        ScenarioCommand::Check(a) => check(ctx, &a.file, resolve(a.format, cli)),
        ScenarioCommand::Run(a) => run_file(ctx, a, resolve(a.format, cli)),
        ScenarioCommand::Resolve(a) => resolve_outcome(ctx, a, resolve(a.format, cli)),
    }
}

fn check(ctx: &Context, path: &std::path::Path, format: OutputFormat) -> Result<()> {
    let (f, _) = scenario::load(path, None)?;
    let rates = scenario::checked(&ctx.open_store()?, &f, &aurum_events::bundled()?)?.base_rates;
    let valid = format!(
        "{}: {} ({} to {}, {} scenarios) is valid",
        path.display(),
        f.title,
        f.as_of,
        f.horizon,
        f.scenarios.len()
    );
    if format != OutputFormat::Table {
        ctx.note(&valid);
        return emit(format, &rates, Table::default);
    }
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
    writeln!(out, "{valid}")?;
    t.write(&mut out)?;
    writeln!(out)?;
    if rates.is_empty() {
        writeln!(
            out,
            "No scenario has a reference class (base_rate, or a shock drawn from analogs): no base rates."
        )?;
        return Ok(());
    }
    base_rate_table(&rates).write(&mut out)?;
    writeln!(out)?;
    writeln!(out, "{}", scenario::base_rate_note(aurum_core::Lang::En))?;
    Ok(())
}

fn resolve_outcome(ctx: &Context, a: &ScenarioResolveArgs, format: OutputFormat) -> Result<()> {
    let (file, _) = scenario::load(&a.file, None)?;
    let done = aurum_app::calls::resolve(
        &mut ctx.open_store()?,
        &aurum_app::calls::ResolveRequest {
            file,
            name: a.file.display().to_string(),
            scenario: a.scenario.clone(),
            happened: a.happened == YesNo::Yes,
            date: a.date,
            note: a.note.clone(),
        },
    )?;
    if format == OutputFormat::Json {
        return print_json(&done);
    }
    let list = |ids: &[i64]| {
        ids.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{}: {}{}; recorded on call{} {}",
        done.scenario,
        if done.happened {
            "happened"
        } else {
            "did not happen"
        },
        done.date
            .map(|d| format!(" (as of {d})"))
            .unwrap_or_default(),
        if done.calls.len() == 1 { "" } else { "s" },
        list(&done.calls)
    )?;
    if !done.later_calls.is_empty() {
        writeln!(
            out,
            "left alone: call(s) {} made after that date",
            list(&done.later_calls)
        )?;
    }
    Ok(())
}

/// Each judged probability beside the base rate of its reference class in its window.
fn base_rate_table(rates: &[scenario::BaseRateOut]) -> Table {
    let mut t = Table::new(&[
        "scenario",
        "judged",
        "reference class",
        "events since 1968",
        "window",
        "base rate in window",
        "90% interval",
    ]);
    for r in rates {
        t.row(vec![
            r.scenario.clone(),
            format!("{:.3}", r.judged),
            r.category.clone(),
            format!("{} ({:.2} a year)", r.n, r.rate_per_year),
            format!("{} days", r.window_days),
            format!("{:.3}", r.p),
            format!("{:.3}–{:.3}", r.p_lo, r.p_hi),
        ]);
    }
    t
}

fn run_file(ctx: &Context, a: &ScenarioRunArgs, format: OutputFormat) -> Result<()> {
    if let Some(path) = &a.fan {
        figures::figure_kind("fan", path)?;
    }
    // A scenario file over the parser's limit is refused without reading it all.
    let text = aurum_app::input::read_text("file", &a.file, aurum_sim::MAX_FILE_BYTES as u64 + 1)?;
    let req = ScenarioRun {
        name: a.file.display().to_string(),
        text,
        as_of: a.as_of,
        paths: a.paths,
        seed: a.seed,
        contributions: !a.no_contributions,
        filing: aurum_app::calls::Filing {
            label: a.label.clone(),
            publish: a.publish,
        },
    };
    let (run, sim) = scenario::run(&mut ctx.open_store()?, &req, &ctx.progress)?;
    if let Some(path) = &a.fan {
        figures::fan_plot(&sim.file, &sim.results, run.doc.start.price, a.lang, path)?;
        ctx.note(&format!("wrote {}", path.display()));
    }
    ctx.note(&super::run_note(run.run_id));
    ctx.note(&super::call_note(run.call_id, a.publish));
    match format {
        OutputFormat::Json => print_json(&run),
        _ => print_summary(&run, &sim),
    }
}

fn print_summary(run: &RunResult, sim: &Simulated) -> Result<()> {
    let (f, r, doc) = (&sim.file, &sim.results, &run.doc);
    let (s0, last) = (doc.start.price, doc.start.date);
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
    // The headline numbers of a stack baseline: the horizon's probabilities recalibrated on
    // its track record (what the report prints), beside the simulated ones above.
    if !doc.recalibrated.is_empty() {
        writeln!(out)?;
        let mut t = Table::new(&[
            "target",
            "P(close ≥), recalibrated",
            "P(touch), recalibrated",
            "track-record level",
        ]);
        for x in &doc.recalibrated {
            let mapped = |v: f64, by_map: bool| {
                if by_map {
                    format!("{v:.3}")
                } else {
                    format!("{v:.3} (no map)")
                }
            };
            t.row(vec![
                format!("{:.2}", x.target),
                mapped(x.p_close, x.close_mapped),
                mapped(x.p_touch, x.touch_mapped),
                x.level.clone(),
            ]);
        }
        t.write(&mut out)?;
    }
    if !r.scenarios.is_empty() {
        writeln!(out)?;
        let mut t = Table::new(&[
            "scenario",
            "happened",
            "P(touch 1st target | happened)",
            "adds to P(touch)",
        ]);
        for (i, s) in r.scenarios.iter().enumerate() {
            let adds = doc.scenarios[i]
                .contribution
                .as_ref()
                .and_then(|c| c.p_touch.first())
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
    let Some(end) = r.fan.last() else {
        return Ok(());
    };
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
