use thiserror::Error;

/// Why a scenario file cannot be used.
#[derive(Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum SimError {
    /// Malformed TOML or a field of the wrong type.
    #[error("{file}:{line}: {message}")]
    Syntax {
        /// File name.
        file: String,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A field with a value that cannot be used.
    #[error(
        "{file}: {}field {field:?}: {message}",
        if scenario.is_empty() { String::new() } else { format!("scenario {scenario:?}: ") }
    )]
    Field {
        /// File name.
        file: String,
        /// Scenario id (empty for top-level fields).
        scenario: String,
        /// The field at fault.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// Settings that make no run possible.
    #[error("{0}")]
    Settings(String),
}
