//! Cell-level parsing: dates, numbers and unit conversion.

use std::borrow::Cow;

use aurum_core::{Date, GRAMS_PER_TROY_OUNCE, Unit};
use chrono::DateTime;

/// Parses a date cell: `YYYY-MM-DD`, `YYYY/MM/DD`, `YYYYMMDD`, an ISO date-time (the date
/// part is taken, in the time's own zone), or unix seconds (UTC).
///
/// Day-first and month-first forms such as `02/03/2025` are refused: they are ambiguous.
#[must_use]
pub fn parse_date(cell: &str) -> Option<Date> {
    let s = cell.trim();
    if s.len() >= 9 && s.bytes().all(|b| b.is_ascii_digit()) && s.len() != 8 {
        let secs: i64 = s.parse().ok()?;
        return DateTime::from_timestamp(secs, 0).map(|t| t.date_naive());
    }
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        return Date::parse_from_str(s, "%Y%m%d").ok();
    }
    if s.len() > 10 {
        if let Ok(t) = DateTime::parse_from_rfc3339(s) {
            return Some(t.date_naive());
        }
        let head = s.get(..10)?;
        let sep = s.as_bytes()[10];
        if sep == b'T' || sep == b' ' {
            return parse_date(head);
        }
        return None;
    }
    if let Some(d) = iso_date(s) {
        return d;
    }
    Date::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| Date::parse_from_str(s, "%Y/%m/%d"))
        .ok()
}

/// `YYYY-MM-DD` without the general parser (the form of nearly every cell): `Some` of what
/// `Date::parse_from_str(s, "%Y-%m-%d")` gives when `s` has that shape, `None` otherwise.
fn iso_date(s: &str) -> Option<Option<Date>> {
    let b = s.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shaped {
        return None;
    }
    let n = |r: std::ops::Range<usize>| {
        b[r].iter()
            .fold(0u32, |acc, c| acc * 10 + u32::from(c - b'0'))
    };
    let year = i32::try_from(n(0..4)).ok()?;
    Some(Date::from_ymd_opt(year, n(5..7), n(8..10)))
}

/// What a numeric cell holds.
#[derive(Debug, PartialEq)]
pub(crate) enum Cell {
    Number(f64),
    Missing,
    Invalid,
}

/// Parses a numeric cell. Empty, `.`, `null`, `NaN` and `N/A` are missing values.
/// With `decimal_comma` (files separated by `;`), `2935,29` reads as 2935.29; otherwise
/// thousands separators such as `2,935.29` are accepted.
pub(crate) fn parse_number(cell: &str, decimal_comma: bool) -> Cell {
    let s = cell.trim();
    if s.is_empty()
        || s == "."
        || s == "-"
        || ["null", "nan", "n/a", "na", "#n/a"]
            .iter()
            .any(|m| s.eq_ignore_ascii_case(m))
    {
        return Cell::Missing;
    }
    let commas = s.contains(',');
    let cleaned: Cow<'_, str> = if decimal_comma && commas {
        s.replace(['.', ' ', '\u{a0}'], "").replace(',', ".").into()
    } else if commas && is_grouped(s) {
        s.replace(',', "").into()
    } else {
        s.into()
    };
    match cleaned.parse::<f64>() {
        Ok(v) if v.is_finite() => Cell::Number(v),
        _ => Cell::Invalid,
    }
}

/// Whether `s` is a number with comma thousands separators, like `12,345.6`.
fn is_grouped(s: &str) -> bool {
    let int = s.split('.').next().unwrap_or("");
    let int = int.strip_prefix('-').unwrap_or(int);
    let groups: Vec<&str> = int.split(',').collect();
    groups.len() > 1
        && (1..=3).contains(&groups[0].len())
        && groups[1..].iter().all(|g| g.len() == 3)
        && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()))
}

/// The factor that converts prices quoted per `from` into prices per `to`, or `None` when the
/// units measure different things (an index cannot become a price per ounce).
///
/// ```
/// use aurum_core::Unit;
/// let f = aurum_ingest::unit_factor(Unit::Gram, Unit::TroyOunce).unwrap();
/// assert!((10_000.0 * f - 311_034.768).abs() < 1e-6); // ¥10,000/g is ¥311,034.768/oz
/// ```
#[must_use]
pub fn unit_factor(from: Unit, to: Unit) -> Option<f64> {
    match (from, to) {
        (a, b) if a == b => Some(1.0),
        (Unit::Gram, Unit::TroyOunce) => Some(GRAMS_PER_TROY_OUNCE),
        (Unit::TroyOunce, Unit::Gram) => Some(1.0 / GRAMS_PER_TROY_OUNCE),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aurum_core::date;

    #[test]
    fn dates_in_common_forms() {
        let d = date(2025, 2, 18);
        for s in [
            "2025-02-18",
            "2025/02/18",
            "20250218",
            "2025-02-18T00:00:00Z",
            "2025-02-18 00:00:00",
            "2025-02-18T09:00:00+09:00",
            "1739836800",
        ] {
            assert_eq!(parse_date(s), Some(d), "{s}");
        }
        for s in [
            "18/02/2025",
            "02/18/2025",
            "2025-13-01",
            "yesterday",
            "",
            "2025-02-30",
        ] {
            assert_eq!(parse_date(s), None, "{s}");
        }
    }

    #[test]
    fn iso_dates_read_as_the_general_parser_reads_them() {
        let general = |s: &str| Date::parse_from_str(s, "%Y-%m-%d").ok();
        let mut d = date(1800, 1, 1);
        while d < date(2101, 1, 1) {
            let s = d.to_string();
            assert_eq!(iso_date(&s), Some(Some(d)), "{s}");
            d = d + chrono::Days::new(1);
        }
        for s in [
            "0000-01-01",
            "9999-12-31",
            "2025-00-10",
            "2025-13-01",
            "2025-02-29",
            "2024-02-29",
            "2025-04-31",
            "2025-01-00",
            "2025-01-32",
        ] {
            assert_eq!(iso_date(s), Some(general(s)), "{s}");
        }
        for s in [
            "2025-1-018",
            "2025/01/01",
            "+2025-01-1",
            "2025-01-1x",
            "20250101",
            "",
        ] {
            assert_eq!(iso_date(s), None, "{s}");
        }
    }

    #[test]
    fn numbers_missing_and_grouped() {
        assert_eq!(parse_number("2935.29", false), Cell::Number(2935.29));
        assert_eq!(parse_number("2,935.29", false), Cell::Number(2935.29));
        assert_eq!(parse_number("2935,29", true), Cell::Number(2935.29));
        assert_eq!(parse_number("2.935,29", true), Cell::Number(2935.29));
        assert_eq!(parse_number("2935.29", true), Cell::Number(2935.29));
        assert_eq!(parse_number(".", false), Cell::Missing);
        assert_eq!(parse_number("null", false), Cell::Missing);
        assert_eq!(parse_number("N/A", false), Cell::Missing);
        assert_eq!(parse_number("#n/a", false), Cell::Missing);
        assert_eq!(parse_number("NaN", false), Cell::Missing);
        assert_eq!(parse_number("", false), Cell::Missing);
        assert_eq!(parse_number("inf", false), Cell::Invalid);
        assert_eq!(parse_number("12,34", false), Cell::Invalid);
        assert_eq!(parse_number("abc", false), Cell::Invalid);
    }

    #[test]
    fn unit_factors() {
        assert_eq!(unit_factor(Unit::TroyOunce, Unit::TroyOunce), Some(1.0));
        assert_eq!(
            unit_factor(Unit::Gram, Unit::TroyOunce),
            Some(GRAMS_PER_TROY_OUNCE)
        );
        assert_eq!(unit_factor(Unit::IndexPoints, Unit::TroyOunce), None);
    }
}
