//! Fused simulation loops: HAR and GARCH(1,1) paths that keep just what their next step
//! needs (a ring of squared residuals with running sums; the last residual and variance)
//! instead of the general simulator's growing state. Their naive twin is
//! [`Simulator::step_scaled`]: GARCH(1,1) agrees with it to the bit, HAR to rounding.

use crate::{HAR_DAYS, HAR_LAGS, Simulator, State};

/// One simulated HAR path: the last [`HAR_LAGS`] squared residuals in a ring, and running sums
/// of the last 5 and 22 of them, so that a step costs the same whatever the lags.
///
/// The running sums are updated by adding the newest square and subtracting the one that
/// leaves, so after the first step they differ from [`Simulator::step`]'s fresh sums by
/// rounding (a few ulps of the largest square in the window).
pub struct HarPath {
    mu: f64,
    b: [f64; 4],
    floor: f64,
    /// Squared residuals; `next` is the slot of the oldest, which the next square replaces.
    sq: [f64; HAR_LAGS],
    next: usize,
    week: f64,
    month: f64,
}

impl HarPath {
    /// A path continuing `sim` after its last observation; `None` when `sim` is not HAR.
    pub fn new(sim: &Simulator) -> Option<Self> {
        let (mu, b, floor) = sim.har()?;
        let state = sim.initial_state();
        let resid = &state.resid[state.resid.len().checked_sub(HAR_LAGS)?..];
        let mut sq = [0.0; HAR_LAGS];
        for (s, e) in sq.iter_mut().zip(resid) {
            *s = e * e;
        }
        // Summed oldest to newest, as the recursion in aurum-vol does: the first step is
        // the same number to the bit.
        let week = sq[HAR_LAGS - HAR_DAYS[1]..].iter().sum();
        let month = sq.iter().sum();
        Some(Self {
            mu,
            b,
            floor,
            sq,
            next: 0,
            week,
            month,
        })
    }

    /// One day with standardised innovation `z`: the return (the model's own mean plus the
    /// residual).
    #[inline]
    pub fn step(&mut self, z: f64) -> f64 {
        self.step_scaled(z, 1.0).0
    }

    /// One day with its variance times `multiplier` (a volatility regime), as
    /// [`Simulator::step_scaled`]: the return and the standard deviation used; the larger
    /// residual feeds the sums.
    #[inline]
    pub fn step_scaled(&mut self, z: f64, multiplier: f64) -> (f64, f64) {
        // The slot `back` days ago, by a compare instead of a division by 22.
        let slot = |back: usize| {
            let i = self.next + HAR_LAGS - back;
            if i >= HAR_LAGS { i - HAR_LAGS } else { i }
        };
        let b = &self.b;
        let s2 = (b[0]
            + b[1] * self.sq[slot(1)]
            + b[2] * (self.week / HAR_DAYS[1] as f64)
            + b[3] * (self.month / HAR_DAYS[2] as f64))
            .max(self.floor);
        let sd = (s2 * multiplier).sqrt();
        let e = sd * z;
        let e2 = e * e;
        self.week += e2 - self.sq[slot(HAR_DAYS[1])];
        self.month += e2 - self.sq[self.next];
        self.sq[self.next] = e2;
        self.next = if self.next + 1 == HAR_LAGS {
            0
        } else {
            self.next + 1
        };
        (self.mu + e, sd)
    }
}

/// One simulated GARCH(1,1) path.
pub struct GarchPath {
    mu: f64,
    omega: f64,
    alpha: f64,
    beta: f64,
    e_last: f64,
    s2_last: f64,
}

impl GarchPath {
    /// A path continuing `sim` after its last observation; `None` when `sim` is not a
    /// constant-mean GARCH(1,1).
    pub fn new(sim: &Simulator) -> Option<Self> {
        let [mu, omega, alpha, beta] = sim.garch11()?;
        let state = sim.initial_state();
        Some(Self {
            mu,
            omega,
            alpha,
            beta,
            e_last: *state.resid.last()?,
            s2_last: *state.variance.last()?,
        })
    }

    /// One day with standardised innovation `z`: the return (the model's mean plus the
    /// residual).
    #[inline]
    pub fn step(&mut self, z: f64) -> f64 {
        self.step_scaled(z, 1.0).0
    }

    /// One day with its variance times `multiplier`, as [`Simulator::step_scaled`]: the
    /// same operations in the same order as the general recursion; the return and the
    /// standard deviation used.
    #[inline]
    pub fn step_scaled(&mut self, z: f64, multiplier: f64) -> (f64, f64) {
        let mut s2 = self.omega;
        s2 += self.alpha * self.e_last * self.e_last;
        s2 += self.beta * self.s2_last;
        let sd = (s2 * multiplier).sqrt();
        let e = sd * z;
        self.e_last = e;
        self.s2_last = s2;
        (self.mu + e, sd)
    }
}

/// A path of a fitted model as the Monte Carlo engines step it: its fused loop where it has
/// one (GARCH(1,1), HAR), else the general simulator's state.
pub enum ModelPath {
    /// GARCH(1,1) with a constant mean.
    Garch(GarchPath),
    /// HAR.
    Har(HarPath),
    /// Any other model.
    General(State),
}

impl ModelPath {
    /// A path continuing `sim` after its last observation.
    #[must_use]
    pub fn new(sim: &Simulator) -> Self {
        match (GarchPath::new(sim), HarPath::new(sim)) {
            (Some(g), _) => Self::Garch(g),
            (None, Some(h)) => Self::Har(h),
            (None, None) => Self::General(sim.initial_state()),
        }
    }

    /// One day of `sim` with innovation `z` and the variance times `multiplier`: the return
    /// and the standard deviation used, as [`Simulator::step_scaled`].
    #[inline]
    pub fn step_scaled(&mut self, sim: &Simulator, z: f64, multiplier: f64) -> (f64, f64) {
        match self {
            Self::Garch(g) => g.step_scaled(z, multiplier),
            Self::Har(h) => h.step_scaled(z, multiplier),
            Self::General(s) => sim.step_scaled(s, z, multiplier),
        }
    }

    /// One day with innovation `z`: the return, as [`Simulator::step`].
    #[inline]
    pub fn step(&mut self, sim: &Simulator, z: f64) -> f64 {
        self.step_scaled(sim, z, 1.0).0
    }
}

#[cfg(test)]
mod har_tests {
    use crate::{HarFit, Innovations, path_rng};

    use super::*;

    /// Percent returns with volatility clusters: calm and wild stretches of 60 days.
    fn returns(n: usize) -> Vec<f64> {
        let mut rng = path_rng(5, 0);
        (0..n)
            .map(|t| {
                let z: f64 = rand::Rng::sample(&mut rng, rand_distr::StandardNormal);
                z * if (t / 60) % 3 == 0 { 2.5 } else { 0.7 }
            })
            .collect()
    }

    #[test]
    fn the_fused_loop_follows_the_general_simulator() {
        let y = returns(1500);
        let sim = Simulator::from_har(&HarFit::fit(&y).unwrap(), &y).unwrap();
        let mut worst: f64 = 0.0;
        for p in 0..200 {
            let mut rng_a = path_rng(9, p);
            let mut rng_b = path_rng(9, p);
            let mut fused = HarPath::new(&sim).unwrap();
            let mut state = sim.initial_state();
            for day in 0..252 {
                let za = sim.draw(&mut rng_a, &Innovations::Bootstrap);
                let zb = sim.draw(&mut rng_b, &Innovations::Bootstrap);
                assert_eq!(za.to_bits(), zb.to_bits());
                let (a, b) = (fused.step(za), sim.step(&mut state, zb));
                if day == 0 {
                    // The same sums in the same order.
                    assert_eq!(a.to_bits(), b.to_bits(), "path {p}");
                }
                worst = worst.max((a - b).abs() / b.abs().max(1.0));
            }
        }
        // Running sums drift from fresh ones by rounding only.
        assert!(worst < 1e-12, "{worst}");
    }

    #[test]
    fn both_loops_floor_the_variance() {
        // Isolated spikes on calm noise, never two within 8 days: the variance anti-persists,
        // the weekly and monthly coefficients come out negative, and after a spike the
        // recursion goes below zero.
        let mut rng = path_rng(3, 0);
        let mut y: Vec<f64> = (0..800)
            .map(|_| 0.05 * rand::Rng::sample::<f64, _>(&mut rng, rand_distr::StandardNormal))
            .collect();
        let mut t = 25;
        while t < y.len() {
            y[t] = if t % 2 == 0 { 8.0 } else { -8.0 };
            t += 8 + (t * 7919) % 31;
        }
        let fit = HarFit::fit(&y).unwrap();
        assert!(
            fit.params[2] < 0.0 && fit.params[3] < 0.0,
            "{:?}",
            fit.params
        );
        assert!(fit.floored > 0);
        let sim = Simulator::from_har(&fit, &y).unwrap();
        let (mu, _, floor) = sim.har().unwrap();
        let mut fused = HarPath::new(&sim).unwrap();
        let mut state = sim.initial_state();
        // A spike of 30 standard deviations, then a unit innovation: its residual is the
        // standard deviation the recursion gave, which must be the floor's.
        fused.step(30.0);
        sim.step(&mut state, 30.0);
        let (a, b) = (fused.step(1.0) - mu, sim.step(&mut state, 1.0) - mu);
        assert_eq!(a, floor.sqrt());
        assert_eq!(b, floor.sqrt());
    }

    #[test]
    fn only_har_has_a_fused_loop() {
        use crate::{ArchModel, Dist, FitOptions, Mean, Vol};
        let y = returns(800);
        let m = ArchModel::new(
            Mean::Constant,
            Vol::Garch { p: 1, o: 0, q: 1 },
            Dist::Normal,
        );
        let fit = m.fit(&y, &FitOptions::default()).unwrap();
        assert!(HarPath::new(&Simulator::new(&m, &fit, &y).unwrap()).is_none());
    }
}

#[cfg(test)]
mod scaled_tests {
    use crate::{ArchModel, Dist, FitOptions, HarFit, Mean, Vol, path_rng};

    use super::*;

    /// Volatility regimes (multipliers of 1, 1.5 and 3) step the fused loops as they step
    /// the general simulator: GARCH to the bit, HAR to rounding.
    #[test]
    fn regimes_scale_the_fused_loops_as_the_general_simulator() {
        let mut rng = path_rng(8, 0);
        let y: Vec<f64> = (0..1500)
            .map(|t| {
                let z: f64 = rand::Rng::sample(&mut rng, rand_distr::StandardNormal);
                z * if (t / 40) % 3 == 0 { 2.2 } else { 0.6 }
            })
            .collect();
        let garch = ArchModel::new(
            Mean::Constant,
            Vol::Garch { p: 1, o: 0, q: 1 },
            Dist::StudentsT,
        );
        let g =
            Simulator::new(&garch, &garch.fit(&y, &FitOptions::default()).unwrap(), &y).unwrap();
        let h = Simulator::from_har(&HarFit::fit(&y).unwrap(), &y).unwrap();
        let (mut gp, mut gs) = (GarchPath::new(&g).unwrap(), g.initial_state());
        let (mut hp, mut hs) = (HarPath::new(&h).unwrap(), h.initial_state());
        // The engines' paths: the fused loop for each, the general simulator for GJR.
        let gjr = ArchModel::new(
            Mean::Constant,
            Vol::Garch { p: 1, o: 1, q: 1 },
            Dist::StudentsT,
        );
        let j = Simulator::new(&gjr, &gjr.fit(&y, &FitOptions::default()).unwrap(), &y).unwrap();
        let mut paths = [ModelPath::new(&g), ModelPath::new(&h), ModelPath::new(&j)];
        assert!(matches!(
            paths,
            [
                ModelPath::Garch(_),
                ModelPath::Har(_),
                ModelPath::General(_)
            ]
        ));
        let mut js = j.initial_state();
        let mut rng = path_rng(8, 1);
        for day in 0..300 {
            let z: f64 = rand::Rng::sample(&mut rng, rand_distr::StandardNormal);
            let m = [1.0, 1.5, 3.0][day % 3];
            let (a, b) = (gp.step_scaled(z, m), g.step_scaled(&mut gs, z, m));
            assert_eq!(
                (a.0.to_bits(), a.1.to_bits()),
                (b.0.to_bits(), b.1.to_bits())
            );
            assert_eq!(paths[0].step_scaled(&g, z, m), a);
            let gj = j.step_scaled(&mut js, z, m);
            assert_eq!(paths[2].step_scaled(&j, z, m), gj);
            let (a, b) = (hp.step_scaled(z, m), h.step_scaled(&mut hs, z, m));
            assert_eq!(paths[1].step_scaled(&h, z, m), a);
            assert!(
                (a.0 - b.0).abs() < 1e-12 * b.0.abs().max(1.0),
                "{a:?} {b:?}"
            );
            assert!(
                (a.1 - b.1).abs() < 1e-12 * b.1.abs().max(1.0),
                "{a:?} {b:?}"
            );
        }
    }
}

#[cfg(test)]
mod garch_tests {
    use crate::{ArchModel, Dist, FitOptions, Innovations, Mean, Vol, path_rng};

    use super::*;

    #[test]
    fn the_fused_loop_is_the_general_simulator_to_the_bit() {
        let mut rng = path_rng(4, 0);
        let y: Vec<f64> = (0..1500)
            .map(|t| {
                let z: f64 = rand::Rng::sample(&mut rng, rand_distr::StandardNormal);
                z * if (t / 50) % 3 == 0 { 2.0 } else { 0.8 }
            })
            .collect();
        let model = ArchModel::new(
            Mean::Constant,
            Vol::Garch { p: 1, o: 0, q: 1 },
            Dist::StudentsT,
        );
        let fit = model.fit(&y, &FitOptions::default()).unwrap();
        let sim = Simulator::new(&model, &fit, &y).unwrap();
        for how in [Innovations::Parametric, Innovations::Bootstrap] {
            for p in 0..50 {
                let (mut rng_a, mut rng_b) = (path_rng(9, p), path_rng(9, p));
                let mut fused = GarchPath::new(&sim).unwrap();
                let mut state = sim.initial_state();
                for _ in 0..252 {
                    let (za, zb) = (sim.draw(&mut rng_a, &how), sim.draw(&mut rng_b, &how));
                    let (a, b) = (fused.step(za), sim.step(&mut state, zb));
                    assert_eq!(a.to_bits(), b.to_bits(), "path {p}");
                }
            }
        }
        // Not for other models.
        let gjr = ArchModel::new(
            Mean::Constant,
            Vol::Garch { p: 1, o: 1, q: 1 },
            Dist::StudentsT,
        );
        let fit = gjr.fit(&y, &FitOptions::default()).unwrap();
        let sim = Simulator::new(&gjr, &fit, &y).unwrap();
        assert!(GarchPath::new(&sim).is_none());
    }
}
