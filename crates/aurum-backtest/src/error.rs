use thiserror::Error;

/// Why a backtest cannot run.
#[derive(Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum BacktestError {
    /// A setting that makes no backtest possible; the message names it.
    #[error("{0}")]
    Settings(String),
    /// Data that cannot be forecast from.
    #[error("{0}")]
    Data(String),
}
