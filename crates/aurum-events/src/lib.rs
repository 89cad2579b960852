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
//! ```
#![deny(missing_docs)]

mod base_rate;
mod error;
mod event;
mod parse;

pub use base_rate::{BASE_RATE_LEVEL, BASE_RATE_START, BaseRate, DAYS_PER_YEAR, base_rate};
pub use error::EventCatalogError;
pub use event::{Category, Event, EventFilter, Region};
pub use parse::{EventRecord, bundled, parse_csv, parse_toml, slug_id, valid_id, validate};

/// The bundled catalog's text.
pub const BUNDLED_CATALOG: &str = include_str!("../../../data/events/catalog.toml");
