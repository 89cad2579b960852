//! File layouts, detection and row validation.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use aurum_core::{Bar, Date};

use crate::values::{Cell, parse_date, parse_number};
use crate::{IngestError, Warning};

/// A file layout aurum can read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Format {
    /// Detect from the content.
    #[default]
    Auto,
    /// Any CSV with a date column and Open/High/Low/Close (or one value) columns.
    Csv,
    /// stooq's download: `Date,Open,High,Low,Close[,Volume]` (English or Polish headers).
    Stooq,
    /// Yahoo Finance's download: `Date,Open,High,Low,Close,Adj Close,Volume`, `null` for gaps.
    Yahoo,
    /// TradingView's export: `time,open,high,low,close[,Volume]`, time in unix seconds or ISO.
    TradingView,
    /// LBMA's JSON feed: `[{"d": "YYYY-MM-DD", "v": [usd, gbp, eur]}, …]`.
    LbmaJson,
    /// FRED's download: `DATE,SERIES` (or `observation_date,SERIES`), `.` for missing.
    Fred,
}

impl Format {
    /// The name used on the command line.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Csv => "csv",
            Self::Stooq => "stooq",
            Self::Yahoo => "yahoo",
            Self::TradingView => "tradingview",
            Self::LbmaJson => "lbma-json",
            Self::Fred => "fred",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "auto" => Self::Auto,
            "csv" => Self::Csv,
            "stooq" => Self::Stooq,
            "yahoo" => Self::Yahoo,
            "tradingview" | "tv" => Self::TradingView,
            "lbma-json" | "lbma" => Self::LbmaJson,
            "fred" => Self::Fred,
            _ => {
                return Err(format!(
                    "unknown format {s:?}: expected auto, csv, stooq, yahoo, tradingview, lbma-json or fred"
                ));
            }
        })
    }
}

/// What to do when a date appears twice in one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum OnDuplicate {
    /// Refuse the file.
    #[default]
    Error,
    /// Keep the row that comes later in the file.
    KeepLast,
}

/// What to do with a row whose open/high/low contradict each other or the close.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum OnBadRange {
    /// Refuse the file.
    #[default]
    Error,
    /// Keep the row's close only, with a warning.
    CloseOnly,
}

/// How to read a file.
#[derive(Clone, Debug, PartialEq)]
pub struct ParseOptions {
    /// Layout; [`Format::Auto`] detects it.
    pub format: Format,
    /// The column that holds the value, for files with several value columns (FRED
    /// downloads of several series, LBMA's `usd`/`gbp`/`eur`). Case-insensitive.
    pub column: Option<String>,
    /// Multiplier applied to every price (unit conversion, e.g. per gram to per ounce).
    pub factor: f64,
    /// Whether values must be strictly positive (prices); rates and yields may not be.
    pub positive: bool,
    /// Duplicate dates.
    pub on_duplicate: OnDuplicate,
    /// Contradictory ranges.
    pub on_bad_range: OnBadRange,
    /// A column whose value `1` marks a row's range as untrustworthy (kept close-only).
    pub range_flag_column: Option<String>,
    /// Close-to-close move (as a fraction) above which a warning is raised.
    pub large_move: f64,
}

impl Default for ParseOptions {
    fn default() -> Self {
        Self {
            format: Format::Auto,
            column: None,
            factor: 1.0,
            positive: true,
            on_duplicate: OnDuplicate::Error,
            on_bad_range: OnBadRange::Error,
            range_flag_column: None,
            large_move: 0.25,
        }
    }
}

/// A successfully read file.
#[derive(Clone, Debug, PartialEq)]
pub struct Parsed {
    /// The layout read (the detected one under [`Format::Auto`]).
    pub format: Format,
    /// The column the close was read from.
    pub value_column: String,
    /// Validated bars, sorted by date, one per date.
    pub bars: Vec<Bar>,
    /// Suspicious but accepted data.
    pub warnings: Vec<Warning>,
}

/// Reads and validates a price file. `file` is the name used in messages.
///
/// # Errors
///
/// Any unreadable cell, contradictory row, duplicate date (unless allowed) or unknown layout
/// gives an [`IngestError`] naming the file, line and column. Nothing is partially returned.
pub fn parse(file: &str, bytes: &[u8], opts: &ParseOptions) -> Result<Parsed, IngestError> {
    let text = std::str::from_utf8(bytes).map_err(|e| IngestError::Layout {
        file: file.to_owned(),
        message: format!(
            "not UTF-8 text (invalid byte at offset {})",
            e.valid_up_to()
        ),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let json = text.trim_start().starts_with(['[', '{']);
    match (opts.format, json) {
        (Format::LbmaJson, _) | (Format::Auto, true) => parse_lbma(file, text, opts),
        (_, true) => Err(IngestError::Layout {
            file: file.to_owned(),
            message: format!("looks like JSON, but --format {} reads CSV", opts.format),
        }),
        (_, false) => parse_csv(file, text, opts),
    }
}

/// One accepted row before duplicate handling and sorting.
struct Row {
    line: u64,
    bar: Bar,
}

const DATE_NAMES: &[&str] = &[
    "date",
    "observation_date",
    "time",
    "timestamp",
    "datetime",
    "day",
    "data",
    "datum",
];
const OPEN_NAMES: &[&str] = &["open", "otwarcie"];
const HIGH_NAMES: &[&str] = &["high", "najwyzszy"];
const LOW_NAMES: &[&str] = &["low", "najnizszy"];
const CLOSE_NAMES: &[&str] = &["close", "zamkniecie", "price", "value", "last"];
const VOLUME_NAMES: &[&str] = &["volume", "vol", "vol.", "wolumen"];
const IGNORED: &[&str] = &[
    "adj close",
    "adj_close",
    "adjclose",
    "source",
    "ohlc_suspect",
    "change",
    "change %",
];

fn find(headers: &[String], names: &[&str]) -> Option<usize> {
    names
        .iter()
        .find_map(|n| headers.iter().position(|h| h == n))
}

/// The header line of a CSV text: the first line that is neither blank nor a `#` comment,
/// with its byte offset in `text` and without its line ending.
pub(crate) fn header_line(text: &str) -> Option<(usize, &str)> {
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let content = line.strip_suffix('\n').unwrap_or(line);
        let content = content.strip_suffix('\r').unwrap_or(content);
        if !content.trim().is_empty() && !content.starts_with('#') {
            return Some((start, content));
        }
        start += line.len();
    }
    None
}

/// The field separator of a CSV file, from its header line: whichever of `;`, tab and `,`
/// occurs most (`,` when none does).
pub(crate) fn detect_delimiter(first_line: &str) -> u8 {
    let count = |c: char| first_line.matches(c).count();
    [(b';', count(';')), (b'\t', count('\t')), (b',', count(','))]
        .into_iter()
        .max_by_key(|&(_, n)| n)
        .filter(|&(_, n)| n > 0)
        .map_or(b',', |(d, _)| d)
}

fn parse_csv(file: &str, text: &str, opts: &ParseOptions) -> Result<Parsed, IngestError> {
    read_csv(file, text, &[opts])?
        .pop()
        .expect("one result per column read")
}

/// Reads several columns of one file in one pass: entry `i` is what [`parse`] gives with
/// `targets[i]`. The targets must agree on [`ParseOptions::format`] and
/// [`ParseOptions::range_flag_column`] (they are read alone otherwise); each has its own
/// column, positivity, policies and factor.
pub(crate) fn parse_columns(
    file: &str,
    bytes: &[u8],
    targets: &[&ParseOptions],
) -> Vec<Result<Parsed, IngestError>> {
    let alone = || targets.iter().map(|o| parse(file, bytes, o)).collect();
    let Some(first) = targets.first() else {
        return Vec::new();
    };
    let shared = targets
        .iter()
        .all(|o| o.format == first.format && o.range_flag_column == first.range_flag_column);
    if targets.len() < 2 || !shared || first.format == Format::LbmaJson {
        return alone();
    }
    // `parse`'s checks of the text, and JSON, are left to the one-column path.
    let Ok(text) = std::str::from_utf8(bytes) else {
        return alone();
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim_start().starts_with(['[', '{']) {
        return alone();
    }
    match read_csv(file, text, targets) {
        Ok(results) => results,
        // An error of the file rather than of one column: each column read alone meets it,
        // unless an error of its own comes first.
        Err(_) => alone(),
    }
}

/// The columns one target reads its bar from.
struct BarColumns {
    open: Option<usize>,
    high: Option<usize>,
    low: Option<usize>,
    close: usize,
}

/// One target of [`read_csv`]: its options, columns and what it has read so far.
struct Reading<'o> {
    opts: &'o ParseOptions,
    columns: Result<BarColumns, IngestError>,
    rows: Vec<Row>,
    warnings: Vec<Warning>,
}

/// What every target of [`read_csv`] shares about the file.
struct Layout<'a> {
    file: &'a str,
    raw_headers: &'a [String],
    volume_col: Option<usize>,
    flag_col: Option<usize>,
    decimal_comma: bool,
}

/// Reads a CSV text once for every target. The outer error is one of the file (header,
/// malformed record, field count, date) and ends the reading for all; an error of one
/// target's columns or values ends only that target's.
fn read_csv(
    file: &str,
    text: &str,
    targets: &[&ParseOptions],
) -> Result<Vec<Result<Parsed, IngestError>>, IngestError> {
    let opts = targets[0];
    let layout = |message: String| IngestError::Layout {
        file: file.to_owned(),
        message,
    };
    let (_, first) = header_line(text).ok_or_else(|| IngestError::Empty {
        file: file.to_owned(),
    })?;
    let delimiter = detect_delimiter(first);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let raw_headers: Vec<String> = reader
        .headers()
        .map_err(|e| layout(format!("cannot read the header: {e}")))?
        .iter()
        .map(str::to_owned)
        .collect();
    let headers: Vec<String> = raw_headers.iter().map(|h| h.to_ascii_lowercase()).collect();

    let date_col = find(&headers, DATE_NAMES).ok_or_else(|| {
        layout(format!(
            "no date column in header {raw_headers:?}: expected one named Date, time, DATE or observation_date"
        ))
    })?;
    let detected = match opts.format {
        Format::Auto => {
            if headers[date_col] == "time" {
                Format::TradingView
            } else if raw_headers[date_col] == "DATE" || headers[date_col] == "observation_date" {
                Format::Fred
            } else if headers.iter().any(|h| h == "adj close") {
                Format::Yahoo
            } else if headers.iter().any(|h| h == "zamkniecie")
                || raw_headers
                    .starts_with(&["Date", "Open", "High", "Low", "Close"].map(String::from))
                    && raw_headers.len() <= 6
            {
                Format::Stooq
            } else {
                Format::Csv
            }
        }
        f => f,
    };
    if detected == Format::TradingView && headers[date_col] != "time" {
        return Err(layout(format!(
            "a TradingView export has a 'time' column; header is {raw_headers:?}"
        )));
    }

    let mut readings: Vec<Reading<'_>> = targets
        .iter()
        .map(|o| Reading {
            opts: o,
            columns: bar_columns(file, &raw_headers, &headers, date_col, o),
            rows: Vec::new(),
            warnings: Vec::new(),
        })
        .collect();
    let shared = Layout {
        file,
        raw_headers: &raw_headers,
        volume_col: find(&headers, VOLUME_NAMES),
        flag_col: opts
            .range_flag_column
            .as_ref()
            .and_then(|f| headers.iter().position(|h| *h == f.to_ascii_lowercase())),
        decimal_comma: delimiter == b';',
    };

    for record in reader.records() {
        if readings.iter().all(|r| r.columns.is_err()) {
            break;
        }
        let record = record.map_err(|e| IngestError::Row {
            file: file.to_owned(),
            line: e.position().map_or(0, csv::Position::line),
            message: format!("malformed CSV: {e}"),
        })?;
        let line = record.position().map_or(0, csv::Position::line);
        if record.iter().all(str::is_empty) {
            continue;
        }
        if record.len() > raw_headers.len() {
            return Err(IngestError::Row {
                file: file.to_owned(),
                line,
                message: format!(
                    "{} fields, but the header has {}{}",
                    record.len(),
                    raw_headers.len(),
                    if delimiter == b',' {
                        ": in a comma-separated file a decimal comma splits a number in two \
                         (write 2915.50, or separate fields with ';')"
                    } else {
                        ""
                    }
                ),
            });
        }
        let date_text = record.get(date_col).unwrap_or("");
        let date = parse_date(date_text).ok_or_else(|| {
            cell_error(
                &shared,
                &record,
                line,
                date_col,
                "a date as YYYY-MM-DD (or unix seconds)",
            )
        })?;
        for reading in &mut readings {
            let Ok(columns) = &reading.columns else {
                continue;
            };
            if let Err(e) = read_row(
                &shared,
                &record,
                line,
                date,
                columns,
                reading.opts,
                &mut reading.rows,
                &mut reading.warnings,
            ) {
                reading.columns = Err(e);
            }
        }
    }
    Ok(readings
        .into_iter()
        .map(|r| {
            let columns = r.columns?;
            finish(
                file,
                detected,
                raw_headers[columns.close].clone(),
                r.rows,
                r.warnings,
                r.opts,
            )
        })
        .collect())
}

/// Which columns `opts` reads its bars from.
fn bar_columns(
    file: &str,
    raw_headers: &[String],
    headers: &[String],
    date_col: usize,
    opts: &ParseOptions,
) -> Result<BarColumns, IngestError> {
    let layout = |message: String| IngestError::Layout {
        file: file.to_owned(),
        message,
    };
    let range = |close| BarColumns {
        open: find(headers, OPEN_NAMES),
        high: find(headers, HIGH_NAMES),
        low: find(headers, LOW_NAMES),
        close,
    };
    if let Some(name) = &opts.column {
        let want = name.to_ascii_lowercase();
        let col = headers
            .iter()
            .position(|h| *h == want)
            .ok_or_else(|| layout(format!("no column {name:?} in header {raw_headers:?}")))?;
        return Ok(if find(headers, CLOSE_NAMES) == Some(col) {
            range(col)
        } else {
            BarColumns {
                open: None,
                high: None,
                low: None,
                close: col,
            }
        });
    }
    if let Some(close) = find(headers, CLOSE_NAMES) {
        return Ok(range(close));
    }
    let others: Vec<usize> = (0..headers.len())
        .filter(|&i| {
            i != date_col
                && !IGNORED.contains(&headers[i].as_str())
                && !VOLUME_NAMES.contains(&headers[i].as_str())
                && !headers[i].is_empty()
        })
        .collect();
    match others.as_slice() {
        [one] => Ok(range(*one)),
        [] => Err(layout(format!("no value column in header {raw_headers:?}"))),
        many => {
            let names: Vec<&str> = many.iter().map(|&i| raw_headers[i].as_str()).collect();
            Err(layout(format!(
                "several value columns {names:?}: choose one with --column"
            )))
        }
    }
}

fn cell_error(
    shared: &Layout<'_>,
    record: &csv::StringRecord,
    line: u64,
    col: usize,
    expected: &str,
) -> IngestError {
    IngestError::Cell {
        file: shared.file.to_owned(),
        line,
        column: shared.raw_headers[col].clone(),
        expected: expected.to_owned(),
        found: record.get(col).unwrap_or("").to_owned(),
    }
}

/// Reads one record's bar for one target into `rows` (or a warning when its close is
/// missing).
#[allow(clippy::too_many_arguments)]
fn read_row(
    shared: &Layout<'_>,
    record: &csv::StringRecord,
    line: u64,
    date: Date,
    columns: &BarColumns,
    opts: &ParseOptions,
    rows: &mut Vec<Row>,
    warnings: &mut Vec<Warning>,
) -> Result<(), IngestError> {
    let cell_err = |col: usize, expected: &str| cell_error(shared, record, line, col, expected);
    let number = |col: Option<usize>| -> Result<Option<f64>, IngestError> {
        let Some(col) = col else { return Ok(None) };
        match parse_number(record.get(col).unwrap_or(""), shared.decimal_comma) {
            Cell::Number(v) if opts.positive && v <= 0.0 => Err(cell_err(col, "a price > 0")),
            Cell::Number(v) => Ok(Some(v)),
            Cell::Missing => Ok(None),
            Cell::Invalid => Err(cell_err(
                col,
                if opts.positive {
                    "a price > 0"
                } else {
                    "a finite number"
                },
            )),
        }
    };
    let Some(close) = number(Some(columns.close))? else {
        warnings.push(Warning::MissingValue { line, date });
        return Ok(());
    };
    let (open, high, low) = (
        number(columns.open)?,
        number(columns.high)?,
        number(columns.low)?,
    );
    let volume = match shared.volume_col {
        Some(col) => match parse_number(record.get(col).unwrap_or(""), shared.decimal_comma) {
            Cell::Number(v) if v >= 0.0 => Some(v),
            Cell::Missing => None,
            _ => return Err(cell_err(col, "a volume ≥ 0")),
        },
        None => None,
    };
    let mut bar = Bar {
        date,
        open,
        high,
        low,
        close,
        volume,
    };
    let flagged = shared.flag_col.is_some_and(|c| record.get(c) == Some("1"));
    let partial =
        !bar.has_range() && (bar.open.is_some() || bar.high.is_some() || bar.low.is_some());
    if !bar.has_range() || flagged {
        // Part of a range (a high given as NaN, say) is not a range: keep the close, and
        // say so.
        if partial && !flagged {
            warnings.push(Warning::RangeDropped { line, date });
        }
        bar.open = None;
        bar.high = None;
        bar.low = None;
    } else if let Some(problem) = range_problem(&bar) {
        match opts.on_bad_range {
            OnBadRange::Error => {
                return Err(IngestError::Row {
                    file: shared.file.to_owned(),
                    line,
                    message: format!("{date}: {problem}"),
                });
            }
            OnBadRange::CloseOnly => {
                warnings.push(Warning::RangeDropped { line, date });
                bar.open = None;
                bar.high = None;
                bar.low = None;
            }
        }
    }
    rows.push(Row { line, bar });
    Ok(())
}

/// Why an OHLC row is impossible, if it is.
fn range_problem(bar: &Bar) -> Option<String> {
    let (o, h, l, c) = bar.ohlc_or_close();
    // Sources round each field separately; allow a difference in the last printed digit.
    let tol = 1e-9 * h.abs().max(1.0);
    if h + tol < o.max(c) {
        Some(format!(
            "high {h} is below max(open {o}, close {c}); expected high ≥ max(open, close)"
        ))
    } else if l - tol > o.min(c) {
        Some(format!(
            "low {l} is above min(open {o}, close {c}); expected low ≤ min(open, close)"
        ))
    } else {
        None
    }
}

fn finish(
    file: &str,
    format: Format,
    value_column: String,
    rows: Vec<Row>,
    mut warnings: Vec<Warning>,
    opts: &ParseOptions,
) -> Result<Parsed, IngestError> {
    if rows.is_empty() {
        return Err(IngestError::Empty {
            file: file.to_owned(),
        });
    }
    // Rows in strictly increasing date order (most files) hold no duplicate to look for.
    let increasing = rows.windows(2).all(|w| w[0].bar.date < w[1].bar.date);
    let mut seen: HashMap<Date, usize> = HashMap::new();
    let mut kept: Vec<Row> = Vec::with_capacity(rows.len());
    for row in rows {
        if increasing {
            kept.push(row);
            continue;
        }
        if let Some(&i) = seen.get(&row.bar.date) {
            match opts.on_duplicate {
                OnDuplicate::Error => {
                    return Err(IngestError::DuplicateDate {
                        file: file.to_owned(),
                        line: row.line,
                        first_line: kept[i].line,
                        date: row.bar.date,
                    });
                }
                OnDuplicate::KeepLast => {
                    warnings.push(Warning::DuplicateReplaced {
                        line: row.line,
                        date: row.bar.date,
                    });
                    kept[i] = row;
                }
            }
        } else {
            seen.insert(row.bar.date, kept.len());
            kept.push(row);
        }
    }
    // Some sources (Investing.com, some brokers) list newest first.
    kept.sort_by_key(|r| r.bar.date);
    if opts.positive {
        for pair in kept.windows(2) {
            let move_ = pair[1].bar.close / pair[0].bar.close - 1.0;
            if move_.abs() > opts.large_move {
                warnings.push(Warning::LargeMove {
                    line: pair[1].line,
                    date: pair[1].bar.date,
                    pct: 100.0 * move_,
                });
            }
        }
    }
    let mut bars = Vec::with_capacity(kept.len());
    for r in kept {
        let bar = r.bar.scaled(opts.factor);
        // A unit conversion can overflow a huge value into infinity.
        let (o, h, l, c) = bar.ohlc_or_close();
        if ![o, h, l, c].iter().all(|v| v.is_finite()) {
            return Err(IngestError::Row {
                file: file.to_owned(),
                line: r.line,
                message: format!(
                    "{}: {} × {} (the unit conversion) is not a finite price",
                    bar.date, r.bar.close, opts.factor
                ),
            });
        }
        bars.push(bar);
    }
    Ok(Parsed {
        format,
        value_column,
        bars,
        warnings,
    })
}

fn parse_lbma(file: &str, text: &str, opts: &ParseOptions) -> Result<Parsed, IngestError> {
    let items: Vec<serde_json::Value> = serde_json::from_str(text).map_err(|e| IngestError::Row {
        file: file.to_owned(),
        line: u64::try_from(e.line()).unwrap_or(0),
        message: format!(
            "column {}: expected LBMA JSON, an array of {{\"d\": date, \"v\": [usd, gbp, eur]}}: {e}",
            e.column()
        ),
    })?;
    let (slot, column) = match opts
        .column
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("usd") => (0, "usd"),
        Some("gbp") => (1, "gbp"),
        Some("eur") => (2, "eur"),
        Some(other) => {
            return Err(IngestError::Layout {
                file: file.to_owned(),
                message: format!("LBMA JSON has columns usd, gbp, eur; not {other:?}"),
            });
        }
    };
    let mut rows = Vec::with_capacity(items.len());
    let mut warnings = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let element_err =
            |field: &str, expected: &str, found: &serde_json::Value| IngestError::JsonElement {
                file: file.to_owned(),
                index,
                field: field.to_owned(),
                expected: expected.to_owned(),
                found: found.to_string(),
            };
        let null = serde_json::Value::Null;
        let d = item.get("d").unwrap_or(&null);
        let date = d
            .as_str()
            .and_then(parse_date)
            .ok_or_else(|| element_err("d", "a date as \"YYYY-MM-DD\"", d))?;
        let v = item.get("v").unwrap_or(&null);
        let values = v
            .as_array()
            .ok_or_else(|| element_err("v", "an array [usd, gbp, eur]", v))?;
        let line = u64::try_from(index + 1).unwrap_or(u64::MAX);
        match values.get(slot) {
            // LBMA writes 0 or null where a currency had no price that day.
            None | Some(serde_json::Value::Null) => {
                warnings.push(Warning::MissingValue { line, date })
            }
            Some(x) => match x.as_f64() {
                Some(0.0) => warnings.push(Warning::MissingValue { line, date }),
                Some(p) if p.is_finite() && p > 0.0 => rows.push(Row {
                    line,
                    bar: Bar::close_only(date, p),
                }),
                _ => return Err(element_err("v", &format!("a price > 0 in {column}"), x)),
            },
        }
    }
    finish(
        file,
        Format::LbmaJson,
        column.to_owned(),
        rows,
        warnings,
        opts,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use aurum_core::date;

    fn ok(text: &str) -> Parsed {
        parse("t.csv", text.as_bytes(), &ParseOptions::default()).expect("parses")
    }

    fn err(text: &str, opts: &ParseOptions) -> String {
        parse("t.csv", text.as_bytes(), opts)
            .expect_err("fails")
            .to_string()
    }

    #[test]
    fn detects_layouts() {
        assert_eq!(
            ok("Date,Open,High,Low,Close,Volume\n2025-02-18,1,2,1,2,0\n").format,
            Format::Stooq
        );
        assert_eq!(
            ok("Date,Open,High,Low,Close,Adj Close,Volume\n2025-02-18,1,2,1,2,2,0\n").format,
            Format::Yahoo
        );
        assert_eq!(
            ok("time,open,high,low,close\n1739836800,1,2,1,2\n").format,
            Format::TradingView
        );
        assert_eq!(ok("DATE,DGS10\n2025-02-18,4.5\n").format, Format::Fred);
        assert_eq!(
            ok("observation_date,DGS10\n2025-02-18,4.5\n").format,
            Format::Fred
        );
        assert_eq!(ok("date,price\n2025-02-18,2900\n").format, Format::Csv);
        assert_eq!(
            ok("[{\"d\":\"2025-02-18\",\"v\":[2927.1,2321.5,2793.9]}]").format,
            Format::LbmaJson
        );
    }

    #[test]
    fn semicolons_and_decimal_commas() {
        let p = ok("Datum;Date;Open;High;Low;Close\nx;2025-02-18;2900,5;2940;2890;2935,29\n");
        assert_eq!(p.bars[0].close, 2935.29);
        assert_eq!(p.bars[0].open, Some(2900.5));
    }

    #[test]
    fn fred_dots_are_skipped_with_a_warning() {
        let p = ok("DATE,GOLDPMGBD228NLBM\n2020-12-24,1876.6\n2020-12-25,.\n2020-12-28,1877.8\n");
        assert_eq!(p.bars.len(), 2);
        assert_eq!(
            p.warnings,
            vec![Warning::MissingValue {
                line: 3,
                date: date(2020, 12, 25)
            }]
        );
    }

    #[test]
    fn newest_first_files_are_sorted() {
        let p = ok("Date,Close\n2025-02-18,3\n2025-02-17,2\n2025-02-14,1\n");
        let dates: Vec<_> = p.bars.iter().map(|b| b.date).collect();
        assert_eq!(
            dates,
            [date(2025, 2, 14), date(2025, 2, 17), date(2025, 2, 18)]
        );
    }

    #[test]
    fn errors_name_file_line_and_column() {
        let o = ParseOptions::default();
        assert_eq!(
            err("Date,Close\n2025-02-18,1\n2025-02-30,2\n", &o),
            "t.csv:3: column \"Date\": expected a date as YYYY-MM-DD (or unix seconds), found \"2025-02-30\""
        );
        assert_eq!(
            err("Date,Close\n2025-02-18,-4\n", &o),
            "t.csv:2: column \"Close\": expected a price > 0, found \"-4\""
        );
        assert_eq!(
            err("Date,Close\n2025-02-18,NaNx\n", &o),
            "t.csv:2: column \"Close\": expected a price > 0, found \"NaNx\""
        );
        assert_eq!(
            err("Date,Close\n2025-02-18,1\n2025-02-18,2\n", &o),
            "t.csv:3: duplicate date 2025-02-18 (first seen on line 2); pass --on-duplicate keep-last to keep the later row"
        );
        assert_eq!(
            err("Date,Open,High,Low,Close\n2025-02-18,10,9,8,9\n", &o),
            "t.csv:2: 2025-02-18: high 9 is below max(open 10, close 9); expected high ≥ max(open, close)"
        );
        assert_eq!(
            err("Date,Open,High,Low,Close\n2025-02-18,10,12,10.5,11\n", &o),
            "t.csv:2: 2025-02-18: low 10.5 is above min(open 10, close 11); expected low ≤ min(open, close)"
        );
        assert!(err("Day,Close\n", &o).contains("no data rows"));
        assert!(err("when,price\n2025-01-01,1\n", &o).contains("no date column"));
        assert!(
            err("DATE,DGS10,DFII10\n2025-02-18,4.5,2.1\n", &o).contains("choose one with --column")
        );
        assert!(
            err("[{\"d\":\"2025-02-18\",\"v\":\"x\"}]", &o)
                .starts_with("t.csv: element 0: field \"v\": expected an array")
        );
    }

    #[test]
    fn columns_read_together_are_as_each_read_alone() {
        let opts = |column: &str, positive: bool| ParseOptions {
            column: Some(column.into()),
            positive,
            ..ParseOptions::default()
        };
        let targets = [
            opts("a", true),
            opts("b", false),
            opts("b", true),
            opts("c", true),
            opts("nope", true),
            ParseOptions {
                on_duplicate: OnDuplicate::KeepLast,
                ..opts("a", true)
            },
        ];
        let refs: Vec<&ParseOptions> = targets.iter().collect();
        let alone = |text: &str| -> Vec<_> {
            targets
                .iter()
                .map(|o| parse("t.csv", text.as_bytes(), o))
                .collect()
        };
        for text in [
            // Each column fine, negative, invalid, missing or absent.
            "date,a,b,c\n2025-02-17,1,-1,x\n2025-02-18,2,.,3\n",
            // A duplicate date, refused or kept.
            "date,a,b,c\n2025-02-17,1,1,1\n2025-02-17,2,2,2\n",
            // Errors of the file: a bad date after a column's own error, too many fields.
            "date,a,b,c\n2025-02-17,1,1,x\n2025-02-30,1,1,1\n",
            "date,a,b,c\n2025-02-17,1,1,1,1\n",
            "when,a\n2025-02-17,1\n",
            "",
            "[{\"d\":\"2025-02-18\",\"v\":[1,2,3]}]",
        ] {
            assert_eq!(
                parse_columns("t.csv", text.as_bytes(), &refs),
                alone(text),
                "{text}"
            );
        }
    }

    #[test]
    fn rates_may_be_negative_when_positivity_is_off() {
        let o = ParseOptions {
            positive: false,
            column: Some("dfii10".into()),
            ..ParseOptions::default()
        };
        let p = parse("f.csv", b"date,dgs10,dfii10\n2021-01-04,0.93,-1.04\n", &o).unwrap();
        assert_eq!(p.bars[0].close, -1.04);
        assert_eq!(p.value_column, "dfii10");
    }

    #[test]
    fn keep_last_and_close_only_policies() {
        let o = ParseOptions {
            on_duplicate: OnDuplicate::KeepLast,
            on_bad_range: OnBadRange::CloseOnly,
            ..ParseOptions::default()
        };
        let p = parse("t.csv", b"Date,Open,High,Low,Close\n2025-02-18,10,9,8,9\n2025-02-18,10,12,9,11\n2025-02-19,10,9,8,9\n", &o)
            .unwrap();
        assert_eq!(p.bars.len(), 2);
        assert_eq!(p.bars[0].close, 11.0);
        assert!(!p.bars[1].has_range());
        assert_eq!(p.warnings.len(), 3);
    }

    #[test]
    fn silent_misreadings_are_errors_or_warnings() {
        let o = ParseOptions::default();
        // A decimal comma in a comma-separated file: three fields under two headers.
        let e = err("Date,Close\n2025-02-18,2915,50\n", &o);
        assert!(e.contains("t.csv:2:") && e.contains("decimal comma"), "{e}");
        // A value that the unit conversion turns into infinity.
        let grams = ParseOptions {
            factor: 31.103_476_8,
            ..ParseOptions::default()
        };
        let e = err("Date,Close\n2025-02-18,1e308\n", &grams);
        assert!(e.contains("not a finite price"), "{e}");
        // Part of a range is dropped with a warning, not silently.
        let p = parse(
            "t.csv",
            b"Date,Open,High,Low,Close\n2025-02-18,2900,NaN,2880,2935\n",
            &o,
        )
        .unwrap();
        assert_eq!(p.bars[0].high, None);
        assert!(
            p.warnings
                .iter()
                .any(|w| matches!(w, Warning::RangeDropped { line: 2, .. })),
            "{:?}",
            p.warnings
        );
    }

    #[test]
    fn large_moves_warn_and_factor_converts() {
        let o = ParseOptions {
            factor: 2.0,
            ..ParseOptions::default()
        };
        let p = parse("t.csv", b"Date,Close\n2025-02-17,100\n2025-02-18,130\n", &o).unwrap();
        assert_eq!(p.bars[1].close, 260.0);
        assert!(matches!(p.warnings[0], Warning::LargeMove { line: 3, .. }));
    }

    #[test]
    fn lbma_zero_means_missing_and_columns_select_currency() {
        let text =
            br#"[{"d":"1968-04-01","v":[37.7,15.7,0]},{"d":"1968-04-02","v":[37.3,15.6,0]}]"#;
        let o = ParseOptions {
            column: Some("gbp".into()),
            ..ParseOptions::default()
        };
        let p = parse("g.json", text, &o).unwrap();
        assert_eq!(p.bars[1].close, 15.6);
        let o = ParseOptions {
            column: Some("eur".into()),
            ..ParseOptions::default()
        };
        assert!(matches!(
            parse("g.json", text, &o),
            Err(IngestError::Empty { .. })
        ));
    }
}
