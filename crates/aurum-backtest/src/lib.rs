//! Rolling-origin backtests of aurum's forecast models, and the scoring rules that judge them.
//!
//! - [`origins`] and [`blocks`] lay out the forecast origins (weekly, month-end or every N
//!   trading days); [`run`] forecasts from each with only the data known then
//!   ([`History::known_at`] replays revisions), refitting on schedule with warm starts, and
//!   simulates paths to score the forecast distribution of the log return at each horizon and
//!   the probabilities of closing beyond or touching threshold levels.
//! - [`scores`] holds the scoring rules: CRPS, log score, PIT uniformity, interval coverage
//!   (Kupiec, Christoffersen), Brier score with its decomposition, Diebold–Mariano.
//! - [`summarise`] turns scored rows into per-model, per-horizon scores, skill against the
//!   GBM baseline, calibration flags and pairwise comparisons.
//!
//! Pure: the caller reads the store and writes results; no I/O, no clock. Blocks of origins
//! run in parallel and each draws from its own seeded streams, so the numbers do not depend on
//! the number of threads.
#![deny(missing_docs)]

mod engine;
mod error;
pub mod scores;
mod summary;

pub use engine::{
    BLOCK, BlockResult, Config, EventForecast, EventKind, Every, Failure, History, INTERVALS,
    ModelKind, Revision, Row, Window, blocks, origins, run, run_block, spacing,
};
pub use error::BacktestError;
pub use summary::{
    ALPHA, BINS, Comparison, Coverage, EventScore, Score, Skill, Summary, summarise,
};
