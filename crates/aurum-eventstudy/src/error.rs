use aurum_core::Date;
use thiserror::Error;

/// Why an event study cannot be run at all. (Single events that cannot be measured are
/// skipped, not errors.)
#[derive(Debug, Error, PartialEq)]
#[non_exhaustive]
pub enum EventStudyError {
    /// Windows in the wrong order or overlapping.
    #[error(
        "windows estimation [{e1}, {e2}] and event [{l1}, {l2}] must satisfy E1 ≤ E2 < L1 ≤ L2"
    )]
    InvalidWindows {
        /// Estimation window start.
        e1: i32,
        /// Estimation window end.
        e2: i32,
        /// Event window start.
        l1: i32,
        /// Event window end.
        l2: i32,
    },
    /// Too few estimation days for the model's parameters and the Patell statistic.
    #[error("estimation window has {m} days; the {model} model needs at least {needed}")]
    ShortEstimation {
        /// Days in the estimation window.
        m: usize,
        /// Model name.
        model: &'static str,
        /// Minimum needed.
        needed: usize,
    },
    /// The market model takes exactly one benchmark; the factor model at least one.
    #[error("the {model} model needs {expected} benchmark(s); {got} given")]
    Benchmarks {
        /// Model name.
        model: &'static str,
        /// What the model needs, in words.
        expected: &'static str,
        /// Number given.
        got: usize,
    },
    /// A log return of a non-positive price.
    #[error("{series} on {date}: price {value} is not > 0; log returns need positive prices")]
    NonPositive {
        /// Which series.
        series: String,
        /// Date of the price.
        date: Date,
        /// The price.
        value: f64,
    },
    /// Fewer than two dates shared by the series and all benchmarks.
    #[error("the series and its benchmarks share {0} dates; an event study needs many more")]
    EmptyCalendar(usize),
}
