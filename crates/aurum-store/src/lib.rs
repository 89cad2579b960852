//! aurum's embedded store: one SQLite file holding series, their daily observations and
//! every value an import replaced.
//!
//! - [`Store`] opens (or creates) the database, applies the versioned schema
//!   [migrations](MIGRATIONS), seeds the bundled series ([`Store::seed_bundled`], idempotent)
//!   and answers queries.
//! - [`Store::import`] merges batches of bars in **one transaction**: on any error nothing is
//!   written. A value that changes is kept in the `revisions` table with the time it was
//!   replaced.
//! - [`BarQuery`] reads bars by date range and **as of** a date: a value later revised is
//!   shown as it was known at the end of that day. A value never revised counts as known on
//!   its own date.
//! - Calls ([`Store::record_call`]) keep what a report or scenario run printed, to be scored
//!   when the outcomes arrive, with the outcomes of the strategist's scenarios.
//!
//! ```
//! use aurum_core::{Bar, SeriesId, SeriesMeta, Unit, date};
//! use aurum_store::{BarQuery, ImportBatch, Store};
//!
//! let mut store = Store::open_in_memory().unwrap();
//! let meta = SeriesMeta {
//!     id: SeriesId::new("silver").unwrap(),
//!     name: "Silver".into(),
//!     unit: Unit::TroyOunce,
//!     currency: Some("USD".into()),
//!     source: "my broker".into(),
//! };
//! let day = date(2025, 2, 18);
//! let batch = |close| ImportBatch { meta: meta.clone(), bars: vec![Bar::close_only(day, close)], origin: "x.csv".into() };
//! store.import(&[batch(32.0)], 1_739_900_000).unwrap();             // 2025-02-18 17:33 UTC
//! let report = store.import(&[batch(32.5)], 1_740_200_000).unwrap(); // three days later
//! assert_eq!((report[0].new, report[0].changed), (0, 1));
//!
//! let now = store.bars(&meta.id, &BarQuery::default()).unwrap();
//! assert_eq!(now[0].close, 32.5);
//! let then = store.bars(&meta.id, &BarQuery { as_of: Some(day), ..BarQuery::default() }).unwrap();
//! assert_eq!(then[0].close, 32.0); // what was known at the end of 2025-02-18
//! ```
#![deny(missing_docs)]

mod calls;
mod error;
mod schema;
mod store;

pub use calls::{CallQuery, CallRecord, NewCall, ScenarioOutcome};
pub use error::StoreError;
pub use schema::{MIGRATIONS, SCHEMA_VERSION};
pub use store::{
    BacktestRecord, BacktestRow, BarQuery, Counts, ImportBatch, MergeReport, NewRun, Revision,
    RunRecord, SeedReport, SeriesSummary, Store,
};
