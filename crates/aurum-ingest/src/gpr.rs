//! The Caldara–Iacoviello Geopolitical Risk (GPR) index files, as the authors publish them.
//!
//! The authors' monthly file (`data_gpr_export.xls`) dates its rows in a first column named
//! `month`, the daily one (`data_gpr_daily_recent.xls`) in `DAY` or `date`; then come the
//! index columns (`GPR`, `GPRT`, `GPRA`, `GPRH…`, `GPRD…`, one `GPRC_xxx` and `GPRHC_xxx` per
//! country) among others aurum does not read. The CSV exports of the same sheets are
//! separated by `,`, `;` or tabs.
//!
//! [`table`] finds the index columns of such a file and names its date column `date`, so that
//! [`parse`](crate::parse) reads each column in turn; workbooks are first made CSV by
//! [`workbook_csv`](crate::workbook_csv) (or [`read_text`](crate::read_text)).
//!
//! ```
//! use aurum_ingest::{gpr, parse};
//!
//! let text = "month;GPR;GPRT;GPRC_USA\n2025-01-01;120,5;131,25;0,8\n";
//! let table = gpr::table("gpr.csv", text).unwrap();
//! assert_eq!(table.columns[2].series, "gpr-country-usa");
//! let parsed = parse("gpr.csv", table.csv.as_bytes(), &table.columns[0].parse_options()).unwrap();
//! assert_eq!(parsed.bars[0].close, 120.5);
//! ```

use crate::parse::{detect_delimiter, header_line};
use crate::{IngestError, ParseOptions};

/// An index column of an authors' file and the series it feeds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GprColumn {
    /// The column's header as written in the file (trimmed, quotes removed), e.g. `GPRC_USA`.
    pub header: String,
    /// The id of the series it feeds, e.g. `gpr-country-usa` (see [`series_of_column`]).
    pub series: String,
}

impl GprColumn {
    /// How to read this column from [`GprTable::csv`] with [`parse`](crate::parse): the
    /// column by name, values allowed to be 0 or negative (an index may be 0 on a quiet day).
    #[must_use]
    pub fn parse_options(&self) -> ParseOptions {
        ParseOptions {
            column: Some(self.header.clone()),
            positive: false,
            ..ParseOptions::default()
        }
    }
}

/// An authors' file made ready for [`parse`](crate::parse).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GprTable {
    /// The index columns, in the file's order.
    pub columns: Vec<GprColumn>,
    /// The file's text with its first column named `date` when the authors named it `month`,
    /// `DAY` or `date` (any case); every other byte as in the file (a leading byte-order mark
    /// removed), so that line numbers in [`parse`](crate::parse)'s errors are the file's.
    pub csv: String,
}

/// The series a column of the authors' files feeds, if any: `GPR` → `gpr`, `GPRT` →
/// `gpr-threats`, `GPRA` → `gpr-acts`, `GPRH`/`GPRHT`/`GPRHA` → `gpr-hist`,
/// `gpr-hist-threats`, `gpr-hist-acts`, `GPRD`/`GPRD_ACT`/`GPRD_THREAT` → `gpr-daily`,
/// `gpr-daily-acts`, `gpr-daily-threats`, `GPRC_xxx` → `gpr-country-xxx` and `GPRHC_xxx` →
/// `gpr-hist-country-xxx` (country codes lowercased). Case and surrounding spaces are ignored.
///
/// ```
/// use aurum_ingest::gpr::series_of_column;
///
/// assert_eq!(series_of_column("GPRD_ACT").as_deref(), Some("gpr-daily-acts"));
/// assert_eq!(series_of_column(" gprc_jpn ").as_deref(), Some("gpr-country-jpn"));
/// assert_eq!(series_of_column("SHARE_GPR"), None);
/// ```
#[must_use]
pub fn series_of_column(header: &str) -> Option<String> {
    let c = header.trim().to_ascii_uppercase();
    let fixed = match c.as_str() {
        "GPR" => Some("gpr"),
        "GPRT" => Some("gpr-threats"),
        "GPRA" => Some("gpr-acts"),
        "GPRH" => Some("gpr-hist"),
        "GPRHT" => Some("gpr-hist-threats"),
        "GPRHA" => Some("gpr-hist-acts"),
        "GPRD" => Some("gpr-daily"),
        "GPRD_ACT" => Some("gpr-daily-acts"),
        "GPRD_THREAT" => Some("gpr-daily-threats"),
        _ => None,
    };
    if let Some(id) = fixed {
        return Some(id.to_owned());
    }
    let country = |prefix: &str| c.strip_prefix(prefix).filter(|code| !code.is_empty());
    if let Some(code) = country("GPRC_") {
        return Some(format!("gpr-country-{}", code.to_ascii_lowercase()));
    }
    country("GPRHC_").map(|code| format!("gpr-hist-country-{}", code.to_ascii_lowercase()))
}

/// Finds the index columns of an authors' file and names its date column `date`.
///
/// `text` is the file's text (a CSV export, or a workbook's first sheet from
/// [`workbook_csv`](crate::workbook_csv)) and `file` its name for messages. The header is the
/// first line that is neither blank nor a `#` comment; its separator (`,`, `;` or tab) is
/// detected as [`parse`](crate::parse) detects it, and the first column is renamed when it is
/// `month`, `DAY` or `date`. Values are not read here: pass [`GprTable::csv`] to
/// [`parse`](crate::parse) with each column's [`GprColumn::parse_options`].
///
/// # Errors
///
/// [`IngestError::Layout`] when the header has no index column, quoting the header.
pub fn table(file: &str, text: &str) -> Result<GprTable, IngestError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (start, line) = header_line(text).unwrap_or((0, ""));
    let delimiter = detect_delimiter(line);
    let header: Vec<String> = csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(delimiter)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(line.as_bytes())
        .records()
        .next()
        .and_then(Result::ok)
        .map(|r| r.iter().map(str::to_owned).collect())
        .unwrap_or_default();
    let columns: Vec<GprColumn> = header
        .iter()
        .filter_map(|h| {
            series_of_column(h).map(|series| GprColumn {
                header: h.clone(),
                series,
            })
        })
        .collect();
    if columns.is_empty() {
        return Err(IngestError::Layout {
            file: file.to_owned(),
            message: format!(
                "no GPR column (GPR, GPRT, GPRA, GPRD, GPRD_ACT, GPRD_THREAT, GPRC_xxx…) in header {header:?}"
            ),
        });
    }
    let is_date = header.first().is_some_and(|h| {
        ["month", "day", "date"]
            .iter()
            .any(|n| h.eq_ignore_ascii_case(n))
    });
    let csv = if is_date {
        // The first field ends at the first separator: a `month`, `DAY` or `date` header,
        // quoted or not, holds none.
        let rest = line.find(char::from(delimiter)).map_or("", |i| &line[i..]);
        format!(
            "{}date{rest}{}",
            &text[..start],
            &text[start + line.len()..]
        )
    } else {
        text.to_owned()
    };
    Ok(GprTable { columns, csv })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundled;

    #[test]
    fn every_index_column_has_its_series() {
        for (col, id) in [
            ("GPR", "gpr"),
            ("GPRT", "gpr-threats"),
            ("GPRA", "gpr-acts"),
            ("GPRH", "gpr-hist"),
            ("GPRHT", "gpr-hist-threats"),
            ("GPRHA", "gpr-hist-acts"),
            ("GPRD", "gpr-daily"),
            ("GPRD_ACT", "gpr-daily-acts"),
            ("GPRD_THREAT", "gpr-daily-threats"),
            ("GPRC_USA", "gpr-country-usa"),
            ("gprc_chn", "gpr-country-chn"),
            ("GPRHC_GBR", "gpr-hist-country-gbr"),
            (" GPR ", "gpr"),
        ] {
            assert_eq!(series_of_column(col).as_deref(), Some(id), "{col}");
        }
        for col in [
            "month",
            "DAY",
            "event",
            "SHARE_GPR",
            "GPRD_MA7",
            "GPRC_",
            "GPRHC_",
            "",
            "N10",
        ] {
            assert_eq!(series_of_column(col), None, "{col}");
        }
    }

    #[test]
    fn the_bundled_gpr_series_use_the_same_ids() {
        let mut n = 0;
        for s in bundled::series() {
            if let Some(col) = s.options.column.as_deref()
                && s.meta.id.as_str().starts_with("gpr")
            {
                assert_eq!(
                    series_of_column(col).as_deref(),
                    Some(s.meta.id.as_str()),
                    "{col}"
                );
                n += 1;
            }
        }
        assert!(n > 50, "{n} bundled GPR series");
    }

    #[test]
    fn the_header_may_follow_comments_and_blank_lines() {
        let t = table(
            "g.csv",
            "\u{feff}# GPR\n\n\"month\",\"GPR\"\r\n2025-01-01,1\r\n",
        )
        .unwrap();
        assert_eq!(t.csv, "# GPR\n\ndate,\"GPR\"\r\n2025-01-01,1\r\n");
        assert_eq!(t.columns[0].header, "GPR");
    }

    #[test]
    fn other_first_columns_are_left_alone() {
        let text = "period,GPR\n2025-01-01,1\n";
        assert_eq!(table("g.csv", text).unwrap().csv, text);
    }
}
