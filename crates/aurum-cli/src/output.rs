//! Results as an aligned table, CSV or JSON.

use std::io::Write;

use anyhow::Result;
use aurum_app::rows::Row;
use serde::Serialize;

use crate::args::OutputFormat;

/// A table for people: headers and rows of already formatted cells.
#[derive(Debug, Default)]
pub struct Table {
    headers: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column headers.
    #[must_use]
    pub fn new(headers: &[&'static str]) -> Self {
        Self {
            headers: headers.to_vec(),
            rows: Vec::new(),
        }
    }

    /// Adds a row.
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// Writes the table with columns padded; numbers are right-aligned.
    ///
    /// # Errors
    ///
    /// I/O errors.
    pub fn write(&self, out: &mut impl Write) -> std::io::Result<()> {
        let n = self.headers.len();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| width(h)).collect();
        for row in &self.rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(width(cell));
            }
        }
        let numeric: Vec<bool> = (0..n)
            .map(|i| {
                self.rows.iter().all(|r| {
                    r.get(i).is_none_or(|c| {
                        c.is_empty() || c.replace([',', '%', '+'], "").parse::<f64>().is_ok()
                    })
                }) && !self.rows.is_empty()
            })
            .collect();
        let line = |cells: &[String], out: &mut dyn Write| -> std::io::Result<()> {
            let mut s = String::new();
            for (i, cell) in cells.iter().enumerate() {
                let pad = widths[i].saturating_sub(width(cell));
                if i > 0 {
                    s.push_str("  ");
                }
                if numeric[i] {
                    s.push_str(&" ".repeat(pad));
                    s.push_str(cell);
                } else {
                    s.push_str(cell);
                    if i + 1 < n {
                        s.push_str(&" ".repeat(pad));
                    }
                }
            }
            writeln!(out, "{}", s.trim_end())
        };
        let headers: Vec<String> = self.headers.iter().map(|h| (*h).to_owned()).collect();
        line(&headers, out)?;
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        line(&rule, out)?;
        for row in &self.rows {
            line(row, out)?;
        }
        Ok(())
    }
}

/// Display width of a cell in a terminal: East Asian wide characters take two columns;
/// `≥`, `—` and `−` take one.
fn width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// Prints `rows` in `format`: as `table` for people, or serialised as CSV or JSON.
///
/// # Errors
///
/// I/O and serialisation errors (a closed pipe among them).
pub fn emit<T: Serialize>(
    format: OutputFormat,
    rows: &[T],
    table: impl FnOnce() -> Table,
) -> Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match format {
        OutputFormat::Table => table().write(&mut out)?,
        OutputFormat::Json => {
            drop(out);
            return print_json(rows);
        }
        OutputFormat::Csv => {
            let mut w = csv::Writer::from_writer(&mut out);
            for row in rows {
                w.serialize(row)?;
            }
            w.flush()?;
        }
    }
    out.flush()?;
    Ok(())
}

/// As [`emit`], for rows with named columns ([`Row`]): CSV starts with [`Row::HEADER`] even
/// when there are no rows, as the API's `format=csv` does.
///
/// # Errors
///
/// I/O and serialisation errors (a closed pipe among them).
pub fn emit_rows<R: Row>(
    format: OutputFormat,
    rows: &[R],
    table: impl FnOnce() -> Table,
) -> Result<()> {
    if format != OutputFormat::Csv {
        return emit(format, rows, table);
    }
    aurum_app::rows::write_csv(std::io::stdout().lock(), rows)?;
    Ok(())
}

/// Prints one JSON document (a report rather than rows), pretty, with a final newline.
///
/// # Errors
///
/// I/O and serialisation errors (a closed pipe among them).
pub fn print_json<T: Serialize + ?Sized>(doc: &T) -> Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    serde_json::to_writer_pretty(&mut out, doc)?;
    writeln!(out)?;
    out.flush()?;
    Ok(())
}

/// A price with thousands separators and two decimals: `2,935.29`.
#[must_use]
pub fn price(v: f64) -> String {
    aurum_core::text::grouped(v, 2)
}

/// An optional number for a table cell.
#[must_use]
pub fn opt(v: Option<f64>) -> String {
    v.map(price).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_group_thousands() {
        assert_eq!(price(2935.294), "2,935.29");
        assert_eq!(price(35.0), "35.00");
        assert_eq!(price(1_234_567.5), "1,234,567.50");
        assert_eq!(price(-1.04), "-1.04");
    }

    #[test]
    fn tables_measure_wide_and_narrow_characters() {
        let mut t = Table::new(&["p", "note"]);
        t.row(vec!["P(close ≥) — −1".into(), "x".into()]);
        t.row(vec!["金価格".into(), "y".into()]);
        let mut buf = Vec::new();
        t.write(&mut buf).unwrap();
        let text = String::from_utf8(buf).unwrap();
        // ≥, — and − are one column wide; 金価格 is six.
        assert_eq!(
            text,
            "p                note\n---------------  ----\nP(close ≥) — −1  x\n金価格           y\n"
        );
    }

    #[test]
    fn tables_align_numbers_right() {
        let mut t = Table::new(&["id", "close"]);
        t.row(vec!["gold".into(), "2,935.29".into()]);
        t.row(vec!["silver-long-name".into(), "32.10".into()]);
        let mut buf = Vec::new();
        t.write(&mut buf).unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert_eq!(
            text,
            "id                   close\n----------------  --------\ngold              2,935.29\nsilver-long-name     32.10\n"
        );
    }
}
