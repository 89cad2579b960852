//! `format=csv`: the table-shaped answers as CSV.
//!
//! One writer for all of them (the `csv` crate, as the command line's `--format csv`):
//! a header row, then one row per record; a cell that holds a comma, a quote or a line
//! break is quoted, its quotes doubled (RFC 4180); an absent value is an empty cell; lists
//! in a cell are joined by `;`. The rows are the command line's where it prints the same
//! table, so `aurum events list --format csv` and `GET /api/events?format=csv` agree.

use aurum_app::calls::{CallSummary, ScoreReport};
use aurum_app::events::Listed;
use aurum_app::gpr::GprReport;
use aurum_app::study::StudyReport;
use aurum_core::Date;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::{ApiError, Query};

/// How an answer is written: `format=json` (the default) or `format=csv`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    /// JSON, the default.
    Json,
    /// CSV, for the table-shaped answers.
    Csv,
}

impl Format {
    /// The `format` query parameter; an unknown one is a 400 naming `format`.
    pub(crate) fn of(q: &Query) -> Result<Self, ApiError> {
        match q.get("format").map(|s| s.trim()) {
            None | Some("" | "json") => Ok(Self::Json),
            Some("csv") => Ok(Self::Csv),
            Some(f) => Err(ApiError::bad(
                "format",
                format!("format={f:?}: expected json or csv"),
            )),
        }
    }
}

/// A row of a CSV answer: its columns, in the order its fields serialise.
pub(crate) trait Row: Serialize {
    /// The header.
    const HEADER: &'static [&'static str];
}

/// `rows` as a CSV text: the header, then the rows.
///
/// # Errors
///
/// A row that does not serialise as a flat record (a bug in the row type).
pub(crate) fn to_csv<R: Row>(rows: &[R]) -> Result<String, csv::Error> {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    w.write_record(R::HEADER)?;
    for r in rows {
        w.serialize(r)?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    // Every cell comes from a `str` or a number: the text is UTF-8.
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// A CSV answer: `text/csv; charset=utf-8`.
pub(crate) fn csv_response(text: String) -> Response {
    ([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], text).into_response()
}

/// `rows` answered as CSV, or a 500 when they do not serialise.
pub(crate) fn answer<R: Row>(rows: &[R]) -> Response {
    match to_csv(rows) {
        Ok(text) => csv_response(text),
        Err(e) => ApiError::internal(&e).into_response(),
    }
}

/// An event of `GET /api/events`, as `aurum events list --format csv` prints it.
#[derive(Serialize)]
pub(crate) struct EventRow<'a> {
    id: &'a str,
    date: Date,
    title_en: &'a str,
    title_ja: &'a str,
    category: &'static str,
    region: &'static str,
    actors: String,
    surprise: bool,
    source: &'a str,
    announced: Option<&'a str>,
    note: Option<&'a str>,
    origin: &'static str,
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

pub(crate) fn event_rows(list: &[Listed]) -> Vec<EventRow<'_>> {
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

/// A measured event of `GET /api/study`, as `aurum study --format csv` prints it.
#[derive(Serialize)]
pub(crate) struct StudyRow<'a> {
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

pub(crate) fn study_rows(report: &StudyReport) -> Vec<StudyRow<'_>> {
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

/// A coefficient of `GET /api/gpr/regress`, as `aurum gpr regress --format csv` prints it:
/// OLS first, then each quantile.
#[derive(Serialize)]
pub(crate) struct GprRow<'a> {
    estimator: String,
    regressor: &'a str,
    beta: f64,
    se: f64,
    t: f64,
    p: f64,
}

impl Row for GprRow<'_> {
    const HEADER: &'static [&'static str] = &["estimator", "regressor", "beta", "se", "t", "p"];
}

pub(crate) fn gpr_rows(r: &GprReport) -> Vec<GprRow<'_>> {
    use std::collections::BTreeMap;
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

/// A recorded run of `GET /api/runs`: its record (without the input and results, empty in
/// a listing) and its Japanese title, empty when it has none.
#[derive(Serialize)]
pub(crate) struct RunRow<'a> {
    id: i64,
    created_at: i64,
    kind: &'a str,
    title: &'a str,
    title_ja: &'a str,
    seed: u64,
    paths: u64,
    data_fingerprint: &'a str,
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

pub(crate) fn run_row<'a>(r: &'a aurum_store::RunRecord, title_ja: Option<&'a str>) -> RunRow<'a> {
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

/// A call of `GET /api/calls`, as `aurum calls list --format csv` prints it.
#[derive(Serialize)]
pub(crate) struct CallRow<'a>(&'a CallSummary);

impl Row for CallRow<'_> {
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

pub(crate) fn call_rows(list: &[CallSummary]) -> Vec<CallRow<'_>> {
    list.iter().map(CallRow).collect()
}

/// A scored event of `GET /api/calls/score`, as `aurum calls score --format csv` prints it.
#[derive(Serialize)]
pub(crate) struct ScoreRow {
    call: i64,
    as_of: Date,
    kind: &'static str,
    level: f64,
    by: Date,
    p: f64,
    outcome: &'static str,
    resolved_on: Option<Date>,
    brier: Option<f64>,
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

pub(crate) fn score_rows(r: &ScoreReport) -> Vec<ScoreRow> {
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
    struct T<'a> {
        a: &'a str,
        b: Option<f64>,
    }
    impl Row for T<'_> {
        const HEADER: &'static [&'static str] = &["a", "b"];
    }

    #[test]
    fn cells_are_quoted_as_rfc_4180_says() {
        let rows = [
            T {
                a: "plain",
                b: Some(1.5),
            },
            T {
                a: "comma, \"quote\"\nand line",
                b: None,
            },
        ];
        assert_eq!(
            to_csv(&rows).unwrap(),
            "a,b\nplain,1.5\n\"comma, \"\"quote\"\"\nand line\",\n"
        );
        assert_eq!(to_csv::<T<'_>>(&[]).unwrap(), "a,b\n");
    }
}
