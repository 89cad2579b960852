//! Calls: every probability a report or scenario run printed, recorded with its as-of date,
//! horizon, series and model, published or kept as a draft, and scored when the prices arrive;
//! the strategist's scenario judgements scored against the outcomes they record.

use std::collections::{BTreeMap, HashMap};

use aurum_backtest::EventKind;
use aurum_backtest::call::{self as score, CallEvent, CallForecast, CallScore, Outcome, Passage};
use aurum_core::{Date, SeriesId};
use aurum_report::{Review, ReviewRecord, ReviewRow, TargetOut};
use aurum_sim::{Results, ScenarioFile};
use aurum_store::{CallQuery, CallRecord, NewCall, ScenarioOutcome, Store};
use serde::{Deserialize, Serialize};

use crate::data::closes;
use crate::scenario::Prepared;
use crate::{AppError, AppResult, Window, now};

/// How a new call is filed.
#[derive(Clone, Debug, Default)]
pub struct Filing {
    /// A name for it (`--label "NATO note"`).
    pub label: Option<String>,
    /// Publish it now (else it stays a draft, not scored by default).
    pub publish: bool,
}

/// Longest label, in characters.
pub const MAX_LABEL: usize = 200;

impl Filing {
    /// Checks the label.
    ///
    /// # Errors
    ///
    /// A label that is empty, longer than [`MAX_LABEL`] characters or has control characters.
    pub fn check(&self) -> AppResult<()> {
        check_label(self.label.as_deref())
    }
}

fn check_label(label: Option<&str>) -> AppResult<()> {
    match label {
        Some(l) if l.trim().is_empty() => Err(AppError::bad("label", "`label` is empty")),
        Some(l) if l.chars().count() > MAX_LABEL => Err(AppError::bad(
            "label",
            format!(
                "`label` has {} characters; at most {MAX_LABEL}",
                l.chars().count()
            ),
        )),
        Some(l) if l.chars().any(char::is_control) => Err(AppError::bad(
            "label",
            "`label` has a control character; expected one line of text",
        )),
        _ => Ok(()),
    }
}

/// A scenario as judged in a call: the strategist's probability, and the overall probability
/// it implies once requirements, exclusions and windows are applied (its share of paths).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Judged {
    /// Id in the file.
    pub id: String,
    /// Name.
    pub name: String,
    /// Japanese name.
    #[serde(default)]
    pub name_ja: Option<String>,
    /// The probability in the file (conditional on `requires`, within `window`).
    pub judged: f64,
    /// Scenarios it requires.
    #[serde(default)]
    pub requires: Vec<String>,
    /// The overall probability the judgement implies (share of simulated paths).
    pub overall: f64,
    /// The last day it could happen: its window's end, or the horizon.
    pub until: Date,
}

/// The horizon price's distribution in a call.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CallFan {
    /// The horizon day and its 5%, 25%, 50%, 75% and 95% quantiles, as the report shows them.
    #[serde(flatten)]
    pub end: aurum_report::FanEnd,
    /// 1st to 99th percentiles.
    pub percentiles: Vec<f64>,
}

/// Everything a call printed, as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CallDoc {
    /// The scenario file's title.
    pub title: String,
    /// Its Japanese title.
    #[serde(default)]
    pub title_ja: Option<String>,
    /// The series.
    pub series: String,
    /// As-of date.
    pub as_of: Date,
    /// The last close by as_of: where the paths start.
    pub start: (Date, f64),
    /// The last simulated day.
    pub horizon: Date,
    /// The model of ordinary days.
    pub model: String,
    /// Per target: P(touch) by each checkpoint and P(close ≥) on the horizon, as printed.
    pub events: Vec<CallEvent>,
    /// The horizon price's distribution.
    pub fan: CallFan,
    /// First-passage medians per target.
    pub passages: Vec<Passage>,
    /// The strategist's scenarios.
    pub scenarios: Vec<Judged>,
    /// Paths simulated.
    pub paths: usize,
    /// Seed.
    pub seed: u64,
    /// Fingerprint of the prices and analogs used.
    pub data_fingerprint: String,
}

/// What a report or run printed, as a call.
pub(crate) fn doc(
    f: &ScenarioFile,
    p: &Prepared,
    results: &Results,
    targets: &[TargetOut],
    seed: u64,
) -> CallDoc {
    let horizon = p.setup.days.last().copied().unwrap_or(f.horizon);
    let mut events = Vec::new();
    for t in targets {
        for c in &t.checkpoints {
            events.push(CallEvent {
                kind: EventKind::Touch,
                level: t.level,
                by: c.date,
                p: c.p_touch,
            });
        }
        events.push(CallEvent {
            kind: EventKind::Close,
            level: t.level,
            by: horizon,
            p: t.p_close,
        });
    }
    CallDoc {
        title: f.title.clone(),
        title_ja: f.title_ja.clone(),
        series: f.series.clone(),
        as_of: f.as_of,
        start: (p.last_date, p.s0),
        horizon,
        model: match f.baseline {
            aurum_sim::Baseline::Stack { .. } => "stack",
            aurum_sim::Baseline::GarchT { .. } => "garch-t",
            aurum_sim::Baseline::Gbm { .. } => "gbm",
        }
        .to_owned(),
        events,
        fan: CallFan {
            end: crate::report::fan_end(results, horizon),
            percentiles: results.horizon_percentiles.clone(),
        },
        passages: targets
            .iter()
            .map(|t| Passage {
                level: t.level,
                median: t.first_passage_median,
            })
            .collect(),
        scenarios: f
            .scenarios
            .iter()
            .zip(&results.scenarios)
            .map(|(s, r)| Judged {
                id: s.id.clone(),
                name: s.name.clone(),
                name_ja: f.texts.get(&s.id).and_then(|t| t.name_ja.clone()),
                judged: s.probability,
                requires: s.requires.clone(),
                overall: r.p_happened,
                until: s.window.map_or(horizon, |w| w.1.min(horizon)),
            })
            .collect(),
        paths: results.paths,
        seed,
        data_fingerprint: p.fingerprint(),
    }
}

/// The call to record for `doc` (its run, if any, is set where the run is recorded).
pub(crate) fn new_call(source: &str, doc: &CallDoc, filing: &Filing) -> AppResult<NewCall> {
    filing.check()?;
    Ok(NewCall {
        source: source.into(),
        run_id: None,
        label: filing.label.clone(),
        published: filing.publish,
        series: SeriesId::new(doc.series.clone())?,
        as_of: doc.as_of,
        horizon: doc.horizon,
        title: doc.title.clone(),
        model: doc.model.clone(),
        doc: serde_json::to_string(doc)?,
    })
}

/// A recorded call, as listed.
#[derive(Clone, Debug, Serialize)]
pub struct CallSummary {
    /// Id.
    pub id: i64,
    /// When it was recorded (unix seconds).
    pub created_at: i64,
    /// `report` or `scenario`.
    pub source: String,
    /// Its name.
    pub label: Option<String>,
    /// Published (else a draft).
    pub published: bool,
    /// The series.
    pub series: String,
    /// As-of date.
    pub as_of: Date,
    /// Horizon.
    pub horizon: Date,
    /// The scenario file's title.
    pub title: String,
    /// The model.
    pub model: String,
    /// Binary events called.
    pub events: usize,
}

/// A recorded call with everything it printed and its scenarios' outcomes.
#[derive(Clone, Debug, Serialize)]
pub struct CallDetail {
    /// The call.
    #[serde(flatten)]
    pub summary: CallSummary,
    /// The recorded run it came from.
    pub run_id: Option<i64>,
    /// What it printed.
    pub doc: CallDoc,
    /// Its scenarios' outcomes, as recorded.
    pub outcomes: Vec<ScenarioOutcome>,
}

fn parse_doc(r: &CallRecord) -> AppResult<CallDoc> {
    serde_json::from_str(&r.doc)
        .map_err(|e| AppError::internal(format!("call {} is stored unreadably: {e}", r.id)))
}

fn summary(r: &CallRecord, doc: &CallDoc) -> CallSummary {
    CallSummary {
        id: r.id,
        created_at: r.created_at,
        source: r.source.clone(),
        label: r.label.clone(),
        published: r.published_at.is_some(),
        series: r.series.clone(),
        as_of: r.as_of,
        horizon: r.horizon,
        title: r.title.clone(),
        model: r.model.clone(),
        events: doc.events.len(),
    }
}

/// Which calls to list.
#[derive(Clone, Debug, Default)]
pub struct ListCalls {
    /// Only on this series.
    pub series: Option<SeriesId>,
    /// Published calls only.
    pub published_only: bool,
}

/// Recorded calls, by as_of.
///
/// # Errors
///
/// The store; a call stored unreadably.
pub fn list(store: &Store, q: &ListCalls) -> AppResult<Vec<CallSummary>> {
    store
        .calls(&CallQuery {
            series: q.series.as_ref().map(|s| s.as_str().to_owned()),
            published_only: q.published_only,
            ..CallQuery::default()
        })?
        .iter()
        .map(|r| Ok(summary(r, &parse_doc(r)?)))
        .collect()
}

fn get(store: &Store, id: i64) -> AppResult<CallRecord> {
    store
        .call(id)?
        .ok_or_else(|| AppError::not_found(format!("no call {id}; `aurum calls list` shows them")))
}

/// One call in full.
///
/// # Errors
///
/// No such call; the store.
pub fn show(store: &Store, id: i64) -> AppResult<CallDetail> {
    let r = get(store, id)?;
    let doc = parse_doc(&r)?;
    Ok(CallDetail {
        summary: summary(&r, &doc),
        run_id: r.run_id,
        outcomes: store.outcomes(&[id])?,
        doc,
    })
}

/// Publishes a call (and names it, when a label is given).
///
/// # Errors
///
/// No such call, a bad label; the store.
pub fn publish(store: &mut Store, id: i64, label: Option<&str>) -> AppResult<CallSummary> {
    check_label(label)?;
    get(store, id)?;
    store.publish_call(id, label, now())?;
    let r = get(store, id)?;
    Ok(summary(&r, &parse_doc(&r)?))
}

/// Which calls to score, and as of when.
#[derive(Clone, Debug, Default)]
pub struct ScoreRequest {
    /// These calls (all when empty).
    pub ids: Vec<i64>,
    /// Score as known at the end of this day (default: everything known now).
    pub as_of: Option<Date>,
    /// Drafts too (by default only published calls; calls asked for by id always count).
    pub drafts: bool,
    /// Only calls on this series.
    pub series: Option<SeriesId>,
}

/// One call scored.
#[derive(Clone, Debug, Serialize)]
pub struct ScoredCall {
    /// Id.
    pub id: i64,
    /// Its name.
    pub label: Option<String>,
    /// Published (else a draft).
    pub published: bool,
    /// The scenario file's title.
    pub title: String,
    /// Its Japanese title.
    pub title_ja: Option<String>,
    /// The series.
    pub series: String,
    /// As-of date.
    pub as_of: Date,
    /// Horizon.
    pub horizon: Date,
    /// The model.
    pub model: String,
    /// Where the paths started.
    pub start: (Date, f64),
    /// Events, resolutions, Brier and log scores, PIT and first passages.
    #[serde(flatten)]
    pub score: CallScore,
}

/// Scores pooled over calls.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Pooled {
    /// Calls with at least one resolved event.
    pub calls: usize,
    /// Resolved events.
    pub events: usize,
    /// Mean Brier score over them.
    pub brier: Option<f64>,
    /// Mean log score over them.
    pub log_score: Option<f64>,
    /// Resolved events whose probability leaned the way they came out (above 50% and
    /// happened, below and did not).
    pub leaned_right: usize,
}

/// One scenario judgement and its outcome.
#[derive(Clone, Debug, Serialize)]
pub struct JudgementScore {
    /// The call whose judgement this is (the latest scored call of the same file).
    pub call_id: i64,
    /// The file's title.
    pub title: String,
    /// Scenario id.
    pub scenario: String,
    /// Its name.
    pub name: String,
    /// The probability in the file (conditional on what it requires).
    pub judged: f64,
    /// The overall probability scored.
    pub p: f64,
    /// Whether it happened.
    pub happened: bool,
    /// When.
    pub date: Option<Date>,
    /// (p − outcome)².
    pub brier: f64,
}

/// A reliability bin of judgements.
#[derive(Clone, Debug, Serialize)]
pub struct JudgementBin {
    /// Lower edge.
    pub lo: f64,
    /// Upper edge.
    pub hi: f64,
    /// Judgements in it.
    pub n: usize,
    /// Their mean probability.
    pub mean_p: f64,
    /// How often they happened.
    pub happened: f64,
}

/// The strategist's scenario probabilities, scored.
#[derive(Clone, Debug, Serialize)]
pub struct Judgements {
    /// Scored judgements.
    pub items: Vec<JudgementScore>,
    /// Mean Brier score.
    pub brier: Option<f64>,
    /// Reliability in tenths (bins with judgements only).
    pub bins: Vec<JudgementBin>,
    /// Whether there are enough (at least [`aurum_backtest::JUDGE_MIN`]) to judge calibration.
    pub enough: bool,
}

/// Calls scored as of a date.
#[derive(Clone, Debug, Serialize)]
pub struct ScoreReport {
    /// Scored as known at the end of this day (none: as known now).
    pub as_of: Option<Date>,
    /// Each call.
    pub calls: Vec<ScoredCall>,
    /// Over all resolved events of these calls.
    pub total: Pooled,
    /// The scenario judgements whose outcomes are recorded and known by the scoring date.
    pub judgements: Judgements,
}

/// Scores calls on the series as now known (or as known at `as_of`): every event resolved
/// or open, Brier and log scores, PIT and first passages; pooled; and the scenario
/// judgements whose outcomes are recorded.
///
/// # Errors
///
/// An unknown call id; a call asked for that was made after `as_of`; a call whose series is
/// no longer in the store; the store.
pub fn score_calls(store: &Store, req: &ScoreRequest) -> AppResult<ScoreReport> {
    for id in &req.ids {
        let r = get(store, *id)?;
        if let Some(d) = req.as_of
            && r.as_of > d
        {
            return Err(AppError::bad(
                "as_of",
                format!("call {id} was made as of {}, after `as_of` {d}", r.as_of),
            ));
        }
    }
    let records = store.calls(&CallQuery {
        ids: req.ids.clone(),
        series: req.series.as_ref().map(|s| s.as_str().to_owned()),
        published_only: !req.drafts && req.ids.is_empty(),
        as_of_to: req.as_of,
        title: None,
    })?;
    score_records(store, &records, req.as_of)
}

/// Scores `records` on their series as known at the end of `as_of` (now when none).
fn score_records(
    store: &Store,
    records: &[CallRecord],
    as_of: Option<Date>,
) -> AppResult<ScoreReport> {
    let mut series: HashMap<String, Vec<(Date, f64)>> = HashMap::new();
    let mut calls = Vec::with_capacity(records.len());
    let mut docs = Vec::with_capacity(records.len());
    for r in records {
        let doc = parse_doc(r)?;
        if !series.contains_key(&r.series) {
            let id = SeriesId::new(r.series.clone())?;
            if store.series(&id)?.is_none() {
                return Err(AppError::not_found(format!(
                    "call {} is on series {id}, which is no longer in the store",
                    r.id
                )));
            }
            let known = closes(store, &id, &Window::as_of(as_of))?.values;
            series.insert(r.series.clone(), known);
        }
        let s = score::score(
            &CallForecast {
                as_of: doc.as_of,
                horizon: doc.horizon,
                events: doc.events.clone(),
                percentiles: doc.fan.percentiles.clone(),
                passages: doc.passages.clone(),
            },
            &series[&r.series],
        );
        calls.push(ScoredCall {
            id: r.id,
            label: r.label.clone(),
            published: r.published_at.is_some(),
            title: r.title.clone(),
            title_ja: doc.title_ja.clone(),
            series: r.series.clone(),
            as_of: r.as_of,
            horizon: r.horizon,
            model: r.model.clone(),
            start: doc.start,
            score: s,
        });
        docs.push((r.id, doc));
    }
    let ids: Vec<i64> = records.iter().map(|r| r.id).collect();
    let outcomes = if ids.is_empty() {
        Vec::new()
    } else {
        store.outcomes(&ids)?
    };
    Ok(ScoreReport {
        as_of,
        total: pool(&calls),
        judgements: judgements(&docs, &outcomes, as_of),
        calls,
    })
}

/// Pools the resolved events of `calls`.
#[must_use]
pub fn pool(calls: &[ScoredCall]) -> Pooled {
    let mut p = Pooled::default();
    let (mut brier, mut log) = (0.0, 0.0);
    for c in calls {
        if c.score.resolved > 0 {
            p.calls += 1;
        }
        for e in &c.score.events {
            let happened = match e.outcome {
                Outcome::Yes => true,
                Outcome::No => false,
                Outcome::Open => continue,
            };
            p.events += 1;
            brier += e.brier.unwrap_or(0.0);
            log += score::log_score(e.event.p, happened);
            if (e.event.p > 0.5 && happened) || (e.event.p < 0.5 && !happened) {
                p.leaned_right += 1;
            }
        }
    }
    if p.events > 0 {
        p.brier = Some(brier / p.events as f64);
        p.log_score = Some(log / p.events as f64);
    }
    p
}

/// The judgements with an outcome known by `as_of`, one per file and scenario (the latest
/// call's), scored on their overall probability.
fn judgements(
    docs: &[(i64, CallDoc)],
    outcomes: &[ScenarioOutcome],
    as_of: Option<Date>,
) -> Judgements {
    let by_call: HashMap<i64, &CallDoc> = docs.iter().map(|(id, d)| (*id, d)).collect();
    // Latest call per (title, scenario): docs come in order of as_of, then id.
    let mut latest: BTreeMap<(String, String), JudgementScore> = BTreeMap::new();
    for o in outcomes {
        let Some(doc) = by_call.get(&o.call_id) else {
            continue;
        };
        let Some(s) = doc.scenarios.iter().find(|s| s.id == o.scenario) else {
            continue;
        };
        // Known by the scoring date: its date, or the end of its window when none was given.
        let known = o.date.unwrap_or(s.until);
        if as_of.is_some_and(|d| known > d) {
            continue;
        }
        let item = JudgementScore {
            call_id: o.call_id,
            title: doc.title.clone(),
            scenario: s.id.clone(),
            name: s.name.clone(),
            judged: s.judged,
            p: s.overall,
            happened: o.happened,
            date: o.date,
            brier: (s.overall - if o.happened { 1.0 } else { 0.0 }).powi(2),
        };
        let key = (doc.title.clone(), s.id.clone());
        let newer = latest
            .get(&key)
            .is_none_or(|old| (by_call[&old.call_id].as_of, old.call_id) < (doc.as_of, o.call_id));
        if newer {
            latest.insert(key, item);
        }
    }
    let items: Vec<JudgementScore> = latest.into_values().collect();
    let n = items.len();
    let brier = (n > 0).then(|| items.iter().map(|j| j.brier).sum::<f64>() / n as f64);
    let mut bins = Vec::new();
    for b in 0..10 {
        let (lo, hi) = (f64::from(b) / 10.0, f64::from(b + 1) / 10.0);
        let inside: Vec<&JudgementScore> = items
            .iter()
            .filter(|j| j.p >= lo && (j.p < hi || (b == 9 && j.p <= hi)))
            .collect();
        if inside.is_empty() {
            continue;
        }
        let k = inside.len() as f64;
        bins.push(JudgementBin {
            lo,
            hi,
            n: inside.len(),
            mean_p: inside.iter().map(|j| j.p).sum::<f64>() / k,
            happened: inside.iter().filter(|j| j.happened).count() as f64 / k,
        });
    }
    Judgements {
        enough: n as u64 >= aurum_backtest::JUDGE_MIN,
        items,
        brier,
        bins,
    }
}

/// A scenario's outcome, to record with the calls made from its file.
#[derive(Clone, Debug)]
pub struct ResolveRequest {
    /// The scenario file, parsed (its title identifies the calls made from it).
    pub file: ScenarioFile,
    /// The file's name, for messages.
    pub name: String,
    /// The scenario's id.
    pub scenario: String,
    /// Whether it happened.
    pub happened: bool,
    /// When it happened (or was known not to).
    pub date: Option<Date>,
    /// A note.
    pub note: Option<String>,
}

/// What recording an outcome did.
#[derive(Clone, Debug, Serialize)]
pub struct Resolved {
    /// The scenario.
    pub scenario: String,
    /// Whether it happened.
    pub happened: bool,
    /// When.
    pub date: Option<Date>,
    /// Calls the outcome was recorded on.
    pub calls: Vec<i64>,
    /// Calls made from the file after the date, left alone.
    pub later_calls: Vec<i64>,
}

/// Records a scenario's outcome on every call made from the file (same title) that has the
/// scenario and was made on or before its date; never edits the file. One transaction.
///
/// # Errors
///
/// A scenario the file does not have; no call made from the file; a date before every such
/// call's as_of; a note over 2,000 characters; the store.
pub fn resolve(store: &mut Store, req: &ResolveRequest) -> AppResult<Resolved> {
    let name = &req.name;
    if !req.file.scenarios.iter().any(|s| s.id == req.scenario) {
        let ids: Vec<&str> = req.file.scenarios.iter().map(|s| s.id.as_str()).collect();
        return Err(AppError::bad(
            "scenario",
            format!(
                "{name}: no scenario {:?}; expected one of {}",
                req.scenario,
                ids.join(", ")
            ),
        ));
    }
    if let Some(n) = &req.note
        && n.chars().count() > 2000
    {
        return Err(AppError::bad(
            "note",
            "`note` is longer than 2,000 characters",
        ));
    }
    let records = store.calls(&CallQuery {
        title: Some(req.file.title.clone()),
        ..CallQuery::default()
    })?;
    let mut calls = Vec::new();
    let mut later = Vec::new();
    for r in &records {
        let doc = parse_doc(r)?;
        if !doc.scenarios.iter().any(|s| s.id == req.scenario) {
            continue;
        }
        match req.date {
            Some(d) if d < r.as_of => later.push(r.id),
            _ => calls.push(r.id),
        }
    }
    if calls.is_empty() {
        return Err(match (later.first(), req.date) {
            (Some(id), Some(d)) => AppError::bad(
                "date",
                format!(
                    "`date` {d} is before the as_of of every call made from {name} (call {id} is as of {})",
                    records.iter().find(|r| r.id == *id).map_or(d, |r| r.as_of)
                ),
            ),
            _ => AppError::not_found(format!(
                "no call has been recorded from {name} (title {:?}) with scenario {:?}; `aurum report` or `aurum scenario run` records one",
                req.file.title, req.scenario
            )),
        });
    }
    let at = now();
    let outcomes: Vec<ScenarioOutcome> = calls
        .iter()
        .map(|id| ScenarioOutcome {
            call_id: *id,
            scenario: req.scenario.clone(),
            happened: req.happened,
            date: req.date,
            note: req.note.clone(),
            recorded_at: at,
        })
        .collect();
    store.record_outcomes(&outcomes)?;
    Ok(Resolved {
        scenario: req.scenario.clone(),
        happened: req.happened,
        date: req.date,
        calls,
        later_calls: later,
    })
}

/// How the last published call on `series` made before `as_of` did, as known at `as_of`,
/// with the record of all such calls: the report's opening section. None when no such call
/// has a resolved event.
///
/// # Errors
///
/// The store.
pub fn review(store: &Store, series: &SeriesId, as_of: Date) -> AppResult<Option<Review>> {
    let Some(before) = as_of.pred_opt() else {
        return Ok(None);
    };
    let records = store.calls(&CallQuery {
        series: Some(series.as_str().to_owned()),
        published_only: true,
        as_of_to: Some(before),
        ..CallQuery::default()
    })?;
    if records.is_empty() {
        return Ok(None);
    }
    let report = score_records(store, &records, Some(as_of))?;
    // The last call: the latest as_of (then the latest recorded) with a resolved event.
    let Some(last) = report
        .calls
        .iter()
        .filter(|c| c.score.resolved > 0)
        .max_by_key(|c| (c.as_of, c.id))
    else {
        return Ok(None);
    };
    let own = pool(std::slice::from_ref(last));
    // The table: the horizon's events (reaching by then, the close on the day); the
    // month-end checkpoints count in the scores but would make the table long.
    let all: Vec<ReviewRow> = last
        .score
        .events
        .iter()
        .filter_map(|e| {
            Some(ReviewRow {
                kind: e.event.kind.name().into(),
                level: e.event.level,
                by: e.event.by,
                p: e.event.p,
                happened: e.outcome == Outcome::Yes,
                resolved_on: e.resolved_on?,
                brier: e.brier?,
            })
        })
        .collect();
    let at_horizon: Vec<ReviewRow> = all
        .iter()
        .filter(|x| x.by == last.horizon)
        .cloned()
        .collect();
    let rows = if at_horizon.is_empty() {
        all
    } else {
        at_horizon
    };
    let record = &report.total;
    Ok(Some(Review {
        call_id: last.id,
        as_of: last.as_of,
        label: last.label.clone(),
        title: last.title.clone(),
        title_ja: last.title_ja.clone(),
        start: last.start.1,
        rows,
        open: last.score.open,
        resolved: last.score.resolved,
        brier: own.brier.unwrap_or(f64::NAN),
        leaned_right: own.leaned_right,
        horizon_close: last.score.horizon_close.map(|x| x.1),
        pit: last.score.pit,
        record: ReviewRecord {
            calls: record.calls,
            events: record.events,
            brier: record.brier.unwrap_or(f64::NAN),
            log_score: record.log_score.unwrap_or(f64::NAN),
            leaned_right: record.leaned_right,
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use aurum_core::date;

    fn doc(series: &str) -> CallDoc {
        CallDoc {
            title: "t".into(),
            title_ja: None,
            series: series.into(),
            as_of: date(2025, 2, 18),
            start: (date(2025, 2, 18), 2900.0),
            horizon: date(2025, 3, 31),
            model: "gbm".into(),
            events: vec![CallEvent {
                kind: EventKind::Touch,
                level: 3000.0,
                by: date(2025, 3, 31),
                p: 0.4,
            }],
            fan: CallFan {
                end: aurum_report::FanEnd {
                    date: date(2025, 3, 31),
                    q05: 1.0,
                    q25: 2.0,
                    q50: 3.0,
                    q75: 4.0,
                    q95: 5.0,
                },
                percentiles: Vec::new(),
            },
            passages: Vec::new(),
            scenarios: Vec::new(),
            paths: 1,
            seed: 1,
            data_fingerprint: String::new(),
        }
    }

    #[test]
    fn a_call_on_a_series_no_longer_stored_is_an_error() {
        let mut store = Store::open_in_memory().unwrap();
        let filing = Filing {
            label: None,
            publish: true,
        };
        let id = store
            .record_call(&new_call("report", &doc("silver"), &filing).unwrap(), 0)
            .unwrap();
        let err = score_calls(&store, &ScoreRequest::default()).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::NotFound);
        assert!(
            err.to_string()
                .contains(&format!("call {id} is on series silver")),
            "{err}"
        );
    }

    #[test]
    fn labels_are_checked() {
        let bad = |l: &str| {
            Filing {
                label: Some(l.into()),
                publish: false,
            }
            .check()
            .is_err()
        };
        assert!(bad(" "));
        assert!(bad("a\nb"));
        assert!(bad(&"x".repeat(MAX_LABEL + 1)));
        assert!(!bad("NATO note"));
    }

    #[test]
    fn judgements_keep_the_latest_call_of_a_file_and_wait_for_their_date() {
        let mut a = doc("gold");
        a.scenarios = vec![Judged {
            id: "ceasefire".into(),
            name: "Ceasefire".into(),
            name_ja: None,
            judged: 0.5,
            requires: Vec::new(),
            overall: 0.45,
            until: date(2025, 6, 30),
        }];
        let mut b = a.clone();
        b.as_of = date(2025, 3, 3);
        b.scenarios[0].overall = 0.3;
        let outcome = |call_id, date| ScenarioOutcome {
            call_id,
            scenario: "ceasefire".into(),
            happened: false,
            date,
            note: None,
            recorded_at: 0,
        };
        let docs = vec![(1, a), (2, b)];
        let got = judgements(&docs, &[outcome(1, None), outcome(2, None)], None);
        assert_eq!(got.items.len(), 1);
        assert_eq!(got.items[0].call_id, 2);
        assert!((got.brier.unwrap() - 0.09).abs() < 1e-15);
        assert!(!got.enough);
        // Without a date, a "no" is known at the end of its window.
        let early = judgements(&docs, &[outcome(2, None)], Some(date(2025, 6, 29)));
        assert!(early.items.is_empty());
        let dated = judgements(
            &docs,
            &[outcome(2, Some(date(2025, 4, 1)))],
            Some(date(2025, 6, 29)),
        );
        assert_eq!(dated.items.len(), 1);
    }
}
