//! Scenario files (TOML): the question, the horizon, targets, the baseline model and the
//! tree of scenarios, validated with errors that name the scenario and the field.

use std::collections::{BTreeMap, HashMap, HashSet};

use aurum_core::Date;
use serde::{Deserialize, Serialize};

use crate::SimError;

/// A price level to reach: absolute (USD/oz) or relative to the price at `as_of`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Target {
    /// A price.
    Absolute(f64),
    /// A move from the starting price, as a fraction (`+10%` is 0.10).
    Relative(f64),
}

impl Target {
    /// The price level, given the starting price.
    #[must_use]
    pub fn level(self, s0: f64) -> f64 {
        match self {
            Self::Absolute(p) => p,
            Self::Relative(r) => s0 * (1.0 + r),
        }
    }
}

/// The model of ordinary days.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "model", rename_all = "kebab-case")]
pub enum Baseline {
    /// GARCH(1,1) with Student's t innovations, fitted to the last `fit_years` years of the
    /// series up to `as_of`.
    GarchT {
        /// Years of data the model is fitted to (10 by default: long samples that include
        /// 1980 make the fit integrated, α + β = 1, whose simulated paths can explode).
        fit_years: u32,
    },
    /// The stack (the default): the backtest's members — GBM, GARCH(1,1)-t, filtered
    /// historical simulation and HAR, each with its own mean and with time-series momentum — mixed
    /// with the weights their monthly track record up to `as_of` earns, the GARCH members
    /// fitted to the last `fit_years` years; target probabilities at the horizon are
    /// recalibrated on the same record.
    Stack {
        /// Years of data the GARCH members are fitted to.
        fit_years: u32,
    },
    /// Geometric Brownian motion: annual log drift and volatility, in percent.
    Gbm {
        /// Annual drift of the log price, percent.
        drift_pct: f64,
        /// Annual volatility, percent.
        vol_pct: f64,
    },
}

/// How big a scenario's price shock is.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Shock {
    /// No price shock (a volatility regime only).
    None,
    /// A fixed move, percent.
    Fixed {
        /// Percent.
        pct: f64,
    },
    /// A normal draw, percent.
    Normal {
        /// Mean, percent.
        mean_pct: f64,
        /// Standard deviation, percent.
        sd_pct: f64,
    },
    /// A draw from the cumulative abnormal returns of an event category (the event study,
    /// as of `as_of`).
    Analogs {
        /// Event category.
        category: String,
    },
}

/// A volatility regime after a scenario happens.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Regime {
    /// Volatility multiplier.
    pub multiplier: f64,
    /// Trading days it lasts.
    pub days: usize,
}

/// One scenario of the tree.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Scenario {
    /// Identifier.
    pub id: String,
    /// Name.
    pub name: String,
    /// Chance it happens within its window (given its parents).
    pub probability: f64,
    /// Dates it may happen on (default: the whole horizon).
    pub window: Option<(Date, Date)>,
    /// Scenarios that must have happened before.
    pub requires: Vec<String>,
    /// Scenarios it cannot happen together with.
    pub excludes: Vec<String>,
    /// The price shock.
    pub shock: Shock,
    /// Trading days over which the shock is spread.
    pub spread_days: usize,
    /// Volatility regime after the event.
    pub volatility: Option<Regime>,
}

/// A whole scenario file.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScenarioFile {
    /// The question.
    pub title: String,
    /// Only what was known at the end of this day is used.
    pub as_of: Date,
    /// Last day simulated.
    pub horizon: Date,
    /// Price series simulated.
    pub series: String,
    /// Levels to reach.
    pub targets: Vec<Target>,
    /// Ordinary days.
    pub baseline: Baseline,
    /// The tree, in an order where parents come first.
    pub scenarios: Vec<Scenario>,
    /// The question in Japanese, for reports.
    pub title_ja: Option<String>,
    /// Who wrote the note (reports' byline).
    pub author: Option<String>,
    /// The byline in Japanese.
    pub author_ja: Option<String>,
    /// What reports say about each scenario, by id.
    pub texts: BTreeMap<String, ScenarioText>,
    /// The event category a scenario's `base_rate` names, by id (only those that name one).
    pub base_rates: BTreeMap<String, String>,
}

/// What a report says about a scenario: its Japanese name, what it is in both languages, and
/// the catalog events that led up to it (marked on the report's chart).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ScenarioText {
    /// Name in Japanese.
    pub name_ja: Option<String>,
    /// What the scenario is and why it has its probability, in English.
    pub about: Option<String>,
    /// The same in Japanese.
    pub about_ja: Option<String>,
    /// Ids of catalog events behind it.
    pub events: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    title: String,
    as_of: String,
    horizon: String,
    #[serde(default = "default_series")]
    series: String,
    targets: Vec<toml::Value>,
    #[serde(default)]
    baseline: Option<RawBaseline>,
    #[serde(default)]
    scenario: Vec<RawScenario>,
    title_ja: Option<String>,
    author: Option<String>,
    author_ja: Option<String>,
}

fn default_series() -> String {
    "gold-usd-lbma-pm".to_owned()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBaseline {
    model: String,
    drift_pct: Option<f64>,
    vol_pct: Option<f64>,
    fit_years: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    id: String,
    name: Option<String>,
    probability: f64,
    window: Option<Vec<String>>,
    #[serde(default)]
    requires: Vec<String>,
    #[serde(default)]
    excludes: Vec<String>,
    shock: Option<RawShock>,
    #[serde(default = "one")]
    spread_days: usize,
    volatility: Option<Regime>,
    name_ja: Option<String>,
    about: Option<String>,
    about_ja: Option<String>,
    #[serde(default)]
    events: Vec<String>,
    base_rate: Option<String>,
}

fn one() -> usize {
    1
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawShock {
    pct: Option<f64>,
    mean_pct: Option<f64>,
    sd_pct: Option<f64>,
    analogs: Option<String>,
}

impl ScenarioFile {
    /// Moves the date the analysis is made as of (the horizon stays).
    ///
    /// # Errors
    ///
    /// [`SimError::Settings`] when `as_of` is not before the horizon.
    pub fn set_as_of(&mut self, as_of: Date) -> Result<(), SimError> {
        if as_of >= self.horizon {
            return Err(SimError::Settings(format!(
                "{as_of} is not before the horizon {}",
                self.horizon
            )));
        }
        horizon_within_limit(as_of, self.horizon).map_err(SimError::Settings)?;
        self.as_of = as_of;
        Ok(())
    }

    /// The event category a scenario's judged probability is compared with (its reference
    /// class): its `base_rate` when the file names one, else the category its shock draws
    /// analogs from, else none.
    #[must_use]
    pub fn reference_class<'a>(&'a self, s: &'a Scenario) -> Option<&'a str> {
        match (self.base_rates.get(&s.id), &s.shock) {
            (Some(c), _) | (None, Shock::Analogs { category: c }) => Some(c),
            _ => None,
        }
    }
}

/// Years of data a GARCH baseline is fitted to, unless the file says otherwise.
pub const DEFAULT_FIT_YEARS: u32 = 10;

/// The event catalog's categories, which `analogs` shocks draw from (the catalog's own list,
/// kept equal to it by a test in the application layer).
pub const ANALOG_CATEGORIES: [&str; 11] = [
    "war-outbreak",
    "escalation",
    "ceasefire-peace",
    "alliance",
    "nuclear",
    "terrorism",
    "sanctions-trade",
    "coup-regime-change",
    "territorial",
    "energy-shock",
    "us-policy-shift",
];

/// Largest scenario file, bytes.
pub const MAX_FILE_BYTES: usize = 256 * 1024;
/// Longest horizon after as_of, calendar days (ten years).
pub const MAX_HORIZON_DAYS: i64 = 3653;
/// Most targets in a file.
pub const MAX_TARGETS: usize = 16;
/// Most scenarios in a file.
pub const MAX_SCENARIOS: usize = 64;

/// The horizon, at most [`MAX_HORIZON_DAYS`] after `as_of`.
fn horizon_within_limit(as_of: Date, horizon: Date) -> Result<(), String> {
    let days = (horizon - as_of).num_days();
    if days > MAX_HORIZON_DAYS {
        return Err(format!(
            "{horizon} is {days} days after as_of {as_of}; the limit is ten years ({MAX_HORIZON_DAYS} days)"
        ));
    }
    Ok(())
}

/// The parser's message in the file's own words: serde writes keys in backticks
/// (``unknown field `probabilty`, expected one of `id`, `name` ``); the key at fault becomes
/// `"probabilty"` and the keys it expected are listed bare (`expected one of id, name`).
/// Numbers in backticks (``integer `5` ``) lose them.
fn file_keys(message: &str) -> String {
    let (head, tail) = match message.find("expected") {
        Some(i) => message.split_at(i),
        None => (message, ""),
    };
    let rewrite = |text: &str, quote: bool| {
        let mut out = String::with_capacity(text.len());
        for (i, part) in text.split('`').enumerate() {
            let number = part.parse::<f64>().is_ok();
            if i % 2 == 1 && quote && !number {
                out.push('"');
                out.push_str(part);
                out.push('"');
            } else {
                out.push_str(part);
            }
        }
        // An unpaired backtick is kept as written.
        if text.matches('`').count() % 2 == 1 {
            return text.to_owned();
        }
        out
    };
    format!("{}{}", rewrite(head, true), rewrite(tail, false))
}

/// Reads and validates a scenario file.
///
/// # Errors
///
/// Syntax errors with their line; then, naming the scenario and field: probabilities outside
/// [0, 1], windows outside the horizon, unknown ids in `requires`/`excludes`, cycles,
/// `excludes` that contradict `requires`, impossible shocks and regimes.
#[allow(clippy::too_many_lines)]
pub fn parse(file: &str, text: &str) -> Result<ScenarioFile, SimError> {
    if text.len() > MAX_FILE_BYTES {
        return Err(SimError::Field {
            file: file.to_owned(),
            scenario: String::new(),
            field: "toml",
            message: format!(
                "the file is {} bytes; a scenario file may have at most {MAX_FILE_BYTES}",
                text.len()
            ),
        });
    }
    let raw: RawFile = toml::from_str(text).map_err(|e| SimError::Syntax {
        file: file.to_owned(),
        line: e.span().map_or(0, |s| {
            text.as_bytes()[..s.start.min(text.len())]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1
        }),
        message: file_keys(e.message().trim()),
    })?;
    let field = |scenario: &str, field: &'static str, message: String| SimError::Field {
        file: file.to_owned(),
        scenario: scenario.to_owned(),
        field,
        message,
    };
    let date = |scenario: &str, f: &'static str, s: &str| -> Result<Date, SimError> {
        s.parse().map_err(|_| {
            field(
                scenario,
                f,
                format!("expected a date YYYY-MM-DD, found {s:?}"),
            )
        })
    };
    let as_of = date("", "as_of", &raw.as_of)?;
    let horizon = date("", "horizon", &raw.horizon)?;
    if horizon <= as_of {
        return Err(field(
            "",
            "horizon",
            format!("{horizon} is not after as_of {as_of}"),
        ));
    }
    horizon_within_limit(as_of, horizon).map_err(|m| field("", "horizon", m))?;
    if raw.targets.len() > MAX_TARGETS {
        return Err(field(
            "",
            "targets",
            format!(
                "{} targets; a file may have at most {MAX_TARGETS}",
                raw.targets.len()
            ),
        ));
    }
    if raw.scenario.len() > MAX_SCENARIOS {
        return Err(field(
            "",
            "scenario",
            format!(
                "{} scenarios; a file may have at most {MAX_SCENARIOS}",
                raw.scenario.len()
            ),
        ));
    }
    let mut targets = Vec::new();
    for t in &raw.targets {
        let target = match t {
            toml::Value::Float(v) if *v > 0.0 && v.is_finite() && *v < 1e9 => Target::Absolute(*v),
            toml::Value::Integer(v) if *v > 0 && *v < 1_000_000_000 => Target::Absolute(*v as f64),
            toml::Value::String(s) => {
                let v = s
                    .trim()
                    .strip_suffix('%')
                    .and_then(|n| n.trim().parse::<f64>().ok());
                match v {
                    Some(p) if p > -100.0 && p <= 1000.0 => Target::Relative(p / 100.0),
                    _ => {
                        return Err(field(
                            "",
                            "targets",
                            format!("expected a price or a move like \"+10%\", found {s:?}"),
                        ));
                    }
                }
            }
            other => {
                return Err(field(
                    "",
                    "targets",
                    format!("expected a price > 0 or a move like \"+10%\", found {other}"),
                ));
            }
        };
        targets.push(target);
    }
    if targets.is_empty() {
        return Err(field("", "targets", "expected at least one target".into()));
    }
    let fit_years = |b: &RawBaseline| {
        let fit_years = b.fit_years.unwrap_or(DEFAULT_FIT_YEARS);
        if (2..=100).contains(&fit_years) {
            Ok(fit_years)
        } else {
            Err(field(
                "",
                "baseline",
                format!("fit_years {fit_years}: expected 2 to 100"),
            ))
        }
    };
    let baseline = match raw.baseline {
        None => Baseline::Stack {
            fit_years: DEFAULT_FIT_YEARS,
        },
        Some(b) => match b.model.as_str() {
            "stack" => Baseline::Stack {
                fit_years: fit_years(&b)?,
            },
            "garch-t" => Baseline::GarchT {
                fit_years: fit_years(&b)?,
            },
            "gbm" => {
                let vol = b
                    .vol_pct
                    .ok_or_else(|| field("", "baseline", "gbm needs vol_pct".into()))?;
                if !(vol > 0.0 && vol < 500.0) {
                    return Err(field(
                        "",
                        "baseline",
                        format!("vol_pct {vol}: expected a volatility between 0 and 500%"),
                    ));
                }
                let drift = b.drift_pct.unwrap_or(0.0);
                if !(-100.0..=100.0).contains(&drift) {
                    return Err(field(
                        "",
                        "baseline",
                        format!("drift_pct {drift}: expected -100 to 100 (% a year)"),
                    ));
                }
                Baseline::Gbm {
                    drift_pct: drift,
                    vol_pct: vol,
                }
            }
            other => {
                return Err(field(
                    "",
                    "baseline",
                    format!("model {other:?}: expected stack, garch-t or gbm"),
                ));
            }
        },
    };
    let ids: HashSet<&str> = raw.scenario.iter().map(|s| s.id.as_str()).collect();
    if ids.len() != raw.scenario.len() {
        let mut seen = HashSet::new();
        let dup = raw
            .scenario
            .iter()
            .find(|s| !seen.insert(s.id.as_str()))
            .map(|s| s.id.clone())
            .unwrap_or_default();
        return Err(field(&dup, "id", "used by two scenarios".into()));
    }
    let mut scenarios = Vec::new();
    for s in &raw.scenario {
        let id = s.id.as_str();
        if !(0.0..=1.0).contains(&s.probability) {
            return Err(field(
                id,
                "probability",
                format!("{}: expected a probability between 0 and 1", s.probability),
            ));
        }
        let window = match &s.window {
            None => None,
            Some(w) if w.len() == 2 => {
                let (a, b) = (date(id, "window", &w[0])?, date(id, "window", &w[1])?);
                if a > b || a <= as_of || b > horizon {
                    return Err(field(
                        id,
                        "window",
                        format!(
                            "[{a}, {b}] must lie after as_of {as_of} and up to the horizon {horizon}"
                        ),
                    ));
                }
                // A window without a trading day of the series would never let it happen.
                let calendar = aurum_core::Calendar::for_series(&raw.series);
                if a.pred_opt()
                    .is_none_or(|before| calendar.trading_days(before, b).is_empty())
                {
                    return Err(field(
                        id,
                        "window",
                        format!("[{a}, {b}] holds no day on which {} trades", raw.series),
                    ));
                }
                Some((a, b))
            }
            Some(w) => {
                return Err(field(
                    id,
                    "window",
                    format!("expected [from, to], found {} dates", w.len()),
                ));
            }
        };
        for (f, list) in [("requires", &s.requires), ("excludes", &s.excludes)] {
            if let Some(u) = list.iter().find(|r| !ids.contains(r.as_str())) {
                return Err(field(id, f, format!("unknown scenario {u:?}")));
            }
            if list.iter().any(|r| r == id) {
                return Err(field(id, f, "a scenario cannot name itself".into()));
            }
        }
        if let Some(c) = s.requires.iter().find(|r| s.excludes.contains(r)) {
            return Err(field(
                id,
                "excludes",
                format!("{c:?} is both required and excluded"),
            ));
        }
        let shock = match &s.shock {
            None => Shock::None,
            Some(RawShock {
                analogs: Some(c),
                pct: None,
                mean_pct: None,
                sd_pct: None,
            }) => {
                if !ANALOG_CATEGORIES.contains(&c.as_str()) {
                    return Err(field(
                        id,
                        "shock",
                        format!(
                            "analogs {c:?}: expected an event category ({})",
                            ANALOG_CATEGORIES.join(", ")
                        ),
                    ));
                }
                Shock::Analogs {
                    category: c.clone(),
                }
            }
            Some(RawShock {
                pct: Some(p),
                analogs: None,
                mean_pct: None,
                sd_pct: None,
            }) => Shock::Fixed { pct: *p },
            Some(RawShock {
                mean_pct: Some(m),
                sd_pct,
                analogs: None,
                pct: None,
            }) => {
                let sd = sd_pct.unwrap_or(0.0);
                if !(0.0..=100.0).contains(&sd) {
                    return Err(field(
                        id,
                        "shock",
                        format!("sd_pct {sd}: expected 0 to 100"),
                    ));
                }
                Shock::Normal {
                    mean_pct: *m,
                    sd_pct: sd,
                }
            }
            Some(_) => {
                return Err(field(
                    id,
                    "shock",
                    "give one of pct, mean_pct (+ sd_pct) or analogs".into(),
                ));
            }
        };
        if let Shock::Fixed { pct } | Shock::Normal { mean_pct: pct, .. } = shock
            && !(pct > -100.0 && pct <= 1000.0)
        {
            return Err(field(
                id,
                "shock",
                format!(
                    "{pct}%: expected a move above -100% (a price cannot fall by all of it) and up to +1000%"
                ),
            ));
        }
        if let Some(c) = &s.base_rate
            && !ANALOG_CATEGORIES.contains(&c.as_str())
        {
            return Err(field(
                id,
                "base_rate",
                format!(
                    "{:?}: expected an event category ({})",
                    aurum_core::text::clip(c),
                    ANALOG_CATEGORIES.join(", ")
                ),
            ));
        }
        if s.spread_days == 0 || s.spread_days > 250 {
            return Err(field(
                id,
                "spread_days",
                format!("{}: expected 1 to 250 trading days", s.spread_days),
            ));
        }
        if let Some(r) = s.volatility
            && !(r.multiplier > 0.0 && r.multiplier <= 10.0 && r.days >= 1 && r.days <= 2610)
        {
            return Err(field(
                id,
                "volatility",
                format!(
                    "multiplier {} over {} days: expected 0 < multiplier ≤ 10 and 1 to 2,610 days",
                    r.multiplier, r.days
                ),
            ));
        }
        scenarios.push(Scenario {
            id: s.id.clone(),
            name: s.name.clone().unwrap_or_else(|| s.id.clone()),
            probability: s.probability,
            window,
            requires: s.requires.clone(),
            excludes: s.excludes.clone(),
            shock,
            spread_days: s.spread_days,
            volatility: s.volatility,
        });
    }
    // A scenario excluding one of its ancestors could never happen.
    let by_id: HashMap<&str, &Scenario> = scenarios.iter().map(|s| (s.id.as_str(), s)).collect();
    let scenarios = topological(file, &scenarios)?;
    for s in &scenarios {
        let mut stack: Vec<&str> = s.requires.iter().map(String::as_str).collect();
        let mut ancestors = HashSet::new();
        while let Some(a) = stack.pop() {
            if ancestors.insert(a) {
                stack.extend(by_id[a].requires.iter().map(String::as_str));
            }
        }
        if let Some(x) = s.excludes.iter().find(|x| ancestors.contains(x.as_str())) {
            return Err(field(
                &s.id,
                "excludes",
                format!("{x:?} is an ancestor through requires: the scenario could never happen"),
            ));
        }
    }
    let base_rates = raw
        .scenario
        .iter()
        .filter_map(|s| Some((s.id.clone(), s.base_rate.clone()?)))
        .collect();
    let texts = raw
        .scenario
        .iter()
        .map(|s| {
            (
                s.id.clone(),
                ScenarioText {
                    name_ja: s.name_ja.clone(),
                    about: s.about.clone(),
                    about_ja: s.about_ja.clone(),
                    events: s.events.clone(),
                },
            )
        })
        .collect();
    Ok(ScenarioFile {
        title: raw.title,
        as_of,
        horizon,
        series: raw.series,
        targets,
        baseline,
        scenarios,
        title_ja: raw.title_ja,
        author: byline(file, "author", raw.author)?,
        author_ja: byline(file, "author_ja", raw.author_ja)?,
        texts,
        base_rates,
    })
}

/// A byline: one line of at most 120 characters.
fn byline(file: &str, field: &'static str, v: Option<String>) -> Result<Option<String>, SimError> {
    match v {
        Some(a)
            if a.trim().is_empty()
                || a.chars().count() > 120
                || a.chars().any(char::is_control) =>
        {
            Err(SimError::Field {
                file: file.to_owned(),
                scenario: String::new(),
                field,
                message: "expected one line of 1 to 120 characters".to_owned(),
            })
        }
        other => Ok(other.map(|a| a.trim().to_owned())),
    }
}

/// Orders scenarios so that parents come first; a cycle in `requires` is an error.
fn topological(file: &str, scenarios: &[Scenario]) -> Result<Vec<Scenario>, SimError> {
    let mut done: Vec<Scenario> = Vec::with_capacity(scenarios.len());
    let mut placed: HashSet<&str> = HashSet::new();
    while done.len() < scenarios.len() {
        let next = scenarios.iter().find(|s| {
            !placed.contains(s.id.as_str())
                && s.requires.iter().all(|r| placed.contains(r.as_str()))
        });
        match next {
            Some(s) => {
                placed.insert(s.id.as_str());
                done.push(s.clone());
            }
            None => {
                let stuck = scenarios
                    .iter()
                    .find(|s| !placed.contains(s.id.as_str()))
                    .map(|s| s.id.clone())
                    .unwrap_or_default();
                return Err(SimError::Field {
                    file: file.to_owned(),
                    scenario: stuck,
                    field: "requires",
                    message: "its requires form a cycle".into(),
                });
            }
        }
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "title = \"t\"\nas_of = \"2025-02-18\"\nhorizon = \"2025-12-31\"\ntargets = [3000.0, \"+10%\"]\n";

    fn err(extra: &str) -> String {
        parse("s.toml", &format!("{BASE}{extra}"))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn bylines_are_one_short_line() {
        let f = parse(
            "s.toml",
            &format!(
                "author = \" Chief strategist \"\nauthor_ja = \"チーフストラテジスト\"\n{BASE}"
            ),
        )
        .unwrap();
        assert_eq!(f.author.as_deref(), Some("Chief strategist"));
        assert_eq!(f.author_ja.as_deref(), Some("チーフストラテジスト"));
        assert!(parse("s.toml", BASE).unwrap().author.is_none());
        let e = err("author = \"a\\nb\"\n");
        assert!(e.contains("\"author\"") && e.contains("one line"), "{e}");
        let e = err(&format!("author_ja = \"{}\"\n", "x".repeat(121)));
        assert!(e.contains("author_ja"), "{e}");
        assert!(err("author = \" \"\n").contains("author"));
    }

    /// The limits that keep one file's cost bounded, in `parse` so that `check`, `run`, the
    /// report and the API agree.
    #[test]
    fn files_are_bounded() {
        let with = |head: &str, rest: &str| {
            parse("s.toml", &format!("title = \"t\"\n{head}\n{rest}"))
                .map(|_| ())
                .map_err(|e| e.to_string())
        };
        let dates = "as_of = \"2025-02-18\"\nhorizon = \"9999-12-31\"\ntargets = [3000.0]";
        assert!(with(dates, "").unwrap_err().contains("ten years"));
        let ok = "as_of = \"2025-02-18\"\nhorizon = \"2035-02-17\"\ntargets = [3000.0]";
        assert!(with(ok, "").is_ok());
        let many = format!(
            "as_of = \"2025-02-18\"\nhorizon = \"2025-12-31\"\ntargets = [{}]",
            vec!["3000.0"; 17].join(", ")
        );
        assert!(with(&many, "").unwrap_err().contains("at most 16"));
        let base = "as_of = \"2025-02-18\"\nhorizon = \"2025-12-31\"\ntargets = [3000.0]";
        let scenarios: String = (0..65)
            .map(|i| format!("[[scenario]]\nid = \"s{i}\"\nprobability = 0.5\n"))
            .collect();
        assert!(with(base, &scenarios).unwrap_err().contains("at most 64"));
        for t in ["\"+inf%\"", "\"nan%\"", "inf", "1e300"] {
            let e = with(
                &format!("as_of = \"2025-02-18\"\nhorizon = \"2025-12-31\"\ntargets = [{t}]"),
                "",
            );
            assert!(e.unwrap_err().contains("field \"targets\""), "{t}");
        }
        let drift = with(
            base,
            "[baseline]\nmodel = \"gbm\"\nvol_pct = 15\ndrift_pct = nan\n",
        );
        assert!(drift.unwrap_err().contains("drift_pct"));
        // A window with no trading day (a weekend) and an unknown analog category.
        let e = with(
            base,
            "[[scenario]]\nid = \"a\"\nprobability = 0.5\nwindow = [\"2025-03-01\", \"2025-03-02\"]\n",
        );
        assert!(e.unwrap_err().contains("holds no day"));
        let e = with(
            base,
            "[[scenario]]\nid = \"a\"\nprobability = 0.5\nshock = { analogs = \"volcano\" }\n",
        );
        assert!(e.unwrap_err().contains("expected an event category"));
        let big = format!("# {}\n{base}", "x".repeat(MAX_FILE_BYTES));
        assert!(
            parse("s.toml", &big)
                .unwrap_err()
                .to_string()
                .contains("at most")
        );
        // Moving as_of back cannot stretch the horizon past the limit either.
        let mut f = parse("s.toml", &format!("title = \"t\"\n{ok}")).unwrap();
        assert!(f.set_as_of(aurum_core::date(2020, 1, 1)).is_err());
    }

    #[test]
    fn as_of_moves_only_to_before_the_horizon() {
        let mut f = parse("s.toml", BASE).unwrap();
        f.set_as_of(aurum_core::date(2025, 6, 30)).unwrap();
        assert_eq!(f.as_of, aurum_core::date(2025, 6, 30));
        let e = f.set_as_of(aurum_core::date(2025, 12, 31)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "2025-12-31 is not before the horizon 2025-12-31"
        );
        assert_eq!(f.as_of, aurum_core::date(2025, 6, 30));
    }

    #[test]
    fn parses_targets_baseline_and_orders_parents_first() {
        let f = parse(
            "s.toml",
            &format!(
                "{BASE}[baseline]\nmodel = \"gbm\"\nvol_pct = 16\n\
                 [[scenario]]\nid = \"child\"\nprobability = 0.2\nrequires = [\"parent\"]\nshock = {{ mean_pct = 3.0, sd_pct = 2.5 }}\nvolatility = {{ multiplier = 1.3, days = 60 }}\n\
                 [[scenario]]\nid = \"parent\"\nprobability = 0.5\nwindow = [\"2025-03-01\", \"2025-12-31\"]\nshock = {{ analogs = \"ceasefire-peace\" }}\n"
            ),
        )
        .unwrap();
        assert_eq!(f.targets, [Target::Absolute(3000.0), Target::Relative(0.1)]);
        assert_eq!(
            f.baseline,
            Baseline::Gbm {
                drift_pct: 0.0,
                vol_pct: 16.0
            }
        );
        assert_eq!(f.scenarios[0].id, "parent");
        assert_eq!(
            f.scenarios[1].shock,
            Shock::Normal {
                mean_pct: 3.0,
                sd_pct: 2.5
            }
        );
    }

    #[test]
    fn reference_class_is_the_base_rate_else_the_analogs() {
        let f = parse(
            "s.toml",
            &format!(
                "{BASE}[[scenario]]\nid = \"named\"\nprobability = 0.1\nbase_rate = \"nuclear\"\nshock = {{ mean_pct = 3.0 }}\n\
                 [[scenario]]\nid = \"both\"\nprobability = 0.2\nbase_rate = \"alliance\"\nshock = {{ analogs = \"escalation\" }}\n\
                 [[scenario]]\nid = \"analogs\"\nprobability = 0.3\nshock = {{ analogs = \"ceasefire-peace\" }}\n\
                 [[scenario]]\nid = \"none\"\nprobability = 0.4\nshock = {{ pct = 2.0 }}\n"
            ),
        )
        .unwrap();
        let classes: Vec<(&str, Option<&str>)> = f
            .scenarios
            .iter()
            .map(|s| (s.id.as_str(), f.reference_class(s)))
            .collect();
        assert_eq!(
            classes,
            [
                ("named", Some("nuclear")),
                ("both", Some("alliance")),
                ("analogs", Some("ceasefire-peace")),
                ("none", None),
            ]
        );
        // The shock keeps its own category: base_rate only names the reference class.
        assert_eq!(
            f.scenarios[1].shock,
            Shock::Analogs {
                category: "escalation".into()
            }
        );
        assert_eq!(f.base_rates.len(), 2);
    }

    #[test]
    fn unknown_base_rate_categories_are_named() {
        assert_eq!(
            err("[[scenario]]\nid = \"a\"\nprobability = 0.5\nbase_rate = \"volcano\"\n"),
            format!(
                "s.toml: scenario \"a\": field \"base_rate\": \"volcano\": expected an event category ({})",
                ANALOG_CATEGORIES.join(", ")
            )
        );
        // Not a category name: the wrong type, an empty name, a long one quoted in part.
        assert!(
            err("[[scenario]]\nid = \"a\"\nprobability = 0.5\nbase_rate = 3\n")
                .starts_with("s.toml:")
        );
        assert!(
            err("[[scenario]]\nid = \"a\"\nprobability = 0.5\nbase_rate = \"\"\n")
                .contains("field \"base_rate\": \"\": expected an event category")
        );
        let long = err(&format!(
            "[[scenario]]\nid = \"a\"\nprobability = 0.5\nbase_rate = \"{}\"\n",
            "x".repeat(10_000)
        ));
        assert!(
            long.contains("more characters") && long.len() < 600,
            "{long}"
        );
    }

    #[test]
    fn validation_names_scenario_and_field() {
        assert_eq!(
            err("[[scenario]]\nid = \"a\"\nprobability = 1.5\n"),
            "s.toml: scenario \"a\": field \"probability\": 1.5: expected a probability between 0 and 1"
        );
        assert!(err("[[scenario]]\nid = \"a\"\nprobability = 0.5\nwindow = [\"2025-01-01\", \"2025-03-01\"]\n").contains("field \"window\""));
        assert!(
            err("[[scenario]]\nid = \"a\"\nprobability = 0.5\nrequires = [\"b\"]\n")
                .contains("field \"requires\": unknown scenario \"b\"")
        );
        assert!(err("[[scenario]]\nid = \"a\"\nprobability = 0.5\nrequires = [\"b\"]\n[[scenario]]\nid = \"b\"\nprobability = 0.5\nrequires = [\"a\"]\n").contains("cycle"));
        assert!(err("[[scenario]]\nid = \"a\"\nprobability = 0.5\n[[scenario]]\nid = \"b\"\nprobability = 0.5\nrequires = [\"a\"]\nexcludes = [\"a\"]\n").contains("both required and excluded"));
        assert!(err("[[scenario]]\nid = \"a\"\nprobability = 0.5\n[[scenario]]\nid = \"b\"\nprobability = 0.5\nrequires = [\"a\"]\n[[scenario]]\nid = \"c\"\nprobability = 0.5\nrequires = [\"b\"]\nexcludes = [\"a\"]\n").contains("ancestor"));
        assert!(err("[[scenario]]\nid = \"a\"\nprobability = 0.5\nshock = { pct = 1.0, analogs = \"nuclear\" }\n").contains("field \"shock\""));
        assert!(err("[[scenario]]\nid = \"a\"\nprobability = 0.5\nvolatility = { multiplier = 0.0, days = 5 }\n").contains("field \"volatility\""));
        // Non-finite and out-of-range numbers are refused where they are written.
        assert!(
            err("[[scenario]]\nid = \"a\"\nprobability = nan\n").contains("field \"probability\"")
        );
        assert!(
            err("[[scenario]]\nid = \"a\"\nprobability = 0.5\nshock = { mean_pct = nan }\n")
                .contains("field \"shock\"")
        );
        assert!(err("[[scenario]]\nid = \"a\"\nprobability = 0.5\nshock = { mean_pct = 1.0, sd_pct = inf }\n").contains("field \"shock\""));
        assert!(
            err("[[scenario]]\nid = \"a\"\nprobability = 0.5\nshock = { pct = 1e300 }\n")
                .contains("field \"shock\"")
        );
        assert!(err("[[scenario]]\nid = \"a\"\nprobabilty = 0.5\n").starts_with("s.toml:"));
    }

    /// Parser errors name the file's keys as written in it, with no backticks or dashes, and
    /// the line where the key is.
    #[test]
    fn unknown_keys_are_named_as_the_file_writes_them() {
        let e = err("[[scenario]]\nid = \"a\"\nprobabilty = 0.5\n");
        assert!(
            e.starts_with(
                "s.toml:7: unknown field \"probabilty\", expected one of id, name, probability, "
            ),
            "{e}"
        );
        assert!(
            e.contains(", spread_days, ") && e.contains(", name_ja, "),
            "{e}"
        );
        assert!(!e.contains('`') && !e.contains("--"), "{e}");
        assert_eq!(
            file_keys("missing field `title`"),
            "missing field \"title\""
        );
        assert_eq!(
            file_keys("invalid type: integer `5`, expected a string"),
            "invalid type: integer 5, expected a string"
        );
        assert_eq!(file_keys("a ` b"), "a ` b");
        assert!(
            parse(
                "s.toml",
                "title = \"t\"\nas_of = \"2025-02-18\"\nhorizon = \"2025-01-31\"\ntargets = [1.0]\n"
            )
            .unwrap_err()
            .to_string()
            .contains("not after as_of")
        );
    }
}
