//! The geopolitical event catalog.
//!
//! - [`Event`]: a dated event with English and Japanese titles, a [`Category`], a [`Region`],
//!   its actors, whether it was a surprise, and a named source.
//! - [`bundled`]: the curated catalog shipped in `data/events/catalog.toml` (human-editable
//!   TOML, compiled into the binary).
//! - [`parse_toml`] and [`parse_csv`]: read catalogs and user files; every error names the
//!   file, line and field ([`EventCatalogError`]).
//! - [`EventFilter`]: by category, date range, and **as of** a date (nothing dated later).
//! - [`base_rate`]: how often events of a kind happened since [`BASE_RATE_START`] up to an
//!   as-of date, as a Poisson rate, and the chance of at least one in a window with its
//!   exact 90% interval ([`BaseRate`]).
//! - [`Scheduled`]: an event whose date was announced in advance (an FOMC or Bank of Japan
//!   meeting, a NATO, G7, G20 or BRICS summit, a European Council, an election), with the
//!   day its date became public. [`bundled_scheduled`] reads the curated calendar in
//!   `data/events/scheduled.toml`; [`scheduled_between`] lists those within a window that
//!   were known **as of** a date (nothing announced later), for a report's dates to watch.
//!
//! Pure: parsing works on strings; the caller reads files and stores user events.
//!
//! ```
//! use aurum_events::{Category, EventFilter, bundled};
//! use aurum_core::date;
//!
//! let catalog = bundled().unwrap();
//! let filter = EventFilter { categories: vec![Category::Nuclear], as_of: Some(date(2010, 1, 1)), ..EventFilter::default() };
//! let tests: Vec<_> = catalog.iter().filter(|e| filter.matches(e)).collect();
//! assert!(tests.iter().all(|e| e.date <= date(2010, 1, 1)));
//! assert!(tests.iter().any(|e| e.date == date(2006, 10, 9))); // North Korea's first test
//!
//! // What was on the calendar for the next four months, as known on 18 February 2025.
//! let calendar = aurum_events::bundled_scheduled().unwrap();
//! let ahead = aurum_events::scheduled_between(&calendar, date(2025, 2, 18), date(2025, 6, 30), date(2025, 2, 18));
//! assert!(ahead.iter().any(|e| e.id == "2025-06-24-nato-summit-the-hague"));
//! assert!(ahead.iter().all(|e| e.announced <= date(2025, 2, 18)));
//! ```
#![deny(missing_docs)]

mod base_rate;
mod error;
mod event;
mod parse;
mod scheduled;

pub use base_rate::{BASE_RATE_LEVEL, BASE_RATE_START, BaseRate, DAYS_PER_YEAR, base_rate};
pub use error::EventCatalogError;
pub use event::{Category, Event, EventFilter, Region};
pub use parse::{
    EventRecord, announced_expected, announced_fits, bundled, parse_csv, parse_toml, slug_id,
    valid_id, validate,
};
pub use scheduled::{
    MAX_SPAN_DAYS, Scheduled, ScheduledKind, bundled_scheduled, parse_scheduled, scheduled_between,
};

/// The bundled catalog's text.
pub const BUNDLED_CATALOG: &str = include_str!("../../../data/events/catalog.toml");

/// The bundled calendar of scheduled events' text.
pub const BUNDLED_SCHEDULED: &str = include_str!("../../../data/events/scheduled.toml");
