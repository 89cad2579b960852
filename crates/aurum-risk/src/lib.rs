//! Geopolitical risk and gold: how gold's returns move with the Caldara–Iacoviello
//! Geopolitical Risk (GPR) index.
//!
//! - [`design`] builds the regression data: gold returns per period (weekly, `W-FRI` weeks;
//!   monthly; or daily), the GPR measure of the same period ([`Measure`]: level, change,
//!   log change, or AR(1) shock) from the daily index (weekly means) or the authors' monthly
//!   index, and control variables as changes; rows aligned on period labels.
//! - [`ols_hac`] estimates OLS with Newey–West (HAC, Bartlett) standard errors, as
//!   statsmodels; [`quantreg`] estimates quantile regressions by statsmodels' iteratively
//!   reweighted least squares, with its kernel sandwich covariance; [`rolling`] re-estimates
//!   OLS on moving windows.
//!
//! - [`Dictionary`] and [`news_index`] build a GPR-style index from a user's own news: the
//!   share of articles per period that match geopolitical terms in the word categories of
//!   Caldara and Iacoviello (threats and acts), normalised to 100 over a base period, with
//!   English (word) and Japanese (substring, no spaces needed) matching.
//!
//! Every convention is written out in `scripts/reference/gpr_regress.py`, which computes the
//! same numbers with statsmodels for the tests. Pure: no I/O.
#![deny(missing_docs)]
// Index loops mirror the matrix formulas they implement.
#![allow(clippy::needless_range_loop)]

mod design;
mod error;
mod news;
mod regress;

pub use design::{Control, ControlKind, Design, GprInput, Measure, design};
pub use error::RiskError;
pub use news::{Article, Classification, Dictionary, IndexRow, Kind, news_index};
pub use regress::{OlsResult, QuantResult, RollingPoint, auto_lags, ols_hac, quantreg, rolling};
