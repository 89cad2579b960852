//! Scoring a published call against what happened: each of its binary events resolved on the
//! closes known at the scoring date, Brier and log scores over the resolved ones, where the
//! horizon close fell in the forecast distribution, and first passage against its forecast
//! median.

use aurum_core::Date;
use serde::{Deserialize, Serialize};

use crate::EventKind;

/// Probabilities below this (or above one minus it) count as this in the log score, so one
/// confident miss costs at most ln(0.001) ≈ −6.9 instead of minus infinity.
pub const LOG_SCORE_FLOOR: f64 = 0.001;

/// One binary event a call gave a probability for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CallEvent {
    /// `touch` (some close from the day after as_of through `by` at or above the level) or
    /// `close` (the close of `by` at or above the level).
    pub kind: EventKind,
    /// Price level.
    pub level: f64,
    /// The last trading day the event covers.
    pub by: Date,
    /// The probability printed.
    pub p: f64,
}

/// How an event came out, as far as the closes known show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// It happened.
    Yes,
    /// It did not.
    No,
    /// Not known yet: the period has not ended in the data.
    Open,
}

impl Outcome {
    /// The name in output: `yes`, `no` or `open`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Yes => "yes",
            Self::No => "no",
            Self::Open => "open",
        }
    }
}

/// An event with its resolution.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScoredEvent {
    /// The event as called.
    #[serde(flatten)]
    pub event: CallEvent,
    /// How it came out.
    pub outcome: Outcome,
    /// The close that decided it (yes: the first at or above the level; no: the last close the
    /// event covers); none while open.
    pub resolved_on: Option<Date>,
    /// (p − outcome)² once resolved.
    pub brier: Option<f64>,
}

/// The call's forecast of when a level is first reached.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Passage {
    /// Price level.
    pub level: f64,
    /// Median first-passage date among the simulated paths that reach it by the horizon.
    pub median: Option<Date>,
}

/// A first passage as it happened against its forecast median.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PassageScore {
    /// Price level.
    pub level: f64,
    /// The forecast median.
    pub median: Option<Date>,
    /// The first close at or above the level, by the horizon; none if not (yet).
    pub reached_on: Option<Date>,
    /// Trading days (closes in the data) from the median to the actual first passage:
    /// negative when it came earlier than the median.
    pub days_from_median: Option<i64>,
}

/// What a call forecast, as needed to score it.
#[derive(Clone, Debug, PartialEq)]
pub struct CallForecast {
    /// The call's as-of date: only closes after it count.
    pub as_of: Date,
    /// The last simulated day.
    pub horizon: Date,
    /// The binary events.
    pub events: Vec<CallEvent>,
    /// The horizon price's 1st to 99th percentiles, ascending (may be empty).
    pub percentiles: Vec<f64>,
    /// First-passage medians per target.
    pub passages: Vec<Passage>,
}

/// A call scored on the closes known at the scoring date.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CallScore {
    /// Every event with its resolution.
    pub events: Vec<ScoredEvent>,
    /// Events resolved.
    pub resolved: usize,
    /// Events still open.
    pub open: usize,
    /// Mean Brier score over the resolved events.
    pub brier: Option<f64>,
    /// Mean log score (ln of the probability given to what happened) over the resolved events.
    pub log_score: Option<f64>,
    /// The horizon close, once known.
    pub horizon_close: Option<(Date, f64)>,
    /// Where the horizon close fell in the forecast distribution (its probability integral
    /// transform), interpolated between the recorded percentiles; 0.005 below the 1st and
    /// 0.995 above the 99th.
    pub pit: Option<f64>,
    /// First passages against their forecast medians.
    pub passages: Vec<PassageScore>,
}

/// Resolves one event on `closes` (ascending by date, as known at the scoring date; the
/// scoring date's own data cut-off is the caller's). `touch`: yes on the first close after
/// `as_of` through `by` at or above the level; no once the data reach `by` without one.
/// `close`: the last close on or before `by`, once the data reach `by`. Open otherwise.
#[must_use]
pub fn resolve(event: &CallEvent, as_of: Date, closes: &[(Date, f64)]) -> (Outcome, Option<Date>) {
    let start = closes.partition_point(|(d, _)| *d <= as_of);
    let end = closes.partition_point(|(d, _)| *d <= event.by);
    let span = &closes[start..end];
    let reached = closes.last().is_some_and(|(d, _)| *d >= event.by);
    match event.kind {
        EventKind::Touch => {
            if let Some((d, _)) = span.iter().find(|(_, c)| *c >= event.level) {
                (Outcome::Yes, Some(*d))
            } else if reached {
                (
                    Outcome::No,
                    span.last().map_or(Some(event.by), |(d, _)| Some(*d)),
                )
            } else {
                (Outcome::Open, None)
            }
        }
        EventKind::Close => match span.last() {
            Some((d, c)) if reached => {
                let o = if *c >= event.level {
                    Outcome::Yes
                } else {
                    Outcome::No
                };
                (o, Some(*d))
            }
            _ => (Outcome::Open, None),
        },
    }
}

/// The log score of probability `p` for an outcome, with `p` kept within
/// [`LOG_SCORE_FLOOR`] of 0 and 1.
#[must_use]
pub fn log_score(p: f64, happened: bool) -> f64 {
    let p = p.clamp(LOG_SCORE_FLOOR, 1.0 - LOG_SCORE_FLOOR);
    if happened { p.ln() } else { (1.0 - p).ln() }
}

/// The forecast CDF at `y` from the 1st to 99th percentiles `q` (ascending): linear between
/// them, 0.005 below the first and 0.995 above the last.
#[must_use]
pub fn pit_from_percentiles(q: &[f64], y: f64) -> Option<f64> {
    let n = q.len();
    if n < 2 || !y.is_finite() {
        return None;
    }
    let step = 1.0 / (n + 1) as f64;
    if y < q[0] {
        return Some(step / 2.0);
    }
    if y > q[n - 1] {
        return Some(1.0 - step / 2.0);
    }
    let i = q.partition_point(|x| *x <= y).clamp(1, n - 1);
    let (lo, hi) = (q[i - 1], q[i]);
    let frac = if hi > lo { (y - lo) / (hi - lo) } else { 0.5 };
    Some(step * (i as f64 + frac.clamp(0.0, 1.0)))
}

/// Scores a call on `closes` (ascending by date, everything known at the scoring date).
#[must_use]
pub fn score(call: &CallForecast, closes: &[(Date, f64)]) -> CallScore {
    let events: Vec<ScoredEvent> = call
        .events
        .iter()
        .map(|e| {
            let (outcome, resolved_on) = resolve(e, call.as_of, closes);
            let brier = match outcome {
                Outcome::Yes => Some((e.p - 1.0).powi(2)),
                Outcome::No => Some(e.p.powi(2)),
                Outcome::Open => None,
            };
            ScoredEvent {
                event: e.clone(),
                outcome,
                resolved_on,
                brier,
            }
        })
        .collect();
    let done: Vec<&ScoredEvent> = events.iter().filter(|e| e.brier.is_some()).collect();
    let n = done.len();
    let mean = |f: &dyn Fn(&ScoredEvent) -> f64| -> Option<f64> {
        (n > 0).then(|| done.iter().map(|e| f(e)).sum::<f64>() / n as f64)
    };
    let brier = mean(&|e| e.brier.unwrap_or(0.0));
    let log = mean(&|e| log_score(e.event.p, e.outcome == Outcome::Yes));
    let horizon = CallEvent {
        kind: EventKind::Close,
        level: 0.0,
        by: call.horizon,
        p: 0.0,
    };
    let horizon_close = match resolve(&horizon, call.as_of, closes) {
        (Outcome::Yes | Outcome::No, Some(d)) => closes
            .iter()
            .rev()
            .find(|(x, _)| *x == d)
            .map(|(d, c)| (*d, *c)),
        _ => None,
    };
    let pit = horizon_close.and_then(|(_, c)| pit_from_percentiles(&call.percentiles, c));
    let start = closes.partition_point(|(d, _)| *d <= call.as_of);
    let end = closes.partition_point(|(d, _)| *d <= call.horizon);
    let span = &closes[start..end];
    let passages = call
        .passages
        .iter()
        .map(|p| {
            let reached = span.iter().position(|(_, c)| *c >= p.level);
            let days_from_median = match (reached, p.median) {
                (Some(i), Some(m)) => {
                    let at_median = span.partition_point(|(d, _)| *d < m) as i64;
                    Some(i as i64 - at_median)
                }
                _ => None,
            };
            PassageScore {
                level: p.level,
                median: p.median,
                reached_on: reached.map(|i| span[i].0),
                days_from_median,
            }
        })
        .collect();
    CallScore {
        resolved: n,
        open: events.len() - n,
        events,
        brier,
        log_score: log,
        horizon_close,
        pit,
        passages,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aurum_core::date;

    fn closes() -> Vec<(Date, f64)> {
        vec![
            (date(2025, 2, 18), 2900.0),
            (date(2025, 2, 19), 2950.0),
            (date(2025, 2, 20), 3010.0),
            (date(2025, 2, 21), 2990.0),
            (date(2025, 2, 24), 2980.0),
        ]
    }

    fn ev(kind: EventKind, level: f64, by: Date, p: f64) -> CallEvent {
        CallEvent { kind, level, by, p }
    }

    #[test]
    fn touches_resolve_on_the_first_close_at_the_level() {
        let as_of = date(2025, 2, 18);
        let c = closes();
        let e = ev(EventKind::Touch, 3000.0, date(2025, 2, 21), 0.4);
        assert_eq!(
            resolve(&e, as_of, &c),
            (Outcome::Yes, Some(date(2025, 2, 20)))
        );
        // Not reached by the 19th: no, decided by the 19th's close.
        let e = ev(EventKind::Touch, 3000.0, date(2025, 2, 19), 0.4);
        assert_eq!(
            resolve(&e, as_of, &c),
            (Outcome::No, Some(date(2025, 2, 19)))
        );
        // A later date the data do not reach: open, not guessed.
        let e = ev(EventKind::Touch, 3100.0, date(2025, 3, 31), 0.4);
        assert_eq!(resolve(&e, as_of, &c), (Outcome::Open, None));
        // The as-of close itself does not count.
        let e = ev(EventKind::Touch, 2900.0, date(2025, 2, 19), 0.9);
        assert_eq!(
            resolve(&e, date(2025, 2, 18), &c[..1]),
            (Outcome::Open, None)
        );
    }

    #[test]
    fn closes_resolve_on_the_last_close_by_the_day() {
        let as_of = date(2025, 2, 18);
        let c = closes();
        let e = ev(EventKind::Close, 3000.0, date(2025, 2, 21), 0.3);
        assert_eq!(
            resolve(&e, as_of, &c),
            (Outcome::No, Some(date(2025, 2, 21)))
        );
        // A holiday with no close: the last one before it decides, once the data pass it.
        let e = ev(EventKind::Close, 2985.0, date(2025, 2, 22), 0.3);
        assert_eq!(
            resolve(&e, as_of, &c),
            (Outcome::Yes, Some(date(2025, 2, 21)))
        );
        let e = ev(EventKind::Close, 2985.0, date(2025, 2, 25), 0.3);
        assert_eq!(resolve(&e, as_of, &c), (Outcome::Open, None));
    }

    #[test]
    fn scores_are_those_of_the_resolved_events() {
        let call = CallForecast {
            as_of: date(2025, 2, 18),
            horizon: date(2025, 2, 24),
            events: vec![
                ev(EventKind::Touch, 3000.0, date(2025, 2, 21), 0.4),
                ev(EventKind::Close, 3000.0, date(2025, 2, 24), 0.2),
                ev(EventKind::Touch, 3100.0, date(2025, 3, 31), 0.7),
            ],
            percentiles: (1..100).map(|k| 2800.0 + 4.0 * f64::from(k)).collect(),
            passages: vec![Passage {
                level: 3000.0,
                median: Some(date(2025, 2, 24)),
            }],
        };
        let s = score(&call, &closes());
        assert_eq!((s.resolved, s.open), (2, 1));
        let brier = ((0.4f64 - 1.0).powi(2) + 0.2f64.powi(2)) / 2.0;
        assert!((s.brier.unwrap() - brier).abs() < 1e-15);
        let log = (0.4f64.ln() + 0.8f64.ln()) / 2.0;
        assert!((s.log_score.unwrap() - log).abs() < 1e-15);
        assert_eq!(s.horizon_close, Some((date(2025, 2, 24), 2980.0)));
        // 2980 is the 45th percentile on this grid.
        assert!((s.pit.unwrap() - 0.45).abs() < 1e-12);
        // Reached on the 20th, two closes before the median of the 24th.
        assert_eq!(s.passages[0].reached_on, Some(date(2025, 2, 20)));
        assert_eq!(s.passages[0].days_from_median, Some(-2));
    }

    #[test]
    fn pit_is_interpolated_and_bounded() {
        let q: Vec<f64> = (1..100).map(f64::from).collect();
        assert_eq!(pit_from_percentiles(&q, 0.5), Some(0.005));
        assert_eq!(pit_from_percentiles(&q, 200.0), Some(0.995));
        assert!((pit_from_percentiles(&q, 50.5).unwrap() - 0.505).abs() < 1e-12);
        assert!((pit_from_percentiles(&q, 99.0).unwrap() - 0.99).abs() < 1e-12);
        assert_eq!(pit_from_percentiles(&[], 1.0), None);
        assert_eq!(pit_from_percentiles(&q, f64::NAN), None);
    }

    #[test]
    fn log_scores_are_floored() {
        assert!((log_score(0.0, true) - LOG_SCORE_FLOOR.ln()).abs() < 1e-15);
        assert!((log_score(1.0, true)).abs() < 0.0011);
        assert!((log_score(0.25, false) - 0.75f64.ln()).abs() < 1e-15);
    }
}
