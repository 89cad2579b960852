//! The strategist's report: the answer to a scenario question, with its evidence.
//!
//! - [`Report`] holds every number a report shows (written out as `results.json`): the
//!   probabilities of touching and closing above each target by dates in the horizon, each
//!   scenario with its event-study analogs and what it adds, the Geopolitical Risk index now,
//!   and the model's track record from the backtest.
//! - [`markdown`], [`html`] and [`post`] render it through the templates of the language
//!   (`templates/en`, `templates/ja`): text in the language's own words, numbers and dates in
//!   its own formats ([`format`]). The HTML is one self-contained file.
//!
//! Pure: the caller runs the analyses and writes the files.
#![deny(missing_docs)]

pub mod format;
mod model;
mod render;

pub use model::{
    AnalogOut, BaseRate, Checkpoint, DateOut, EventOut, Factor, FanEnd, GprOut, ModelInfo, NameOut,
    Report, Review, ReviewRecord, ReviewRow, ScenarioOut, Sensitivities, ShockOut, SourceOut,
    Start, TargetOut, TrackBin, TrackRecord, YenOut,
};
pub use render::{Figure, html, markdown, post, weighted_len};

use thiserror::Error;

/// Why a report cannot be written.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ReportError {
    /// A template does not fit the data (a bug, or results from another version).
    #[error("report template: {0}")]
    Template(#[from] minijinja::Error),
    /// The post is longer than X allows.
    #[error("the post weighs {weight} of 280: {text}")]
    PostTooLong {
        /// Its weight.
        weight: usize,
        /// The text.
        text: String,
    },
}
