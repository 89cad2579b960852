use thiserror::Error;

/// Errors raised when building core values from untrusted input.
#[derive(Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum CoreError {
    /// A series id that is empty, too long or has characters other than `a-z`, `0-9`, `-`, `_`.
    #[error("invalid series id {0:?}: use 1 to 64 characters from a-z, 0-9, '-' and '_'")]
    InvalidSeriesId(String),
    /// A unit name that aurum does not know.
    #[error("unknown unit {0:?}: expected one of oz, g, index, percent, fx")]
    UnknownUnit(String),
    /// A frequency name that aurum does not know.
    #[error("unknown frequency {0:?}: expected daily, weekly or monthly")]
    UnknownFrequency(String),
    /// A language code that aurum does not know.
    #[error("unknown language {0:?}: expected en or ja")]
    UnknownLang(String),
}
