//! Trading calendars: the days on which a series trades.
//!
//! A simulation that steps one day per trading day should step on the days its series
//! actually trades. [`Calendar`] says which days those are:
//!
//! - [`Calendar::Weekdays`]: Monday to Friday, every week of the year.
//! - [`Calendar::London`]: the LBMA Gold Price, fixed in London on English business days:
//!   Monday to Friday except the bank holidays of England and Wales.
//! - [`Calendar::Comex`]: COMEX gold futures, settled on CME Group business days: Monday to
//!   Friday except the US exchange holidays.
//!
//! Holidays are computed by rule (with the dated exceptions listed on each variant), never
//! read from a file, so the calendars reach any year. The rules are those in force today;
//! years long before 1990 may differ from what was actually observed (see each variant).
//!
//! ```
//! use aurum_core::{Calendar, date};
//!
//! // Good Friday 2024 closed London and COMEX alike.
//! assert!(!Calendar::London.is_trading_day(date(2024, 3, 29)));
//! assert!(!Calendar::Comex.is_trading_day(date(2024, 3, 29)));
//! // Easter Monday is a holiday in London only.
//! assert!(!Calendar::London.is_trading_day(date(2024, 4, 1)));
//! assert!(Calendar::Comex.is_trading_day(date(2024, 4, 1)));
//! // The days after Thursday 2024-03-28 through Tuesday 2024-04-02.
//! assert_eq!(
//!     Calendar::London.trading_days(date(2024, 3, 28), date(2024, 4, 2)),
//!     vec![date(2024, 4, 2)],
//! );
//! ```

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Days, Weekday};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::{Date, date};

/// The days on which a series trades.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Calendar {
    /// Monday to Friday, every week, no holidays: the calendar aurum used for every series
    /// before calendars existed, and still the one for series without a known venue.
    #[default]
    Weekdays,
    /// London: the LBMA Gold Price fixings. Monday to Friday except the bank holidays of
    /// England and Wales as listed by gov.uk, "UK bank holidays"
    /// (<https://www.gov.uk/bank-holidays>), computed by rule:
    ///
    /// - New Year's Day, 1 January (a bank holiday since 1974); on a Saturday or Sunday the
    ///   following Monday is the substitute day.
    /// - Good Friday and Easter Monday, two days before and one day after
    ///   [`easter_sunday`].
    /// - Early May bank holiday (since 1978), the first Monday of May; moved to Monday 8 May
    ///   in 1995 and to Friday 8 May in 2020 (VE Day anniversaries).
    /// - Spring bank holiday, the last Monday of May; moved to Tuesday 4 June 2002 with
    ///   Monday 3 June the Golden Jubilee, to Monday 4 June 2012 with Tuesday 5 June the
    ///   Diamond Jubilee, to Thursday 2 June 2022 with Friday 3 June the Platinum Jubilee
    ///   (and in 1977 to Monday 6 June with Tuesday 7 June the Silver Jubilee).
    /// - Summer bank holiday, the last Monday of August.
    /// - Christmas Day and Boxing Day, 25 and 26 December. A holiday on a Saturday or Sunday
    ///   is substituted by the next weekday that is not already a holiday: Christmas on a
    ///   Saturday gives Monday 27 and Tuesday 28; on a Sunday, Monday 26 (Boxing Day) and
    ///   Tuesday 27; Boxing Day on a Saturday gives Monday 28.
    /// - One-off bank holidays: 29 July 1981 (royal wedding), 31 December 1999 (millennium),
    ///   29 April 2011 (royal wedding), 19 September 2022 (state funeral of Queen
    ///   Elizabeth II), 8 May 2023 (coronation of King Charles III).
    ///
    /// The LBMA Gold Price PM auction is not held on 24 and 31 December, or on the Friday
    /// before when either falls on a weekend (only the AM auction is). London trades on
    /// those days and this calendar counts them, so the `gold-usd-lbma-pm` series has no
    /// observation on two of its trading days a year.
    ///
    /// Before 1971 the spring and summer holidays were Whit Monday and the first Monday of
    /// August; this calendar does not model those years.
    London,
    /// COMEX: CME Group's metals futures, on their settlement calendar. Monday to Friday
    /// except the US exchange holidays, observed as the NYSE observes them (a holiday on a
    /// Saturday is observed on the Friday before, one on a Sunday on the Monday after, except
    /// that New Year's Day on a Saturday is not observed at all, since the Friday before
    /// closes a year):
    ///
    /// - New Year's Day, 1 January.
    /// - Martin Luther King Jr. Day (from 1998, the first year the NYSE closed for it), the
    ///   third Monday of January.
    /// - Presidents' Day (Washington's Birthday), the third Monday of February.
    /// - Good Friday, two days before [`easter_sunday`].
    /// - Memorial Day, the last Monday of May.
    /// - Juneteenth (from 2022), 19 June.
    /// - Independence Day, 4 July.
    /// - Labor Day, the first Monday of September.
    /// - Thanksgiving, the fourth Thursday of November.
    /// - Christmas Day, 25 December.
    /// - The Friday after Thanksgiving from 2000 to 2006: NYMEX, COMEX's exchange before CME
    ///   Group bought it in 2008, closed that day for years and first stayed open on it in
    ///   2007 (it has traded since, with an early close).
    /// - One-off closures: 11–13 September 2001 (the attacks on the World Trade Center, next
    ///   to NYMEX's building; NYMEX reopened electronically on Friday 14 September),
    ///   24 December 2001 and 26 December 2003 (NYMEX bridged Christmas into a long weekend),
    ///   11 June 2004 (national day of mourning for President Reagan, when NYMEX closed) and
    ///   31 December 2004 (NYMEX observed New Year's Day 2005, a Saturday, on the Friday
    ///   before).
    ///
    /// Days of mourning and emergencies on which COMEX traded electronically through its
    /// regular hours are trading days: 2 January 2007 (President Ford) and 29–30 October
    /// 2012 (Hurricane Sandy), when only the New York trading floor closed, and 5 December
    /// 2018 (President George H. W. Bush) and 9 January 2025 (President Carter), when CME
    /// Group closed or shortened other markets but kept metals on their regular hours.
    ///
    /// CME Globex keeps electronic trading partly open on several of these days (usually
    /// with an early halt), but publishes no settlement prices for them: their trades count
    /// towards the next business day. A daily series of settlements, or of closes keyed by
    /// trade date, follows this calendar; a feed that stamps the holiday sessions with their
    /// calendar date may show rows on some of these days.
    Comex,
}

/// A calendar name that aurum does not know.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[error("unknown calendar {0:?}: expected weekdays, london or comex")]
pub struct UnknownCalendar(pub String);

/// The first and last year whose trading days [`Calendar::days_per_year`] averages.
const AVERAGE_YEARS: (i32, i32) = (1990, 2024);

impl Calendar {
    /// Every calendar, in the order of its variants.
    pub const ALL: [Self; 3] = [Self::Weekdays, Self::London, Self::Comex];

    /// Whether `day` is a trading day: a weekday that is not one of [`Calendar::holidays`].
    #[must_use]
    pub fn is_trading_day(self, day: Date) -> bool {
        is_weekday(day) && !self.holidays(day.year()).contains(&day)
    }

    /// The trading days strictly after `after`, up to and including `through`, in order;
    /// empty when `through` is not after `after`.
    ///
    /// For [`Calendar::Weekdays`] these are the Mondays to Fridays of that range, the days
    /// `aurum_sim::trading_days(as_of, horizon)` has always stepped through.
    #[must_use]
    pub fn trading_days(self, after: Date, through: Date) -> Vec<Date> {
        let mut year = None;
        let mut holidays = Vec::new();
        after
            .iter_days()
            .skip(1)
            .take_while(|d| *d <= through)
            .filter(|d| {
                if !is_weekday(*d) {
                    return false;
                }
                if year != Some(d.year()) {
                    year = Some(d.year());
                    holidays = self.holidays(d.year());
                }
                !holidays.contains(d)
            })
            .collect()
    }

    /// The holidays of `year` that fall on a weekday (substitute and observed days included,
    /// weekend dates of the holidays they replace left out), in date order; empty for
    /// [`Calendar::Weekdays`].
    #[must_use]
    pub fn holidays(self, year: i32) -> Vec<Date> {
        let mut days = match self {
            Self::Weekdays => Vec::new(),
            Self::London => london_holidays(year),
            Self::Comex => comex_holidays(year),
        };
        days.retain(|d| is_weekday(*d));
        days.sort_unstable();
        days.dedup();
        days
    }

    /// The average number of trading days per year over 1990–2024, counted from the rules
    /// (about 261 for [`Calendar::Weekdays`], 253 for [`Calendar::London`] and 252 for
    /// [`Calendar::Comex`]): the factor that turns daily volatility into annual volatility
    /// on this calendar.
    #[must_use]
    pub fn days_per_year(self) -> f64 {
        let (first, last) = AVERAGE_YEARS;
        let days = self.trading_days(date(first - 1, 12, 31), date(last, 12, 31));
        let count = u32::try_from(days.len()).expect("a few thousand days");
        f64::from(count) / f64::from(last - first + 1)
    }

    /// The calendar of the series `id`: `gold-usd-lbma-pm` and `gold-usd-monthly` (and any
    /// id with an `lbma` part) fix in London; `gold-usd-gc` (and any id whose last part is a
    /// CME metals futures code, `gc`, `mgc`, `si`, `sil`, `hg`, `pl` or `pa`, or that has a
    /// `comex` part) trades on COMEX; every other series trades on weekdays.
    #[must_use]
    pub fn for_series(id: &str) -> Self {
        const CME_METALS: [&str; 7] = ["gc", "mgc", "si", "sil", "hg", "pl", "pa"];
        let parts: Vec<&str> = id.split(['-', '_']).collect();
        if id == "gold-usd-lbma-pm" || id == "gold-usd-monthly" || parts.contains(&"lbma") {
            Self::London
        } else if parts.contains(&"comex")
            || parts
                .last()
                .is_some_and(|last| parts.len() > 1 && CME_METALS.contains(last))
        {
            Self::Comex
        } else {
            Self::Weekdays
        }
    }
}

impl FromStr for Calendar {
    type Err = UnknownCalendar;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "weekdays" => Ok(Self::Weekdays),
            "london" => Ok(Self::London),
            "comex" => Ok(Self::Comex),
            _ => Err(UnknownCalendar(s.to_owned())),
        }
    }
}

impl fmt::Display for Calendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Weekdays => "weekdays",
            Self::London => "london",
            Self::Comex => "comex",
        })
    }
}

/// Easter Sunday of `year` in the Gregorian calendar, by the anonymous Gregorian algorithm
/// (Meeus, *Astronomical Algorithms*, chapter 8).
///
/// ```
/// use aurum_core::{calendar::easter_sunday, date};
///
/// assert_eq!(easter_sunday(2025), date(2025, 4, 20));
/// ```
///
/// # Panics
///
/// Panics when the year is outside the range of [`Date`].
#[must_use]
pub fn easter_sunday(year: i32) -> Date {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l) / 451;
    let n = h + l - 7 * m + 114;
    let month = u32::try_from(n / 31).expect("March or April");
    let day = u32::try_from(n % 31 + 1).expect("a day of the month");
    date(year, month, day)
}

fn is_weekday(day: Date) -> bool {
    !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
}

fn add_days(day: Date, n: i64) -> Date {
    let magnitude = Days::new(n.unsigned_abs());
    if n >= 0 {
        day + magnitude
    } else {
        day - magnitude
    }
}

/// The `n`th `weekday` of `month` (`n` from 1).
fn nth_weekday(year: i32, month: u32, weekday: Weekday, n: u32) -> Date {
    let first = date(year, month, 1);
    let ahead = (weekday.num_days_from_monday() + 7 - first.weekday().num_days_from_monday()) % 7;
    first + Days::new(u64::from(ahead + 7 * (n - 1)))
}

/// The last `weekday` of `month`.
fn last_weekday(year: i32, month: u32, weekday: Weekday) -> Date {
    let last = if month == 12 {
        date(year, 12, 31)
    } else {
        date(year, month + 1, 1) - Days::new(1)
    };
    let back = (last.weekday().num_days_from_monday() + 7 - weekday.num_days_from_monday()) % 7;
    last - Days::new(u64::from(back))
}

/// Moves each weekend date of `fixed` to the next weekday not yet taken (English substitute
/// days), in the order given; weekday dates stay.
fn substitute(fixed: &[Date]) -> Vec<Date> {
    let mut taken: Vec<Date> = fixed.iter().copied().filter(|d| is_weekday(*d)).collect();
    let mut out = taken.clone();
    for day in fixed.iter().copied().filter(|d| !is_weekday(*d)) {
        let mut sub = day;
        while !is_weekday(sub) || taken.contains(&sub) {
            sub = sub + Days::new(1);
        }
        taken.push(sub);
        out.push(sub);
    }
    out
}

/// London's one-off bank holidays, as (year, month, day).
const LONDON_ONE_OFF: [(i32, u32, u32); 5] = [
    (1981, 7, 29),  // wedding of the Prince of Wales
    (1999, 12, 31), // millennium
    (2011, 4, 29),  // wedding of Prince William
    (2022, 9, 19),  // state funeral of Queen Elizabeth II
    (2023, 5, 8),   // coronation of King Charles III
];

/// COMEX's one-off closures, as (year, month, day).
const COMEX_ONE_OFF: [(i32, u32, u32); 7] = [
    (2001, 9, 11), // attacks on the World Trade Center
    (2001, 9, 12),
    (2001, 9, 13),
    (2001, 12, 24), // NYMEX's Christmas bridge
    (2003, 12, 26), // NYMEX's Christmas bridge
    (2004, 6, 11),  // national day of mourning, President Reagan
    (2004, 12, 31), // NYMEX observed New Year's Day 2005 (a Saturday)
];

/// The days of `table` in `year`.
fn one_off(table: &[(i32, u32, u32)], year: i32) -> impl Iterator<Item = Date> + '_ {
    table
        .iter()
        .filter(move |(y, _, _)| *y == year)
        .map(|&(y, m, d)| date(y, m, d))
}

fn london_holidays(year: i32) -> Vec<Date> {
    let easter = easter_sunday(year);
    let mut days = vec![add_days(easter, -2), add_days(easter, 1)];
    if year >= 1974 {
        days.extend(substitute(&[date(year, 1, 1)]));
    }
    if year >= 1978 {
        days.push(match year {
            1995 => date(1995, 5, 8),
            2020 => date(2020, 5, 8),
            _ => nth_weekday(year, 5, Weekday::Mon, 1),
        });
    }
    match year {
        1977 => days.extend([date(1977, 6, 6), date(1977, 6, 7)]),
        2002 => days.extend([date(2002, 6, 3), date(2002, 6, 4)]),
        2012 => days.extend([date(2012, 6, 4), date(2012, 6, 5)]),
        2022 => days.extend([date(2022, 6, 2), date(2022, 6, 3)]),
        _ => days.push(last_weekday(year, 5, Weekday::Mon)),
    }
    days.push(last_weekday(year, 8, Weekday::Mon));
    days.extend(substitute(&[date(year, 12, 25), date(year, 12, 26)]));
    days.extend(one_off(&LONDON_ONE_OFF, year));
    days
}

/// A US holiday on a Saturday observed on the Friday before, on a Sunday on the Monday after.
fn observed(day: Date) -> Date {
    match day.weekday() {
        Weekday::Sat => day - Days::new(1),
        Weekday::Sun => day + Days::new(1),
        _ => day,
    }
}

fn comex_holidays(year: i32) -> Vec<Date> {
    let mut days = Vec::new();
    let new_year = date(year, 1, 1);
    if new_year.weekday() != Weekday::Sat {
        days.push(observed(new_year));
    }
    if year >= 1998 {
        days.push(nth_weekday(year, 1, Weekday::Mon, 3));
    }
    days.push(nth_weekday(year, 2, Weekday::Mon, 3));
    days.push(add_days(easter_sunday(year), -2));
    days.push(last_weekday(year, 5, Weekday::Mon));
    if year >= 2022 {
        days.push(observed(date(year, 6, 19)));
    }
    days.push(observed(date(year, 7, 4)));
    days.push(nth_weekday(year, 9, Weekday::Mon, 1));
    let thanksgiving = nth_weekday(year, 11, Weekday::Thu, 4);
    days.push(thanksgiving);
    if (2000..=2006).contains(&year) {
        days.push(thanksgiving + Days::new(1));
    }
    days.push(observed(date(year, 12, 25)));
    days.extend(one_off(&COMEX_ONE_OFF, year));
    days
}
