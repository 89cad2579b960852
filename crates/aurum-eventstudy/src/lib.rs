//! Event studies: how a price reacted to dated events, measured against its normal behaviour.
//!
//! The method follows MacKinlay (1997); every convention is written out in
//! `docs/event-study.md` and reproduced independently by `scripts/reference/event_study.py`.
//!
//! - [`Calendar`] aligns the studied series with its benchmarks (an inner join of dates) and
//!   turns prices into returns ([`Transform`]: log returns for prices, first differences for
//!   rates in percent).
//! - [`Design`] holds the event window `[L1, L2]` and the estimation window `[E1, E2]`;
//!   [`Model`] the normal-return model (constant mean, market model, multi-factor).
//! - [`study`] measures each [`EventSpec`]: OLS on the estimation window, abnormal returns,
//!   CAR and its standardised form ([`EventResult`]), then the cross-section ([`Aggregate`]):
//!   CAAR, cross-sectional t, Patell Z, BMP t, the Kolari–Pynnönen adjustment, Corrado's
//!   rank test and the generalised sign test. Events that cannot be measured are
//!   [`Skipped`] with a reason; overlapping events are handled by an [`OverlapPolicy`].
//!
//! It is pure: no I/O, no clock, no randomness.
//!
//! ```
//! use aurum_core::{Date, date};
//! use aurum_eventstudy::{Calendar, Design, EventSpec, Model, OverlapPolicy, study};
//!
//! // A price that grows 0.1% a day, with a 5% jump on 2024-06-03.
//! let mut prices = Vec::new();
//! let mut p = 100.0;
//! let mut d = date(2023, 1, 2);
//! while d <= date(2024, 12, 31) {
//!     p *= if d == date(2024, 6, 3) { 1.05 } else { 1.001 };
//!     prices.push((d, p));
//!     d = d.succ_opt().unwrap();
//! }
//! let cal = Calendar::new(&prices, &[]).unwrap();
//! let design = Design::new((-1, 5), (-250, -11)).unwrap();
//! let events = [EventSpec { id: "jump".into(), date: date(2024, 6, 3) }];
//! let s = study(&cal, Model::Mean, &design, &events, OverlapPolicy::Flag).unwrap();
//! let car = s.events[0].car;
//! assert!((car - (1.05f64.ln() - 1.001f64.ln())).abs() < 1e-9);
//! ```
#![deny(missing_docs)]

mod calendar;
mod error;
mod stats;
mod study;

pub use calendar::{Benchmark, Calendar, Transform};
pub use error::EventStudyError;
pub use study::{
    Aggregate, Design, EventResult, EventSpec, Model, OverlapPolicy, Skipped, Study, study,
};
