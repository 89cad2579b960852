//! Rolling-origin forecasts: at each origin, the data known then, a (re)fitted model, simulated
//! paths, and the scores of the forecast against what happened.

use std::borrow::Cow;

use aurum_core::Date;
use aurum_vol::{
    ArchModel, Dist, FastDraws, FitOptions, HarFit, Innovations, Mean, ModelPath, Sampler,
    Simulator, Symmetric, TableCache, Vol, fast_rng, path_rng,
};
use chrono::Datelike;
use rand::Rng;
use rand_distr::StandardNormal;
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::BacktestError;
use crate::model::{ModelKind, VolModel};
use crate::scores::{crps_sorted, kde_logpdf, pit, quantile};

/// Levels of the quantiles each forecast keeps: the midpoints `(j + ½) / QUANTILES`, from
/// which the stack mixes its members' distributions.
pub const QUANTILES: usize = 100;

impl VolModel {
    fn arch(self) -> Option<(ArchModel, Innovations)> {
        let garch = |o, dist| ArchModel::new(Mean::Constant, Vol::Garch { p: 1, o, q: 1 }, dist);
        match self {
            Self::Gbm | Self::Har => None,
            Self::GarchT => Some((garch(0, Dist::StudentsT), Innovations::Parametric)),
            Self::GjrT => Some((garch(1, Dist::StudentsT), Innovations::Parametric)),
            Self::Fhs => Some((garch(0, Dist::Normal), Innovations::Bootstrap)),
        }
    }
}

/// The central intervals whose coverage is tested, as probabilities.
pub const INTERVALS: [f64; 4] = [0.5, 0.8, 0.9, 0.98];

/// Origins per block (rounded up to a multiple of the refit interval). Blocks run in
/// parallel; within a block each refit starts from the previous origin's optimum. Fixed, so
/// that results do not depend on the number of threads.
pub const BLOCK: usize = 8;

/// How much history each fit sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Window {
    /// Everything up to the origin.
    Expanding,
    /// The last N returns.
    Days(usize),
}

/// How often an origin falls.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Every {
    /// The last trading day of each week.
    Week,
    /// The last trading day of each month.
    Month,
    /// Every N trading days.
    Days(usize),
}

/// What to forecast and how.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Config {
    /// Models, in output order.
    pub models: Vec<ModelKind>,
    /// Horizons in trading days (observations of the series).
    pub horizons: Vec<usize>,
    /// History each fit sees.
    pub window: Window,
    /// Refit every N origins; between refits the last estimates filter the new data.
    pub refit: usize,
    /// Simulated paths per origin and model.
    pub paths: usize,
    /// Seed of every random draw.
    pub seed: u64,
    /// Threshold events relative to the origin price, in percent (e.g. −10, −5, 5, 10).
    pub relative_levels: Vec<f64>,
    /// Threshold events at absolute price levels.
    pub absolute_levels: Vec<f64>,
    /// Returns in the baseline's trailing volatility.
    pub vol_window: usize,
    /// Fewest returns an origin needs before it is forecast from.
    pub min_returns: usize,
    /// How the paths' innovations are drawn: tabulated inverse CDFs on xoshiro256++
    /// streams, or the exact draws (ChaCha8, `rand_distr`) that are their naive twin.
    #[serde(default)]
    pub sampler: Sampler,
}

impl Config {
    /// Checks the settings.
    ///
    /// # Errors
    ///
    /// [`BacktestError::Settings`] naming the setting at fault.
    pub fn validate(&self) -> Result<(), BacktestError> {
        let bad = |m: String| Err(BacktestError::Settings(m));
        if self.models.is_empty() {
            return bad("models: give at least one".into());
        }
        if self.horizons.is_empty() || self.horizons.contains(&0) {
            return bad("horizons: give one or more horizons of at least 1 trading day".into());
        }
        if self.refit == 0 {
            return bad("refit: must be at least 1 (1 refits at every origin)".into());
        }
        if self.paths < 100 {
            return bad(format!(
                "paths: {} is too few to score a distribution; use at least 100",
                self.paths
            ));
        }
        if let Window::Days(n) = self.window
            && n < self.min_returns
        {
            return bad(format!(
                "window: {n} days is shorter than the {} returns a fit needs",
                self.min_returns
            ));
        }
        if let Some(l) = self
            .relative_levels
            .iter()
            .find(|l| **l <= -100.0 || **l == 0.0)
        {
            return bad(format!(
                "relative: a relative level of {l}% is not a move (use non-zero values above -100%)"
            ));
        }
        if let Some(l) = self
            .absolute_levels
            .iter()
            .find(|l| l.is_nan() || **l <= 0.0)
        {
            return bad(format!("levels: {l} is not a positive price"));
        }
        if self.vol_window < 2 {
            return bad("vol_window: must be at least 2 returns".into());
        }
        Ok(())
    }
}

/// A value that an import later replaced.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Revision {
    /// The observation's date.
    pub date: Date,
    /// The close as it was.
    pub close: f64,
    /// The last day at whose end this value was still the one known.
    pub known_through: Date,
}

/// A daily series with its revision history.
#[derive(Clone, Debug, PartialEq)]
pub struct History {
    dates: Vec<Date>,
    closes: Vec<f64>,
    /// Sorted by date, then by when they stopped being known.
    revisions: Vec<Revision>,
}

impl History {
    /// A history from current values (sorted by date, positive) and the values they replaced.
    ///
    /// # Errors
    ///
    /// [`BacktestError::Data`] for unsorted dates, different lengths or non-positive prices.
    pub fn new(
        dates: Vec<Date>,
        closes: Vec<f64>,
        mut revisions: Vec<Revision>,
    ) -> Result<Self, BacktestError> {
        if dates.len() != closes.len() {
            return Err(BacktestError::Data(
                "dates and closes differ in length".into(),
            ));
        }
        if let Some(w) = dates.windows(2).find(|w| w[0] >= w[1]) {
            return Err(BacktestError::Data(format!(
                "dates are not increasing at {}",
                w[1]
            )));
        }
        if let Some(i) = closes.iter().position(|c| !(*c > 0.0 && c.is_finite())) {
            return Err(BacktestError::Data(format!(
                "the close of {} is {}, not a positive price",
                dates[i], closes[i]
            )));
        }
        revisions.sort_by_key(|r| (r.date, r.known_through));
        Ok(Self {
            dates,
            closes,
            revisions,
        })
    }

    /// Trading days.
    #[must_use]
    pub fn dates(&self) -> &[Date] {
        &self.dates
    }

    /// The replaced values, by date.
    #[must_use]
    pub fn revisions(&self) -> &[Revision] {
        &self.revisions
    }

    /// The closes up to and including index `o`, as they were known at the end of its day:
    /// for each date, the earliest replaced value still known then, else the current one.
    #[must_use]
    pub fn known_at(&self, o: usize) -> Cow<'_, [f64]> {
        let day = self.dates[o];
        let mut out: Option<Vec<f64>> = None;
        let mut last: Option<Date> = None;
        for r in self
            .revisions
            .iter()
            .take_while(|r| r.date <= day)
            .filter(|r| r.known_through >= day)
        {
            if last == Some(r.date) {
                continue; // a later replacement of a date already patched
            }
            last = Some(r.date);
            if let Ok(i) = self.dates[..=o].binary_search(&r.date)
                && r.close > 0.0
            {
                out.get_or_insert_with(|| self.closes[..=o].to_vec())[i] = r.close;
            }
        }
        out.map_or(Cow::Borrowed(&self.closes[..=o]), Cow::Owned)
    }
}

/// The origins: indexes of `dates` in `[from, to]` on the schedule `every`, leaving out the
/// last date (nothing after it can be scored).
#[must_use]
pub fn origins(dates: &[Date], from: Date, to: Date, every: Every) -> Vec<usize> {
    let last = dates.len().saturating_sub(1);
    let in_range: Vec<usize> = (0..last)
        .filter(|i| dates[*i] >= from && dates[*i] <= to)
        .collect();
    match every {
        Every::Days(n) => in_range.into_iter().step_by(n.max(1)).collect(),
        Every::Week => in_range
            .into_iter()
            .filter(|i| dates[*i].iso_week() != dates[i + 1].iso_week())
            .collect(),
        Every::Month => in_range
            .into_iter()
            .filter(|i| dates[*i].month() != dates[i + 1].month())
            .collect(),
    }
}

/// Groups origins into blocks of [`BLOCK`] (a multiple of `refit`), which run in parallel.
#[must_use]
pub fn blocks(origins: &[usize], refit: usize) -> Vec<Vec<usize>> {
    let size = BLOCK.div_ceil(refit.max(1)) * refit.max(1);
    origins.chunks(size).map(<[usize]>::to_vec).collect()
}

/// Whether a threshold event is about the close at the horizon or any close before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EventKind {
    /// The close at the horizon is beyond the level.
    Close,
    /// Some close up to the horizon reaches the level.
    Touch,
}

impl EventKind {
    /// The name in output: `close` or `touch`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Close => "close",
            Self::Touch => "touch",
        }
    }
}

/// A threshold event forecast at one origin.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventForecast {
    /// The level: `+5%` relative to the origin price, or an absolute price such as `3000`.
    pub level: String,
    /// Close or touch.
    pub kind: EventKind,
    /// Whether the level is above the origin price (else: below, and the event is a fall).
    pub up: bool,
    /// Forecast probability.
    pub p: f64,
    /// Whether it happened.
    pub outcome: bool,
    /// The probability before recalibration, where it was recalibrated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<f64>,
    /// The climatological probability: how often the same event happened over all history
    /// whose outcome was known at the origin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub climate: Option<f64>,
}

/// One scored forecast: an origin, a model and a horizon.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// The origin date.
    pub origin: Date,
    /// The model.
    pub model: ModelKind,
    /// Trading days ahead.
    pub horizon: usize,
    /// The date forecast for.
    pub target: Date,
    /// The close at the origin, as known then.
    pub price: f64,
    /// The log return that happened, in percent.
    pub realised: f64,
    /// Median of the forecast log return, in percent.
    pub median: f64,
    /// Continuous ranked probability score, in percent log return (lower is better).
    pub crps: f64,
    /// Negative log density of the outcome under a kernel estimate of the forecast (lower
    /// is better); `None` when the forecast has no spread.
    pub log_score: Option<f64>,
    /// Probability integral transform of the outcome.
    pub pit: f64,
    /// For each of [`INTERVALS`], whether the outcome fell outside the central interval.
    pub misses: Vec<bool>,
    /// Threshold events.
    pub events: Vec<EventForecast>,
    /// Quantiles of the forecast log return (percent) at the levels `(j + ½) / QUANTILES`.
    #[serde(default)]
    pub quantiles: Vec<f64>,
}

/// A model that could not be fitted at an origin (its forecasts there are missing).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Failure {
    /// The origin date.
    pub origin: Date,
    /// The model.
    pub model: ModelKind,
    /// Why.
    pub reason: String,
}

/// What one block produced.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct BlockResult {
    /// Index of the block in [`blocks`].
    pub block: usize,
    /// The first origin's date (the block's key when results are stored).
    pub start: Option<Date>,
    /// Origins in the block.
    pub origins: usize,
    /// Scored forecasts.
    pub rows: Vec<Row>,
    /// Fits that failed.
    pub failures: Vec<Failure>,
}

/// Runs the blocks not in `skip`, in parallel, calling `sink` as each finishes (from any
/// thread, in any order). Each block's numbers depend only on its origins, the data and the
/// seed, never on the number of threads.
pub fn run<F>(history: &History, cfg: &Config, blocks: &[Vec<usize>], skip: &[bool], sink: F)
where
    F: Fn(BlockResult) + Sync,
{
    run_until(history, cfg, blocks, skip, &|| false, sink);
}

/// As [`run`], starting no further block once `stop` says so (whoever waits has given up):
/// the blocks under way finish, the others are not computed.
pub fn run_until<F>(
    history: &History,
    cfg: &Config,
    blocks: &[Vec<usize>],
    skip: &[bool],
    stop: &(dyn Fn() -> bool + Sync),
    sink: F,
) where
    F: Fn(BlockResult) + Sync,
{
    let climate = Climate::new(history, cfg);
    blocks
        .par_iter()
        .enumerate()
        .filter(|(i, _)| !skip.get(*i).copied().unwrap_or(false))
        .for_each(|(i, b)| {
            if !stop() {
                sink(run_block(history, cfg, &climate, i, b));
            }
        });
}

impl Config {
    /// The models whose paths are simulated: those listed, with the stack's members in
    /// place of the stack (the stack is mixed from their forecasts afterwards).
    #[must_use]
    pub fn simulated(&self) -> Vec<ModelKind> {
        let mut out: Vec<ModelKind> = Vec::new();
        for m in &self.models {
            let add: &[ModelKind] = match m {
                ModelKind::Stack => &ModelKind::STACK_MEMBERS,
                m => std::slice::from_ref(m),
            };
            for a in add {
                if !out.contains(a) {
                    out.push(*a);
                }
            }
        }
        out
    }
}

/// Forecasts and scores one block of origins, sequentially.
#[must_use]
pub fn run_block(
    history: &History,
    cfg: &Config,
    climate: &Climate,
    index: usize,
    origins: &[usize],
) -> BlockResult {
    let mut out = BlockResult {
        block: index,
        start: origins.first().map(|o| history.dates[*o]),
        origins: origins.len(),
        ..BlockResult::default()
    };
    // One table per distribution in the block: between refits a model keeps its shape, and
    // a vol model's mean variants share its fit.
    let mut tables = TableCache::default();
    for model in cfg.simulated() {
        let ModelKind::Single(vol, mean) = model else {
            continue;
        };
        let mut warm: Option<Vec<f64>> = None;
        let mut params: Option<Vec<f64>> = None;
        for (k, &o) in origins.iter().enumerate() {
            let known = history.known_at(o);
            let returns = window_returns(&known, cfg.window);
            if returns.len() < cfg.min_returns {
                continue;
            }
            let refit = k % cfg.refit == 0 || params.is_none();
            let drift = mean.drift(&known);
            let forecaster = forecaster(vol, drift, &returns, cfg, refit, &mut warm, &mut params)
                .and_then(|f| {
                    let draws = match cfg.sampler {
                        Sampler::Fast => Some(fast_draws(&f, &mut tables)?),
                        Sampler::Exact => None,
                    };
                    Ok((f, draws))
                });
            let (forecaster, draws) = match forecaster {
                Ok(f) => f,
                Err(reason) => {
                    out.failures.push(Failure {
                        origin: history.dates[o],
                        model,
                        reason,
                    });
                    continue;
                }
            };
            let seed = origin_seed(cfg.seed, history.dates[o], model);
            let price = known[o];
            out.rows.extend(score_origin(
                history,
                cfg,
                climate,
                o,
                price,
                model,
                &forecaster,
                draws.as_ref(),
                seed,
            ));
        }
    }
    out
}

fn window_returns(closes: &[f64], window: Window) -> Vec<f64> {
    let start = match window {
        Window::Expanding => 0,
        Window::Days(n) => closes.len().saturating_sub(n + 1),
    };
    closes[start..]
        .windows(2)
        .map(|w| 100.0 * (w[1] / w[0]).ln())
        .collect()
}

/// A model fitted at an origin, ready to simulate percent log returns.
#[derive(Clone, Debug)]
pub enum Forecaster {
    /// Normal returns.
    Gbm {
        /// Daily drift, percent.
        mu: f64,
        /// Daily volatility, percent.
        sigma: f64,
    },
    /// A fitted GARCH-family or HAR model.
    Arch {
        /// The model continued from its last observation.
        sim: Box<Simulator>,
        /// Parametric or bootstrapped innovations.
        how: Innovations,
        /// Added to each simulated return: moves it from the model's own mean to the mean
        /// model's drift (the variance recursion sees the model's own residuals).
        shift: f64,
    },
}

/// A member model fitted at the last of `closes` (as known then) the way the backtest fits
/// it at an origin: the volatility model on [`Config::window`], the mean model on all of
/// `closes`.
///
/// # Errors
///
/// The stack (which is not one model), too little data, a fit that fails.
pub fn fit_member(model: ModelKind, closes: &[f64], cfg: &Config) -> Result<Forecaster, String> {
    let ModelKind::Single(vol, mean) = model else {
        return Err("the stack is mixed from its members, not fitted".into());
    };
    let returns = window_returns(closes, cfg.window);
    if returns.len() < cfg.min_returns.max(2) {
        return Err(format!(
            "{} returns; {model} needs at least {}",
            returns.len(),
            cfg.min_returns.max(2)
        ));
    }
    let drift = mean.drift(closes);
    forecaster(vol, drift, &returns, cfg, true, &mut None, &mut None)
}

fn forecaster(
    vol: VolModel,
    drift: Option<f64>,
    returns: &[f64],
    cfg: &Config,
    refit: bool,
    warm: &mut Option<Vec<f64>>,
    params: &mut Option<Vec<f64>>,
) -> Result<Forecaster, String> {
    if vol == VolModel::Har {
        return har_forecaster(drift, returns, refit, params);
    }
    let Some((arch, how)) = vol.arch() else {
        let mu = returns.iter().sum::<f64>() / returns.len() as f64;
        let tail = &returns[returns.len().saturating_sub(cfg.vol_window)..];
        let m = tail.iter().sum::<f64>() / tail.len() as f64;
        let var = tail.iter().map(|r| (r - m).powi(2)).sum::<f64>() / (tail.len() - 1) as f64;
        return Ok(Forecaster::Gbm {
            mu: drift.unwrap_or(mu),
            sigma: var.sqrt(),
        });
    };
    let fit = match (refit, params.as_ref()) {
        (false, Some(p)) => arch.fix(returns, p),
        _ => {
            let opts = FitOptions {
                starts: if warm.is_some() { 1 } else { 2 },
                warm_start: warm.clone(),
                ljung_box_lags: 1,
                ..FitOptions::default()
            };
            arch.fit(returns, &opts)
        }
    }
    .map_err(|e| e.to_string())?;
    if refit {
        // A fit that stopped short still gives the best estimates found; only a converged
        // one seeds the next.
        *warm = fit.termination.converged.then(|| fit.u.clone());
        *params = Some(fit.params.clone());
    }
    let own = fit
        .names
        .iter()
        .position(|n| n == "mu")
        .map_or(0.0, |i| fit.params[i]);
    let sim = Simulator::new(&arch, &fit, returns).map_err(|e| e.to_string())?;
    Ok(Forecaster::Arch {
        sim: Box::new(sim),
        how,
        shift: drift.map_or(0.0, |d| d - own),
    })
}

/// HAR at an origin: fitted by OLS on a refit, else the last fit's mean and coefficients
/// filter the window (`params` holds `mu, b0, b_d, b_w, b_m`); innovations bootstrapped, and
/// the mean model's drift replacing the window's mean.
fn har_forecaster(
    drift: Option<f64>,
    returns: &[f64],
    refit: bool,
    params: &mut Option<Vec<f64>>,
) -> Result<Forecaster, String> {
    let fit = match (refit, params.as_deref()) {
        (false, Some(&[mu, b0, bd, bw, bm])) => HarFit::fix(returns, mu, [b0, bd, bw, bm]),
        _ => HarFit::fit(returns),
    }
    .map_err(|e| e.to_string())?;
    if refit {
        let mut p = vec![fit.mu];
        p.extend(fit.params);
        *params = Some(p);
    }
    let sim = Simulator::from_har(&fit, returns).map_err(|e| e.to_string())?;
    Ok(Forecaster::Arch {
        sim: Box::new(sim),
        how: Innovations::Bootstrap,
        shift: drift.map_or(0.0, |d| d - fit.mu),
    })
}

/// The seed of one origin and model: the run's seed mixed with the origin's day number and
/// the model (SplitMix64 finaliser), so every stream is distinct and independent of blocks.
fn origin_seed(seed: u64, day: Date, model: ModelKind) -> u64 {
    let mut z = seed ^ (u64::from(day.num_days_from_ce().unsigned_abs()) << 8) ^ model.code();
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Simulated paths summarised per horizon: the cumulative log return (percent) and its
/// running maximum and minimum, one value per path.
struct Paths {
    cum: Vec<Vec<f64>>,
    max: Vec<Vec<f64>>,
    min: Vec<Vec<f64>>,
}

impl Paths {
    fn with_capacity(horizons: usize, paths: usize) -> Self {
        Self {
            cum: vec![Vec::with_capacity(paths); horizons],
            max: vec![Vec::with_capacity(paths); horizons],
            min: vec![Vec::with_capacity(paths); horizons],
        }
    }
}

/// The horizons' indices, shortest first: the order in which a path reaches them.
fn by_length(horizons: &[usize]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..horizons.len()).collect();
    order.sort_by_key(|j| horizons[*j]);
    order
}

/// The fast sampler's innovations of a forecaster, its table from `tables`.
fn fast_draws(f: &Forecaster, tables: &mut TableCache) -> Result<FastDraws, String> {
    match f {
        Forecaster::Arch { sim, how, .. } => sim.fast_draws_cached(how, tables),
        Forecaster::Gbm { .. } => tables
            .get(Symmetric::Normal, 1.0)
            .map(FastDraws::from_table),
    }
    .map_err(|e| format!("the fast sampler: {e}"))
}

/// `paths` paths of the forecaster, path `i` on its own stream under `seed`: xoshiro256++
/// words through `draws` (the fast sampler), or without them ChaCha8 and the exact draws.
fn simulate(
    f: &Forecaster,
    draws: Option<&FastDraws>,
    horizons: &[usize],
    paths: usize,
    seed: u64,
) -> Paths {
    let (hmax, order) = (
        horizons.iter().copied().max().unwrap_or(0),
        by_length(horizons),
    );
    let mut out = Paths::with_capacity(horizons.len(), paths);
    for i in 0..paths {
        let mut stream = match draws {
            Some(d) => Stream::Fast(fast_rng(seed, i as u64), d),
            None => Stream::Exact(Box::new(path_rng(seed, i as u64))),
        };
        // HAR and GARCH(1,1) run their fused loops (the general simulator is their naive
        // twin); the others step the general simulator.
        let mut path = match f {
            Forecaster::Arch { sim, .. } => Some(ModelPath::new(sim)),
            Forecaster::Gbm { .. } => None,
        };
        let (mut cum, mut hi, mut lo) = (0.0, f64::NEG_INFINITY, f64::INFINITY);
        let mut next = 0;
        for day in 1..=hmax {
            let r = match (f, &mut path) {
                (Forecaster::Arch { sim, how, shift }, path) => {
                    let z = match &mut stream {
                        Stream::Fast(rng, d) => d.draw(rng),
                        Stream::Exact(rng) => sim.draw(rng.as_mut(), how),
                    };
                    shift + path.as_mut().map_or(0.0, |p| p.step(sim, z))
                }
                (Forecaster::Gbm { mu, sigma }, _) => {
                    let z = match &mut stream {
                        Stream::Fast(rng, d) => d.draw(rng),
                        Stream::Exact(rng) => rng.sample(StandardNormal),
                    };
                    mu + sigma * z
                }
            };
            cum += r;
            hi = hi.max(cum);
            lo = lo.min(cum);
            // Horizons are distinct, so at most one falls on a day; checked in order.
            while next < order.len() && horizons[order[next]] == day {
                let j = order[next];
                out.cum[j].push(cum);
                out.max[j].push(hi);
                out.min[j].push(lo);
                next += 1;
            }
        }
    }
    out
}

/// Paths side by side in [`simulate_lanes`].
const LANES: usize = 8;

/// [`simulate`] with the fast sampler, [`LANES`] paths at a time: each day steps every lane
/// before the next day, so the lanes' independent recursions (a GARCH variance waits on the
/// square root of the last) overlap in the processor instead of running one after another.
/// The same streams and operations as [`simulate`] path by path, so the same numbers to
/// the bit (its naive twin; the tests assert they agree).
// Lane loops index several arrays at once.
#[allow(clippy::needless_range_loop)]
fn simulate_lanes(
    f: &Forecaster,
    draws: &FastDraws,
    horizons: &[usize],
    paths: usize,
    seed: u64,
) -> Paths {
    let (hmax, order) = (
        horizons.iter().copied().max().unwrap_or(0),
        by_length(horizons),
    );
    let mut out = Paths::with_capacity(horizons.len(), paths);
    for first in (0..paths).step_by(LANES) {
        let live = LANES.min(paths - first);
        let mut rng: [Xoshiro256PlusPlus; LANES] =
            std::array::from_fn(|l| fast_rng(seed, (first + l) as u64));
        let mut path: [Option<ModelPath>; LANES] = std::array::from_fn(|_| match f {
            Forecaster::Arch { sim, .. } => Some(ModelPath::new(sim)),
            Forecaster::Gbm { .. } => None,
        });
        let mut cum = [0.0; LANES];
        let mut hi = [f64::NEG_INFINITY; LANES];
        let mut lo = [f64::INFINITY; LANES];
        let mut next = 0;
        for day in 1..=hmax {
            match f {
                Forecaster::Arch { sim, shift, .. } => {
                    for l in 0..LANES {
                        let z = draws.draw(&mut rng[l]);
                        cum[l] += shift + path[l].as_mut().map_or(0.0, |p| p.step(sim, z));
                    }
                }
                Forecaster::Gbm { mu, sigma } => {
                    for l in 0..LANES {
                        cum[l] += mu + sigma * draws.draw(&mut rng[l]);
                    }
                }
            }
            for l in 0..LANES {
                hi[l] = hi[l].max(cum[l]);
                lo[l] = lo[l].min(cum[l]);
            }
            while next < order.len() && horizons[order[next]] == day {
                let j = order[next];
                out.cum[j].extend_from_slice(&cum[..live]);
                out.max[j].extend_from_slice(&hi[..live]);
                out.min[j].extend_from_slice(&lo[..live]);
                next += 1;
            }
        }
    }
    out
}

/// A path's source of innovations.
enum Stream<'a> {
    Fast(Xoshiro256PlusPlus, &'a FastDraws),
    Exact(Box<rand_chacha::ChaCha8Rng>),
}

/// A threshold level: its name, the price, and whether it is relative to the origin price
/// (with its index in [`Config::relative_levels`]) or absolute.
fn levels(cfg: &Config, price: f64) -> Vec<(String, f64, Level)> {
    let mut out: Vec<(String, f64, Level)> = cfg
        .relative_levels
        .iter()
        .enumerate()
        .map(|(i, l)| {
            (
                format!("{l:+}%"),
                price * (1.0 + l / 100.0),
                Level::Relative(i),
            )
        })
        .collect();
    out.extend(
        cfg.absolute_levels
            .iter()
            .enumerate()
            .map(|(i, l)| (format!("{l}"), *l, Level::Absolute(i))),
    );
    out
}

#[derive(Clone, Copy)]
enum Level {
    Relative(usize),
    Absolute(usize),
}

#[allow(clippy::too_many_arguments)]
fn score_origin(
    history: &History,
    cfg: &Config,
    climate: &Climate,
    o: usize,
    price: f64,
    model: ModelKind,
    f: &Forecaster,
    draws: Option<&FastDraws>,
    seed: u64,
) -> Vec<Row> {
    let last = history.closes.len() - 1;
    let horizons: Vec<usize> = cfg
        .horizons
        .iter()
        .copied()
        .filter(|h| o + h <= last)
        .collect();
    if horizons.is_empty() {
        return Vec::new();
    }
    let paths = match draws {
        Some(d) => simulate_lanes(f, d, &horizons, cfg.paths, seed),
        None => simulate(f, None, &horizons, cfg.paths, seed),
    };
    let levels = levels(cfg, price);
    horizons
        .iter()
        .enumerate()
        .map(|(j, &h)| {
            let mut sorted = paths.cum[j].clone();
            sorted.sort_by(f64::total_cmp);
            // Realised outcomes come from the latest values, not those known at the origin.
            let realised = 100.0 * (history.closes[o + h] / price).ln();
            let path = &history.closes[o + 1..=o + h];
            let hi = 100.0 * (path.iter().copied().fold(0.0, f64::max) / price).ln();
            let lo = 100.0 * (path.iter().copied().fold(f64::INFINITY, f64::min) / price).ln();
            let misses = INTERVALS
                .iter()
                .map(|c| {
                    let a = (1.0 - c) / 2.0;
                    realised < quantile(&sorted, a) || realised > quantile(&sorted, 1.0 - a)
                })
                .collect();
            let n = cfg.paths as f64;
            let share = |xs: &[f64], hit: &dyn Fn(f64) -> bool| {
                xs.iter().filter(|x| hit(**x)).count() as f64 / n
            };
            let hi_ix = cfg.horizons.iter().position(|x| *x == h).unwrap_or(0);
            let mut events = Vec::with_capacity(levels.len() * 2);
            for (name, level, which) in &levels {
                let thr = 100.0 * (level / price).ln();
                let up = thr > 0.0;
                let beyond = |x: f64| if up { x >= thr } else { x <= thr };
                events.push(EventForecast {
                    level: name.clone(),
                    kind: EventKind::Close,
                    up,
                    p: share(&sorted, &beyond),
                    outcome: beyond(realised),
                    raw: None,
                    climate: climate.rate(hi_ix, *which, EventKind::Close, up, o),
                });
                let extreme = if up { &paths.max[j] } else { &paths.min[j] };
                events.push(EventForecast {
                    level: name.clone(),
                    kind: EventKind::Touch,
                    up,
                    p: share(extreme, &beyond),
                    outcome: beyond(if up { hi } else { lo }),
                    raw: None,
                    climate: climate.rate(hi_ix, *which, EventKind::Touch, up, o),
                });
            }
            Row {
                origin: history.dates[o],
                model,
                horizon: h,
                target: history.dates[o + h],
                price,
                realised,
                median: quantile(&sorted, 0.5),
                crps: crps_sorted(&sorted, realised),
                log_score: kde_logpdf(&sorted, realised).map(|l| -l),
                pit: pit(&sorted, realised),
                misses,
                events,
                quantiles: (0..QUANTILES)
                    .map(|k| quantile(&sorted, (k as f64 + 0.5) / QUANTILES as f64))
                    .collect(),
            }
        })
        .collect()
}

/// Fewest past outcomes a climatological rate is computed from.
pub const CLIMATE_MIN: usize = 250;

/// Climatological event rates: for each horizon and level, whether the event happened from
/// each day of the history, counted cumulatively so that a rate at an origin uses only the
/// days whose outcome was known then.
pub struct Climate {
    /// The horizons, as in [`Config::horizons`].
    horizons: Vec<usize>,
    /// `[horizon][relative level]` → cumulative counts of (close ≥, close ≤, touch ≥, touch ≤).
    relative: Vec<Vec<[Vec<u32>; 4]>>,
    /// `[horizon][absolute level]` → the same.
    absolute: Vec<Vec<[Vec<u32>; 4]>>,
}

impl Climate {
    /// Counts every event of `cfg` over `history` (latest values).
    #[must_use]
    pub fn new(history: &History, cfg: &Config) -> Self {
        let x: Vec<f64> = history.closes.iter().map(|c| 100.0 * c.ln()).collect();
        let n = x.len();
        let mut relative = Vec::new();
        let mut absolute = Vec::new();
        for &h in &cfg.horizons {
            // From each day d with d + h < n: the close at d + h and the extremes of
            // d + 1 ..= d + h, as log changes from d.
            let m = n.saturating_sub(h);
            let mut close = Vec::with_capacity(m);
            let mut hi = Vec::with_capacity(m);
            let mut lo = Vec::with_capacity(m);
            for d in 0..m {
                let w = &x[d + 1..=d + h];
                close.push(x[d + h] - x[d]);
                hi.push(w.iter().copied().fold(f64::NEG_INFINITY, f64::max) - x[d]);
                lo.push(w.iter().copied().fold(f64::INFINITY, f64::min) - x[d]);
            }
            let counts = |hit: &dyn Fn(usize) -> bool| -> Vec<u32> {
                let mut c = Vec::with_capacity(m + 1);
                c.push(0);
                for d in 0..m {
                    c.push(c[d] + u32::from(hit(d)));
                }
                c
            };
            relative.push(
                cfg.relative_levels
                    .iter()
                    .map(|l| {
                        let t = 100.0 * (1.0 + l / 100.0).ln();
                        [
                            counts(&|d| close[d] >= t),
                            counts(&|d| close[d] <= t),
                            counts(&|d| hi[d] >= t),
                            counts(&|d| lo[d] <= t),
                        ]
                    })
                    .collect(),
            );
            absolute.push(
                cfg.absolute_levels
                    .iter()
                    .map(|l| {
                        let t = 100.0 * l.ln();
                        [
                            counts(&|d| x[d + h] >= t),
                            counts(&|d| x[d + h] <= t),
                            counts(&|d| hi[d] + x[d] >= t),
                            counts(&|d| lo[d] + x[d] <= t),
                        ]
                    })
                    .collect(),
            );
        }
        Self {
            horizons: cfg.horizons.clone(),
            relative,
            absolute,
        }
    }

    /// The rate at origin `o` of an event at the `h`-th horizon: over the days `d` whose
    /// outcome (at `d + h`) is known at `o`.
    fn rate(&self, h: usize, level: Level, kind: EventKind, up: bool, o: usize) -> Option<f64> {
        let sets = match level {
            Level::Relative(i) => self.relative.get(h)?.get(i)?,
            Level::Absolute(i) => self.absolute.get(h)?.get(i)?,
        };
        let which = match (kind, up) {
            (EventKind::Close, true) => 0,
            (EventKind::Close, false) => 1,
            (EventKind::Touch, true) => 2,
            (EventKind::Touch, false) => 3,
        };
        let c = &sets[which];
        let horizon = *self.horizons.get(h)?;
        // Days 0 ..= o − h have their outcome by o.
        let known = (o + 1).checked_sub(horizon)?.min(c.len() - 1);
        (known >= CLIMATE_MIN).then(|| f64::from(c[known]) / known as f64)
    }
}

/// The mean gap between origins in trading days, which sizes the overlap of h-step forecasts.
#[must_use]
pub fn spacing(origins: &[usize]) -> f64 {
    match (origins.first(), origins.last()) {
        (Some(a), Some(b)) if origins.len() > 1 => (b - a) as f64 / (origins.len() - 1) as f64,
        _ => 1.0,
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_distr::{Distribution, StudentT};

    use super::*;
    use crate::model::MeanModel;

    /// Closes from GARCH(1,1)-t returns (percent): clusters and fat tails for every model.
    fn closes(n: usize) -> Vec<f64> {
        let (omega, alpha, beta, nu): (f64, f64, f64, f64) = (0.02, 0.08, 0.9, 5.0);
        let t = StudentT::new(nu).unwrap();
        let scale = ((nu - 2.0) / nu).sqrt();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let (mut var, mut price) = (omega / (1.0 - alpha - beta), 1000.0);
        (0..n)
            .map(|_| {
                let e = var.sqrt() * t.sample(&mut rng) * scale;
                price *= ((0.03 + e) / 100.0).exp();
                var = omega + alpha * e * e + beta * var;
                price
            })
            .collect()
    }

    fn config() -> Config {
        Config {
            models: vec![ModelKind::GBM],
            horizons: vec![21],
            window: Window::Days(1500),
            refit: 1,
            paths: 1000,
            seed: 3,
            relative_levels: Vec::new(),
            absolute_levels: Vec::new(),
            vol_window: 250,
            min_returns: 500,
            sampler: Sampler::Fast,
        }
    }

    fn members() -> Vec<(ModelKind, Forecaster)> {
        let c = closes(1600);
        [
            ModelKind::GBM,
            ModelKind::GARCH_T,
            ModelKind::GJR_T,
            ModelKind::FHS,
            ModelKind::HAR,
            ModelKind::Single(VolModel::GarchT, MeanModel::Mom),
        ]
        .into_iter()
        .map(|m| (m, fit_member(m, &c, &config()).unwrap()))
        .collect()
    }

    fn same(a: &Paths, b: &Paths) -> bool {
        let bits = |v: &Vec<Vec<f64>>| -> Vec<Vec<u64>> {
            v.iter()
                .map(|x| x.iter().map(|y| y.to_bits()).collect())
                .collect()
        };
        bits(&a.cum) == bits(&b.cum) && bits(&a.max) == bits(&b.max) && bits(&a.min) == bits(&b.min)
    }

    #[test]
    fn lanes_are_the_path_by_path_loop_to_the_bit() {
        let mut tables = TableCache::default();
        for (m, f) in members() {
            let d = fast_draws(&f, &mut tables).unwrap();
            // Paths that do not fill the last lane block; horizons out of order.
            let horizons = [21, 1, 5];
            let lanes = simulate_lanes(&f, &d, &horizons, 37, 9);
            let scalar = simulate(&f, Some(&d), &horizons, 37, 9);
            assert!(same(&lanes, &scalar), "{m}");
            assert_eq!(lanes.cum[0].len(), 37);
        }
        // GARCH-t and its momentum variant share one fit, hence one table; GJR-t has its
        // own, GBM the normal's, and the bootstrapped models none: three for six members.
        assert_eq!(tables.len(), 3);
    }

    #[test]
    fn fast_and_exact_draws_agree_within_monte_carlo_error() {
        let n = 20_000;
        for (m, f) in members() {
            let d = fast_draws(&f, &mut TableCache::default()).unwrap();
            let fast = simulate_lanes(&f, &d, &[21], n, 4);
            let exact = simulate(&f, None, &[21], n, 4);
            assert!(
                !same(&fast, &exact),
                "{m}: the two samplers draw differently"
            );
            let moments = |x: &[f64]| {
                let mean = x.iter().sum::<f64>() / x.len() as f64;
                let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / x.len() as f64;
                (mean, var.sqrt())
            };
            let ((ma, sa), (mb, sb)) = (moments(&fast.cum[0]), moments(&exact.cum[0]));
            let se = sa / (n as f64).sqrt();
            // Means within 4 standard errors of their difference, spreads within 4%.
            assert!(
                (ma - mb).abs() < 4.0 * se * 2f64.sqrt(),
                "{m}: mean {ma} vs {mb}"
            );
            assert!((sa / sb - 1.0).abs() < 0.04, "{m}: sd {sa} vs {sb}");
            // A touch probability, the event the report prints.
            let thr = 1.5 * sb;
            let p = |x: &[f64]| x.iter().filter(|v| **v >= thr).count() as f64 / n as f64;
            let (pa, pb) = (p(&fast.max[0]), p(&exact.max[0]));
            let se = (pb * (1.0 - pb) / n as f64).sqrt();
            assert!(
                (pa - pb).abs() < 4.0 * se * 2f64.sqrt(),
                "{m}: touch {pa} vs {pb}"
            );
        }
    }
}
