//! The Monte Carlo engine and its running statistics.

use std::collections::HashMap;

use aurum_core::Date;
pub use aurum_vol::Sampler;
use aurum_vol::{
    FastDraws, Innovations, LANES, LaneRng, ModelPath, Simulator, Table, fast_rng, path_rng,
};
use rand::Rng;
use rand_distr::StandardNormal;
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;
use serde::Serialize;

use crate::{Scenario, Shock, SimError};

/// Lane groups ([`LANES`] paths each) that the lane loop steps day by day together: a day is
/// a few short passes over their state (draws, model step, histogram, first passage, counts
/// above), each a fixed-length loop of vector instructions. Of 1 to 32 groups, 4 measured
/// fastest (`aurum-bench scenario`); more spill out of registers and the first-level cache.
const WIDE: usize = 4;
/// Paths the lane loop steps together.
const WIDTH: usize = LANES * WIDE;
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

/// The member path `p` of `paths` follows (0 outside a mixture), its model, shift and
/// innovations.
fn pick(base: &Base, p: usize, paths: usize) -> (usize, &Base, f64, Innovations) {
    let Base::Mixture(members) = base else {
        return (0, base, 0.0, Innovations::Parametric);
    };
    let total: f64 = members.iter().map(|m| m.weight.max(0.0)).sum();
    let u = (p as f64 + 0.5) / paths.max(1) as f64 * total;
    let mut acc = 0.0;
    for (i, m) in members.iter().enumerate() {
        acc += m.weight.max(0.0);
        if u <= acc && !matches!(m.base, Base::Mixture(_)) {
            return (i, &m.base, m.shift, m.innovations.clone());
        }
    }
    // Rounding at the top end: the last drawable member.
    members
        .iter()
        .enumerate()
        .rev()
        .find(|(_, m)| !matches!(m.base, Base::Mixture(_)))
        .map_or((0, base, 0.0, Innovations::Parametric), |(i, m)| {
            (i, &m.base, m.shift, m.innovations.clone())
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

#[inline]
fn bin(x: f64) -> usize {
    bin32(x) as usize
}

/// [`bin`] as a `u32`, in operations that vector instructions do: the index is rounded
/// half a bin up from the position (ties, at exact bin edges, go to the even index), by
/// adding 2⁵² and reading the low bits.
#[inline]
fn bin32(x: f64) -> u32 {
    // 0 below −3, BINS − 1 from 3 up; NaN counts in bin 0.
    let v = (x + HALF_RANGE) * (1.0 / BIN) + 0.5;
    let v = if v > 0.0 { v } else { 0.0 };
    let v = if v < (BINS - 1) as f64 {
        v
    } else {
        (BINS - 1) as f64
    };
    (v + 4_503_599_627_370_496.0).to_bits() as u32
}

/// The q-quantile of a histogram of log(S/S0), interpolated within its bin: the naive twin
/// of [`hist_quantiles`], for its tests.
#[cfg(test)]
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

/// The qs-quantiles (ascending) of a histogram of log(S/S0), each interpolated within its
/// bin, in one pass over the histogram (the tests hold it to a one-at-a-time twin).
fn hist_quantiles(h: &[u32], total: u64, qs: &[f64]) -> Vec<f64> {
    let mut out = vec![HALF_RANGE; qs.len()];
    let mut k = 0;
    let mut acc = 0.0;
    for (i, c) in h.iter().enumerate() {
        if k == qs.len() {
            break;
        }
        let next = acc + f64::from(*c);
        while *c > 0 && k < qs.len() && next >= qs[k] * total as f64 {
            let lo = if i == 0 {
                -HALF_RANGE
            } else {
                -HALF_RANGE + (i - 1) as f64 * BIN
            };
            let frac = ((qs[k] * total as f64 - acc) / f64::from(*c)).clamp(0.0, 1.0);
            out[k] = lo + frac * BIN;
            k += 1;
        }
        acc = next;
    }
    out
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

fn draw_events(
    setup: &Setup,
    index: &HashMap<&str, usize>,
    rng: &mut impl Rng,
    disabled: Option<usize>,
) -> Events {
    let n = setup.days.len();
    let k = setup.scenarios.len();
    let mut day_of: Vec<Option<usize>> = vec![None; k];
    let mut ev = Events {
        mask: 0,
        happened: vec![false; k],
        shock: vec![0.0; n],
        var_mult: vec![1.0; n],
    };
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

/// What a run prepares once: the barriers in log space, sorted for the running-max test of
/// first passage, and the fast innovations of each model.
struct Plan<'a> {
    setup: &'a Setup,
    opts: &'a RunOptions,
    sampler: Sampler,
    barriers: Vec<f64>,
    /// Barriers ascending, then +∞.
    sorted: Vec<f64>,
    /// `sorted[k]` is barrier `order[k]`.
    order: Vec<usize>,
    index: HashMap<&'a str, usize>,
    /// Fast draws of the base (member `i` of a mixture at `i`); empty for the exact sampler.
    draws: Vec<Option<FastDraws>>,
}

impl<'a> Plan<'a> {
    fn new(setup: &'a Setup, opts: &'a RunOptions, sampler: Sampler) -> Result<Self, SimError> {
        let barriers: Vec<f64> = setup.targets.iter().map(|t| (t / setup.s0).ln()).collect();
        let mut order: Vec<usize> = (0..barriers.len()).collect();
        order.sort_by(|a, b| barriers[*a].total_cmp(&barriers[*b]));
        let mut sorted: Vec<f64> = order.iter().map(|j| barriers[*j]).collect();
        sorted.push(f64::INFINITY);
        let fast = |base: &Base, how: &Innovations| -> Result<Option<FastDraws>, SimError> {
            let d = match base {
                Base::Gbm { .. } => FastDraws::normal(),
                Base::Model { sim, .. } => sim.fast_draws(how),
                Base::Mixture(_) => return Ok(None),
            };
            d.map(Some)
                .map_err(|e| SimError::Settings(format!("the fast sampler: {e}")))
        };
        let draws = match (sampler, &setup.base) {
            (Sampler::Exact, _) => Vec::new(),
            (Sampler::Fast, Base::Mixture(members)) => members
                .iter()
                .map(|m| fast(&m.base, &m.innovations))
                .collect::<Result<_, _>>()?,
            (Sampler::Fast, base) => vec![fast(base, &Innovations::Parametric)?],
        };
        Ok(Self {
            setup,
            opts,
            sampler,
            barriers,
            sorted,
            order,
            index: setup
                .scenarios
                .iter()
                .enumerate()
                .map(|(i, s)| (s.id.as_str(), i))
                .collect(),
            draws,
        })
    }

    /// The lane loop's model, when every path follows one model with tabulated innovations.
    fn lanes(&self) -> Option<(Lane, &Table)> {
        if self.sampler != Sampler::Fast {
            return None;
        }
        let table = self.draws.first()?.as_ref()?.table()?;
        let lane = match &self.setup.base {
            Base::Gbm { mu, sigma } => Lane::Gbm {
                mu: *mu,
                sigma: *sigma,
            },
            Base::Model { sim, scale } => {
                let p = sim.garch11()?;
                let st = sim.initial_state();
                Lane::Garch11 {
                    p,
                    e0: st.resid[st.resid.len() - 1],
                    s20: st.variance[st.variance.len() - 1],
                    scale: *scale,
                }
            }
            Base::Mixture(_) => return None,
        };
        Some((lane, table))
    }
}

/// The model of the lane loop.
#[derive(Clone, Copy)]
enum Lane {
    Gbm {
        mu: f64,
        sigma: f64,
    },
    Garch11 {
        /// μ, ω, α, β.
        p: [f64; 4],
        e0: f64,
        s20: f64,
        scale: f64,
    },
}

/// A path's innovations.
enum PathDraws<'a> {
    Exact(Box<rand_chacha::ChaCha8Rng>),
    Fast(Xoshiro256PlusPlus, &'a FastDraws),
}

impl PathDraws<'_> {
    fn normal(&mut self) -> f64 {
        match self {
            Self::Exact(rng) => rng.sample(StandardNormal),
            Self::Fast(rng, d) => d.draw(rng),
        }
    }

    fn model(&mut self, sim: &Simulator, how: &Innovations) -> f64 {
        match self {
            Self::Exact(rng) => sim.draw(rng, how),
            Self::Fast(rng, d) => d.draw(rng),
        }
    }
}

/// Counts a finished path: closes, touches, the scenarios' conditional counts and the
/// combination it drew.
fn finish_path(acc: &mut Accum, plan: &Plan, ev: &Events, x: f64, touched: &[bool], cont: f64) {
    let k = plan.setup.scenarios.len();
    for (j, b) in plan.barriers.iter().enumerate() {
        let close = x >= *b;
        acc.close[j] += u64::from(close);
        acc.touch[j] += u64::from(touched[j]);
        acc.touch_cont[j] += u64::from(cont >= *b || touched[j]);
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
        let e = acc
            .combos
            .entry(ev.mask)
            .or_insert((0, vec![0; plan.barriers.len()]));
        e.0 += 1;
        for (j, t) in touched.iter().enumerate() {
            e.1[j] += u64::from(*t);
        }
    }
}

/// One path at a time: every model, both samplers. The naive twin of [`run_lanes`] (the
/// tests assert they agree to the count).
fn run_scalar(plan: &Plan, first_path: usize, count: usize, acc: &mut Accum) {
    let (setup, opts) = (plan.setup, plan.opts);
    let n = setup.days.len();
    let nt = setup.targets.len();
    for p in first_path..first_path + count {
        let mut rng_s = path_rng(opts.seed, 2 * p as u64);
        let ev = draw_events(setup, &plan.index, &mut rng_s, opts.disabled);
        let (member, base, shift, how) = pick(&setup.base, p, opts.paths);
        let mut draws = match plan.draws.get(member) {
            Some(Some(d)) => PathDraws::Fast(fast_rng(opts.seed, p as u64), d),
            _ => PathDraws::Exact(Box::new(path_rng(opts.seed, 2 * p as u64 + 1))),
        };
        let mut x = 0.0;
        let mut touched = vec![false; nt];
        // The running maximum of x + β σ (Broadie–Glasserman–Kou).
        let mut cont = f64::NEG_INFINITY;
        // GARCH(1,1) and HAR step their fused loops (the general simulator is their naive
        // twin; tests assert they agree); other models step the general simulator.
        let mut stepper = match base {
            Base::Model { sim, .. } => Some(ModelPath::new(sim)),
            Base::Gbm { .. } | Base::Mixture(_) => None,
        };
        for t in 0..n {
            let (r, sd) = match base {
                Base::Gbm { mu, sigma } => {
                    let z = draws.normal();
                    let sd = sigma * ev.var_mult[t].sqrt();
                    (mu + sd * z, sd)
                }
                Base::Model { sim, scale } => {
                    let z = draws.model(sim, &how);
                    let m = ev.var_mult[t];
                    let (y, sd) = stepper
                        .as_mut()
                        .map_or((0.0, 0.0), |path| path.step_scaled(sim, z, m));
                    let inv = 1.0 / scale;
                    ((y + shift) * inv, sd * inv)
                }
                // `pick` draws a member; an empty mixture stands still.
                Base::Mixture(_) => (0.0, 0.0),
            };
            x += r + ev.shock[t];
            acc.hist[t][bin(x)] += 1;
            let c = x + BGK_BETA * sd;
            if c > cont {
                cont = c;
            }
            for (j, b) in plan.barriers.iter().enumerate() {
                if x >= *b {
                    acc.above[j][t] += 1;
                    if !touched[j] {
                        touched[j] = true;
                        acc.first[j][t] += 1;
                    }
                }
            }
        }
        finish_path(acc, plan, &ev, x, &touched, cont);
    }
}

/// [`LANES`] paths side by side (structure of arrays): one model with tabulated innovations,
/// each lane its path's xoshiro256++ stream. First passage is tested against the lowest
/// barrier not yet reached, one comparison per step whatever the number of targets; the
/// Broadie–Glasserman–Kou touch is a running maximum.
fn run_lanes(
    plan: &Plan,
    lane: Lane,
    table: &Table,
    first_path: usize,
    count: usize,
    acc: &mut Accum,
) {
    if plan.setup.scenarios.is_empty() {
        run_lanes_with::<false>(plan, lane, table, first_path, count, acc);
    } else {
        run_lanes_with::<true>(plan, lane, table, first_path, count, acc);
    }
}

// Lane loops index several arrays at once.
#[allow(clippy::needless_range_loop)]
fn run_lanes_with<const EVENTS: bool>(
    plan: &Plan,
    lane: Lane,
    table: &Table,
    first_path: usize,
    count: usize,
    acc: &mut Accum,
) {
    let (setup, opts) = (plan.setup, plan.opts);
    let n = setup.days.len();
    let nt = plan.barriers.len();
    let quiet = Events {
        mask: 0,
        happened: vec![false; setup.scenarios.len()],
        shock: Vec::new(),
        var_mult: Vec::new(),
    };
    // Per day, then per path: the shocks and variance multipliers of the scenarios drawn.
    let mut shock = vec![0.0; if EVENTS { n * WIDTH } else { 0 }];
    let mut mult = vec![1.0; if EVENTS { n * WIDTH } else { 0 }];
    let mut events: Vec<Events> = Vec::with_capacity(WIDTH);
    let mut touched = vec![false; nt];
    let (e0, s20) = match lane {
        Lane::Garch11 { e0, s20, .. } => (e0, s20),
        Lane::Gbm { .. } => (0.0, 0.0),
    };
    // The block's state, one entry per path: each day is a few passes over these arrays
    // (draws, model step, histogram, first passage, counts above), each a plain loop that
    // vector instructions run, with everything in the first level of cache.
    let mut z = [0.0f64; WIDTH];
    let mut x = [0.0f64; WIDTH];
    let mut cont = [0.0f64; WIDTH];
    let mut e_last = [0.0f64; WIDTH];
    let mut s2_last = [0.0f64; WIDTH];
    // Each path's lowest barrier not yet reached: its index in `plan.sorted`, and its value.
    let mut next = [0usize; WIDTH];
    let mut low = [0.0f64; WIDTH];
    let mut bins = [0u32; WIDTH];
    for p0 in (first_path..first_path + count).step_by(WIDTH) {
        let active = WIDTH.min(first_path + count - p0);
        let mut rngs: [LaneRng; WIDE] =
            std::array::from_fn(|g| LaneRng::new(opts.seed, (p0 + g * LANES) as u64));
        events.clear();
        if EVENTS {
            for i in 0..active {
                let mut rng_s = path_rng(opts.seed, 2 * (p0 + i) as u64);
                let ev = draw_events(setup, &plan.index, &mut rng_s, opts.disabled);
                for t in 0..n {
                    shock[t * WIDTH + i] = ev.shock[t];
                    mult[t * WIDTH + i] = ev.var_mult[t];
                }
                events.push(ev);
            }
        }
        // Lanes past the last path hold NaN, which is never above a barrier (the last block
        // steps them with the others and does not count them).
        for (i, v) in x.iter_mut().enumerate() {
            *v = if i < active { 0.0 } else { f64::NAN };
        }
        cont.fill(f64::NEG_INFINITY);
        e_last.fill(e0);
        s2_last.fill(s20);
        next.fill(0);
        low.fill(plan.sorted[0]);
        for t in 0..n {
            for (rng, zg) in rngs.iter_mut().zip(z.chunks_exact_mut(LANES)) {
                zg.copy_from_slice(&table.sample_lanes(&rng.step()));
            }
            let (m, sh) = if EVENTS {
                (
                    &mult[t * WIDTH..(t + 1) * WIDTH],
                    &shock[t * WIDTH..(t + 1) * WIDTH],
                )
            } else {
                (&[][..], &[][..])
            };
            match lane {
                Lane::Gbm { mu, sigma } => {
                    for i in 0..WIDTH {
                        let sd = if EVENTS { sigma * m[i].sqrt() } else { sigma };
                        let r = mu + sd * z[i];
                        x[i] += if EVENTS { r + sh[i] } else { r };
                        let c = x[i] + BGK_BETA * sd;
                        cont[i] = if c > cont[i] { c } else { cont[i] };
                    }
                }
                Lane::Garch11 {
                    p: [mu, omega, alpha, beta],
                    scale,
                    ..
                } => {
                    let inv = 1.0 / scale;
                    let (el, s2l) = (&mut e_last, &mut s2_last);
                    for i in 0..WIDTH {
                        let s2 = omega + alpha * el[i] * el[i] + beta * s2l[i];
                        let sd = if EVENTS {
                            (s2 * m[i]).sqrt()
                        } else {
                            s2.sqrt()
                        };
                        let e = sd * z[i];
                        el[i] = e;
                        s2l[i] = s2;
                        let r = (mu + e + 0.0) * inv;
                        x[i] += if EVENTS { r + sh[i] } else { r };
                        let c = x[i] + BGK_BETA * (sd * inv);
                        cont[i] = if c > cont[i] { c } else { cont[i] };
                    }
                }
            }
            let hist = &mut acc.hist[t];
            for (b, v) in bins.iter_mut().zip(&x[..active]) {
                *b = bin32(*v);
            }
            for b in &bins[..active] {
                if let Some(h) = hist.get_mut(*b as usize) {
                    *h += 1;
                }
            }
            // Each path against its lowest barrier not yet reached: one comparison per path
            // and day, whatever the number of targets; the counting only on a day some path
            // reaches a barrier.
            let mut reached = false;
            for (v, b) in x.iter().zip(&low) {
                reached |= *v >= *b;
            }
            if reached {
                for i in 0..WIDTH {
                    // NaN lanes never pass.
                    while x[i] >= plan.sorted[next[i]] {
                        acc.first[plan.order[next[i]]][t] += 1;
                        next[i] += 1;
                    }
                    low[i] = plan.sorted[next[i]];
                }
            }
            // Counted in u64, as wide as the f64 comparisons, which vectorises; at most WIDTH.
            for (a, b) in acc.above.iter_mut().zip(&plan.barriers) {
                a[t] += x.iter().map(|v| u64::from(*v >= *b)).sum::<u64>() as u32;
            }
        }
        for i in 0..active {
            touched.iter_mut().for_each(|v| *v = false);
            for k in 0..next[i] {
                touched[plan.order[k]] = true;
            }
            let ev = if EVENTS { &events[i] } else { &quiet };
            finish_path(acc, plan, ev, x[i], &touched, cont[i]);
        }
    }
}

/// Runs the simulation with the fast sampler.
///
/// # Errors
///
/// No trading days, no paths, or a disabled index out of range.
pub fn simulate(setup: &Setup, opts: &RunOptions) -> Result<Results, SimError> {
    simulate_with(setup, opts, Sampler::Fast, &|_| {})
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
    simulate_with(setup, opts, Sampler::Fast, progress)
}

/// [`simulate_with_progress`] with a choice of sampler: [`Sampler::Fast`] (the default of
/// [`simulate`]) or [`Sampler::Exact`], its slower reference (ChaCha8 streams and the exact
/// draws of [`Simulator::draw`]). The two give the same results within Monte Carlo error,
/// not the same numbers.
///
/// # Errors
///
/// As [`simulate`]; a model whose innovations the fast sampler cannot tabulate.
pub fn simulate_with(
    setup: &Setup,
    opts: &RunOptions,
    sampler: Sampler,
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
    let plan = Plan::new(setup, opts, sampler)?;
    let lanes = plan.lanes();
    let blocks: Vec<(usize, usize)> = (0..opts.paths)
        .step_by(BLOCK)
        .map(|s| (s, BLOCK.min(opts.paths - s)))
        .collect();
    // Blocks go in a fixed number of contiguous groups per thread, each folded into one
    // accumulator, so memory grows with threads, not with paths. Every statistic is an
    // integer count, so neither the grouping nor the merge order can change the result: the
    // same seed gives the same numbers at any thread count.
    let empty = || Accum::new(n, setup.targets.len(), setup.scenarios.len());
    // Groups as equal as whole blocks allow (sizes differ by one at most), so that no thread
    // is left with a longer share.
    let groups = blocks.len().min(4 * rayon::current_num_threads().max(1));
    let acc = (0..groups)
        .into_par_iter()
        .map(|i| {
            let mut acc = empty();
            let range = i * blocks.len() / groups..(i + 1) * blocks.len() / groups;
            for &(s, c) in &blocks[range] {
                match lanes {
                    Some((lane, table)) => run_lanes(&plan, lane, table, s, c, &mut acc),
                    None => run_scalar(&plan, s, c, &mut acc),
                }
                progress(c as u64);
            }
            acc
        })
        .reduce(empty, |mut a, b| {
            a.merge(&b);
            a
        });
    Ok(summarise(setup, opts, &acc))
}

/// Runs the scalar engine (one path at a time) whatever the model: the naive twin of the
/// lane loop, for tests.
#[doc(hidden)]
pub fn simulate_scalar(
    setup: &Setup,
    opts: &RunOptions,
    sampler: Sampler,
) -> Result<Results, SimError> {
    let n = setup.days.len();
    if n == 0 || opts.paths == 0 || opts.disabled.is_some_and(|d| d >= setup.scenarios.len()) {
        return simulate_with(setup, opts, sampler, &|_| {});
    }
    let plan = Plan::new(setup, opts, sampler)?;
    let mut acc = Accum::new(n, setup.targets.len(), setup.scenarios.len());
    for s in (0..opts.paths).step_by(BLOCK) {
        run_scalar(&plan, s, BLOCK.min(opts.paths - s), &mut acc);
    }
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
            let q = hist_quantiles(h, total, &[0.05, 0.25, 0.5, 0.75, 0.95]);
            let price = |x: f64| setup.s0 * x.exp();
            FanPoint {
                date: *d,
                q05: price(q[0]),
                q25: price(q[1]),
                q50: price(q[2]),
                q75: price(q[3]),
                q95: price(q[4]),
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
    // Percentiles 1 to 99 of log(S/S0); the 5th is the value at risk.
    let percentiles = hist_quantiles(
        last,
        total,
        &(1..100).map(|k| f64::from(k) / 100.0).collect::<Vec<_>>(),
    );
    let var_x = percentiles[4];
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
        horizon_percentiles: percentiles.iter().map(|x| setup.s0 * x.exp()).collect(),
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

    use crate::Shock;

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

    fn garch_t(dist: Dist, shape: &[f64]) -> Base {
        let data: Vec<f64> = (0..400).map(|t| f64::from(t % 9) / 4.0 - 1.0).collect();
        let m = ArchModel::new(Mean::Constant, Vol::Garch { p: 1, o: 0, q: 1 }, dist);
        let mut params = vec![0.02, 0.03, 0.07, 0.9];
        params.extend_from_slice(shape);
        let fit = m.fix(&data, &params).unwrap();
        Base::Model {
            sim: Box::new(Simulator::new(&m, &fit, &data).unwrap()),
            scale: 100.0,
        }
    }

    fn tree() -> Vec<Scenario> {
        let s = |id: &str, p: f64, shock: Shock, vol: Option<crate::Regime>| Scenario {
            id: id.into(),
            name: id.into(),
            probability: p,
            window: None,
            requires: vec![],
            excludes: vec![],
            shock,
            spread_days: 3,
            volatility: vol,
        };
        vec![
            s(
                "up",
                0.4,
                Shock::Normal {
                    mean_pct: 4.0,
                    sd_pct: 2.0,
                },
                Some(crate::Regime {
                    multiplier: 1.5,
                    days: 10,
                }),
            ),
            s("down", 0.3, Shock::Fixed { pct: -5.0 }, None),
        ]
    }

    /// The lane loop and the scalar engine draw the same numbers from the same streams:
    /// their results agree exactly, with and without scenarios, for partial lane groups
    /// and blocks, and for targets out of order.
    #[test]
    fn quantiles_in_one_pass_match_one_at_a_time() {
        let qs: Vec<f64> = (1..100).map(|k| f64::from(k) / 100.0).collect();
        let mut h = vec![0u32; BINS];
        // Empty, one bin, then a spread with gaps and a heavy bin.
        for (i, c) in [
            (1500, 0),
            (1500, 7),
            (10, 3),
            (2990, 1),
            (0, 2),
            (1600, 400),
        ] {
            h[i] = c;
            let total: u64 = h.iter().map(|c| u64::from(*c)).sum();
            let one = hist_quantiles(&h, total, &qs);
            for (q, x) in qs.iter().zip(one) {
                assert_eq!(x.to_bits(), hist_quantile(&h, total, *q).to_bits(), "q {q}");
            }
        }
    }

    #[test]
    fn lanes_match_the_scalar_engine_exactly() {
        for base in [
            gbm(0.0003),
            garch_t(Dist::StudentsT, &[5.0]),
            garch_t(Dist::Ged, &[1.4]),
            garch_t(Dist::Normal, &[]),
        ] {
            for scenarios in [Vec::new(), tree()] {
                let mut s = setup(base.clone());
                s.scenarios = scenarios;
                s.targets = vec![104.0, 97.0, 101.0, 101.0];
                let opts = RunOptions {
                    paths: 2 * BLOCK + 13,
                    seed: 5,
                    disabled: None,
                };
                let plan = Plan::new(&s, &opts, Sampler::Fast).unwrap();
                assert!(plan.lanes().is_some());
                let lanes = simulate(&s, &opts).unwrap();
                let scalar = simulate_scalar(&s, &opts, Sampler::Fast).unwrap();
                assert_eq!(lanes, scalar);
            }
        }
    }

    /// The fast and exact samplers agree within Monte Carlo error (different draws).
    #[test]
    fn fast_and_exact_samplers_agree_statistically() {
        let mut s = setup(garch_t(Dist::StudentsT, &[4.5]));
        s.scenarios = tree();
        s.targets = vec![103.0, 110.0, 95.0];
        let opts = RunOptions {
            paths: 40_000,
            seed: 21,
            disabled: None,
        };
        let fast = simulate(&s, &opts).unwrap();
        let exact = simulate_with(&s, &opts, Sampler::Exact, &|_| {}).unwrap();
        assert_ne!(fast, exact);
        for (a, b) in fast.targets.iter().zip(&exact.targets) {
            for (p, q, se) in [
                (a.p_close_above, b.p_close_above, a.p_close_above_se),
                (a.p_touch, b.p_touch, a.p_touch_se),
                (
                    a.p_touch_continuous,
                    b.p_touch_continuous,
                    a.p_touch_continuous_se,
                ),
            ] {
                // Two independent estimates: the difference has √2 times the error.
                assert!(
                    (p - q).abs() <= 4.0 * 2f64.sqrt() * se.max(1e-4),
                    "{p} vs {q}"
                );
            }
        }
        // Scenario draws are the same streams under both samplers.
        for (a, b) in fast.scenarios.iter().zip(&exact.scenarios) {
            assert_eq!(a.p_happened, b.p_happened);
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
