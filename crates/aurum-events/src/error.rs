use aurum_core::text::clip;
use thiserror::Error;

/// Why an event file cannot be read. Every variant names the file and line.
#[derive(Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum EventCatalogError {
    /// The file is not valid TOML or CSV, or a field has the wrong type.
    #[error("{file}:{line}: {message}")]
    Syntax {
        /// File name.
        file: String,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A field whose value is not what it should be.
    #[error(
        "{file}:{line}: event {:?}: field {field:?}: expected {expected}, found {:?}",
        clip(id),
        clip(found)
    )]
    Field {
        /// File name.
        file: String,
        /// 1-based line of the event.
        line: usize,
        /// Event id (empty when the id itself is missing).
        id: String,
        /// Field name.
        field: &'static str,
        /// What the field needs.
        expected: String,
        /// The offending value.
        found: String,
    },
    /// An id used twice.
    #[error("{file}:{line}: event id {id:?} is already used{where_}")]
    DuplicateId {
        /// File name.
        file: String,
        /// 1-based line of the second use.
        line: usize,
        /// The id.
        id: String,
        /// Where the first use is, in words (e.g. " on line 12", " by a bundled event").
        where_: String,
    },
    /// A file with no events.
    #[error("{file}: no events")]
    Empty {
        /// File name.
        file: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_are_quoted_in_part() {
        let e = EventCatalogError::Field {
            file: "e.toml".into(),
            line: 3,
            id: "x".into(),
            field: "title_en",
            expected: "a title".into(),
            found: "y".repeat(10_000),
        };
        assert!(e.to_string().len() < 220, "{}", e.to_string().len());
    }
}
