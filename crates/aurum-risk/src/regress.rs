//! OLS with Newey–West standard errors, quantile regression, rolling windows — statsmodels'
//! conventions (see `scripts/reference/gpr_regress.py`).

use aurum_core::Date;
use serde::Serialize;
use statrs::distribution::{Continuous, ContinuousCDF, Normal, StudentsT};

use crate::{Design, RiskError};
use aurum_stats::{invert, quantile};

/// An OLS fit with HAC covariance.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OlsResult {
    /// Regressor names.
    pub names: Vec<String>,
    /// Coefficients.
    pub beta: Vec<f64>,
    /// Newey–West standard errors.
    pub se: Vec<f64>,
    /// t statistics.
    pub t: Vec<f64>,
    /// Two-sided p-values (normal, as statsmodels for HAC).
    pub p: Vec<f64>,
    /// Conventional (homoskedastic) standard errors.
    pub se_nonrobust: Vec<f64>,
    /// R².
    pub r2: f64,
    /// Adjusted R².
    pub r2_adj: f64,
    /// Observations.
    pub n: usize,
    /// Newey–West lags.
    pub maxlags: usize,
    /// HAC covariance of the coefficients.
    pub cov: Vec<Vec<f64>>,
}

/// A quantile regression fit.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QuantResult {
    /// The quantile τ.
    pub tau: f64,
    /// Coefficients.
    pub beta: Vec<f64>,
    /// Standard errors (kernel sandwich).
    pub se: Vec<f64>,
    /// t statistics.
    pub t: Vec<f64>,
    /// Two-sided p-values (Student's t, n − k degrees of freedom).
    pub p: Vec<f64>,
    /// IRLS iterations.
    pub iterations: usize,
    /// Kernel bandwidth.
    pub bandwidth: f64,
    /// Sparsity 1/f̂(0).
    pub sparsity: f64,
}

/// One window of a rolling regression.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RollingPoint {
    /// Last period of the window.
    pub end: Date,
    /// Coefficient on the GPR measure.
    pub beta: f64,
    /// Its Newey–West standard error.
    pub se: f64,
}

/// Newey–West's rule of thumb: `⌊4 (n/100)^{2/9}⌋`.
#[must_use]
pub fn auto_lags(n: usize) -> usize {
    (4.0 * (n as f64 / 100.0).powf(2.0 / 9.0)).floor() as usize
}

fn xtx(x: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let k = x[0].len();
    let mut m = vec![vec![0.0; k]; k];
    for row in x {
        for i in 0..k {
            for j in 0..k {
                m[i][j] += row[i] * row[j];
            }
        }
    }
    m
}

fn mat_vec(m: &[Vec<f64>], v: &[f64]) -> Vec<f64> {
    m.iter()
        .map(|r| r.iter().zip(v).map(|(a, b)| a * b).sum())
        .collect()
}

fn sandwich(bread: &[Vec<f64>], meat: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let k = bread.len();
    let mut out = vec![vec![0.0; k]; k];
    for i in 0..k {
        for j in 0..k {
            let mut acc = 0.0;
            for a in 0..k {
                for b in 0..k {
                    acc += bread[i][a] * meat[a][b] * bread[b][j];
                }
            }
            out[i][j] = acc;
        }
    }
    out
}

/// OLS of `d.y` on `d.x` with Newey–West (Bartlett) covariance of `maxlags` lags (rows), no
/// small-sample correction; `None` for the rule of thumb [`auto_lags`].
///
/// # Errors
///
/// Too few observations; collinear regressors.
pub fn ols_hac(d: &Design, maxlags: Option<usize>) -> Result<OlsResult, RiskError> {
    let n = d.y.len();
    let k = d.names.len();
    if n < k + 3 {
        return Err(RiskError::TooFew { n, needed: k + 3 });
    }
    let inv = invert(&xtx(&d.x)).ok_or(RiskError::Singular)?;
    let xty: Vec<f64> = (0..k)
        .map(|j| d.x.iter().zip(&d.y).map(|(r, y)| r[j] * y).sum())
        .collect();
    let beta = mat_vec(&inv, &xty);
    let u: Vec<f64> =
        d.x.iter()
            .zip(&d.y)
            .map(|(r, y)| y - r.iter().zip(&beta).map(|(a, b)| a * b).sum::<f64>())
            .collect();
    let lags = maxlags.unwrap_or_else(|| auto_lags(n));
    let mut s = vec![vec![0.0; k]; k];
    for (row, ui) in d.x.iter().zip(&u) {
        for a in 0..k {
            for b in 0..k {
                s[a][b] += ui * ui * row[a] * row[b];
            }
        }
    }
    for l in 1..=lags.min(n - 1) {
        let w = 1.0 - l as f64 / (lags as f64 + 1.0);
        for i in l..n {
            let f = w * u[i] * u[i - l];
            for a in 0..k {
                for b in 0..k {
                    s[a][b] += f * (d.x[i][a] * d.x[i - l][b] + d.x[i - l][a] * d.x[i][b]);
                }
            }
        }
    }
    let cov = sandwich(&inv, &s);
    let se: Vec<f64> = (0..k).map(|i| cov[i][i].sqrt()).collect();
    let t: Vec<f64> = beta.iter().zip(&se).map(|(b, s)| b / s).collect();
    let normal = Normal::standard();
    let p = t.iter().map(|t| 2.0 * normal.cdf(-t.abs())).collect();
    let ssr: f64 = u.iter().map(|v| v * v).sum();
    let my = d.y.iter().sum::<f64>() / n as f64;
    let tss: f64 = d.y.iter().map(|y| (y - my).powi(2)).sum();
    let r2 = 1.0 - ssr / tss;
    let s2 = ssr / (n - k) as f64;
    Ok(OlsResult {
        names: d.names.clone(),
        se_nonrobust: (0..k).map(|i| (s2 * inv[i][i]).sqrt()).collect(),
        r2_adj: 1.0 - (n - 1) as f64 / (n - k) as f64 * (1.0 - r2),
        beta,
        se,
        t,
        p,
        r2,
        n,
        maxlags: lags,
        cov,
    })
}

/// Quantile regression at `tau` by statsmodels' iteratively reweighted least squares
/// (residual floor 1e-6, stop when no coefficient moves by more than 1e-6, at most 1,000
/// iterations), with the Epanechnikov-kernel sandwich covariance and the Hall–Sheather
/// bandwidth.
///
/// # Errors
///
/// Too few observations; collinear regressors; τ outside (0, 1).
pub fn quantreg(d: &Design, tau: f64) -> Result<QuantResult, RiskError> {
    if !(tau > 0.0 && tau < 1.0) {
        return Err(RiskError::Spec(format!(
            "quantile {tau}: expected 0 < τ < 1"
        )));
    }
    let n = d.y.len();
    let k = d.names.len();
    if n < k + 3 {
        return Err(RiskError::TooFew { n, needed: k + 3 });
    }
    let mut beta = vec![1.0; k];
    let mut w = vec![1.0; n];
    let mut history: Vec<Vec<f64>> = Vec::new();
    let mut it = 0;
    let mut diff = 10.0;
    while it < 1000 && diff > 1e-6 {
        it += 1;
        let prev = beta.clone();
        // (Xs'X) with Xs_i = X_i / w_i.
        let mut a = vec![vec![0.0; k]; k];
        let mut b = vec![0.0; k];
        for ((row, y), wi) in d.x.iter().zip(&d.y).zip(&w) {
            for i in 0..k {
                b[i] += row[i] / wi * y;
                for j in 0..k {
                    a[i][j] += row[i] / wi * row[j];
                }
            }
        }
        beta = mat_vec(&invert(&a).ok_or(RiskError::Singular)?, &b);
        for (row, (y, wi)) in d.x.iter().zip(d.y.iter().zip(w.iter_mut())) {
            let mut r = y - row.iter().zip(&beta).map(|(a, b)| a * b).sum::<f64>();
            if r.abs() < 1e-6 {
                r = if r >= 0.0 { 1e-6 } else { -1e-6 };
            }
            *wi = if r < 0.0 {
                tau * r.abs()
            } else {
                (1.0 - tau) * r.abs()
            };
        }
        diff = beta
            .iter()
            .zip(&prev)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        if it >= 300 && it % 100 == 0 && history.iter().rev().skip(1).take(8).any(|h| *h == beta) {
            break;
        }
        history.push(beta.clone());
    }
    let e: Vec<f64> =
        d.x.iter()
            .zip(&d.y)
            .map(|(r, y)| y - r.iter().zip(&beta).map(|(a, b)| a * b).sum::<f64>())
            .collect();
    let mut sorted = e.clone();
    sorted.sort_by(f64::total_cmp);
    let iqr = quantile(&sorted, 0.75) - quantile(&sorted, 0.25);
    let normal = Normal::standard();
    let z = normal.inverse_cdf(tau);
    let nf = n as f64;
    let hs = nf.powf(-1.0 / 3.0)
        * normal.inverse_cdf(0.975).powf(2.0 / 3.0)
        * (1.5 * normal.pdf(z).powi(2) / (2.0 * z * z + 1.0)).powf(1.0 / 3.0);
    let my = d.y.iter().sum::<f64>() / nf;
    let sd_y = (d.y.iter().map(|y| (y - my).powi(2)).sum::<f64>() / nf).sqrt();
    let h = sd_y.min(iqr / 1.34) * (normal.inverse_cdf(tau + hs) - normal.inverse_cdf(tau - hs));
    let f = e
        .iter()
        .map(|ei| {
            let u = ei / h;
            if u.abs() <= 1.0 {
                0.75 * (1.0 - u * u)
            } else {
                0.0
            }
        })
        .sum::<f64>()
        / (nf * h);
    let inv = invert(&xtx(&d.x)).ok_or(RiskError::Singular)?;
    let mut meat = vec![vec![0.0; k]; k];
    for (row, ei) in d.x.iter().zip(&e) {
        let di = if *ei > 0.0 {
            (tau / f).powi(2)
        } else {
            ((1.0 - tau) / f).powi(2)
        };
        for a in 0..k {
            for b in 0..k {
                meat[a][b] += di * row[a] * row[b];
            }
        }
    }
    let cov = sandwich(&inv, &meat);
    let se: Vec<f64> = (0..k).map(|i| cov[i][i].sqrt()).collect();
    let t: Vec<f64> = beta.iter().zip(&se).map(|(b, s)| b / s).collect();
    let student =
        StudentsT::new(0.0, 1.0, (n - k) as f64).map_err(|e| RiskError::Spec(e.to_string()))?;
    let p = t.iter().map(|t| 2.0 * student.cdf(-t.abs())).collect();
    Ok(QuantResult {
        tau,
        beta,
        se,
        t,
        p,
        iterations: it,
        bandwidth: h,
        sparsity: 1.0 / f,
    })
}

/// OLS with Newey–West errors on every window of `window` consecutive rows.
///
/// # Errors
///
/// A window too short for the regression.
pub fn rolling(
    d: &Design,
    window: usize,
    maxlags: Option<usize>,
) -> Result<Vec<RollingPoint>, RiskError> {
    let k = d.names.len();
    if window < k + 3 {
        return Err(RiskError::TooFew {
            n: window,
            needed: k + 3,
        });
    }
    let mut out = Vec::new();
    for end in window..=d.y.len() {
        let sub = Design {
            labels: d.labels[end - window..end].to_vec(),
            y: d.y[end - window..end].to_vec(),
            x: d.x[end - window..end].to_vec(),
            names: d.names.clone(),
            ar1_shock: None,
        };
        match ols_hac(&sub, maxlags) {
            Ok(r) => out.push(RollingPoint {
                end: d.labels[end - 1],
                beta: r.beta[1],
                se: r.se[1],
            }),
            Err(RiskError::Singular) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}
