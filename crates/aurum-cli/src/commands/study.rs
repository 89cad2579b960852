//! `aurum study`: event studies of a price series by category or for chosen events.

use anyhow::Result;
use aurum_app::study::{self, StudyReport, StudyRequest, parse_window};
use aurum_app::{figures, rows};

use crate::args::{OutputFormat, StudyArgs};
use crate::context::Context;
use crate::output::{Table, emit_rows, print_json};

fn pct(v: f64) -> String {
    format!("{:+.2}%", 100.0 * v)
}

fn num(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.2}")
    } else {
        "n/a".to_owned()
    }
}

fn pval(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.3}")
    } else {
        "n/a".to_owned()
    }
}

pub fn run(ctx: &Context, a: &StudyArgs, format: OutputFormat) -> Result<()> {
    let req = StudyRequest {
        series: a.series.clone(),
        categories: a.category.clone(),
        events: a.events.clone(),
        window: parse_window("window", &a.window)?,
        estimation: parse_window("estimation", &a.estimation)?,
        model: a.model,
        benchmarks: a.benchmark.clone(),
        overlap: a.overlap,
        dates: a.dates.into(),
    };
    let report = study::run(&ctx.open_store()?, &req)?;
    let moved: usize = report
        .groups
        .iter()
        .map(|g| g.study.events.iter().filter(|e| e.moved).count())
        .sum();
    if moved > 0 {
        ctx.note(&format!("note: {moved} event(s) dated on a non-trading day were moved to the next trading day (day0)"));
    }
    for g in &report.groups {
        for s in &g.study.skipped {
            ctx.note(&format!(
                "note: {}: skipped {} ({}): {}",
                g.name, s.id, s.event_date, s.reason
            ));
        }
    }
    if let Some(path) = &a.plot {
        figures::caar_plot(&report, &req, a.lang, path)?;
        ctx.note(&format!("wrote {}", path.display()));
    }
    match format {
        OutputFormat::Json => print_json(&report),
        OutputFormat::Csv => {
            let rows = rows::study(&report);
            emit_rows(format, &rows, Table::default)
        }
        OutputFormat::Table => {
            let mut out = std::io::stdout().lock();
            summary_table(&report).write(&mut out)?;
            std::io::Write::write_all(&mut out, b"\n")?;
            let rows = rows::study(&report);
            let mut t = Table::new(&[
                "group", "event", "date", "day 0", "CAR", "t", "p", "overlaps",
            ]);
            for r in &rows {
                t.row(vec![
                    r.group.to_owned(),
                    r.id.to_owned(),
                    r.event_date.to_string(),
                    if r.moved {
                        format!("{}*", r.day0)
                    } else {
                        r.day0.to_string()
                    },
                    pct(r.car),
                    num(r.scar),
                    pval(r.p),
                    r.overlaps.clone(),
                ]);
            }
            t.write(&mut out)?;
            Ok(())
        }
    }
}

fn summary_table(report: &StudyReport) -> Table {
    let mut t = Table::new(&[
        "group", "N", "CAAR", "t (cs)", "p", "Patell Z", "BMP t", "KP t", "rank Z", "sign Z",
        "skipped",
    ]);
    for g in &report.groups {
        let skipped = g.study.skipped.len().to_string();
        match &g.study.aggregate {
            Some(x) => t.row(vec![
                g.name.clone(),
                x.n.to_string(),
                pct(x.caar),
                num(x.t_cs),
                pval(x.p_cs),
                num(x.patell_z),
                num(x.bmp_t),
                num(x.kp_t),
                num(x.rank_z),
                num(x.sign_z),
                skipped,
            ]),
            None => t.row(vec![
                g.name.clone(),
                g.study.events.len().to_string(),
                g.study
                    .events
                    .first()
                    .map(|e| pct(e.car))
                    .unwrap_or_default(),
                "n/a".into(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                skipped,
            ]),
        }
    }
    t
}
