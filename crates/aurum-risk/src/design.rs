//! From daily series to the aligned regression data.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use aurum_core::{Date, Frequency, period_end};
use chrono::Datelike;
use serde::Serialize;

use crate::RiskError;

/// How the GPR index enters the regression.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Measure {
    /// `X_t`.
    Level,
    /// `X_t − X_{t−1}`.
    Change,
    /// `100 (ln X_t − ln X_{t−1})`.
    LogChange,
    /// The residual of `X_t = a + b X_{t−1} + e_t` fitted on the whole index series.
    Shock,
}

impl FromStr for Measure {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "level" => Ok(Self::Level),
            "change" => Ok(Self::Change),
            "log-change" => Ok(Self::LogChange),
            "shock" => Ok(Self::Shock),
            _ => Err(format!(
                "unknown measure {s:?}: expected level, change, log-change or shock"
            )),
        }
    }
}

impl fmt::Display for Measure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Level => "level",
            Self::Change => "change",
            Self::LogChange => "log-change",
            Self::Shock => "shock",
        })
    }
}

/// The GPR input: the daily index (averaged within weeks, taken as is for daily data) or the
/// authors' monthly index (dated the first of the month).
#[derive(Clone, Copy, Debug)]
pub enum GprInput<'a> {
    /// Daily values, one per calendar day.
    Daily(&'a [(Date, f64)]),
    /// Monthly values dated the first of each month.
    Monthly(&'a [(Date, f64)]),
}

/// How a control's levels become its regressor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ControlKind {
    /// `100 (ln V_t − ln V_{t−1})`: prices and indices.
    LogChange,
    /// `V_t − V_{t−1}`: rates in percent.
    Difference,
}

/// A control variable.
#[derive(Clone, Debug)]
pub struct Control<'a> {
    /// Name (a series id).
    pub name: String,
    /// Daily levels.
    pub levels: &'a [(Date, f64)],
    /// Transformation.
    pub kind: ControlKind,
}

/// Aligned regression data: `y` on a constant, the GPR measure and the controls.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Design {
    /// Period labels (week-ending Friday, first of month, or trading day).
    pub labels: Vec<Date>,
    /// Gold return of each period, percent.
    pub y: Vec<f64>,
    /// Regressor rows: `[1, gpr, controls…]`.
    pub x: Vec<Vec<f64>>,
    /// Regressor names: `const`, `gpr`, then the controls.
    pub names: Vec<String>,
    /// AR(1) coefficients `(a, b)` of the shock measure.
    pub ar1_shock: Option<(f64, f64)>,
}

/// The label of a date's period: weekly `W-FRI`, the first of the month, or the day itself.
fn label(d: Date, freq: Frequency) -> Date {
    match freq {
        Frequency::Monthly => d.with_day(1).unwrap_or(d),
        other => period_end(d, other),
    }
}

/// Last value of each period.
fn last_per_period(values: &[(Date, f64)], freq: Frequency) -> BTreeMap<Date, f64> {
    let mut out = BTreeMap::new();
    for &(d, v) in values {
        out.insert(label(d, freq), v);
    }
    out
}

/// Mean of each period, summed with Kahan compensation in date order (as pandas does, so that
/// weekly means agree to the last bit).
fn mean_per_period(values: &[(Date, f64)], freq: Frequency) -> BTreeMap<Date, f64> {
    let mut acc: BTreeMap<Date, (f64, f64, usize)> = BTreeMap::new();
    for &(d, v) in values {
        let e = acc.entry(label(d, freq)).or_insert((0.0, 0.0, 0));
        let t1 = v - e.1;
        let t = e.0 + t1;
        e.1 = (t - e.0) - t1;
        e.0 = t;
        e.2 += 1;
    }
    acc.into_iter()
        .map(|(k, (s, _, n))| (k, s / n as f64))
        .collect()
}

/// Changes between consecutive elements of a period series.
fn changes(
    series: &BTreeMap<Date, f64>,
    name: &str,
    f: impl Fn(f64, f64) -> f64,
    log: bool,
) -> Result<BTreeMap<Date, f64>, RiskError> {
    if log && let Some((d, v)) = series.iter().find(|(_, v)| **v <= 0.0) {
        return Err(RiskError::NonPositive {
            series: name.to_owned(),
            date: *d,
            value: *v,
        });
    }
    let items: Vec<(&Date, &f64)> = series.iter().collect();
    Ok(items
        .windows(2)
        .map(|w| (*w[1].0, f(*w[0].1, *w[1].1)))
        .collect())
}

fn log_change(a: f64, b: f64) -> f64 {
    100.0 * (b.ln() - a.ln())
}

/// Builds the regression of gold returns on the GPR measure and controls at `freq`.
/// All daily inputs must already be limited to the sample period.
///
/// # Errors
///
/// Non-positive values under a log change; weekly or daily frequency with the monthly index.
pub fn design(
    gold: &[(Date, f64)],
    gpr: GprInput<'_>,
    controls: &[Control<'_>],
    freq: Frequency,
    measure: Measure,
) -> Result<Design, RiskError> {
    let gold_p = last_per_period(gold, freq);
    let y = changes(&gold_p, "gold", log_change, true)?;
    let x_level = match (gpr, freq) {
        (GprInput::Daily(v), Frequency::Daily) => v.iter().copied().collect(),
        (GprInput::Daily(v), f) => mean_per_period(v, f),
        (GprInput::Monthly(v), Frequency::Monthly) => last_per_period(v, Frequency::Monthly),
        (GprInput::Monthly(_), f) => {
            return Err(RiskError::Spec(format!(
                "the monthly GPR index cannot be used at {f} frequency"
            )));
        }
    };
    let mut ar1 = None;
    let gpr_x: BTreeMap<Date, f64> = match measure {
        Measure::Level => x_level,
        Measure::Change => changes(&x_level, "gpr", |a, b| b - a, false)?,
        Measure::LogChange => changes(&x_level, "gpr", log_change, true)?,
        Measure::Shock => {
            let items: Vec<(&Date, &f64)> = x_level.iter().collect();
            let pairs: Vec<(f64, f64)> = items.windows(2).map(|w| (*w[0].1, *w[1].1)).collect();
            let n = pairs.len() as f64;
            let (mx, my) = (
                pairs.iter().map(|p| p.0).sum::<f64>() / n,
                pairs.iter().map(|p| p.1).sum::<f64>() / n,
            );
            let sxy: f64 = pairs.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
            let sxx: f64 = pairs.iter().map(|p| (p.0 - mx).powi(2)).sum();
            let b = sxy / sxx;
            let a = my - b * mx;
            ar1 = Some((a, b));
            items
                .windows(2)
                .map(|w| (*w[1].0, w[1].1 - a - b * w[0].1))
                .collect()
        }
    };
    let mut ctrl: Vec<BTreeMap<Date, f64>> = Vec::with_capacity(controls.len());
    for c in controls {
        let p = last_per_period(c.levels, freq);
        ctrl.push(match c.kind {
            ControlKind::LogChange => changes(&p, &c.name, log_change, true)?,
            ControlKind::Difference => changes(&p, &c.name, |a, b| b - a, false)?,
        });
    }
    let mut out = Design {
        labels: Vec::new(),
        y: Vec::new(),
        x: Vec::new(),
        names: ["const", "gpr"]
            .into_iter()
            .map(str::to_owned)
            .chain(controls.iter().map(|c| c.name.clone()))
            .collect(),
        ar1_shock: ar1,
    };
    for (d, yv) in &y {
        let Some(g) = gpr_x.get(d) else { continue };
        let cs: Option<Vec<f64>> = ctrl.iter().map(|m| m.get(d).copied()).collect();
        let Some(cs) = cs else { continue };
        let mut row = vec![1.0, *g];
        row.extend(cs);
        if yv.is_finite() && row.iter().all(|v| v.is_finite()) {
            out.labels.push(*d);
            out.y.push(*yv);
            out.x.push(row);
        }
    }
    Ok(out)
}
