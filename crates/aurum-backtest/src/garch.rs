//! The fused simulation loop of GARCH(1,1) with a constant mean: the last residual and
//! variance in registers instead of the general simulator's growing state. Its naive twin is
//! [`Simulator::step`]; they agree to the bit.

use aurum_vol::Simulator;

/// One simulated GARCH(1,1) path.
pub(crate) struct GarchPath {
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
    pub(crate) fn new(sim: &Simulator) -> Option<Self> {
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
    /// residual). The same operations in the same order as the general recursion.
    pub(crate) fn step(&mut self, z: f64) -> f64 {
        let mut s2 = self.omega;
        s2 += self.alpha * self.e_last * self.e_last;
        s2 += self.beta * self.s2_last;
        let e = (s2 * 1.0).sqrt() * z;
        self.e_last = e;
        self.s2_last = s2;
        self.mu + e
    }
}

#[cfg(test)]
mod tests {
    use aurum_vol::{ArchModel, Dist, FitOptions, Innovations, Mean, Vol, path_rng};

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
