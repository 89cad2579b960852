//! Mean models: the drift of simulated returns, estimated from what is known at the origin.
//!
//! Drifts are mean daily log returns in percent, as the volatility models' returns are.

/// Trading days in the momentum signal's lookback: twelve months, the lookback of
/// Moskowitz, Ooi and Pedersen (2012), "Time series momentum", *Journal of Financial
/// Economics* 104(2).
pub const MOM_LOOKBACK: usize = 252;

/// Trading days the momentum regression predicts: one month.
pub const MOM_HORIZON: usize = 21;

/// Fewest monthly observations the momentum regression is fitted on; with fewer, the drift
/// is the historical mean.
pub const MOM_MIN_OBS: usize = 36;

use crate::model::MeanModel;

impl MeanModel {
    /// The drift this mean model gives at the last of `closes` (as known then), in percent
    /// per day; `None` for [`MeanModel::Own`], which keeps the volatility model's own.
    #[must_use]
    pub fn drift(self, closes: &[f64]) -> Option<f64> {
        match self {
            Self::Own => None,
            Self::Zero => Some(0.0),
            Self::Hist => hist_drift(closes),
            Self::Mom => momentum_drift(closes),
        }
    }
}

/// The mean daily log return (percent) of all of `closes`.
#[must_use]
pub fn hist_drift(closes: &[f64]) -> Option<f64> {
    let (first, last) = (closes.first()?, closes.last()?);
    (closes.len() > 1).then(|| 100.0 * (last / first).ln() / (closes.len() - 1) as f64)
}

/// The time-series momentum drift at the last of `closes` (percent per day).
///
/// On non-overlapping months ending at the origin and going back, the next month's mean
/// daily log return `y` is regressed on the mean daily log return of the twelve months
/// before (`s`) by least squares: `y = a + b s`. Only months whose outcome is known at the
/// origin enter. The slope is shrunk towards zero by its own uncertainty, `b* = b · max(0,
/// 1 − 1/t²)` with `t = b / se(b)` (a positive-part James–Stein factor: a slope the data
/// cannot tell from zero is dropped), and the drift is `ȳ + b* (s₀ − s̄)` with `s₀` today's
/// signal. With fewer than [`MOM_MIN_OBS`] months it is the historical mean.
#[must_use]
pub fn momentum_drift(closes: &[f64]) -> Option<f64> {
    let x: Vec<f64> = closes.iter().map(|c| 100.0 * c.ln()).collect();
    let o = x.len().checked_sub(1)?;
    let signal = |t: usize| (x[t] - x[t - MOM_LOOKBACK]) / MOM_LOOKBACK as f64;
    let mut pairs: Vec<(f64, f64)> = Vec::new();
    let mut t = o.checked_sub(MOM_HORIZON)?;
    while t >= MOM_LOOKBACK {
        pairs.push((signal(t), (x[t + MOM_HORIZON] - x[t]) / MOM_HORIZON as f64));
        match t.checked_sub(MOM_HORIZON) {
            Some(next) => t = next,
            None => break,
        }
    }
    if pairs.len() < MOM_MIN_OBS || o < MOM_LOOKBACK {
        return hist_drift(closes);
    }
    let n = pairs.len() as f64;
    let sx = pairs.iter().map(|p| p.0).sum::<f64>() / n;
    let sy = pairs.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = pairs.iter().map(|p| (p.0 - sx).powi(2)).sum();
    let sxy: f64 = pairs.iter().map(|p| (p.0 - sx) * (p.1 - sy)).sum();
    if sxx <= 0.0 {
        return Some(sy);
    }
    let b = sxy / sxx;
    let a = sy - b * sx;
    let rss: f64 = pairs.iter().map(|p| (p.1 - a - b * p.0).powi(2)).sum();
    let se = (rss / (n - 2.0) / sxx).sqrt();
    let shrink = if se > 0.0 && b != 0.0 {
        (1.0 - (se / b).powi(2)).max(0.0)
    } else {
        0.0
    };
    Some(sy + shrink * b * (signal(o) - sx))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Prices whose monthly returns follow `f(previous year's mean)` exactly.
    fn trending(months: usize, daily: impl Fn(usize) -> f64) -> Vec<f64> {
        let mut c = vec![100.0];
        for d in 0..months * MOM_HORIZON {
            let last = *c.last().unwrap();
            c.push(last * (daily(d) / 100.0).exp());
        }
        c
    }

    #[test]
    fn the_historical_drift_is_the_mean_log_return() {
        let c = [100.0, 110.0, 121.0];
        assert!((hist_drift(&c).unwrap() - 100.0 * 1.1f64.ln()).abs() < 1e-12);
        assert!(hist_drift(&[100.0]).is_none());
    }

    #[test]
    fn short_histories_fall_back_to_the_historical_mean() {
        let c = trending(20, |_| 0.05);
        assert_eq!(momentum_drift(&c), hist_drift(&c));
    }

    #[test]
    fn noise_without_persistence_is_shrunk_away() {
        // Alternating monthly returns: no relation between a year's mean and the next month.
        let mut state = 12345u64;
        let mut noise = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            ((state >> 33) as f64 / f64::from(1u32 << 31)) - 0.5
        };
        let shocks: Vec<f64> = (0..600 * MOM_HORIZON).map(|_| noise()).collect();
        let c = trending(600, |d| 0.02 + shocks[d]);
        let m = momentum_drift(&c).unwrap();
        let h = hist_drift(&c).unwrap();
        // Close to the plain mean: whatever slope noise gives is mostly shrunk.
        assert!((m - h).abs() < 0.02, "{m} vs {h}");
    }

    #[test]
    fn persistent_trends_are_followed() {
        // Five-year regimes, up then down, with noise; in the middle of an up regime the
        // drift is above the historical mean, in the middle of a down one below it.
        let regime = 60 * MOM_HORIZON;
        let mut state = 99u64;
        let shocks: Vec<f64> = (0..240 * MOM_HORIZON)
            .map(|_| {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1);
                ((state >> 33) as f64 / f64::from(1u32 << 31)) - 0.5
            })
            .collect();
        let c = trending(240, |d| {
            shocks[d]
                + if (d / regime).is_multiple_of(2) {
                    0.08
                } else {
                    -0.08
                }
        });
        let up = 150 * MOM_HORIZON;
        let (m, h) = (
            momentum_drift(&c[..=up]).unwrap(),
            hist_drift(&c[..=up]).unwrap(),
        );
        assert!(m > h + 0.03, "{m} vs {h}");
        let down = 210 * MOM_HORIZON;
        let (m, h) = (
            momentum_drift(&c[..=down]).unwrap(),
            hist_drift(&c[..=down]).unwrap(),
        );
        assert!(m < h - 0.03, "{m} vs {h}");
    }
}
