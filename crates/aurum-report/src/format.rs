//! Numbers and dates as each language writes them: `$3,000` and `3,000ドル`, `18 February
//! 2025` and `2025年2月18日`.

use aurum_core::text::ja_date;
use aurum_core::{Date, Lang};
use chrono::Datelike;

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

// A number with `decimals` decimals and commas between thousands: `2,935.30`; a value that
// rounds to zero loses its sign. Shared with the other front-ends through aurum-core.
pub use aurum_core::text::grouped;

/// A price in US dollars.
#[must_use]
pub fn usd(v: f64, decimals: usize, lang: Lang) -> String {
    match lang {
        Lang::Ja => format!("{}ドル", grouped(v, decimals)),
        _ => format!("${}", grouped(v, decimals)),
    }
}

/// A probability as a percentage: `0.8034` → `80%` (or `80.3%`).
#[must_use]
pub fn pct(p: f64, decimals: usize) -> String {
    format!("{}%", grouped(p * 100.0, decimals))
}

/// A number, grouped: `-1.70` in English, `▲1.70` in Japanese text.
#[must_use]
pub fn number(v: f64, decimals: usize, lang: Lang) -> String {
    let s = grouped(v, decimals);
    match (lang, s.strip_prefix('-')) {
        (Lang::Ja, Some(abs)) => format!("▲{abs}"),
        _ => s,
    }
}

/// A signed number: `+1.3`, `-1.4`, `0.0`; in Japanese a negative one is written with ▲
/// (`▲1.4`), as Japanese financial writing does.
#[must_use]
pub fn signed(v: f64, decimals: usize, lang: Lang) -> String {
    let s = grouped(v, decimals);
    if s.chars().all(|c| c == '-' || c == '0' || c == '.') {
        s.trim_start_matches('-').to_owned()
    } else if let Some(abs) = s.strip_prefix('-') {
        match lang {
            Lang::Ja => format!("▲{abs}"),
            _ => s,
        }
    } else {
        format!("+{s}")
    }
}

/// A full date.
#[must_use]
pub fn date(d: Date, lang: Lang) -> String {
    match lang {
        Lang::Ja => ja_date(d),
        _ => format!("{} {} {}", d.day(), MONTHS[d.month0() as usize], d.year()),
    }
}

/// A date without the year: `18 Feb`, `2月18日`.
#[must_use]
pub fn day(d: Date, lang: Lang) -> String {
    match lang {
        Lang::Ja => format!("{}月{}日", d.month(), d.day()),
        _ => format!("{} {}", d.day(), &MONTHS[d.month0() as usize][..3]),
    }
}

/// A month: `January 2025`, `2025年1月`.
#[must_use]
pub fn month(d: Date, lang: Lang) -> String {
    match lang {
        Lang::Ja => format!("{}年{}月", d.year(), d.month()),
        _ => format!("{} {}", MONTHS[d.month0() as usize], d.year()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn numbers_are_grouped_and_signed() {
        assert_eq!(grouped(2935.304, 2), "2,935.30");
        assert_eq!(grouped(3000.0, 0), "3,000");
        assert_eq!(grouped(999.5, 0), "1,000");
        assert_eq!(grouped(-1234567.0, 0), "-1,234,567");
        assert_eq!(grouped(-0.001, 1), "0.0");
        assert_eq!(signed(1.26, 1, Lang::En), "+1.3");
        assert_eq!(signed(-1.44, 1, Lang::En), "-1.4");
        assert_eq!(signed(-1.44, 1, Lang::Ja), "▲1.4");
        assert_eq!(signed(1.26, 1, Lang::Ja), "+1.3");
        assert_eq!(signed(0.01, 1, Lang::Ja), "0.0");
        assert_eq!(number(-1.704, 2, Lang::Ja), "▲1.70");
        assert_eq!(number(-1.704, 2, Lang::En), "-1.70");
        assert_eq!(number(1234.5, 1, Lang::Ja), "1,234.5");
        assert_eq!(number(-0.001, 1, Lang::Ja), "0.0");
        assert_eq!(signed(-0.01, 1, Lang::Ja), "0.0");
        assert_eq!(pct(0.80345, 0), "80%");
        assert_eq!(pct(0.80345, 1), "80.3%");
    }

    #[test]
    fn each_language_writes_its_own_prices_and_dates() {
        assert_eq!(usd(3000.0, 0, Lang::En), "$3,000");
        assert_eq!(usd(3000.0, 0, Lang::Ja), "3,000ドル");
        assert_eq!(date(d(2025, 2, 18), Lang::En), "18 February 2025");
        assert_eq!(date(d(2025, 2, 18), Lang::Ja), "2025年2月18日");
        assert_eq!(day(d(2025, 6, 30), Lang::En), "30 Jun");
        assert_eq!(day(d(2025, 6, 30), Lang::Ja), "6月30日");
        assert_eq!(month(d(2025, 1, 1), Lang::Ja), "2025年1月");
        assert_eq!(month(d(2025, 1, 1), Lang::En), "January 2025");
    }
}
