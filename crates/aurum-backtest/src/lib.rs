//! Rolling-origin backtests of aurum's forecast models, and the scoring rules that judge them.
//!
//! - [`origins`] and [`blocks`] lay out the forecast origins (weekly, month-end or every N
//!   trading days); [`run`] forecasts from each with only the data known then
//!   ([`History::known_at`] replays revisions), refitting on schedule with warm starts, and
//!   simulates paths to score the forecast distribution of the log return at each horizon and
//!   the probabilities of closing beyond or touching threshold levels.
//! - [`scores`] holds the scoring rules: CRPS, log score, PIT uniformity, interval coverage
//!   (Kupiec, Christoffersen), Brier score with its decomposition, Diebold–Mariano.
//! - Models ([`ModelKind`]) pair a volatility model ([`VolModel`]: GBM, GARCH-t, GJR-t,
//!   filtered historical simulation) with a mean model ([`MeanModel`]: its own, zero, the
//!   historical mean, or time-series momentum with shrinkage, [`momentum_drift`]), all
//!   estimated from what is known at the origin.
//! - [`VolModel::Har`] is Corsi's HAR on daily squared returns (fitted by OLS in
//!   [`aurum_vol::HarFit`], simulated by bootstrapping its standardised residuals), a
//!   volatility model outside the GARCH family that pairs with any mean model (`har+mom`).
//! - [`stack`] mixes the members' forecasts with weights fitted on their past log scores and
//!   recalibrates its event probabilities on past outcomes, using only forecasts whose
//!   outcome was known at each origin.
//! - [`summarise`] turns scored rows into per-model, per-horizon scores, skill against the
//!   GBM baseline and against climatology ([`Climate`]: how often each event happened over
//!   the history known at the origin), calibration flags and pairwise comparisons.
//!
//! - [`call`] scores a published call when its outcomes arrive: each event resolved on the
//!   closes known at the scoring date, Brier and log scores, the horizon close's place in the
//!   forecast distribution and first passages against their forecast medians.
//!
//! Pure: the caller reads the store and writes results; no I/O, no clock. Blocks of origins
//! run in parallel and each draws from its own seeded streams, so the numbers do not depend on
//! the number of threads.
#![deny(missing_docs)]

pub mod call;
mod engine;
mod error;
mod mean;
mod model;
pub mod scores;
mod stack;
mod summary;

pub use aurum_vol::Sampler;
pub use engine::{
    BLOCK, BlockResult, CLIMATE_MIN, Climate, Config, EventForecast, EventKind, Every, Failure,
    Forecaster, History, INTERVALS, QUANTILES, Revision, Row, Window, blocks, fit_member, origins,
    run, run_block, run_until, spacing,
};
pub use error::BacktestError;
pub use mean::{MOM_HORIZON, MOM_LOOKBACK, MOM_MIN_OBS, hist_drift, momentum_drift};
pub use model::{MeanModel, ModelKind, VolModel};
pub use stack::{
    CALIBRATION_MIN, CALIBRATION_PRIOR, Calibration, STACK_MIN, StackWeights, fit_as_of, stack,
    stacking_weights, stacking_weights_em,
};
pub use summary::{
    ALPHA, BINS, Comparison, Coverage, EventScore, JUDGE_MIN, Score, Skill, Summary, summarise,
};
