use thiserror::Error;

/// Why a model cannot be fitted, evaluated or simulated. (Non-convergence is not an error:
/// it is reported in [`crate::FitResult::termination`].)
#[derive(Debug, Error, PartialEq)]
#[non_exhaustive]
pub enum VolError {
    /// An unknown model, distribution or mean name.
    #[error("unknown {what} {value:?}")]
    Unknown {
        /// What was being named.
        what: &'static str,
        /// The name given.
        value: String,
    },
    /// A specification that cannot be estimated.
    #[error("{0}")]
    Spec(String),
    /// Too few observations for the model.
    #[error("{n} observations; {model} needs at least {needed}")]
    TooShort {
        /// Observations given.
        n: usize,
        /// Minimum needed.
        needed: usize,
        /// The model.
        model: String,
    },
    /// A NaN or infinite value in the data.
    #[error("observation {index} is {value}; the data must be finite")]
    NonFinite {
        /// Position in the data.
        index: usize,
        /// The value.
        value: f64,
    },
}
