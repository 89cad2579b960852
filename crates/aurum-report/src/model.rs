//! What a report shows: every number, as data (`results.json`). The text is rendered from
//! this and nothing else.

use aurum_core::Date;
use serde::{Deserialize, Serialize};

/// All numbers and facts of one report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The question, in English.
    pub title: String,
    /// The question, in Japanese (falls back to English).
    pub title_ja: Option<String>,
    /// Byline.
    #[serde(default)]
    pub author: Option<String>,
    /// The article's address, for the post.
    #[serde(default)]
    pub link: Option<String>,
    /// The price in yen per gram, when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub yen: Option<YenOut>,
    /// Byline in Japanese.
    #[serde(default)]
    pub author_ja: Option<String>,
    /// Only data known at the end of this day is used.
    pub as_of: Date,
    /// Last day simulated.
    pub horizon: Date,
    /// Series id.
    pub series: String,
    /// Its name, e.g. `Gold, LBMA Gold Price PM`.
    pub series_name: String,
    /// Its name in Japanese.
    pub series_name_ja: String,
    /// The last close on or before `as_of`.
    pub start: Start,
    /// Trading days from `as_of` to the horizon.
    pub trading_days: usize,
    /// Monte Carlo paths.
    pub paths: usize,
    /// Seed.
    pub seed: u64,
    /// The baseline model.
    pub model: ModelInfo,
    /// Per target.
    pub targets: Vec<TargetOut>,
    /// Dates the answer table shows (month ends in the horizon, and the horizon).
    pub checkpoints: Vec<Date>,
    /// Price quantiles on the horizon day.
    pub fan_end: FanEnd,
    /// 5% value at risk of the horizon return, percent (a loss is positive).
    pub var_5_pct: f64,
    /// 5% expected shortfall, percent.
    pub es_5_pct: f64,
    /// Per scenario, in the file's order.
    pub scenarios: Vec<ScenarioOut>,
    /// Sum of the scenarios' contributions to P(touch first target), percentage points.
    pub scenarios_add_pp: f64,
    /// The Geopolitical Risk index now, and gold's measured sensitivity to it.
    pub gpr: Option<GprOut>,
    /// How the model's probabilities fared in the past.
    pub track_record: Option<TrackRecord>,
    /// Gold's sensitivities to the dollar, real yields and equities, as of `as_of`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risks: Option<Sensitivities>,
    /// Scheduled events inside the horizon, as announced by `as_of`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub calendar: Vec<DateOut>,
    /// How the last published call on the series did, as known at `as_of`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<Review>,
    /// Data sources and their terms.
    pub sources: Vec<SourceOut>,
    /// Fingerprint of the prices and analog returns used.
    pub data_fingerprint: String,
    /// aurum version.
    pub version: String,
}

impl Report {
    /// The first target (the one the report's headline is about).
    #[must_use]
    pub fn main_target(&self) -> Option<&TargetOut> {
        self.targets.first()
    }
}

/// The starting point.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Start {
    /// Date of the last close.
    pub date: Date,
    /// The close, USD/troy oz.
    pub price: f64,
}

/// The baseline model of ordinary days.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelInfo {
    /// `garch-t` or `gbm`.
    pub kind: String,
    /// Description, e.g. `GARCH(1,1) with Student's t innovations`.
    pub name: String,
    /// First date of the fit (GARCH only).
    pub fit_from: Option<Date>,
    /// Annualised volatility at the start, percent.
    pub vol_now_pct: f64,
    /// Long-run annualised volatility, percent (none when the process is integrated).
    pub vol_long_run_pct: Option<f64>,
    /// A stack's members and their weights (empty for one model).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub weights: Vec<(String, f64)>,
}

/// Probabilities for one target.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TargetOut {
    /// Price level.
    pub level: f64,
    /// As given in the file when relative, e.g. `+10%`.
    pub relative: Option<String>,
    /// Distance from the start price, percent.
    pub distance_pct: f64,
    /// P(a daily close ≥ level by the horizon): recalibrated on the track record when the
    /// model is the stack.
    pub p_touch: f64,
    /// The simulated P(touch) before recalibration, when recalibrated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p_touch_raw: Option<f64>,
    /// Its standard error.
    pub p_touch_se: f64,
    /// P(the close on the horizon day ≥ level), recalibrated like `p_touch`.
    pub p_close: f64,
    /// The simulated P(close ≥ level) before recalibration, when recalibrated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p_close_raw: Option<f64>,
    /// Its standard error.
    pub p_close_se: f64,
    /// Median first-passage date of the paths that touch.
    pub first_passage_median: Option<Date>,
    /// At each checkpoint.
    pub checkpoints: Vec<Checkpoint>,
}

/// A target's probabilities at one date.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The date.
    pub date: Date,
    /// P(touched by then).
    pub p_touch: f64,
    /// P(close ≥ level that day).
    pub p_close: f64,
}

/// Price quantiles on the horizon day.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FanEnd {
    /// Day.
    pub date: Date,
    /// 5%.
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

/// One scenario's section.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScenarioOut {
    /// Section number (1-based, the file's order); also its marker on the chart.
    pub number: usize,
    /// Id.
    pub id: String,
    /// Name, English.
    pub name: String,
    /// Name, Japanese.
    pub name_ja: Option<String>,
    /// What it is, English.
    pub about: Option<String>,
    /// What it is, Japanese.
    pub about_ja: Option<String>,
    /// Probability given in the file (within its window, given its parents).
    pub probability: f64,
    /// Window it may happen in.
    pub window: Option<(Date, Date)>,
    /// Names of the scenarios it requires (English and Japanese).
    pub requires: Vec<NameOut>,
    /// Share of paths in which it happened.
    pub p_happened: f64,
    /// The shock.
    pub shock: ShockOut,
    /// Event-study evidence, for analog shocks.
    pub analogs: Option<AnalogOut>,
    /// The catalog's base rate of the scenario's reference class, beside the judgement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_rate: Option<BaseRate>,
    /// P(touch first target) with it minus without it, percentage points.
    pub adds_pp: f64,
    /// P(touch first target | it happened).
    pub p_touch_given: f64,
    /// Whether that differs from the unconditional share beyond Monte Carlo error.
    #[serde(default)]
    pub p_touch_given_differs: bool,
    /// Catalog events behind it.
    pub events: Vec<EventOut>,
}

/// A name in both languages.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NameOut {
    /// English.
    pub en: String,
    /// Japanese.
    pub ja: Option<String>,
}

/// A scenario's price shock.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShockOut {
    /// `analogs`, `normal`, `fixed` or `none`.
    pub kind: String,
    /// Mean (normal) or size (fixed), percent.
    pub mean_pct: Option<f64>,
    /// Standard deviation (normal), percent.
    pub sd_pct: Option<f64>,
    /// Trading days it is spread over.
    pub spread_days: usize,
    /// Volatility multiplier afterwards.
    pub vol_multiplier: Option<f64>,
    /// Trading days the higher volatility lasts.
    pub vol_days: Option<usize>,
}

/// What the event study says about a scenario's analogs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnalogOut {
    /// Catalog category.
    pub category: String,
    /// Its name in Japanese.
    pub category_ja: String,
    /// Events measured.
    pub n: usize,
    /// Year of the first.
    pub first_year: i32,
    /// Cumulative average abnormal return over the window, percent.
    pub caar_pct: f64,
    /// Its cross-sectional t statistic.
    pub t: f64,
    /// Share of events with a positive CAR.
    pub positive_share: f64,
    /// Event window, trading days: first.
    pub window_from: i32,
    /// Event window: last.
    pub window_to: i32,
}

/// A catalog event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventOut {
    /// Id.
    pub id: String,
    /// Date.
    pub date: Date,
    /// Title, English.
    pub title: String,
    /// Title, Japanese.
    pub title_ja: String,
    /// Its number on the weekly chart (the chart numbers groups of close events).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart: Option<usize>,
}

/// The GPR index now and gold's sensitivity to it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GprOut {
    /// Month of the latest value known at `as_of`.
    pub date: Date,
    /// Its value.
    pub value: f64,
    /// Share of months since `since` with a value at or below it.
    pub percentile: f64,
    /// First month compared.
    pub since: Date,
    /// Mean since then.
    pub mean: f64,
    /// Weekly OLS: gold's log change (percent) per 100-point rise of the threats index.
    pub beta_pct: f64,
    /// 95% interval, low.
    pub ci_low_pct: f64,
    /// 95% interval, high.
    pub ci_high_pct: f64,
    /// p-value (Newey–West).
    pub p: f64,
    /// Weeks in the regression.
    pub n: usize,
}

/// The backtest of the report's model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrackRecord {
    /// Model name.
    pub model: String,
    /// Horizon, trading days.
    pub horizon: usize,
    /// Forecasts scored.
    pub n: u64,
    /// First origin.
    pub from: Date,
    /// Last origin.
    pub to: Date,
    /// Share of outcomes inside the 90% interval.
    pub coverage_90: f64,
    /// Share inside the 50% interval.
    pub coverage_50: f64,
    /// CRPS skill against GBM with trailing volatility, percent.
    pub crps_skill_pct: f64,
    /// Brier score of the threshold events (levels at the targets' distances).
    pub brier: f64,
    /// The same for the GBM baseline.
    pub brier_baseline: f64,
    /// Diebold–Mariano p-value (two-sided) of the difference between the two Brier scores,
    /// with the forecasts' overlap counted: below 0.05, the difference is more than chance.
    #[serde(default)]
    pub brier_p: Option<f64>,
    /// Whether there were enough non-overlapping forecasts to test calibration and no test
    /// rejected at 1%.
    pub calibrated: bool,
    /// Non-overlapping forecasts the calibration tests ran on.
    #[serde(default)]
    pub independent_n: u64,
    /// Whether they were enough to judge (too few can reject nothing).
    #[serde(default = "judged_default")]
    pub judged: bool,
    /// Reliability: forecasts grouped by probability.
    pub bins: Vec<TrackBin>,
    /// The lowest group's events happened more often than forecast, by more than chance
    /// ([`TrackBin::too_low`]): small probabilities have been too small.
    #[serde(default)]
    pub small_too_small: bool,
    /// The highest group's events happened less often than forecast, by more than chance
    /// ([`TrackBin::too_high`]).
    #[serde(default)]
    pub large_too_large: bool,
}

fn judged_default() -> bool {
    true
}

impl TrackBin {
    /// The gap between forecast and outcome that the text calls a bias: more than 5 points
    /// and more than twice the group's standard error.
    fn beyond_chance(&self) -> f64 {
        0.05f64.max(2.0 * self.se.unwrap_or(0.0))
    }

    /// The events happened more often than forecast, by more than chance.
    #[must_use]
    pub fn too_low(&self) -> bool {
        self.observed - self.forecast > self.beyond_chance()
    }

    /// The events happened less often than forecast, by more than chance.
    #[must_use]
    pub fn too_high(&self) -> bool {
        self.forecast - self.observed > self.beyond_chance()
    }
}

/// One group of past forecasts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrackBin {
    /// Lowest probability in the group.
    pub lo: f64,
    /// Highest.
    pub hi: f64,
    /// Forecasts.
    pub n: u64,
    /// Their mean probability.
    pub forecast: f64,
    /// How often the event happened.
    pub observed: f64,
    /// Standard error of `observed − forecast`, counting forecasts whose outcomes overlap
    /// as dependent (absent in records made before it was kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub se: Option<f64>,
}

/// A data source.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SourceOut {
    /// What it is.
    pub name: String,
    /// Who publishes it and on what terms.
    pub terms: String,
}

/// How the last published call on the series did, as known at the report's as_of, and the
/// record of every published call before it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Review {
    /// The call's id.
    pub call_id: i64,
    /// Its as-of date.
    pub as_of: Date,
    /// Its name.
    pub label: Option<String>,
    /// The title of the note it was made for.
    pub title: String,
    /// Its Japanese title.
    pub title_ja: Option<String>,
    /// The price it started from.
    pub start: f64,
    /// Its resolved events.
    pub rows: Vec<ReviewRow>,
    /// Its events resolved.
    pub resolved: usize,
    /// Its events still open.
    pub open: usize,
    /// Mean Brier score of its resolved events.
    pub brier: f64,
    /// Resolved events whose probability leaned the way they came out.
    pub leaned_right: usize,
    /// The horizon close, once known.
    pub horizon_close: Option<f64>,
    /// Where it fell in the call's forecast distribution.
    pub pit: Option<f64>,
    /// All published calls on the series before as_of.
    pub record: ReviewRecord,
}

/// One resolved event of a call.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReviewRow {
    /// `touch` or `close`.
    pub kind: String,
    /// Price level.
    pub level: f64,
    /// The last day it covers.
    pub by: Date,
    /// The probability printed.
    pub p: f64,
    /// Whether it happened.
    pub happened: bool,
    /// The close that decided it.
    pub resolved_on: Date,
    /// (p − outcome)².
    pub brier: f64,
}

/// The record of all published calls with resolved events.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReviewRecord {
    /// Calls with a resolved event.
    pub calls: usize,
    /// Resolved events.
    pub events: usize,
    /// Mean Brier score.
    pub brier: f64,
    /// Mean log score.
    pub log_score: f64,
    /// Events whose probability leaned the way they came out.
    pub leaned_right: usize,
}

/// How often the catalog's events of a scenario's reference class happen: a reference point
/// for the judged probability, not a forecast (the catalog is curated).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BaseRate {
    /// The category.
    pub category: String,
    /// Its Japanese name.
    pub category_ja: String,
    /// Events counted.
    pub n: usize,
    /// Counted from this day to as_of.
    pub since: Date,
    /// Events a year.
    pub rate_per_year: f64,
    /// Days in the scenario's window.
    pub window_days: u32,
    /// The chance of at least one in the window at the base rate.
    pub p: f64,
    /// Lower end of its 90% interval.
    pub p_lo: f64,
    /// Upper end.
    pub p_hi: f64,
}

/// Gold's weekly sensitivities to its usual drivers, measured on the years to as_of.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sensitivities {
    /// First week.
    pub from: Date,
    /// Last week.
    pub to: Date,
    /// Weeks.
    pub weeks: usize,
    /// Share of gold's weekly variance the regression explains.
    pub r2: f64,
    /// Per factor.
    pub factors: Vec<Factor>,
}

/// Gold's move with one factor, the others held fixed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Factor {
    /// The factor's series: `dxy`, `dfii10` or `sp500`.
    pub series: String,
    /// The move described: percent for prices, percentage points for rates.
    pub move_size: f64,
    /// Gold's move with it, percent.
    pub effect_pct: f64,
    /// 95% interval, low.
    pub ci_low_pct: f64,
    /// 95% interval, high.
    pub ci_high_pct: f64,
    /// p-value (Newey–West).
    pub p: f64,
    /// The factor's weekly standard deviation, in its own units.
    pub weekly_sd: f64,
    /// Gold's move with a one-standard-deviation week of the factor, percent.
    pub sd_effect_pct: f64,
}

/// A scheduled event inside the horizon.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DateOut {
    /// First day.
    pub date: Date,
    /// Last day, for an event of several days.
    pub end: Option<Date>,
    /// Title in English.
    pub title: String,
    /// Title in Japanese.
    pub title_ja: String,
    /// Kind, e.g. `fomc`.
    pub kind: String,
}

/// Gold in yen per gram as of the report's date.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct YenOut {
    /// The day of the yen price.
    pub date: Date,
    /// Yen per gram.
    pub per_gram: f64,
    /// USD/JPY that day.
    pub usdjpy: f64,
    /// Each target in yen per gram at that rate.
    pub targets_per_gram: Vec<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bin(forecast: f64, observed: f64, se: Option<f64>) -> TrackBin {
        TrackBin {
            lo: 0.0,
            hi: 0.1,
            n: 300,
            forecast,
            observed,
            se,
        }
    }

    #[test]
    fn a_group_is_biased_only_past_five_points_and_twice_its_standard_error() {
        // 6 points off: a bias with an error of 2 points or none, chance with one of 4.
        assert!(bin(0.06, 0.12, Some(0.02)).too_low());
        assert!(bin(0.06, 0.12, None).too_low());
        assert!(!bin(0.06, 0.12, Some(0.04)).too_low());
        // 4 points off is never called a bias, however small the error.
        assert!(!bin(0.06, 0.10, Some(0.001)).too_low());
        assert!(bin(0.85, 0.70, Some(0.05)).too_high());
        assert!(!bin(0.85, 0.70, Some(0.08)).too_high());
        assert!(!bin(0.06, 0.12, Some(0.02)).too_high());
    }
}
