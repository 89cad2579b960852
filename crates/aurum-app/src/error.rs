//! [`AppError`]: what went wrong in a use case, by kind, so that each front-end maps it once.

use thiserror::Error;

/// Why a use case failed. Each front-end maps the kind once: the command line to exit code 1
/// with the message (2 for a bad value of a flag, [`AppError::is_bad_value`]), the server to HTTP 400, 404, 409 or 500 with the field at fault.
///
/// Messages write the request fields they mention in backticks (`` `paths` 10: expected … ``);
/// [`AppError::render`] turns them into `--paths` for the command line or `paths` for the API.
/// [`Display`](std::fmt::Display) gives the API form.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum AppError {
    /// The request is invalid: a bad value, a file that does not parse, an infeasible setting.
    #[error("{}", plain(message))]
    BadInput {
        /// The request field at fault, when there is one.
        field: Option<String>,
        /// What is wrong and what was expected.
        message: String,
    },
    /// The request names something that does not exist (a series, a run, a user event).
    #[error("{}", plain(.0))]
    NotFound(String),
    /// The request collides with what exists (an event id already taken).
    #[error("{}", plain(message))]
    Conflict {
        /// The request field at fault, when there is one.
        field: Option<String>,
        /// What collides.
        message: String,
    },
    /// The store failed (I/O, a locked or corrupt database).
    #[error("{context}: {source}")]
    Store {
        /// What was being done.
        context: String,
        /// The store's error.
        source: Box<aurum_store::StoreError>,
    },
    /// Anything else that is not the request's fault (writing an output file, a figure that
    /// cannot be drawn).
    #[error("{0}")]
    Internal(String),
    /// Whoever waited gave up (a request past its time limit); nothing was recorded.
    #[error("the work was stopped before it finished; nothing was recorded")]
    Cancelled,
}

/// The kind of an [`AppError`], for front-ends that map kinds to codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// [`AppError::BadInput`].
    BadInput,
    /// [`AppError::NotFound`].
    NotFound,
    /// [`AppError::Conflict`].
    Conflict,
    /// [`AppError::Store`].
    Store,
    /// [`AppError::Internal`].
    Internal,
    /// [`AppError::Cancelled`].
    Cancelled,
}

/// How a front-end names request fields in messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldStyle {
    /// Command-line flags: `--track-record-from`.
    Flag,
    /// JSON field names: `track_record_from`.
    Name,
}

/// A result of the application layer.
pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// Invalid input in `field`; the message writes fields in backticks.
    #[must_use]
    pub fn bad(field: &str, message: impl Into<String>) -> Self {
        Self::BadInput {
            field: Some(field.to_owned()),
            message: message.into(),
        }
    }

    /// Invalid input that no single field is at fault for.
    #[must_use]
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::BadInput {
            field: None,
            message: message.into(),
        }
    }

    /// Something the request names does not exist.
    #[must_use]
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::NotFound(message.into())
    }

    /// An internal failure.
    #[must_use]
    pub fn internal(message: impl std::fmt::Display) -> Self {
        Self::Internal(message.to_string())
    }

    /// A store failure while doing `context`; an unknown series is [`AppError::NotFound`].
    #[must_use]
    pub fn store(context: impl Into<String>, source: aurum_store::StoreError) -> Self {
        match source {
            aurum_store::StoreError::UnknownSeries(_) => Self::NotFound(source.to_string()),
            source => Self::Store {
                context: context.into(),
                source: Box::new(source),
            },
        }
    }

    /// The kind of error.
    #[must_use]
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::BadInput { .. } => ErrorKind::BadInput,
            Self::NotFound(_) => ErrorKind::NotFound,
            Self::Conflict { .. } => ErrorKind::Conflict,
            Self::Store { .. } => ErrorKind::Store,
            Self::Internal(_) => ErrorKind::Internal,
            Self::Cancelled => ErrorKind::Cancelled,
        }
    }

    /// [`AppError::Cancelled`] when `progress` says the work was given up.
    ///
    /// # Errors
    ///
    /// [`AppError::Cancelled`].
    pub fn check(progress: &dyn crate::Progress) -> AppResult<()> {
        if progress.cancelled() {
            Err(Self::Cancelled)
        } else {
            Ok(())
        }
    }

    /// The request field at fault, when known.
    #[must_use]
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::BadInput { field, .. } | Self::Conflict { field, .. } => field.as_deref(),
            _ => None,
        }
    }

    /// Whether this is a bad value of the request field it names: invalid input whose message
    /// starts with that field (`` `paths` 0: expected 1 to 5,000,000 ``), as the checks of a
    /// request's values write it. Errors found in a file's text name the file first and are
    /// not. The command line exits with 2 for these, as for its parser's usage errors.
    #[must_use]
    pub fn is_bad_value(&self) -> bool {
        match self {
            Self::BadInput {
                field: Some(field),
                message,
            } => message
                .strip_prefix('`')
                .and_then(|m| m.strip_prefix(field.as_str()))
                .is_some_and(|m| m.starts_with('`')),
            _ => false,
        }
    }

    /// Sets the field at fault when none is named yet.
    #[must_use]
    pub fn or_field(mut self, name: &str) -> Self {
        if let Self::BadInput { field, .. } | Self::Conflict { field, .. } = &mut self
            && field.is_none()
        {
            *field = Some(name.to_owned());
        }
        self
    }

    /// The message with fields named in `style`.
    #[must_use]
    pub fn render(&self, style: FieldStyle) -> String {
        match (self, style) {
            (Self::BadInput { message, .. } | Self::Conflict { message, .. }, FieldStyle::Flag)
            | (Self::NotFound(message), FieldStyle::Flag) => flags(message),
            _ => self.to_string(),
        }
    }

    /// Prefixes the message with where it happened (`reading x.toml: …`).
    #[must_use]
    pub fn context(self, what: impl std::fmt::Display) -> Self {
        match self {
            Self::BadInput { field, message } => Self::BadInput {
                field,
                message: format!("{what}: {message}"),
            },
            Self::Conflict { field, message } => Self::Conflict {
                field,
                message: format!("{what}: {message}"),
            },
            Self::NotFound(m) => Self::NotFound(format!("{what}: {m}")),
            Self::Store { context, source } => Self::Store {
                context: format!("{what}: {context}"),
                source,
            },
            Self::Internal(m) => Self::Internal(format!("{what}: {m}")),
            Self::Cancelled => Self::Cancelled,
        }
    }
}

/// Replaces each backticked field name (`` `a_b` ``: lowercase letters, digits and
/// underscores) with `f(name)`; other backticked text is left alone.
fn fields(text: &str, f: impl Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('`') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('`') {
            Some(end)
                if end > 0
                    && after[..end]
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') =>
            {
                out.push_str(&f(&after[..end]));
                rest = &after[end + 1..];
            }
            _ => {
                out.push('`');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Fields as JSON names: `paths`.
fn plain(text: &str) -> String {
    fields(text, str::to_owned)
}

/// Fields as flags: `--track-record-from`.
fn flags(text: &str) -> String {
    fields(text, |n| format!("--{}", n.replace('_', "-")))
}

impl From<aurum_store::StoreError> for AppError {
    fn from(e: aurum_store::StoreError) -> Self {
        Self::store("the store", e)
    }
}

impl From<std::io::Error> for AppError {
    fn from(e: std::io::Error) -> Self {
        Self::Internal(e.to_string())
    }
}

/// A compute crate's message, which names a file's keys and values, never request fields:
/// the backticks that parsers put around them (``unknown field `dat`, expected one of `id` ``)
/// are rewritten so that no front-end takes the keys for fields. The key at fault is quoted,
/// the keys expected are bare, and numbers lose their backticks:
/// `unknown field "dat", expected one of id, date`.
fn file_text(message: &str) -> String {
    if message.matches('`').count() % 2 == 1 {
        return message.replace('`', "'");
    }
    let (head, tail) = message.split_at(message.find("expected").unwrap_or(message.len()));
    let rewrite = |text: &str, quote: bool| {
        let mut out = String::with_capacity(text.len());
        for (i, part) in text.split('`').enumerate() {
            if i % 2 == 1 && quote && part.parse::<f64>().is_err() {
                out.push('"');
                out.push_str(part);
                out.push('"');
            } else {
                out.push_str(part);
            }
        }
        out
    };
    format!("{}{}", rewrite(head, true), rewrite(tail, false))
}

/// Errors of the compute crates are the request's fault: invalid data or settings.
macro_rules! bad_input_from {
    ($($t:ty),* $(,)?) => {$(
        impl From<$t> for AppError {
            fn from(e: $t) -> Self {
                Self::invalid(file_text(&e.to_string()))
            }
        }
    )*};
}

bad_input_from!(
    aurum_ingest::IngestError,
    aurum_events::EventCatalogError,
    aurum_eventstudy::EventStudyError,
    aurum_vol::VolError,
    aurum_risk::RiskError,
    aurum_backtest::BacktestError,
    aurum_core::CoreError,
);

impl From<aurum_sim::SimError> for AppError {
    fn from(e: aurum_sim::SimError) -> Self {
        match &e {
            aurum_sim::SimError::Field { field, .. } => Self::BadInput {
                field: Some((*field).to_owned()),
                message: file_text(&e.to_string()),
            },
            _ => Self::invalid(file_text(&e.to_string())),
        }
    }
}

impl From<aurum_chart::ChartError> for AppError {
    fn from(e: aurum_chart::ChartError) -> Self {
        Self::Internal(e.to_string())
    }
}

impl From<aurum_report::ReportError> for AppError {
    fn from(e: aurum_report::ReportError) -> Self {
        Self::Internal(e.to_string())
    }
}

impl From<serde_json::Error> for AppError {
    fn from(e: serde_json::Error) -> Self {
        Self::Internal(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_rendered_as_flags_or_names() {
        let e = AppError::bad(
            "track_record_from",
            "`from` 2025-02-01 is after `to` 2025-01-01; see `aurum data list`, `track_record_from`",
        );
        assert_eq!(
            e.render(FieldStyle::Flag),
            "--from 2025-02-01 is after --to 2025-01-01; see `aurum data list`, --track-record-from"
        );
        assert_eq!(
            e.to_string(),
            "from 2025-02-01 is after to 2025-01-01; see `aurum data list`, track_record_from"
        );
        assert_eq!(e.field(), Some("track_record_from"));
        assert_eq!(e.kind(), ErrorKind::BadInput);
        assert!(!e.is_bad_value());
    }

    #[test]
    fn bad_values_start_with_their_field() {
        assert!(AppError::bad("paths", "`paths` 0: expected 1 to 5,000,000").is_bad_value());
        assert!(AppError::bad("every", "`every`: expected week").is_bad_value());
        assert!(!AppError::bad("every", "`every_x`: expected week").is_bad_value());
        assert!(!AppError::bad("from", "series x has no data").is_bad_value());
        assert!(!AppError::invalid("`paths` 0").is_bad_value());
        assert!(
            !AppError::bad("paths", "`paths` 0")
                .context("x.toml")
                .is_bad_value()
        );
        let file = AppError::from(aurum_sim::SimError::Field {
            file: "s.toml".into(),
            scenario: "a".into(),
            field: "probability",
            message: "1.5: expected a probability between 0 and 1".into(),
        });
        assert!(!file.is_bad_value());
    }

    /// A file's keys in a parser's message are not taken for request fields.
    #[test]
    fn file_keys_are_not_rendered_as_flags() {
        let e = AppError::from(aurum_events::EventCatalogError::Syntax {
            file: "e.toml".into(),
            line: 3,
            message: "unknown field `dat`, expected one of `id`, `title_en`".into(),
        });
        let want = "e.toml:3: unknown field \"dat\", expected one of id, title_en";
        assert_eq!(e.render(FieldStyle::Flag), want);
        assert_eq!(e.to_string(), want);
        assert_eq!(
            file_text("invalid type: integer `5`, expected a string"),
            "invalid type: integer 5, expected a string"
        );
        assert_eq!(file_text("a ` b"), "a ' b");
    }

    #[test]
    fn an_unknown_series_is_not_found() {
        let e = AppError::from(aurum_store::StoreError::UnknownSeries("x".into()));
        assert_eq!(e.kind(), ErrorKind::NotFound);
        let e = AppError::bad("a", "`a` x").context("in file");
        assert_eq!(e.to_string(), "in file: a x");
        assert_eq!(plain("a ` b"), "a ` b");
        assert_eq!(plain("``"), "``");
    }
}
