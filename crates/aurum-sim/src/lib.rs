//! Scenario trees and the Monte Carlo engine.
//!
//! - [`parse`] reads a scenario file ([`ScenarioFile`]): the question, `as_of`, the horizon,
//!   [`Target`]s, the [`Baseline`] model and the tree of [`Scenario`]s (probability within a
//!   window, `requires`, `excludes`, a [`Shock`], a volatility [`Regime`]), validated with
//!   errors that name the scenario and field.
//! - [`simulate`] runs daily paths on the trading days to the horizon, in parallel and
//!   deterministically (path `i` draws its scenarios from its own ChaCha stream and its
//!   innovations from its own xoshiro256++ stream through a tabulated inverse CDF, and
//!   every statistic is an integer count), keeping running statistics only: per-day
//!   histograms of the log price (the fan), hits and first-passage days per target, and
//!   scenario counts — memory does not grow with paths × days. Paths of one model step
//!   side by side, several lanes at a time (structure of arrays). [`simulate_with`] takes
//!   [`Sampler::Exact`], the slower reference sampler (ChaCha8, Gamma-based draws), instead.
//!
//! Pure: the caller fits the baseline and measures analogs; no I/O.
#![deny(missing_docs)]

mod engine;
mod error;
mod file;

pub use engine::{
    Base, Combination, FanPoint, Member, Results, RunOptions, Sampler, ScenarioResult, Setup,
    TargetDay, TargetResult, simulate, simulate_scalar, simulate_with, simulate_with_progress,
    trading_days,
};
pub use error::SimError;
pub use file::{
    ANALOG_CATEGORIES, Baseline, MAX_FILE_BYTES, MAX_HORIZON_DAYS, MAX_SCENARIOS, MAX_TARGETS,
    Regime, Scenario, ScenarioFile, ScenarioText, Shock, Target, parse,
};
