//! The trading calendars' rules against published dates: Easter Sundays, the bank holidays of
//! England and Wales as gov.uk lists them ("UK bank holidays"), and the US exchange holidays.

use aurum_core::calendar::{UnknownCalendar, easter_sunday};
use aurum_core::{Calendar, Date, date};
use chrono::{Datelike, Weekday};

fn weekday(d: Date) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// `aurum_sim::trading_days` as it has always been: the Mondays to Fridays after `as_of`,
/// through `horizon`.
fn old_trading_days(as_of: Date, horizon: Date) -> Vec<Date> {
    as_of
        .iter_days()
        .skip(1)
        .take_while(|d| *d <= horizon)
        .filter(|d| weekday(*d))
        .collect()
}

#[test]
fn easter_sundays() {
    let known = [
        date(1818, 3, 22), // the earliest possible date
        date(1943, 4, 25), // the latest possible date
        date(1961, 4, 2),
        date(1990, 4, 15),
        date(2000, 4, 23),
        date(2008, 3, 23),
        date(2011, 4, 24),
        date(2016, 3, 27),
        date(2018, 4, 1),
        date(2019, 4, 21),
        date(2024, 3, 31),
        date(2025, 4, 20),
        date(2026, 4, 5),
        date(2038, 4, 25),
        date(2285, 3, 22),
    ];
    for day in known {
        assert_eq!(easter_sunday(day.year()), day);
    }
    for year in 1583..=3000 {
        let easter = easter_sunday(year);
        assert_eq!(easter.weekday(), Weekday::Sun, "{year}");
        assert!(
            easter >= date(year, 3, 22) && easter <= date(year, 4, 25),
            "{year}"
        );
    }
}

#[test]
fn english_bank_holidays_as_gov_uk_lists_them() {
    let expected = [
        (
            2020,
            vec![
                date(2020, 1, 1),
                date(2020, 4, 10),
                date(2020, 4, 13),
                date(2020, 5, 8), // early May, moved to Friday for VE Day
                date(2020, 5, 25),
                date(2020, 8, 31),
                date(2020, 12, 25),
                date(2020, 12, 28), // Boxing Day (substitute day)
            ],
        ),
        (
            2021,
            vec![
                date(2021, 1, 1),
                date(2021, 4, 2),
                date(2021, 4, 5),
                date(2021, 5, 3),
                date(2021, 5, 31),
                date(2021, 8, 30),
                date(2021, 12, 27), // Christmas Day (substitute day)
                date(2021, 12, 28), // Boxing Day (substitute day)
            ],
        ),
        (
            2022,
            vec![
                date(2022, 1, 3), // New Year's Day (substitute day)
                date(2022, 4, 15),
                date(2022, 4, 18),
                date(2022, 5, 2),
                date(2022, 6, 2), // spring bank holiday, moved
                date(2022, 6, 3), // Platinum Jubilee
                date(2022, 8, 29),
                date(2022, 9, 19), // state funeral of Queen Elizabeth II
                date(2022, 12, 26),
                date(2022, 12, 27), // Christmas Day (substitute day)
            ],
        ),
        (
            2023,
            vec![
                date(2023, 1, 2), // New Year's Day (substitute day)
                date(2023, 4, 7),
                date(2023, 4, 10),
                date(2023, 5, 1),
                date(2023, 5, 8), // coronation of King Charles III
                date(2023, 5, 29),
                date(2023, 8, 28),
                date(2023, 12, 25),
                date(2023, 12, 26),
            ],
        ),
        (
            2024,
            vec![
                date(2024, 1, 1),
                date(2024, 3, 29),
                date(2024, 4, 1),
                date(2024, 5, 6),
                date(2024, 5, 27),
                date(2024, 8, 26),
                date(2024, 12, 25),
                date(2024, 12, 26),
            ],
        ),
    ];
    for (year, days) in expected {
        assert_eq!(Calendar::London.holidays(year), days, "{year}");
    }
}

#[test]
fn english_moved_and_one_off_holidays() {
    let closed = [
        date(1995, 5, 8), // early May moved for VE Day's 50th anniversary
        date(1999, 12, 27),
        date(1999, 12, 28),
        date(1999, 12, 31), // millennium
        date(2000, 1, 3),
        date(2002, 6, 3),  // Golden Jubilee
        date(2002, 6, 4),  // spring bank holiday, moved
        date(2011, 4, 29), // royal wedding
        date(2012, 6, 4),  // spring bank holiday, moved
        date(2012, 6, 5),  // Diamond Jubilee
    ];
    for day in closed {
        assert!(!Calendar::London.is_trading_day(day), "{day}");
    }
    let open = [
        date(1995, 5, 1),
        date(2002, 5, 27),
        date(2012, 5, 28),
        date(2020, 5, 4),
        date(2022, 5, 30),
        date(2022, 12, 28),
    ];
    for day in open {
        assert!(Calendar::London.is_trading_day(day), "{day}");
    }
}

#[test]
fn us_exchange_holidays() {
    assert_eq!(
        Calendar::Comex.holidays(2024),
        vec![
            date(2024, 1, 1),
            date(2024, 1, 15),
            date(2024, 2, 19),
            date(2024, 3, 29),
            date(2024, 5, 27),
            date(2024, 6, 19),
            date(2024, 7, 4),
            date(2024, 9, 2),
            date(2024, 11, 28),
            date(2024, 12, 25),
        ]
    );
    assert_eq!(
        Calendar::Comex.holidays(2025),
        vec![
            date(2025, 1, 1),
            date(2025, 1, 20),
            date(2025, 2, 17),
            date(2025, 4, 18),
            date(2025, 5, 26),
            date(2025, 6, 19),
            date(2025, 7, 4),
            date(2025, 9, 1),
            date(2025, 11, 27),
            date(2025, 12, 25),
        ]
    );
    let closed = [
        date(2021, 12, 24), // Christmas on a Saturday
        date(2022, 6, 20),  // Juneteenth on a Sunday
        date(2023, 1, 2),   // New Year's Day on a Sunday
        date(2026, 7, 3),   // Independence Day on a Saturday
        date(2027, 6, 18),  // Juneteenth on a Saturday
        date(2001, 9, 11),
        date(2001, 9, 13),
        date(2004, 6, 11),
        date(2003, 11, 28), // NYMEX closed the Friday after Thanksgiving
    ];
    for day in closed {
        assert!(!Calendar::Comex.is_trading_day(day), "{day}");
    }
    let open = [
        date(2021, 12, 31), // New Year's Day 2022 on a Saturday is not observed
        date(2021, 6, 18),  // no Juneteenth before 2022
        date(1997, 1, 20),  // no Martin Luther King Jr. Day before 1998
        date(2001, 9, 14),  // NYMEX reopened electronically
        date(2007, 11, 23), // the Friday after Thanksgiving, from 2007
        date(2012, 10, 29),
        date(2018, 12, 5),
        date(2025, 1, 9),
        date(2024, 4, 1), // Easter Monday is a London holiday only
    ];
    for day in open {
        assert!(Calendar::Comex.is_trading_day(day), "{day}");
    }
}

#[test]
fn weekdays_keep_the_old_monday_to_friday_rule() {
    let ranges = [
        (date(2025, 2, 18), date(2025, 8, 18)),
        (date(2024, 12, 20), date(2025, 1, 10)),
        (date(2025, 2, 15), date(2025, 2, 16)), // a weekend: nothing
        (date(2025, 2, 14), date(2025, 2, 17)), // Friday to Monday: the Monday
        (date(2025, 2, 18), date(2025, 2, 18)), // nothing after as_of
        (date(2025, 2, 18), date(2025, 1, 1)),  // horizon before as_of
        (date(1999, 6, 30), date(2031, 3, 3)),
    ];
    for (after, through) in ranges {
        assert_eq!(
            Calendar::Weekdays.trading_days(after, through),
            old_trading_days(after, through),
            "{after}..={through}"
        );
    }
    assert!(Calendar::Weekdays.holidays(2025).is_empty());
}

#[test]
fn trading_days_agree_with_is_trading_day() {
    let (after, through) = (date(1995, 3, 3), date(2026, 1, 5));
    for calendar in Calendar::ALL {
        let days = calendar.trading_days(after, through);
        let expected: Vec<Date> = old_trading_days(after, through)
            .into_iter()
            .filter(|d| calendar.is_trading_day(*d))
            .collect();
        assert_eq!(days, expected, "{calendar}");
        for year in 1990..=2030 {
            let holidays = calendar.holidays(year);
            assert!(holidays.iter().all(|d| weekday(*d) && d.year() == year));
            assert!(holidays.windows(2).all(|w| w[0] < w[1]));
        }
    }
    assert_eq!(
        Calendar::London.trading_days(date(2022, 12, 23), date(2023, 1, 4)),
        vec![
            date(2022, 12, 28),
            date(2022, 12, 29),
            date(2022, 12, 30),
            date(2023, 1, 3),
            date(2023, 1, 4),
        ]
    );
    assert_eq!(
        Calendar::Comex.trading_days(date(2024, 12, 23), date(2025, 1, 2)),
        vec![
            date(2024, 12, 24),
            date(2024, 12, 26),
            date(2024, 12, 27),
            date(2024, 12, 30),
            date(2024, 12, 31),
            date(2025, 1, 2),
        ]
    );
}

#[test]
fn days_per_year_counts_the_rules() {
    let weekdays = Calendar::Weekdays.days_per_year();
    let london = Calendar::London.days_per_year();
    let comex = Calendar::Comex.days_per_year();
    // 1990–2024: 35 years, 12,784 days, of which 9,132 are Mondays to Fridays.
    assert!((weekdays - 9132.0 / 35.0).abs() < 1e-12, "{weekdays}");
    assert!(london > 251.0 && london < 254.0, "{london}");
    assert!(comex > 250.0 && comex < 253.0, "{comex}");
    assert!(london < weekdays && comex < weekdays);
}

#[test]
fn series_calendars() {
    assert_eq!(Calendar::for_series("gold-usd-lbma-pm"), Calendar::London);
    assert_eq!(Calendar::for_series("gold-usd-monthly"), Calendar::London);
    assert_eq!(Calendar::for_series("silver-usd-lbma"), Calendar::London);
    assert_eq!(Calendar::for_series("gold-usd-gc"), Calendar::Comex);
    assert_eq!(Calendar::for_series("silver-usd-si"), Calendar::Comex);
    assert_eq!(Calendar::for_series("copper-usd-comex"), Calendar::Comex);
    for id in [
        "gold-usd-spot",
        "gold-jpy-gram",
        "dxy",
        "sp500",
        "us10y",
        "usdjpy",
        "vix",
        "gpr-daily",
        "gc",
        "",
    ] {
        assert_eq!(Calendar::for_series(id), Calendar::Weekdays, "{id}");
    }
}

#[test]
fn names_round_trip() {
    for calendar in Calendar::ALL {
        assert_eq!(calendar.to_string().parse::<Calendar>(), Ok(calendar));
    }
    assert_eq!(
        ["weekdays", "london", "comex"].map(|s| s.parse::<Calendar>()),
        [
            Ok(Calendar::Weekdays),
            Ok(Calendar::London),
            Ok(Calendar::Comex)
        ]
    );
    assert_eq!("LONDON".parse::<Calendar>(), Ok(Calendar::London));
    assert_eq!(
        "nyse".parse::<Calendar>(),
        Err(UnknownCalendar("nyse".to_owned()))
    );
    assert_eq!(Calendar::default(), Calendar::Weekdays);
}
