//! Model specification (mean, volatility process, distribution), parameter layout and names,
//! and the data prepared for fitting (residual starting point, backcast, variance bounds).

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::VolError;

/// The conditional mean.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mean {
    /// `μ_t = 0`.
    Zero,
    /// `μ_t = μ` (plus exogenous regressors, if any).
    Constant,
    /// `μ_t = c + φ y_{t−1}` (plus exogenous regressors); the first observation is held back.
    Ar1,
}

/// The conditional variance process.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Vol {
    /// `σ²_t = ω`.
    Constant,
    /// GARCH(p, o, q) of Glosten–Jagannathan–Runkle (GJR when `o > 0`):
    /// `σ²_t = ω + Σ α_i ε²_{t−i} + Σ γ_i ε²_{t−i} 1[ε_{t−i} < 0] + Σ β_j σ²_{t−j}`.
    Garch {
        /// Symmetric ARCH lags.
        p: usize,
        /// Asymmetric (leverage) lags.
        o: usize,
        /// GARCH lags.
        q: usize,
    },
    /// EGARCH(p, o, q) of Nelson (1991):
    /// `ln σ²_t = ω + Σ α_i (|e_{t−i}| − √(2/π)) + Σ γ_i e_{t−i} + Σ β_j ln σ²_{t−j}`, `e = ε/σ`.
    Egarch {
        /// Magnitude lags.
        p: usize,
        /// Sign lags.
        o: usize,
        /// Log-variance lags.
        q: usize,
    },
    /// RiskMetrics EWMA: `σ²_t = (1 − λ) ε²_{t−1} + λ σ²_{t−1}`; no parameters.
    Ewma {
        /// Smoothing, 0.94 for daily data.
        lambda: f64,
    },
}

/// The standardised innovation distribution (unit variance).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dist {
    /// Standard normal.
    Normal,
    /// Student's t with `ν > 2` degrees of freedom, standardised.
    StudentsT,
    /// Hansen's (1994) skewed t with `η > 2` and `−1 < λ < 1`.
    SkewT,
    /// Generalised error distribution with shape `ν > 1`.
    Ged,
}

macro_rules! named {
    ($t:ty, $what:literal, { $($v:expr => [$($name:literal),+]),+ $(,)? }) => {
        impl FromStr for $t {
            type Err = VolError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s.to_ascii_lowercase().as_str() {
                    $($($name)|+ => Ok($v),)+
                    _ => Err(VolError::Unknown { what: $what, value: s.to_owned() }),
                }
            }
        }
    };
}

named!(Mean, "mean model", { Mean::Zero => ["zero"], Mean::Constant => ["constant", "const"], Mean::Ar1 => ["ar1", "ar"] });
named!(Dist, "distribution", {
    Dist::Normal => ["normal", "gaussian"],
    Dist::StudentsT => ["t", "studentst", "student"],
    Dist::SkewT => ["skewt", "skew-t", "skewstudent"],
    Dist::Ged => ["ged", "generalized-error"],
});

impl fmt::Display for Dist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Normal => "normal",
            Self::StudentsT => "t",
            Self::SkewT => "skewt",
            Self::Ged => "ged",
        })
    }
}

impl fmt::Display for Vol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::Constant => f.write_str("constant variance"),
            Self::Garch { p, o: 0, q } => write!(f, "GARCH({p},{q})"),
            Self::Garch { p, o, q } => write!(f, "GJR-GARCH({p},{o},{q})"),
            Self::Egarch { p, o, q } => write!(f, "EGARCH({p},{o},{q})"),
            Self::Ewma { lambda } => write!(f, "EWMA (λ = {lambda})"),
        }
    }
}

impl Vol {
    /// Number of parameters.
    #[must_use]
    pub fn num_params(&self) -> usize {
        match *self {
            Self::Constant => 1,
            Self::Garch { p, o, q } | Self::Egarch { p, o, q } => 1 + p + o + q,
            Self::Ewma { .. } => 0,
        }
    }

    /// Parameter names as `arch` writes them.
    #[must_use]
    pub fn names(&self) -> Vec<String> {
        match *self {
            Self::Constant => vec!["sigma2".into()],
            Self::Garch { p, o, q } | Self::Egarch { p, o, q } => {
                std::iter::once("omega".to_owned())
                    .chain((1..=p).map(|i| format!("alpha[{i}]")))
                    .chain((1..=o).map(|i| format!("gamma[{i}]")))
                    .chain((1..=q).map(|i| format!("beta[{i}]")))
                    .collect()
            }
            Self::Ewma { .. } => Vec::new(),
        }
    }
}

impl Dist {
    /// Number of shape parameters.
    #[must_use]
    pub fn num_params(self) -> usize {
        match self {
            Self::Normal => 0,
            Self::StudentsT | Self::Ged => 1,
            Self::SkewT => 2,
        }
    }

    /// Parameter names as `arch` writes them.
    #[must_use]
    pub fn names(self) -> Vec<String> {
        match self {
            Self::Normal => Vec::new(),
            Self::StudentsT | Self::Ged => vec!["nu".into()],
            Self::SkewT => vec!["eta".into(), "lambda".into()],
        }
    }
}

/// A complete model: mean, volatility process, distribution, and exogenous regressors.
#[derive(Clone, Debug, PartialEq)]
pub struct ArchModel {
    /// Conditional mean.
    pub mean: Mean,
    /// Conditional variance.
    pub vol: Vol,
    /// Innovation distribution.
    pub dist: Dist,
    /// Exogenous regressors of the mean, one column per regressor, aligned with the data.
    pub exog: Vec<Vec<f64>>,
}

impl ArchModel {
    /// A model without exogenous regressors.
    #[must_use]
    pub fn new(mean: Mean, vol: Vol, dist: Dist) -> Self {
        Self {
            mean,
            vol,
            dist,
            exog: Vec::new(),
        }
    }

    /// Number of mean parameters.
    #[must_use]
    pub fn num_mean(&self) -> usize {
        match self.mean {
            Mean::Zero => 0,
            Mean::Constant => 1 + self.exog.len(),
            Mean::Ar1 => 2 + self.exog.len(),
        }
    }

    /// Total number of parameters.
    #[must_use]
    pub fn num_params(&self) -> usize {
        self.num_mean() + self.vol.num_params() + self.dist.num_params()
    }

    /// All parameter names, mean then volatility then distribution, as `arch` writes them.
    #[must_use]
    pub fn names(&self) -> Vec<String> {
        let mut n: Vec<String> = match self.mean {
            Mean::Zero => Vec::new(),
            Mean::Constant if self.exog.is_empty() => vec!["mu".into()],
            Mean::Constant => vec!["Const".into()],
            Mean::Ar1 => vec!["Const".into(), "y[1]".into()],
        };
        n.extend((0..self.exog.len()).map(|i| format!("x{i}")));
        n.extend(self.vol.names());
        n.extend(self.dist.names());
        n
    }

    /// Checks the specification against data of length `n`.
    ///
    /// # Errors
    ///
    /// Lag orders that make no sense, regressors of the wrong length, too little data.
    pub fn validate(&self, n: usize) -> Result<(), VolError> {
        match self.vol {
            Vol::Garch { p, o, q } if p + o == 0 || p > 4 || o > 4 || q > 4 => {
                return Err(VolError::Spec(format!(
                    "GARCH(p={p}, o={o}, q={q}): need p + o ≥ 1 and orders up to 4"
                )));
            }
            Vol::Egarch { p, o, q } if p + o == 0 || p > 4 || o > 4 || q > 4 => {
                return Err(VolError::Spec(format!(
                    "EGARCH(p={p}, o={o}, q={q}): need p + o ≥ 1 and orders up to 4"
                )));
            }
            Vol::Ewma { lambda } if !(0.0..1.0).contains(&lambda) => {
                return Err(VolError::Spec(format!("EWMA λ = {lambda}: need 0 ≤ λ < 1")));
            }
            _ => {}
        }
        if self.mean == Mean::Zero && !self.exog.is_empty() {
            return Err(VolError::Spec(
                "exogenous regressors need a constant or AR(1) mean".into(),
            ));
        }
        if let Some(c) = self.exog.iter().position(|x| x.len() != n) {
            return Err(VolError::Spec(format!(
                "regressor x{c} has {} values; the data have {n}",
                self.exog[c].len()
            )));
        }
        let needed = 10 * self.num_params().max(1) + 10;
        if n < needed {
            return Err(VolError::TooShort {
                n,
                needed,
                model: format!("{}", self.vol),
            });
        }
        if self.num_params() > crate::MAX_PARAMS {
            return Err(VolError::Spec(format!(
                "{} parameters; at most {} are supported",
                self.num_params(),
                crate::MAX_PARAMS
            )));
        }
        Ok(())
    }
}

/// The data as the likelihood sees them: the fit sample, its mean regressors, and the
/// backcast and variance bounds fixed from the residuals at the mean's starting values.
#[derive(Clone, Debug)]
pub struct Prepared {
    /// Dependent values over the fit sample.
    pub y: Vec<f64>,
    /// Mean regressors per observation (row-major, `num_mean` columns).
    pub x: Vec<f64>,
    /// Number of mean regressors.
    pub k_mean: usize,
    /// Starting values of the mean (OLS).
    pub mean_start: Vec<f64>,
    /// Backcast (σ²₀, or ln σ²₀ for EGARCH).
    pub backcast: f64,
    /// Lower and upper bounds of σ²_t.
    pub bounds: Vec<(f64, f64)>,
}

/// `arch`'s backcast: EWMA weights 0.94^i over the first min(75, n) squared residuals.
#[must_use]
pub fn backcast(resids: &[f64]) -> f64 {
    let tau = resids.len().min(75);
    let mut w = 1.0;
    let (mut num, mut den) = (0.0, 0.0);
    for e in &resids[..tau] {
        num += w * e * e;
        den += w;
        w *= 0.94;
    }
    num / den
}

/// `arch`'s loose variance bounds, from an EWMA of the squared residuals.
#[must_use]
pub fn variance_bounds(resids: &[f64]) -> Vec<(f64, f64)> {
    let n = resids.len();
    let mean = resids.iter().sum::<f64>() / n as f64;
    let var = resids.iter().map(|e| (e - mean).powi(2)).sum::<f64>() / n as f64;
    let max_sq = resids.iter().map(|e| e * e).fold(0.0, f64::max);
    let (lower, upper, min_upper) = (var / 1e8, 1e7 * (1.0 + max_sq), 1.0 + max_sq);
    let mut s = backcast(resids);
    let mut out = Vec::with_capacity(n);
    for t in 0..n {
        if t > 0 {
            s = 0.06 * resids[t - 1] * resids[t - 1] + 0.94 * s;
        }
        let mut lo = s / 1e6;
        let mut hi = s * 1e6;
        if lo < lower {
            lo = lower;
        }
        if hi < min_upper {
            hi = min_upper;
        }
        if hi > upper {
            hi = upper;
        }
        out.push((lo, hi));
    }
    out
}

impl ArchModel {
    /// Prepares `data` (already scaled) for this model.
    ///
    /// # Errors
    ///
    /// An invalid specification or non-finite data.
    pub fn prepare(&self, data: &[f64]) -> Result<Prepared, VolError> {
        self.validate(data.len())?;
        if let Some(i) = data.iter().position(|v| !v.is_finite()) {
            return Err(VolError::NonFinite {
                index: i,
                value: data[i],
            });
        }
        let start = usize::from(self.mean == Mean::Ar1);
        let y: Vec<f64> = data[start..].to_vec();
        let k = self.num_mean();
        let mut x = Vec::with_capacity(y.len() * k);
        for t in start..data.len() {
            match self.mean {
                Mean::Zero => {}
                Mean::Constant => x.push(1.0),
                Mean::Ar1 => {
                    x.push(1.0);
                    x.push(data[t - 1]);
                }
            }
            for col in &self.exog {
                x.push(col[t]);
            }
        }
        let mean_start = aurum_stats::ols(&x, &y, k)
            .ok_or_else(|| VolError::Spec("the mean regressors are collinear".into()))?;
        let resids: Vec<f64> = (0..y.len())
            .map(|t| y[t] - (0..k).map(|j| x[t * k + j] * mean_start[j]).sum::<f64>())
            .collect();
        let bc = backcast(&resids);
        let backcast = match self.vol {
            Vol::Egarch { .. } => bc.ln(),
            _ => bc,
        };
        Ok(Prepared {
            bounds: variance_bounds(&resids),
            y,
            x,
            k_mean: k,
            mean_start,
            backcast,
        })
    }
}
