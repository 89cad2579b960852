use std::fmt;

use aurum_core::Date;
use aurum_core::text::clip;
use thiserror::Error;

/// Why a file could not be imported. Every variant names the file, and the line and column
/// where it applies.
#[derive(Debug, Error, PartialEq)]
#[non_exhaustive]
pub enum IngestError {
    /// A cell that does not hold what its column needs.
    #[error(
        "{file}:{line}: column {:?}: expected {expected}, found {:?}",
        clip(column),
        clip(found)
    )]
    Cell {
        /// File name as given by the user.
        file: String,
        /// 1-based line number in the file.
        line: u64,
        /// Column header (or JSON field).
        column: String,
        /// What the column needs.
        expected: String,
        /// The offending text.
        found: String,
    },
    /// A row whose values contradict each other (a high below the open, say).
    #[error("{file}:{line}: {message}")]
    Row {
        /// File name as given by the user.
        file: String,
        /// 1-based line number in the file.
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// Two rows for the same date.
    #[error(
        "{file}:{line}: duplicate date {date} (first seen on line {first_line}); pass --on-duplicate keep-last to keep the later row"
    )]
    DuplicateDate {
        /// File name as given by the user.
        file: String,
        /// Line of the second occurrence.
        line: u64,
        /// Line of the first occurrence.
        first_line: u64,
        /// The repeated date.
        date: Date,
    },
    /// The file's layout is not one aurum can read.
    #[error("{file}: {message}")]
    Layout {
        /// File name as given by the user.
        file: String,
        /// What was expected.
        message: String,
    },
    /// An element of a JSON file that does not hold what it should.
    #[error(
        "{file}: element {index}: field {:?}: expected {expected}, found {}",
        clip(field),
        clip(found)
    )]
    JsonElement {
        /// File name as given by the user.
        file: String,
        /// 0-based position of the element in the top-level array.
        index: usize,
        /// The field at fault.
        field: String,
        /// What the field needs.
        expected: String,
        /// The offending value, as JSON.
        found: String,
    },
    /// The file has a header but no data rows.
    #[error("{file}: no data rows")]
    Empty {
        /// File name as given by the user.
        file: String,
    },
    /// A file that could not be opened or read.
    #[error("{file}: cannot read the file: {message}")]
    Read {
        /// File name as given by the user.
        file: String,
        /// What went wrong, in words.
        message: String,
    },
    /// A spreadsheet workbook (XLS, XLSX, XLSM, XLSB, ODS) that could not be decoded.
    #[error("{file}: {message}")]
    Workbook {
        /// File name as given by the user.
        file: String,
        /// What went wrong, in words.
        message: String,
    },
    /// An online source could not be read.
    #[error("fetching {url}: {message}")]
    Fetch {
        /// The address that was requested.
        url: String,
        /// What went wrong, in words.
        message: String,
    },
}

/// Something legal but suspicious in an imported file.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Warning {
    /// A close-to-close move larger than the threshold (25%).
    LargeMove {
        /// Line of the second day.
        line: u64,
        /// The day of the move.
        date: Date,
        /// The move in percent.
        pct: f64,
    },
    /// A row skipped because it holds no value (Yahoo's `null`, FRED's `.`).
    MissingValue {
        /// Line of the row.
        line: u64,
        /// The row's date.
        date: Date,
    },
    /// A row whose open/high/low contradict its close; kept as close-only.
    RangeDropped {
        /// Line of the row.
        line: u64,
        /// The row's date.
        date: Date,
    },
    /// A later row replaced an earlier one of the same date (`--on-duplicate keep-last`).
    DuplicateReplaced {
        /// Line of the row that was kept.
        line: u64,
        /// The repeated date.
        date: Date,
    },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::LargeMove { line, date, pct } => {
                write!(
                    f,
                    "line {line}: {date}: close moved {pct:+.1}% in one day; check the data"
                )
            }
            Self::MissingValue { line, date } => {
                write!(f, "line {line}: {date}: no value, row skipped")
            }
            Self::RangeDropped { line, date } => write!(
                f,
                "line {line}: {date}: open/high/low contradict each other; kept the close only"
            ),
            Self::DuplicateReplaced { line, date } => {
                write!(
                    f,
                    "line {line}: {date}: replaces an earlier row of the same date"
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_are_quoted_in_part() {
        let e = IngestError::Cell {
            file: "a.csv".into(),
            line: 2,
            column: "Close".into(),
            expected: "a number".into(),
            found: "9".repeat(100_000),
        };
        let text = e.to_string();
        assert!(text.len() < 200, "{}", text.len());
        assert!(text.contains("(99920 more characters)"), "{text}");
        assert_eq!(clip("short"), "short");
        assert_eq!(
            clip(&"金".repeat(81)),
            format!("{}… (1 more characters)", "金".repeat(80))
        );
    }
}
