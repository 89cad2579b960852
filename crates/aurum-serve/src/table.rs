//! `format=csv`: the table-shaped answers as CSV.
//!
//! The rows and their writer are [`aurum_app::rows`], the command line's (a header row, then
//! one row per record, quoted as RFC 4180 says), so `aurum events list --format csv` and
//! `GET /api/events?format=csv` agree; this module parses `format` and answers the text.

use aurum_app::rows::Row;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::{ApiError, Query};

/// How an answer is written: `format=json` (the default) or `format=csv`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    /// JSON, the default.
    Json,
    /// CSV, for the table-shaped answers.
    Csv,
}

impl Format {
    /// The `format` query parameter; an unknown one is a 400 naming `format`.
    pub(crate) fn of(q: &Query) -> Result<Self, ApiError> {
        match q.get("format").map(|s| s.trim()) {
            None | Some("" | "json") => Ok(Self::Json),
            Some("csv") => Ok(Self::Csv),
            Some(f) => Err(ApiError::bad(
                "format",
                format!("format={f:?}: expected json or csv"),
            )),
        }
    }
}

/// `rows` as a CSV text: the header, then the rows.
///
/// # Errors
///
/// A row that does not serialise as a flat record (a bug in the row type).
pub(crate) fn to_csv<R: Row>(rows: &[R]) -> Result<String, csv::Error> {
    let mut bytes = Vec::new();
    aurum_app::rows::write_csv(&mut bytes, rows)?;
    // Every cell comes from a `str` or a number: the text is UTF-8.
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// A CSV answer: `text/csv; charset=utf-8`.
pub(crate) fn csv_response(text: String) -> Response {
    ([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], text).into_response()
}

/// `rows` answered as CSV, or a 500 when they do not serialise.
pub(crate) fn answer<R: Row>(rows: &[R]) -> Response {
    match to_csv(rows) {
        Ok(text) => csv_response(text),
        Err(e) => ApiError::internal(&e).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use serde::Serialize;

    use super::*;

    #[derive(Serialize)]
    struct T<'a> {
        a: &'a str,
        b: Option<f64>,
    }
    impl Row for T<'_> {
        const HEADER: &'static [&'static str] = &["a", "b"];
    }

    #[test]
    fn cells_are_quoted_as_rfc_4180_says() {
        let rows = [
            T {
                a: "plain",
                b: Some(1.5),
            },
            T {
                a: "comma, \"quote\"\nand line",
                b: None,
            },
        ];
        assert_eq!(
            to_csv(&rows).unwrap(),
            "a,b\nplain,1.5\n\"comma, \"\"quote\"\"\nand line\",\n"
        );
        assert_eq!(to_csv::<T<'_>>(&[]).unwrap(), "a,b\n");
    }
}
