//! `aurum study`: event studies of a price series by category or for chosen events.

use anyhow::{Context as _, Result, bail};
use aurum_core::{Date, SeriesId, Unit};
use aurum_events::{Category, EventFilter};
use aurum_eventstudy::{Benchmark, Calendar, Design, EventSpec, Model, Study, Transform, study};
use serde::Serialize;

use crate::args::{EventOrigin, OutputFormat, StudyArgs};
use crate::commands::data::{Closes, closes};
use crate::commands::events::all_events;
use crate::context::Context;
use crate::output::{Table, emit, print_json};

/// One studied group of events: a category, or the events the user listed.
#[derive(Serialize)]
pub struct Group {
    /// Category name, or `selected`.
    pub name: String,
    /// The study.
    #[serde(flatten)]
    pub study: Study,
}

/// Everything `aurum study` computed.
#[derive(Serialize)]
pub struct StudyReport {
    /// Series studied.
    pub series: String,
    /// Benchmarks used.
    pub benchmarks: Vec<String>,
    /// As-of date applied.
    pub as_of: Option<Date>,
    /// The groups.
    pub groups: Vec<Group>,
}

fn window(flag: &str, text: &str) -> Result<(i32, i32)> {
    let parts: Vec<&str> = text.split(',').map(str::trim).collect();
    match parts.as_slice() {
        [a, b] => match (a.parse(), b.parse()) {
            (Ok(a), Ok(b)) => Ok((a, b)),
            _ => bail!("{flag} {text:?}: expected two integers such as -1,5"),
        },
        _ => bail!("{flag} {text:?}: expected two integers such as -1,5"),
    }
}

/// Runs the study the arguments describe.
///
/// # Errors
///
/// Bad windows, unknown series or event ids, models without their benchmarks.
pub fn compute(ctx: &Context, a: &StudyArgs) -> Result<StudyReport> {
    let store = ctx.open_store()?;
    let design = Design::new(
        window("--window", &a.window)?,
        window("--estimation", &a.estimation)?,
    )?;
    let benchmark_ids: Vec<SeriesId> = match (a.model, a.benchmark.is_empty()) {
        (Model::Mean, true) => Vec::new(),
        (Model::Mean, false) => bail!("--benchmark needs --model market or factor"),
        (Model::Market, true) => vec![SeriesId::new("dxy")?],
        (Model::Factor, true) => ["dxy", "dfii10", "sp500"]
            .into_iter()
            .map(SeriesId::new)
            .collect::<Result<_, _>>()?,
        (_, false) => a.benchmark.clone(),
    };
    let window = crate::args::Window {
        from: None,
        to: None,
        as_of: a.dates.as_of,
    };
    let series = closes(&store, &a.series, &window)?;
    let levels: Vec<Closes> = benchmark_ids
        .iter()
        .map(|id| closes(&store, id, &window))
        .collect::<Result<_>>()?;
    let benchmarks: Vec<Benchmark<'_>> = levels
        .iter()
        .map(|c| Benchmark {
            name: c.id.to_string(),
            levels: &c.values,
            transform: if c.unit == Unit::Percent {
                Transform::Difference
            } else {
                Transform::LogReturn
            },
        })
        .collect();
    let cal = Calendar::new(&series.values, &benchmarks)
        .with_context(|| format!("aligning {} with its benchmarks", a.series))?;

    let filter = EventFilter {
        from: a.dates.from,
        to: a.dates.to,
        as_of: a.dates.as_of,
        ..EventFilter::default()
    };
    let events: Vec<aurum_events::Event> = all_events(&store, EventOrigin::All)?
        .into_iter()
        .map(|l| l.event)
        .filter(|e| filter.matches(e))
        .collect();
    let spec = |e: &aurum_events::Event| EventSpec {
        id: e.id.clone(),
        date: e.date,
    };
    let mut groups = Vec::new();
    if a.events.is_empty() {
        let categories: Vec<Category> = if a.category.is_empty() {
            Category::ALL.to_vec()
        } else {
            a.category.clone()
        };
        for c in categories {
            let specs: Vec<EventSpec> = events
                .iter()
                .filter(|e| e.category == c)
                .map(spec)
                .collect();
            groups.push(Group {
                name: c.to_string(),
                study: study(&cal, a.model, &design, &specs, a.overlap)?,
            });
        }
    } else {
        let missing: Vec<&str> = a
            .events
            .iter()
            .filter(|id| !events.iter().any(|e| e.id == **id))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            bail!(
                "unknown event id(s) {} (or dated outside --from/--to/--as-of); `aurum events list` shows the catalog",
                missing.join(", ")
            );
        }
        let specs: Vec<EventSpec> = events
            .iter()
            .filter(|e| a.events.contains(&e.id))
            .map(spec)
            .collect();
        groups.push(Group {
            name: "selected".into(),
            study: study(&cal, a.model, &design, &specs, a.overlap)?,
        });
    }
    Ok(StudyReport {
        series: a.series.to_string(),
        benchmarks: benchmark_ids.iter().map(ToString::to_string).collect(),
        as_of: a.dates.as_of,
        groups,
    })
}

#[derive(Serialize)]
struct EventRow<'a> {
    group: &'a str,
    id: &'a str,
    event_date: Date,
    day0: Date,
    moved: bool,
    car: f64,
    scar: f64,
    p: f64,
    df: usize,
    overlaps: String,
}

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
    let report = compute(ctx, a)?;
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
        super::chart::caar_plot(&report, a, path)?;
        ctx.note(&format!("wrote {}", path.display()));
    }
    match format {
        OutputFormat::Json => print_json(&report),
        OutputFormat::Csv => {
            let rows = event_rows(&report);
            emit(format, &rows, Table::default)
        }
        OutputFormat::Table => {
            let mut out = std::io::stdout().lock();
            summary_table(&report).write(&mut out)?;
            std::io::Write::write_all(&mut out, b"\n")?;
            let rows = event_rows(&report);
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

fn event_rows(report: &StudyReport) -> Vec<EventRow<'_>> {
    report
        .groups
        .iter()
        .flat_map(|g| {
            g.study.events.iter().map(move |e| EventRow {
                group: &g.name,
                id: &e.id,
                event_date: e.event_date,
                day0: e.day0,
                moved: e.moved,
                car: e.car,
                scar: e.scar,
                p: e.p,
                df: e.df,
                overlaps: e.overlaps.join(";"),
            })
        })
        .collect()
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
