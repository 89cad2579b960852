//! The rows of the table-shaped results: one flat record per line of a CSV.
//!
//! This module owns what each table's columns are and how a report becomes its rows, so
//! that `aurum … --format csv` and the server's `format=csv` print the same rows: events,
//! an event study's measured events, a GPR regression's coefficients, recorded runs,
//! recorded calls and scored call events. A row serialises its fields in the order of its
//! [`Row::HEADER`]; an absent value is an empty cell and a list in a cell is joined by `;`.
//! [`write_csv`] writes them for both front-ends: the header (also for no rows), then one
//! record a row, quoted as RFC 4180 says; where they go (stdout, a response) is the
//! front-end's.

use std::collections::BTreeMap;

use aurum_core::Date;
use serde::Serialize;

use crate::calls::{CallSummary, ScoreReport};
use crate::events::Listed;
use crate::gpr::GprReport;
use crate::study::StudyReport;

/// A flat record of a table: its columns, in the order its fields serialise.
pub trait Row: Serialize {
    /// The column names.
    const HEADER: &'static [&'static str];
}

/// `rows` as CSV into `out`: the header, even for no rows, then one record a row; a cell
/// that holds a comma, a quote or a line break is quoted, its quotes doubled (RFC 4180).
///
/// # Errors
///
/// I/O errors of `out`, and a row that does not serialise as a flat record (a bug in the
/// row type).
pub fn write_csv<R: Row>(out: impl std::io::Write, rows: &[R]) -> Result<(), csv::Error> {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(out);
    w.write_record(R::HEADER)?;
    for row in rows {
        w.serialize(row)?;
    }
    w.flush()?;
    Ok(())
}

/// An event as listed (`aurum events list`, `GET /api/events`).
#[derive(Clone, Debug, Serialize)]
pub struct EventRow<'a> {
    /// Id.
    pub id: &'a str,
    /// Date.
    pub date: Date,
    /// English title.
    pub title_en: &'a str,
    /// Japanese title.
    pub title_ja: &'a str,
    /// Category.
    pub category: &'static str,
    /// Region.
    pub region: &'static str,
    /// Actors, joined by `;`.
    pub actors: String,
    /// A surprise (else scheduled).
    pub surprise: bool,
    /// Source.
    pub source: &'a str,
    /// When it was announced, if known.
    pub announced: Option<&'a str>,
    /// A note.
    pub note: Option<&'a str>,
    /// `bundled` or `user`.
    pub origin: &'static str,
}

impl Row for EventRow<'_> {
    const HEADER: &'static [&'static str] = &[
        "id",
        "date",
        "title_en",
        "title_ja",
        "category",
        "region",
        "actors",
        "surprise",
        "source",
        "announced",
        "note",
        "origin",
    ];
}

/// The rows of listed events, in their order.
#[must_use]
pub fn events(list: &[Listed]) -> Vec<EventRow<'_>> {
    list.iter()
        .map(|l| {
            let e = &l.event;
            EventRow {
                id: &e.id,
                date: e.date,
                title_en: &e.title_en,
                title_ja: &e.title_ja,
                category: e.category.as_str(),
                region: e.region.as_str(),
                actors: e.actors.join(";"),
                surprise: e.surprise,
                source: &e.source,
                announced: e.announced.as_deref(),
                note: e.note.as_deref(),
                origin: l.origin,
            }
        })
        .collect()
}

/// A measured event of an event study (`aurum study`, `GET /api/study`).
#[derive(Clone, Debug, Serialize)]
pub struct StudyRow<'a> {
    /// The group it was measured in.
    pub group: &'a str,
    /// Event id.
    pub id: &'a str,
    /// The event's date.
    pub event_date: Date,
    /// Day 0: the event's date or, when that is not a trading day, the next one.
    pub day0: Date,
    /// Day 0 is not the event's date.
    pub moved: bool,
    /// Cumulative abnormal return.
    pub car: f64,
    /// Standardised CAR.
    pub scar: f64,
    /// Its p-value.
    pub p: f64,
    /// Degrees of freedom.
    pub df: usize,
    /// The events whose windows overlap this one's, joined by `;`.
    pub overlaps: String,
}

impl Row for StudyRow<'_> {
    const HEADER: &'static [&'static str] = &[
        "group",
        "id",
        "event_date",
        "day0",
        "moved",
        "car",
        "scar",
        "p",
        "df",
        "overlaps",
    ];
}

/// The rows of a study: each group's measured events, group by group.
#[must_use]
pub fn study(report: &StudyReport) -> Vec<StudyRow<'_>> {
    report
        .groups
        .iter()
        .flat_map(|g| {
            g.study.events.iter().map(move |e| StudyRow {
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

/// A coefficient of a GPR regression (`aurum gpr regress`, `GET /api/gpr/regress`).
#[derive(Clone, Debug, Serialize)]
pub struct GprRow<'a> {
    /// `ols` or `quantile <tau>`.
    pub estimator: String,
    /// The regressor.
    pub regressor: &'a str,
    /// Its coefficient (NaN when the estimator has none).
    pub beta: f64,
    /// Its standard error.
    pub se: f64,
    /// Its t statistic.
    pub t: f64,
    /// Its p-value.
    pub p: f64,
}

impl Row for GprRow<'_> {
    const HEADER: &'static [&'static str] = &["estimator", "regressor", "beta", "se", "t", "p"];
}

/// The rows of a GPR regression: each regressor's OLS coefficient, then each quantile's.
#[must_use]
pub fn gpr(r: &GprReport) -> Vec<GprRow<'_>> {
    fn at(m: &BTreeMap<String, f64>, name: &str) -> f64 {
        m.get(name).copied().unwrap_or(f64::NAN)
    }
    let mut rows: Vec<GprRow<'_>> = r
        .names
        .iter()
        .map(|n| GprRow {
            estimator: "ols".into(),
            regressor: n,
            beta: at(&r.ols.beta, n),
            se: at(&r.ols.se, n),
            t: at(&r.ols.t, n),
            p: at(&r.ols.p, n),
        })
        .collect();
    for q in &r.quantiles {
        rows.extend(r.names.iter().map(|n| GprRow {
            estimator: format!("quantile {}", q.tau),
            regressor: n,
            beta: at(&q.beta, n),
            se: at(&q.se, n),
            t: at(&q.t, n),
            p: at(&q.p, n),
        }));
    }
    rows
}

/// A recorded run as listed (`GET /api/runs`): its record without the input and results
/// (empty in a listing), and its Japanese title, empty when it has none.
#[derive(Clone, Debug, Serialize)]
pub struct RunRow<'a> {
    /// Id.
    pub id: i64,
    /// When it ran (unix seconds).
    pub created_at: i64,
    /// What ran.
    pub kind: &'a str,
    /// Title.
    pub title: &'a str,
    /// Japanese title, empty when it has none.
    pub title_ja: &'a str,
    /// Seed.
    pub seed: u64,
    /// Paths.
    pub paths: u64,
    /// Fingerprint of the data used.
    pub data_fingerprint: &'a str,
}

impl Row for RunRow<'_> {
    const HEADER: &'static [&'static str] = &[
        "id",
        "created_at",
        "kind",
        "title",
        "title_ja",
        "seed",
        "paths",
        "data_fingerprint",
    ];
}

/// The row of a recorded run with its Japanese title, if it has one.
#[must_use]
pub fn run<'a>(r: &'a aurum_store::RunRecord, title_ja: Option<&'a str>) -> RunRow<'a> {
    RunRow {
        id: r.id,
        created_at: r.created_at,
        kind: &r.kind,
        title: &r.title,
        title_ja: title_ja.unwrap_or_default(),
        seed: r.seed,
        paths: r.paths,
        data_fingerprint: &r.data_fingerprint,
    }
}

/// A recorded call is its own row (`aurum calls list`, `GET /api/calls`).
impl Row for CallSummary {
    const HEADER: &'static [&'static str] = &[
        "id",
        "created_at",
        "source",
        "label",
        "published",
        "series",
        "as_of",
        "horizon",
        "title",
        "model",
        "events",
    ];
}

/// A scored event of a call (`aurum calls score`, `GET /api/calls/score`).
#[derive(Clone, Debug, Serialize)]
pub struct ScoreRow {
    /// The call's id.
    pub call: i64,
    /// The call's as-of date.
    pub as_of: Date,
    /// What kind of event.
    pub kind: &'static str,
    /// Its price level.
    pub level: f64,
    /// The date it is called by.
    pub by: Date,
    /// The called probability.
    pub p: f64,
    /// How it came out so far.
    pub outcome: &'static str,
    /// When it resolved, if it has.
    pub resolved_on: Option<Date>,
    /// Its Brier score, once resolved.
    pub brier: Option<f64>,
}

impl Row for ScoreRow {
    const HEADER: &'static [&'static str] = &[
        "call",
        "as_of",
        "kind",
        "level",
        "by",
        "p",
        "outcome",
        "resolved_on",
        "brier",
    ];
}

/// The rows of a score report: each call's events, call by call.
#[must_use]
pub fn scores(r: &ScoreReport) -> Vec<ScoreRow> {
    r.calls
        .iter()
        .flat_map(|c| {
            c.score.events.iter().map(|e| ScoreRow {
                call: c.id,
                as_of: c.as_of,
                kind: e.event.kind.name(),
                level: e.event.level,
                by: e.event.by,
                p: e.event.p,
                outcome: e.outcome.name(),
                resolved_on: e.resolved_on,
                brier: e.brier,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Pair {
        a: i32,
        b: &'static str,
    }

    impl Row for Pair {
        const HEADER: &'static [&'static str] = &["a", "b"];
    }

    #[test]
    fn csv_rows_have_their_header_even_when_there_are_none() {
        let mut buf = Vec::new();
        write_csv::<Pair>(&mut buf, &[]).unwrap();
        assert_eq!(String::from_utf8(buf).unwrap(), "a,b\n");
        let mut buf = Vec::new();
        write_csv(&mut buf, &[Pair { a: 1, b: "x,y" }]).unwrap();
        assert_eq!(String::from_utf8(buf).unwrap(), "a,b\n1,\"x,y\"\n");
    }
}
