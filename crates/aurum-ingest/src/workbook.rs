//! Spreadsheet workbooks (XLS, XLSX, XLSM, XLSB, ODS) read as CSV text.

use std::path::Path;

use aurum_core::Date;

use crate::IngestError;

/// File extensions read as workbooks by [`read_text`] (compared without regard to case).
pub const WORKBOOK_EXTENSIONS: &[&str] = &["xls", "xlsx", "xlsm", "xlsb", "ods"];

/// Whether `path` names a workbook, by its extension (see [`WORKBOOK_EXTENSIONS`]).
#[must_use]
pub fn is_workbook(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        WORKBOOK_EXTENSIONS
            .iter()
            .any(|w| e.eq_ignore_ascii_case(w))
    })
}

/// The text of a data file: the first sheet as CSV (see [`workbook_csv`]) when the path
/// names a workbook, the file itself (UTF-8, a leading byte-order mark removed) otherwise.
///
/// # Errors
///
/// [`IngestError::Read`] when the file cannot be read, [`IngestError::Workbook`] when a
/// workbook cannot be decoded, [`IngestError::Layout`] when a text file is not UTF-8.
pub fn read_text(path: &Path) -> Result<String, IngestError> {
    if is_workbook(path) {
        return workbook_csv(path);
    }
    let file = path.display().to_string();
    #[expect(
        clippy::disallowed_methods,
        reason = "IngestError::Read names the file itself"
    )]
    let bytes = std::fs::read(path).map_err(|e| IngestError::Read {
        file: file.clone(),
        message: e.to_string(),
    })?;
    let text = String::from_utf8(bytes).map_err(|e| IngestError::Layout {
        file,
        message: format!(
            "not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ),
    })?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_owned(),
        None => text,
    })
}

/// The date of an Excel serial day number (1900 date system; the fraction, a time of day, is
/// dropped). Serials from 61 (1900-03-01) on are exact; earlier ones come out a day early,
/// as Excel counts a 1900-02-29 that did not exist.
fn excel_date(serial: f64) -> Option<Date> {
    if !serial.is_finite() {
        return None;
    }
    #[allow(clippy::cast_possible_truncation)]
    let days = serial.floor() as i64;
    aurum_core::date(1899, 12, 30).checked_add_signed(chrono::Duration::try_days(days)?)
}

/// The first sheet of an XLS, XLSX, XLSM, XLSB or ODS workbook as CSV text (`,`-separated,
/// `\n`-terminated, quoted where needed), one line per sheet row.
///
/// Date cells become `YYYY-MM-DD` (a time of day is dropped), and so do plain numbers
/// between 10,000 and 100,000 in the first column below the header row: Excel serial day
/// numbers (1927-05-18 to 2173-10-14) in a column formatted as numbers, as in the GPR
/// authors' `month` column. Other numbers are written in Rust's shortest round-trip form,
/// empty and error cells as empty fields.
///
/// # Errors
///
/// [`IngestError::Read`] when the file cannot be opened; [`IngestError::Workbook`] when it is
/// not a workbook calamine can decode, has no sheet, or its first sheet cannot be read.
pub fn workbook_csv(path: &Path) -> Result<String, IngestError> {
    let file = path.display().to_string();
    // Opened first so that a missing or unreadable file says so plainly.
    #[expect(
        clippy::disallowed_methods,
        reason = "IngestError::Read names the file itself"
    )]
    std::fs::File::open(path).map_err(|e| IngestError::Read {
        file: file.clone(),
        message: e.to_string(),
    })?;
    let wb = calamine::open_workbook_auto(path).map_err(|e| IngestError::Workbook {
        file: file.clone(),
        message: format!("not a readable workbook: {e}"),
    })?;
    first_sheet_csv(&file, wb)
}

/// The first sheet of a workbook held in memory (a download, say) as CSV text, as
/// [`workbook_csv`] writes it. The kind of workbook (XLS, XLSX, XLSB, ODS) is told from the
/// bytes, not from a name; `file` names it in messages.
///
/// ```
/// let e = aurum_ingest::workbook_csv_from_bytes("gpr.xls", b"<html>moved</html>").unwrap_err();
/// assert!(e.to_string().starts_with("gpr.xls: not a readable workbook: "), "{e}");
/// ```
///
/// # Errors
///
/// [`IngestError::Workbook`] when the bytes are not a workbook calamine can decode, it has no
/// sheet, or its first sheet cannot be read.
pub fn workbook_csv_from_bytes(file: &str, bytes: &[u8]) -> Result<String, IngestError> {
    let wb = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).map_err(|e| {
        IngestError::Workbook {
            file: file.to_owned(),
            message: format!("not a readable workbook: {e}"),
        }
    })?;
    first_sheet_csv(file, wb)
}

/// The first sheet of `wb` as CSV text (see [`workbook_csv`]).
fn first_sheet_csv<RS: std::io::Read + std::io::Seek>(
    file: &str,
    mut wb: calamine::Sheets<RS>,
) -> Result<String, IngestError> {
    use calamine::{Data, Reader};
    let workbook_err = |message: String| IngestError::Workbook {
        file: file.to_owned(),
        message,
    };
    let range = wb
        .worksheet_range_at(0)
        .ok_or_else(|| workbook_err("the workbook has no sheet".to_owned()))?
        .map_err(|e| workbook_err(format!("cannot read the first sheet: {e}")))?;
    let date_text = |d: Option<Date>| d.map(|d| d.to_string()).unwrap_or_default();
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    for (i, row) in range.rows().enumerate() {
        let cells = row.iter().enumerate().map(|(j, c)| match c {
            Data::Empty | Data::Error(_) => String::new(),
            Data::String(s) => s.clone(),
            Data::Float(f) if j == 0 && i > 0 && *f > 10_000.0 && *f < 100_000.0 => {
                date_text(excel_date(*f))
            }
            Data::Float(f) => f.to_string(),
            Data::Int(n) => n.to_string(),
            Data::Bool(b) => b.to_string(),
            Data::DateTime(dt) => date_text(excel_date(dt.as_f64())),
            Data::DateTimeIso(s) | Data::DurationIso(s) => s.get(..10).unwrap_or(s).to_owned(),
        });
        w.write_record(cells)
            .map_err(|e| workbook_err(format!("row {}: cannot write as CSV: {e}", i + 1)))?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| workbook_err(format!("cannot write as CSV: {e}")))?;
    String::from_utf8(bytes).map_err(|e| workbook_err(format!("not UTF-8 text: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use aurum_core::date;

    #[test]
    fn excel_serials_are_days_since_1899_12_30() {
        assert_eq!(excel_date(1.0), Some(date(1899, 12, 31)));
        assert_eq!(excel_date(61.0), Some(date(1900, 3, 1)));
        assert_eq!(excel_date(31_048.0), Some(date(1985, 1, 1)));
        assert_eq!(excel_date(45_658.75), Some(date(2025, 1, 1)));
        assert_eq!(excel_date(f64::NAN), None);
        assert_eq!(excel_date(1e300), None);
    }

    #[test]
    fn workbooks_are_told_by_extension() {
        for p in ["a.xls", "a.XLSX", "dir/a.xlsm", "a.xlsb", "a.ods"] {
            assert!(is_workbook(Path::new(p)), "{p}");
        }
        for p in ["a.csv", "a.txt", "xlsx", "a.xlsx.csv"] {
            assert!(!is_workbook(Path::new(p)), "{p}");
        }
    }
}
