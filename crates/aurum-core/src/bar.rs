use serde::{Deserialize, Serialize};

use crate::Date;

/// One daily observation: a close, and the day's open, high and low where they are known.
///
/// Close-only series (the LBMA fix, FRED rates) and rows whose intraday range is not
/// trustworthy carry `None` for `open`, `high` and `low`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bar {
    /// Trading day.
    pub date: Date,
    /// First price of the day.
    pub open: Option<f64>,
    /// Highest price of the day.
    pub high: Option<f64>,
    /// Lowest price of the day.
    pub low: Option<f64>,
    /// Last price of the day (or the fixing).
    pub close: f64,
    /// Traded volume, where the source reports one.
    pub volume: Option<f64>,
}

impl Bar {
    /// A close-only bar.
    #[must_use]
    pub fn close_only(date: Date, close: f64) -> Self {
        Self {
            date,
            open: None,
            high: None,
            low: None,
            close,
            volume: None,
        }
    }

    /// A full OHLC bar without volume.
    #[must_use]
    pub fn ohlc(date: Date, open: f64, high: f64, low: f64, close: f64) -> Self {
        Self {
            date,
            open: Some(open),
            high: Some(high),
            low: Some(low),
            close,
            volume: None,
        }
    }

    /// Whether open, high and low are all known.
    #[must_use]
    pub fn has_range(&self) -> bool {
        self.open.is_some() && self.high.is_some() && self.low.is_some()
    }

    /// Open, high, low and close, falling back to the close where the range is unknown.
    #[must_use]
    pub fn ohlc_or_close(&self) -> (f64, f64, f64, f64) {
        if let (Some(o), Some(h), Some(l)) = (self.open, self.high, self.low) {
            (o, h, l, self.close)
        } else {
            (self.close, self.close, self.close, self.close)
        }
    }

    /// The same bar with its prices multiplied by `factor` (unit conversion).
    #[must_use]
    pub fn scaled(&self, factor: f64) -> Self {
        Self {
            date: self.date,
            open: self.open.map(|v| v * factor),
            high: self.high.map(|v| v * factor),
            low: self.low.map(|v| v * factor),
            close: self.close * factor,
            volume: self.volume,
        }
    }
}

/// A bar aggregated over a period (a day, a Monday–Friday week, a calendar month).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct PeriodBar {
    /// The period's label: the day itself, the week's Friday, or the month's last day.
    pub period_end: Date,
    /// First trading day with data in the period.
    pub first_date: Date,
    /// Last trading day with data in the period (before `period_end` for a period in progress).
    pub last_date: Date,
    /// Open of the first day (its close when the day has no range).
    pub open: f64,
    /// Highest high of the period.
    pub high: f64,
    /// Lowest low of the period.
    pub low: f64,
    /// Close of the last day.
    pub close: f64,
    /// Summed volume, where every day reports one.
    pub volume: Option<f64>,
    /// Number of daily observations aggregated.
    pub days: u32,
}
