use thiserror::Error;

/// Why a regression cannot be run.
#[derive(Debug, Error, PartialEq)]
#[non_exhaustive]
pub enum RiskError {
    /// Too few aligned observations.
    #[error("{n} aligned observations; the regression needs at least {needed}")]
    TooFew {
        /// Observations available.
        n: usize,
        /// Minimum.
        needed: usize,
    },
    /// Regressors that are exactly collinear.
    #[error("the regressors are collinear")]
    Singular,
    /// A log change of a value that is not positive.
    #[error("{series}: value {value} on {date} is not > 0; a log change needs positive values")]
    NonPositive {
        /// Which series.
        series: String,
        /// Its date.
        date: aurum_core::Date,
        /// The value.
        value: f64,
    },
    /// An unsupported combination of inputs.
    #[error("{0}")]
    Spec(String),
}
