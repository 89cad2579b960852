//! Base rates: how often the catalog's events of one kind happened, as a Poisson rate, and
//! the chance of at least one in a window of days.
//!
//! With `n` events dated from `start` to `as_of` (both days counted) over an exposure of
//! `T` years, the rate is λ = n / T a year and the chance of at least one event in a window
//! of `w` years is
//!
//! ```text
//! P = 1 − exp(−λ w)
//! ```
//!
//! Its 90% interval maps the exact (Garwood, 1936) interval of a Poisson rate through the
//! same formula:
//!
//! ```text
//! λ_lo = χ²_{0.05}(2n) / (2T)      (0 when n = 0)
//! λ_hi = χ²_{0.95}(2n + 2) / (2T)
//! ```
//!
//! where χ²_q(k) is the q-quantile of the chi-square distribution with k degrees of freedom.
//! Years are Julian years of 365.25 days. Only events dated on or before `as_of` count, so
//! a base rate uses nothing learned later.
//!
//! The catalog is curated: it holds the major events of each kind, as it defines them, not
//! every event. A base rate is a reference point for a judged probability, not a forecast.

use aurum_core::Date;
use serde::Serialize;
use statrs::distribution::{ChiSquared, ContinuousCDF};

/// The first day base rates count from: the catalog begins on 1 January 1968.
pub const BASE_RATE_START: Date = match Date::from_ymd_opt(1968, 1, 1) {
    Some(d) => d,
    None => panic!("1968-01-01 is a date"),
};

/// Days in a year (a Julian year), for the exposure and the window.
pub const DAYS_PER_YEAR: f64 = 365.25;

/// The coverage of the interval: 90%, from the 5% and 95% chi-square quantiles.
pub const BASE_RATE_LEVEL: f64 = 0.90;

/// How often events of one kind happened, and the chance of at least one in a window.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct BaseRate {
    /// Events counted: dated from `since` to `as_of`, both included.
    pub n: usize,
    /// The first day counted.
    pub since: Date,
    /// The last day counted.
    pub as_of: Date,
    /// The first event counted (none when `n` is 0).
    pub first: Option<Date>,
    /// The exposure: days from `since` to `as_of`, both included, in years.
    pub years: f64,
    /// Events a year, λ = n / years.
    pub rate: f64,
    /// Lower end of λ's 90% interval (Garwood).
    pub rate_lo: f64,
    /// Upper end of λ's 90% interval (Garwood).
    pub rate_hi: f64,
    /// The window's length, days.
    pub window_days: u32,
    /// The chance of at least one event in the window, 1 − exp(−λ w).
    pub p: f64,
    /// Lower end of its 90% interval.
    pub p_lo: f64,
    /// Upper end of its 90% interval.
    pub p_hi: f64,
}

/// The base rate of events on `dates` (in any order) counted from `since` to `as_of`, and
/// the chance of at least one in a window of `window_days` days. Dates before `since` or
/// after `as_of` are not counted.
///
/// `None` when `as_of` is before `since` (no time to count over).
#[must_use]
pub fn base_rate(dates: &[Date], since: Date, as_of: Date, window_days: u32) -> Option<BaseRate> {
    if as_of < since {
        return None;
    }
    let counted = || dates.iter().filter(|d| (since..=as_of).contains(*d));
    let n = counted().count();
    let years = ((as_of - since).num_days() + 1) as f64 / DAYS_PER_YEAR;
    let (lo, hi) = garwood(n, (1.0 - BASE_RATE_LEVEL) / 2.0);
    let (rate, rate_lo, rate_hi) = (n as f64 / years, lo / years, hi / years);
    let w = f64::from(window_days) / DAYS_PER_YEAR;
    // 1 − exp(−x) without the cancellation of small x.
    let at_least_one = |lambda: f64| -(-lambda * w).exp_m1();
    Some(BaseRate {
        n,
        since,
        as_of,
        first: counted().min().copied(),
        years,
        rate,
        rate_lo,
        rate_hi,
        window_days,
        p: at_least_one(rate),
        p_lo: at_least_one(rate_lo),
        p_hi: at_least_one(rate_hi),
    })
}

/// The exact interval of a Poisson mean with `n` events seen, each tail `tail`:
/// (χ²_tail(2n) / 2, χ²_{1−tail}(2n + 2) / 2), the lower end 0 when `n` is 0.
fn garwood(n: usize, tail: f64) -> (f64, f64) {
    let k = 2.0 * n as f64;
    let lo = if n == 0 {
        0.0
    } else {
        chi_square_quantile(k, tail)
    };
    (lo / 2.0, chi_square_quantile(k + 2.0, 1.0 - tail) / 2.0)
}

/// The `q`-quantile of the chi-square distribution with `k` > 0 degrees of freedom, for
/// 0 < q < 1.
fn chi_square_quantile(k: f64, q: f64) -> f64 {
    ChiSquared::new(k).map_or(f64::NAN, |d| d.inverse_cdf(q))
}

#[cfg(test)]
mod tests {
    use super::*;
    use aurum_core::date;

    #[test]
    fn counts_only_the_days_from_since_to_as_of() {
        let dates = [
            date(1967, 12, 31),
            date(1968, 1, 1),
            date(2000, 6, 1),
            date(2025, 2, 18),
            date(2025, 2, 19),
        ];
        let r = base_rate(&dates, BASE_RATE_START, date(2025, 2, 18), 30).unwrap();
        assert_eq!(r.n, 3);
        assert_eq!(r.first, Some(date(1968, 1, 1)));
        // 57 years and 49 days, both ends counted.
        let days = (date(2025, 2, 18) - date(1968, 1, 1)).num_days() + 1;
        assert!((r.years - days as f64 / 365.25).abs() < 1e-12);
        assert!((r.rate - 3.0 / r.years).abs() < 1e-12);
        assert!(r.rate_lo < r.rate && r.rate < r.rate_hi);
        assert!(r.p_lo < r.p && r.p < r.p_hi && r.p_hi < 1.0);
    }

    #[test]
    fn no_events_give_zero_with_an_upper_end() {
        let r = base_rate(&[], BASE_RATE_START, date(2025, 2, 18), 120).unwrap();
        assert_eq!(
            (r.n, r.first, r.rate, r.p, r.rate_lo, r.p_lo),
            (0, None, 0.0, 0.0, 0.0, 0.0)
        );
        // χ²_{0.95}(2) / 2 = −ln 0.05 = 2.9957…
        assert!((r.rate_hi * r.years - (-(0.05f64).ln())).abs() < 1e-9);
        assert!(r.p_hi > 0.0);
    }

    #[test]
    fn empty_windows_and_no_exposure() {
        let r = base_rate(&[date(2000, 1, 1)], BASE_RATE_START, date(2025, 2, 18), 0).unwrap();
        assert_eq!((r.p, r.p_lo, r.p_hi), (0.0, 0.0, 0.0));
        assert!(base_rate(&[], date(2025, 2, 18), date(2025, 2, 17), 30).is_none());
        // One day of exposure is enough to count.
        let one = base_rate(
            &[date(2025, 2, 18)],
            date(2025, 2, 18),
            date(2025, 2, 18),
            1,
        );
        assert_eq!(one.map(|r| r.n), Some(1));
    }
}
