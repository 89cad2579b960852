use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Days, Weekday};
use serde::{Deserialize, Serialize};

use crate::{Bar, CoreError, Date, PeriodBar};

/// Sampling frequency of bars.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    /// One bar per trading day.
    #[default]
    Daily,
    /// One bar per week, labelled by its Friday (pandas `W-FRI`).
    Weekly,
    /// One bar per calendar month, labelled by its last day (pandas `ME`).
    Monthly,
}

impl FromStr for Frequency {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "daily" | "d" | "day" => Ok(Self::Daily),
            "weekly" | "w" | "week" => Ok(Self::Weekly),
            "monthly" | "m" | "month" => Ok(Self::Monthly),
            _ => Err(CoreError::UnknownFrequency(s.to_owned())),
        }
    }
}

impl fmt::Display for Frequency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Daily => "daily",
            Self::Weekly => "weekly",
            Self::Monthly => "monthly",
        })
    }
}

/// The label of the period that contains `date`.
///
/// Weekly: the first Friday on or after `date`, so Saturday and Sunday belong to the
/// following week, exactly as pandas' `W-FRI` bins `(Fri, Fri]`. Monthly: the last day of the
/// month.
#[must_use]
pub fn period_end(date: Date, freq: Frequency) -> Date {
    match freq {
        Frequency::Daily => date,
        Frequency::Weekly => {
            let from_monday = date.weekday().num_days_from_monday();
            let friday = Weekday::Fri.num_days_from_monday();
            let ahead = (friday + 7 - from_monday) % 7;
            date + Days::new(u64::from(ahead))
        }
        Frequency::Monthly => {
            let (y, m) = if date.month() == 12 {
                (date.year() + 1, 1)
            } else {
                (date.year(), date.month() + 1)
            };
            Date::from_ymd_opt(y, m, 1)
                .and_then(|d| d.pred_opt())
                .unwrap_or(Date::MAX)
        }
    }
}

/// Aggregates daily bars, sorted by date, into bars of `freq`.
///
/// Open is the first day's open, high the highest high, low the lowest low, close the last
/// day's close. A day without a range contributes its close to all four. Periods with no
/// observations are skipped (pandas would give a row of NaN).
#[must_use]
pub fn resample(bars: &[Bar], freq: Frequency) -> Vec<PeriodBar> {
    let mut out: Vec<PeriodBar> = Vec::new();
    for bar in bars {
        let label = period_end(bar.date, freq);
        let (o, h, l, c) = bar.ohlc_or_close();
        match out.last_mut() {
            Some(p) if p.period_end == label => {
                p.high = p.high.max(h);
                p.low = p.low.min(l);
                p.close = c;
                p.last_date = bar.date;
                p.volume = p.volume.zip(bar.volume).map(|(a, b)| a + b);
                p.days += 1;
            }
            _ => out.push(PeriodBar {
                period_end: label,
                first_date: bar.date,
                last_date: bar.date,
                open: o,
                high: h,
                low: l,
                close: c,
                volume: bar.volume,
                days: 1,
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date;

    #[test]
    fn weeks_end_on_friday_and_weekends_roll_forward() {
        let w = Frequency::Weekly;
        assert_eq!(period_end(date(2025, 2, 17), w), date(2025, 2, 21)); // Monday
        assert_eq!(period_end(date(2025, 2, 21), w), date(2025, 2, 21)); // Friday
        assert_eq!(period_end(date(2025, 2, 22), w), date(2025, 2, 28)); // Saturday
        assert_eq!(period_end(date(2025, 2, 23), w), date(2025, 2, 28)); // Sunday
    }

    #[test]
    fn months_end_on_their_last_day() {
        let m = Frequency::Monthly;
        assert_eq!(period_end(date(2024, 2, 10), m), date(2024, 2, 29));
        assert_eq!(period_end(date(2024, 12, 31), m), date(2024, 12, 31));
        assert_eq!(period_end(date(2025, 1, 1), m), date(2025, 1, 31));
    }

    #[test]
    fn aggregation_takes_first_open_extremes_and_last_close() {
        let bars = [
            Bar::ohlc(date(2025, 2, 10), 10.0, 12.0, 9.0, 11.0),
            Bar::close_only(date(2025, 2, 11), 13.0),
            Bar::ohlc(date(2025, 2, 14), 11.0, 11.5, 8.0, 10.5),
            Bar::ohlc(date(2025, 2, 17), 20.0, 21.0, 19.0, 20.5),
        ];
        let w = resample(&bars, Frequency::Weekly);
        assert_eq!(w.len(), 2);
        assert_eq!(w[0].period_end, date(2025, 2, 14));
        assert_eq!(
            (w[0].open, w[0].high, w[0].low, w[0].close),
            (10.0, 13.0, 8.0, 10.5)
        );
        assert_eq!(w[0].days, 3);
        assert_eq!(w[0].first_date, date(2025, 2, 10));
        assert_eq!(w[1].period_end, date(2025, 2, 21));
        assert_eq!(w[1].last_date, date(2025, 2, 17));
        assert_eq!(resample(&bars, Frequency::Daily).len(), 4);
        assert_eq!(resample(&bars, Frequency::Monthly).len(), 1);
    }
}
