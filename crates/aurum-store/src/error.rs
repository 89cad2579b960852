use thiserror::Error;

/// Errors from the store.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum StoreError {
    /// SQLite failed (I/O, a locked or corrupt file).
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The file was written by a newer aurum whose schema this binary does not know.
    #[error(
        "the store has schema version {found}; this aurum knows versions up to {supported}: upgrade aurum"
    )]
    NewerSchema {
        /// Version found in the file.
        found: i64,
        /// Latest version this binary knows.
        supported: i64,
    },
    /// A series id that the store does not hold.
    #[error("unknown series {0:?}; `aurum data list` shows the series in the store")]
    UnknownSeries(String),
    /// A user event whose id is already stored.
    #[error("event id {0:?} is already in the store; `aurum events remove` frees it")]
    DuplicateEvent(String),
    /// A bundled file that failed to parse (a build defect, reported rather than panicking).
    #[error("bundled data: {0}")]
    Bundled(#[from] aurum_ingest::IngestError),
    /// A value read back from the database that is not what aurum wrote.
    #[error("database holds an unreadable {what}: {value:?}")]
    Corrupt {
        /// Which field.
        what: &'static str,
        /// The stored text.
        value: String,
    },
}
