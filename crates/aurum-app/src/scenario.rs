//! Scenario runs: a scenario file made ready (prices as of its date, the fitted baseline, the
//! analogs' event studies), simulated with each scenario's contribution, and recorded.

use std::collections::{BTreeMap, HashMap};

use aurum_backtest::{
    Config, EventKind, Every, Forecaster, ModelKind, StackWeights, Window as FitWindow, fit_as_of,
};
use aurum_core::{Date, SeriesId};
use aurum_events::{Category, Event, EventFilter};
use aurum_eventstudy::{Calendar, Design, EventSpec, Model, OverlapPolicy};
use aurum_sim::{
    Base, Baseline, Member, Results, RunOptions, ScenarioFile, Setup, Shock, simulate_with_progress,
};
use aurum_store::Store;
use aurum_vol::{ArchModel, Dist, FitOptions, Innovations, Mean, Simulator, Vol};
use serde::Serialize;
use serde_json::Value;

use crate::backtest::BacktestJob;
use crate::data::closes;
use crate::events::{EventOrigin, Listed, all_events, all_events_with};
use crate::fingerprint::Fnv;
use crate::vol::by_name;
use crate::{AppError, AppResult, Progress, Window, now};

/// The example scenario file shipped with aurum: the reference note's chain of 2025-02-18.
pub const EXAMPLE: &str = include_str!("../../../examples/us-nato-exit-2025-02-18.toml");

/// The example's file name.
pub const EXAMPLE_NAME: &str = "us-nato-exit-2025-02-18.toml";

/// The bundled example scenario file, as text and parsed.
#[derive(Clone, Debug, Serialize)]
pub struct Example {
    /// Its file name.
    pub name: &'static str,
    /// Its text (TOML).
    pub toml: &'static str,
    /// Parsed.
    pub file: ScenarioFile,
}

/// The bundled example scenario file.
///
/// # Errors
///
/// None in practice: the example is checked by the tests.
pub fn example() -> AppResult<Example> {
    Ok(Example {
        name: EXAMPLE_NAME,
        toml: EXAMPLE,
        file: parse(&format!("examples/{EXAMPLE_NAME}"), EXAMPLE, None)?,
    })
}

/// Parses a scenario file's text (`name` is used in errors), moving its as-of date when
/// given.
///
/// # Errors
///
/// A file that does not parse or validate, naming its field; an as-of date the file's
/// horizon or windows do not allow (naming `as_of`).
pub fn parse(name: &str, text: &str, as_of: Option<Date>) -> AppResult<ScenarioFile> {
    let mut f = aurum_sim::parse(name, text)?;
    if let Some(d) = as_of {
        f.set_as_of(d)
            .map_err(|e| AppError::bad("as_of", format!("`as_of` {e}")))?;
    }
    Ok(f)
}

/// Reads and parses a scenario file.
///
/// # Errors
///
/// An unreadable file, and as [`parse`].
pub fn load(path: &std::path::Path, as_of: Option<Date>) -> AppResult<(ScenarioFile, String)> {
    // A scenario file over the parser's limit is refused without reading it all.
    let text = crate::input::read_text("file", path, aurum_sim::MAX_FILE_BYTES as u64 + 1)?;
    Ok((parse(&path.display().to_string(), &text, as_of)?, text))
}

/// Checks what a scenario file needs from the store, as a run would: its series exists and
/// has a price by as_of.
///
/// # Errors
///
/// An unknown series ([`AppError::NotFound`]), no price by as_of.
pub fn check(store: &Store, f: &ScenarioFile) -> AppResult<()> {
    let id = SeriesId::new(f.series.clone())?;
    let series = closes(store, &id, &Window::as_of(Some(f.as_of)))?;
    if series.values.is_empty() {
        return Err(AppError::bad(
            "as_of",
            format!("{id} has no price on or before {}", f.as_of),
        ));
    }
    Ok(())
}

/// A scenario's judged probability beside the base rate of its reference class: how often
/// the catalog's events of that category happened from 1968 to the file's as_of (bundled
/// and user events, none dated later), and the chance of at least one in the scenario's
/// window at that rate.
#[derive(Clone, Debug, Serialize)]
pub struct BaseRateOut {
    /// The scenario's id.
    pub scenario: String,
    /// The reference class: an event category.
    pub category: String,
    /// Its name in Japanese.
    pub category_ja: String,
    /// The scenario's judged probability (given its parents, where it requires any).
    pub judged: f64,
    /// Events of the category counted.
    pub n: usize,
    /// The first day counted (1968-01-01).
    pub since: Date,
    /// The first event counted.
    pub first: Option<Date>,
    /// Years counted, from `since` to as_of.
    pub years: f64,
    /// Events a year.
    pub rate_per_year: f64,
    /// First day of the window: the scenario's own, else the day after as_of.
    pub window_from: Date,
    /// Last day of the window: the scenario's own, else the horizon.
    pub window_to: Date,
    /// Days in the window, both ends counted.
    pub window_days: u32,
    /// The chance of at least one such event in the window at the base rate, 1 − exp(−λw).
    pub p: f64,
    /// Lower end of its 90% interval (Garwood's exact interval of the rate).
    pub p_lo: f64,
    /// Upper end of its 90% interval.
    pub p_hi: f64,
}

/// A scenario file checked as a run would check it, with the base rates beside its judged
/// probabilities.
#[derive(Clone, Debug, Serialize)]
pub struct Checked {
    /// The file's title.
    pub title: String,
    /// Its as-of date.
    pub as_of: Date,
    /// Its horizon.
    pub horizon: Date,
    /// The series it simulates.
    pub series: String,
    /// Scenarios in its tree.
    pub scenarios: usize,
    /// The base rate beside each judged probability, for the scenarios with a reference
    /// class.
    pub base_rates: Vec<BaseRateOut>,
    /// What a base rate is and is not.
    pub note: &'static str,
}

/// Checks a scenario file against the store ([`check`]) and puts the base rates beside its
/// judged probabilities ([`base_rates`]).
///
/// # Errors
///
/// As [`check`] and [`base_rates`].
pub fn checked(store: &Store, f: &ScenarioFile, bundled: &[Event]) -> AppResult<Checked> {
    check(store, f)?;
    let events = all_events_with(store, EventOrigin::All, bundled)?;
    Ok(Checked {
        title: f.title.clone(),
        as_of: f.as_of,
        horizon: f.horizon,
        series: f.series.clone(),
        scenarios: f.scenarios.len(),
        base_rates: base_rates(&events, f)?,
        note: base_rate_note(aurum_core::Lang::En),
    })
}

/// What a base rate is and is not, in `lang`: printed and shown beside base rates.
#[must_use]
pub fn base_rate_note(lang: aurum_core::Lang) -> &'static str {
    match lang {
        aurum_core::Lang::En => {
            "The event catalog is curated (the major events of each kind, as it defines them), so a base rate is a reference point for the judgement, not a forecast."
        }
        aurum_core::Lang::Ja => {
            "イベントカタログは各分類の主要な出来事を独自の基準で厳選したものであり、ベースレートは判断の参照点であって予測ではない。"
        }
    }
}

/// The base rate beside each scenario's judged probability, for the scenarios with a
/// reference class (`base_rate`, else the category of an analogs shock), in the file's
/// order. Counts the `events` (bundled and user, as [`all_events`] lists them) dated from
/// 1968-01-01 to the file's as_of; the window is the scenario's, else the day after as_of to
/// the horizon.
///
/// # Errors
///
/// An as_of before 1968 (no years to count over), a reference class that is not a category.
pub fn base_rates(events: &[Listed], f: &ScenarioFile) -> AppResult<Vec<BaseRateOut>> {
    let mut classes = Vec::new();
    for s in &f.scenarios {
        if let Some(c) = f.reference_class(s) {
            let cat: Category = c.parse().map_err(|e: String| {
                AppError::bad("base_rate", format!("scenario {:?}: {e}", s.id))
            })?;
            classes.push((s, cat));
        }
    }
    let mut out = Vec::with_capacity(classes.len());
    for (s, cat) in classes {
        let dates: Vec<Date> = events
            .iter()
            .filter(|l| l.event.category == cat)
            .map(|l| l.event.date)
            .collect();
        let (from, to) = s
            .window
            .unwrap_or((f.as_of.succ_opt().unwrap_or(f.horizon), f.horizon));
        let days = u32::try_from((to - from).num_days() + 1).unwrap_or(0);
        let r = aurum_events::base_rate(&dates, aurum_events::BASE_RATE_START, f.as_of, days)
            .ok_or_else(|| {
                AppError::bad(
                    "as_of",
                    format!(
                        "as_of {} is before {}, the first day base rates count from",
                        f.as_of,
                        aurum_events::BASE_RATE_START
                    ),
                )
            })?;
        out.push(BaseRateOut {
            scenario: s.id.clone(),
            category: cat.as_str().to_owned(),
            category_ja: crate::labels::category_ja(cat.as_str()).to_owned(),
            judged: s.probability,
            n: r.n,
            since: r.since,
            first: r.first,
            years: r.years,
            rate_per_year: r.rate,
            window_from: from,
            window_to: to,
            window_days: r.window_days,
            p: r.p,
            p_lo: r.p_lo,
            p_hi: r.p_hi,
        });
    }
    Ok(out)
}

/// What the event study measured for one analog category.
#[derive(Clone, Debug)]
pub struct AnalogStats {
    /// Events measured.
    pub n: usize,
    /// Year of the first.
    pub first_year: i32,
    /// CAAR over the window, as a log return.
    pub caar: f64,
    /// Cross-sectional t.
    pub t: f64,
    /// Share of events with a positive CAR.
    pub positive_share: f64,
    /// The event window.
    pub window: (i32, i32),
}

/// The event window analogs are measured over, in trading days around day 0.
const ANALOG_WINDOW: (i32, i32) = (-1, 5);

/// Cumulative abnormal returns of each analog category, measured as of `as_of`, with the
/// study's summary.
fn analogs(
    store: &Store,
    f: &ScenarioFile,
    series: &[(Date, f64)],
) -> AppResult<HashMap<String, (Vec<f64>, AnalogStats)>> {
    let mut out = HashMap::new();
    let events = all_events(store, EventOrigin::All)?;
    let cal = Calendar::new(series, &[])?;
    for s in &f.scenarios {
        let Shock::Analogs { category } = &s.shock else {
            continue;
        };
        if out.contains_key(category) {
            continue;
        }
        let cat: Category = category.parse().map_err(|e: String| {
            AppError::bad("shock", format!("scenario {:?}: shock analogs: {e}", s.id))
        })?;
        let filter = EventFilter {
            categories: vec![cat],
            as_of: Some(f.as_of),
            ..EventFilter::default()
        };
        let specs: Vec<EventSpec> = events
            .iter()
            .filter(|l| filter.matches(&l.event))
            .map(|l| EventSpec {
                id: l.event.id.clone(),
                date: l.event.date,
            })
            .collect();
        let study = aurum_eventstudy::study(
            &cal,
            Model::Mean,
            &Design::new(ANALOG_WINDOW, (-250, -11))?,
            &specs,
            OverlapPolicy::Flag,
        )?;
        let cars: Vec<f64> = study.events.iter().map(|e| e.car).collect();
        let Some(agg) = &study.aggregate else {
            return Err(AppError::bad(
                "shock",
                format!(
                    "scenario {:?}: no {category} event measurable as of {}",
                    s.id, f.as_of
                ),
            ));
        };
        let stats = AnalogStats {
            n: agg.n,
            first_year: study
                .events
                .iter()
                .map(|e| chrono::Datelike::year(&e.day0))
                .min()
                .unwrap_or(0),
            caar: agg.caar,
            t: agg.t_cs,
            positive_share: cars.iter().filter(|c| **c > 0.0).count() as f64
                / cars.len().max(1) as f64,
            window: ANALOG_WINDOW,
        };
        out.insert(category.clone(), (cars, stats));
    }
    Ok(out)
}

/// The baseline as recorded: the model and, for GARCH, its fit.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "model")]
pub enum BaselineOut {
    /// Geometric Brownian motion.
    #[serde(rename = "gbm")]
    Gbm {
        /// Drift, percent a year.
        drift_pct: f64,
        /// Volatility, percent a year.
        vol_pct: f64,
    },
    /// GARCH(1,1) with Student's t innovations.
    #[serde(rename = "garch-t")]
    GarchT {
        /// First date of the fit.
        fit_from: Date,
        /// Estimates by name.
        params: BTreeMap<String, f64>,
        /// Log-likelihood.
        loglik: f64,
        /// Returns fitted.
        nobs: usize,
        /// The fit's warnings.
        diagnostics: Vec<String>,
    },
    /// The stack: its members with the weights their track record earned.
    #[serde(rename = "stack")]
    Stack {
        /// First date of the GARCH members' fit.
        fit_from: Date,
        /// Members by name with their weights (those of at least half a percent).
        weights: Vec<(String, f64)>,
        /// Past forecasts the weights were fitted on (0: too few, equal weights).
        fitted_on: usize,
        /// First origin of the track record.
        record_from: Date,
    },
}

/// The track record a stack baseline is fitted on: monthly origins from `from` to the
/// scenario's as_of, at its horizon, with events at its targets' distances.
#[derive(Clone, Copy, Debug)]
pub struct RecordSettings {
    /// First origin.
    pub from: Date,
    /// Paths per origin and model.
    pub paths: usize,
    /// Seed.
    pub seed: u64,
}

impl Default for RecordSettings {
    fn default() -> Self {
        Self {
            from: aurum_core::date(1990, 1, 1),
            paths: 1000,
            seed: 7,
        }
    }
}

/// A target's probabilities at the horizon before and after recalibration on the track
/// record.
#[derive(Clone, Debug, Serialize)]
pub struct Recalibrated {
    /// The target price.
    pub target: f64,
    /// The event's level in the track record (its distance from the start, e.g. `+2.4%`).
    pub level: String,
    /// P(touch by the horizon), as simulated.
    pub p_touch_raw: f64,
    /// P(touch), recalibrated (as simulated when the record has no map for it).
    pub p_touch: f64,
    /// P(close ≥ target at the horizon), as simulated.
    pub p_close_raw: f64,
    /// P(close ≥ target), recalibrated.
    pub p_close: f64,
    /// Whether both were mapped (else a raw probability stands for the other).
    pub mapped: bool,
    /// Whether `p_touch` went through a map.
    pub touch_mapped: bool,
    /// Whether `p_close` went through a map.
    pub close_mapped: bool,
}

/// The track record's backtest of a scenario file: GBM and the stack, monthly, at the
/// file's horizon, with threshold events at the targets' distances from `s0` (rounded to a
/// tenth of a percent).
///
/// # Errors
///
/// A series id that is not one.
pub fn record_job(
    f: &ScenarioFile,
    s0: f64,
    days: usize,
    fit_years: u32,
    settings: &RecordSettings,
) -> AppResult<BacktestJob> {
    let mut levels: Vec<f64> = f
        .targets
        .iter()
        .map(|t| level_of(t.level(s0), s0))
        .filter(|l| l.abs() >= 0.1)
        .collect();
    levels.sort_by(f64::total_cmp);
    levels.dedup();
    Ok(BacktestJob {
        series: SeriesId::new(f.series.clone())?,
        window: Window {
            from: Some(settings.from),
            to: Some(f.as_of),
            as_of: Some(f.as_of),
        },
        every: Every::Month,
        cfg: Config {
            models: vec![ModelKind::GBM, ModelKind::Stack],
            horizons: vec![days],
            window: FitWindow::Days(fit_years as usize * 252),
            refit: 1,
            paths: settings.paths,
            seed: settings.seed,
            relative_levels: levels,
            absolute_levels: Vec::new(),
            vol_window: 252,
            min_returns: 500,
            sampler: aurum_backtest::Sampler::Fast,
        },
        fresh: false,
        max_blocks: None,
    })
}

/// A target's distance from `s0` in percent, rounded to a tenth: the track record's level.
fn level_of(target: f64, s0: f64) -> f64 {
    ((target / s0 - 1.0) * 1000.0).round() / 10.0
}

/// A scenario file made ready to simulate: prices as of its date, the fitted baseline and the
/// analogs.
#[derive(Clone, Debug)]
pub struct Prepared {
    /// Closes up to as_of.
    pub series: Vec<(Date, f64)>,
    /// Date of the last close.
    pub last_date: Date,
    /// The last close.
    pub s0: f64,
    /// What the engine needs.
    pub setup: Setup,
    /// The baseline as recorded.
    pub baseline: BaselineOut,
    /// Annualised volatility now, percent.
    pub vol_now_pct: f64,
    /// Long-run volatility, percent (none when integrated).
    pub vol_long_run_pct: Option<f64>,
    /// First date of the fit.
    pub fit_from: Option<Date>,
    /// Event-study summaries of the analog categories.
    pub analog_stats: HashMap<String, AnalogStats>,
    /// For a stack baseline: its state as of as_of (weights and calibration maps).
    pub stack: Option<StackWeights>,
    /// For a stack baseline: the track record it was fitted on (scored as of as_of).
    pub record: Option<crate::backtest::BacktestReport>,
}

impl Prepared {
    /// Each target's probabilities at the horizon, recalibrated with the stack's maps (none
    /// for other baselines).
    #[must_use]
    pub fn recalibrate(&self, results: &Results) -> Vec<Recalibrated> {
        if self.stack.is_none() {
            return Vec::new();
        }
        results
            .targets
            .iter()
            .map(|t| {
                let level = format!("{:+}%", level_of(t.target, self.s0));
                let (touch, close) = (
                    self.calibrated(EventKind::Touch, t.target, t.p_touch),
                    self.calibrated(EventKind::Close, t.target, t.p_close_above),
                );
                Recalibrated {
                    target: t.target,
                    p_touch_raw: t.p_touch,
                    p_touch: touch.unwrap_or(t.p_touch),
                    p_close_raw: t.p_close_above,
                    p_close: close.unwrap_or(t.p_close_above),
                    mapped: touch.is_some() && close.is_some(),
                    touch_mapped: touch.is_some(),
                    close_mapped: close.is_some(),
                    level,
                }
            })
            .collect()
    }

    /// `p`, the simulated chance that the price touches (or closes) at or above `target`,
    /// through the stack's calibration map of that event, when one applies.
    ///
    /// The track record's events at levels below the starting price are falls, to or below
    /// the level. Closing at or above such a level is the complement of closing below it, so
    /// its map is applied to the complement; touching a level below the start from above has
    /// no event in the record and gets no map.
    #[must_use]
    pub fn calibrated(&self, kind: EventKind, target: f64, p: f64) -> Option<f64> {
        let level = format!("{:+}%", level_of(target, self.s0));
        let map = self.stack.as_ref()?.map_for(kind, &level)?;
        at_or_above(&map, kind, target > self.s0, p)
    }

    /// The fingerprint of the prices and analog returns this run uses.
    #[must_use]
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.series, &self.setup.analogs)
    }
}

/// [`Prepared::calibrated`] with the event's map: above the start the map is the event's
/// own; below it, the map of a fall.
fn at_or_above(
    map: &aurum_backtest::Calibration,
    kind: EventKind,
    above_start: bool,
    p: f64,
) -> Option<f64> {
    match (above_start, kind) {
        (true, _) => Some(map.apply(p)),
        (false, EventKind::Close) => Some(1.0 - map.apply(1.0 - p)),
        (false, EventKind::Touch) => None,
    }
}

/// Most calendar days between a series' last price and a scenario's `as_of`: the longest
/// break of a daily series is a long holiday weekend (Easter, Christmas: four days), so a
/// longer gap means the data stop before `as_of`.
pub const STALE_DAYS: i64 = 7;

/// Prepares a scenario file: its prices as of its date, its fitted baseline, its analogs.
///
/// # Errors
///
/// An unknown series, no price by as_of or none within [`STALE_DAYS`] before it, a
/// baseline that cannot be fitted, analogs that cannot be measured.
pub fn prepare(
    store: &mut Store,
    f: &ScenarioFile,
    record: &RecordSettings,
    progress: &dyn Progress,
) -> AppResult<Prepared> {
    let id = SeriesId::new(f.series.clone())?;
    let series = closes(store, &id, &Window::as_of(Some(f.as_of)))?.values;
    let days = simulated_days(f);
    let &(last_date, s0) = series.last().ok_or_else(|| {
        AppError::bad(
            "as_of",
            format!("{id} has no price on or before {}", f.as_of),
        )
    })?;
    let stale = (f.as_of - last_date).num_days();
    if stale > STALE_DAYS {
        return Err(AppError::bad(
            "as_of",
            format!(
                "as_of {} is {stale} days after {id}'s last price ({last_date}): the paths \
                 would start from that old price as if it were the price on {}. Update the \
                 data (`aurum data update`) or set as_of to {last_date} or earlier",
                f.as_of, f.as_of
            ),
        ));
    }
    let mut fit_from = None;
    let mut stack = None;
    let mut record_report = None;
    let (base, baseline, vol_now_pct, vol_long_run_pct) = match &f.baseline {
        Baseline::Stack { fit_years } => {
            let job = record_job(f, s0, days.len(), *fit_years, record)?;
            let (report, rows) = crate::backtest::run_rows(store, &job, progress)?;
            record_report = Some(report);
            let state = fit_as_of(&rows, f.as_of)
                .into_iter()
                .next()
                .unwrap_or_else(|| StackWeights {
                    origin: f.as_of,
                    horizon: days.len(),
                    fitted_on: 0,
                    weights: ModelKind::STACK_MEMBERS
                        .iter()
                        .map(|m| (*m, 1.0 / ModelKind::STACK_MEMBERS.len() as f64))
                        .collect(),
                    calibration: Vec::new(),
                });
            let closes: Vec<f64> = series.iter().map(|x| x.1).collect();
            let mut members = Vec::new();
            let mut vol_sq = 0.0;
            let mut shown = Vec::new();
            progress.start("fitting the stack's members", None);
            for (model, weight) in &state.weights {
                if *weight < 0.005 {
                    continue;
                }
                let fitted = aurum_backtest::fit_member(*model, &closes, &job.cfg).map_err(|e| {
                    AppError::invalid(format!("fitting {model} as of {}: {e}", f.as_of))
                });
                let fitted = match fitted {
                    Ok(x) => x,
                    Err(e) => {
                        progress.finish();
                        return Err(e);
                    }
                };
                let (member, daily_var) = match fitted {
                    Forecaster::Gbm { mu, sigma } => (
                        Member {
                            weight: *weight,
                            base: Base::Gbm {
                                mu: mu / 100.0,
                                sigma: sigma / 100.0,
                            },
                            shift: 0.0,
                            innovations: Innovations::Parametric,
                        },
                        sigma * sigma,
                    ),
                    Forecaster::Arch { sim, how, shift } => {
                        let v = sim.next_variance(&sim.initial_state());
                        (
                            Member {
                                weight: *weight,
                                base: Base::Model { sim, scale: 100.0 },
                                shift,
                                innovations: how,
                            },
                            v,
                        )
                    }
                };
                vol_sq += weight * daily_var;
                shown.push((model.name(), *weight));
                members.push(member);
            }
            progress.finish();
            let start = f
                .as_of
                .checked_sub_months(chrono::Months::new(12 * fit_years))
                .unwrap_or(f.as_of);
            fit_from = Some(start);
            let total: f64 = shown.iter().map(|x| x.1).sum();
            let baseline = BaselineOut::Stack {
                fit_from: start,
                weights: shown.into_iter().map(|(m, w)| (m, w / total)).collect(),
                fitted_on: state.fitted_on,
                record_from: record.from,
            };
            stack = Some(state);
            (
                Base::Mixture(members),
                baseline,
                (252.0 * vol_sq / total.max(f64::MIN_POSITIVE)).sqrt(),
                None,
            )
        }
        Baseline::Gbm { drift_pct, vol_pct } => {
            let sigma = vol_pct / 100.0 / 252f64.sqrt();
            (
                Base::Gbm {
                    mu: drift_pct / 100.0 / 252.0,
                    sigma,
                },
                BaselineOut::Gbm {
                    drift_pct: *drift_pct,
                    vol_pct: *vol_pct,
                },
                *vol_pct,
                Some(*vol_pct),
            )
        }
        Baseline::GarchT { fit_years } => {
            let start = f
                .as_of
                .checked_sub_months(chrono::Months::new(12 * fit_years))
                .unwrap_or(f.as_of);
            fit_from = Some(start);
            let recent: Vec<(Date, f64)> = series
                .iter()
                .copied()
                .filter(|(d, _)| *d >= start)
                .collect();
            let returns: Vec<f64> = recent
                .windows(2)
                .map(|w| 100.0 * (w[1].1.ln() - w[0].1.ln()))
                .collect();
            let model = ArchModel::new(
                Mean::Constant,
                Vol::Garch { p: 1, o: 0, q: 1 },
                Dist::StudentsT,
            );
            progress.start("fitting GARCH(1,1)-t", None);
            let fit = model.fit(&returns, &FitOptions::default());
            progress.finish();
            let fit = fit?;
            let baseline = BaselineOut::GarchT {
                fit_from: start,
                params: by_name(&fit.names, &fit.params),
                loglik: fit.loglik,
                nobs: fit.nobs,
                diagnostics: fit.diagnostics.clone(),
            };
            let sim = Simulator::new(&model, &fit, &returns)?;
            let now = sim.next_variance(&sim.initial_state());
            let persistence = fit.params[2] + fit.params[3];
            let long_run = (persistence < 1.0 - 1e-6)
                .then(|| (252.0 * fit.params[1] / (1.0 - persistence)).sqrt());
            (
                Base::Model {
                    sim: Box::new(sim),
                    scale: 100.0,
                },
                baseline,
                (252.0 * now).sqrt(),
                long_run,
            )
        }
    };
    let mut cars = HashMap::new();
    let mut analog_stats = HashMap::new();
    for (k, (c, st)) in analogs(store, f, &series)? {
        cars.insert(k.clone(), c);
        analog_stats.insert(k, st);
    }
    let setup = Setup {
        s0,
        days,
        base,
        scenarios: f.scenarios.clone(),
        analogs: cars,
        targets: f.targets.iter().map(|t| t.level(s0)).collect(),
    };
    Ok(Prepared {
        series,
        last_date,
        s0,
        setup,
        baseline,
        vol_now_pct,
        vol_long_run_pct,
        fit_from,
        analog_stats,
        stack,
        record: record_report,
    })
}

/// Simulates the tree, and with `contributions` once more per scenario with it switched off
/// (the same paths otherwise), as one piece of work.
///
/// # Errors
///
/// Settings the engine refuses.
pub fn simulate_all(
    setup: &Setup,
    paths: usize,
    seed: u64,
    contributions: bool,
    progress: &dyn Progress,
) -> AppResult<(Results, Vec<Results>)> {
    let runs = 1 + if contributions {
        setup.scenarios.len()
    } else {
        0
    };
    progress.start(
        &format!("simulating {paths} paths × {} days", setup.days.len()),
        Some((paths * runs) as u64),
    );
    let tick = |n: u64| progress.advance(n);
    let run = |disabled: Option<usize>| {
        if progress.cancelled() {
            return Err(aurum_sim::SimError::Settings("stopped".into()));
        }
        simulate_with_progress(
            setup,
            &RunOptions {
                paths,
                seed,
                disabled,
            },
            &tick,
        )
    };
    let out = run(None).and_then(|results| {
        let mut without = Vec::new();
        if contributions {
            for i in 0..setup.scenarios.len() {
                without.push(run(Some(i))?);
            }
        }
        Ok((results, without))
    });
    progress.finish();
    AppError::check(progress)?;
    Ok(out?)
}

/// What a scenario adds to each target's probabilities: with it minus without it.
#[derive(Clone, Debug, Serialize)]
pub struct Contribution {
    /// Added to P(touch), per target.
    pub p_touch: Vec<f64>,
    /// Added to P(close ≥ target), per target.
    pub p_close_above: Vec<f64>,
    /// P(touch) without the scenario, per target.
    pub p_touch_without: Vec<f64>,
}

impl Contribution {
    /// Probabilities with a scenario minus without it, per target.
    #[must_use]
    pub fn new(with: &Results, without: &Results) -> Self {
        let d = |f: fn(&aurum_sim::TargetResult) -> f64| -> Vec<f64> {
            with.targets
                .iter()
                .zip(&without.targets)
                .map(|(a, b)| f(a) - f(b))
                .collect()
        };
        Self {
            p_touch: d(|t| t.p_touch),
            p_close_above: d(|t| t.p_close_above),
            p_touch_without: without.targets.iter().map(|t| t.p_touch).collect(),
        }
    }
}

/// A scenario file to run.
#[derive(Clone, Debug)]
pub struct ScenarioRun {
    /// The file's name, for errors and the record.
    pub name: String,
    /// The file's text (TOML), recorded with the run.
    pub text: String,
    /// Overrides the file's as_of date.
    pub as_of: Option<Date>,
    /// Monte Carlo paths.
    pub paths: usize,
    /// Seed: the same seed gives the same numbers, whatever the thread count.
    pub seed: u64,
    /// Also run each scenario's contribution (one more run per scenario).
    pub contributions: bool,
    /// How the run's call is filed (label, published or draft).
    pub filing: crate::calls::Filing,
}

/// Most paths one scenario run may simulate.
pub const MAX_PATHS: usize = 5_000_000;

/// One scenario's results, with its contribution when it was run.
#[derive(Clone, Debug, Serialize)]
pub struct ScenarioOut {
    /// How the scenario came out in the simulation.
    #[serde(flatten)]
    pub result: aurum_sim::ScenarioResult,
    /// With it minus without it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contribution: Option<Contribution>,
}

/// The start of the simulated paths.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct StartOut {
    /// Date of the last close by as_of.
    pub date: Date,
    /// That close.
    pub price: f64,
}

/// What a scenario run found: the document recorded with the run.
#[derive(Clone, Debug, Serialize)]
pub struct RunDoc {
    /// The file's title.
    pub title: String,
    /// The series simulated.
    pub series: String,
    /// As-of date.
    pub as_of: Date,
    /// Where the paths start.
    pub start: StartOut,
    /// Last simulated day.
    pub horizon: Date,
    /// Trading days simulated.
    pub trading_days: usize,
    /// Paths.
    pub paths: usize,
    /// Seed.
    pub seed: u64,
    /// The baseline model.
    pub baseline: BaselineOut,
    /// Per target: P(close ≥), P(touch), first passage, as simulated.
    pub targets: Vec<aurum_sim::TargetResult>,
    /// Per target with a stack baseline: the horizon's probabilities recalibrated on the
    /// track record (the headline numbers), beside the simulated ones.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub recalibrated: Vec<Recalibrated>,
    /// Per scenario: how often it happened, and its contribution.
    pub scenarios: Vec<ScenarioOut>,
    /// How often each combination of scenarios happened.
    pub combinations: Vec<aurum_sim::Combination>,
    /// 5% value at risk of the horizon return, percent.
    pub var_5_pct: f64,
    /// 5% expected shortfall, percent.
    pub es_5_pct: f64,
    /// Price quantiles by day.
    pub fan: Vec<aurum_sim::FanPoint>,
    /// Fingerprint of the prices and analogs used.
    pub data_fingerprint: String,
}

/// A recorded scenario run.
#[derive(Clone, Debug, Serialize)]
pub struct RunResult {
    /// The run's id in the store.
    pub run_id: i64,
    /// The call it recorded (`aurum calls show`).
    pub call_id: i64,
    /// What it found.
    #[serde(flatten)]
    pub doc: RunDoc,
}

/// What a run simulated, for figures: the file as parsed and the engine's results.
#[derive(Clone, Debug)]
pub struct Simulated {
    /// The file, parsed (its as_of moved where asked).
    pub file: ScenarioFile,
    /// The simulation's results.
    pub results: Results,
}

/// Parses, prepares, simulates and records a scenario file.
///
/// # Errors
///
/// Paths outside 1 to [`MAX_PATHS`], an invalid file, and as [`prepare`].
pub fn run(
    store: &mut Store,
    req: &ScenarioRun,
    progress: &dyn Progress,
) -> AppResult<(RunResult, Simulated)> {
    if req.paths == 0 || req.paths > MAX_PATHS {
        return Err(AppError::bad(
            "paths",
            format!("`paths` {}: expected 1 to 5,000,000", req.paths),
        ));
    }
    req.filing.check()?;
    let f = parse(&req.name, &req.text, req.as_of)?;
    let p = prepare(store, &f, &RecordSettings::default(), progress)?;
    let (results, without) =
        simulate_all(&p.setup, req.paths, req.seed, req.contributions, progress)?;
    let doc = run_doc(&f, &p, &results, &without, req.seed);
    // A run given up on is not recorded.
    AppError::check(progress)?;
    let run = new_run("scenario", &req.text, &doc)?;
    let targets = crate::report::headline_targets(&f, &p, &results);
    let call = crate::calls::doc(&f, &p, &results, &targets, req.seed);
    let call = crate::calls::new_call("scenario", &call, &req.filing)?;
    // The run and its call together: a failure leaves neither.
    let (run_id, call_id) = store.record_run_and_call(&run, &call, now())?;
    Ok((
        RunResult {
            run_id,
            call_id,
            doc,
        },
        Simulated { file: f, results },
    ))
}

/// The results document of a simulated scenario file; `without` holds the runs with each
/// scenario left out in turn (their contributions), or nothing.
pub(crate) fn run_doc(
    f: &ScenarioFile,
    p: &Prepared,
    results: &Results,
    without: &[Results],
    seed: u64,
) -> RunDoc {
    let contributions: Vec<Contribution> = without
        .iter()
        .map(|w| Contribution::new(results, w))
        .collect();
    RunDoc {
        title: f.title.clone(),
        series: f.series.clone(),
        as_of: f.as_of,
        start: StartOut {
            date: p.last_date,
            price: p.s0,
        },
        horizon: f.horizon,
        trading_days: p.setup.days.len(),
        paths: results.paths,
        seed,
        baseline: p.baseline.clone(),
        targets: results.targets.clone(),
        recalibrated: p.recalibrate(results),
        scenarios: results
            .scenarios
            .iter()
            .enumerate()
            .map(|(i, s)| ScenarioOut {
                result: s.clone(),
                contribution: contributions.get(i).cloned(),
            })
            .collect(),
        combinations: results.combinations.clone(),
        var_5_pct: results.var_5,
        es_5_pct: results.es_5,
        fan: results.fan.clone(),
        data_fingerprint: p.fingerprint(),
    }
}

/// The run to record for `doc`: `kind` names what ran it (`scenario`, `report`), `input` is
/// the scenario file's text as given.
pub(crate) fn new_run(kind: &str, input: &str, doc: &RunDoc) -> AppResult<aurum_store::NewRun> {
    Ok(aurum_store::NewRun {
        kind: kind.into(),
        title: doc.title.clone(),
        input: input.to_owned(),
        seed: doc.seed,
        paths: doc.paths as u64,
        data_fingerprint: doc.data_fingerprint.clone(),
        results: serde_json::to_string(doc)?,
    })
}

/// The days a scenario file simulates: those its series trades on (London business days for
/// the LBMA fixings, COMEX's for futures, weekdays otherwise) after as_of through the
/// horizon, so that horizons, checkpoints and the track record's horizon count the same
/// days as the series' history.
#[must_use]
pub fn simulated_days(f: &ScenarioFile) -> Vec<Date> {
    aurum_core::Calendar::for_series(&f.series).trading_days(f.as_of, f.horizon)
}

/// What a scenario file costs to simulate, for size limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Size {
    /// Trading days simulated.
    pub days: usize,
    /// Scenarios (each a contribution run, and work on every step).
    pub scenarios: usize,
    /// Targets (work on every step).
    pub targets: usize,
}

/// The size of a scenario file (for size limits).
///
/// # Errors
///
/// As [`parse`].
pub fn size(text: &str, as_of: Option<Date>) -> AppResult<Size> {
    let f = parse("scenario", text, as_of)?;
    Ok(Size {
        days: simulated_days(&f).len(),
        scenarios: f.scenarios.len(),
        targets: f.targets.len(),
    })
}

/// FNV-1a over the prices and analog returns a run used, each piece framed by its length:
/// two runs with the same fingerprint, file and seed give the same numbers.
#[must_use]
pub fn fingerprint(series: &[(Date, f64)], analogs: &HashMap<String, Vec<f64>>) -> String {
    let mut h = Fnv::default();
    h.count(series.len());
    for (d, v) in series {
        h.field(d.to_string().as_bytes());
        h.number(*v);
    }
    let mut keys: Vec<&String> = analogs.keys().collect();
    keys.sort();
    h.count(keys.len());
    for k in keys {
        h.field(k.as_bytes());
        h.count(analogs[k].len());
        for v in &analogs[k] {
            h.number(*v);
        }
    }
    h.hex()
}

/// A recorded run, as shown.
#[derive(Clone, Debug, Serialize)]
pub struct RunRecord {
    /// Id.
    pub id: i64,
    /// When it was recorded (unix seconds).
    pub created_at: i64,
    /// `scenario` (or another kind of run).
    pub kind: String,
    /// Title.
    pub title: String,
    /// Seed.
    pub seed: u64,
    /// Paths.
    pub paths: u64,
    /// Fingerprint of the data used.
    pub data_fingerprint: String,
    /// The input as given (the scenario file's text).
    pub input: String,
    /// The results document; its text when it is not JSON.
    pub results: Value,
}

/// Recorded runs, newest first.
///
/// # Errors
///
/// The store.
pub fn runs(store: &Store) -> AppResult<Vec<aurum_store::RunRecord>> {
    Ok(store.runs()?)
}

/// The Japanese titles of the listed runs whose scenario file has one (`title_ja`), by run
/// id. A file that no longer parses (an older format) keeps its English title only.
///
/// # Errors
///
/// The store.
pub fn titles_ja(
    store: &Store,
    runs: &[aurum_store::RunRecord],
) -> AppResult<HashMap<i64, String>> {
    let mut out = HashMap::new();
    for r in runs {
        let Some(full) = store.run(r.id)? else {
            continue;
        };
        if let Ok(f) = parse("scenario", &full.input, None)
            && let Some(ja) = f.title_ja.filter(|t| !t.trim().is_empty())
        {
            out.insert(r.id, ja);
        }
    }
    Ok(out)
}

/// One recorded run.
///
/// # Errors
///
/// No such run ([`AppError::NotFound`]), the store.
pub fn show(store: &Store, id: i64) -> AppResult<RunRecord> {
    let r = store
        .run(id)?
        .ok_or_else(|| AppError::not_found(format!("no run {id}; `aurum runs list` shows them")))?;
    let results = serde_json::from_str(&r.results).unwrap_or(Value::String(r.results.clone()));
    Ok(RunRecord {
        id: r.id,
        created_at: r.created_at,
        kind: r.kind,
        title: r.title,
        seed: r.seed,
        paths: r.paths,
        data_fingerprint: r.data_fingerprint,
        input: r.input,
        results,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_level_below_the_start_is_calibrated_as_the_complement_of_a_fall() {
        use super::{EventKind, at_or_above};
        // A map that lowers every probability.
        let map = aurum_backtest::Calibration {
            a: -1.0,
            b: 1.0,
            n: 100,
        };
        let up = at_or_above(&map, EventKind::Close, true, 0.6).unwrap();
        assert!((up - map.apply(0.6)).abs() < 1e-15 && up < 0.6);
        // Closing at or above a level below the start is not falling below it: the fall's
        // map lowers the fall's chance, so it raises this one.
        let down = at_or_above(&map, EventKind::Close, false, 0.6).unwrap();
        assert!((down - (1.0 - map.apply(0.4))).abs() < 1e-15 && down > 0.6);
        // Touching a level below the start from above has no event in the record.
        assert_eq!(at_or_above(&map, EventKind::Touch, false, 1.0), None);
        assert_eq!(
            at_or_above(&map, EventKind::Touch, true, 0.3),
            Some(map.apply(0.3))
        );
    }

    use super::*;

    #[test]
    fn scenario_files_know_every_event_category() {
        let catalog: Vec<&str> = aurum_events::Category::ALL
            .iter()
            .map(|c| c.as_str())
            .collect();
        assert_eq!(catalog, aurum_sim::ANALOG_CATEGORIES);
    }

    fn draft(date: Date, category: Category, title: &str) -> crate::events::EventDraft {
        crate::events::EventDraft {
            date,
            title_en: title.into(),
            title_ja: title.into(),
            category,
            region: aurum_events::Region::EastAsia,
            actors: vec!["KR".into()],
            surprise: true,
            source: "test".into(),
            id: None,
            announced: None,
            note: None,
        }
    }

    #[test]
    fn base_rates_count_bundled_and_user_events_up_to_as_of() {
        let mut store = Store::open_in_memory().unwrap();
        let f = parse("example", EXAMPLE, None).unwrap();
        let rates = base_rates(&all_events(&store, EventOrigin::All).unwrap(), &f).unwrap();
        // The scenarios with analogs shocks; the two with stated shocks have no class.
        let ids: Vec<&str> = rates.iter().map(|r| r.scenario.as_str()).collect();
        assert_eq!(
            ids,
            [
                "ukraine-ceasefire",
                "european-rearmament",
                "east-asia-proliferation"
            ]
        );
        let catalog = aurum_events::bundled().unwrap();
        let count = |c: &str| {
            catalog
                .iter()
                .filter(|e| e.category.as_str() == c)
                .filter(|e| e.date >= aurum_core::date(1968, 1, 1) && e.date <= f.as_of)
                .count()
        };
        let years = ((f.as_of - aurum_core::date(1968, 1, 1)).num_days() + 1) as f64 / 365.25;
        for r in &rates {
            assert_eq!(r.n, count(&r.category), "{}", r.scenario);
            assert!(r.n > 0, "{}", r.scenario);
            assert!((r.rate_per_year - r.n as f64 / years).abs() < 1e-12);
            let w = f64::from(r.window_days) / 365.25;
            assert!((r.p - (1.0 - (-r.rate_per_year * w).exp())).abs() < 1e-12);
            assert!(r.p_lo < r.p && r.p < r.p_hi, "{r:?}");
        }
        let ceasefire = &rates[0];
        assert_eq!(
            (ceasefire.category.as_str(), ceasefire.category_ja.as_str()),
            ("ceasefire-peace", "停戦・和平")
        );
        assert_eq!(ceasefire.judged, 0.45);
        // The scenario's window, both ends counted: March to June.
        assert_eq!(ceasefire.window_days, 122);
        // No window: the day after as_of to the horizon.
        let proliferation = &rates[2];
        assert_eq!(
            (proliferation.window_from, proliferation.window_to),
            (aurum_core::date(2025, 2, 19), f.horizon)
        );
        assert_eq!(proliferation.window_days, 132);
        // A user event counts; one dated after as_of does not.
        let n = proliferation.n;
        crate::events::add(
            &mut store,
            &draft(aurum_core::date(2020, 5, 4), Category::Nuclear, "A test"),
        )
        .unwrap();
        crate::events::add(
            &mut store,
            &draft(
                aurum_core::date(2025, 3, 4),
                Category::Nuclear,
                "A later test",
            ),
        )
        .unwrap();
        let again = base_rates(&all_events(&store, EventOrigin::All).unwrap(), &f).unwrap();
        assert_eq!(again[2].n, n + 1);
        assert!(again[2].p > proliferation.p);
        assert_eq!(again[0].n, ceasefire.n);
    }

    #[test]
    fn base_rate_names_the_reference_class() {
        let store = Store::open_in_memory().unwrap();
        let text = EXAMPLE.replacen(
            "shock       = { mean_pct = 4.0, sd_pct = 3.0 }",
            "shock       = { mean_pct = 4.0, sd_pct = 3.0 }\nbase_rate   = \"territorial\"",
            1,
        );
        let f = parse("example", &text, None).unwrap();
        let rates = base_rates(&all_events(&store, EventOrigin::All).unwrap(), &f).unwrap();
        let taiwan = rates
            .iter()
            .find(|r| r.scenario == "taiwan-escalation")
            .unwrap();
        assert_eq!(taiwan.category, "territorial");
        assert_eq!(taiwan.judged, 0.06);
        // Moving as_of back counts fewer events.
        let earlier = parse("example", &text, Some(aurum_core::date(2016, 1, 4))).unwrap();
        let then = base_rates(&all_events(&store, EventOrigin::All).unwrap(), &earlier).unwrap();
        let then = then
            .iter()
            .find(|r| r.scenario == "taiwan-escalation")
            .unwrap();
        assert!(then.n < taiwan.n && then.years < taiwan.years);
    }

    #[test]
    fn scenarios_simulate_the_days_their_series_trades() {
        let f = parse("example", EXAMPLE, None).unwrap();
        let days = simulated_days(&f);
        // 18 Feb to 30 June 2025: 94 weekdays, less Good Friday, Easter Monday and the
        // early-May and spring bank holidays on which the LBMA does not fix.
        assert_eq!(days.len(), 90);
        for holiday in [(4, 18), (4, 21), (5, 5), (5, 26)] {
            assert!(!days.contains(&aurum_core::date(2025, holiday.0, holiday.1)));
        }
        let mut comex = f.clone();
        comex.series = "gold-usd-gc".into();
        // COMEX closes on Good Friday, Memorial Day and Juneteenth, not on English holidays.
        assert_eq!(simulated_days(&comex).len(), 91);
    }

    #[test]
    fn fingerprints_tell_framed_inputs_apart() {
        let series = [(aurum_core::date(2025, 2, 18), 2935.0)];
        let map = |pairs: &[(&str, &[f64])]| -> HashMap<String, Vec<f64>> {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.to_vec()))
                .collect()
        };
        // Unframed, the category names "a" and "b" would run together into "ab".
        assert_ne!(
            fingerprint(&series, &map(&[("a", &[]), ("b", &[])])),
            fingerprint(&series, &map(&[("ab", &[])]))
        );
        assert_ne!(
            fingerprint(&series, &map(&[("a", &[0.01]), ("b", &[])])),
            fingerprint(&series, &map(&[("a", &[]), ("b", &[0.01])]))
        );
        assert_eq!(
            fingerprint(&series, &map(&[("a", &[0.01])])),
            fingerprint(&series, &map(&[("a", &[0.01])]))
        );
    }
}
