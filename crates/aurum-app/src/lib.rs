//! aurum's use cases, typed: what the command line and the dashboard's server both do.
//!
//! Each use case takes a plain request and answers a plain result, which both front-ends
//! print or serialise as they are, so that one request gives the same numbers through
//! either:
//!
//! | module | requests → results |
//! | --- | --- |
//! | [`data`] | [`BarsRequest`](data::BarsRequest) → [`Bars`](data::Bars); [`ImportRequest`](data::ImportRequest), [`UpdateRequest`](data::UpdateRequest) → [`MergeRow`](data::MergeRow)s |
//! | [`events`] | [`EventQuery`](events::EventQuery) → [`Listed`](events::Listed) events; [`EventDraft`](events::EventDraft) → the stored event; file imports, removals |
//! | [`study`] | [`StudyRequest`](study::StudyRequest) → [`StudyReport`](study::StudyReport) |
//! | [`vol`] | [`VolSpec`](vol::VolSpec) → [`Fitted`](vol::Fitted) / [`VolFitReport`](vol::VolFitReport); [`ForecastRequest`](vol::ForecastRequest) → [`VolForecast`](vol::VolForecast) |
//! | [`gpr`] | [`GprRequest`](gpr::GprRequest) → [`GprReport`](gpr::GprReport); the authors' files; [`BuildRequest`](gpr::BuildRequest) → a news index |
//! | [`scenario`] | [`ScenarioRun`](scenario::ScenarioRun) → [`RunResult`](scenario::RunResult), recorded in the store; recorded runs |
//! | [`backtest`] | [`BacktestJob`](backtest::BacktestJob) → [`BacktestReport`](backtest::BacktestReport), resumable |
//! | [`report`] | [`ReportRequest`](report::ReportRequest) → [`Composed`](report::Composed) (results, Markdown, HTML, figures, post) |
//! | [`calendar`] | a [`ScenarioFile`](aurum_sim::ScenarioFile) → the [`Scheduled`](aurum_events::Scheduled) events in its horizon, as known on its as-of date |
//! | [`calls`] | what a report or run printed, recorded as a call; [`ScoreRequest`](calls::ScoreRequest) → [`ScoreReport`](calls::ScoreReport); [`ResolveRequest`](calls::ResolveRequest) → [`Resolved`](calls::Resolved) |
//! | [`figures`] | every chart, labelled in English or Japanese |
//! | [`rows`] | the table-shaped results as flat rows, for CSV: events, studies, GPR regressions, runs, calls, scores |
//!
//! [`Home`] resolves where the store lives and opens it, creating and seeding it on first
//! use. Long work reports through a [`Progress`] the caller passes in ([`Silent`] for
//! nobody). Failures are an [`AppError`] whose kind ([`ErrorKind`]) each front-end maps
//! once: to exit codes, or to HTTP 400, 404, 409 and 500 with the field at fault.
//!
//! This crate wires files, the store and the pure compute crates together; it holds no
//! numerical method of its own, and knows nothing of clap or HTTP.
//!
//! ```no_run
//! use aurum_app::{Home, Silent, Window, study::StudyRequest};
//! use aurum_core::SeriesId;
//!
//! let home = Home::new("/tmp/aurum-home");
//! let store = home.open(&Silent)?;
//! let mut req = StudyRequest::category(
//!     SeriesId::new("gold-usd-lbma-pm")?,
//!     "nuclear".parse().map_err(aurum_app::AppError::invalid)?,
//! );
//! req.dates = Window::as_of(Some(aurum_core::date(2025, 2, 18)));
//! let report = aurum_app::study::run(&store, &req)?;
//! println!("{} groups", report.groups.len());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![deny(missing_docs)]

pub mod backtest;
pub mod calendar;
pub mod calls;
pub mod data;
mod error;
pub mod events;
pub mod figures;
mod fingerprint;
pub mod gpr;
mod home;
pub mod input;
pub mod labels;
mod progress;
pub mod report;
pub mod rows;
pub mod scenario;
pub mod sensitivity;
pub mod study;
pub mod vol;
mod window;

pub use error::{AppError, AppResult, ErrorKind, FieldStyle};
pub use home::{Home, now, parse_time};
pub use progress::{Cancel, Progress, Silent};
pub use window::Window;
