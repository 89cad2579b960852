use std::path::Path;

use aurum_core::{Bar, Date, SeriesId, SeriesMeta, Unit};
use aurum_events::Event;
use aurum_ingest::bundled::BundledSeries;
use chrono::{Datelike, Days, NaiveTime};
use rayon::prelude::*;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;

use crate::StoreError;
use crate::schema::{MIGRATIONS, SCHEMA_VERSION};

/// The aurum database.
#[derive(Debug)]
pub struct Store {
    pub(crate) conn: Connection,
}

/// Which bars to read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BarQuery {
    /// First date, inclusive.
    pub from: Option<Date>,
    /// Last date, inclusive.
    pub to: Option<Date>,
    /// Only bars dated up to this day, with the values known at its end (UTC).
    pub as_of: Option<Date>,
}

/// Bars for one series, to merge into the store.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportBatch {
    /// The series; created with this metadata when the store does not hold it yet.
    pub meta: SeriesMeta,
    /// Validated bars.
    pub bars: Vec<Bar>,
    /// Where they come from (file name or address), for the import log.
    pub origin: String,
}

/// What a merge did to one series.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MergeReport {
    /// The series merged into.
    pub series: SeriesId,
    /// Whether the series was created by this import.
    pub created: bool,
    /// Dates that were not in the store.
    pub new: u64,
    /// Dates whose values changed (the old values are kept as revisions).
    pub changed: u64,
    /// Dates whose values were already stored as given.
    pub unchanged: u64,
}

/// What seeding the bundled data did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SeedReport {
    /// False when the store already held this version of the bundled data.
    pub seeded: bool,
    /// Series seeded.
    pub series: u64,
    /// Observations added.
    pub rows: u64,
}

/// A series with the extent of its data.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SeriesSummary {
    /// Metadata.
    #[serde(flatten)]
    pub meta: SeriesMeta,
    /// Whether the series ships with aurum.
    pub bundled: bool,
    /// Number of dates held.
    pub rows: u64,
    /// First date held.
    pub first: Option<Date>,
    /// Last date held.
    pub last: Option<Date>,
}

/// A value that an import replaced.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Revision {
    /// The value as it was.
    pub bar: Bar,
    /// When it was recorded (unix seconds).
    pub recorded_at: i64,
    /// When it was replaced (unix seconds).
    pub replaced_at: i64,
}

/// Row counts, for checking that a failed import changed nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Series.
    pub series: u64,
    /// Current observations.
    pub observations: u64,
    /// Replaced values.
    pub revisions: u64,
    /// Logged imports.
    pub imports: u64,
    /// User events.
    pub events: u64,
}

const BUNDLED_KEY: &str = "bundled_fingerprint";

impl Store {
    /// Opens or creates the database at `path` and brings its schema up to date.
    ///
    /// # Errors
    ///
    /// SQLite errors (unreadable or corrupt file) and [`StoreError::NewerSchema`].
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Self::init(Connection::open(path)?)
    }

    /// A store in memory, for tests and one-off work.
    ///
    /// # Errors
    ///
    /// SQLite errors.
    pub fn open_in_memory() -> Result<Self, StoreError> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(conn: Connection) -> Result<Self, StoreError> {
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "foreign_keys", true)?;
        // WAL lets readers (the dashboard) work while an import writes.
        conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
        let mut store = Self { conn };
        store.migrate()?;
        Ok(store)
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let found: i64 = self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema {
                found,
                supported: SCHEMA_VERSION,
            });
        }
        let tx = self.conn.transaction()?;
        for (i, sql) in MIGRATIONS
            .iter()
            .enumerate()
            .skip(usize::try_from(found).unwrap_or(0))
        {
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", i + 1)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The schema version of the open database.
    ///
    /// # Errors
    ///
    /// SQLite errors.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    /// Whether this version of the bundled data has been seeded.
    ///
    /// # Errors
    ///
    /// SQLite errors.
    pub fn is_seeded(&self) -> Result<bool, StoreError> {
        let v: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = ?1",
                [BUNDLED_KEY],
                |r| r.get(0),
            )
            .optional()?;
        Ok(v.as_deref() == Some(aurum_ingest::bundled::fingerprint().as_str()))
    }

    /// Seeds the bundled series, in one transaction. Idempotent: does nothing when this
    /// version of the bundled data is already in. A newer bundle only adds the dates the store
    /// lacks; values already stored (perhaps corrected by the user) are never overwritten.
    ///
    /// The bundled files are read in parallel, each once for all the series it holds, and
    /// the observations inserted in primary-key order, many rows per statement. The store
    /// it leaves is the one [`Store::seed_bundled_naive`] leaves.
    ///
    /// # Errors
    ///
    /// SQLite errors; [`StoreError::Bundled`] if a bundled file fails to parse.
    pub fn seed_bundled(&mut self, now: i64) -> Result<SeedReport, StoreError> {
        if self.is_seeded()? {
            return Ok(SeedReport {
                seeded: false,
                series: 0,
                rows: 0,
            });
        }
        let files = aurum_ingest::bundled::files();
        let parsed = files
            .par_iter()
            .map(aurum_ingest::bundled::BundledFile::parse)
            .collect::<Result<Vec<_>, _>>()?;
        let series: Vec<(&BundledSeries, Vec<Bar>)> = files
            .iter()
            .zip(parsed)
            .flat_map(|(f, p)| f.series.iter().zip(p.into_iter().map(|p| p.bars)))
            .collect();
        // Every observation's series is inserted first, in the same transaction: the
        // foreign-key check, one more lookup per row, cannot fail. It is switched back on
        // whatever happens.
        self.conn.pragma_update(None, "foreign_keys", false)?;
        // A store without observations (a new home) is filled through a rollback journal:
        // its pages are all new, so the journal holds next to nothing, and each is written
        // once, into the database, rather than into the WAL and again by the checkpoint
        // (about a fifth of the seeding's time). SQLite refuses to leave WAL while another
        // connection has the store open; the seeding then goes through the WAL as usual.
        let fresh: bool =
            self.conn
                .query_row("SELECT NOT EXISTS (SELECT 1 FROM observations)", [], |r| {
                    r.get(0)
                })?;
        if fresh {
            let _ = self.set_journal_mode("DELETE");
        }
        let seeded = self.insert_bundled(&series, now);
        self.conn.pragma_update(None, "foreign_keys", true)?;
        if fresh {
            self.set_journal_mode("WAL")?;
        }
        seeded
    }

    fn set_journal_mode(&self, mode: &str) -> Result<(), StoreError> {
        self.conn
            .query_row(&format!("PRAGMA journal_mode = {mode}"), [], |_| Ok(()))?;
        Ok(())
    }

    fn insert_bundled(
        &mut self,
        series: &[(&BundledSeries, Vec<Bar>)],
        now: i64,
    ) -> Result<SeedReport, StoreError> {
        let tx = self.conn.transaction()?;
        let mut report = SeedReport {
            seeded: true,
            series: 0,
            rows: 0,
        };
        // Series in the bundle's order (their rowids are the naive seeding's); observations
        // by series id, so that every insert appends to the table's b-tree.
        for (s, _) in series {
            ensure_series(&tx, &s.meta, true, now)?;
            report.series += 1;
        }
        let mut order: Vec<&(&BundledSeries, Vec<Bar>)> = series.iter().collect();
        order.sort_by(|a, b| a.0.meta.id.as_str().cmp(b.0.meta.id.as_str()));
        let mut many = tx.prepare(&insert_observations_sql(SEED_CHUNK))?;
        let mut one = tx.prepare(&insert_observations_sql(1))?;
        let mut date = DateText::default();
        for (s, bars) in order {
            for stmt in [&mut many, &mut one] {
                stmt.raw_bind_parameter(1, s.meta.id.as_str())?;
                stmt.raw_bind_parameter(2, now)?;
            }
            let mut chunks = bars.chunks_exact(SEED_CHUNK);
            for chunk in &mut chunks {
                for (i, b) in chunk.iter().enumerate() {
                    bind_bar(&mut many, 3 + 6 * i, b, &mut date)?;
                }
                report.rows += many.raw_execute()? as u64;
            }
            for b in chunks.remainder() {
                bind_bar(&mut one, 3, b, &mut date)?;
                report.rows += one.raw_execute()? as u64;
            }
        }
        drop((many, one));
        set_bundled_fingerprint(&tx)?;
        tx.commit()?;
        Ok(report)
    }

    /// [`Store::seed_bundled`] the plain way: each series parsed from its file on its own,
    /// one insert per observation, in the bundle's order. The reference the fast seeding is
    /// checked and timed against; the store it leaves is the same.
    ///
    /// # Errors
    ///
    /// As [`Store::seed_bundled`].
    pub fn seed_bundled_naive(&mut self, now: i64) -> Result<SeedReport, StoreError> {
        if self.is_seeded()? {
            return Ok(SeedReport {
                seeded: false,
                series: 0,
                rows: 0,
            });
        }
        let tx = self.conn.transaction()?;
        let mut report = SeedReport {
            seeded: true,
            series: 0,
            rows: 0,
        };
        for s in aurum_ingest::bundled::series() {
            let parsed = aurum_ingest::parse(s.file, s.text.as_bytes(), &s.options)?;
            ensure_series(&tx, &s.meta, true, now)?;
            let mut insert = tx.prepare_cached(
                "INSERT OR IGNORE INTO observations (series_id, date, open, high, low, close, volume, recorded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            for b in &parsed.bars {
                report.rows += insert.execute(params![
                    s.meta.id.as_str(),
                    b.date.to_string(),
                    b.open,
                    b.high,
                    b.low,
                    b.close,
                    b.volume,
                    now
                ])? as u64;
            }
            report.series += 1;
        }
        set_bundled_fingerprint(&tx)?;
        tx.commit()?;
        Ok(report)
    }

    /// Merges batches in one transaction, at time `now` (unix seconds). Missing series are
    /// created. A date already stored with other values is updated and its old values kept
    /// as a revision replaced at `now`. Dates absent from a batch are left alone.
    ///
    /// # Errors
    ///
    /// SQLite errors; then nothing is written.
    pub fn import(
        &mut self,
        batches: &[ImportBatch],
        now: i64,
    ) -> Result<Vec<MergeReport>, StoreError> {
        self.merge_all(batches, now, true)
    }

    /// What [`Store::import`] would do, without writing anything.
    ///
    /// # Errors
    ///
    /// SQLite errors.
    pub fn dry_run(&mut self, batches: &[ImportBatch]) -> Result<Vec<MergeReport>, StoreError> {
        self.merge_all(batches, 0, false)
    }

    fn merge_all(
        &mut self,
        batches: &[ImportBatch],
        now: i64,
        commit: bool,
    ) -> Result<Vec<MergeReport>, StoreError> {
        let tx = self.conn.transaction()?;
        let mut reports = Vec::with_capacity(batches.len());
        for batch in batches {
            let created = ensure_series(&tx, &batch.meta, false, now)?;
            let mut report = merge(&tx, &batch.meta.id, &batch.bars, now)?;
            report.created = created;
            tx.execute(
                "INSERT INTO imports (series_id, origin, imported_at, rows_new, rows_changed, rows_unchanged)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    batch.meta.id.as_str(),
                    batch.origin,
                    now,
                    report.new,
                    report.changed,
                    report.unchanged
                ],
            )?;
            reports.push(report);
        }
        if commit {
            tx.commit()?;
        }
        Ok(reports)
    }

    /// Metadata of one series, if the store holds it.
    ///
    /// # Errors
    ///
    /// SQLite errors.
    pub fn series(&self, id: &SeriesId) -> Result<Option<SeriesMeta>, StoreError> {
        self.conn
            .query_row(
                "SELECT id, name, unit, currency, source FROM series WHERE id = ?1",
                [id.as_str()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()?
            .map(meta_from_row)
            .transpose()
    }

    /// Every series with the extent of its data, by id.
    ///
    /// # Errors
    ///
    /// SQLite errors.
    pub fn list(&self) -> Result<Vec<SeriesSummary>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT s.id, s.name, s.unit, s.currency, s.source, s.bundled,
                    COUNT(o.date), MIN(o.date), MAX(o.date)
             FROM series s LEFT JOIN observations o ON o.series_id = s.id
             GROUP BY s.id ORDER BY s.id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?),
                r.get::<_, bool>(5)?,
                r.get::<_, i64>(6)?,
                r.get::<_, Option<String>>(7)?,
                r.get::<_, Option<String>>(8)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (meta, bundled, n, first, last) = row?;
            out.push(SeriesSummary {
                meta: meta_from_row(meta)?,
                bundled,
                rows: u64::try_from(n).unwrap_or(0),
                first: first.map(|d| parse_date(&d)).transpose()?,
                last: last.map(|d| parse_date(&d)).transpose()?,
            });
        }
        Ok(out)
    }

    /// Daily bars of a series, sorted by date.
    ///
    /// # Errors
    ///
    /// [`StoreError::UnknownSeries`]; SQLite errors.
    pub fn bars(&self, id: &SeriesId, q: &BarQuery) -> Result<Vec<Bar>, StoreError> {
        if self.series(id)?.is_none() {
            return Err(StoreError::UnknownSeries(id.to_string()));
        }
        let to = match (q.to, q.as_of) {
            (Some(t), Some(a)) => Some(t.min(a)),
            (t, a) => t.or(a),
        };
        let from = q
            .from
            .map_or_else(|| "0000-01-01".to_owned(), |d| d.to_string());
        let to = to.map_or_else(|| "9999-12-31".to_owned(), |d| d.to_string());
        let mut stmt = self.conn.prepare_cached(
            "SELECT date, open, high, low, close, volume FROM observations
             WHERE series_id = ?1 AND date >= ?2 AND date <= ?3 ORDER BY date",
        )?;
        let mut bars = stmt
            .query_map(params![id.as_str(), from, to], raw_bar)?
            .map(|r| r.map_err(StoreError::from).and_then(finish_bar))
            .collect::<Result<Vec<Bar>, _>>()?;
        if let Some(as_of) = q.as_of {
            // The value known at the end of `as_of` is the earliest revision replaced after
            // that moment; if none, the current value.
            let cutoff = end_of_day(as_of);
            let mut stmt = self.conn.prepare_cached(
                "SELECT date, open, high, low, close, volume FROM revisions
                 WHERE series_id = ?1 AND date >= ?2 AND date <= ?3 AND replaced_at >= ?4
                 ORDER BY date, replaced_at",
            )?;
            let mut i = 0;
            for row in stmt.query_map(params![id.as_str(), from, to, cutoff], raw_bar)? {
                let old = finish_bar(row?)?;
                while i < bars.len() && bars[i].date < old.date {
                    i += 1;
                }
                if i < bars.len() && bars[i].date == old.date {
                    bars[i] = old;
                    i += 1; // later revisions of the same date are newer: skip them
                }
            }
        }
        Ok(bars)
    }

    /// Values of one date that imports replaced, oldest first.
    ///
    /// # Errors
    ///
    /// SQLite errors.
    pub fn revisions(&self, id: &SeriesId, date: Date) -> Result<Vec<Revision>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT date, open, high, low, close, volume, recorded_at, replaced_at FROM revisions
             WHERE series_id = ?1 AND date = ?2 ORDER BY replaced_at",
        )?;
        let rows = stmt.query_map(params![id.as_str(), date.to_string()], |r| {
            Ok((raw_bar(r)?, r.get::<_, i64>(6)?, r.get::<_, i64>(7)?))
        })?;
        rows.map(|row| {
            let (raw, recorded_at, replaced_at) = row?;
            Ok(Revision {
                bar: finish_bar(raw)?,
                recorded_at,
                replaced_at,
            })
        })
        .collect()
    }

    /// Row counts of every table.
    ///
    /// # Errors
    ///
    /// SQLite errors.
    pub fn counts(&self) -> Result<Counts, StoreError> {
        let n = |table: &str| -> Result<u64, StoreError> {
            let v: i64 =
                self.conn
                    .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))?;
            Ok(u64::try_from(v).unwrap_or(0))
        };
        Ok(Counts {
            series: n("series")?,
            observations: n("observations")?,
            revisions: n("revisions")?,
            imports: n("imports")?,
            events: n("events")?,
        })
    }
}

impl Store {
    /// Adds user events in one transaction.
    ///
    /// # Errors
    ///
    /// [`StoreError::DuplicateEvent`] when an id is already stored (nothing is written);
    /// SQLite errors.
    pub fn add_events(&mut self, events: &[Event], now: i64) -> Result<usize, StoreError> {
        let tx = self.conn.transaction()?;
        {
            let mut insert = tx.prepare(
                "INSERT INTO events (id, date, title_en, title_ja, category, region, actors, surprise, source, announced, note, added_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?;
            for e in events {
                let r = insert.execute(params![
                    e.id,
                    e.date.to_string(),
                    e.title_en,
                    e.title_ja,
                    e.category.as_str(),
                    e.region.as_str(),
                    e.actors.join(";"),
                    e.surprise,
                    e.source,
                    e.announced,
                    e.note,
                    now
                ]);
                match r {
                    Err(rusqlite::Error::SqliteFailure(f, _))
                        if f.code == rusqlite::ErrorCode::ConstraintViolation =>
                    {
                        return Err(StoreError::DuplicateEvent(e.id.clone()));
                    }
                    other => {
                        other?;
                    }
                }
            }
        }
        tx.commit()?;
        Ok(events.len())
    }

    /// User events, by date then id.
    ///
    /// # Errors
    ///
    /// SQLite errors; [`StoreError::Corrupt`] for values aurum did not write.
    pub fn user_events(&self) -> Result<Vec<Event>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, date, title_en, title_ja, category, region, actors, surprise, source, announced, note
             FROM events ORDER BY date, id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, bool>(7)?,
                r.get::<_, String>(8)?,
                r.get::<_, Option<String>>(9)?,
                r.get::<_, Option<String>>(10)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (
                id,
                date,
                title_en,
                title_ja,
                category,
                region,
                actors,
                surprise,
                source,
                announced,
                note,
            ) = row?;
            out.push(Event {
                id,
                date: parse_date(&date)?,
                title_en,
                title_ja,
                category: category.parse().map_err(|_| StoreError::Corrupt {
                    what: "event category",
                    value: category,
                })?,
                region: region.parse().map_err(|_| StoreError::Corrupt {
                    what: "event region",
                    value: region,
                })?,
                actors: actors
                    .split(';')
                    .filter(|a| !a.is_empty())
                    .map(str::to_owned)
                    .collect(),
                surprise,
                source,
                announced,
                note,
            });
        }
        Ok(out)
    }

    /// Removes a user event; returns whether it existed.
    ///
    /// # Errors
    ///
    /// SQLite errors.
    pub fn remove_event(&mut self, id: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .execute("DELETE FROM events WHERE id = ?1", [id])?
            == 1)
    }
}

/// A run to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewRun {
    /// What ran, e.g. `scenario`.
    pub kind: String,
    /// Its title.
    pub title: String,
    /// The input file's text.
    pub input: String,
    /// Seed.
    pub seed: u64,
    /// Paths.
    pub paths: u64,
    /// Fingerprint of the data the run used.
    pub data_fingerprint: String,
    /// Results, as JSON.
    pub results: String,
}

/// A recorded run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RunRecord {
    /// Id.
    pub id: i64,
    /// When it ran (unix seconds).
    pub created_at: i64,
    /// What ran.
    pub kind: String,
    /// Title.
    pub title: String,
    /// Seed.
    pub seed: u64,
    /// Paths.
    pub paths: u64,
    /// Fingerprint of the data used.
    pub data_fingerprint: String,
    /// The input file's text (empty in listings).
    pub input: String,
    /// Results as JSON (empty in listings).
    pub results: String,
}

impl Store {
    /// A stamp that changes whenever series data may have changed (an import, an update, a
    /// new seed): for caching summaries such as [`Store::list`].
    ///
    /// # Errors
    ///
    /// SQLite errors.
    pub fn data_stamp(&self) -> Result<String, StoreError> {
        Ok(self.conn.query_row(
            "SELECT (SELECT COALESCE(MAX(id), 0) FROM imports) || '/' ||
                    (SELECT COUNT(*) FROM imports) || '/' ||
                    (SELECT COALESCE(group_concat(key || '=' || value, ';'), '') FROM meta)",
            [],
            |r| r.get(0),
        )?)
    }

    /// Whether SQLite's integrity check finds the database sound.
    ///
    /// # Errors
    ///
    /// SQLite errors.
    pub fn integrity_ok(&self) -> Result<bool, StoreError> {
        let r: String = self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        Ok(r == "ok")
    }

    /// Recorded runs, newest first, without their inputs and results.
    ///
    /// # Errors
    ///
    /// SQLite errors.
    pub fn runs(&self) -> Result<Vec<RunRecord>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, created_at, kind, title, seed, paths, data_fingerprint, '', '' FROM runs ORDER BY id DESC",
        )?;
        let rows = stmt.query_map([], run_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One recorded run with its input and results.
    ///
    /// # Errors
    ///
    /// SQLite errors.
    pub fn run(&self, id: i64) -> Result<Option<RunRecord>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, created_at, kind, title, seed, paths, data_fingerprint, input, results FROM runs WHERE id = ?1",
                [id],
                run_from_row,
            )
            .optional()?)
    }
}

/// A backtest's place in the store: its id and the blocks already saved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BacktestRecord {
    /// Id.
    pub id: i64,
    /// Identifies the settings and data (same key, same results).
    pub key: String,
    /// The series.
    pub series_id: String,
    /// Settings, as JSON.
    pub config: String,
    /// Blocks in the whole backtest.
    pub blocks: u64,
    /// Blocks saved so far.
    pub done: u64,
    /// When it was started (unix seconds).
    pub created_at: i64,
}

/// One scored forecast to save: its key columns and the row as JSON.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BacktestRow {
    /// Origin date.
    pub origin: Date,
    /// Model name.
    pub model: String,
    /// Horizon in trading days.
    pub horizon: u64,
    /// The scored forecast, as JSON.
    pub row: String,
}

impl Store {
    /// The backtest with `key`, created with these settings if new.
    ///
    /// # Errors
    ///
    /// SQLite errors.
    pub fn backtest(
        &mut self,
        key: &str,
        series: &SeriesId,
        config: &str,
        blocks: u64,
        now: i64,
    ) -> Result<BacktestRecord, StoreError> {
        self.conn.execute(
            "INSERT OR IGNORE INTO backtests (key, series_id, config, blocks, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![key, series.as_str(), config, blocks as i64, now],
        )?;
        self.conn
            .query_row(
                "SELECT b.id, b.key, b.series_id, b.config, b.blocks, b.created_at,
                        (SELECT COUNT(*) FROM backtest_blocks k WHERE k.backtest_id = b.id)
                 FROM backtests b WHERE b.key = ?1",
                [key],
                backtest_from_row,
            )
            .map_err(StoreError::from)
    }

    /// Backtests, newest first.
    ///
    /// # Errors
    ///
    /// SQLite errors.
    pub fn backtests(&self) -> Result<Vec<BacktestRecord>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT b.id, b.key, b.series_id, b.config, b.blocks, b.created_at,
                    (SELECT COUNT(*) FROM backtest_blocks k WHERE k.backtest_id = b.id)
             FROM backtests b ORDER BY b.id DESC",
        )?;
        let rows = stmt.query_map([], backtest_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Indexes of the blocks of backtest `id` already saved.
    ///
    /// # Errors
    ///
    /// SQLite errors.
    pub fn backtest_blocks_done(&self, id: i64) -> Result<Vec<u64>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT block FROM backtest_blocks WHERE backtest_id = ?1 ORDER BY block")?;
        let rows = stmt.query_map([id], |r| r.get::<_, i64>(0))?;
        rows.map(|r| Ok(r? as u64)).collect()
    }

    /// Saves one block's rows and failures in one transaction: a block is either saved whole
    /// or not at all.
    ///
    /// # Errors
    ///
    /// SQLite errors (nothing of the block is kept).
    pub fn save_backtest_block(
        &mut self,
        id: i64,
        block: u64,
        rows: &[BacktestRow],
        failures: &str,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        {
            let mut ins = tx.prepare_cached(
                "INSERT OR REPLACE INTO backtest_rows (backtest_id, block, origin, model, horizon, row)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for r in rows {
                ins.execute(params![
                    id,
                    block as i64,
                    r.origin.to_string(),
                    r.model,
                    r.horizon as i64,
                    r.row
                ])?;
            }
            tx.execute(
                "INSERT OR REPLACE INTO backtest_blocks (backtest_id, block, failures) VALUES (?1, ?2, ?3)",
                params![id, block as i64, failures],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The saved rows of backtest `id` (JSON), by origin, model and horizon, and the failures
    /// of each saved block (JSON arrays).
    ///
    /// # Errors
    ///
    /// SQLite errors.
    pub fn backtest_results(&self, id: i64) -> Result<(Vec<String>, Vec<String>), StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT row FROM backtest_rows WHERE backtest_id = ?1 ORDER BY origin, model, horizon",
        )?;
        let rows = stmt
            .query_map([id], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        let mut stmt = self.conn.prepare(
            "SELECT failures FROM backtest_blocks WHERE backtest_id = ?1 ORDER BY block",
        )?;
        let failures = stmt
            .query_map([id], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok((rows, failures))
    }

    /// Forgets the saved blocks of backtest `id` (to recompute it from scratch).
    ///
    /// # Errors
    ///
    /// SQLite errors.
    pub fn clear_backtest(&mut self, id: i64) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM backtest_rows WHERE backtest_id = ?1", [id])?;
        tx.execute("DELETE FROM backtest_blocks WHERE backtest_id = ?1", [id])?;
        tx.commit()?;
        Ok(())
    }

    /// Every replaced close of a series: its date, the old close, and the last day at whose
    /// end it was still the value known (as [`BarQuery::as_of`] sees it).
    ///
    /// # Errors
    ///
    /// SQLite errors.
    pub fn close_revisions(&self, id: &SeriesId) -> Result<Vec<(Date, f64, Date)>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT date, close, replaced_at FROM revisions WHERE series_id = ?1 ORDER BY date, replaced_at",
        )?;
        let rows = stmt.query_map([id.as_str()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, f64>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })?;
        rows.map(|row| {
            let (date, close, replaced_at) = row?;
            // Known at the end of day d while end_of_day(d) <= replaced_at.
            let day = chrono::DateTime::from_timestamp(replaced_at, 0)
                .map(|t| t.date_naive())
                .ok_or(StoreError::Corrupt {
                    what: "replaced_at",
                    value: replaced_at.to_string(),
                })?;
            Ok((parse_date(&date)?, close, day - Days::new(1)))
        })
        .collect()
    }
}

fn backtest_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<BacktestRecord> {
    Ok(BacktestRecord {
        id: r.get(0)?,
        key: r.get(1)?,
        series_id: r.get(2)?,
        config: r.get(3)?,
        blocks: r.get::<_, i64>(4)? as u64,
        created_at: r.get(5)?,
        done: r.get::<_, i64>(6)? as u64,
    })
}

fn run_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RunRecord> {
    Ok(RunRecord {
        id: r.get(0)?,
        created_at: r.get(1)?,
        kind: r.get(2)?,
        title: r.get(3)?,
        seed: r.get::<_, i64>(4)? as u64,
        paths: r.get::<_, i64>(5)? as u64,
        data_fingerprint: r.get(6)?,
        input: r.get(7)?,
        results: r.get(8)?,
    })
}

/// Unix time of the end of `date` in UTC (the start of the next day); the last representable
/// day's end is the end of time.
fn end_of_day(date: Date) -> i64 {
    date.checked_add_days(Days::new(1)).map_or(i64::MAX, |d| {
        d.and_time(NaiveTime::MIN).and_utc().timestamp()
    })
}

type MetaRow = (String, String, String, Option<String>, String);

fn meta_from_row((id, name, unit, currency, source): MetaRow) -> Result<SeriesMeta, StoreError> {
    Ok(SeriesMeta {
        id: SeriesId::new(id.clone()).map_err(|_| StoreError::Corrupt {
            what: "series id",
            value: id,
        })?,
        name,
        unit: unit.parse::<Unit>().map_err(|_| StoreError::Corrupt {
            what: "unit",
            value: unit,
        })?,
        currency,
        source,
    })
}

fn parse_date(s: &str) -> Result<Date, StoreError> {
    s.parse().map_err(|_| StoreError::Corrupt {
        what: "date",
        value: s.to_owned(),
    })
}

/// A bar as SQLite returns it: date text, open, high, low, close, volume.
type RawBar = (
    String,
    Option<f64>,
    Option<f64>,
    Option<f64>,
    f64,
    Option<f64>,
);

fn raw_bar(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawBar> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
    ))
}

fn finish_bar((d, open, high, low, close, volume): RawBar) -> Result<Bar, StoreError> {
    Ok(Bar {
        date: parse_date(&d)?,
        open,
        high,
        low,
        close,
        volume,
    })
}

/// Creates the series if missing; returns whether it did.
fn ensure_series(
    tx: &Transaction<'_>,
    meta: &SeriesMeta,
    bundled: bool,
    now: i64,
) -> Result<bool, StoreError> {
    let n = tx.execute(
        "INSERT OR IGNORE INTO series (id, name, unit, currency, source, bundled, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            meta.id.as_str(),
            meta.name,
            meta.unit.code(),
            meta.currency,
            meta.source,
            bundled,
            now
        ],
    )?;
    Ok(n == 1)
}

fn set_bundled_fingerprint(tx: &Transaction<'_>) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![BUNDLED_KEY, aurum_ingest::bundled::fingerprint()],
    )?;
    Ok(())
}

/// Observations per insert statement when seeding.
const SEED_CHUNK: usize = 64;

/// An insert of `rows` observations of one series: `?1` the series, `?2` the time recorded,
/// then date, open, high, low, close and volume of each row.
fn insert_observations_sql(rows: usize) -> String {
    let mut sql = String::from(
        "INSERT OR IGNORE INTO observations (series_id, date, open, high, low, close, volume, recorded_at) VALUES ",
    );
    for i in 0..rows {
        let p = 3 + 6 * i;
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&format!(
            "(?1, ?{}, ?{}, ?{}, ?{}, ?{}, ?{}, ?2)",
            p,
            p + 1,
            p + 2,
            p + 3,
            p + 4,
            p + 5
        ));
    }
    sql
}

/// Binds a bar's date, open, high, low, close and volume from parameter `first` on.
fn bind_bar(
    stmt: &mut rusqlite::Statement<'_>,
    first: usize,
    b: &Bar,
    date: &mut DateText,
) -> Result<(), StoreError> {
    match date.format(b.date) {
        Some(text) => stmt.raw_bind_parameter(first, text)?,
        None => stmt.raw_bind_parameter(first, b.date.to_string())?,
    }
    stmt.raw_bind_parameter(first + 1, b.open)?;
    stmt.raw_bind_parameter(first + 2, b.high)?;
    stmt.raw_bind_parameter(first + 3, b.low)?;
    stmt.raw_bind_parameter(first + 4, b.close)?;
    stmt.raw_bind_parameter(first + 5, b.volume)?;
    Ok(())
}

/// A reused buffer for dates as `Date`'s `Display` writes them (`YYYY-MM-DD`).
#[derive(Default)]
struct DateText([u8; 10]);

impl DateText {
    /// The date's text, or `None` for years outside 0–9999 (which `Display` writes with a
    /// sign).
    fn format(&mut self, d: Date) -> Option<&str> {
        let year = u32::try_from(d.year()).ok().filter(|y| *y <= 9999)?;
        let digits = |n: u32| [b'0' + (n / 10 % 10) as u8, b'0' + (n % 10) as u8];
        let buf = &mut self.0;
        buf[..2].copy_from_slice(&digits(year / 100));
        buf[2..4].copy_from_slice(&digits(year));
        buf[4] = b'-';
        buf[5..7].copy_from_slice(&digits(d.month()));
        buf[7] = b'-';
        buf[8..].copy_from_slice(&digits(d.day()));
        std::str::from_utf8(buf).ok()
    }
}

fn merge(
    tx: &Transaction<'_>,
    id: &SeriesId,
    bars: &[Bar],
    now: i64,
) -> Result<MergeReport, StoreError> {
    let mut report = MergeReport {
        series: id.clone(),
        created: false,
        new: 0,
        changed: 0,
        unchanged: 0,
    };
    let mut get = tx.prepare_cached(
        "SELECT date, open, high, low, close, volume FROM observations WHERE series_id = ?1 AND date = ?2",
    )?;
    let mut keep = tx.prepare_cached(
        "INSERT INTO revisions (series_id, date, open, high, low, close, volume, recorded_at, replaced_at)
         SELECT series_id, date, open, high, low, close, volume, recorded_at, ?3
         FROM observations WHERE series_id = ?1 AND date = ?2",
    )?;
    let mut put = tx.prepare_cached(
        "INSERT INTO observations (series_id, date, open, high, low, close, volume, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT(series_id, date) DO UPDATE SET open = excluded.open, high = excluded.high,
           low = excluded.low, close = excluded.close, volume = excluded.volume, recorded_at = excluded.recorded_at",
    )?;
    for b in bars {
        let date = b.date.to_string();
        let existing = get
            .query_row(params![id.as_str(), date], raw_bar)
            .optional()?;
        match existing.map(finish_bar).transpose()? {
            Some(old) if old == *b => {
                report.unchanged += 1;
                continue;
            }
            Some(_) => {
                keep.execute(params![id.as_str(), date, now])?;
                report.changed += 1;
            }
            None => report.new += 1,
        }
        put.execute(params![
            id.as_str(),
            date,
            b.open,
            b.high,
            b.low,
            b.close,
            b.volume,
            now
        ])?;
    }
    Ok(report)
}

/// Inserts a run; returns its id. Runs are recorded with the call they printed
/// ([`Store::record_run_and_call`]).
pub(crate) fn insert_run(
    conn: &rusqlite::Connection,
    run: &NewRun,
    now: i64,
) -> Result<i64, StoreError> {
    conn.execute(
        "INSERT INTO runs (created_at, kind, title, input, seed, paths, data_fingerprint, results)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            now,
            run.kind,
            run.title,
            run.input,
            run.seed as i64,
            run.paths as i64,
            run.data_fingerprint,
            run.results
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

#[cfg(test)]
mod tests {
    use super::*;
    use aurum_core::date;

    fn meta(id: &str) -> SeriesMeta {
        SeriesMeta {
            id: SeriesId::new(id).unwrap(),
            name: id.to_owned(),
            unit: Unit::TroyOunce,
            currency: Some("USD".into()),
            source: "test".into(),
        }
    }

    fn batch(id: &str, bars: Vec<Bar>) -> ImportBatch {
        ImportBatch {
            meta: meta(id),
            bars,
            origin: "test.csv".into(),
        }
    }

    const T0: i64 = 1_739_000_000; // 2025-02-08
    const DAY: i64 = 86_400;

    #[test]
    fn migrations_run_once_and_newer_schemas_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("aurum.db");
        assert_eq!(
            Store::open(&path).unwrap().schema_version().unwrap(),
            SCHEMA_VERSION
        );
        assert_eq!(
            Store::open(&path).unwrap().schema_version().unwrap(),
            SCHEMA_VERSION
        );
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", 99)
            .unwrap();
        let err = Store::open(&path).unwrap_err();
        assert!(
            matches!(err, StoreError::NewerSchema { found: 99, .. }),
            "{err}"
        );
    }

    #[test]
    fn seeding_is_idempotent() {
        let mut s = Store::open_in_memory().unwrap();
        let first = s.seed_bundled(T0).unwrap();
        assert!(first.seeded);
        assert_eq!(first.series as usize, aurum_ingest::bundled::series().len());
        let counts = s.counts().unwrap();
        assert_eq!(counts.observations, first.rows);
        let again = s.seed_bundled(T0 + DAY).unwrap();
        assert!(!again.seeded);
        assert_eq!(s.counts().unwrap(), counts);
        let list = s.list().unwrap();
        let lbma = list
            .iter()
            .find(|x| x.meta.id.as_str() == "gold-usd-lbma-pm")
            .unwrap();
        assert_eq!(lbma.first, Some(date(1968, 4, 1)));
        assert_eq!(lbma.last, Some(date(2025, 2, 18)));
        assert!(lbma.bundled);
    }

    /// Every row of every table (with its rowid where it has one), sorted, and the schema.
    fn dump(s: &Store) -> Vec<(String, Vec<String>)> {
        let tables: Vec<(String, String)> = s
            .conn
            .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let mut out = vec![(
            "schema".to_owned(),
            vec![format!("{tables:?} v{}", s.schema_version().unwrap())],
        )];
        for (name, sql) in tables {
            let select = if sql.contains("WITHOUT ROWID") {
                format!("SELECT * FROM {name}")
            } else {
                format!("SELECT rowid, * FROM {name}")
            };
            let mut stmt = s.conn.prepare(&select).unwrap();
            let n = stmt.column_count();
            let mut rows: Vec<String> = stmt
                .query_map([], |r| {
                    (0..n)
                        .map(|i| r.get::<_, rusqlite::types::Value>(i))
                        .collect::<Result<Vec<_>, _>>()
                        .map(|v| format!("{v:?}"))
                })
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            rows.sort();
            out.push((name, rows));
        }
        out
    }

    fn journal_mode(s: &Store) -> String {
        s.conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn fast_and_naive_seeding_leave_the_same_store() {
        let dir = tempfile::tempdir().unwrap();
        let mut fast = Store::open(&dir.path().join("fast.db")).unwrap();
        let mut naive = Store::open(&dir.path().join("naive.db")).unwrap();
        let a = fast.seed_bundled(T0).unwrap();
        let b = naive.seed_bundled_naive(T0).unwrap();
        assert_eq!(a, b);
        assert!(a.rows > 200_000, "{a:?}");
        assert_eq!(dump(&fast), dump(&naive));
        // WAL and foreign keys are back after seeding.
        assert_eq!(journal_mode(&fast), "wal");
        let fk: bool = fast
            .conn
            .pragma_query_value(None, "foreign_keys", |r| r.get(0))
            .unwrap();
        assert!(fk);
        // In memory too.
        let mut memory = Store::open_in_memory().unwrap();
        memory.seed_bundled(T0).unwrap();
        assert_eq!(dump(&memory), dump(&naive));

        // A newer bundle: the user corrected one value and lacks some dates; re-seeding adds
        // the dates and keeps the correction, the same way both ways.
        for s in [&mut fast, &mut naive] {
            s.conn
                .execute_batch(
                    "UPDATE observations SET close = 1.5 WHERE series_id = 'vix' AND date = '2020-03-16';
                     DELETE FROM observations WHERE series_id IN ('gpr', 'dxy') AND date >= '2024-01-01';
                     UPDATE meta SET value = 'older' WHERE key = 'bundled_fingerprint';",
                )
                .unwrap();
        }
        let a = fast.seed_bundled(T0 + DAY).unwrap();
        let b = naive.seed_bundled_naive(T0 + DAY).unwrap();
        assert_eq!(a, b);
        assert!(a.seeded && a.rows > 250 && a.rows < 1000, "{a:?}");
        assert_eq!(dump(&fast), dump(&naive));
        let vix = fast
            .bars(
                &SeriesId::new("vix").unwrap(),
                &BarQuery {
                    from: Some(date(2020, 3, 16)),
                    to: Some(date(2020, 3, 16)),
                    as_of: None,
                },
            )
            .unwrap();
        assert_eq!(vix[0].close, 1.5);
        assert!(!fast.seed_bundled(T0 + 2 * DAY).unwrap().seeded);
    }

    #[test]
    fn a_store_open_elsewhere_is_seeded_through_the_wal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("aurum.db");
        let mut s = Store::open(&path).unwrap();
        let reader = Store::open(&path).unwrap();
        let report = s.seed_bundled(T0).unwrap();
        assert_eq!(journal_mode(&s), "wal");
        assert_eq!(reader.counts().unwrap().observations, report.rows);
        assert!(reader.is_seeded().unwrap());
        drop(s);
        let s = Store::open(&path).unwrap();
        assert_eq!(s.counts().unwrap().observations, report.rows);
    }

    #[test]
    fn seeded_observations_are_the_bundled_files_as_parsed() {
        let mut s = Store::open_in_memory().unwrap();
        s.seed_bundled(T0).unwrap();
        let bundled = aurum_ingest::bundled::series();
        for id in [
            "gold-usd-lbma-pm",
            "gold-usd-gc",
            "dfii10",
            "gpr-daily-acts",
            "gpr-country-jpn",
            "gpr-hist",
        ] {
            let b = bundled.iter().find(|b| b.meta.id.as_str() == id).unwrap();
            let parsed = aurum_ingest::parse(b.file, b.text.as_bytes(), &b.options)
                .unwrap()
                .bars;
            let stored = s.bars(&b.meta.id, &BarQuery::default()).unwrap();
            let checksum = |bars: &[Bar]| -> f64 {
                bars.iter()
                    .map(|b| {
                        b.close
                            + b.open.unwrap_or(0.0)
                            + b.high.unwrap_or(0.0)
                            + b.low.unwrap_or(0.0)
                            + b.volume.unwrap_or(0.0)
                    })
                    .sum()
            };
            assert_eq!(stored.len(), parsed.len(), "{id}");
            assert_eq!(
                checksum(&stored).to_bits(),
                checksum(&parsed).to_bits(),
                "{id}"
            );
            assert_eq!(stored, parsed, "{id}");
        }
    }

    #[test]
    fn dates_are_written_as_display_writes_them() {
        let mut text = DateText::default();
        let mut d = date(1800, 1, 1);
        while d < date(2101, 1, 1) {
            assert_eq!(text.format(d), Some(d.to_string().as_str()));
            d = d + Days::new(1);
        }
        for year in 0..=9999 {
            let d = date(year, 12, 31);
            assert_eq!(text.format(d), Some(d.to_string().as_str()));
        }
        assert_eq!(text.format(date(0, 3, 1)), Some("0000-03-01"));
        assert_eq!(text.format(date(-1, 3, 1)), None);
        assert_eq!(text.format(date(10_000, 1, 1)), None);
    }

    #[test]
    fn revisions_keep_old_values_and_as_of_sees_them() {
        let mut s = Store::open_in_memory().unwrap();
        let d = date(2025, 2, 10);
        let v1 = vec![
            Bar::close_only(d, 100.0),
            Bar::close_only(date(2025, 2, 11), 101.0),
        ];
        let r = s.import(&[batch("x", v1)], T0).unwrap();
        assert_eq!(
            (r[0].created, r[0].new, r[0].changed, r[0].unchanged),
            (true, 2, 0, 0)
        );
        // Revised on 2025-02-12 (T0 + 4 days), then again on 2025-02-16.
        let r = s
            .import(
                &[batch(
                    "x",
                    vec![
                        Bar::close_only(d, 110.0),
                        Bar::close_only(date(2025, 2, 11), 101.0),
                    ],
                )],
                T0 + 4 * DAY,
            )
            .unwrap();
        assert_eq!(
            (r[0].created, r[0].new, r[0].changed, r[0].unchanged),
            (false, 0, 1, 1)
        );
        s.import(&[batch("x", vec![Bar::close_only(d, 120.0)])], T0 + 8 * DAY)
            .unwrap();

        let revs = s.revisions(&meta("x").id, d).unwrap();
        assert_eq!(
            revs.iter().map(|r| r.bar.close).collect::<Vec<_>>(),
            [100.0, 110.0]
        );
        assert_eq!(revs[0].replaced_at, T0 + 4 * DAY);

        let close_as_of = |day| {
            let q = BarQuery {
                as_of: Some(day),
                ..BarQuery::default()
            };
            s.bars(&meta("x").id, &q).unwrap()[0].close
        };
        assert_eq!(close_as_of(date(2025, 2, 11)), 100.0);
        assert_eq!(close_as_of(date(2025, 2, 12)), 110.0);
        assert_eq!(close_as_of(date(2025, 2, 15)), 110.0);
        assert_eq!(close_as_of(date(2025, 2, 16)), 120.0);
        // The revision log says the same: each old value up to the last day it was known.
        assert_eq!(
            s.close_revisions(&meta("x").id).unwrap(),
            [(d, 100.0, date(2025, 2, 11)), (d, 110.0, date(2025, 2, 15))]
        );
        assert_eq!(
            s.bars(&meta("x").id, &BarQuery::default()).unwrap()[0].close,
            120.0
        );
        let early = BarQuery {
            as_of: Some(date(2025, 2, 10)),
            ..BarQuery::default()
        };
        assert_eq!(s.bars(&meta("x").id, &early).unwrap().len(), 1);
    }

    #[test]
    fn backtest_blocks_are_saved_whole_and_found_again() {
        let mut s = Store::open_in_memory().unwrap();
        s.import(
            &[batch("x", vec![Bar::close_only(date(2025, 1, 2), 1.0)])],
            T0,
        )
        .unwrap();
        let id = meta("x").id;
        let b = s.backtest("k1", &id, "{}", 3, T0).unwrap();
        assert_eq!((b.blocks, b.done), (3, 0));
        let row = |o: Date, m: &str| BacktestRow {
            origin: o,
            model: m.into(),
            horizon: 21,
            row: format!("{{\"m\":\"{m}\"}}"),
        };
        s.save_backtest_block(b.id, 1, &[row(date(2025, 1, 31), "gbm")], "[]")
            .unwrap();
        s.save_backtest_block(b.id, 0, &[row(date(2024, 12, 31), "fhs")], "[\"x\"]")
            .unwrap();
        // The same key finds the same backtest with its progress.
        let again = s.backtest("k1", &id, "{}", 3, T0 + DAY).unwrap();
        assert_eq!((again.id, again.done), (b.id, 2));
        assert_eq!(s.backtest_blocks_done(b.id).unwrap(), [0, 1]);
        let (rows, failures) = s.backtest_results(b.id).unwrap();
        assert_eq!(rows, ["{\"m\":\"fhs\"}", "{\"m\":\"gbm\"}"]);
        assert_eq!(failures, ["[\"x\"]", "[]"]);
        assert_eq!(s.backtests().unwrap().len(), 1);
        s.clear_backtest(b.id).unwrap();
        assert!(s.backtest_blocks_done(b.id).unwrap().is_empty());
    }

    #[test]
    fn runs_are_recorded_and_read_back() {
        let s = Store::open_in_memory().unwrap();
        let run = NewRun {
            kind: "scenario".into(),
            title: "t".into(),
            input: "title = 't'".into(),
            seed: 7,
            paths: 1000,
            data_fingerprint: "abc".into(),
            results: "{}".into(),
        };
        let a = insert_run(&s.conn, &run, T0).unwrap();
        let b = insert_run(&s.conn, &run, T0 + DAY).unwrap();
        let list = s.runs().unwrap();
        assert_eq!(list.iter().map(|r| r.id).collect::<Vec<_>>(), [b, a]);
        assert!(list[0].results.is_empty());
        let full = s.run(a).unwrap().unwrap();
        assert_eq!(
            (full.input.as_str(), full.results.as_str(), full.seed),
            ("title = 't'", "{}", 7)
        );
        assert!(s.run(99).unwrap().is_none());
    }

    #[test]
    fn unknown_series_is_an_error() {
        let s = Store::open_in_memory().unwrap();
        let err = s.bars(&meta("nope").id, &BarQuery::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown series \"nope\"; `aurum data list` shows the series in the store"
        );
    }
}
