//! The log-likelihood, generic over [`Real`] so that one function gives values (`f64`) and
//! exact gradients ([`crate::real::Dual`]).
//!
//! Conventions follow `arch` 7.2: residuals from the mean, σ² from the volatility process
//! started at the backcast and clipped to the variance bounds, then the log density of the
//! standardised distribution.

use crate::model::{ArchModel, Dist, Prepared, Vol};
use crate::real::Real;

/// `E|e|` for a standard normal `e`: √(2/π).
pub const SQRT2_OV_PI: f64 = 0.797_884_560_802_865_4;
/// Largest log-variance before `exp` overflows: ln(f64::MAX), as `arch`'s compiled recursion.
const LNSIGMA_MAX: f64 = 709.782_712_893_384;

/// `arch`'s bounds check: below the lower bound, the bound; above the upper bound, the bound
/// plus the log excess (keeps the likelihood finite and still increasing).
#[inline]
fn bound<T: Real>(s2: T, (lo, hi): (f64, f64)) -> T {
    if s2.val() < lo {
        T::cst(lo)
    } else if s2.val() > hi {
        if s2.val().is_infinite() {
            T::cst(hi + 1000.0)
        } else {
            (s2 / hi).ln() + hi
        }
    } else {
        s2
    }
}

/// Residuals of the mean at parameters `mean`.
pub fn residuals<T: Real>(prep: &Prepared, mean: &[T]) -> Vec<T> {
    let k = prep.k_mean;
    prep.y
        .iter()
        .enumerate()
        .map(|(t, y)| {
            let mut e = T::cst(*y);
            for j in 0..k {
                e = e - mean[j] * prep.x[t * k + j];
            }
            e
        })
        .collect()
}

/// Conditional variances of `vol` over the residuals `e` (the general recursion, a direct
/// transcription of `arch`'s `garch_recursion` and `egarch_recursion`).
pub fn variance<T: Real>(vol: &Vol, theta: &[T], e: &[T], prep: &Prepared) -> Vec<T> {
    let n = e.len();
    let mut s2: Vec<T> = Vec::with_capacity(n);
    let bc = prep.backcast;
    match *vol {
        Vol::Constant => {
            for t in 0..n {
                s2.push(bound(theta[0], prep.bounds[t]));
            }
        }
        Vol::Ewma { lambda } => {
            for t in 0..n {
                let prev_e2 = if t == 0 {
                    T::cst(bc)
                } else {
                    e[t - 1] * e[t - 1]
                };
                let prev_s2 = if t == 0 { T::cst(bc) } else { s2[t - 1] };
                s2.push(prev_e2 * (1.0 - lambda) + prev_s2 * lambda);
            }
        }
        Vol::Garch { p, o, q } => {
            for t in 0..n {
                let mut v = theta[0];
                for j in 0..p {
                    v = v + if t > j {
                        theta[1 + j] * (e[t - 1 - j] * e[t - 1 - j])
                    } else {
                        theta[1 + j] * bc
                    };
                }
                for j in 0..o {
                    let g = theta[1 + p + j];
                    v = v + if t > j {
                        if e[t - 1 - j].val() < 0.0 {
                            g * (e[t - 1 - j] * e[t - 1 - j])
                        } else {
                            T::cst(0.0)
                        }
                    } else {
                        g * (0.5 * bc)
                    };
                }
                for j in 0..q {
                    v = v + if t > j {
                        theta[1 + p + o + j] * s2[t - 1 - j]
                    } else {
                        theta[1 + p + o + j] * bc
                    };
                }
                s2.push(bound(v, prep.bounds[t]));
            }
        }
        Vol::Egarch { p, o, q } => {
            let mut ln_s2: Vec<T> = Vec::with_capacity(n);
            let mut z: Vec<T> = Vec::with_capacity(n);
            for t in 0..n {
                let mut l = theta[0];
                for j in 0..p {
                    if t > j {
                        l = l + theta[1 + j] * (z[t - 1 - j].abs() - SQRT2_OV_PI);
                    }
                }
                for j in 0..o {
                    if t > j {
                        l = l + theta[1 + p + j] * z[t - 1 - j];
                    }
                }
                for j in 0..q {
                    l = l + theta[1 + p + o + j]
                        * if t > j { ln_s2[t - 1 - j] } else { T::cst(bc) };
                }
                if l.val() > LNSIGMA_MAX {
                    l = T::cst(LNSIGMA_MAX);
                }
                let mut v = l.exp();
                let (lo, hi) = prep.bounds[t];
                if v.val() < lo {
                    v = T::cst(lo);
                    l = v.ln();
                } else if v.val() > hi {
                    v = (v / hi).ln() + hi;
                    l = v.ln();
                }
                z.push(e[t] / v.sqrt());
                ln_s2.push(l);
                s2.push(v);
            }
        }
    }
    s2
}

/// Log density of each observation given residual `e` and variance `s2`.
pub struct Density<T> {
    dist: Dist,
    shape: [T; 2],
    consts: [T; 3],
}

impl<T: Real> Density<T> {
    /// Precomputes the constants of `dist` at shape parameters `shape`.
    pub fn new(dist: Dist, shape: &[T]) -> Self {
        let zero = T::cst(0.0);
        let get = |i: usize| shape.get(i).copied().unwrap_or(zero);
        let (a, b) = (get(0), get(1));
        let consts = match dist {
            Dist::Normal => [T::cst(-0.5 * (2.0 * std::f64::consts::PI).ln()), zero, zero],
            Dist::StudentsT => {
                let nu = a;
                let c = ((nu + 1.0) / 2.0).ln_gamma()
                    - (nu / 2.0).ln_gamma()
                    - ((nu - 2.0) * std::f64::consts::PI).ln() / 2.0;
                [c, zero, zero]
            }
            Dist::SkewT => {
                let (eta, lam) = (a, clamp_lambda(b));
                let c = ((eta + 1.0) / 2.0).ln_gamma()
                    - (eta / 2.0).ln_gamma()
                    - ((eta - 2.0) * std::f64::consts::PI).ln() / 2.0;
                let ca = lam * c.exp() * (eta - 2.0) / (eta - 1.0) * 4.0;
                let cb = (lam * lam * 3.0 + 1.0 - ca * ca).sqrt();
                [c, ca, cb]
            }
            Dist::Ged => {
                let nu = a;
                let log_c = ((T::cst(-2.0) / nu) * std::f64::consts::LN_2
                    + (T::cst(1.0) / nu).ln_gamma()
                    - (T::cst(3.0) / nu).ln_gamma())
                    * 0.5;
                [log_c, log_c.exp(), zero]
            }
        };
        Self {
            dist,
            shape: [a, b],
            consts,
        }
    }

    /// `ln f(e | σ²)`.
    #[inline]
    pub fn ll(&self, e: T, s2: T) -> T {
        match self.dist {
            Dist::Normal => self.consts[0] - (s2.ln() + e * e / s2) * 0.5,
            Dist::StudentsT => {
                let nu = self.shape[0];
                self.consts[0]
                    - s2.ln() * 0.5
                    - (nu + 1.0) / 2.0 * (e * e / (s2 * (nu - 2.0)) + 1.0).ln()
            }
            Dist::SkewT => {
                let (eta, lam) = (self.shape[0], clamp_lambda(self.shape[1]));
                let [c, a, b] = self.consts;
                let z = e / s2.sqrt();
                let sign = if (z + a / b).val() < 0.0 {
                    -1.0
                } else if (z + a / b).val() > 0.0 {
                    1.0
                } else {
                    0.0
                };
                let r = (b * z + a) / (lam * sign + 1.0);
                b.ln() + c - s2.ln() / 2.0 - (eta + 1.0) / 2.0 * (r * r / (eta - 2.0) + 1.0).ln()
            }
            Dist::Ged => {
                let nu = self.shape[0];
                let [log_c, c, _] = self.consts;
                let x = (e / (s2.sqrt() * c)).abs();
                let power = if x.val() == 0.0 {
                    T::cst(0.0)
                } else {
                    x.powr(nu)
                };
                nu.ln()
                    - log_c
                    - (T::cst(1.0) / nu).ln_gamma()
                    - (T::cst(1.0) / nu + 1.0) * std::f64::consts::LN_2
                    - s2.ln() * 0.5
                    - power * 0.5
            }
        }
    }
}

/// `arch` clamps |λ| to 1 − 1e-6.
fn clamp_lambda<T: Real>(lam: T) -> T {
    if lam.val() >= 1.0 {
        T::cst(1.0 - 1e-6)
    } else if lam.val() <= -1.0 {
        T::cst(-(1.0 - 1e-6))
    } else {
        lam
    }
}

/// Splits a flat parameter vector into mean, volatility and distribution parts.
pub fn split<'a, T>(model: &ArchModel, theta: &'a [T]) -> (&'a [T], &'a [T], &'a [T]) {
    let km = model.num_mean();
    let kv = model.vol.num_params();
    (&theta[..km], &theta[km..km + kv], &theta[km + kv..])
}

/// Total log-likelihood at `theta`; with `each`, also every observation's contribution.
pub fn loglik<T: Real>(
    model: &ArchModel,
    prep: &Prepared,
    theta: &[T],
    mut each: Option<&mut Vec<T>>,
) -> T {
    let (m, v, d) = split(model, theta);
    let e = residuals(prep, m);
    let s2 = variance(&model.vol, v, &e, prep);
    let density = Density::new(model.dist, d);
    let mut total = T::cst(0.0);
    for (e, s2) in e.iter().zip(&s2) {
        let l = density.ll(*e, *s2);
        if let Some(out) = each.as_deref_mut() {
            out.push(l);
        }
        total = total + l;
    }
    total
}
