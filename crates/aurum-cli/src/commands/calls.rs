//! `aurum calls list|show|publish|score`.

use std::io::Write;

use anyhow::Result;
use aurum_app::calls::{self, ListCalls, ScoreReport, ScoreRequest};
use aurum_app::rows;
use serde::Serialize;

use super::resolve;
use crate::args::{CallsCommand, Cli, OutputFormat};
use crate::context::Context;
use crate::output::{Table, emit, emit_rows, print_json};

pub fn run(ctx: &Context, cli: &Cli, cmd: &CallsCommand) -> Result<()> {
    match cmd {
        CallsCommand::List(a) => {
            let rows = calls::list(
                &ctx.open_store()?,
                &ListCalls {
                    series: a.series.clone(),
                    published_only: a.published,
                },
            )?;
            emit_rows(resolve(a.format, cli), &rows, || {
                let mut t = Table::new(&[
                    "id", "as of", "horizon", "series", "model", "from", "status", "events",
                    "label", "title",
                ]);
                for r in &rows {
                    t.row(vec![
                        r.id.to_string(),
                        r.as_of.to_string(),
                        r.horizon.to_string(),
                        r.series.clone(),
                        r.model.clone(),
                        r.source.clone(),
                        if r.published { "published" } else { "draft" }.into(),
                        r.events.to_string(),
                        r.label.clone().unwrap_or_default(),
                        r.title.clone(),
                    ]);
                }
                t
            })
        }
        CallsCommand::Show(a) => {
            let c = calls::show(&ctx.open_store()?, a.id)?;
            let format = resolve(a.format, cli);
            if format == OutputFormat::Json {
                return print_json(&c);
            }
            let rows: Vec<EventRow> = c
                .doc
                .events
                .iter()
                .map(|e| EventRow {
                    kind: e.kind.name(),
                    level: e.level,
                    by: e.by.to_string(),
                    p: e.p,
                })
                .collect();
            if format == OutputFormat::Csv {
                return emit(format, &rows, || Table::new(&[]));
            }
            let mut out = std::io::stdout().lock();
            let s = &c.summary;
            writeln!(
                out,
                "call {} ({}{}): {}",
                s.id,
                if s.published { "published" } else { "draft" },
                s.label
                    .as_ref()
                    .map(|l| format!(", {l:?}"))
                    .unwrap_or_default(),
                s.title
            )?;
            writeln!(
                out,
                "{} from {:.2} on {} to {}; model {}; {} paths, seed {}",
                s.series, c.doc.start.1, c.doc.start.0, s.horizon, s.model, c.doc.paths, c.doc.seed
            )?;
            writeln!(
                out,
                "horizon price: 5% {:.0}, 25% {:.0}, median {:.0}, 75% {:.0}, 95% {:.0}",
                c.doc.fan.end.q05,
                c.doc.fan.end.q25,
                c.doc.fan.end.q50,
                c.doc.fan.end.q75,
                c.doc.fan.end.q95
            )?;
            writeln!(out)?;
            let mut t = Table::new(&["event", "level", "by", "p"]);
            for r in &rows {
                t.row(vec![
                    r.kind.into(),
                    format!("{:.2}", r.level),
                    r.by.clone(),
                    format!("{:.3}", r.p),
                ]);
            }
            t.write(&mut out)?;
            if !c.doc.scenarios.is_empty() {
                writeln!(out)?;
                let mut t =
                    Table::new(&["scenario", "judged", "overall", "outcome", "date", "note"]);
                for j in &c.doc.scenarios {
                    let o = c.outcomes.iter().find(|o| o.scenario == j.id);
                    t.row(vec![
                        j.id.clone(),
                        format!("{:.2}", j.judged),
                        format!("{:.3}", j.overall),
                        o.map_or("open", |o| if o.happened { "yes" } else { "no" })
                            .into(),
                        o.and_then(|o| o.date)
                            .map(|d| d.to_string())
                            .unwrap_or_default(),
                        o.and_then(|o| o.note.clone()).unwrap_or_default(),
                    ]);
                }
                t.write(&mut out)?;
            }
            Ok(())
        }
        CallsCommand::Publish(a) => {
            let s = calls::publish(&mut ctx.open_store()?, a.id, a.label.as_deref())?;
            if resolve(a.format, cli) == OutputFormat::Json {
                return print_json(&s);
            }
            writeln!(
                std::io::stdout().lock(),
                "call {} published{}",
                s.id,
                s.label
                    .as_ref()
                    .map(|l| format!(" as {l:?}"))
                    .unwrap_or_default()
            )?;
            Ok(())
        }
        CallsCommand::Score(a) => {
            let report = calls::score_calls(
                &ctx.open_store()?,
                &ScoreRequest {
                    ids: a.ids.clone(),
                    as_of: a.as_of,
                    drafts: a.drafts,
                    series: a.series.clone(),
                },
            )?;
            match resolve(a.format, cli) {
                OutputFormat::Json => print_json(&report),
                OutputFormat::Csv => {
                    emit_rows(
                        OutputFormat::Csv,
                        &rows::scores(&report),
                        || Table::new(&[]),
                    )
                }
                OutputFormat::Table => print_scores(&report),
            }
        }
    }
}

/// One event of a call, flat (for CSV).
#[derive(Serialize)]
struct EventRow {
    kind: &'static str,
    level: f64,
    by: String,
    p: f64,
}

fn opt(x: Option<f64>, digits: usize) -> String {
    x.map_or_else(|| "—".into(), |v| format!("{v:.digits$}"))
}

fn print_scores(r: &ScoreReport) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match r.as_of {
        Some(d) => writeln!(out, "scored as known at the end of {d}")?,
        None => writeln!(out, "scored on the prices known now")?,
    }
    if r.calls.is_empty() {
        writeln!(
            out,
            "no calls to score (published ones by default; `--drafts` adds drafts)"
        )?;
        return Ok(());
    }
    let mut t = Table::new(&[
        "call",
        "as of",
        "horizon",
        "label",
        "resolved",
        "open",
        "Brier",
        "log score",
        "PIT",
    ]);
    for c in &r.calls {
        t.row(vec![
            c.id.to_string(),
            c.as_of.to_string(),
            c.horizon.to_string(),
            c.label.clone().unwrap_or_default(),
            c.score.resolved.to_string(),
            c.score.open.to_string(),
            opt(c.score.brier, 3),
            opt(c.score.log_score, 3),
            opt(c.score.pit, 2),
        ]);
    }
    t.write(&mut out)?;
    // One call: its events in full.
    if let [c] = r.calls.as_slice() {
        writeln!(out)?;
        let mut t = Table::new(&["event", "level", "by", "p", "outcome", "on", "Brier"]);
        for e in &c.score.events {
            t.row(vec![
                e.event.kind.name().into(),
                format!("{:.2}", e.event.level),
                e.event.by.to_string(),
                format!("{:.3}", e.event.p),
                e.outcome.name().into(),
                e.resolved_on.map(|d| d.to_string()).unwrap_or_default(),
                opt(e.brier, 3),
            ]);
        }
        t.write(&mut out)?;
        for p in &c.score.passages {
            if let (Some(on), Some(m), Some(d)) = (p.reached_on, p.median, p.days_from_median) {
                writeln!(
                    out,
                    "{:.2} first reached on {on}, {} trading days {} the forecast median {m}",
                    p.level,
                    d.abs(),
                    if d <= 0 { "before" } else { "after" }
                )?;
            }
        }
    }
    let tot = &r.total;
    writeln!(out)?;
    writeln!(
        out,
        "all resolved events: {} from {} calls; Brier {} (0 is perfect; a constant 50% scores 0.250), log score {}; {} of {} leaned the way they came out",
        tot.events,
        tot.calls,
        opt(tot.brier, 3),
        opt(tot.log_score, 3),
        tot.leaned_right,
        tot.events
    )?;
    let j = &r.judgements;
    if !j.items.is_empty() {
        writeln!(out)?;
        writeln!(out, "scenario judgements with recorded outcomes:")?;
        let mut t = Table::new(&["call", "scenario", "judged", "overall", "happened", "Brier"]);
        for i in &j.items {
            t.row(vec![
                i.call_id.to_string(),
                i.scenario.clone(),
                format!("{:.2}", i.judged),
                format!("{:.3}", i.p),
                if i.happened { "yes" } else { "no" }.into(),
                format!("{:.3}", i.brier),
            ]);
        }
        t.write(&mut out)?;
        writeln!(
            out,
            "Brier {} over {} judgements{}",
            opt(j.brier, 3),
            j.items.len(),
            if j.enough {
                ""
            } else {
                "; too few to judge their calibration yet"
            }
        )?;
        if j.enough {
            let mut t = Table::new(&["judged", "judgements", "mean p", "happened"]);
            for b in &j.bins {
                t.row(vec![
                    format!("{:.0}–{:.0}%", b.lo * 100.0, b.hi * 100.0),
                    b.n.to_string(),
                    format!("{:.2}", b.mean_p),
                    format!("{:.2}", b.happened),
                ]);
            }
            t.write(&mut out)?;
        }
    }
    Ok(())
}
