//! Scores of each model and horizon over all origins, skill against the baseline, and
//! Diebold–Mariano comparisons between models.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::engine::{EventKind, INTERVALS, Row};
use crate::model::ModelKind;
use crate::scores::{
    Brier, Christoffersen, DieboldMariano, PitTest, brier, brier_grouped, christoffersen,
    diebold_mariano, kupiec, pit_uniformity,
};

/// Bins of PIT histograms and reliability diagrams.
pub const BINS: usize = 10;

/// Tests at this level flag a model as miscalibrated.
pub const ALPHA: f64 = 0.01;

/// Fewest non-overlapping forecasts on which the calibration tests can judge: three
/// expected per PIT bin. With fewer, the verdict is "too few to judge", never "yes".
pub const JUDGE_MIN: u64 = 3 * BINS as u64;

/// Coverage of one central interval.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Coverage {
    /// Nominal coverage, e.g. 0.9.
    pub nominal: f64,
    /// Share of outcomes inside the interval.
    pub rate: f64,
    /// Outcomes outside.
    pub misses: u64,
    /// Kupiec's likelihood ratio.
    pub kupiec: f64,
    /// Its p-value.
    pub kupiec_p: f64,
    /// Christoffersen's independence and conditional-coverage tests.
    pub christoffersen: Christoffersen,
}

/// The Brier score of one threshold event.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EventScore {
    /// The level (`+5%`, `3000`).
    pub level: String,
    /// Close or touch.
    pub kind: EventKind,
    /// Mean forecast probability.
    pub mean_p: f64,
    /// How often it happened.
    pub observed: f64,
    /// Brier score and decomposition.
    pub brier: Brier,
}

/// Skill against the baseline on the origins both forecast: `1 − score / baseline's`
/// (positive is better than the baseline).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Skill {
    /// Against this model.
    pub baseline: ModelKind,
    /// CRPS skill score.
    pub crps: f64,
    /// Brier skill score over all threshold events.
    pub brier: f64,
    /// Diebold–Mariano test of the Brier scores: each origin's mean Brier score over its
    /// events, this model minus the baseline (negative favours this model), with the
    /// horizon's overlap in lags. `None` with too few origins or no difference.
    pub brier_dm: Option<DieboldMariano>,
    /// Mean log-score difference, baseline minus this model (positive is better).
    pub log_score: f64,
}

/// All scores of one model at one horizon.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Score {
    /// The model.
    pub model: ModelKind,
    /// Trading days ahead.
    pub horizon: usize,
    /// Forecasts scored.
    pub n: u64,
    /// The first origin scored.
    pub first_origin: Option<aurum_core::Date>,
    /// The last origin scored (later ones still await their outcome).
    pub last_origin: Option<aurum_core::Date>,
    /// Mean CRPS (percent log return; lower is better).
    pub crps: f64,
    /// Mean negative log density (lower is better).
    pub log_score: f64,
    /// Mean absolute error of the median forecast, in percent.
    pub mae: f64,
    /// Forecasts that do not overlap (every `lags + 1`-th), on which the PIT and coverage
    /// tests run: overlapping forecasts share outcomes, and tests that assume independence
    /// would reject too often.
    pub independent_n: u64,
    /// PIT histogram and uniformity tests, on the non-overlapping forecasts.
    pub pit: PitTest,
    /// Coverage of the central intervals in [`INTERVALS`] (rates over all forecasts, tests
    /// on the non-overlapping ones).
    pub coverage: Vec<Coverage>,
    /// Brier scores of every threshold event.
    pub events: Vec<EventScore>,
    /// Brier score over all threshold events pooled, with its reliability diagram.
    pub brier: Brier,
    /// Skill against the baseline (absent for the baseline, or without one).
    pub skill: Option<Skill>,
    /// CRPS skill against GBM, `1 − CRPS / CRPS(gbm)` on the origins both forecast.
    pub crps_skill_vs_gbm: Option<f64>,
    /// Brier skill against GBM over all threshold events.
    pub brier_skill_vs_gbm: Option<f64>,
    /// Brier skill against climatology (each event's past frequency as known at the
    /// origin) over the events that have one.
    pub brier_skill_vs_climatology: Option<f64>,
    /// Brier score of climatology on those events.
    pub brier_climatology: Option<f64>,
    /// Whether there are enough non-overlapping forecasts ([`JUDGE_MIN`]) and no test flags
    /// the model at [`ALPHA`] (PIT χ², Kupiec and Christoffersen's conditional coverage at
    /// every interval).
    pub calibrated: bool,
    /// `yes`, `no`, or `too few to judge (N forecasts)`.
    pub verdict: String,
    /// Which tests flag it.
    pub flags: Vec<String>,
}

/// A Diebold–Mariano comparison of two models' CRPS at one horizon.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    /// Trading days ahead.
    pub horizon: usize,
    /// First model.
    pub a: ModelKind,
    /// Second model.
    pub b: ModelKind,
    /// The test on CRPS(a) − CRPS(b): negative favours `a`.
    pub dm: DieboldMariano,
}

/// Everything a backtest found.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// Per model and horizon.
    pub scores: Vec<Score>,
    /// Pairwise comparisons.
    pub comparisons: Vec<Comparison>,
}

/// Summarises scored rows. `spacing` is the mean gap between origins in trading days: an
/// h-step forecast overlaps the next `⌈h / spacing⌉ − 1`, which sets the Diebold–Mariano
/// lags; PIT and coverage tests, which assume independent forecasts, use every `lags + 1`-th
/// forecast.
#[must_use]
pub fn summarise(rows: &[Row], models: &[ModelKind], spacing: f64) -> Summary {
    let mut groups: BTreeMap<(usize, usize), Vec<&Row>> = BTreeMap::new();
    for r in rows {
        if let Some(m) = models.iter().position(|m| *m == r.model) {
            groups.entry((r.horizon, m)).or_default().push(r);
        }
    }
    for g in groups.values_mut() {
        g.sort_by_key(|r| r.origin);
    }
    let baseline = models.contains(&ModelKind::GBM).then_some(ModelKind::GBM);
    let mut scores = Vec::new();
    let mut comparisons = Vec::new();
    let horizons: Vec<usize> = {
        let mut h: Vec<usize> = groups.keys().map(|k| k.0).collect();
        h.dedup();
        h
    };
    for &h in &horizons {
        let lags = ((h as f64 / spacing.max(1.0)).ceil() as usize).saturating_sub(1);
        for (mi, &m) in models.iter().enumerate() {
            let Some(g) = groups.get(&(h, mi)) else {
                continue;
            };
            let base = baseline
                .filter(|b| *b != m)
                .and_then(|b| models.iter().position(|x| *x == b))
                .and_then(|bi| groups.get(&(h, bi)));
            if let Some(s) = score(
                m,
                h,
                g,
                base.map(|b| (baseline.unwrap_or(m), b.as_slice())),
                lags,
            ) {
                scores.push(s);
            }
        }
        for (ai, &a) in models.iter().enumerate() {
            for (bi, &b) in models.iter().enumerate().skip(ai + 1) {
                let (Some(ga), Some(gb)) = (groups.get(&(h, ai)), groups.get(&(h, bi))) else {
                    continue;
                };
                let d: Vec<f64> = paired(ga, gb).map(|(x, y)| x.crps - y.crps).collect();
                if let Some(dm) = diebold_mariano(&d, lags) {
                    comparisons.push(Comparison {
                        horizon: h,
                        a,
                        b,
                        dm,
                    });
                }
            }
        }
    }
    Summary {
        scores,
        comparisons,
    }
}

/// Rows of two models at the same origins (both sorted by origin).
fn paired<'a>(a: &'a [&'a Row], b: &'a [&'a Row]) -> impl Iterator<Item = (&'a Row, &'a Row)> {
    let mut j = 0;
    a.iter().filter_map(move |x| {
        while j < b.len() && b[j].origin < x.origin {
            j += 1;
        }
        (j < b.len() && b[j].origin == x.origin).then(|| (*x, b[j]))
    })
}

fn mean(xs: impl Iterator<Item = f64>) -> f64 {
    let (s, n) = xs.fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
    if n == 0 { f64::NAN } else { s / n as f64 }
}

/// Every event forecast in `rows` (one row per origin, in time order): the probabilities,
/// the outcomes and each forecast's origin.
fn pooled(rows: &[&Row]) -> (Vec<f64>, Vec<bool>, Vec<usize>) {
    let mut p = Vec::new();
    let mut o = Vec::new();
    let mut group = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        for e in &r.events {
            p.push(e.p);
            o.push(e.outcome);
            group.push(i);
        }
    }
    (p, o, group)
}

fn score(
    model: ModelKind,
    horizon: usize,
    rows: &[&Row],
    baseline: Option<(ModelKind, &[&Row])>,
    lags: usize,
) -> Option<Score> {
    let independent: Vec<&Row> = rows.iter().step_by(lags + 1).copied().collect();
    let pits: Vec<f64> = independent.iter().map(|r| r.pit).collect();
    let pit = pit_uniformity(&pits, BINS)?;
    let n = rows.len() as u64;
    let coverage: Vec<Coverage> = INTERVALS
        .iter()
        .enumerate()
        .map(|(k, nominal)| {
            let misses = rows.iter().filter(|r| r.misses[k]).count() as u64;
            let hits: Vec<bool> = independent.iter().map(|r| r.misses[k]).collect();
            let tested = hits.iter().filter(|h| **h).count() as u64;
            let (lr, p) = kupiec(hits.len() as u64, tested, 1.0 - nominal);
            Coverage {
                nominal: *nominal,
                rate: 1.0 - misses as f64 / n as f64,
                misses,
                kupiec: lr,
                kupiec_p: p,
                christoffersen: christoffersen(&hits, 1.0 - nominal),
            }
        })
        .collect();
    type Forecasts = (Vec<f64>, Vec<bool>, Vec<usize>);
    let mut by_event: BTreeMap<(EventKind, String), Forecasts> = BTreeMap::new();
    let mut order: Vec<(EventKind, String)> = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        for e in &r.events {
            let key = (e.kind, e.level.clone());
            let slot = by_event.entry(key.clone()).or_insert_with(|| {
                order.push(key);
                (Vec::new(), Vec::new(), Vec::new())
            });
            slot.0.push(e.p);
            slot.1.push(e.outcome);
            slot.2.push(i);
        }
    }
    let events = order
        .into_iter()
        .filter_map(|key| {
            let (p, o, group) = &by_event[&key];
            Some(EventScore {
                mean_p: mean(p.iter().copied()),
                observed: mean(o.iter().map(|x| f64::from(u8::from(*x)))),
                brier: brier_grouped(p, o, group, BINS, lags)?,
                level: key.1,
                kind: key.0,
            })
        })
        .collect();
    // With each reliability bin's standard error for forecasts `lags` origins apart sharing
    // outcomes, and the joint test.
    let all = {
        let (p, o, group) = pooled(rows);
        brier_grouped(&p, &o, &group, BINS, lags)?
    };
    let skill = baseline.map(|(b, base)| {
        let pairs: Vec<(&Row, &Row)> = paired(rows, base).collect();
        let crps = mean(pairs.iter().map(|p| p.0.crps)) / mean(pairs.iter().map(|p| p.1.crps));
        let mine: Vec<&Row> = pairs.iter().map(|p| p.0).collect();
        let theirs: Vec<&Row> = pairs.iter().map(|p| p.1).collect();
        // Only the scores: no standard errors or tests.
        let score = |rows: &[&Row]| {
            let (p, o, _) = pooled(rows);
            brier(&p, &o, BINS)
        };
        let bs = match (score(&mine), score(&theirs)) {
            (Some(x), Some(y)) if y.bs > 0.0 => 1.0 - x.bs / y.bs,
            _ => f64::NAN,
        };
        // Each origin's events, scored by both (the same events: same levels and kinds).
        let brier_diff: Vec<f64> = pairs
            .iter()
            .filter(|(x, y)| !x.events.is_empty() && x.events.len() == y.events.len())
            .map(|(x, y)| {
                let sq = |p: f64, o: bool| (p - f64::from(u8::from(o))).powi(2);
                x.events
                    .iter()
                    .zip(&y.events)
                    .map(|(a, b)| sq(a.p, a.outcome) - sq(b.p, b.outcome))
                    .sum::<f64>()
                    / x.events.len() as f64
            })
            .collect();
        Skill {
            baseline: b,
            crps: 1.0 - crps,
            brier: bs,
            brier_dm: diebold_mariano(&brier_diff, lags),
            log_score: mean(
                pairs
                    .iter()
                    .filter_map(|(x, y)| Some(y.log_score? - x.log_score?)),
            ),
        }
    });
    let mut flags = Vec::new();
    if pit.chi2_p < ALPHA {
        flags.push(format!("PIT not uniform (χ² p = {:.3})", pit.chi2_p));
    }
    for c in &coverage {
        if c.kupiec_p < ALPHA {
            flags.push(format!(
                "{:.0}% interval covers {:.1}% (Kupiec p = {:.3})",
                c.nominal * 100.0,
                c.rate * 100.0,
                c.kupiec_p
            ));
        } else if c.christoffersen.p_cc < ALPHA {
            flags.push(format!(
                "{:.0}% interval misses cluster (Christoffersen p = {:.3})",
                c.nominal * 100.0,
                c.christoffersen.p_cc
            ));
        }
    }
    if let Some(t) = all.reliability_test.as_ref().filter(|t| t.p < ALPHA) {
        flags.push(format!(
            "event probabilities off the diagonal (Wald χ² on {} bins, p = {:.3})",
            t.bins, t.p
        ));
    }
    // Climatology on the same events (where the history gave it a rate).
    let (mut p_model, mut p_clim, mut outcomes) = (Vec::new(), Vec::new(), Vec::new());
    for r in rows {
        for e in &r.events {
            if let Some(c) = e.climate {
                p_model.push(e.p);
                p_clim.push(c);
                outcomes.push(e.outcome);
            }
        }
    }
    let vs_climate = match (
        brier(&p_model, &outcomes, BINS),
        brier(&p_clim, &outcomes, BINS),
    ) {
        (Some(m), Some(c)) if c.bs > 0.0 => Some((1.0 - m.bs / c.bs, c.bs)),
        _ => None,
    };
    let judged = independent.len() as u64 >= JUDGE_MIN;
    let verdict = match (judged, flags.is_empty()) {
        (false, _) => format!("too few to judge ({} forecasts)", independent.len()),
        (true, true) => "yes".to_owned(),
        (true, false) => "no".to_owned(),
    };
    Some(Score {
        crps_skill_vs_gbm: skill
            .as_ref()
            .filter(|k| k.baseline == ModelKind::GBM)
            .map(|k| k.crps),
        brier_skill_vs_gbm: skill
            .as_ref()
            .filter(|k| k.baseline == ModelKind::GBM)
            .map(|k| k.brier),
        brier_skill_vs_climatology: vs_climate.map(|v| v.0),
        brier_climatology: vs_climate.map(|v| v.1),
        calibrated: judged && flags.is_empty(),
        verdict,
        model,
        horizon,
        n,
        first_origin: rows.iter().map(|r| r.origin).min(),
        last_origin: rows.iter().map(|r| r.origin).max(),
        independent_n: independent.len() as u64,
        crps: mean(rows.iter().map(|r| r.crps)),
        log_score: mean(rows.iter().filter_map(|r| r.log_score)),
        mae: mean(rows.iter().map(|r| (r.realised - r.median).abs())),
        pit,
        coverage,
        events,
        brier: all,
        skill,
        flags,
    })
}
