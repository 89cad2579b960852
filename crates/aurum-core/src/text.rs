//! Text every front-end writes the same way: numbers with thousands separators, XML-escaped
//! strings and Japanese dates.

use std::fmt::Write as _;

use chrono::Datelike;

use crate::Date;

/// `value` with `decimals` decimals and a comma between thousands: `2,935.30`, `-1,234,567`.
///
/// Rounding is `format!("{:.*}")`'s (round half to even on the binary value). A negative
/// number takes an ASCII minus unless it rounds to zero, so `-0.001` with one decimal is
/// `0.0`, and `-0.0` is `0`. Not-a-number is `NaN` and infinities are `inf` and `-inf`.
///
/// ```
/// use aurum_core::text::grouped;
///
/// assert_eq!(grouped(2935.304, 2), "2,935.30");
/// assert_eq!(grouped(-1_234_567.0, 0), "-1,234,567");
/// assert_eq!(grouped(-0.001, 1), "0.0");
/// ```
#[must_use]
pub fn grouped(value: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, value.abs());
    let (int, frac) = s
        .split_once('.')
        .map_or((s.as_str(), None), |(i, f)| (i, Some(f)));
    let mut out = String::with_capacity(s.len() + s.len() / 3 + 1);
    // A value that rounds to zero loses its sign: never "-0".
    if value < 0.0 && !s.bytes().all(|b| b == b'0' || b == b'.') {
        out.push('-');
    }
    let len = int.len();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (len - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(frac) = frac {
        let _ = write!(out, ".{frac}");
    }
    out
}

/// `text` with the five XML special characters escaped (`&`, `<`, `>`, `"` and `'`), fit for
/// SVG or HTML text and attribute values in either kind of quotes.
///
/// ```
/// assert_eq!(aurum_core::text::escape_xml("a < b & 'c'"), "a &lt; b &amp; &apos;c&apos;");
/// ```
#[must_use]
pub fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}

/// A date as Japanese writes it, without leading zeros: `2025年2月18日`.
///
/// ```
/// assert_eq!(aurum_core::text::ja_date(aurum_core::date(2025, 2, 18)), "2025年2月18日");
/// ```
#[must_use]
pub fn ja_date(d: Date) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// At most this many characters of an offending value are quoted in a message.
pub const QUOTED: usize = 80;

/// `s` cut to [`QUOTED`] characters with a note of how much was left out, for quoting
/// input in error messages: a 100 MB line does not become a 100 MB message.
#[must_use]
pub fn clip(s: &str) -> String {
    let n = s.chars().count();
    if n <= QUOTED {
        return s.to_owned();
    }
    let head: String = s.chars().take(QUOTED).collect();
    format!("{head}… ({} more characters)", n - QUOTED)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date;

    #[test]
    fn thousands_are_separated_by_commas() {
        assert_eq!(grouped(0.0, 0), "0");
        assert_eq!(grouped(999.0, 0), "999");
        assert_eq!(grouped(1000.0, 0), "1,000");
        assert_eq!(grouped(2800.0, 0), "2,800");
        assert_eq!(grouped(2935.29, 2), "2,935.29");
        assert_eq!(grouped(123_456.0, 0), "123,456");
        assert_eq!(grouped(1_234_567.0, 0), "1,234,567");
        assert_eq!(grouped(1_234_567.5, 2), "1,234,567.50");
        assert_eq!(grouped(0.25, 2), "0.25");
        assert_eq!(grouped(0.25, 0), "0");
    }

    #[test]
    fn rounding_may_add_a_group() {
        assert_eq!(grouped(2935.304, 2), "2,935.30");
        assert_eq!(grouped(999.5, 0), "1,000");
        assert_eq!(grouped(999_999.996, 2), "1,000,000.00");
        // Half to even on the binary value, as `format!`: 2.5 → 2, 0.125 → 0.12.
        assert_eq!(grouped(2.5, 0), "2");
        assert_eq!(grouped(0.125, 2), "0.12");
    }

    #[test]
    fn negatives_take_a_minus_unless_they_round_to_zero() {
        assert_eq!(grouped(-1.04, 2), "-1.04");
        assert_eq!(grouped(-1234.5, 1), "-1,234.5");
        assert_eq!(grouped(-123_456.0, 0), "-123,456");
        assert_eq!(grouped(-1_234_567.0, 0), "-1,234,567");
        assert_eq!(grouped(-0.001, 0), "0");
        assert_eq!(grouped(-0.001, 1), "0.0");
        assert_eq!(grouped(-0.0, 0), "0");
        assert_eq!(grouped(-0.0, 2), "0.00");
        assert_eq!(grouped(-0.005, 3), "-0.005");
    }

    #[test]
    fn non_finite_values_are_spelt_out() {
        assert_eq!(grouped(f64::NAN, 2), "NaN");
        assert_eq!(grouped(-f64::NAN, 0), "NaN");
        assert_eq!(grouped(f64::INFINITY, 2), "inf");
        assert_eq!(grouped(f64::NEG_INFINITY, 0), "-inf");
    }

    #[test]
    fn xml_special_characters_are_escaped() {
        assert_eq!(
            escape_xml(r#"a & b < c > d "e" 'f'"#),
            "a &amp; b &lt; c &gt; d &quot;e&quot; &apos;f&apos;"
        );
        assert_eq!(escape_xml("&amp;"), "&amp;amp;");
        assert_eq!(escape_xml(""), "");
        assert_eq!(escape_xml("金価格 – 3,000ドル"), "金価格 – 3,000ドル");
    }

    #[test]
    fn japanese_dates_have_no_leading_zeros() {
        assert_eq!(ja_date(date(2025, 2, 18)), "2025年2月18日");
        assert_eq!(ja_date(date(2025, 12, 1)), "2025年12月1日");
        assert_eq!(ja_date(date(1968, 1, 30)), "1968年1月30日");
        assert_eq!(ja_date(date(2024, 2, 29)), "2024年2月29日");
    }
}
