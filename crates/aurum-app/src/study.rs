//! Event studies: how a price series reacted to a category of events or to chosen events.

use aurum_core::{Date, SeriesId, Unit};
use aurum_events::{Category, EventFilter};
use aurum_eventstudy::{
    Benchmark, Calendar, Design, EventSpec, Model, OverlapPolicy, Study, Transform, study,
};
use aurum_store::Store;
use serde::Serialize;

use crate::data::{Closes, closes};
use crate::events::{EventOrigin, all_events};
use crate::{AppError, AppResult, Window};

/// An event study to run.
#[derive(Clone, Debug)]
pub struct StudyRequest {
    /// The price series studied.
    pub series: SeriesId,
    /// Categories, each studied on its own (none and no `events`: every category).
    pub categories: Vec<Category>,
    /// Exactly these event ids, studied together.
    pub events: Vec<String>,
    /// Event window in trading days around day 0, e.g. (-1, 5).
    pub window: (i32, i32),
    /// Estimation window, e.g. (-250, -11).
    pub estimation: (i32, i32),
    /// Normal-return model.
    pub model: Model,
    /// Benchmark series (default: dxy for the market model; dxy, dfii10, sp500 for factors).
    pub benchmarks: Vec<SeriesId>,
    /// Events whose windows overlap.
    pub overlap: OverlapPolicy,
    /// Events dated within from/to; events and prices as known at as_of.
    pub dates: Window,
}

impl StudyRequest {
    /// A constant-mean study of `category` over the default windows.
    #[must_use]
    pub fn category(series: SeriesId, category: Category) -> Self {
        Self {
            series,
            categories: vec![category],
            events: Vec::new(),
            window: (-1, 5),
            estimation: (-250, -11),
            model: Model::Mean,
            benchmarks: Vec::new(),
            overlap: OverlapPolicy::Flag,
            dates: Window::default(),
        }
    }
}

/// Parses an event or estimation window such as `-1,5`: two days, the first not after the
/// second.
///
/// # Errors
///
/// Anything else, naming `field`: [`window_error`].
pub fn parse_window(field: &str, text: &str) -> AppResult<(i32, i32)> {
    let parts: Vec<&str> = text.split(',').map(str::trim).collect();
    if let [a, b] = parts.as_slice()
        && let (Ok(a), Ok(b)) = (a.parse(), b.parse())
        && a <= b
    {
        return Ok((a, b));
    }
    Err(window_error(field, text))
}

/// The error for a window that is not two days in order, in every front-end's words:
/// `` `window` "5,-1": expected two days like -1,5 ``.
#[must_use]
pub fn window_error(field: &str, text: &str) -> AppError {
    let like = if field == "estimation" {
        "-250,-11"
    } else {
        "-1,5"
    };
    AppError::bad(
        field,
        format!("`{field}` {text:?}: expected two days like {like}"),
    )
}

/// Checks the windows of a request: each two days in order, the estimation window ending
/// before the event window starts.
fn check_windows(window: (i32, i32), estimation: (i32, i32)) -> AppResult<()> {
    let text = |(a, b): (i32, i32)| format!("{a},{b}");
    if window.0 > window.1 {
        return Err(window_error("window", &text(window)));
    }
    if estimation.0 > estimation.1 {
        return Err(window_error("estimation", &text(estimation)));
    }
    if estimation.1 >= window.0 {
        return Err(AppError::bad(
            "estimation",
            format!(
                "`estimation` {:?}: expected to end before `window` {:?} starts, like -250,-11 before -1,5",
                text(estimation),
                text(window)
            ),
        ));
    }
    Ok(())
}

/// One studied group of events: a category, or the events the user listed.
#[derive(Clone, Debug, Serialize)]
pub struct Group {
    /// Category name, or `selected`.
    pub name: String,
    /// The study.
    #[serde(flatten)]
    pub study: Study,
}

/// Everything a study computed.
#[derive(Clone, Debug, Serialize)]
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

/// Runs the study a request describes.
///
/// # Errors
///
/// Bad windows, unknown series or event ids, models without their benchmarks.
pub fn run(store: &Store, a: &StudyRequest) -> AppResult<StudyReport> {
    check_windows(a.window, a.estimation)?;
    let design =
        Design::new(a.window, a.estimation).map_err(|e| AppError::bad("window", e.to_string()))?;
    let benchmark_ids: Vec<SeriesId> = match (a.model, a.benchmarks.is_empty()) {
        (Model::Mean, true) => Vec::new(),
        (Model::Mean, false) => {
            return Err(AppError::bad(
                "benchmark",
                "`benchmark` needs `model` market or factor",
            ));
        }
        (Model::Market, true) => vec![SeriesId::new("dxy")?],
        (Model::Factor, true) => ["dxy", "dfii10", "sp500"]
            .into_iter()
            .map(SeriesId::new)
            .collect::<Result<_, _>>()?,
        (_, false) => a.benchmarks.clone(),
    };
    let window = Window::as_of(a.dates.as_of);
    let series = closes(store, &a.series, &window)?;
    let levels: Vec<Closes> = benchmark_ids
        .iter()
        .map(|id| closes(store, id, &window))
        .collect::<AppResult<_>>()?;
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
    let cal = Calendar::new(&series.values, &benchmarks).map_err(|e| {
        AppError::from(e).context(format!("aligning {} with its benchmarks", a.series))
    })?;
    let filter = EventFilter {
        from: a.dates.from,
        to: a.dates.to,
        as_of: a.dates.as_of,
        ..EventFilter::default()
    };
    let events: Vec<aurum_events::Event> = all_events(store, EventOrigin::All)?
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
        let categories: Vec<Category> = if a.categories.is_empty() {
            Category::ALL.to_vec()
        } else {
            a.categories.clone()
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
            return Err(AppError::bad(
                "events",
                format!(
                    "unknown event id(s) {} (or dated outside `from`/`to`/`as_of`); `aurum events list` shows the catalog",
                    missing.join(", ")
                ),
            ));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_two_days_in_order() {
        assert_eq!(parse_window("window", " -1, 5").unwrap(), (-1, 5));
        assert_eq!(parse_window("window", "0,0").unwrap(), (0, 0));
        for bad in ["5,-1", "1", "a,b", "1,2,3"] {
            let e = parse_window("window", bad).unwrap_err();
            assert_eq!(
                e.to_string(),
                format!("window {bad:?}: expected two days like -1,5")
            );
            assert!(e.is_bad_value());
        }
        assert_eq!(
            parse_window("estimation", "-11,-250")
                .unwrap_err()
                .to_string(),
            "estimation \"-11,-250\": expected two days like -250,-11"
        );
        assert!(check_windows((-1, 5), (-250, -11)).is_ok());
        assert_eq!(
            check_windows((5, -1), (-250, -11)).unwrap_err().to_string(),
            "window \"5,-1\": expected two days like -1,5"
        );
        let e = check_windows((-20, 5), (-250, -11)).unwrap_err();
        assert_eq!(e.field(), Some("estimation"));
        assert!(e.to_string().contains("end before window \"-20,5\""), "{e}");
    }
}
