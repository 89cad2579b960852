//! Variance forecasts (analytic where `arch` has them), path simulation from a fitted model
//! with a seeded ChaCha generator per path, and filtered historical simulation (bootstrap of
//! standardised residuals).

use std::sync::Arc;

use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Gamma, StandardNormal};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};
use statrs::function::gamma::ln_gamma;

use crate::har::{HAR_LAGS, HarFit, har_raw};
use crate::likelihood::SQRT2_OV_PI;
use crate::model::{ArchModel, Dist, Mean, Vol};
use crate::sampler::{Symmetric, Table};
use crate::{FitResult, VolError};

/// Variance forecasts for horizons 1..=H after the last observation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Forecast {
    /// σ²_{T+h}, in the data's squared units.
    pub variance: Vec<f64>,
    /// `analytic` or `simulation`.
    pub method: &'static str,
}

impl Forecast {
    /// Annualised volatility of the cumulative return to each horizon:
    /// `√(periods / h · Σ_{i ≤ h} σ²_{T+i})`, in the data's units (percent for 100 × log returns).
    #[must_use]
    pub fn annualised(&self, periods_per_year: f64) -> Vec<f64> {
        let mut acc = 0.0;
        self.variance
            .iter()
            .enumerate()
            .map(|(i, v)| {
                acc += v;
                (periods_per_year * acc / (i + 1) as f64).sqrt()
            })
            .collect()
    }
}

/// Where innovations come from when simulating.
#[derive(Clone, Debug, PartialEq)]
pub enum Innovations {
    /// The fitted parametric distribution.
    Parametric,
    /// Filtered historical simulation: draws with replacement from the fit's standardised
    /// residuals.
    Bootstrap,
}

/// The state a simulation continues from: the last residuals and variances of the fit.
#[derive(Clone, Debug, PartialEq)]
pub struct State {
    /// Recent residuals ε, newest last.
    pub resid: Vec<f64>,
    /// Recent variances σ², newest last.
    pub variance: Vec<f64>,
    /// Last observed value (for the AR(1) mean).
    pub last_y: f64,
}

/// Steps a fitted model forward one period at a time: a GARCH-family model
/// ([`Simulator::new`]) or a HAR model ([`Simulator::from_har`]).
#[derive(Clone, Debug)]
pub struct Simulator {
    model: ArchModel,
    params: Vec<f64>,
    std_resid: Vec<f64>,
    start: State,
    t_dist: Option<StudentsT>,
    /// χ²_ν as Gamma(ν/2, 2) for Student's t; Gamma(1/ν, 1) for the GED. Built once: its
    /// set-up costs as much as a draw.
    gamma: Option<Gamma<f64>>,
    /// A HAR model's coefficients and variance floor, which replace the volatility process.
    har: Option<([f64; 4], f64)>,
}

const LAGS: usize = 8;

impl Simulator {
    /// A simulator continuing after the last observation of `fit` (of `model` on `data`).
    ///
    /// # Errors
    ///
    /// A fit of another model.
    pub fn new(model: &ArchModel, fit: &FitResult, data: &[f64]) -> Result<Self, VolError> {
        if fit.params.len() != model.num_params() {
            return Err(VolError::Spec(
                "the fit does not belong to this model".into(),
            ));
        }
        let n = fit.resid.len();
        let keep = n.min(LAGS);
        let shape = &fit.params[model.num_mean() + model.vol.num_params()..];
        let t_dist = match model.dist {
            Dist::SkewT => StudentsT::new(0.0, 1.0, shape[0]).ok(),
            _ => None,
        };
        let gamma = match model.dist {
            Dist::StudentsT => Gamma::new(shape[0] / 2.0, 2.0).ok(),
            Dist::Ged => Gamma::new(1.0 / shape[0], 1.0).ok(),
            _ => None,
        };
        Ok(Self {
            model: model.clone(),
            params: fit.params.clone(),
            std_resid: fit.std_resid.clone(),
            start: State {
                resid: fit.resid[n - keep..].to_vec(),
                variance: fit.conditional_variance[n - keep..].to_vec(),
                last_y: data.last().copied().unwrap_or(0.0),
            },
            t_dist,
            gamma,
            har: None,
        })
    }

    /// A simulator continuing a HAR model fitted on `data` after its last observation.
    ///
    /// Its mean is the fit's `mu` (a constant mean) and its state keeps the last
    /// [`HAR_LAGS`] residuals. Parametric innovations are standard normal; bootstrapped ones
    /// are drawn from the fit's standardised residuals centred and scaled to mean 0 and
    /// variance 1 (divisor n), so that a bootstrapped day has exactly the variance the
    /// recursion gives and the mean model alone sets the drift. (OLS makes the squared
    /// residuals average the fitted variances, not the standardised residuals' squares
    /// average one; unscaled, the bootstrap would widen or narrow every forecast by that
    /// misfit.)
    ///
    /// # Errors
    ///
    /// `fit` not a fit of `data` (lengths differ); standardised residuals without spread.
    pub fn from_har(fit: &HarFit, data: &[f64]) -> Result<Self, VolError> {
        if data.len() != fit.nobs + HAR_LAGS {
            return Err(VolError::Spec(format!(
                "the HAR fit has {} rows, not the {} that {} observations give",
                fit.nobs,
                data.len().saturating_sub(HAR_LAGS),
                data.len()
            )));
        }
        let n = fit.std_resid.len() as f64;
        let m = fit.std_resid.iter().sum::<f64>() / n;
        let sd = (fit.std_resid.iter().map(|z| (z - m).powi(2)).sum::<f64>() / n).sqrt();
        if !(sd > 0.0 && sd.is_finite()) {
            return Err(VolError::Spec(format!(
                "the HAR fit's standardised residuals have spread {sd}; nothing to bootstrap"
            )));
        }
        let keep = fit.variance.len().min(LAGS);
        Ok(Self {
            model: ArchModel::new(Mean::Constant, Vol::Constant, Dist::Normal),
            params: vec![fit.mu, fit.long_run_variance()],
            std_resid: fit.std_resid.iter().map(|z| (z - m) / sd).collect(),
            start: State {
                resid: data[data.len() - HAR_LAGS..]
                    .iter()
                    .map(|y| y - fit.mu)
                    .collect(),
                variance: fit.variance[fit.variance.len() - keep..].to_vec(),
                last_y: data.last().copied().unwrap_or(0.0),
            },
            t_dist: None,
            gamma: None,
            har: Some((fit.params, fit.floor)),
        })
    }

    /// For a HAR model, its mean, coefficients `b0, b_d, b_w, b_m` and variance floor —
    /// what a fused simulation loop needs; `None` for other models.
    #[must_use]
    pub fn har(&self) -> Option<(f64, [f64; 4], f64)> {
        self.har.map(|(b, floor)| (self.params[0], b, floor))
    }

    /// The state after the last observation.
    #[must_use]
    pub fn initial_state(&self) -> State {
        self.start.clone()
    }

    fn vol_params(&self) -> &[f64] {
        let km = self.model.num_mean();
        &self.params[km..km + self.model.vol.num_params()]
    }

    /// σ² of the next period given the state.
    #[must_use]
    pub fn next_variance(&self, s: &State) -> f64 {
        if let Some((b, floor)) = &self.har {
            return har_raw(b, &s.resid).max(*floor);
        }
        let v = self.vol_params();
        let e = |lag: usize| s.resid[s.resid.len() - lag];
        let h = |lag: usize| s.variance[s.variance.len() - lag];
        match self.model.vol {
            Vol::Constant => v[0],
            Vol::Ewma { lambda } => (1.0 - lambda) * e(1) * e(1) + lambda * h(1),
            Vol::Garch { p, o, q } => {
                let mut x = v[0];
                for i in 1..=p {
                    x += v[i] * e(i) * e(i);
                }
                for i in 1..=o {
                    x += if e(i) < 0.0 {
                        v[p + i] * e(i) * e(i)
                    } else {
                        0.0
                    };
                }
                for j in 1..=q {
                    x += v[p + o + j] * h(j);
                }
                x
            }
            Vol::Egarch { p, o, q } => {
                let z = |lag: usize| e(lag) / h(lag).sqrt();
                let mut l = v[0];
                for i in 1..=p {
                    l += v[i] * (z(i).abs() - SQRT2_OV_PI);
                }
                for i in 1..=o {
                    l += v[p + i] * z(i);
                }
                for j in 1..=q {
                    l += v[p + o + j] * h(j).ln();
                }
                l.exp()
            }
        }
    }

    /// The conditional mean of the next period.
    #[must_use]
    pub fn next_mean(&self, s: &State) -> f64 {
        match self.model.mean {
            Mean::Zero => 0.0,
            Mean::Constant => self.params[0],
            Mean::Ar1 => self.params[0] + self.params[1] * s.last_y,
        }
    }

    /// One period: draws σ², applies innovation `z`, updates the state and returns the value.
    pub fn step(&self, s: &mut State, z: f64) -> f64 {
        self.step_scaled(s, z, 1.0).0
    }

    /// One period with the variance multiplied by `multiplier` (a volatility regime); returns
    /// the value and the standard deviation used. The model's own variance stays in the state
    /// (a regime does not compound through the recursion); the larger residual feeds it, so
    /// the regime leaves the clustering the model implies.
    pub fn step_scaled(&self, s: &mut State, z: f64, multiplier: f64) -> (f64, f64) {
        let s2 = self.next_variance(s);
        let sd = (s2 * multiplier).sqrt();
        let e = sd * z;
        let y = self.next_mean(s) + e;
        push(&mut s.resid, e);
        push(&mut s.variance, s2);
        s.last_y = y;
        (y, sd)
    }

    /// For a constant-mean GARCH(1,1) (no leverage), its parameters `(μ, ω, α, β)` — what a
    /// fused simulation loop needs; `None` for other models.
    #[must_use]
    pub fn garch11(&self) -> Option<[f64; 4]> {
        match (self.model.mean, self.model.vol) {
            (Mean::Constant, Vol::Garch { p: 1, o: 0, q: 1 }) if self.model.exog.is_empty() => {
                Some([
                    self.params[0],
                    self.params[1],
                    self.params[2],
                    self.params[3],
                ])
            }
            _ => None,
        }
    }

    /// A standardised innovation (mean 0, variance 1).
    pub fn draw(&self, rng: &mut impl Rng, how: &Innovations) -> f64 {
        if *how == Innovations::Bootstrap && !self.std_resid.is_empty() {
            return self.std_resid[rng.random_range(0..self.std_resid.len())];
        }
        let shape = &self.params[self.model.num_mean() + self.model.vol.num_params()..];
        match self.model.dist {
            Dist::Normal => rng.sample(StandardNormal),
            Dist::StudentsT => {
                let nu = shape[0];
                // t_ν = N / √(χ²_ν / ν), scaled to unit variance.
                let n: f64 = rng.sample(StandardNormal);
                let chi = self.gamma.as_ref().map_or(nu, |g| g.sample(rng));
                n / (chi / nu).sqrt() * ((nu - 2.0) / nu).sqrt()
            }
            Dist::SkewT => {
                let (eta, lam) = (shape[0], shape[1]);
                let u: f64 = rng.random();
                skewt_ppf(u, eta, lam, self.t_dist.as_ref())
            }
            Dist::Ged => {
                let nu = shape[0];
                let g = self.gamma.as_ref().map_or(1.0, |d| d.sample(rng));
                let sign = if rng.random::<bool>() { 1.0 } else { -1.0 };
                let scale = (ln_gamma(3.0 / nu) - ln_gamma(1.0 / nu)).exp().sqrt();
                sign * g.powf(1.0 / nu) / scale
            }
        }
    }

    /// The fast sampler of this simulator's innovations (see [`FastDraws`]): a table of the
    /// inverse CDF for a normal, Student's t or GED, built once (a few milliseconds);
    /// inversion of the skewed t's quantile function; or bootstrap indices.
    ///
    /// # Errors
    ///
    /// A shape the table cannot be built for (Student's t with ν ≤ 2 has no unit-variance
    /// standardisation).
    pub fn fast_draws(&self, how: &Innovations) -> Result<FastDraws, VolError> {
        self.fast_draws_cached(how, &mut TableCache::default())
    }

    /// [`Simulator::fast_draws`], taking a table from `cache` when one of the same
    /// distribution was built before (and keeping a new one there): simulators refitted
    /// with the same shape, or sharing one fit, share one table.
    ///
    /// # Errors
    ///
    /// As [`Simulator::fast_draws`].
    pub fn fast_draws_cached(
        &self,
        how: &Innovations,
        cache: &mut TableCache,
    ) -> Result<FastDraws, VolError> {
        if *how == Innovations::Bootstrap && !self.std_resid.is_empty() {
            return Ok(FastDraws(Fast::Bootstrap(self.std_resid.clone())));
        }
        let shape = &self.params[self.model.num_mean() + self.model.vol.num_params()..];
        let table = match self.model.dist {
            Dist::Normal => cache.get(Symmetric::Normal, 1.0)?,
            Dist::StudentsT => {
                let nu = shape[0];
                cache.get(Symmetric::StudentsT { nu }, ((nu - 2.0) / nu).sqrt())?
            }
            Dist::Ged => cache.get(Symmetric::Ged { nu: shape[0] }, 1.0)?,
            Dist::SkewT => {
                return Ok(FastDraws(Fast::SkewT {
                    eta: shape[0],
                    lam: shape[1],
                    t: self.t_dist,
                }));
            }
        };
        Ok(FastDraws(Fast::Table(table)))
    }

    /// `paths` simulated paths of `horizon` values. Path `i` uses its own ChaCha8 stream
    /// (seed, stream `i`), so results do not depend on how paths are split across threads.
    #[must_use]
    pub fn simulate(
        &self,
        horizon: usize,
        paths: usize,
        seed: u64,
        how: &Innovations,
    ) -> Vec<Vec<f64>> {
        (0..paths)
            .map(|i| {
                let mut rng = path_rng(seed, i as u64);
                let mut s = self.initial_state();
                (0..horizon)
                    .map(|_| {
                        let z = self.draw(&mut rng, how);
                        self.step(&mut s, z)
                    })
                    .collect()
            })
            .collect()
    }

    /// Variance forecasts for horizons 1..=`horizon`: analytic for constant, EWMA, GARCH and
    /// HAR processes (`arch`'s recursions, with `E[1(ε < 0)] = ½`; HAR's with each future
    /// squared residual replaced by its forecast variance, floored); for EGARCH, the mean of
    /// simulated variances over `paths` paths from `seed`.
    #[must_use]
    pub fn forecast(&self, horizon: usize, paths: usize, seed: u64) -> Forecast {
        let s = self.initial_state();
        if let Some((b, floor)) = &self.har {
            // √σ² as a residual squares back to σ² (up to rounding).
            let mut resid = s.resid;
            let mut out = Vec::with_capacity(horizon);
            for _ in 0..horizon {
                let x = har_raw(b, &resid).max(*floor);
                out.push(x);
                resid.push(x.sqrt());
            }
            return Forecast {
                variance: out,
                method: "analytic",
            };
        }
        let first = self.next_variance(&s);
        let v = self.vol_params();
        match self.model.vol {
            Vol::Constant | Vol::Ewma { .. } => Forecast {
                variance: vec![first; horizon],
                method: "analytic",
            },
            Vol::Garch { p, o, q } => {
                let mut e2: Vec<f64> = s.resid.iter().map(|e| e * e).collect();
                let mut neg: Vec<f64> = s
                    .resid
                    .iter()
                    .map(|e| if *e < 0.0 { e * e } else { 0.0 })
                    .collect();
                let mut h = s.variance.clone();
                let mut out = Vec::with_capacity(horizon);
                for _ in 0..horizon {
                    let n = h.len();
                    let mut x = v[0];
                    for i in 1..=p {
                        x += v[i] * e2[e2.len() - i];
                    }
                    for i in 1..=o {
                        x += v[p + i] * neg[neg.len() - i];
                    }
                    for j in 1..=q {
                        x += v[p + o + j] * h[n - j];
                    }
                    out.push(x);
                    // Future shocks are replaced by their expectations.
                    e2.push(x);
                    neg.push(0.5 * x);
                    h.push(x);
                }
                Forecast {
                    variance: out,
                    method: "analytic",
                }
            }
            Vol::Egarch { .. } => {
                let mut acc = vec![0.0; horizon];
                for i in 0..paths.max(1) {
                    let mut rng = path_rng(seed, i as u64);
                    let mut st = self.initial_state();
                    for a in acc.iter_mut() {
                        *a += self.next_variance(&st);
                        let z = self.draw(&mut rng, &Innovations::Parametric);
                        self.step(&mut st, z);
                    }
                }
                let n = paths.max(1) as f64;
                let mut variance: Vec<f64> = acc.into_iter().map(|a| a / n).collect();
                if let Some(v0) = variance.first_mut() {
                    *v0 = first;
                }
                Forecast {
                    variance,
                    method: "simulation",
                }
            }
        }
    }
}

/// Tables of inverse CDFs built so far, by distribution and scale (bit for bit).
#[derive(Clone, Debug, Default)]
pub struct TableCache(Vec<Arc<Table>>);

impl TableCache {
    /// The table of `scale · X`, `X ~ dist`: the one built before, or a new one kept here.
    ///
    /// # Errors
    ///
    /// As [`Table::new`].
    pub fn get(&mut self, dist: Symmetric, scale: f64) -> Result<Arc<Table>, VolError> {
        let same = |t: &Table| {
            t.scale().to_bits() == scale.to_bits()
                && match (t.dist(), dist) {
                    (Symmetric::StudentsT { nu: a }, Symmetric::StudentsT { nu: b })
                    | (Symmetric::Ged { nu: a }, Symmetric::Ged { nu: b }) => {
                        a.to_bits() == b.to_bits()
                    }
                    (Symmetric::Normal, Symmetric::Normal) => true,
                    _ => false,
                }
        };
        if let Some(t) = self.0.iter().find(|t| same(t)) {
            return Ok(Arc::clone(t));
        }
        let t = Arc::new(Table::new(dist, scale)?);
        self.0.push(Arc::clone(&t));
        Ok(t)
    }

    /// Tables built.
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether none was built.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Innovations of a [`Simulator`] for the fast sampler: each draw takes one 64-bit word of a
/// path's xoshiro256++ stream ([`crate::fast_rng`], [`crate::LaneRng`]).
#[derive(Clone, Debug)]
pub struct FastDraws(Fast);

#[derive(Clone, Debug)]
enum Fast {
    Table(Arc<Table>),
    SkewT {
        eta: f64,
        lam: f64,
        t: Option<StudentsT>,
    },
    Bootstrap(Vec<f64>),
}

impl FastDraws {
    /// The standard normal's.
    ///
    /// # Errors
    ///
    /// None in practice (the normal's table always builds).
    pub fn normal() -> Result<Self, VolError> {
        Ok(Self(Fast::Table(Arc::new(Table::new(
            Symmetric::Normal,
            1.0,
        )?))))
    }

    /// Draws from a table (for example one from a [`TableCache`]).
    #[must_use]
    pub fn from_table(table: Arc<Table>) -> Self {
        Self(Fast::Table(table))
    }

    /// The table, for a symmetric parametric distribution (what the lane loop of a Monte
    /// Carlo engine draws from).
    #[must_use]
    pub fn table(&self) -> Option<&Table> {
        match &self.0 {
            Fast::Table(t) => Some(t),
            _ => None,
        }
    }

    /// The draw word `u` gives.
    #[inline]
    #[must_use]
    pub fn from_word(&self, u: u64) -> f64 {
        match &self.0 {
            Fast::Table(t) => t.sample(u),
            Fast::SkewT { eta, lam, t } => {
                // 53 bits, centred in their cell: u in (0, 1).
                let p = ((u >> 11) as f64 + 0.5) * (-53f64).exp2();
                skewt_ppf(p, *eta, *lam, t.as_ref())
            }
            Fast::Bootstrap(z) => {
                // Lemire's multiply: an index in 0..len from the word's high bits.
                let i = ((u128::from(u) * z.len() as u128) >> 64) as usize;
                z.get(i).copied().unwrap_or(0.0)
            }
        }
    }

    /// The next draw of a path's stream.
    #[inline]
    pub fn draw(&self, rng: &mut Xoshiro256PlusPlus) -> f64 {
        self.from_word(rng.next_u64())
    }
}

fn push(v: &mut Vec<f64>, x: f64) {
    if v.len() >= LAGS {
        v.remove(0);
    }
    v.push(x);
}

/// The generator of path `path` under `seed`: ChaCha8 with the path as its stream.
#[must_use]
pub fn path_rng(seed: u64, path: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(path);
    rng
}

/// Quantile function of Hansen's standardised skewed t (as `arch`'s `SkewStudent.ppf`).
fn skewt_ppf(u: f64, eta: f64, lam: f64, t: Option<&StudentsT>) -> f64 {
    let Some(t) = t else { return 0.0 };
    let c = ln_gamma((eta + 1.0) / 2.0)
        - ln_gamma(eta / 2.0)
        - (std::f64::consts::PI * (eta - 2.0)).ln() / 2.0;
    let a = 4.0 * lam * c.exp() * (eta - 2.0) / (eta - 1.0);
    let b = (1.0 + 3.0 * lam * lam - a * a).sqrt();
    let cut = (1.0 - lam) / 2.0;
    let q = if u < cut {
        t.inverse_cdf(u / (1.0 - lam))
    } else {
        t.inverse_cdf(0.5 + (u - cut) / (1.0 + lam))
    };
    let sign = if u < cut {
        -1.0
    } else if u > cut {
        1.0
    } else {
        0.0
    };
    (q * (1.0 + sign * lam) * (1.0 - 2.0 / eta).sqrt() - a) / b
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FitOptions;

    /// A fitted GARCH(1,1)-t on a seed series, to continue from.
    fn start(params: &[f64]) -> (ArchModel, FitResult, Vec<f64>) {
        let m = ArchModel::new(
            Mean::Constant,
            Vol::Garch { p: 1, o: 0, q: 1 },
            Dist::StudentsT,
        );
        let seed: Vec<f64> = (0..200).map(|t| f64::from(t % 7) / 3.0 - 1.0).collect();
        let fit = m.fix(&seed, params).unwrap();
        (m, fit, seed)
    }

    #[test]
    fn simulate_then_fit_recovers_parameters() {
        let truth = [0.05, 0.02, 0.08, 0.9, 6.0];
        let (m, fit, seed) = start(&truth);
        let sim = Simulator::new(&m, &fit, &seed).unwrap();
        let y = sim
            .simulate(8000, 1, 42, &Innovations::Parametric)
            .remove(0);
        let refit = m.fit(&y, &FitOptions::default()).unwrap();
        for (i, t) in truth.iter().enumerate() {
            assert!(
                (refit.params[i] - t).abs() <= 4.0 * refit.std_err[i],
                "{}: {} vs {t}",
                refit.names[i],
                refit.params[i]
            );
        }
    }

    #[test]
    fn paths_depend_on_seed_and_path_only() {
        let (m, fit, seed) = start(&[0.05, 0.02, 0.08, 0.9, 6.0]);
        let sim = Simulator::new(&m, &fit, &seed).unwrap();
        let all = sim.simulate(20, 4, 7, &Innovations::Parametric);
        assert_eq!(all, sim.simulate(20, 4, 7, &Innovations::Parametric));
        // Path 2 alone, drawn from its own stream, equals path 2 of the batch.
        let mut rng = path_rng(7, 2);
        let mut s = sim.initial_state();
        let alone: Vec<f64> = (0..20)
            .map(|_| {
                let z = sim.draw(&mut rng, &Innovations::Parametric);
                sim.step(&mut s, z)
            })
            .collect();
        assert_eq!(alone, all[2]);
        assert_ne!(all[0], sim.simulate(20, 1, 8, &Innovations::Parametric)[0]);
        // Filtered historical simulation draws only the fit's standardised residuals.
        let mut rng = path_rng(1, 0);
        for _ in 0..50 {
            let z = sim.draw(&mut rng, &Innovations::Bootstrap);
            assert!(fit.std_resid.contains(&z));
        }
    }

    #[test]
    fn a_regime_scales_variance_without_compounding() {
        let (m, fit, seed) = start(&[0.0, 0.02, 0.08, 0.9, 6.0]);
        let sim = Simulator::new(&m, &fit, &seed).unwrap();
        let mut s = sim.initial_state();
        // With z = 0 there is no residual: the model's variance follows ω + β σ², whatever the
        // multiplier, and the regime only scales each day's standard deviation.
        let mut plain = sim.initial_state();
        for _ in 0..50 {
            let (_, sd) = sim.step_scaled(&mut s, 0.0, 4.0);
            let (_, sd_plain) = sim.step_scaled(&mut plain, 0.0, 1.0);
            assert!((sd - 2.0 * sd_plain).abs() < 1e-12);
        }
    }

    #[test]
    fn innovations_have_unit_variance() {
        for (dist, shape) in [
            (Dist::StudentsT, vec![5.0]),
            (Dist::SkewT, vec![6.0, -0.3]),
            (Dist::Ged, vec![1.3]),
            (Dist::Normal, vec![]),
        ] {
            let m = ArchModel::new(Mean::Zero, Vol::Constant, dist);
            let data: Vec<f64> = (0..200).map(|t| f64::from(t % 5) - 2.0).collect();
            let mut params = vec![1.0];
            params.extend(shape);
            let fit = m.fix(&data, &params).unwrap();
            let sim = Simulator::new(&m, &fit, &data).unwrap();
            let mut rng = path_rng(3, 0);
            let n = 200_000;
            let draws: Vec<f64> = (0..n)
                .map(|_| sim.draw(&mut rng, &Innovations::Parametric))
                .collect();
            let mean = draws.iter().sum::<f64>() / n as f64;
            let var = draws.iter().map(|z| (z - mean).powi(2)).sum::<f64>() / n as f64;
            // Standard error of a sample variance of 200,000 draws is below 0.01 for these
            // tails; 0.04 leaves room for the heavy-tailed t(5).
            assert!(
                mean.abs() < 0.02 && (var - 1.0).abs() < 0.04,
                "{dist}: mean {mean}, var {var}"
            );
        }
    }
}
