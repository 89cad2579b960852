//! The Monte Carlo engine and its running statistics.

use std::collections::HashMap;

use aurum_core::Date;
use aurum_vol::{Innovations, Simulator, path_rng};
use rand::Rng;
use rand_distr::StandardNormal;
use rayon::prelude::*;
use serde::Serialize;

use crate::{Scenario, Shock, SimError};

/// Paths simulated together; blocks are merged in order, so results do not depend on the
/// number of threads.
const BLOCK: usize = 2048;
/// Histogram of log(S_t / S_0): bins of 0.002 over [−3, 3] (prices from ×0.05 to ×20).
const BIN: f64 = 0.002;
const HALF_RANGE: f64 = 3.0;
const BINS: usize = (2.0 * HALF_RANGE / BIN) as usize + 2;
/// Broadie–Glasserman–Kou: a continuously monitored barrier is approximated by a discretely
/// monitored one shifted by β σ √Δt, β = −ζ(½)/√(2π).
const BGK_BETA: f64 = 0.582_597_157_939_010_6;
/// Scenario combinations are counted for trees of up to this many scenarios.
const MAX_COMBO: usize = 12;

/// The model of ordinary days.
#[derive(Clone, Debug)]
pub enum Base {
    /// Geometric Brownian motion: daily log drift and daily volatility (decimals).
    Gbm {
        /// Daily drift of the log price.
        mu: f64,
        /// Daily volatility of the log price.
        sigma: f64,
    },
    /// A fitted volatility model continued from its last observation; its returns are
    /// `scale` × log returns.
    Model {
        /// The fitted model.
        sim: Box<Simulator>,
        /// Scale of the model's returns (100 for percent).
        scale: f64,
    },
    /// Several models, each drawing its share of the paths: path `i` of `n` follows the
    /// member whose cumulative weight first reaches `(i + ½) / n` (stratified, so a seed
    /// gives the same paths at any thread count and shares are exact to one path).
    Mixture(Vec<Member>),
}

/// One model of a [`Base::Mixture`].
#[derive(Clone, Debug)]
pub struct Member {
    /// Its share of the paths (the weights are normalised).
    pub weight: f64,
    /// The model ([`Base::Gbm`] or [`Base::Model`]; a nested mixture is not drawn from).
    pub base: Base,
    /// Added to each of a model's returns, in its units: moves it from its own mean to
    /// another mean model's drift (GBM members carry their drift in `mu`).
    pub shift: f64,
    /// How a model's innovations are drawn (bootstrapped for filtered historical
    /// simulation).
    pub innovations: Innovations,
}

/// The model path `p` of `paths` follows, with its shift and innovations.
fn pick(base: &Base, p: usize, paths: usize) -> (&Base, f64, Innovations) {
    let Base::Mixture(members) = base else {
        return (base, 0.0, Innovations::Parametric);
    };
    let total: f64 = members.iter().map(|m| m.weight.max(0.0)).sum();
    let u = (p as f64 + 0.5) / paths.max(1) as f64 * total;
    let mut acc = 0.0;
    for m in members {
        acc += m.weight.max(0.0);
        if u <= acc && !matches!(m.base, Base::Mixture(_)) {
            return (&m.base, m.shift, m.innovations.clone());
        }
    }
    // Rounding at the top end: the last drawable member.
    members
        .iter()
        .rev()
        .find(|m| !matches!(m.base, Base::Mixture(_)))
        .map_or((base, 0.0, Innovations::Parametric), |m| {
            (&m.base, m.shift, m.innovations.clone())
        })
}

/// Everything a run needs.
#[derive(Clone, Debug)]
pub struct Setup {
    /// Price at `as_of`.
    pub s0: f64,
    /// Trading days simulated (after `as_of`, to the horizon).
    pub days: Vec<Date>,
    /// Ordinary days.
    pub base: Base,
    /// The tree, parents first.
    pub scenarios: Vec<Scenario>,
    /// Cumulative abnormal log returns by event category, for `analogs` shocks.
    pub analogs: HashMap<String, Vec<f64>>,
    /// Price levels.
    pub targets: Vec<f64>,
}

/// How many paths, from which seed, and which scenario (if any) to switch off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunOptions {
    /// Paths.
    pub paths: usize,
    /// Seed.
    pub seed: u64,
    /// Index of a scenario to switch off (common random numbers for its contribution).
    pub disabled: Option<usize>,
}

/// Price quantiles on one day.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FanPoint {
    /// Day.
    pub date: Date,
    /// 5%, 25%, 50%, 75%, 95% quantiles of the price.
    pub q05: f64,
    /// 25%.
    pub q25: f64,
    /// Median.
    pub q50: f64,
    /// 75%.
    pub q75: f64,
    /// 95%.
    pub q95: f64,
}

/// Probabilities for one target, each with its Monte Carlo standard error.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TargetResult {
    /// Price level.
    pub target: f64,
    /// P(close ≥ target on the horizon day).
    pub p_close_above: f64,
    /// Its standard error.
    pub p_close_above_se: f64,
    /// P(a daily close ≥ target before the horizon).
    pub p_touch: f64,
    /// Its standard error.
    pub p_touch_se: f64,
    /// P(the price touches the target at any moment), by the Broadie–Glasserman–Kou
    /// correction of daily monitoring.
    pub p_touch_continuous: f64,
    /// Its standard error.
    pub p_touch_continuous_se: f64,
    /// First-passage dates of the paths that touch: quartiles.
    pub first_passage: Option<FirstPassage>,
    /// By trading day: P(touched by then) and P(close ≥ target that day).
    pub by_day: Vec<TargetDay>,
}

/// A target's probabilities on one trading day of the horizon.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TargetDay {
    /// Day.
    pub date: Date,
    /// P(a daily close ≥ target on or before this day).
    pub p_touch: f64,
    /// P(the close of this day ≥ target).
    pub p_close_above: f64,
}

/// Quartiles of the first day a daily close reaches the target.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FirstPassage {
    /// 25%.
    pub q25: Date,
    /// Median.
    pub median: Date,
    /// 75%.
    pub q75: Date,
}

/// How often a scenario happened and what followed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScenarioResult {
    /// Scenario id.
    pub id: String,
    /// Share of paths in which it happened.
    pub p_happened: f64,
    /// Its standard error.
    pub p_happened_se: f64,
    /// P(touch each target | it happened).
    pub p_touch_given: Vec<f64>,
    /// P(close above each target | it happened).
    pub p_close_above_given: Vec<f64>,
}

/// One combination of scenarios that happened together.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Combination {
    /// Scenarios that happened (all others did not).
    pub scenarios: Vec<String>,
    /// Share of paths.
    pub share: f64,
    /// P(touch each target | this combination).
    pub p_touch_given: Vec<f64>,
}

/// A run's results.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Results {
    /// Paths simulated.
    pub paths: usize,
    /// Seed.
    pub seed: u64,
    /// Price quantiles by day.
    pub fan: Vec<FanPoint>,
    /// Per target.
    pub targets: Vec<TargetResult>,
    /// Per scenario.
    pub scenarios: Vec<ScenarioResult>,
    /// Combinations that occurred, most frequent first.
    pub combinations: Vec<Combination>,
    /// The price at the horizon: its 1st to 99th percentiles, ascending.
    pub horizon_percentiles: Vec<f64>,
    /// 5% value at risk of the horizon return, percent (a loss is positive).
    pub var_5: f64,
    /// 5% expected shortfall of the horizon return, percent.
    pub es_5: f64,
}

/// Monday-to-Friday days after `as_of` up to `horizon` (`Calendar::Weekdays`; scenario runs
/// use their series' own calendar).
#[must_use]
pub fn trading_days(as_of: Date, horizon: Date) -> Vec<Date> {
    aurum_core::Calendar::Weekdays.trading_days(as_of, horizon)
}

/// Running statistics of a block of paths.
#[derive(Clone)]
struct Accum {
    hist: Vec<Vec<u32>>,
    close: Vec<u64>,
    touch: Vec<u64>,
    touch_cont: Vec<u64>,
    first: Vec<Vec<u32>>,
    above: Vec<Vec<u32>>,
    happened: Vec<u64>,
    touch_given: Vec<Vec<u64>>,
    close_given: Vec<Vec<u64>>,
    combos: HashMap<u32, (u64, Vec<u64>)>,
}

impl Accum {
    fn new(days: usize, targets: usize, scenarios: usize) -> Self {
        Self {
            hist: vec![vec![0; BINS]; days],
            close: vec![0; targets],
            touch: vec![0; targets],
            touch_cont: vec![0; targets],
            first: vec![vec![0; days]; targets],
            above: vec![vec![0; days]; targets],
            happened: vec![0; scenarios],
            touch_given: vec![vec![0; targets]; scenarios],
            close_given: vec![vec![0; targets]; scenarios],
            combos: HashMap::new(),
        }
    }

    fn merge(&mut self, o: &Self) {
        for (a, b) in self.hist.iter_mut().zip(&o.hist) {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        let add = |a: &mut Vec<u64>, b: &Vec<u64>| a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        add(&mut self.close, &o.close);
        add(&mut self.touch, &o.touch);
        add(&mut self.touch_cont, &o.touch_cont);
        add(&mut self.happened, &o.happened);
        for (a, b) in self
            .first
            .iter_mut()
            .zip(&o.first)
            .chain(self.above.iter_mut().zip(&o.above))
        {
            a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        }
        for (a, b) in self.touch_given.iter_mut().zip(&o.touch_given) {
            add(a, b);
        }
        for (a, b) in self.close_given.iter_mut().zip(&o.close_given) {
            add(a, b);
        }
        for (k, (n, t)) in &o.combos {
            let e = self.combos.entry(*k).or_insert((0, vec![0; t.len()]));
            e.0 += n;
            add(&mut e.1, t);
        }
    }
}

fn bin(x: f64) -> usize {
    if x < -HALF_RANGE {
        0
    } else if x >= HALF_RANGE {
        BINS - 1
    } else {
        1 + ((x + HALF_RANGE) / BIN) as usize
    }
}

/// The q-quantile of a histogram of log(S/S0), interpolated within its bin.
fn hist_quantile(h: &[u32], total: u64, q: f64) -> f64 {
    let want = q * total as f64;
    let mut acc = 0.0;
    for (i, c) in h.iter().enumerate() {
        let next = acc + f64::from(*c);
        if next >= want && *c > 0 {
            let lo = if i == 0 {
                -HALF_RANGE
            } else {
                -HALF_RANGE + (i - 1) as f64 * BIN
            };
            let frac = ((want - acc) / f64::from(*c)).clamp(0.0, 1.0);
            return lo + frac * BIN;
        }
        acc = next;
    }
    HALF_RANGE
}

/// What the scenario draws of one path decided.
struct Events {
    mask: u32,
    happened: Vec<bool>,
    /// Log-return added on each day.
    shock: Vec<f64>,
    /// Variance multiplier on each day.
    var_mult: Vec<f64>,
}

fn draw_events(setup: &Setup, rng: &mut impl Rng, disabled: Option<usize>) -> Events {
    let n = setup.days.len();
    let k = setup.scenarios.len();
    let mut day_of: Vec<Option<usize>> = vec![None; k];
    let mut ev = Events {
        mask: 0,
        happened: vec![false; k],
        shock: vec![0.0; n],
        var_mult: vec![1.0; n],
    };
    let index: HashMap<&str, usize> = setup
        .scenarios
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    for (i, s) in setup.scenarios.iter().enumerate() {
        // Every scenario consumes the same draws whether or not it happens, so switching one
        // off leaves the others' draws unchanged (common random numbers).
        let (u_happen, u_time): (f64, f64) = (rng.random(), rng.random());
        let z: f64 = rng.sample(StandardNormal);
        let u_pick: f64 = rng.random();
        if disabled == Some(i) {
            continue;
        }
        let parents: Option<Vec<usize>> = s
            .requires
            .iter()
            .map(|r| day_of[index[r.as_str()]])
            .collect();
        let Some(parents) = parents else { continue };
        let excluded = s.excludes.iter().any(|x| ev.happened[index[x.as_str()]])
            || setup.scenarios[..i]
                .iter()
                .enumerate()
                .any(|(j, o)| ev.happened[j] && o.excludes.contains(&s.id));
        if excluded || u_happen >= s.probability {
            continue;
        }
        let (mut first, last) = match s.window {
            Some((a, b)) => (
                setup.days.partition_point(|d| *d < a),
                setup.days.partition_point(|d| *d <= b),
            ),
            None => (0, n),
        };
        if let Some(p) = parents.iter().max() {
            first = first.max(p + 1);
        }
        if first >= last {
            continue;
        }
        let day = first + ((u_time * (last - first) as f64) as usize).min(last - first - 1);
        day_of[i] = Some(day);
        ev.happened[i] = true;
        if i < 32 {
            ev.mask |= 1 << i;
        }
        let size = match &s.shock {
            Shock::None => 0.0,
            Shock::Fixed { pct } => (1.0 + pct / 100.0).ln(),
            Shock::Normal { mean_pct, sd_pct } => {
                (1.0 + ((mean_pct + sd_pct * z) / 100.0).max(-0.99)).ln()
            }
            Shock::Analogs { category } => setup
                .analogs
                .get(category)
                .filter(|c| !c.is_empty())
                .map_or(0.0, |c| {
                    c[((u_pick * c.len() as f64) as usize).min(c.len() - 1)]
                }),
        };
        let spread = s.spread_days.min(n - day);
        for d in day..day + spread {
            ev.shock[d] += size / spread as f64;
        }
        if let Some(r) = s.volatility {
            for d in day..(day + r.days).min(n) {
                ev.var_mult[d] *= r.multiplier * r.multiplier;
            }
        }
    }
    ev
}

fn run_block(setup: &Setup, opts: &RunOptions, first_path: usize, count: usize, acc: &mut Accum) {
    let n = setup.days.len();
    let k = setup.scenarios.len();
    let nt = setup.targets.len();
    let barriers: Vec<f64> = setup.targets.iter().map(|t| (t / setup.s0).ln()).collect();
    for p in first_path..first_path + count {
        let mut rng_s = path_rng(opts.seed, 2 * p as u64);
        let mut rng_z = path_rng(opts.seed, 2 * p as u64 + 1);
        let ev = draw_events(setup, &mut rng_s, opts.disabled);
        let mut x = 0.0;
        let mut touched = vec![false; nt];
        let mut touched_cont = vec![false; nt];
        let (base, shift, how) = pick(&setup.base, p, opts.paths);
        let mut state = match base {
            Base::Model { sim, .. } => Some(sim.initial_state()),
            Base::Gbm { .. } | Base::Mixture(_) => None,
        };
        // GARCH(1,1): the fused loop keeps the last residual and variance in registers; the
        // general simulator is its naive twin (tests assert they agree to the bit).
        let mut g11 = match (base, &state) {
            (Base::Model { sim, .. }, Some(st)) => sim.garch11().map(|p| {
                (
                    p,
                    st.resid[st.resid.len() - 1],
                    st.variance[st.variance.len() - 1],
                )
            }),
            _ => None,
        };
        for t in 0..n {
            let (r, sd) = match base {
                Base::Gbm { mu, sigma } => {
                    let z: f64 = rng_z.sample(StandardNormal);
                    let sd = sigma * ev.var_mult[t].sqrt();
                    (mu + sd * z, sd)
                }
                Base::Model { sim, scale } => {
                    let z = sim.draw(&mut rng_z, &how);
                    let (y, sd) = match g11.as_mut() {
                        Some(([mu, omega, alpha, beta], e_last, s2_last)) => {
                            let s2 = *omega + *alpha * *e_last * *e_last + *beta * *s2_last;
                            let sd = (s2 * ev.var_mult[t]).sqrt();
                            let e = sd * z;
                            *e_last = e;
                            *s2_last = s2;
                            (*mu + e, sd)
                        }
                        None => {
                            sim.step_scaled(state.as_mut().expect("model state"), z, ev.var_mult[t])
                        }
                    };
                    ((y + shift) / scale, sd / scale)
                }
                // `pick` draws a member; an empty mixture stands still.
                Base::Mixture(_) => (0.0, 0.0),
            };
            x += r + ev.shock[t];
            acc.hist[t][bin(x)] += 1;
            for (j, b) in barriers.iter().enumerate() {
                if x >= *b {
                    acc.above[j][t] += 1;
                    if !touched[j] {
                        touched[j] = true;
                        acc.first[j][t] += 1;
                    }
                }
                if !touched_cont[j] && x >= b - BGK_BETA * sd {
                    touched_cont[j] = true;
                }
            }
        }
        for (j, b) in barriers.iter().enumerate() {
            let close = x >= *b;
            acc.close[j] += u64::from(close);
            acc.touch[j] += u64::from(touched[j]);
            acc.touch_cont[j] += u64::from(touched_cont[j] || touched[j]);
            for (i, h) in ev.happened.iter().enumerate() {
                if *h {
                    acc.touch_given[i][j] += u64::from(touched[j]);
                    acc.close_given[i][j] += u64::from(close);
                }
            }
        }
        for (i, h) in ev.happened.iter().enumerate() {
            acc.happened[i] += u64::from(*h);
        }
        if k <= MAX_COMBO {
            let e = acc.combos.entry(ev.mask).or_insert((0, vec![0; nt]));
            e.0 += 1;
            for (j, t) in touched.iter().enumerate() {
                e.1[j] += u64::from(*t);
            }
        }
    }
}

/// Runs the simulation.
///
/// # Errors
///
/// No trading days, no paths, or a disabled index out of range.
pub fn simulate(setup: &Setup, opts: &RunOptions) -> Result<Results, SimError> {
    simulate_with_progress(setup, opts, &|_| {})
}

/// [`simulate`], calling `progress` with the number of paths of each block as it finishes
/// (from any thread), for a progress bar.
///
/// # Errors
///
/// As [`simulate`].
pub fn simulate_with_progress(
    setup: &Setup,
    opts: &RunOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Results, SimError> {
    let n = setup.days.len();
    if n == 0 {
        return Err(SimError::Settings(
            "no trading day between as_of and the horizon".into(),
        ));
    }
    if opts.paths == 0 {
        return Err(SimError::Settings("paths must be at least 1".into()));
    }
    if opts.disabled.is_some_and(|d| d >= setup.scenarios.len()) {
        return Err(SimError::Settings("disabled scenario out of range".into()));
    }
    let blocks: Vec<(usize, usize)> = (0..opts.paths)
        .step_by(BLOCK)
        .map(|s| (s, BLOCK.min(opts.paths - s)))
        .collect();
    // Each thread folds its blocks into one accumulator, so memory grows with threads, not
    // with paths. Every statistic is an integer count, so the merge order cannot change the
    // result: the same seed gives the same numbers at any thread count.
    let empty = || Accum::new(n, setup.targets.len(), setup.scenarios.len());
    let acc = blocks
        .par_iter()
        .fold(empty, |mut acc, &(s, c)| {
            run_block(setup, opts, s, c, &mut acc);
            progress(c as u64);
            acc
        })
        .reduce(empty, |mut a, b| {
            a.merge(&b);
            a
        });
    Ok(summarise(setup, opts, &acc))
}

fn summarise(setup: &Setup, opts: &RunOptions, acc: &Accum) -> Results {
    let total = opts.paths as u64;
    let nf = opts.paths as f64;
    let prob = |c: u64| c as f64 / nf;
    let se = |p: f64| (p * (1.0 - p) / nf).sqrt();
    let fan = setup
        .days
        .iter()
        .zip(&acc.hist)
        .map(|(d, h)| {
            let q = |p: f64| setup.s0 * hist_quantile(h, total, p).exp();
            FanPoint {
                date: *d,
                q05: q(0.05),
                q25: q(0.25),
                q50: q(0.5),
                q75: q(0.75),
                q95: q(0.95),
            }
        })
        .collect();
    let targets = setup
        .targets
        .iter()
        .enumerate()
        .map(|(j, t)| {
            let (pc, pt, ptc) = (
                prob(acc.close[j]),
                prob(acc.touch[j]),
                prob(acc.touch_cont[j]),
            );
            let hits: u64 = acc.first[j].iter().map(|c| u64::from(*c)).sum();
            let day_at = |q: f64| {
                let want = (q * hits as f64).ceil().max(1.0) as u64;
                let mut run = 0;
                for (i, c) in acc.first[j].iter().enumerate() {
                    run += u64::from(*c);
                    if run >= want {
                        return setup.days[i];
                    }
                }
                setup.days[setup.days.len() - 1]
            };
            TargetResult {
                target: *t,
                p_close_above: pc,
                p_close_above_se: se(pc),
                p_touch: pt,
                p_touch_se: se(pt),
                p_touch_continuous: ptc,
                p_touch_continuous_se: se(ptc),
                first_passage: (hits > 0).then(|| FirstPassage {
                    q25: day_at(0.25),
                    median: day_at(0.5),
                    q75: day_at(0.75),
                }),
                by_day: {
                    let mut run = 0u64;
                    setup
                        .days
                        .iter()
                        .enumerate()
                        .map(|(i, d)| {
                            run += u64::from(acc.first[j][i]);
                            TargetDay {
                                date: *d,
                                p_touch: prob(run),
                                p_close_above: prob(u64::from(acc.above[j][i])),
                            }
                        })
                        .collect()
                },
            }
        })
        .collect();
    let scenarios = setup
        .scenarios
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let h = acc.happened[i];
            let given = |c: &Vec<u64>| {
                c.iter()
                    .map(|x| {
                        if h > 0 {
                            *x as f64 / h as f64
                        } else {
                            f64::NAN
                        }
                    })
                    .collect()
            };
            ScenarioResult {
                id: s.id.clone(),
                p_happened: prob(h),
                p_happened_se: se(prob(h)),
                p_touch_given: given(&acc.touch_given[i]),
                p_close_above_given: given(&acc.close_given[i]),
            }
        })
        .collect();
    let mut combos: Vec<(&u32, &(u64, Vec<u64>))> = acc.combos.iter().collect();
    combos.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.0.cmp(b.0)));
    let combinations = combos
        .into_iter()
        .map(|(mask, (n, t))| Combination {
            scenarios: setup
                .scenarios
                .iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, s)| s.id.clone())
                .collect(),
            share: prob(*n),
            p_touch_given: t.iter().map(|x| *x as f64 / *n as f64).collect(),
        })
        .collect();
    // Horizon return distribution from the last day's histogram.
    let last = &acc.hist[acc.hist.len() - 1];
    let var_x = hist_quantile(last, total, 0.05);
    let mut tail = 0.0;
    let mut count = 0.0;
    for (i, c) in last.iter().enumerate() {
        let mid = if i == 0 {
            -HALF_RANGE
        } else {
            -HALF_RANGE + (i as f64 - 0.5) * BIN
        };
        if mid <= var_x && *c > 0 {
            tail += f64::from(*c) * (mid.exp() - 1.0);
            count += f64::from(*c);
        }
    }
    Results {
        paths: opts.paths,
        seed: opts.seed,
        fan,
        targets,
        scenarios,
        combinations,
        horizon_percentiles: (1..100)
            .map(|k| setup.s0 * hist_quantile(last, total, f64::from(k) / 100.0).exp())
            .collect(),
        var_5: -100.0 * (var_x.exp() - 1.0),
        es_5: if count > 0.0 {
            -100.0 * tail / count
        } else {
            f64::NAN
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aurum_vol::{ArchModel, Dist, Mean, Vol};

    /// The fused GARCH(1,1) step and the general simulator give the same numbers.
    #[test]
    fn fused_garch_step_matches_the_general_simulator() {
        let data: Vec<f64> = (0..400).map(|t| f64::from(t % 9) / 4.0 - 1.0).collect();
        let m = ArchModel::new(
            Mean::Constant,
            Vol::Garch { p: 1, o: 0, q: 1 },
            Dist::StudentsT,
        );
        let fit = m.fix(&data, &[0.02, 0.03, 0.07, 0.9, 5.5]).unwrap();
        let sim = Simulator::new(&m, &fit, &data).unwrap();
        let [mu, omega, alpha, beta] = sim.garch11().unwrap();
        let mut st = sim.initial_state();
        let (mut e_last, mut s2_last) = (
            st.resid[st.resid.len() - 1],
            st.variance[st.variance.len() - 1],
        );
        let mut rng = path_rng(9, 0);
        for t in 0..300 {
            let z = sim.draw(&mut rng, &Innovations::Parametric);
            let mult = if t % 50 < 10 { 1.69 } else { 1.0 };
            let (y, sd) = sim.step_scaled(&mut st, z, mult);
            let s2 = omega + alpha * e_last * e_last + beta * s2_last;
            let sd_fast = (s2 * mult).sqrt();
            e_last = sd_fast * z;
            s2_last = s2;
            assert_eq!((mu + e_last, sd_fast), (y, sd), "step {t}");
        }
    }

    fn gbm(mu: f64) -> Base {
        Base::Gbm { mu, sigma: 0.01 }
    }

    fn setup(base: Base) -> Setup {
        let as_of = aurum_core::date(2025, 2, 18);
        Setup {
            s0: 100.0,
            days: trading_days(as_of, aurum_core::date(2025, 6, 30)),
            base,
            scenarios: Vec::new(),
            analogs: HashMap::new(),
            targets: vec![105.0],
        }
    }

    fn member(weight: f64, base: Base) -> Member {
        Member {
            weight,
            base,
            shift: 0.0,
            innovations: Innovations::Parametric,
        }
    }

    /// A mixture of one model is that model, path for path; a mixture's paths split in
    /// exact shares.
    #[test]
    fn mixtures_draw_their_members_paths() {
        let opts = RunOptions {
            paths: 4000,
            seed: 3,
            disabled: None,
        };
        let alone = simulate(&setup(gbm(0.0005)), &opts).unwrap();
        let mixed = simulate(&setup(Base::Mixture(vec![member(1.0, gbm(0.0005))])), &opts).unwrap();
        assert_eq!(alone, mixed);
        // A quarter of the paths drift up hard and always touch; the rest never move.
        let flat = Base::Gbm {
            mu: 0.0,
            sigma: 0.0,
        };
        let up = Base::Gbm {
            mu: 0.01,
            sigma: 0.0,
        };
        let mixed = simulate(
            &setup(Base::Mixture(vec![member(3.0, flat), member(1.0, up)])),
            &opts,
        )
        .unwrap();
        assert_eq!(mixed.targets[0].p_touch, 0.25);
        // The same at any block split: the share is fixed by the path's index.
        let one = simulate(
            &setup(Base::Mixture(vec![
                member(
                    3.0,
                    Base::Gbm {
                        mu: 0.0,
                        sigma: 0.0,
                    },
                ),
                member(
                    1.0,
                    Base::Gbm {
                        mu: 0.01,
                        sigma: 0.0,
                    },
                ),
            ])),
            &RunOptions { paths: 1, ..opts },
        )
        .unwrap();
        assert_eq!(one.targets[0].p_touch, 0.0);
        // An empty mixture stands still rather than failing.
        let empty = simulate(&setup(Base::Mixture(Vec::new())), &opts).unwrap();
        assert_eq!(empty.targets[0].p_touch, 0.0);
    }
}
