//! Maximum-likelihood fitting: starting values, the optimisers, and covariance estimates.
//!
//! The models of the fused kernel (GARCH(1,1) and GJR-GARCH(1,1,1) with a constant or zero
//! mean and normal or t innovations) are fitted by Newton's method with the exact Hessian on
//! the constrained parameters ([`crate::newton`]), from variance-targeted starting values; the
//! others, and these too on request ([`Optimizer::Bfgs`], the naive twin), by BFGS on the
//! unconstrained coordinates of [`crate::transform`] with exact (dual-number) gradients.

use serde::Serialize;
use statrs::distribution::{ChiSquared, ContinuousCDF, Normal};

use crate::kernel;
use crate::likelihood::{Density, loglik, residuals, split, variance};
use crate::model::{ArchModel, Dist, Prepared, Vol};
use crate::newton;
use crate::real::Dual;
use crate::transform::{persistence_index, to_theta, to_u};
use crate::{MAX_PARAMS, VolError};
use aurum_stats::invert;

/// Options of [`ArchModel::fit`].
#[derive(Clone, Debug, PartialEq)]
pub struct FitOptions {
    /// Starting points to optimise from, best of the grid first. BFGS optimises from each
    /// (with 1, the next grid points are tried only when an optimisation does not converge).
    /// Newton stops at the first start that converges to an optimum where no constraint but
    /// stationarity is active — convergence it certifies by the Newton decrement and the
    /// multipliers —, and tries the further starts only for optima on other bounds (`α`,
    /// `α + γ` or `β` at 0, `ν` at a bound), where likelihoods can be flat or multimodal.
    pub starts: usize,
    /// Most BFGS iterations per start.
    pub max_iter: usize,
    /// Convergence: largest gradient component of the mean negative log-likelihood.
    pub gtol: f64,
    /// Lags of the Ljung–Box test on squared standardised residuals.
    pub ljung_box_lags: usize,
    /// Warm start: unconstrained coordinates of a previous fit of the same model.
    pub warm_start: Option<Vec<f64>>,
    /// The optimiser.
    pub optimizer: Optimizer,
}

/// Which optimiser [`ArchModel::fit`] uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Optimizer {
    /// Newton's method with the exact Hessian on the constrained parameters (an active-set
    /// method), for the models of the fused kernel; the others fall back to BFGS, as does a
    /// Newton run that does not converge from any start.
    #[default]
    Newton,
    /// BFGS on unconstrained coordinates with exact gradients, from `arch`'s grid of starting
    /// values, with a second search on the stationarity boundary.
    Bfgs,
}

impl Default for FitOptions {
    fn default() -> Self {
        Self {
            starts: 2,
            max_iter: 1000,
            gtol: 1e-9,
            ljung_box_lags: 10,
            warm_start: None,
            optimizer: Optimizer::Newton,
        }
    }
}

/// How the optimiser stopped.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Termination {
    /// Whether a convergence criterion was met.
    pub converged: bool,
    /// Why it stopped, in words.
    pub reason: String,
    /// Iterations of the best start.
    pub iterations: usize,
    /// Likelihood evaluations over all starts.
    pub evaluations: usize,
    /// Largest gradient component at the optimum, of the mean negative log-likelihood: in
    /// `u` for BFGS, projected onto the active constraints in `θ` for Newton.
    pub gradient_norm: f64,
}

/// Ljung–Box test on squared standardised residuals (no remaining ARCH effects if large p).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LjungBox {
    /// Lags tested.
    pub lags: usize,
    /// Q statistic.
    pub statistic: f64,
    /// p-value from χ²(lags).
    pub p: f64,
}

/// A fitted model.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FitResult {
    /// Model description, e.g. `GARCH(1,1)`.
    pub model: String,
    /// Distribution.
    pub dist: Dist,
    /// Parameter names (as `arch`).
    pub names: Vec<String>,
    /// Estimates.
    pub params: Vec<f64>,
    /// Robust (sandwich) standard errors.
    pub std_err: Vec<f64>,
    /// Classic (inverse Hessian) standard errors.
    pub std_err_classic: Vec<f64>,
    /// t statistics (robust).
    pub t: Vec<f64>,
    /// Two-sided p-values (robust, normal).
    pub p: Vec<f64>,
    /// Log-likelihood.
    pub loglik: f64,
    /// Akaike information criterion.
    pub aic: f64,
    /// Bayesian information criterion.
    pub bic: f64,
    /// Observations in the likelihood.
    pub nobs: usize,
    /// Backcast used to start the recursion.
    pub backcast: f64,
    /// Conditional variances σ²_t.
    #[serde(skip)]
    pub conditional_variance: Vec<f64>,
    /// Residuals ε_t.
    #[serde(skip)]
    pub resid: Vec<f64>,
    /// Standardised residuals ε_t / σ_t.
    #[serde(skip)]
    pub std_resid: Vec<f64>,
    /// Ljung–Box on squared standardised residuals.
    pub ljung_box: LjungBox,
    /// How the optimiser ended (non-convergence is data, not an error).
    pub termination: Termination,
    /// Notes such as estimates on a boundary.
    pub diagnostics: Vec<String>,
    /// Unconstrained coordinates of the optimum (for warm starts).
    #[serde(skip)]
    pub u: Vec<f64>,
}

/// Value and gradient of the mean negative log-likelihood in `u`.
fn objective(model: &ArchModel, prep: &Prepared, u: &[f64], pin: bool) -> (f64, Vec<f64>) {
    if kernel::supports(model) {
        return kernel_objective(model, prep, u, pin);
    }
    macro_rules! with_n {
        ($($n:literal)+) => {
            match u.len() {
                $($n => {
                    let ud: Vec<Dual<$n>> = u.iter().enumerate().map(|(i, v)| Dual::var(*v, i)).collect();
                    let th = to_theta(model, &ud, pin);
                    let ll = loglik(model, prep, &th, None);
                    let n = prep.y.len() as f64;
                    (-ll.v / n, ll.d.iter().map(|d| -d / n).collect())
                })+
                _ => unreachable!("parameter count checked by validate"),
            }
        };
    }
    with_n!(1 2 3 4 5 6 7 8 9 10 11 12)
}

/// Log-likelihood gradient in `θ`.
fn gradient(model: &ArchModel, prep: &Prepared, theta: &[f64]) -> Vec<f64> {
    if kernel::supports(model) {
        let mut g = vec![0.0; theta.len()];
        kernel::loglik(model, prep, theta, Some(&mut g), None);
        return g;
    }
    macro_rules! with_n {
        ($($n:literal)+) => {
            match theta.len() {
                $($n => {
                    let td: Vec<Dual<$n>> = theta.iter().enumerate().map(|(i, v)| Dual::var(*v, i)).collect();
                    loglik(model, prep, &td, None).d.to_vec()
                })+
                _ => unreachable!("parameter count checked by validate"),
            }
        };
    }
    with_n!(1 2 3 4 5 6 7 8 9 10 11 12)
}

/// Log-likelihood gradient and per-observation scores in `θ` (for standard errors).
fn scores(model: &ArchModel, prep: &Prepared, theta: &[f64]) -> (Vec<f64>, Vec<Vec<f64>>) {
    if kernel::supports(model) {
        let mut g = vec![0.0; theta.len()];
        let mut each = Vec::with_capacity(prep.y.len() * theta.len());
        kernel::loglik(model, prep, theta, Some(&mut g), Some(&mut each));
        return (g, each.chunks(theta.len()).map(<[f64]>::to_vec).collect());
    }
    macro_rules! with_n {
        ($($n:literal)+) => {
            match theta.len() {
                $($n => {
                    let td: Vec<Dual<$n>> = theta.iter().enumerate().map(|(i, v)| Dual::var(*v, i)).collect();
                    let mut each = Vec::with_capacity(prep.y.len());
                    let total = loglik(model, prep, &td, Some(&mut each));
                    (total.d.to_vec(), each.into_iter().map(|l| l.d.to_vec()).collect())
                })+
                _ => unreachable!("parameter count checked by validate"),
            }
        };
    }
    with_n!(1 2 3 4 5 6 7 8 9 10 11 12)
}

/// The objective through the fused kernel: ∂ℓ/∂θ from the kernel, chained through the
/// Jacobian ∂θ/∂u of the transform (dual numbers over the few transform operations only).
fn kernel_objective(model: &ArchModel, prep: &Prepared, u: &[f64], pin: bool) -> (f64, Vec<f64>) {
    macro_rules! with_n {
        ($($n:literal)+) => {
            match u.len() {
                $($n => {
                    let ud: Vec<Dual<$n>> = u.iter().enumerate().map(|(i, v)| Dual::var(*v, i)).collect();
                    let th = to_theta(model, &ud, pin);
                    let theta: Vec<f64> = th.iter().map(|t| t.v).collect();
                    let mut g = vec![0.0; theta.len()];
                    let ll = kernel::loglik(model, prep, &theta, Some(&mut g), None);
                    let n = prep.y.len() as f64;
                    let grad_u = (0..u.len()).map(|j| -th.iter().zip(&g).map(|(t, gi)| gi * t.d[j]).sum::<f64>() / n).collect();
                    (-ll / n, grad_u)
                })+
                _ => unreachable!("the kernel's models have at most 6 parameters"),
            }
        };
    }
    with_n!(3 4 5 6)
}

fn value(model: &ArchModel, prep: &Prepared, u: &[f64], pin: bool) -> f64 {
    let th = to_theta::<f64>(model, u, pin);
    if kernel::supports(model) {
        return -kernel::loglik(model, prep, &th, None, None) / prep.y.len() as f64;
    }
    -loglik(model, prep, &th, None) / prep.y.len() as f64
}

struct Bfgs {
    u: Vec<f64>,
    f: f64,
    g: Vec<f64>,
    iterations: usize,
    evaluations: usize,
    converged: bool,
    reason: String,
    pin: bool,
}

fn bfgs(
    model: &ArchModel,
    prep: &Prepared,
    u0: Vec<f64>,
    opts: &FitOptions,
    pin: bool,
    gtol: f64,
) -> Bfgs {
    let k = u0.len();
    let (mut f, mut g) = objective(model, prep, &u0, pin);
    let mut u = u0;
    let mut evals = 1;
    let mut h = identity(k);
    let mut reason = format!("reached {} iterations", opts.max_iter);
    let mut converged = false;
    let mut stall = 0;
    let mut it = 0;
    while it < opts.max_iter {
        it += 1;
        if !f.is_finite() {
            reason = "the likelihood is not finite at the starting values".into();
            break;
        }
        if max_abs(&g) < gtol {
            converged = true;
            reason = "gradient below tolerance".into();
            break;
        }
        let mut d: Vec<f64> = (0..k)
            .map(|i| -(0..k).map(|j| h[i][j] * g[j]).sum::<f64>())
            .collect();
        let mut slope: f64 = d.iter().zip(&g).map(|(a, b)| a * b).sum();
        if slope >= 0.0 {
            h = identity(k);
            d = g.iter().map(|v| -v).collect();
            slope = -g.iter().map(|v| v * v).sum::<f64>();
        }
        // Backtracking line search with the Armijo condition.
        let mut step = if it == 1 {
            (1.0 / max_abs(&g)).min(1.0)
        } else {
            1.0
        };
        // The first trial gets value and gradient at once (it is usually accepted); further
        // trials only values, with quadratic interpolation of the step.
        let mut accepted: Option<(Vec<f64>, f64, Option<Vec<f64>>)> = None;
        for attempt in 0..60 {
            let trial: Vec<f64> = u.iter().zip(&d).map(|(a, b)| a + step * b).collect();
            let (ft, gt) = if attempt == 0 {
                let (ft, gt) = objective(model, prep, &trial, pin);
                (ft, Some(gt))
            } else {
                (value(model, prep, &trial, pin), None)
            };
            evals += 1;
            if ft.is_finite() && ft <= f + 1e-4 * step * slope {
                accepted = Some((trial, ft, gt));
                break;
            }
            let next = if ft.is_finite() {
                -slope * step * step / (2.0 * (ft - f - slope * step))
            } else {
                0.1 * step
            };
            step = next.clamp(0.1 * step, 0.5 * step);
        }
        let Some((un, ft, gt)) = accepted else {
            converged = max_abs(&g) < 1e-5;
            reason = if converged {
                "no further decrease along the search direction (gradient small)".into()
            } else {
                "line search failed".into()
            };
            break;
        };
        let (fnew, gnew) = match gt {
            Some(g) => (ft, g),
            None => {
                evals += 1;
                objective(model, prep, &un, pin)
            }
        };
        let s: Vec<f64> = un.iter().zip(&u).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = gnew.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy: f64 = s.iter().zip(&y).map(|(a, b)| a * b).sum();
        if sy > 1e-16 {
            if it == 1 {
                // Scale the initial inverse Hessian (Nocedal & Wright 6.20).
                let yy: f64 = y.iter().map(|v| v * v).sum();
                h = identity(k);
                for (i, row) in h.iter_mut().enumerate() {
                    row[i] = sy / yy;
                }
            }
            let hy: Vec<f64> = (0..k)
                .map(|i| (0..k).map(|j| h[i][j] * y[j]).sum())
                .collect();
            let yhy: f64 = y.iter().zip(&hy).map(|(a, b)| a * b).sum();
            let rho = 1.0 / sy;
            for i in 0..k {
                for j in 0..k {
                    h[i][j] +=
                        rho * ((1.0 + rho * yhy) * s[i] * s[j] - hy[i] * s[j] - s[i] * hy[j]);
                }
            }
        }
        let df = f - fnew;
        u = un;
        f = fnew;
        g = gnew;
        stall = if df.abs() <= 1e-15 * f.abs().max(1.0) {
            stall + 1
        } else {
            0
        };
        if stall >= 3 {
            converged = true;
            reason = "no change in the likelihood for three iterations".into();
            break;
        }
    }
    Bfgs {
        u,
        f,
        g,
        iterations: it,
        evaluations: evals,
        converged,
        reason,
        pin,
    }
}

/// `logistic(8) ≈ 0.99966`: beyond it, an interior optimum is taken to be a boundary one
/// approached, and the boundary face is searched too.
const BOUNDARY_U: f64 = 8.0;

fn identity(k: usize) -> Vec<Vec<f64>> {
    (0..k)
        .map(|i| (0..k).map(|j| if i == j { 1.0 } else { 0.0 }).collect())
        .collect()
}

fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, x| m.max(x.abs()))
}

/// Volatility starting values: `arch`'s grid, ranked by the Gaussian log-likelihood.
fn vol_starts(model: &ArchModel, prep: &Prepared, resid: &[f64]) -> Vec<Vec<f64>> {
    let mean_sq = resid.iter().map(|e| e * e).sum::<f64>() / resid.len() as f64;
    let mut cands: Vec<Vec<f64>> = Vec::new();
    let alphas = [0.01, 0.05, 0.1, 0.2];
    match model.vol {
        Vol::Constant => cands.push(vec![mean_sq]),
        Vol::Ewma { .. } => cands.push(Vec::new()),
        Vol::Garch { p, o, q } => {
            for &alpha in &alphas {
                for &gamma in &alphas {
                    for &abg in &[0.5, 0.7, 0.9, 0.98] {
                        let mut sv = vec![(1.0 - abg) * mean_sq; 1 + p + o + q];
                        let mut agb: f64 = abg;
                        if p > 0 {
                            sv[1..=p].fill(alpha / p as f64);
                            agb -= alpha;
                        }
                        if o > 0 {
                            sv[1 + p..1 + p + o].fill(gamma / o as f64);
                            agb -= gamma / 2.0;
                        }
                        if q > 0 {
                            sv[1 + p + o..].fill(agb / q as f64);
                        }
                        cands.push(sv);
                    }
                }
            }
        }
        Vol::Egarch { p, o, q } => {
            let target = mean_sq.ln();
            for &alpha in &alphas {
                for &gamma in &[-0.1, 0.0, 0.1] {
                    for &beta in &[0.5, 0.7, 0.9, 0.98] {
                        let mut sv = vec![(1.0 - beta) * target; 1 + p + o + q];
                        sv[1..=p].fill(alpha / p.max(1) as f64);
                        sv[1 + p..1 + p + o].fill(gamma / o.max(1) as f64);
                        sv[1 + p + o..].fill(beta / q.max(1) as f64);
                        cands.push(sv);
                    }
                }
            }
        }
    }
    let e: Vec<f64> = resid.to_vec();
    let normal = Density::new(Dist::Normal, &[]);
    let mut scored: Vec<(f64, usize)> = cands
        .iter()
        .enumerate()
        .map(|(i, sv)| {
            let s2 = variance(&model.vol, sv, &e, prep);
            let ll: f64 = e.iter().zip(&s2).map(|(e, s)| normal.ll(*e, *s)).sum();
            (
                if ll.is_finite() {
                    ll
                } else {
                    f64::NEG_INFINITY
                },
                i,
            )
        })
        .collect();
    // Best first; ties keep grid order, as numpy's argmax does.
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.into_iter().map(|(_, i)| cands[i].clone()).collect()
}

/// Starting values for Newton, best first: variance targeting (`ω = (1 − s) E[ε²]`) over a
/// small grid of persistence `s` and `α` (`γ = 0`, `β = s − α`), ranked by the Gaussian
/// likelihood in one fused pass each; `ν` from the kurtosis of the standardised residuals,
/// as `arch`.
fn newton_starts(model: &ArchModel, prep: &Prepared, resid: &[f64], take: usize) -> Vec<Vec<f64>> {
    let mean_sq = resid.iter().map(|e| e * e).sum::<f64>() / resid.len() as f64;
    let gjr = matches!(model.vol, Vol::Garch { o: 1, .. });
    let normal = ArchModel::new(model.mean, model.vol, Dist::Normal);
    let mut cands: Vec<(f64, Vec<f64>)> = Vec::new();
    for &pers in &[0.9, 0.97, 0.995] {
        for &alpha in &[0.04, 0.1] {
            let mut sv = vec![(1.0 - pers) * mean_sq, alpha];
            if gjr {
                sv.push(0.0);
            }
            sv.push(pers - alpha);
            let mut theta = prep.mean_start.clone();
            theta.extend_from_slice(&sv);
            let ll = kernel::loglik(&normal, prep, &theta, None, None);
            cands.push((
                if ll.is_finite() {
                    ll
                } else {
                    f64::NEG_INFINITY
                },
                sv,
            ));
        }
    }
    cands.sort_by(|a, b| b.0.total_cmp(&a.0));
    cands
        .into_iter()
        .take(take)
        .map(|(_, sv)| {
            let mut theta = prep.mean_start.clone();
            theta.extend_from_slice(&sv);
            if model.dist == Dist::StudentsT {
                let s2 = variance(&model.vol, &sv, resid, prep);
                let z: Vec<f64> = resid.iter().zip(&s2).map(|(e, s)| e / s.sqrt()).collect();
                theta.extend(dist_start(model.dist, &z));
            }
            theta
        })
        .collect()
}

/// Distribution starting values (`arch`: ν from the kurtosis of standardised residuals).
fn dist_start(dist: Dist, std_resid: &[f64]) -> Vec<f64> {
    let n = std_resid.len() as f64;
    let m = std_resid.iter().sum::<f64>() / n;
    let m2 = std_resid.iter().map(|z| (z - m).powi(2)).sum::<f64>() / n;
    let m4 = std_resid.iter().map(|z| (z - m).powi(4)).sum::<f64>() / n;
    let k = m4 / (m2 * m2);
    let nu = if k > 3.75 {
        (4.0 * k - 6.0) / (k - 3.0)
    } else {
        12.0
    }
    .max(4.0);
    match dist {
        Dist::Normal => Vec::new(),
        Dist::StudentsT => vec![nu],
        Dist::SkewT => vec![nu, 0.0],
        Dist::Ged => vec![1.5],
    }
}

impl ArchModel {
    /// Fits the model to `data` (already scaled, e.g. 100 × log returns) by maximum
    /// likelihood.
    ///
    /// # Errors
    ///
    /// Invalid specifications and data. Non-convergence is reported in the result.
    pub fn fit(&self, data: &[f64], opts: &FitOptions) -> Result<FitResult, VolError> {
        // A model with nothing to estimate (EWMA with a zero mean and normal innovations) is
        // evaluated as it is.
        if self.num_params() == 0 {
            return self.fix(data, &[]);
        }
        let prep = self.prepare(data)?;
        let resid0 = residuals::<f64>(&prep, &prep.mean_start);
        if opts.optimizer == Optimizer::Newton
            && kernel::supports(self)
            && let Some((theta, termination)) = self.fit_newton(&prep, &resid0, opts)
        {
            let u = to_u(self, &theta);
            return self.finish(&prep, theta, u, termination, opts);
        }
        let vols = vol_starts(self, &prep, &resid0);
        let mut starts: Vec<Vec<f64>> = Vec::new();
        if let Some(w) = &opts.warm_start
            && w.len() == self.num_params()
        {
            starts.push(w.clone());
        }
        for sv in vols.iter().take(opts.starts.max(1)) {
            let s2 = variance(&self.vol, sv, &resid0, &prep);
            let z: Vec<f64> = resid0.iter().zip(&s2).map(|(e, s)| e / s.sqrt()).collect();
            let mut theta = prep.mean_start.clone();
            theta.extend_from_slice(sv);
            theta.extend(dist_start(self.dist, &z));
            starts.push(to_u(self, &theta));
        }
        let mut best: Option<Bfgs> = None;
        let mut evaluations = 0;
        let better = |r: &Bfgs, b: &Option<Bfgs>| {
            b.as_ref()
                .is_none_or(|b| r.f < b.f || (!b.f.is_finite() && r.f.is_finite()))
        };
        for u0 in starts {
            let r = self.optimise(&prep, u0, opts);
            evaluations += r.evaluations;
            if better(&r, &best) {
                best = Some(r);
            }
            // Further starting values only when this one did not converge.
            if best.as_ref().is_some_and(|b| b.converged) && opts.starts <= 1 {
                break;
            }
        }
        let best = best.expect("at least one start");
        let theta = to_theta::<f64>(self, &best.u, best.pin);
        let termination = Termination {
            converged: best.converged,
            reason: best.reason.clone(),
            iterations: best.iterations,
            evaluations,
            gradient_norm: max_abs(&best.g),
        };
        self.finish(&prep, theta, best.u, termination, opts)
    }

    /// Newton from the warm start, if any, then the best points of a small variance-targeted
    /// grid (see [`FitOptions::starts`]); `None` when no start converges.
    fn fit_newton(
        &self,
        prep: &Prepared,
        resid0: &[f64],
        opts: &FitOptions,
    ) -> Option<(Vec<f64>, Termination)> {
        let mut starts: Vec<Vec<f64>> = Vec::new();
        if let Some(w) = &opts.warm_start
            && w.len() == self.num_params()
        {
            starts.push(to_theta::<f64>(self, w, false));
        }
        starts.extend(newton_starts(self, prep, resid0, opts.starts.max(1)));
        let mut best: Option<newton::Outcome> = None;
        let mut evaluations = 0;
        for theta0 in starts {
            let known = best.as_ref().map(|b| b.theta.as_slice());
            let r = newton::minimise(self, prep, &theta0, opts.max_iter, known);
            evaluations += r.evaluations;
            let done = r.converged && (!r.on_bound || opts.starts <= 1);
            if r.converged && best.as_ref().is_none_or(|b| !b.converged || r.f < b.f) {
                best = Some(r);
            }
            if done {
                break;
            }
        }
        let best = best?;
        Some((
            best.theta,
            Termination {
                converged: best.converged,
                reason: best.reason,
                iterations: best.iterations,
                evaluations,
                gradient_norm: best.kkt,
            },
        ))
    }

    /// One start: BFGS in the interior coordinates; when it ends near the stationarity
    /// boundary, which those coordinates only approach, a second search on the boundary face
    /// itself (persistence exactly 1), kept when it is at least as good.
    fn optimise(&self, prep: &Prepared, u0: Vec<f64>, opts: &FitOptions) -> Bfgs {
        let interior = bfgs(self, prep, u0, opts, false, opts.gtol);
        if let Some(i) = persistence_index(self)
            && interior.u[i] > BOUNDARY_U
        {
            let mut face = bfgs(self, prep, interior.u.clone(), opts, true, opts.gtol);
            face.evaluations += interior.evaluations;
            if face.f <= interior.f {
                face.iterations += interior.iterations;
                return face;
            }
        }
        interior
    }

    /// Evaluates the model at given parameters (no optimisation), with the same outputs as
    /// a fit (standard errors at those parameters).
    ///
    /// # Errors
    ///
    /// Invalid specifications, data, or a parameter vector of the wrong length.
    pub fn fix(&self, data: &[f64], params: &[f64]) -> Result<FitResult, VolError> {
        if params.len() != self.num_params() {
            return Err(VolError::Spec(format!(
                "{} parameters given; the model has {}",
                params.len(),
                self.num_params()
            )));
        }
        let prep = self.prepare(data)?;
        let termination = Termination {
            converged: true,
            reason: "parameters fixed".into(),
            iterations: 0,
            evaluations: 0,
            gradient_norm: f64::NAN,
        };
        self.finish(
            &prep,
            params.to_vec(),
            to_u(self, params),
            termination,
            &FitOptions::default(),
        )
    }

    fn finish(
        &self,
        prep: &Prepared,
        theta: Vec<f64>,
        u: Vec<f64>,
        termination: Termination,
        opts: &FitOptions,
    ) -> Result<FitResult, VolError> {
        let n = prep.y.len();
        let (m, v, _) = split(self, &theta);
        let resid = residuals::<f64>(prep, m);
        let s2 = variance(&self.vol, v, &resid, prep);
        let ll = if kernel::supports(self) {
            kernel::loglik(self, prep, &theta, None, None)
        } else {
            loglik(self, prep, &theta, None)
        };
        let std_resid: Vec<f64> = resid.iter().zip(&s2).map(|(e, s)| e / s.sqrt()).collect();
        let k = theta.len();
        let (std_err, std_err_classic) = if k == 0 {
            (Vec::new(), Vec::new())
        } else {
            std_errors(self, prep, &theta)
        };
        let normal = Normal::standard();
        let t: Vec<f64> = theta.iter().zip(&std_err).map(|(p, s)| p / s).collect();
        let p: Vec<f64> = t.iter().map(|t| 2.0 * normal.cdf(-t.abs())).collect();
        let kf = k as f64;
        let mut diagnostics = Vec::new();
        match self.vol {
            Vol::Garch { p: gp, o, q } => {
                let pers: f64 = v[1..=gp].iter().sum::<f64>()
                    + v[1 + gp..1 + gp + o].iter().sum::<f64>() / 2.0
                    + v[1 + gp + o..1 + gp + o + q].iter().sum::<f64>();
                if pers > 1.0 - 1e-4 {
                    diagnostics.push(format!(
                        "persistence {pers:.6} is at the stationarity boundary (α + γ/2 + β = 1)"
                    ));
                }
            }
            Vol::Egarch { p: ep, o, .. } => {
                let b: f64 = v[1 + ep + o..].iter().sum();
                if b > 1.0 - 1e-4 {
                    diagnostics.push(format!("Σβ = {b:.6} is at the boundary 1"));
                }
            }
            _ => {}
        }
        let lower = if self.dist == Dist::Ged { 1.011 } else { 2.051 };
        if let Some(nu) = theta
            .get(self.num_mean() + self.vol.num_params())
            .filter(|_| self.dist != Dist::Normal)
            && (*nu > 299.0 || *nu < lower)
        {
            diagnostics.push(format!("shape parameter {nu:.3} is at its bound"));
        }
        if !termination.converged {
            diagnostics.push(format!(
                "the optimiser did not converge: {}",
                termination.reason
            ));
        }
        Ok(FitResult {
            model: self.vol.to_string(),
            dist: self.dist,
            names: self.names(),
            loglik: ll,
            aic: -2.0 * ll + 2.0 * kf,
            bic: -2.0 * ll + kf * (n as f64).ln(),
            nobs: n,
            backcast: prep.backcast,
            ljung_box: ljung_box(
                &std_resid.iter().map(|z| z * z).collect::<Vec<_>>(),
                opts.ljung_box_lags,
            ),
            conditional_variance: s2,
            resid,
            std_resid,
            t,
            p,
            std_err,
            std_err_classic,
            params: theta,
            termination,
            diagnostics,
            u,
        })
    }
}

/// Robust (sandwich) and classic standard errors, `arch`'s way: Hessian of the mean negative
/// log-likelihood (exact from the fused kernel where it applies, else by central differences
/// of the exact gradient), score covariance with divisor n − 1.
fn std_errors(model: &ArchModel, prep: &Prepared, theta: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let k = theta.len();
    let n = prep.y.len() as f64;
    let mut hess = vec![vec![0.0; k]; k];
    // Score covariance (divisor n − 1).
    let mut s = vec![vec![0.0; k]; k];
    if kernel::supports(model) {
        // One fused pass: exact Hessian, gradient, and Σ scores scores'.
        let mut g = vec![0.0; k];
        let mut h = [[0.0; kernel::K]; kernel::K];
        let mut outer = [[0.0; kernel::K]; kernel::K];
        kernel::hessian(model, prep, theta, &mut g, &mut h, Some(&mut outer));
        for i in 0..k {
            for j in 0..k {
                hess[i][j] = -h[i][j] / n;
                s[i][j] = (outer[i][j] - g[i] * g[j] / n) / (n - 1.0);
            }
        }
    } else {
        for j in 0..k {
            let h = 1e-5 * theta[j].abs().max(1e-2);
            let mut up = theta.to_vec();
            up[j] += h;
            let mut dn = theta.to_vec();
            dn[j] -= h;
            let gu = gradient(model, prep, &up);
            let gd = gradient(model, prep, &dn);
            for i in 0..k {
                hess[i][j] = -(gu[i] - gd[i]) / (2.0 * h) / n;
            }
        }
        for i in 0..k {
            for j in 0..i {
                let a = 0.5 * (hess[i][j] + hess[j][i]);
                hess[i][j] = a;
                hess[j][i] = a;
            }
        }
        let (_, each) = scores(model, prep, theta);
        let mean: Vec<f64> = (0..k)
            .map(|i| each.iter().map(|s| s[i]).sum::<f64>() / n)
            .collect();
        for row in &each {
            for i in 0..k {
                for j in 0..k {
                    s[i][j] += (row[i] - mean[i]) * (row[j] - mean[j]);
                }
            }
        }
        for row in &mut s {
            for v in row {
                *v /= n - 1.0;
            }
        }
    }
    let nan = || vec![f64::NAN; k];
    let Some(inv) = invert(&hess) else {
        return (nan(), nan());
    };
    let mut robust = vec![0.0; k];
    for i in 0..k {
        let mut acc = 0.0;
        for a in 0..k {
            for b in 0..k {
                acc += inv[i][a] * s[a][b] * inv[b][i];
            }
        }
        robust[i] = (acc / n).sqrt();
    }
    let classic = (0..k).map(|i| (inv[i][i] / n).sqrt()).collect();
    (robust, classic)
}

/// Ljung–Box Q on `x` for `lags` lags.
#[must_use]
pub fn ljung_box(x: &[f64], lags: usize) -> LjungBox {
    let n = x.len();
    let m = x.iter().sum::<f64>() / n as f64;
    let c0: f64 = x.iter().map(|v| (v - m).powi(2)).sum();
    let mut q = 0.0;
    for k in 1..=lags.min(n.saturating_sub(1)) {
        let ck: f64 = (k..n).map(|t| (x[t] - m) * (x[t - k] - m)).sum();
        let r = ck / c0;
        q += r * r / (n - k) as f64;
    }
    let statistic = n as f64 * (n as f64 + 2.0) * q;
    let p = ChiSquared::new(lags as f64).map_or(f64::NAN, |d| 1.0 - d.cdf(statistic));
    LjungBox { lags, statistic, p }
}

const _: () = assert!(MAX_PARAMS == 12);

#[cfg(test)]
mod tests {
    use crate::{ArchModel, Dist, FitOptions, Mean, Vol};

    /// EWMA with a zero mean and normal innovations has no parameter: fitting it evaluates
    /// it, as fixing it with no parameters does.
    #[test]
    fn a_model_with_nothing_to_estimate_is_evaluated() {
        let data: Vec<f64> = (0..300).map(|t| f64::from(t % 7) / 3.0 - 1.0).collect();
        let m = ArchModel::new(Mean::Zero, Vol::Ewma { lambda: 0.94 }, Dist::Normal);
        let fit = m.fit(&data, &FitOptions::default()).unwrap();
        let fixed = m.fix(&data, &[]).unwrap();
        assert!(fit.params.is_empty());
        assert!(fit.loglik.is_finite());
        assert_eq!(fit.loglik.to_bits(), fixed.loglik.to_bits());
        assert_eq!(fit.conditional_variance, fixed.conditional_variance);
    }
}
