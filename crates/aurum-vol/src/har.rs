//! HAR: the heterogeneous autoregressive model of realised variance (Corsi 2009, "A simple
//! approximate long-memory model of realized volatility", *Journal of Financial
//! Econometrics* 7(2)), on daily squared returns, since no intraday data exist.
//!
//! With `e_t = y_t − ȳ` the returns less the fit window's mean, the next day's variance is
//!
//! ```text
//! σ²_{t+1} = b0 + b_d e²_t + b_w (1/5) Σ_{i<5} e²_{t−i} + b_m (1/22) Σ_{i<22} e²_{t−i}
//! ```
//!
//! (parameters in that order: `b0`, `b_d`, `b_w`, `b_m`), fitted by ordinary least squares
//! of `e²_{t+1}` on the three averages and a constant over every day of the window with 22
//! days before it. Variances are floored at [`HAR_FLOOR`] times the window's sample variance
//! (OLS does not keep a fitted value positive), and the standardised residuals
//! `e_{t+1} / σ_{t+1}` are what a simulation bootstraps ([`crate::Simulator::from_har`]).
//!
//! The returns are centred on the window's own mean, not on a mean model's drift: the
//! variance is a property of the returns around their own location, so the volatility fit is
//! the same whichever mean model it is paired with (as GARCH's jointly estimated `mu` is its
//! own), and a mean model only shifts the simulated returns.

use aurum_stats::spd_inverse;

use crate::VolError;

/// Days averaged by the daily, weekly and monthly components.
pub const HAR_DAYS: [usize; 3] = [1, 5, 22];

/// Past days the regressors of one day need: the monthly component's.
pub const HAR_LAGS: usize = 22;

/// Fewest regression rows (days with [`HAR_LAGS`] days before them) a fit accepts: four
/// coefficients of a regression on squared returns, whose noise is large, need far more rows
/// than parameters.
pub const HAR_MIN_ROWS: usize = 100;

/// The variance floor as a fraction of the window's sample variance: one hundredth, a
/// volatility a tenth of the window's. OLS fitted values can fall to zero or below (a
/// negative coefficient after a large shock); below this floor a variance is not a forecast
/// but a fitting artefact, and dividing a residual by it would put absurd draws into the
/// bootstrap.
pub const HAR_FLOOR: f64 = 0.01;

/// Parameter names, in order.
pub const HAR_NAMES: [&str; 4] = ["b0", "b_d", "b_w", "b_m"];

/// A HAR model fitted (or fixed) on a return series.
#[derive(Clone, Debug, PartialEq)]
pub struct HarFit {
    /// The window's mean return, which the squared returns are centred on.
    pub mu: f64,
    /// `b0`, `b_d`, `b_w`, `b_m` (see [`HAR_NAMES`]).
    pub params: [f64; 4],
    /// The window's sample variance (divisor n − 1).
    pub sample_variance: f64,
    /// The variance floor: [`HAR_FLOOR`] × [`HarFit::sample_variance`].
    pub floor: f64,
    /// Regression rows: the days from the 23rd on.
    pub nobs: usize,
    /// Fitted variances σ²_t, floored, for the days from the 23rd on.
    pub variance: Vec<f64>,
    /// Standardised residuals `e_t / σ_t` for the same days.
    pub std_resid: Vec<f64>,
    /// How many fitted variances the floor raised.
    pub floored: usize,
    /// The coefficient of determination of the regression (unfloored fitted values).
    pub r_squared: f64,
}

impl HarFit {
    /// Fits the model to `data` (returns, e.g. percent log returns) by OLS.
    ///
    /// # Errors
    ///
    /// Non-finite data; fewer than `HAR_LAGS + 1 + HAR_MIN_ROWS` returns; returns without
    /// spread; a singular design (collinear regressors); a fit that is not mean-reverting
    /// (`b_d + b_w + b_m ≥ 1`) or has no positive long-run variance.
    pub fn fit(data: &[f64]) -> Result<Self, VolError> {
        check(data)?;
        let mu = data.iter().sum::<f64>() / data.len() as f64;
        let e2: Vec<f64> = data.iter().map(|y| (y - mu) * (y - mu)).collect();
        let rows = e2.len() - HAR_LAGS;
        let mut xtx = vec![vec![0.0; 4]; 4];
        let mut xty = [0.0; 4];
        for t in HAR_LAGS - 1..e2.len() - 1 {
            let x = regressors(&e2[..=t]);
            let y = e2[t + 1];
            for i in 0..4 {
                xty[i] += x[i] * y;
                for j in 0..4 {
                    xtx[i][j] += x[i] * x[j];
                }
            }
        }
        let inv = spd_inverse(&xtx).ok_or_else(|| {
            VolError::Spec(format!(
                "the HAR regressors on {rows} days are collinear (the squared returns barely vary)"
            ))
        })?;
        let mut b = [0.0; 4];
        for i in 0..4 {
            b[i] = (0..4).map(|j| inv[i][j] * xty[j]).sum();
        }
        let persistence = b[1] + b[2] + b[3];
        if persistence.is_nan() || persistence >= 1.0 {
            return Err(VolError::Spec(format!(
                "the fitted HAR is not mean-reverting: b_d + b_w + b_m = {persistence} (must be below 1)"
            )));
        }
        if b[0].is_nan() || b[0] <= 0.0 {
            return Err(VolError::Spec(format!(
                "the fitted HAR has no positive long-run variance: b0 = {} with b_d + b_w + b_m = {persistence}",
                b[0]
            )));
        }
        Ok(filter(data, mu, b))
    }

    /// Evaluates given parameters on `data`, centred on `mu` (as [`crate::ArchModel::fix`]
    /// does for the GARCH family: between refits, the last estimates filter new data).
    ///
    /// # Errors
    ///
    /// Non-finite data or parameters, too few returns, returns without spread.
    pub fn fix(data: &[f64], mu: f64, params: [f64; 4]) -> Result<Self, VolError> {
        if let Some(v) = params.iter().chain([&mu]).find(|v| !v.is_finite()) {
            return Err(VolError::Spec(format!(
                "HAR parameter {v} is not a finite number"
            )));
        }
        check(data)?;
        Ok(filter(data, mu, params))
    }

    /// `b_d + b_w + b_m`: how much of a squared shock the next day's variance keeps.
    #[must_use]
    pub fn persistence(&self) -> f64 {
        self.params[1] + self.params[2] + self.params[3]
    }

    /// The long-run variance `b0 / (1 − b_d − b_w − b_m)`.
    #[must_use]
    pub fn long_run_variance(&self) -> f64 {
        self.params[0] / (1.0 - self.persistence())
    }

    /// The next day's variance after `resid` (residuals `e`, newest last, at least
    /// [`HAR_LAGS`] of them), floored.
    #[must_use]
    pub fn next_variance(&self, resid: &[f64]) -> f64 {
        har_raw(&self.params, resid).max(self.floor)
    }
}

/// Checks that `data` is finite, long enough and not constant.
fn check(data: &[f64]) -> Result<(), VolError> {
    if let Some(index) = data.iter().position(|v| !v.is_finite()) {
        return Err(VolError::NonFinite {
            index,
            value: data[index],
        });
    }
    let needed = HAR_LAGS + 1 + HAR_MIN_ROWS;
    if data.len() < needed {
        return Err(VolError::TooShort {
            n: data.len(),
            needed,
            model: "HAR".into(),
        });
    }
    if data.iter().all(|v| *v == data[0]) {
        return Err(VolError::Spec(format!(
            "all {} returns equal {}; there is no variance to model",
            data.len(),
            data[0]
        )));
    }
    Ok(())
}

/// The regressors of the day after the last of `e2` (squared residuals):
/// `[1, e²_t, weekly mean, monthly mean]`.
fn regressors(e2: &[f64]) -> [f64; 4] {
    let n = e2.len();
    let mean = |days: usize| e2[n - days..].iter().sum::<f64>() / days as f64;
    [1.0, e2[n - 1], mean(HAR_DAYS[1]), mean(HAR_DAYS[2])]
}

/// The HAR recursion before the floor: σ² of the day after the last of `resid` (residuals,
/// newest last). Sums in the same order as [`regressors`], so a fit's fitted values and a
/// simulation's first variance are the same numbers.
pub(crate) fn har_raw(b: &[f64; 4], resid: &[f64]) -> f64 {
    let n = resid.len();
    let mean = |days: usize| resid[n - days..].iter().map(|e| e * e).sum::<f64>() / days as f64;
    let e = resid[n - 1];
    b[0] + b[1] * (e * e) + b[2] * mean(HAR_DAYS[1]) + b[3] * mean(HAR_DAYS[2])
}

/// Fitted variances, standardised residuals and fit statistics of parameters `b` on `data`
/// centred on `mu`.
fn filter(data: &[f64], mu: f64, b: [f64; 4]) -> HarFit {
    let n = data.len();
    let mean = data.iter().sum::<f64>() / n as f64;
    let sample_variance = data.iter().map(|y| (y - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let floor = HAR_FLOOR * sample_variance;
    let resid: Vec<f64> = data.iter().map(|y| y - mu).collect();
    let rows = n - HAR_LAGS;
    let mut variance = Vec::with_capacity(rows);
    let mut std_resid = Vec::with_capacity(rows);
    let mut floored = 0;
    let ybar = resid[HAR_LAGS..].iter().map(|e| e * e).sum::<f64>() / rows as f64;
    let (mut rss, mut tss) = (0.0, 0.0);
    for t in HAR_LAGS - 1..n - 1 {
        let raw = har_raw(&b, &resid[..=t]);
        let s2 = raw.max(floor);
        floored += usize::from(raw < floor);
        let y = resid[t + 1] * resid[t + 1];
        rss += (y - raw).powi(2);
        tss += (y - ybar).powi(2);
        variance.push(s2);
        std_resid.push(resid[t + 1] / s2.sqrt());
    }
    HarFit {
        mu,
        params: b,
        sample_variance,
        floor,
        nobs: rows,
        variance,
        std_resid,
        floored,
        r_squared: if tss > 0.0 { 1.0 - rss / tss } else { 0.0 },
    }
}
