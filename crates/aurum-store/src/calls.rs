//! Calls: the probabilities a report or scenario run printed, kept to be scored when their
//! outcomes arrive, and the outcomes of the strategist's scenarios.

use aurum_core::{Date, SeriesId};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use crate::{Store, StoreError};

/// A call to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCall {
    /// `report` or `scenario`.
    pub source: String,
    /// The recorded run it came from, if any.
    pub run_id: Option<i64>,
    /// A name for it.
    pub label: Option<String>,
    /// Published on recording (else a draft).
    pub published: bool,
    /// The series the call is on.
    pub series: SeriesId,
    /// Its as-of date.
    pub as_of: Date,
    /// Its horizon (the last simulated day).
    pub horizon: Date,
    /// The scenario file's title.
    pub title: String,
    /// The model of ordinary days.
    pub model: String,
    /// Everything it printed, as JSON.
    pub doc: String,
}

/// A recorded call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CallRecord {
    /// Id.
    pub id: i64,
    /// When it was recorded (unix seconds).
    pub created_at: i64,
    /// `report` or `scenario`.
    pub source: String,
    /// The recorded run it came from.
    pub run_id: Option<i64>,
    /// Its name.
    pub label: Option<String>,
    /// When it was published (unix seconds); none for a draft.
    pub published_at: Option<i64>,
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
    /// What it printed, as JSON.
    pub doc: String,
}

/// A scenario's outcome, as the strategist recorded it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ScenarioOutcome {
    /// The call it belongs to.
    pub call_id: i64,
    /// The scenario's id in the file.
    pub scenario: String,
    /// Whether it happened.
    pub happened: bool,
    /// When it happened (or was known not to).
    pub date: Option<Date>,
    /// A note.
    pub note: Option<String>,
    /// When it was recorded (unix seconds).
    pub recorded_at: i64,
}

/// Which calls to read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallQuery {
    /// Only these ids (all when empty).
    pub ids: Vec<i64>,
    /// Only on this series.
    pub series: Option<String>,
    /// Only published calls.
    pub published_only: bool,
    /// Only calls with as_of on or before this date.
    pub as_of_to: Option<Date>,
    /// Only calls with this title.
    pub title: Option<String>,
}

const COLUMNS: &str = "id, created_at, source, run_id, label, published_at, series_id, as_of, horizon, title, model, doc";

fn date_col(r: &rusqlite::Row<'_>, i: usize, what: &'static str) -> rusqlite::Result<Date> {
    let s: String = r.get(i)?;
    s.parse().map_err(|_| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Text,
            Box::new(StoreError::Corrupt { what, value: s }),
        )
    })
}

fn call_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CallRecord> {
    Ok(CallRecord {
        id: r.get(0)?,
        created_at: r.get(1)?,
        source: r.get(2)?,
        run_id: r.get(3)?,
        label: r.get(4)?,
        published_at: r.get(5)?,
        series: r.get(6)?,
        as_of: date_col(r, 7, "call as_of")?,
        horizon: date_col(r, 8, "call horizon")?,
        title: r.get(9)?,
        model: r.get(10)?,
        doc: r.get(11)?,
    })
}

impl Store {
    /// Records a call; returns its id.
    ///
    /// # Errors
    ///
    /// SQLite errors.
    pub fn record_call(&mut self, call: &NewCall, now: i64) -> Result<i64, StoreError> {
        insert_call(&self.conn, call, now)
    }

    /// Records a run and the call it printed (its `run_id` set to the run's) in one
    /// transaction: both or, on any error, neither. Returns the run's id and the call's.
    ///
    /// # Errors
    ///
    /// SQLite errors.
    pub fn record_run_and_call(
        &mut self,
        run: &crate::NewRun,
        call: &NewCall,
        now: i64,
    ) -> Result<(i64, i64), StoreError> {
        let tx = self.conn.transaction()?;
        let run_id = crate::store::insert_run(&tx, run, now)?;
        let call = NewCall {
            run_id: Some(run_id),
            ..call.clone()
        };
        let call_id = insert_call(&tx, &call, now)?;
        tx.commit()?;
        Ok((run_id, call_id))
    }

    /// Calls matching `q`, in order of as_of then id.
    ///
    /// # Errors
    ///
    /// SQLite errors, a stored date that does not parse.
    pub fn calls(&self, q: &CallQuery) -> Result<Vec<CallRecord>, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {COLUMNS} FROM calls
             WHERE (?1 IS NULL OR series_id = ?1)
               AND (?2 = 0 OR published_at IS NOT NULL)
               AND (?3 IS NULL OR as_of <= ?3)
               AND (?4 IS NULL OR title = ?4)
             ORDER BY as_of, id"
        ))?;
        let rows = stmt.query_map(
            params![
                q.series,
                q.published_only,
                q.as_of_to.map(|d| d.to_string()),
                q.title
            ],
            call_from_row,
        )?;
        let mut out: Vec<CallRecord> = rows.collect::<Result<_, _>>()?;
        if !q.ids.is_empty() {
            out.retain(|c| q.ids.contains(&c.id));
        }
        Ok(out)
    }

    /// One call.
    ///
    /// # Errors
    ///
    /// SQLite errors.
    pub fn call(&self, id: i64) -> Result<Option<CallRecord>, StoreError> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM calls WHERE id = ?1"),
                [id],
                call_from_row,
            )
            .optional()?)
    }

    /// Marks a call published (keeping the first publication time) and, when given, sets its
    /// label. Returns false when there is no such call.
    ///
    /// # Errors
    ///
    /// SQLite errors.
    pub fn publish_call(
        &mut self,
        id: i64,
        label: Option<&str>,
        now: i64,
    ) -> Result<bool, StoreError> {
        Ok(self.conn.execute(
            "UPDATE calls SET published_at = COALESCE(published_at, ?2), label = COALESCE(?3, label) WHERE id = ?1",
            params![id, now, label],
        )? == 1)
    }

    /// Records a scenario's outcome on each of `calls`, in one transaction (replacing an
    /// earlier outcome of the same scenario on the same call).
    ///
    /// # Errors
    ///
    /// SQLite errors (nothing is written).
    pub fn record_outcomes(&mut self, outcomes: &[ScenarioOutcome]) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        for o in outcomes {
            tx.execute(
                "INSERT OR REPLACE INTO scenario_outcomes (call_id, scenario, happened, date, note, recorded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    o.call_id,
                    o.scenario,
                    o.happened,
                    o.date.map(|d| d.to_string()),
                    o.note,
                    o.recorded_at
                ],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The recorded scenario outcomes of the given calls (all calls when empty), by call and
    /// scenario.
    ///
    /// # Errors
    ///
    /// SQLite errors, a stored date that does not parse.
    pub fn outcomes(&self, calls: &[i64]) -> Result<Vec<ScenarioOutcome>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT call_id, scenario, happened, date, note, recorded_at FROM scenario_outcomes
             ORDER BY call_id, scenario",
        )?;
        let rows = stmt.query_map([], |r| {
            let date: Option<String> = r.get(3)?;
            let date = match date {
                None => None,
                Some(s) => Some(s.parse::<Date>().map_err(|_| {
                    rusqlite::Error::FromSqlConversionFailure(
                        3,
                        rusqlite::types::Type::Text,
                        Box::new(StoreError::Corrupt {
                            what: "outcome date",
                            value: s,
                        }),
                    )
                })?),
            };
            Ok(ScenarioOutcome {
                call_id: r.get(0)?,
                scenario: r.get(1)?,
                happened: r.get(2)?,
                date,
                note: r.get(4)?,
                recorded_at: r.get(5)?,
            })
        })?;
        let mut out: Vec<ScenarioOutcome> = rows.collect::<Result<_, _>>()?;
        if !calls.is_empty() {
            out.retain(|o| calls.contains(&o.call_id));
        }
        Ok(out)
    }
}

fn insert_call(conn: &rusqlite::Connection, call: &NewCall, now: i64) -> Result<i64, StoreError> {
    conn.execute(
        "INSERT INTO calls (created_at, source, run_id, label, published_at, series_id, as_of, horizon, title, model, doc)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            now,
            call.source,
            call.run_id,
            call.label,
            call.published.then_some(now),
            call.series.as_str(),
            call.as_of.to_string(),
            call.horizon.to_string(),
            call.title,
            call.model,
            call.doc
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

#[cfg(test)]
mod tests {
    use super::*;
    use aurum_core::date;

    fn call(as_of: Date, published: bool) -> NewCall {
        NewCall {
            source: "report".into(),
            run_id: None,
            label: None,
            published,
            series: SeriesId::new("gold-usd-lbma-pm").unwrap(),
            as_of,
            horizon: date(2025, 6, 30),
            title: "NATO".into(),
            model: "stack".into(),
            doc: "{}".into(),
        }
    }

    fn run() -> crate::NewRun {
        crate::NewRun {
            kind: "scenario".into(),
            title: "NATO".into(),
            input: "title = 'NATO'".into(),
            seed: 7,
            paths: 1000,
            data_fingerprint: "f".into(),
            results: "{}".into(),
        }
    }

    #[test]
    fn a_run_and_its_call_are_recorded_together_or_not_at_all() {
        let mut s = Store::open_in_memory().unwrap();
        let (run_id, call_id) = s
            .record_run_and_call(&run(), &call(date(2025, 2, 18), false), 10)
            .unwrap();
        assert_eq!(s.call(call_id).unwrap().unwrap().run_id, Some(run_id));
        assert!(s.run(run_id).unwrap().is_some());
        // A call that cannot be written takes its run with it.
        s.conn
            .execute_batch(
                "CREATE TEMP TRIGGER refuse BEFORE INSERT ON calls
                 BEGIN SELECT RAISE(ABORT, 'refused'); END;",
            )
            .unwrap();
        assert!(
            s.record_run_and_call(&run(), &call(date(2025, 2, 18), false), 11)
                .is_err()
        );
        assert_eq!(s.runs().unwrap().len(), 1);
        assert_eq!(s.calls(&CallQuery::default()).unwrap().len(), 1);
    }

    #[test]
    fn calls_are_recorded_published_and_filtered() {
        let mut s = Store::open_in_memory().unwrap();
        let a = s.record_call(&call(date(2025, 2, 18), false), 10).unwrap();
        let b = s.record_call(&call(date(2025, 1, 31), true), 11).unwrap();
        let all = s.calls(&CallQuery::default()).unwrap();
        // Ordered by as_of.
        assert_eq!(all.iter().map(|c| c.id).collect::<Vec<_>>(), vec![b, a]);
        let published = CallQuery {
            published_only: true,
            ..CallQuery::default()
        };
        assert_eq!(s.calls(&published).unwrap().len(), 1);
        assert!(s.publish_call(a, Some("NATO note"), 20).unwrap());
        let c = s.call(a).unwrap().unwrap();
        assert_eq!(
            (c.published_at, c.label.as_deref()),
            (Some(20), Some("NATO note"))
        );
        // Publishing again keeps the first time and the label.
        assert!(s.publish_call(a, None, 30).unwrap());
        let c = s.call(a).unwrap().unwrap();
        assert_eq!(
            (c.published_at, c.label.as_deref()),
            (Some(20), Some("NATO note"))
        );
        assert!(!s.publish_call(99, None, 30).unwrap());
        let early = CallQuery {
            as_of_to: Some(date(2025, 2, 1)),
            ..CallQuery::default()
        };
        assert_eq!(s.calls(&early).unwrap()[0].id, b);
        let ids = CallQuery {
            ids: vec![a],
            ..CallQuery::default()
        };
        assert_eq!(s.calls(&ids).unwrap()[0].id, a);
    }

    #[test]
    fn outcomes_replace_and_roll_back_together() {
        let mut s = Store::open_in_memory().unwrap();
        let a = s.record_call(&call(date(2025, 2, 18), true), 10).unwrap();
        let o = |happened, call_id| ScenarioOutcome {
            call_id,
            scenario: "ceasefire".into(),
            happened,
            date: Some(date(2025, 5, 1)),
            note: None,
            recorded_at: 5,
        };
        s.record_outcomes(&[o(false, a)]).unwrap();
        s.record_outcomes(&[o(true, a)]).unwrap();
        let got = s.outcomes(&[a]).unwrap();
        assert_eq!(got.len(), 1);
        assert!(got[0].happened);
        // An outcome on a call that does not exist fails the whole batch.
        let mut other = o(false, a);
        other.scenario = "nato".into();
        assert!(s.record_outcomes(&[other, o(false, 999)]).is_err());
        assert_eq!(s.outcomes(&[]).unwrap().len(), 1);
    }
}
