//! Candlestick charts of gold prices, as SVG and PNG.
//!
//! This crate owns the drawing of aurum's price charts and nothing else: it knows bars,
//! not series, sources or units. The caller passes every string already localised.
//!
//! - [`CandleChart`]: what to draw. Bars ([`aurum_core::PeriodBar`]), a title and optional
//!   subtitle, the price axis title, a source line, optional [`TargetLine`]s, an optional
//!   last-close tag, numbered event [`Marker`]s and an optional forecast [`Fan`].
//!   [`CandleChart::new`] fills in the defaults (1200×675 px).
//! - [`render_svg`]: the chart as an SVG document, written by hand. Candles (green and red,
//!   or blue and orange, hollow and filled, for colour-blind readers), a price axis on the
//!   right with round ticks, date ticks at the first bar of each month, quarter or year,
//!   dashed target lines, a last-close tag, numbered event markers above their bars with a
//!   key of their dates and texts under the plot, and a quantile fan continuing the
//!   candles; text sized to read at phone width, no two texts overlapping. The output
//!   depends on the input only.
//! - [`event_groups`]: the groups of events [`render_svg`] numbers, and where their markers
//!   are in the image, so that a text can refer to the chart's numbers;
//!   [`render_svg_with_groups`] gives both from one layout.
//! - [`svg_to_png`]: any SVG rendered to PNG with resvg, using only the fonts embedded in
//!   this crate (DejaVu Sans and, for Japanese, IPAexGothic), so a PNG is the same on
//!   every machine.
//! - [`LineChart`]: lines for event-study results, such as cumulative average abnormal
//!   returns around an event, or for anything over calendar dates (see
//!   [`LineChart::x_dates`] and [`date_x`]). Each [`LineSeries`] is a path with markers and
//!   an optional translucent confidence band, in a colour of its own
//!   ([`series_color`]), solid or dashed, with an optional label at its right end;
//!   [`render_line_svg`] draws it with the value axis on the left (automatic, or fixed with
//!   [`FixedAxis`]), zero lines and a legend of exactly the series drawn.
//! - [`ChartError`]: invalid charts (no bars or series, non-finite values, odd sizes, fans
//!   out of order) and rendering failures.
//!
//! It is pure: no file I/O, no clock, no randomness.
//!
//! ```
//! use aurum_chart::{CandleChart, Fan, FanPoint, Marker, TargetLine, render_svg};
//! use aurum_core::{Lang, PeriodBar, date};
//!
//! let bar = |end, open, high, low, close| PeriodBar {
//!     period_end: end,
//!     first_date: end,
//!     last_date: end,
//!     open,
//!     high,
//!     low,
//!     close,
//!     volume: None,
//!     days: 5,
//! };
//! let bars = vec![
//!     bar(date(2025, 2, 7), 2860.0, 2886.0, 2834.0, 2861.0),
//!     bar(date(2025, 2, 14), 2861.0, 2942.0, 2860.0, 2882.0),
//!     bar(date(2025, 2, 21), 2882.0, 2954.0, 2877.0, 2936.0),
//! ];
//! let mut chart =
//!     CandleChart::new(bars, "Gold, weekly", "USD / troy oz", "Source: stooq; aurum", Lang::En);
//! // Square: read at phone width, the text is large, and the plot keeps its room.
//! (chart.width, chart.height) = (1200, 1200);
//! chart.targets.push(TargetLine::new(3000.0, "Target 3,000"));
//! chart.last_close_label = Some("$2,936/oz".to_owned());
//! chart.markers.push(Marker::new(date(2025, 2, 12), "Trump–Putin call"));
//! chart.markers.push(Marker::new(date(2025, 2, 14), "Vance in Munich"));
//! let week = |end, p5, p25, p50, p75, p95| FanPoint { period_end: end, p5, p25, p50, p75, p95 };
//! chart.fan = Some(Fan::new(
//!     vec![
//!         week(date(2025, 2, 28), 2850.0, 2905.0, 2945.0, 2985.0, 3040.0),
//!         week(date(2025, 3, 7), 2815.0, 2895.0, 2950.0, 3005.0, 3085.0),
//!     ],
//!     "90% range",
//!     "50% range",
//!     "Median",
//! ));
//!
//! let svg = render_svg(&chart)?;
//! assert_eq!(svg.matches(r#"class="candle""#).count(), 3);
//! assert!(svg.contains("Target 3,000"));
//! // Two events in one week: one marker, numbered, and a key with a line for each.
//! assert_eq!(svg.matches(r#"class="marker""#).count(), 1);
//! assert!(svg.contains(">12 Feb</text>") && svg.contains(">Vance in Munich</text>"));
//! assert!(svg.contains(r#"class="fan-median""#) && svg.contains(">Median</text>"));
//!
//! let png = aurum_chart::svg_to_png(&svg)?;
//! assert!(png.starts_with(b"\x89PNG"));
//! # Ok::<(), aurum_chart::ChartError>(())
//! ```
#![deny(missing_docs)]

/// Writes formatted text to a `String` (which cannot fail).
macro_rules! w {
    ($out:expr, $($arg:tt)*) => {{
        let _ = write!($out, $($arg)*);
    }};
}

mod format;
mod layout;
mod line;
mod png;
mod scale;
mod svg;

use aurum_core::{Date, Lang, PeriodBar};
use thiserror::Error;

pub use line::{date_x, render_line_svg, series_color};
pub use png::svg_to_png;
pub use svg::{event_groups, render_svg, render_svg_with_groups};

/// Smallest accepted chart width or height, in pixels.
pub const MIN_SIZE: u32 = 200;
/// Largest accepted chart width or height, in pixels.
pub const MAX_SIZE: u32 = 8000;

/// A candlestick chart: bars plus the (already localised) text around them.
#[derive(Clone, Debug, PartialEq)]
pub struct CandleChart {
    /// Title, top left, e.g. `Gold, weekly` or `金価格 週足`.
    pub title: String,
    /// Grey line under the title, e.g. `2023-01-06 – 2025-02-21, as of 2025-02-18`.
    pub subtitle: Option<String>,
    /// Title of the price axis on the right, e.g. `USD / troy oz`.
    pub y_axis_label: String,
    /// Small grey line bottom left, e.g. `Source: stooq XAU/USD spot; aurum`.
    pub source_line: String,
    /// Bars in date order, one candle each.
    pub bars: Vec<PeriodBar>,
    /// Horizontal labelled levels drawn across the plot.
    pub targets: Vec<TargetLine>,
    /// Text of the tag marking the last close on the price axis, with its unit, e.g.
    /// `$2,935/oz` or `2,935ドル`; no tag when `None`.
    pub last_close_label: Option<String>,
    /// Events to mark: numbered circles above the bars whose periods contain their dates,
    /// one per group of events close together, and a key of the numbers to the events'
    /// dates and texts under the plot (see [`Marker`]).
    pub markers: Vec<Marker>,
    /// A forecast fan continuing the candles to the right; none when `None`.
    pub fan: Option<Fan>,
    /// Language of the date ticks (`Jan 2024` or `2024年1月`); Japanese also puts
    /// IPAexGothic first for the text.
    pub lang: Lang,
    /// Width of the layout in pixels, 200 to 8000 (and so is the image's).
    pub width: u32,
    /// Height of the layout in pixels, 200 to 8000 (and so is the image's).
    pub height: u32,
    /// Size of the image relative to the layout: the image is `zoom × width` by
    /// `zoom × height` pixels with everything in it `zoom` times as large, so that a chart
    /// laid out at 800×450 with a zoom of 1.5 gives a 1200×675 image whose text still reads
    /// when the image is shown at phone width. 0.25 to 8; 1 by default.
    pub zoom: f64,
    /// The narrowest width, in pixels, the image is to be read at: text and lines grow with
    /// the chart's width so that the smallest text is still 10 px high when the image is
    /// shown this wide. 375 (a phone, as on X) by default; 0 keeps the text at its plain
    /// sizes (12 px and up) whatever the width.
    pub read_width: u32,
    /// Candles in colours that colour-blind readers tell apart: rising candles hollow and
    /// dark blue, falling ones filled and orange (so that they differ in greyscale too),
    /// instead of filled green and red.
    pub color_blind_safe: bool,
}

impl CandleChart {
    /// A 1200×675 chart read down to 375 px wide, in green and red candles, with no
    /// subtitle, targets, last-close tag, markers or fan.
    #[must_use]
    pub fn new(
        bars: Vec<PeriodBar>,
        title: impl Into<String>,
        y_axis_label: impl Into<String>,
        source_line: impl Into<String>,
        lang: Lang,
    ) -> Self {
        Self {
            title: title.into(),
            subtitle: None,
            y_axis_label: y_axis_label.into(),
            source_line: source_line.into(),
            bars,
            targets: Vec::new(),
            last_close_label: None,
            markers: Vec::new(),
            fan: None,
            lang,
            width: 1200,
            height: 675,
            zoom: 1.0,
            read_width: 375,
            color_blind_safe: false,
        }
    }
}

/// A dashed horizontal line at a price level, labelled at the left of the plot.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetLine {
    /// Price level.
    pub value: f64,
    /// Label text, e.g. `Target 3,000`.
    pub label: String,
}

impl TargetLine {
    /// A target line at `value` labelled `label`.
    #[must_use]
    pub fn new(value: f64, label: impl Into<String>) -> Self {
        Self {
            value,
            label: label.into(),
        }
    }
}

/// An event to mark on the chart, on the bar whose period contains `date`: the first bar
/// whose period end is on or after it. An event before the first bar's period or after the
/// last bar is left out.
///
/// Events on one bar, on neighbouring bars or on bars too close for two markers are one
/// group: one numbered circle (numbers run from 1 in date order) centred over the group's
/// bars, with a thin bracket down to each of them. The key under the plot lists each
/// group's number with its events, each as its date (`2月14日` in Japanese, `14 Feb` in
/// English; with the year when the events span more than one) and its `text`, cut short
/// with `…` where the line is too long. The price axis leaves room above the highs so
/// that no marker leaves the plot.
#[derive(Clone, Debug, PartialEq)]
pub struct Marker {
    /// A date inside the period of the bar to mark.
    pub date: Date,
    /// What happened, for the key, already localised, e.g. `Vance attacks European allies
    /// in Munich`; empty for the date alone.
    pub text: String,
}

impl Marker {
    /// An event on `date` that the key calls `text`.
    #[must_use]
    pub fn new(date: Date, text: impl Into<String>) -> Self {
        Self {
            date,
            text: text.into(),
        }
    }
}

/// A group of events drawn as one numbered marker (see [`crate::event_groups`]).
#[derive(Clone, Debug, PartialEq)]
pub struct EventGroup {
    /// The number in its marker and in the key, from 1 in date order.
    pub number: usize,
    /// The events in it, as positions in [`CandleChart::markers`], by date.
    pub markers: Vec<usize>,
    /// The box its marker covers in the image, in pixels: left, top, right, bottom.
    pub bounds: [f64; 4],
}

/// A forecast fan: quantiles of the price at weekly (or other) period ends after the last
/// bar, drawn right of the candles as two nested translucent bands (5–95% and 25–75%) and
/// a dashed median, all starting at the last close.
///
/// Each point takes one slot on the date axis, as wide as a candle's, after the last bar;
/// the date ticks run on over them. A small legend names the bands and the median.
#[derive(Clone, Debug, PartialEq)]
pub struct Fan {
    /// The quantiles, one point per period, dated after the last bar and in date order.
    pub points: Vec<FanPoint>,
    /// Legend text of the 5–95% band, e.g. `90% range` or `90%区間`.
    pub outer_label: String,
    /// Legend text of the 25–75% band, e.g. `50% range` or `50%区間`.
    pub inner_label: String,
    /// Legend text of the median line, e.g. `Median` or `中央値`.
    pub median_label: String,
}

impl Fan {
    /// A fan through `points`, its legend reading `outer_label`, `inner_label` and
    /// `median_label`.
    #[must_use]
    pub fn new(
        points: Vec<FanPoint>,
        outer_label: impl Into<String>,
        inner_label: impl Into<String>,
        median_label: impl Into<String>,
    ) -> Self {
        Self {
            points,
            outer_label: outer_label.into(),
            inner_label: inner_label.into(),
            median_label: median_label.into(),
        }
    }
}

/// One period of a [`Fan`]: the 5th, 25th, 50th, 75th and 95th percentiles of the price at
/// the period's end. The quantiles must be finite and in order (`p5 <= p25 <= p50 <= p75
/// <= p95`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FanPoint {
    /// End of the period, e.g. the Friday of the week.
    pub period_end: Date,
    /// 5th percentile.
    pub p5: f64,
    /// 25th percentile.
    pub p25: f64,
    /// Median.
    pub p50: f64,
    /// 75th percentile.
    pub p75: f64,
    /// 95th percentile.
    pub p95: f64,
}

/// A line chart of event-study results: one line per series, with optional confidence
/// bands, plus the (already localised) text around them.
///
/// Every text may be English or Japanese; text with Japanese in it is set in IPAexGothic.
#[derive(Clone, Debug, PartialEq)]
pub struct LineChart {
    /// Title, top left, e.g. `Gold around geopolitical events` or `地政学イベント前後の金価格`.
    pub title: String,
    /// Grey line under the title, e.g. `Cumulative average abnormal return, 95% band`.
    pub subtitle: Option<String>,
    /// Title of the horizontal axis, e.g. `Trading days relative to the event`.
    pub x_axis_label: String,
    /// Title of the vertical axis on the left, e.g. `Cumulative abnormal return, %`.
    pub y_axis_label: String,
    /// Small grey line bottom left, e.g. `Source: stooq XAU/USD spot; aurum`.
    pub source_line: String,
    /// The lines, drawn in order in the colours of the Okabe–Ito palette.
    pub series: Vec<LineSeries>,
    /// Ticks on the horizontal axis at integers only (every 1, 2, 5, 10, … units), as for
    /// trading days; otherwise round ticks as on the value axis.
    pub x_ticks_integer: bool,
    /// Emphasise `y = 0` and `x = 0` (the event day) with a slightly darker line.
    pub zero_line: bool,
    /// Write x tick labels without thousands separators (years: `2010`, not `2,010`).
    pub x_plain: bool,
    /// Keep zero inside the y axis (returns, betas); off for price levels.
    pub include_zero: bool,
    /// The horizontal axis is a calendar, in this language: each `x` is a day as
    /// [`date_x`] numbers it. The axis then has a gridline at the end of each month and the
    /// month's name under its stretch (`Mar`, `3月`; with the year on the first month named
    /// and on each January: `Feb 2025`, `2025年2月`), or years when months are too narrow
    /// to name; [`LineChart::x_ticks_integer`] and [`LineChart::x_plain`] do not apply.
    /// `None`: plain numbers.
    pub x_dates: Option<Lang>,
    /// A fixed value axis instead of one fitted to the values (which still widens it, in
    /// whole steps, when a value falls outside); [`LineChart::include_zero`] does not
    /// apply.
    pub y_fixed: Option<FixedAxis>,
    /// Written after each value tick label, e.g. `%`; empty for none.
    pub y_suffix: String,
    /// Width of the layout in pixels, 200 to 8000 (and so is the image's).
    pub width: u32,
    /// Height of the layout in pixels, 200 to 8000 (and so is the image's).
    pub height: u32,
    /// Size of the image relative to the layout: the image is `zoom × width` by
    /// `zoom × height` pixels with everything in it `zoom` times as large, so that a chart
    /// laid out at 800×450 with a zoom of 1.5 gives a 1200×675 image whose text still reads
    /// when the image is shown at phone width. 0.25 to 8; 1 by default.
    pub zoom: f64,
}

impl LineChart {
    /// A 1200×675 chart with no subtitle and no series, integer ticks on the horizontal
    /// axis, a value axis fitted to the values, and zero lines. An empty axis title is
    /// left out.
    #[must_use]
    pub fn new(
        title: impl Into<String>,
        x_axis_label: impl Into<String>,
        y_axis_label: impl Into<String>,
        source_line: impl Into<String>,
    ) -> Self {
        Self {
            title: title.into(),
            subtitle: None,
            x_axis_label: x_axis_label.into(),
            y_axis_label: y_axis_label.into(),
            source_line: source_line.into(),
            series: Vec::new(),
            x_ticks_integer: true,
            zero_line: true,
            x_plain: false,
            include_zero: true,
            x_dates: None,
            y_fixed: None,
            y_suffix: String::new(),
            width: 1200,
            height: 675,
            zoom: 1.0,
        }
    }
}

/// A value axis from `lo` to `hi` with a tick at every multiple of `step`, e.g. `0` to `100`
/// every `20` for percentages.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FixedAxis {
    /// Bottom of the axis.
    pub lo: f64,
    /// Top of the axis, above `lo`.
    pub hi: f64,
    /// Distance between ticks, positive; at most 100 ticks.
    pub step: f64,
}

/// One line of a [`LineChart`]: points joined in `x` order, with a marker at each point
/// (when there are 60 points or fewer) and an optional band around them.
///
/// The legend has one entry per series, drawn as the series is: a line (solid or dashed,
/// with a marker when the line has them) over a band swatch when there is a band. A band
/// that lies wholly inside the band of an earlier series is only ever seen over it (the 50%
/// range of a fan over its 90% range), and so is its swatch: over the earlier band's.
#[derive(Clone, Debug, PartialEq)]
pub struct LineSeries {
    /// Legend text, e.g. `war-outbreak (N=24)`.
    pub label: String,
    /// Points as `(x, y)`.
    pub points: Vec<(f64, f64)>,
    /// A band as `(x, lower, upper)`, one row per point with the point's `x`, drawn as a
    /// translucent area in the series' colour; none when `None`.
    pub band: Option<Vec<(f64, f64, f64)>>,
    /// The colour of the line and band, e.g. `#5d6470`; `None` takes the series' place in
    /// the palette ([`series_color`]).
    pub color: Option<String>,
    /// Draw the line dashed, without markers.
    pub dashed: bool,
    /// Draw the line (and its markers); off, only the band is drawn.
    pub line: bool,
    /// Text at the right end of the line, in its colour, e.g. `85%`. Labels of lines that
    /// end close together are pushed apart so that none covers another, and the plot makes
    /// room for them on its right.
    pub end_label: Option<String>,
}

impl LineSeries {
    /// A solid line in the palette's colour, with no band and no end label.
    #[must_use]
    pub fn new(label: impl Into<String>, points: Vec<(f64, f64)>) -> Self {
        Self {
            label: label.into(),
            points,
            band: None,
            color: None,
            dashed: false,
            line: true,
            end_label: None,
        }
    }
}

/// Errors raised when a chart cannot be drawn or rendered.
#[derive(Debug, Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum ChartError {
    /// The chart has no bars to draw.
    #[error("chart has no bars")]
    EmptyBars,
    /// A bar has a NaN or infinite price.
    #[error("bar {index} ({date}) has a non-finite {field}: {value}")]
    NonFiniteBar {
        /// Position of the bar in the chart.
        index: usize,
        /// The bar's period end.
        date: Date,
        /// `open`, `high`, `low` or `close`.
        field: &'static str,
        /// The offending value.
        value: f64,
    },
    /// A target line has a NaN or infinite value.
    #[error("target line {label:?} has a non-finite value: {value}")]
    NonFiniteTarget {
        /// The target's label.
        label: String,
        /// The offending value.
        value: f64,
    },
    /// The forecast fan has no points.
    #[error("forecast fan has no points")]
    EmptyFan,
    /// A fan point has a NaN or infinite quantile.
    #[error("fan point {index} ({date}) has a non-finite {field}: {value}")]
    NonFiniteFan {
        /// Position of the point in the fan.
        index: usize,
        /// The point's period end.
        date: Date,
        /// `p5`, `p25`, `p50`, `p75` or `p95`.
        field: &'static str,
        /// The offending value.
        value: f64,
    },
    /// A fan point is not dated after the last bar, or not after the fan point before it.
    #[error(
        "fan point {index} ({date}) must be dated after {after} \
         (fan points follow the last bar, in increasing date order)"
    )]
    FanDateOrder {
        /// Position of the point in the fan.
        index: usize,
        /// The point's period end.
        date: Date,
        /// The date it must follow: the last bar's period end or the previous point's.
        after: Date,
    },
    /// A fan point's quantiles are not in increasing order.
    #[error(
        "fan point {index} ({date}) has quantiles out of order: \
         need p5 <= p25 <= p50 <= p75 <= p95, got {quantiles:?}"
    )]
    FanQuantileOrder {
        /// Position of the point in the fan.
        index: usize,
        /// The point's period end.
        date: Date,
        /// `[p5, p25, p50, p75, p95]` as given.
        quantiles: [f64; 5],
    },
    /// The chart (or its image, zoomed) is smaller than 200 or larger than 8000 pixels in
    /// some direction.
    #[error(
        "chart size {width}x{height} is out of range: width and height must be 200 to 8000 pixels"
    )]
    InvalidSize {
        /// Requested width.
        width: u32,
        /// Requested height.
        height: u32,
    },
    /// The zoom is not a number from 0.25 to 8.
    #[error("zoom {zoom} is out of range: expected 0.25 to 8")]
    InvalidZoom {
        /// The zoom asked for.
        zoom: f64,
    },
    /// The line chart has no series.
    #[error("line chart has no series")]
    EmptySeries,
    /// A series of a line chart has no points.
    #[error("series {series} ({label:?}) has no points")]
    EmptyPoints {
        /// Position of the series in the chart.
        series: usize,
        /// The series' label.
        label: String,
    },
    /// A point or band row of a line chart has a NaN or infinite value.
    #[error("series {series} ({label:?}) has a non-finite {field} in row {index}: {value}")]
    NonFinitePoint {
        /// Position of the series in the chart.
        series: usize,
        /// The series' label.
        label: String,
        /// Position of the point (or band row) in the series.
        index: usize,
        /// `x`, `y`, `band x`, `band lower` or `band upper`.
        field: &'static str,
        /// The offending value.
        value: f64,
    },
    /// A fixed value axis is empty, upside down, not finite or has too many ticks.
    #[error(
        "fixed axis from {lo} to {hi} every {step} is invalid: \
         need finite lo < hi and a step giving 1 to 100 ticks"
    )]
    InvalidAxis {
        /// Bottom of the axis.
        lo: f64,
        /// Top of the axis.
        hi: f64,
        /// Distance between ticks.
        step: f64,
    },
    /// A band does not have one row per point, each at its point's `x`.
    #[error(
        "series {series} ({label:?}): band row {index} does not match point {index} \
         (a band needs one row per point, at the point's x)"
    )]
    BandMismatch {
        /// Position of the series in the chart.
        series: usize,
        /// The series' label.
        label: String,
        /// The first row where the band and the points differ (or one of them ends).
        index: usize,
    },
    /// The SVG given to [`svg_to_png`] does not parse.
    #[error("invalid svg: {0}")]
    InvalidSvg(String),
    /// The SVG's size is empty or too large for a pixmap.
    #[error("cannot allocate a {width}x{height} image")]
    ImageSize {
        /// Width of the SVG, in pixels.
        width: u32,
        /// Height of the SVG, in pixels.
        height: u32,
    },
    /// PNG encoding failed.
    #[error("cannot encode png: {0}")]
    PngEncoding(String),
}
