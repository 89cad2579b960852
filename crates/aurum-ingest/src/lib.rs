//! Getting price data into aurum: file formats, validation, the bundled data set and updaters.
//!
//! - [`parse`] turns the bytes of a file into validated daily [`Bar`]s, detecting the layout
//!   ([`Format`]): generic CSV with Date/Open/High/Low/Close/Adj Close/Volume headers (any
//!   case, `,` or `;`), stooq and Yahoo downloads, TradingView exports (`time` in unix seconds
//!   or ISO), FRED's `DATE,SERIES` with `.` for missing, and LBMA's JSON feed.
//!   Every error names the file, line and column and says what was expected
//!   ([`IngestError`]); suspicious but legal data (a day move over 25%) comes back as
//!   [`Warning`]s.
//! - [`bundled`] is the data set compiled into the binary: the series aurum knows out of the
//!   box, with their metadata and provenance.
//! - [`workbook_csv`] reads the first sheet of an XLS/XLSX/ODS workbook as CSV text (from a
//!   file, or from bytes with [`workbook_csv_from_bytes`]), and
//!   [`read_text`] a data file as text, whichever of the two it is.
//! - [`gpr`] reads the Caldara–Iacoviello Geopolitical Risk files as their authors publish
//!   them: which column feeds which series, and the date column `parse` expects.
//! - [`update`] fetches the current files of live sources (LBMA, stooq, FRED, and the GPR
//!   authors' workbooks) over HTTP(S).
//!
//! This crate knows nothing of the store: it produces bars, the caller merges them.
//!
//! ```
//! use aurum_ingest::{parse, Format, ParseOptions};
//!
//! let csv = "Date,Open,High,Low,Close,Adj Close,Volume\n\
//!            2025-02-14,2930,2940,2880,2885,2885,0\n\
//!            2025-02-18,2885,2940,2880,2935,2935,0\n";
//! let parsed = parse("gold.csv", csv.as_bytes(), &ParseOptions::default()).unwrap();
//! assert_eq!(parsed.format, Format::Yahoo);
//! assert_eq!(parsed.bars.len(), 2);
//! assert_eq!(parsed.bars[1].close, 2935.0);
//! ```
#![deny(missing_docs)]

pub mod bundled;
mod error;
pub mod gpr;
mod parse;
pub mod update;
mod values;
mod workbook;

pub use aurum_core::Bar;
pub use error::{IngestError, Warning};
pub use parse::{Format, OnBadRange, OnDuplicate, ParseOptions, Parsed, parse};
pub use values::{parse_date, unit_factor};
pub use workbook::{
    WORKBOOK_EXTENSIONS, is_workbook, read_text, workbook_csv, workbook_csv_from_bytes,
};
