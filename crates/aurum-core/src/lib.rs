//! Shared domain types for aurum.
//!
//! This crate owns the vocabulary every other aurum crate speaks:
//!
//! - [`SeriesId`] and [`SeriesMeta`]: what a price series is (its unit, currency and source).
//! - [`Bar`]: one daily observation, either full OHLC or close-only.
//! - [`Frequency`] and [`resample`]: daily bars aggregated into weekly bars (weeks end on
//!   Friday, as pandas' `W-FRI`) or calendar-month bars, as [`PeriodBar`]s.
//! - [`text`]: numbers with thousands separators, XML escaping and Japanese dates, written
//!   the same way by every front-end.
//!
//! It is pure: no I/O, no clock, no randomness.
//!
//! ```
//! use aurum_core::{Bar, Frequency, resample, date};
//!
//! let bars = vec![
//!     Bar::ohlc(date(2025, 2, 17), 2900.0, 2910.0, 2890.0, 2905.0),
//!     Bar::ohlc(date(2025, 2, 18), 2905.0, 2940.0, 2900.0, 2935.0),
//! ];
//! let weekly = resample(&bars, Frequency::Weekly);
//! assert_eq!(weekly.len(), 1);
//! assert_eq!(weekly[0].period_end, date(2025, 2, 21)); // labelled by its Friday
//! assert_eq!(weekly[0].high, 2940.0);
//! ```
#![deny(missing_docs)]

mod bar;
pub mod calendar;
mod error;
mod lang;
mod resample;
mod series;
pub mod text;

pub use bar::{Bar, PeriodBar};
pub use calendar::Calendar;
pub use error::CoreError;
pub use lang::Lang;
pub use resample::{Frequency, period_end, resample};
pub use series::{GRAMS_PER_TROY_OUNCE, SeriesId, SeriesMeta, Unit};

/// Calendar date used throughout aurum (no time zone: a trading day).
pub type Date = chrono::NaiveDate;

/// Builds a [`Date`] from a known-valid year, month and day.
///
/// # Panics
///
/// Panics when the date does not exist; meant for constants and tests, never for user input.
#[must_use]
pub fn date(year: i32, month: u32, day: u32) -> Date {
    Date::from_ymd_opt(year, month, day).expect("valid calendar date")
}
