//! The trading calendars against the bundled daily histories (`data/prices/`): on every
//! weekday since 2000-01-01 (or the series' first day, if later) through its last day, the
//! series has an observation exactly when its calendar says the day trades, except on the
//! few days listed here, each with the reason.

use std::collections::BTreeMap;

use aurum_core::{Calendar, Date, date};
use chrono::{Datelike, Days, Weekday};

fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A bundled price file's rows, by date: every column after `date`, as text.
fn rows(file: &str) -> BTreeMap<Date, Vec<String>> {
    let text = fs_err::read_to_string(root().join("data/prices").join(file)).expect("bundled file");
    let mut lines = text.lines();
    assert!(
        lines.next().is_some_and(|h| h.starts_with("date,")),
        "{file}"
    );
    lines
        .map(|line| {
            let mut fields = line.split(',');
            let day = fields.next().unwrap_or_default().parse().expect("ISO date");
            (day, fields.map(str::to_owned).collect())
        })
        .collect()
}

fn is_weekday(d: Date) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The weekday on or before `day`.
fn weekday_on_or_before(mut day: Date) -> Date {
    while !is_weekday(day) {
        day = day - Days::new(1);
    }
    day
}

/// A weekday on which the calendar and the series disagree.
#[derive(Debug, PartialEq, Eq)]
enum Mismatch {
    /// The calendar says the day trades; the series has no row.
    Missing(Date),
    /// The calendar says the day is a holiday; the series has a row.
    Extra(Date),
}

/// Every weekday from `from` through `through` on which `calendar` and `series` disagree.
fn mismatches<T>(
    calendar: Calendar,
    series: &BTreeMap<Date, T>,
    from: Date,
    through: Date,
) -> Vec<Mismatch> {
    from.iter_days()
        .take_while(|d| *d <= through)
        .filter(|d| is_weekday(*d))
        .filter_map(
            |d| match (calendar.is_trading_day(d), series.contains_key(&d)) {
                (true, false) => Some(Mismatch::Missing(d)),
                (false, true) => Some(Mismatch::Extra(d)),
                _ => None,
            },
        )
        .collect()
}

#[test]
fn lbma_pm_fixes_on_london_business_days() {
    let series = rows("gold_usd_daily_lbma_pm.csv");
    let last = *series.keys().next_back().expect("rows");
    let found = mismatches(Calendar::London, &series, date(2000, 1, 1), last);

    // The LBMA Gold Price PM auction is not held on Christmas Eve and New Year's Eve (only
    // the AM auction is), or on the Friday before when either falls on a weekend. London
    // trades on those days, so the calendar counts them; the PM series has no row.
    let half_days: Vec<Date> = (2000..=last.year())
        .flat_map(|y| [date(y, 12, 24), date(y, 12, 31)])
        .map(weekday_on_or_before)
        .filter(|d| *d <= last)
        .collect();
    for day in &half_days {
        assert!(Calendar::London.is_trading_day(*day), "{day}");
        assert!(!series.contains_key(day), "a PM price on {day}");
    }

    let rest: Vec<&Mismatch> = found
        .iter()
        .filter(|m| !matches!(m, Mismatch::Missing(d) if half_days.contains(d)))
        .collect();
    // Days with no value in the source (FRED GOLDPMGBD228NLBM) although London was open
    // and no cancelled auction is known: gaps in the data, not holidays.
    let gaps = [date(2017, 8, 15), date(2019, 10, 18), date(2020, 2, 7)].map(Mismatch::Missing);
    assert_eq!(rest, gaps.iter().collect::<Vec<_>>());
    assert_eq!(found.len(), half_days.len() + gaps.len());
}

#[test]
fn comex_gc_closes_on_comex_business_days() {
    let series = rows("gold_usd_daily_ohlc_comex_gc_futures.csv");
    let first = *series.keys().next().expect("rows");
    let last = *series.keys().next_back().expect("rows");
    let found = mismatches(Calendar::Comex, &series, first.max(date(2000, 1, 1)), last);

    let expected = [
        // Fridays and a Monday next to a holiday, missing as NYMEX's own bridge days were
        // (like 24 December 2001 and 26 December 2003, which the calendar has); no notice
        // of these closures was found, so the calendar keeps them as trading days.
        Mismatch::Missing(date(2002, 7, 5)),
        Mismatch::Missing(date(2004, 1, 2)),
        // Ordinary days missing from the source (Yahoo Finance GC=F).
        Mismatch::Missing(date(2005, 3, 30)),
        Mismatch::Missing(date(2005, 4, 28)),
        Mismatch::Missing(date(2005, 6, 29)),
        // The Monday before Independence Day (a Tuesday): likely another NYMEX bridge day,
        // unconfirmed like the two above.
        Mismatch::Missing(date(2006, 7, 3)),
        // Labor Day: the row repeats Friday 2006-09-01 (checked below).
        Mismatch::Extra(date(2006, 9, 4)),
        // NYMEX closed the Friday after Thanksgiving until 2006: the row repeats Wednesday
        // 2006-11-22 (checked below), and Monday's row is missing instead.
        Mismatch::Extra(date(2006, 11, 24)),
        Mismatch::Missing(date(2006, 11, 27)),
        // Hurricane Sandy: the New York floor closed, electronic trading kept its regular
        // hours; the source has no rows.
        Mismatch::Missing(date(2012, 10, 29)),
        Mismatch::Missing(date(2012, 10, 30)),
        // Columbus Day and Veterans Day (bond-market holidays; COMEX trades) and an ordinary
        // Monday, missing from the source.
        Mismatch::Missing(date(2016, 10, 10)),
        Mismatch::Missing(date(2016, 11, 11)),
        Mismatch::Missing(date(2018, 1, 29)),
        // Day of mourning for President George H. W. Bush: CME closed its equity and
        // interest-rate markets only; metals kept their hours, the source has no row.
        Mismatch::Missing(date(2018, 12, 5)),
    ];
    assert_eq!(found, expected);

    // The two rows on closed days are copies of an earlier day's row.
    for (extra, copied) in [
        (date(2006, 9, 4), date(2006, 9, 1)),
        (date(2006, 11, 24), date(2006, 11, 22)),
    ] {
        assert_eq!(series[&extra], series[&copied], "{extra}");
    }
}
