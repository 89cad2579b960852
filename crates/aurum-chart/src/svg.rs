//! The chart as an SVG document, written by hand.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use aurum_core::text::escape_xml;
use aurum_core::{Date, Lang, PeriodBar};

use crate::format::{fit_size, num, text_width};
use crate::scale::{DateTick, PriceTicks, date_ticks, price_ticks};
use crate::{CandleChart, ChartError, Fan, FanPoint, MAX_SIZE, MIN_SIZE};

/// Latin text: DejaVu Sans, with IPAexGothic for any Japanese in it.
pub(crate) const LATIN_FONTS: &str = "'DejaVu Sans', IPAexGothic, sans-serif";
/// Japanese text: IPAexGothic first.
pub(crate) const JAPANESE_FONTS: &str = "IPAexGothic, 'DejaVu Sans', sans-serif";

const UP: &str = "#26a69a";
const DOWN: &str = "#ef5350";
pub(crate) const INK: &str = "#131722";
pub(crate) const MUTED: &str = "#5d6470";
pub(crate) const FAINT: &str = "#8c929c";
pub(crate) const GRID: &str = "#ececec";
pub(crate) const AXIS: &str = "#b9bec6";
const TARGET_LINE: &str = "#e3a008";
const TARGET_TEXT: &str = "#9a6700";
/// Event markers and their guide lines.
const MARKER_FILL: &str = "#2b3245";
/// The fan's bands.
const FAN_FILL: &str = "#2f6db5";
/// The fan's median line.
const FAN_LINE: &str = "#1c4f8f";
/// Opacity of the fan's 5–95% band.
const FAN_OUTER_OPACITY: f64 = 0.14;
/// Opacity of the fan's 25–75% band, drawn over the outer one.
const FAN_INNER_OPACITY: f64 = 0.2;

pub(crate) const TITLE_SIZE: f64 = 22.0;
pub(crate) const SUBTITLE_SIZE: f64 = 14.0;
pub(crate) const TICK_SIZE: f64 = 12.0;
pub(crate) const AXIS_TITLE_SIZE: f64 = 13.0;
pub(crate) const SOURCE_SIZE: f64 = 12.0;
const LABEL_SIZE: f64 = 12.0;

/// Space left and right of everything, in pixels.
pub(crate) const MARGIN: f64 = 20.0;
/// Closest any tick label comes to the image's edge, in pixels.
pub(crate) const EDGE: f64 = 4.0;
/// Candle body width as a share of the space each bar gets.
const BODY_SHARE: f64 = 0.7;
/// Padding above and below the prices, as a share of their range.
const Y_PADDING: f64 = 0.05;

/// Radius of an event marker's circle, in pixels.
const MARKER_RADIUS: f64 = 9.0;
/// Font size of a marker's label.
const MARKER_LABEL_SIZE: f64 = 11.0;
/// Space between a bar's high and its lowest marker, in pixels.
const MARKER_LIFT: f64 = 9.0;
/// Space between markers stacked on one bar, in pixels.
const MARKER_STACK_GAP: f64 = 3.0;
/// Space kept free between the highest marker and the top of the plot, in pixels.
const MARKER_TOP_ROOM: f64 = 4.0;
/// The largest share of the plot's height the price axis gives up for markers' headroom.
const MARKER_MAX_SHARE: f64 = 0.5;

/// Font size of the fan's legend.
const LEGEND_SIZE: f64 = 12.0;
/// Height of one legend row, in pixels.
const LEGEND_ROW: f64 = 19.0;
/// Length of the sample in front of each legend label, in pixels.
const LEGEND_SWATCH: f64 = 24.0;
/// Padding inside the legend box, in pixels.
const LEGEND_PAD: f64 = 9.0;
/// Distance between the legend box and the plot's edges, in pixels.
const LEGEND_INSET: f64 = 10.0;

/// Draws `chart` as a standalone SVG document.
///
/// The same chart always gives the same string. Coordinates carry at most two decimals;
/// every text is XML-escaped. Each candle is one `<g class="candle">` (a wick and a body),
/// each target one `<line class="target">` and one `<g class="target-label">`, the
/// last-close marker one `<g class="last-close">`, each drawn event marker one
/// `<g class="marker">`.
///
/// A fan is one `<g class="fan">` holding a dashed line at the last bar (`fan-as-of`), the
/// 5–95% band (`<path class="fan-outer">`), the 25–75% band (`<path class="fan-inner">`),
/// the dashed median (`<path class="fan-median">`) and the legend
/// (`<g class="fan-legend">`). Its points take one candle-wide slot each after the last
/// bar, the date ticks run on under them, and the bands and median start at the last
/// close. The legend goes in the plot corner where it covers the fewest candles, fan,
/// markers and horizontal lines (top left on a tie).
///
/// The price axis covers the bars, the targets, the fan's 5th and 95th percentiles and
/// room for the markers above their bars.
///
/// # Errors
///
/// [`ChartError::EmptyBars`] without bars, [`ChartError::NonFiniteBar`] or
/// [`ChartError::NonFiniteTarget`] for NaN or infinite prices,
/// [`ChartError::EmptyFan`], [`ChartError::NonFiniteFan`], [`ChartError::FanDateOrder`] or
/// [`ChartError::FanQuantileOrder`] for a fan without points, with NaN or infinite
/// quantiles, with points not after the last bar in increasing date order or with
/// quantiles out of order, [`ChartError::InvalidSize`] when the width or height, of the
/// layout or of the zoomed image, is outside 200–8000 pixels, and
/// [`ChartError::InvalidZoom`] for a zoom outside 0.25–8.
pub fn render_svg(chart: &CandleChart) -> Result<String, ChartError> {
    validate(chart)?;
    let frame = Frame::new(chart);
    let mut out = String::with_capacity(4096 + 200 * chart.bars.len());
    let text_fonts = match chart.lang {
        Lang::Ja => JAPANESE_FONTS,
        _ => LATIN_FONTS,
    };
    open_svg(&mut out, chart.width, chart.height, chart.zoom, text_fonts);
    w!(
        out,
        r##"<rect width="100%" height="100%" fill="#ffffff"/>"##
    );
    out.push('\n');
    grid_and_axes(&mut out, &frame);
    if let (Some(fan), Some(legend)) = (&chart.fan, frame.legend) {
        fan_group(&mut out, &frame, chart, fan, legend);
    }
    for (i, bar) in chart.bars.iter().enumerate() {
        candle(&mut out, &frame, i, bar);
    }
    // Target labels keep clear of the legend and the markers.
    let mut label_boxes: Vec<LabelBox> = frame
        .legend
        .into_iter()
        .chain(frame.markers.iter().map(MarkerSpot::bounds))
        .collect();
    for target in &chart.targets {
        target_line(&mut out, &frame, frame.y(target.value));
    }
    // Highest first: of two close targets the higher gets the spot above the lines and the
    // lower the spot below, so each label reads next to its own line.
    let mut order: Vec<usize> = (0..chart.targets.len()).collect();
    order.sort_by(|&a, &b| chart.targets[b].value.total_cmp(&chart.targets[a].value));
    let mut target_boxes: Vec<Option<LabelBox>> = vec![None; chart.targets.len()];
    for &i in &order {
        let target = &chart.targets[i];
        let label_box = place_label(&frame, &label_boxes, frame.y(target.value), &target.label);
        label_boxes.push(label_box);
        target_boxes[i] = Some(label_box);
    }
    if let (Some(label), Some(last)) = (&chart.last_close_label, chart.bars.last()) {
        last_close(&mut out, &frame, last, label);
    }
    // Markers lifted over others come later: draw them first, so the circles below cover
    // their guide lines.
    for spot in frame.markers.iter().rev() {
        marker(&mut out, spot);
    }
    for (target, label_box) in chart.targets.iter().zip(target_boxes) {
        if let Some(label_box) = label_box {
            target_label(&mut out, chart.lang, &target.label, label_box);
        }
    }
    texts(&mut out, chart, &frame);
    out.push_str("</svg>\n");
    Ok(out)
}

/// The opening `<svg>` tag of a `width`×`height` layout drawn `zoom` times as large, with
/// `fonts` as its font family.
pub(crate) fn open_svg(out: &mut String, width: u32, height: u32, zoom: f64, fonts: &str) {
    let (w, h) = (f64::from(width), f64::from(height));
    w!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" viewBox="0 0 {width} {height}" font-family="{fonts}">"#,
        num((w * zoom).round()),
        num((h * zoom).round()),
    );
    out.push('\n');
}

/// Checks a layout's size and zoom: both sides of the layout and of the image 200 to 8000
/// pixels, the zoom 0.25 to 8.
pub(crate) fn check_size(width: u32, height: u32, zoom: f64) -> Result<(), ChartError> {
    if !(0.25..=8.0).contains(&zoom) {
        return Err(ChartError::InvalidZoom { zoom });
    }
    let sizes = [f64::from(width), f64::from(height)];
    let fits = |v: f64| (f64::from(MIN_SIZE)..=f64::from(MAX_SIZE)).contains(&v);
    if !sizes.iter().all(|&v| fits(v) && fits((v * zoom).round())) {
        return Err(ChartError::InvalidSize { width, height });
    }
    Ok(())
}

fn validate(chart: &CandleChart) -> Result<(), ChartError> {
    check_size(chart.width, chart.height, chart.zoom)?;
    if chart.bars.is_empty() {
        return Err(ChartError::EmptyBars);
    }
    for (index, bar) in chart.bars.iter().enumerate() {
        let fields = [
            ("open", bar.open),
            ("high", bar.high),
            ("low", bar.low),
            ("close", bar.close),
        ];
        if let Some(&(field, value)) = fields.iter().find(|(_, v)| !v.is_finite()) {
            return Err(ChartError::NonFiniteBar {
                index,
                date: bar.period_end,
                field,
                value,
            });
        }
    }
    if let Some(t) = chart.targets.iter().find(|t| !t.value.is_finite()) {
        return Err(ChartError::NonFiniteTarget {
            label: t.label.clone(),
            value: t.value,
        });
    }
    if let (Some(fan), Some(last)) = (&chart.fan, chart.bars.last()) {
        validate_fan(fan, last.period_end)?;
    }
    Ok(())
}

/// A fan needs points dated after `last_bar` in increasing order, with finite quantiles in
/// increasing order.
fn validate_fan(fan: &Fan, last_bar: Date) -> Result<(), ChartError> {
    if fan.points.is_empty() {
        return Err(ChartError::EmptyFan);
    }
    let mut after = last_bar;
    for (index, p) in fan.points.iter().enumerate() {
        let date = p.period_end;
        let fields = [
            ("p5", p.p5),
            ("p25", p.p25),
            ("p50", p.p50),
            ("p75", p.p75),
            ("p95", p.p95),
        ];
        if let Some(&(field, value)) = fields.iter().find(|(_, v)| !v.is_finite()) {
            return Err(ChartError::NonFiniteFan {
                index,
                date,
                field,
                value,
            });
        }
        if date <= after {
            return Err(ChartError::FanDateOrder { index, date, after });
        }
        if fields.windows(2).any(|w| w[0].1 > w[1].1) {
            return Err(ChartError::FanQuantileOrder {
                index,
                date,
                quantiles: fields.map(|(_, v)| v),
            });
        }
        after = date;
    }
    Ok(())
}

/// Where everything goes: the plot box, the scales and the ticks.
struct Frame {
    width: f64,
    height: f64,
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
    /// Price range of the plot, bottom to top.
    y_lo: f64,
    y_hi: f64,
    /// Horizontal space per bar (and per fan point).
    slot: f64,
    /// Number of bars; the fan's points take the slots after them.
    bar_count: usize,
    price_ticks: PriceTicks,
    price_labels: Vec<String>,
    date_ticks: Vec<DateTick>,
    /// Price of the last-close tag, when there is one (tick labels make way for it).
    tag_price: Option<f64>,
    /// The event markers that are drawn, where they go.
    markers: Vec<MarkerSpot>,
    /// Where the fan's legend goes, when there is a fan.
    legend: Option<LabelBox>,
}

impl Frame {
    /// The layout, with the markers placed and the price axis raised until they fit in the
    /// plot, and the fan's legend placed.
    fn new(chart: &CandleChart) -> Self {
        let attached = attach_markers(chart);
        // First guess: each bar's markers stacked straight up from its high.
        let mut room: BTreeMap<usize, f64> = BTreeMap::new();
        for a in &attached {
            *room
                .entry(a.bar)
                .or_insert(MARKER_LIFT + MARKER_TOP_ROOM - MARKER_STACK_GAP) +=
                2.0 * MARKER_RADIUS + MARKER_STACK_GAP;
        }
        let mut frame = Self::layout(chart, &room);
        // Markers lifted over their neighbours need more room; raising the axis squeezes
        // the bars together, so check again (a few rounds settle it).
        for _ in 0..4 {
            let spots = place_markers(&frame, chart, &attached);
            let mut grown = false;
            for (a, spot) in attached.iter().zip(&spots) {
                let need = frame.y(bar_top(&chart.bars[a.bar])) - (spot.cy - MARKER_RADIUS)
                    + MARKER_TOP_ROOM;
                let have = room.entry(a.bar).or_insert(0.0);
                if need > *have + 0.5 {
                    *have = need;
                    grown = true;
                }
            }
            if !grown {
                break;
            }
            frame = Self::layout(chart, &room);
        }
        let mut markers = place_markers(&frame, chart, &attached);
        fit_markers(&frame, &mut markers);
        frame.markers = markers;
        frame.legend = chart
            .fan
            .as_ref()
            .map(|fan| place_legend(&frame, chart, fan));
        frame
    }

    /// The plot box, scales and ticks, with `room` pixels kept free above the bars it
    /// names; no markers or legend yet.
    fn layout(chart: &CandleChart, room: &BTreeMap<usize, f64>) -> Self {
        let width = f64::from(chart.width);
        let height = f64::from(chart.height);
        let top = if chart.subtitle.is_some() { 84.0 } else { 62.0 };
        let bottom = height - 58.0;
        let (lo, hi) = price_range(chart, room, bottom - top);
        let price_ticks = price_ticks(lo, hi);
        let price_labels = price_ticks.labels();
        let label_w = price_labels
            .iter()
            .map(|l| text_width(l, TICK_SIZE, false))
            .fold(0.0, f64::max);
        let tag_w = chart.last_close_label.as_deref().map_or(0.0, tag_width);
        // Tick labels start 8 px right of the axis; the tag starts at the axis.
        let gutter = (label_w + 8.0).max(tag_w) + 12.0 + AXIS_TITLE_SIZE + 12.0;
        let left = MARGIN;
        let right = (width - gutter).max(left + 40.0);
        let fan_dates: Vec<Date> = chart
            .fan
            .iter()
            .flat_map(|fan| fan.points.iter().map(|p| p.period_end))
            .collect();
        // A slot per bar and fan point, and half an empty one at each end.
        #[allow(clippy::cast_precision_loss)]
        let slot = (right - left) / ((chart.bars.len() + fan_dates.len()) as f64 + 1.0);
        let date_ticks = date_ticks(&chart.bars, &fan_dates, chart.lang, slot, TICK_SIZE);
        let tag_price = chart
            .last_close_label
            .as_ref()
            .and(chart.bars.last())
            .map(|b| b.close);
        Self {
            width,
            height,
            left,
            right,
            top,
            bottom,
            y_lo: lo,
            y_hi: hi,
            slot,
            bar_count: chart.bars.len(),
            price_ticks,
            price_labels,
            date_ticks,
            tag_price,
            markers: Vec::new(),
            legend: None,
        }
    }

    /// Centre of slot `i`: bar `i`, or fan point `i - bar_count`. The first centre is a
    /// whole slot from the plot's left edge, the last a whole slot from its right edge.
    fn x(&self, i: usize) -> f64 {
        #[allow(clippy::cast_precision_loss)]
        let i = i as f64;
        self.left + self.slot * (i + 1.0)
    }

    fn y(&self, price: f64) -> f64 {
        self.bottom - (price - self.y_lo) / (self.y_hi - self.y_lo) * (self.bottom - self.top)
    }
}

/// Lowest and highest price of the bars, targets and the fan's outer band, padded by 5% of
/// the range; the top is raised further where bars need `room` pixels above them (for
/// their markers) in a plot `plot_h` pixels high, up to half the plot.
fn price_range(chart: &CandleChart, room: &BTreeMap<usize, f64>, plot_h: f64) -> (f64, f64) {
    let prices = chart
        .bars
        .iter()
        .flat_map(|b| [b.open, b.high, b.low, b.close])
        .chain(chart.targets.iter().map(|t| t.value))
        .chain(
            chart
                .fan
                .iter()
                .flat_map(|fan| fan.points.iter().flat_map(|p| [p.p5, p.p95])),
        );
    let (lo, hi) = prices.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
        (lo.min(p), hi.max(p))
    });
    let span = hi - lo;
    let pad = if span > 0.0 {
        span * Y_PADDING
    } else {
        (hi.abs() * 0.01).max(1.0)
    };
    let (lo, mut hi) = (lo - pad, hi + pad);
    // A bar whose top `t` needs `room` pixels above it: with the share `s = room / plot_h`,
    // `(hi - t) / (hi - lo) >= s` holds when `hi >= (t - s * lo) / (1 - s)`.
    for (&bar, &pixels) in room {
        let share = (pixels / plot_h.max(1.0)).min(MARKER_MAX_SHARE);
        let t = bar_top(&chart.bars[bar]);
        hi = hi.max((t - share * lo) / (1.0 - share));
    }
    (lo, hi)
}

/// The top of a bar's candle: its high, or its open or close when either is higher.
fn bar_top(bar: &PeriodBar) -> f64 {
    bar.high.max(bar.open).max(bar.close)
}

/// The middle of the pixel row or column that contains `v`, so 1 px lines stay sharp.
pub(crate) fn crisp(v: f64) -> f64 {
    v.floor() + 0.5
}

fn grid_and_axes(out: &mut String, f: &Frame) {
    out.push_str(r#"<g class="grid" shape-rendering="crispEdges">"#);
    out.push('\n');
    for &v in &f.price_ticks.values {
        let y = num(crisp(f.y(v)));
        w!(
            out,
            r#"<line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{GRID}" stroke-width="1"/>"#,
            num(f.left),
            num(f.right),
        );
        out.push('\n');
    }
    for t in &f.date_ticks {
        let x = num(crisp(f.x(t.index)));
        w!(
            out,
            r#"<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="{GRID}" stroke-width="1"/>"#,
            num(f.top),
            num(f.bottom),
        );
        out.push('\n');
    }
    // Axes: price on the right, dates at the bottom, with short tick marks.
    let (right, bottom) = (num(crisp(f.right)), num(crisp(f.bottom)));
    w!(
        out,
        r#"<path d="M{} {bottom}H{right}V{}" fill="none" stroke="{AXIS}" stroke-width="1"/>"#,
        num(f.left),
        num(f.top),
    );
    out.push('\n');
    for &v in &f.price_ticks.values {
        let y = num(crisp(f.y(v)));
        w!(
            out,
            r#"<line x1="{right}" y1="{y}" x2="{}" y2="{y}" stroke="{AXIS}" stroke-width="1"/>"#,
            num(crisp(f.right) + 4.0),
        );
        out.push('\n');
    }
    for t in &f.date_ticks {
        let x = num(crisp(f.x(t.index)));
        w!(
            out,
            r#"<line x1="{x}" y1="{bottom}" x2="{x}" y2="{}" stroke="{AXIS}" stroke-width="1"/>"#,
            num(crisp(f.bottom) + 4.0),
        );
        out.push('\n');
    }
    out.push_str("</g>\n");

    // Price labels, left-aligned right of the axis; those under the last-close tag make way.
    w!(
        out,
        r#"<g font-family="{LATIN_FONTS}" font-size="{TICK_SIZE}" fill="{MUTED}">"#
    );
    out.push('\n');
    let tag_y = f.tag_price.map(|p| f.y(p));
    for (&v, label) in f.price_ticks.values.iter().zip(&f.price_labels) {
        let y = f.y(v);
        if tag_y.is_some_and(|ty| (ty - y).abs() < TICK_SIZE + 5.0) {
            continue;
        }
        w!(
            out,
            r#"<text x="{}" y="{}">{}</text>"#,
            num(f.right + 8.0),
            num(y + TICK_SIZE * 0.36),
            escape_xml(label),
        );
        out.push('\n');
    }
    out.push_str("</g>\n");

    let labels = f
        .date_ticks
        .iter()
        .map(|t| (f.x(t.index), t.label.as_str()));
    bottom_labels(out, f.width, f.bottom, labels);
}

/// Labels centred under their ticks at `(x, text)`. A label at an edge of the image moves
/// inwards by up to a font size; one that would need more is dropped.
pub(crate) fn bottom_labels<'a>(
    out: &mut String,
    width: f64,
    bottom: f64,
    labels: impl IntoIterator<Item = (f64, &'a str)>,
) {
    w!(
        out,
        r#"<g font-size="{TICK_SIZE}" fill="{MUTED}" text-anchor="middle">"#
    );
    out.push('\n');
    for (tick, label) in labels {
        let half = text_width(label, TICK_SIZE, false) / 2.0;
        let x = tick.max(EDGE + half).min(width - EDGE - half);
        if (x - tick).abs() > TICK_SIZE {
            continue;
        }
        w!(
            out,
            r#"<text x="{}" y="{}">{}</text>"#,
            num(x),
            num(bottom + 20.0),
            escape_xml(label),
        );
        out.push('\n');
    }
    out.push_str("</g>\n");
}

fn candle(out: &mut String, f: &Frame, i: usize, bar: &PeriodBar) {
    let (open, close) = (bar.open, bar.close);
    let high = bar_top(bar);
    let low = bar.low.min(open).min(close);
    let color = if close >= open { UP } else { DOWN };
    // Whole-pixel bodies of odd width, so the 1 px wick sits exactly in the middle.
    let column = f.x(i).floor();
    let mut body = (f.slot * BODY_SHARE).round().max(1.0);
    if body > 2.0 && body % 2.0 == 0.0 {
        body -= 1.0;
    }
    let wick = (f.slot * 0.1).clamp(1.0, 2.0).round();
    let body_x = column - ((body - 1.0) / 2.0).floor();
    let top = f.y(open.max(close));
    let height = (f.y(open.min(close)) - top).max(1.0);
    let wick_x = num(column + 0.5);
    w!(
        out,
        r#"<g class="candle" fill="{color}" stroke="{color}" shape-rendering="crispEdges"><line x1="{wick_x}" y1="{}" x2="{wick_x}" y2="{}" stroke-width="{}"/><rect x="{}" y="{}" width="{}" height="{}" stroke="none"/></g>"#,
        num(f.y(high)),
        num(f.y(low)),
        num(wick),
        num(body_x),
        num(top),
        num(body),
        num(height),
    );
    out.push('\n');
}

/// A label's background box: left, top, width and height.
#[derive(Clone, Copy, Debug, PartialEq)]
struct LabelBox {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

impl LabelBox {
    fn overlaps(&self, other: &Self) -> bool {
        self.x < other.x + other.w
            && other.x < self.x + self.w
            && self.y < other.y + other.h
            && other.y < self.y + self.h
    }
}

/// Where the label of a target line at height `y` goes: at the line's left end, above it,
/// else below it, else further right, so that labels of close targets do not cover each
/// other. Falls back to the first spot when nothing is free.
fn place_label(f: &Frame, placed: &[LabelBox], y: f64, label: &str) -> LabelBox {
    let (w, h) = (text_width(label, LABEL_SIZE, true) + 12.0, LABEL_SIZE + 6.0);
    let above = LabelBox {
        x: f.left + 6.0,
        y: y - h - 3.0,
        w,
        h,
    };
    let below = LabelBox {
        y: y + 3.0,
        ..above
    };
    let first = if above.y >= f.top { above } else { below };
    let mut x = f.left + 6.0;
    for _ in 0..=placed.len() {
        let spots = [LabelBox { x, ..above }, LabelBox { x, ..below }];
        let inside = |b: &LabelBox| b.y >= f.top && b.y + b.h <= f.bottom;
        if let Some(free) = spots
            .into_iter()
            .find(|b| inside(b) && placed.iter().all(|p| !p.overlaps(b)))
        {
            return free;
        }
        // Step past the boxes in the way of the first spot that is inside the plot.
        let Some(spot) = spots.into_iter().find(inside) else {
            break;
        };
        x = placed
            .iter()
            .filter(|p| p.overlaps(&spot))
            .map(|p| p.x + p.w + 8.0)
            .fold(x, f64::max);
        if x + w > f.right {
            break;
        }
    }
    first
}

/// The dashed line of a target, across the plot at height `y`.
fn target_line(out: &mut String, f: &Frame, y: f64) {
    let y = num(y);
    w!(
        out,
        r#"<line class="target" x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{TARGET_LINE}" stroke-width="1.5" stroke-dasharray="7 5"/>"#,
        num(f.left),
        num(f.right),
    );
    out.push('\n');
}

/// The label of a target on a translucent white box, drawn after every line so no line
/// crosses it.
fn target_label(out: &mut String, lang: Lang, label: &str, b: LabelBox) {
    w!(
        out,
        concat!(
            r#"<g class="target-label">"#,
            r##"<rect x="{bx}" y="{by}" width="{bw}" height="{bh}" rx="3" fill="#ffffff" fill-opacity="0.85"/>"##,
            r#"<text x="{tx}" y="{ty}" font-size="{LABEL_SIZE}" fill="{TARGET_TEXT}" {bold}>{label}</text>"#,
            "</g>"
        ),
        bx = num(b.x),
        by = num(b.y),
        bw = num(b.w),
        bh = num(b.h),
        tx = num(b.x + 6.0),
        ty = num(b.y + LABEL_SIZE + 1.5),
        label = escape_xml(label),
        bold = bold(lang, TARGET_TEXT, LABEL_SIZE),
        TARGET_TEXT = TARGET_TEXT,
        LABEL_SIZE = LABEL_SIZE,
    );
    out.push('\n');
}

/// Attributes for bold text. IPAexGothic has no bold face, so Japanese text is emboldened
/// with a thin outline in its own colour.
pub(crate) fn bold(lang: Lang, color: &str, size: f64) -> String {
    match lang {
        Lang::Ja => format!(
            r#"font-weight="bold" stroke="{color}" stroke-width="{}" stroke-linejoin="round""#,
            num(size * 0.035)
        ),
        _ => r#"font-weight="bold""#.to_owned(),
    }
}

/// Width of the last-close tag: a point, padding and the text.
fn tag_width(label: &str) -> f64 {
    6.0 + 6.0 + text_width(label, TICK_SIZE, true) + 6.0
}

fn last_close(out: &mut String, f: &Frame, last: &PeriodBar, label: &str) {
    let color = if last.close >= last.open { UP } else { DOWN };
    let y = f.y(last.close);
    let (x0, half_h) = (crisp(f.right), TICK_SIZE / 2.0 + 4.0);
    let x1 = x0 + tag_width(label);
    w!(
        out,
        concat!(
            r#"<g class="last-close">"#,
            r#"<line x1="{l}" y1="{y}" x2="{x0}" y2="{y}" stroke="{color}" stroke-width="1" stroke-dasharray="2 3"/>"#,
            r#"<path d="M{x0} {y}L{xp} {yt}H{x1}V{yb}H{xp}Z" fill="{color}"/>"#,
            r##"<text x="{tx}" y="{ty}" font-family="{LATIN_FONTS}" font-size="{TICK_SIZE}" font-weight="bold" fill="#ffffff">{label}</text>"##,
            "</g>"
        ),
        l = num(f.left),
        y = num(y),
        x0 = num(x0),
        xp = num(x0 + 6.0),
        x1 = num(x1),
        yt = num(y - half_h),
        yb = num(y + half_h),
        tx = num(x0 + 12.0),
        ty = num(y + TICK_SIZE * 0.36),
        label = escape_xml(label),
        color = color,
        LATIN_FONTS = LATIN_FONTS,
        TICK_SIZE = TICK_SIZE,
    );
    out.push('\n');
}

/// An event marker attached to a bar: which marker and which bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Attached {
    marker: usize,
    bar: usize,
}

/// The markers that land on a bar, ordered by bar (markers on one bar in the order given):
/// each on the first bar whose period end is on or after its date. Markers before the first
/// bar's period or after the last bar are left out.
fn attach_markers(chart: &CandleChart) -> Vec<Attached> {
    let Some(first) = chart.bars.first() else {
        return Vec::new();
    };
    let mut out: Vec<Attached> = chart
        .markers
        .iter()
        .enumerate()
        .filter(|(_, m)| m.date >= first.first_date.min(first.period_end))
        .filter_map(|(marker, m)| {
            let bar = chart.bars.iter().position(|b| b.period_end >= m.date)?;
            Some(Attached { marker, bar })
        })
        .collect();
    // A stable sort: markers on one bar keep their order.
    out.sort_by_key(|a| a.bar);
    out
}

/// A marker's place: its bar, its centre, half its width (more than the radius for a long
/// label), the guide line down from it (at the bar's centre, to `guide_to`), and its label.
#[derive(Clone, Debug, PartialEq)]
struct MarkerSpot {
    bar: usize,
    cx: f64,
    gx: f64,
    cy: f64,
    half_w: f64,
    guide_to: f64,
    label: String,
}

impl MarkerSpot {
    /// The box the marker covers.
    fn bounds(&self) -> LabelBox {
        LabelBox {
            x: self.cx - self.half_w,
            y: self.cy - MARKER_RADIUS,
            w: 2.0 * self.half_w,
            h: 2.0 * MARKER_RADIUS,
        }
    }
}

/// Where the markers go, one spot per attached marker. Each sits just above the highest
/// candle under it (its own bar's and its neighbours'), then moves up past any marker
/// placed before it that it would touch, so markers on one bar stack upwards, the first
/// lowest, and markers on neighbouring bars do not overlap. A marker on a bar at the plot's
/// edge moves inwards to stay inside (its guide line stays on the bar).
fn place_markers(f: &Frame, chart: &CandleChart, attached: &[Attached]) -> Vec<MarkerSpot> {
    let pitch = 2.0 * MARKER_RADIUS + MARKER_STACK_GAP;
    let mut spots: Vec<MarkerSpot> = Vec::with_capacity(attached.len());
    for a in attached {
        let label = chart.markers[a.marker].label.clone();
        let half_w = (text_width(&label, MARKER_LABEL_SIZE, true) / 2.0 + 5.0).max(MARKER_RADIUS);
        let gx = f.x(a.bar);
        let cx = gx.clamp(f.left + half_w + 1.0, (f.right - half_w - 1.0).max(f.left));
        let high = f.y(bar_top(&chart.bars[a.bar]));
        // The highest candle within the marker's width (and a little beside it).
        let reach = half_w + 2.0 + f.slot * BODY_SHARE / 2.0;
        let under = chart
            .bars
            .iter()
            .enumerate()
            .filter(|(i, _)| (f.x(*i) - cx).abs() <= reach)
            .map(|(_, b)| f.y(bar_top(b)))
            .fold(high, f64::min);
        let mut cy = under - MARKER_LIFT - MARKER_RADIUS;
        let mut guide_to = high - 1.0;
        // Each move goes above the marker in the way, so none is met twice.
        while let Some(p) = spots.iter().find(|p| {
            (p.cx - cx).abs() < p.half_w + half_w + MARKER_STACK_GAP && (p.cy - cy).abs() < pitch
        }) {
            if p.bar == a.bar {
                guide_to = guide_to.min(p.cy - MARKER_RADIUS);
            }
            cy = p.cy - pitch;
        }
        spots.push(MarkerSpot {
            bar: a.bar,
            cx,
            gx,
            cy,
            half_w,
            guide_to,
            label,
        });
    }
    spots
}

/// Moves all markers down together until the highest is inside the plot: needed only in a
/// chart too small for the headroom [`price_range`] keeps (at most half the plot).
fn fit_markers(f: &Frame, spots: &mut [MarkerSpot]) {
    let highest = spots.iter().map(|s| s.cy).fold(f64::INFINITY, f64::min);
    let shift = f.top + MARKER_TOP_ROOM + MARKER_RADIUS - highest;
    if shift > 0.0 {
        for s in spots {
            s.cy += shift;
            s.guide_to = s.guide_to.max(s.cy);
        }
    }
}

/// One marker: a faint guide line down to the bar (or the marker below), a dark circle (a
/// pill for a long label) and the label in white bold.
fn marker(out: &mut String, m: &MarkerSpot) {
    let r = MARKER_RADIUS;
    out.push_str(r#"<g class="marker">"#);
    // From the centre (the circle covers the top of it), so it meets a marker moved
    // sideways too.
    if m.guide_to > m.cy + r {
        let x = num(crisp(m.gx));
        w!(
            out,
            r#"<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="{MARKER_FILL}" stroke-opacity="0.45" stroke-width="1"/>"#,
            num(m.cy),
            num(m.guide_to),
        );
    }
    if m.half_w > r {
        w!(
            out,
            r#"<rect x="{}" y="{}" width="{}" height="{}" rx="{r}" fill="{MARKER_FILL}"/>"#,
            num(m.cx - m.half_w),
            num(m.cy - r),
            num(2.0 * m.half_w),
            num(2.0 * r),
        );
    } else {
        w!(
            out,
            r#"<circle cx="{}" cy="{}" r="{r}" fill="{MARKER_FILL}"/>"#,
            num(m.cx),
            num(m.cy),
        );
    }
    let fonts = if m.label.chars().any(|c| u32::from(c) >= 0x2E80) {
        JAPANESE_FONTS
    } else {
        LATIN_FONTS
    };
    w!(
        out,
        r##"<text x="{}" y="{}" text-anchor="middle" font-family="{fonts}" font-size="{MARKER_LABEL_SIZE}" font-weight="bold" fill="#ffffff">{}</text>"##,
        num(m.cx),
        num(m.cy + MARKER_LABEL_SIZE * 0.36),
        escape_xml(&m.label),
    );
    out.push_str("</g>\n");
}

/// The fan's points in pixels as `(x, p5, p25, p50, p75, p95)`, starting with the last
/// close at the last bar, where every quantile meets.
fn fan_columns(f: &Frame, chart: &CandleChart, fan: &Fan) -> Vec<(f64, [f64; 5])> {
    let start = chart.bars.last().map(|last| {
        let y = f.y(last.close);
        (f.x(f.bar_count.saturating_sub(1)), [y; 5])
    });
    let points = fan
        .points
        .iter()
        .enumerate()
        .map(|(j, p): (usize, &FanPoint)| {
            (
                f.x(f.bar_count + j),
                [p.p5, p.p25, p.p50, p.p75, p.p95].map(|v| f.y(v)),
            )
        });
    start.into_iter().chain(points).collect()
}

/// The legend box in the plot corner that covers the least (see [`quietest_corner`]).
fn place_legend(f: &Frame, chart: &CandleChart, fan: &Fan) -> LabelBox {
    let label_w = [&fan.outer_label, &fan.inner_label, &fan.median_label]
        .iter()
        .map(|l| text_width(l, LEGEND_SIZE, false))
        .fold(0.0, f64::max);
    let w = LEGEND_PAD + LEGEND_SWATCH + 8.0 + label_w + LEGEND_PAD;
    let h = 2.0 * LEGEND_PAD - 4.0 + 3.0 * LEGEND_ROW;
    let plot = [f.left, f.right, f.top, f.bottom];
    let (_, x, y) = quietest_corner(plot, LEGEND_INSET, (w, h), |x, y| {
        legend_hits(f, chart, fan, &LabelBox { x, y, w, h })
    });
    LabelBox { x, y, w, h }
}

/// Where a `w`×`h` box `inset` pixels inside the plot (`[left, right, top, bottom]`) covers
/// least: the corner with the fewest `hits`, in the order top left, top right, bottom left,
/// bottom right on a tie. Returns the hits and the box's top-left corner.
pub(crate) fn quietest_corner(
    [left, right, top, bottom]: [f64; 4],
    inset: f64,
    (w, h): (f64, f64),
    hits: impl Fn(f64, f64) -> usize,
) -> (usize, f64, f64) {
    let (x0, x1) = (left + inset, right - inset - w);
    let (y0, y1) = (top + inset, bottom - inset - h);
    let mut best = (usize::MAX, x0, y0);
    for (x, y) in [(x0, y0), (x1, y0), (x0, y1), (x1, y1)] {
        let n = hits(x, y);
        if n < best.0 {
            best = (n, x, y);
        }
    }
    best
}

/// How much of the chart a legend at `b` would cover: candles, samples along the fan's
/// outer band, markers, and (weighing more) target lines and the last-close line.
fn legend_hits(f: &Frame, chart: &CandleChart, fan: &Fan, b: &LabelBox) -> usize {
    const STEPS: u32 = 8;
    const LINE_WEIGHT: usize = 8;
    let m = 4.0;
    let (l, r, t, btm) = (b.x - m, b.x + b.w + m, b.y - m, b.y + b.h + m);
    let half_body = f.slot * BODY_SHARE / 2.0;
    let mut hits = 0;
    for (i, bar) in chart.bars.iter().enumerate() {
        let x = f.x(i);
        let (top, bottom) = (f.y(bar_top(bar)), f.y(bar.low.min(bar.open).min(bar.close)));
        if x + half_body >= l && x - half_body <= r && top <= btm && bottom >= t {
            hits += 1;
        }
    }
    let columns = fan_columns(f, chart, fan);
    for w in columns.windows(2) {
        for k in 0..=STEPS {
            let s = f64::from(k) / f64::from(STEPS);
            let lerp = |a: f64, b: f64| a + (b - a) * s;
            let x = lerp(w[0].0, w[1].0);
            let (top, bottom) = (lerp(w[0].1[4], w[1].1[4]), lerp(w[0].1[0], w[1].1[0]));
            if l <= x && x <= r && top <= btm && bottom >= t {
                hits += 1;
            }
        }
    }
    hits += f.markers.iter().filter(|s| s.bounds().overlaps(b)).count() * LINE_WEIGHT;
    let lines = chart
        .targets
        .iter()
        .map(|target| target.value)
        .chain(f.tag_price);
    hits += lines.filter(|&v| (t..=btm).contains(&f.y(v))).count() * LINE_WEIGHT;
    hits
}

/// A closed band of the fan: along `upper` out, back along `lower`.
fn fan_band(columns: &[(f64, [f64; 5])], upper: usize, lower: usize) -> String {
    let mut d = String::with_capacity(32 * columns.len());
    for (i, (x, q)) in columns.iter().enumerate() {
        let cmd = if i == 0 { 'M' } else { 'L' };
        w!(d, "{cmd}{} {}", num(*x), num(q[upper]));
    }
    for (x, q) in columns.iter().rev() {
        w!(d, "L{} {}", num(*x), num(q[lower]));
    }
    d.push('Z');
    d
}

/// The fan: a dashed line at the last bar, both bands, the median and the legend.
fn fan_group(out: &mut String, f: &Frame, chart: &CandleChart, fan: &Fan, legend: LabelBox) {
    let columns = fan_columns(f, chart, fan);
    out.push_str(r#"<g class="fan">"#);
    out.push('\n');
    let x = num(crisp(f.x(f.bar_count.saturating_sub(1))));
    w!(
        out,
        r#"<line class="fan-as-of" x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="{FAINT}" stroke-width="1" stroke-dasharray="4 4"/>"#,
        num(f.top),
        num(f.bottom),
    );
    out.push('\n');
    w!(
        out,
        r#"<path class="fan-outer" d="{}" fill="{FAN_FILL}" fill-opacity="{FAN_OUTER_OPACITY}" stroke="none"/>"#,
        fan_band(&columns, 4, 0),
    );
    out.push('\n');
    w!(
        out,
        r#"<path class="fan-inner" d="{}" fill="{FAN_FILL}" fill-opacity="{FAN_INNER_OPACITY}" stroke="none"/>"#,
        fan_band(&columns, 3, 1),
    );
    out.push('\n');
    let mut d = String::with_capacity(16 * columns.len());
    for (i, (x, q)) in columns.iter().enumerate() {
        let cmd = if i == 0 { 'M' } else { 'L' };
        w!(d, "{cmd}{} {}", num(*x), num(q[2]));
    }
    w!(
        out,
        r#"<path class="fan-median" d="{d}" fill="none" stroke="{FAN_LINE}" stroke-width="2" stroke-dasharray="6 4" stroke-linejoin="round"/>"#,
    );
    out.push('\n');
    fan_legend(out, fan, legend);
    out.push_str("</g>\n");
}

/// The fan's legend: a swatch per band and a dashed line for the median, each labelled.
fn fan_legend(out: &mut String, fan: &Fan, b: LabelBox) {
    w!(
        out,
        r##"<g class="fan-legend"><rect x="{}" y="{}" width="{}" height="{}" rx="3" fill="#ffffff" fill-opacity="0.9" stroke="{GRID}" stroke-width="1"/>"##,
        num(b.x),
        num(b.y),
        num(b.w),
        num(b.h),
    );
    out.push('\n');
    let (x0, x1) = (b.x + LEGEND_PAD, b.x + LEGEND_PAD + LEGEND_SWATCH);
    let rows = [&fan.outer_label, &fan.inner_label, &fan.median_label];
    for (i, label) in rows.into_iter().enumerate() {
        #[allow(clippy::cast_precision_loss)]
        let mid = b.y + LEGEND_PAD - 2.0 + LEGEND_ROW * (i as f64 + 0.5);
        let swatch = |opacity: f64| {
            format!(
                r#"<rect x="{}" y="{}" width="{}" height="10" fill="{FAN_FILL}" fill-opacity="{opacity}"/>"#,
                num(x0),
                num(mid - 5.0),
                num(LEGEND_SWATCH),
            )
        };
        match i {
            0 => out.push_str(&swatch(FAN_OUTER_OPACITY)),
            // The inner band is seen over the outer one.
            1 => {
                out.push_str(&swatch(FAN_OUTER_OPACITY));
                out.push_str(&swatch(FAN_INNER_OPACITY));
            }
            _ => w!(
                out,
                r#"<line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{FAN_LINE}" stroke-width="2" stroke-dasharray="6 4"/>"#,
                num(x0),
                num(x1),
                y = num(mid),
            ),
        }
        w!(
            out,
            r#"<text x="{}" y="{}" font-size="{LEGEND_SIZE}" fill="{INK}">{}</text>"#,
            num(x1 + 8.0),
            num(mid + LEGEND_SIZE * 0.36),
            escape_xml(label),
        );
        out.push('\n');
    }
    out.push_str("</g>\n");
}

fn texts(out: &mut String, chart: &CandleChart, f: &Frame) {
    // Lines too long for the chart's width get a smaller font.
    let room = f.width - 2.0 * MARGIN;
    let title = fit_size(&chart.title, TITLE_SIZE, 14.0, room, true);
    w!(
        out,
        r#"<text x="{}" y="36" font-size="{}" fill="{INK}" {}>{}</text>"#,
        num(MARGIN),
        num(title),
        bold(chart.lang, INK, title),
        escape_xml(&chart.title),
    );
    out.push('\n');
    if let Some(subtitle) = &chart.subtitle {
        w!(
            out,
            r#"<text x="{}" y="60" font-size="{}" fill="{MUTED}">{}</text>"#,
            num(MARGIN),
            num(fit_size(subtitle, SUBTITLE_SIZE, 10.0, room, false)),
            escape_xml(subtitle),
        );
        out.push('\n');
    }
    w!(
        out,
        r#"<text x="{}" y="{}" font-size="{}" fill="{FAINT}">{}</text>"#,
        num(MARGIN),
        num(f.height - 14.0),
        num(fit_size(&chart.source_line, SOURCE_SIZE, 9.0, room, false)),
        escape_xml(&chart.source_line),
    );
    out.push('\n');
    // Axis title along the right edge, reading bottom to top, centred on the plot.
    let (x, y) = (f.width - 14.0, (f.top + f.bottom) / 2.0);
    w!(
        out,
        r#"<text transform="translate({} {}) rotate(-90)" text-anchor="middle" font-size="{AXIS_TITLE_SIZE}" fill="{MUTED}">{}</text>"#,
        num(x),
        num(y),
        escape_xml(&chart.y_axis_label),
    );
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use aurum_core::{Date, date};
    use chrono::Days;

    use super::*;
    use crate::{Marker, TargetLine};

    fn bars(n: usize) -> Vec<PeriodBar> {
        let start = date(2023, 1, 6);
        let mut price: f64 = 1900.0;
        (0..n)
            .map(|i| {
                let end: Date = start + Days::new(7 * i as u64);
                // A deterministic zig-zag drifting upwards.
                #[allow(clippy::cast_precision_loss)]
                let step = if i % 3 == 0 { -15.0 } else { 25.0 } + (i % 7) as f64;
                let open = price;
                price += step;
                PeriodBar {
                    period_end: end,
                    first_date: end - Days::new(4),
                    last_date: end,
                    open,
                    high: open.max(price) + 12.0,
                    low: open.min(price) - 9.0,
                    close: price,
                    volume: None,
                    days: 5,
                }
            })
            .collect()
    }

    fn chart(n: usize, lang: Lang) -> CandleChart {
        CandleChart::new(
            bars(n),
            "Gold, weekly",
            "USD / troy oz",
            "Source: test; aurum",
            lang,
        )
    }

    #[test]
    fn one_candle_per_bar() {
        for n in [1, 2, 110, 600] {
            let svg = render_svg(&chart(n, Lang::En)).unwrap();
            assert_eq!(svg.matches(r#"class="candle""#).count(), n);
        }
    }

    #[test]
    fn target_lines_are_drawn_with_their_label() {
        let mut c = chart(50, Lang::En);
        c.targets.push(TargetLine::new(3000.0, "Target 3,000"));
        let svg = render_svg(&c).unwrap();
        assert_eq!(svg.matches(r#"class="target""#).count(), 1);
        assert_eq!(svg.matches(r#"class="target-label""#).count(), 1);
        assert!(svg.contains(">Target 3,000</text>"));
        // Labels come after every line, so no dashed line crosses them.
        assert!(svg.rfind(r#"class="target""#) < svg.find(r#"class="target-label""#));
        // The target widens the range: 3,000 is above every bar, yet inside the plot.
        let f = Frame::new(&c);
        assert!(f.y(3000.0) > f.top && f.y(3000.0) < f.y(c.bars[49].high));
    }

    #[test]
    fn labels_of_close_targets_do_not_overlap() {
        let mut c = chart(110, Lang::En);
        for v in [2990.0, 3000.0, 3010.0, 2000.0] {
            c.targets.push(TargetLine::new(v, format!("Target {v}")));
        }
        let f = Frame::new(&c);
        let mut placed = Vec::new();
        for t in &c.targets {
            let b = place_label(&f, &placed, f.y(t.value), &t.label);
            assert!(
                placed.iter().all(|p: &LabelBox| !p.overlaps(&b)),
                "{b:?} vs {placed:?}"
            );
            assert!(b.y >= f.top && b.y + b.h <= f.bottom && b.x + b.w <= f.right);
            placed.push(b);
        }
        // A lone target keeps the default spot: left end, above the line.
        assert_eq!(placed[3].x, f.left + 6.0);
        assert!(placed[3].y + placed[3].h < f.y(2000.0));
        assert_eq!(
            render_svg(&c).unwrap().matches(r#"class="target""#).count(),
            4
        );
    }

    #[test]
    fn labels_of_close_targets_read_next_to_their_own_lines() {
        // Two targets a few pixels apart, the lower given first: the higher's label goes
        // above both lines, the lower's below both, whatever the order given.
        for values in [[2400.0, 2410.0], [2410.0, 2400.0]] {
            let mut c = chart(110, Lang::En);
            for v in values {
                c.targets.push(TargetLine::new(v, format!("Target {v}")));
            }
            let f = Frame::new(&c);
            let svg = render_svg(&c).unwrap();
            let boxes: Vec<(f64, f64)> = svg
                .lines()
                .filter(|l| l.contains(r#"class="target-label""#))
                .map(|l| {
                    let attr = |name: &str| -> f64 {
                        let start = l.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
                        l[start..].split('"').next().unwrap().parse().unwrap()
                    };
                    (attr("y"), attr("height"))
                })
                .collect();
            assert_eq!(boxes.len(), 2);
            let (y_hi, y_lo) = (f.y(2410.0), f.y(2400.0));
            let order = |v: f64| values.iter().position(|&x| x == v).unwrap();
            let (above, below) = (boxes[order(2410.0)], boxes[order(2400.0)]);
            assert!(above.0 + above.1 <= y_hi, "{above:?} above {y_hi}");
            assert!(below.0 >= y_lo, "{below:?} below {y_lo}");
        }
    }

    #[test]
    fn last_close_tag_is_drawn_only_when_labelled() {
        let mut c = chart(20, Lang::En);
        assert!(!render_svg(&c).unwrap().contains("last-close"));
        c.last_close_label = Some("2,935.29".to_owned());
        let svg = render_svg(&c).unwrap();
        assert_eq!(svg.matches(r#"class="last-close""#).count(), 1);
        assert!(svg.contains(">2,935.29</text>"));
    }

    #[test]
    fn long_titles_shrink_to_fit_and_zoom_scales_the_image() {
        let mut c = chart(30, Lang::En);
        c.title = "What a US withdrawal from NATO would mean for gold — Gold, LBMA PM fix, weekly"
            .to_owned();
        (c.width, c.height, c.zoom) = (800, 450, 1.5);
        let svg = render_svg(&c).unwrap();
        assert!(svg.starts_with(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="675" viewBox="0 0 800 450""#
        ));
        let title = svg.lines().find(|l| l.contains("What a US")).unwrap();
        let size: f64 = title
            .split("font-size=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(size < TITLE_SIZE, "{size}");
        assert!(text_width(&c.title, size, true) <= 800.0 - 2.0 * MARGIN + 0.5);
        c.zoom = 9.0;
        assert_eq!(render_svg(&c), Err(ChartError::InvalidZoom { zoom: 9.0 }));
    }

    #[test]
    fn text_is_xml_escaped() {
        let mut c = chart(5, Lang::En);
        c.title = r#"Gold & "silver" <weekly>"#.to_owned();
        c.subtitle = Some("it's".to_owned());
        c.source_line = "a<b".to_owned();
        c.y_axis_label = "USD & co".to_owned();
        c.targets.push(TargetLine::new(2000.0, "<T>"));
        c.last_close_label = Some("1&2".to_owned());
        let svg = render_svg(&c).unwrap();
        assert!(svg.contains("Gold &amp; &quot;silver&quot; &lt;weekly&gt;"));
        assert!(svg.contains("it&apos;s"));
        assert!(svg.contains("a&lt;b"));
        assert!(svg.contains("USD &amp; co"));
        assert!(svg.contains("&lt;T&gt;"));
        assert!(svg.contains("1&amp;2"));
        assert!(!svg.contains("<weekly>") && !svg.contains("<T>"));
        // And resvg accepts the document.
        crate::png::parse(&svg).unwrap();
    }

    #[test]
    fn output_is_deterministic_with_short_numbers() {
        let mut c = chart(110, Lang::En);
        c.last_close_label = Some("2,935.29".to_owned());
        c.targets.push(TargetLine::new(3000.0, "Target 3,000"));
        c.markers = vec![
            Marker::new(c.bars[30].period_end, "1"),
            Marker::new(c.bars[70].period_end, "2"),
            Marker::new(c.bars[70].first_date, "3"),
        ];
        c.fan = Some(fan_after(&c.bars, 19, 2.0));
        let svg = render_svg(&c).unwrap();
        assert_eq!(svg, render_svg(&c.clone()).unwrap());
        // No number in an attribute has more than two decimals.
        for attr in svg.split('"').skip(1).step_by(2) {
            for token in attr.split([' ', 'M', 'L', 'H', 'V', 'Z', '(', ')']) {
                if let Some((_, frac)) = token.split_once('.')
                    && token.parse::<f64>().is_ok()
                {
                    assert!(frac.len() <= 2, "{token} in {attr}");
                }
            }
        }
    }

    #[test]
    fn japanese_dates_use_nen() {
        let svg = render_svg(&chart(110, Lang::Ja)).unwrap();
        assert!(svg.contains("年"));
        assert!(
            svg.contains("2024年1月"),
            "quarterly ticks include January 2024"
        );
        assert!(svg.contains(r#"font-family="IPAexGothic, 'DejaVu Sans', sans-serif""#));
        let en = render_svg(&chart(110, Lang::En)).unwrap();
        assert!(en.contains(">Jan 2024<") && !en.contains("年"));
    }

    #[test]
    fn price_labels_have_thousands_separators() {
        let svg = render_svg(&chart(110, Lang::En)).unwrap();
        assert!(svg.contains(">2,000</text>"), "{svg}");
    }

    #[test]
    fn invalid_charts_are_errors() {
        let mut c = chart(0, Lang::En);
        assert_eq!(render_svg(&c), Err(ChartError::EmptyBars));
        c.bars = bars(3);
        c.bars[1].high = f64::NAN;
        assert!(matches!(
            render_svg(&c),
            Err(ChartError::NonFiniteBar {
                index: 1,
                field: "high",
                ..
            })
        ));
        c.bars = bars(3);
        c.targets.push(TargetLine::new(f64::INFINITY, "x"));
        assert!(matches!(
            render_svg(&c),
            Err(ChartError::NonFiniteTarget { .. })
        ));
        c.targets.clear();
        c.width = 199;
        assert_eq!(
            render_svg(&c),
            Err(ChartError::InvalidSize {
                width: 199,
                height: 675
            })
        );
        c.width = 200;
        c.height = 200;
        assert!(render_svg(&c).is_ok());
    }

    /// `n` weekly fan points after the last bar, centred on the last close and drifting up,
    /// the 5–95% band `spread` times the 25–75% one.
    fn fan_after(bars: &[PeriodBar], n: usize, spread: f64) -> Fan {
        let last = bars.last().unwrap();
        let points = (1..=n)
            .map(|k| {
                #[allow(clippy::cast_precision_loss)]
                let k = k as f64;
                let p50 = last.close + 4.0 * k;
                let inner = 12.0 * k.sqrt();
                FanPoint {
                    period_end: last.period_end + Days::new(7 * k as u64),
                    p5: p50 - spread * inner,
                    p25: p50 - inner,
                    p50,
                    p75: p50 + inner,
                    p95: p50 + spread * inner,
                }
            })
            .collect();
        Fan::new(points, "90% range", "50% range", "Median")
    }

    /// The `d` of the first path with class `class`, as (x, y) pairs.
    fn path_points(svg: &str, class: &str) -> Vec<(f64, f64)> {
        let start = svg.find(&format!(r#"class="{class}" d=""#)).unwrap();
        let d = svg[start..].split('"').nth(3).unwrap();
        let numbers: Vec<f64> = d
            .split(['M', 'L', 'Z', ' '])
            .filter(|t| !t.is_empty())
            .map(|t| t.parse().unwrap())
            .collect();
        numbers.chunks(2).map(|p| (p[0], p[1])).collect()
    }

    #[test]
    fn one_marker_is_drawn_per_label() {
        let mut c = chart(110, Lang::En);
        c.markers = vec![
            Marker::new(c.bars[10].period_end, "1"),
            // Mid-week: the bar whose period contains the date.
            Marker::new(c.bars[40].period_end - Days::new(2), "2"),
            Marker::new(c.bars[80].first_date, "3"),
        ];
        let svg = render_svg(&c).unwrap();
        assert_eq!(svg.matches(r#"<g class="marker">"#).count(), 3);
        for label in ["1", "2", "3"] {
            assert_eq!(svg.matches(&format!(">{label}</text>")).count(), 1);
        }
        let f = Frame::new(&c);
        let bars: Vec<usize> = f.markers.iter().map(|m| m.bar).collect();
        assert_eq!(bars, [10, 40, 80]);
        for m in &f.markers {
            // Centred on its bar, above the bar's high, inside the plot.
            assert_eq!(m.cx, f.x(m.bar));
            assert!(m.cy + MARKER_RADIUS < f.y(bar_top(&c.bars[m.bar])));
            assert!(m.cy - MARKER_RADIUS >= f.top);
        }
    }

    #[test]
    fn markers_on_one_bar_stack_upwards() {
        let mut c = chart(110, Lang::En);
        let week = c.bars[50].period_end;
        c.markers = vec![
            Marker::new(week - Days::new(3), "1"),
            Marker::new(week, "2"),
            Marker::new(week - Days::new(1), "3"),
        ];
        let f = Frame::new(&c);
        assert!(f.markers.iter().all(|m| m.bar == 50));
        let ys: Vec<f64> = f.markers.iter().map(|m| m.cy).collect();
        // In the order given, first lowest, a diameter or more apart.
        assert!(ys[0] > ys[1] && ys[1] > ys[2], "{ys:?}");
        for w in ys.windows(2) {
            assert!(w[0] - w[1] >= 2.0 * MARKER_RADIUS, "{ys:?}");
        }
        // Each guide line reaches the marker below, the lowest the bar's high.
        assert!((f.markers[0].guide_to - (f.y(bar_top(&c.bars[50])) - 1.0)).abs() < 1e-9);
        assert!((f.markers[1].guide_to - (ys[0] - MARKER_RADIUS)).abs() < 1e-9);
        let svg = render_svg(&c).unwrap();
        assert_eq!(svg.matches(r#"class="marker""#).count(), 3);
    }

    #[test]
    fn markers_outside_the_bars_are_skipped() {
        let mut c = chart(20, Lang::En);
        let (first, last) = (c.bars[0].first_date, c.bars[19].period_end);
        c.markers = vec![
            Marker::new(first - Days::new(1), "before"),
            Marker::new(last + Days::new(1), "after"),
        ];
        let svg = render_svg(&c).unwrap();
        assert!(!svg.contains(r#"class="marker""#));
        assert!(!svg.contains("before") && !svg.contains("after"));
        // The first day of the first bar's period and the last bar's end do count.
        c.markers.push(Marker::new(first, "a"));
        c.markers.push(Marker::new(last, "b"));
        let f = Frame::new(&c);
        let bars: Vec<usize> = f.markers.iter().map(|m| m.bar).collect();
        assert_eq!(bars, [0, 19]);
        let svg = render_svg(&c).unwrap();
        assert_eq!(svg.matches(r#"class="marker""#).count(), 2);
    }

    #[test]
    fn markers_stay_inside_the_plot_and_apart() {
        // Markers on the highest bars, at the right edge: the axis makes room above them,
        // they keep clear of the axis and of each other. In the smallest chart the plot is
        // 58 px high, less than the stack: the markers still start at its top.
        for (width, height) in [(1200, 675), (400, 240), (200, 200)] {
            let mut c = chart(110, Lang::En);
            c.width = width;
            c.height = height;
            c.subtitle = Some("as of".to_owned());
            c.markers = vec![
                Marker::new(c.bars[109].period_end, "1"),
                Marker::new(c.bars[109].period_end, "2"),
                Marker::new(c.bars[108].period_end, "A12"),
                Marker::new(c.bars[107].period_end, "3"),
            ];
            let f = Frame::new(&c);
            assert_eq!(f.markers.len(), 4);
            let boxes: Vec<LabelBox> = f.markers.iter().map(MarkerSpot::bounds).collect();
            for (i, b) in boxes.iter().enumerate() {
                assert!(
                    b.y >= f.top && (height == 200 || b.y + b.h <= f.bottom),
                    "{width}x{height}: {b:?}"
                );
                assert!(
                    b.x >= f.left && b.x + b.w <= f.right,
                    "{width}x{height}: {b:?}"
                );
                assert!(boxes[..i].iter().all(|o| !o.overlaps(b)), "{boxes:?}");
            }
            if height == 675 {
                // With room enough, every marker clears the candles under it.
                for m in &f.markers {
                    assert!(m.cy + MARKER_RADIUS < f.y(bar_top(&c.bars[m.bar])));
                }
            }
        }
    }

    #[test]
    fn target_labels_keep_clear_of_markers_and_legend() {
        let mut c = chart(110, Lang::En);
        c.fan = Some(fan_after(&c.bars, 19, 2.0));
        let f = Frame::new(&c);
        let legend = f.legend.unwrap();
        // A target through the legend's middle: its label moves off the legend.
        let value = c.bars[0].low
            + (f.y(c.bars[0].low) - (legend.y + legend.h / 2.0)) / (f.bottom - f.top)
                * (f.y_hi - f.y_lo);
        let b = place_label(&f, &[legend], f.y(value), "Target");
        assert!(!b.overlaps(&legend), "{b:?} vs {legend:?}");
    }

    #[test]
    fn fan_adds_its_paths_and_legend() {
        let mut c = chart(110, Lang::En);
        assert!(!render_svg(&c).unwrap().contains("fan"));
        let mut fan = fan_after(&c.bars, 19, 2.0);
        fan.median_label = "Median <p50>".to_owned();
        c.fan = Some(fan);
        let svg = render_svg(&c).unwrap();
        for class in [
            "fan",
            "fan-as-of",
            "fan-outer",
            "fan-inner",
            "fan-median",
            "fan-legend",
        ] {
            assert_eq!(
                svg.matches(&format!(r#"class="{class}""#)).count(),
                1,
                "{class}"
            );
        }
        assert!(svg.contains(">90% range</text>") && svg.contains(">50% range</text>"));
        assert!(svg.contains(">Median &lt;p50&gt;</text>"));
        // The fan sits under the candles; its legend is part of it.
        let fan_at = svg.find(r#"<g class="fan">"#).unwrap();
        assert!(fan_at < svg.find(r#"class="candle""#).unwrap());
        assert!(svg[fan_at..].find(r#"class="fan-legend""#).is_some());
        // The legend covers no candle, no part of the fan and no line.
        let f = Frame::new(&c);
        let legend = f.legend.unwrap();
        assert_eq!(legend_hits(&f, &c, c.fan.as_ref().unwrap(), &legend), 0);
        assert!(legend.y >= f.top && legend.x >= f.left && legend.x + legend.w <= f.right);
        crate::png::parse(&svg).unwrap();
    }

    #[test]
    fn fan_continues_the_candles_one_slot_on() {
        let mut c = chart(110, Lang::En);
        c.last_close_label = Some("2,935.29".to_owned());
        c.fan = Some(fan_after(&c.bars, 19, 2.0));
        let f = Frame::new(&c);
        // One slot per bar and per fan point, plus half an empty one at each end.
        assert!((f.slot * 130.0 - (f.right - f.left)).abs() < 1e-9);
        assert!((f.x(110) - f.x(109) - f.slot).abs() < 1e-9);
        let svg = render_svg(&c).unwrap();
        let last = &c.bars[109];
        let start = (f.x(109), f.y(last.close));
        for class in ["fan-outer", "fan-inner", "fan-median"] {
            let points = path_points(&svg, class);
            // Every part starts at the last close, at the last bar.
            assert_eq!(
                points[0],
                (num(start.0).parse().unwrap(), num(start.1).parse().unwrap())
            );
            // The first fan point is one slot right of the last candle.
            assert_eq!(
                points[1].0,
                num(f.x(110)).parse::<f64>().unwrap(),
                "{class}"
            );
            assert!(
                (points[1].0 - points[0].0 - f.slot).abs() < 0.011,
                "{class}"
            );
        }
        let median = path_points(&svg, "fan-median");
        assert_eq!(median.len(), 20);
        assert!((median[19].0 - (f.right - f.slot)).abs() < 0.011);
        // The last-close tag is still there.
        assert_eq!(svg.matches(r#"class="last-close""#).count(), 1);
    }

    #[test]
    fn fan_dates_get_ticks() {
        // 30 weeks from 2023-01-06 end in July 2023; the fan runs on into December.
        let mut c = chart(30, Lang::En);
        c.fan = Some(fan_after(&c.bars, 22, 2.0));
        let f = Frame::new(&c);
        let last = f.date_ticks.last().unwrap();
        assert!(last.index >= 30, "{:?}", f.date_ticks);
        let svg = render_svg(&c).unwrap();
        assert!(svg.contains(&format!(">{}</text>", last.label)));
        let without = Frame::new(&chart(30, Lang::En));
        assert!(without.date_ticks.iter().all(|t| t.index < 30));
    }

    #[test]
    fn fan_widens_the_price_range() {
        let mut c = chart(110, Lang::En);
        let top_bar = c.bars.iter().map(bar_top).fold(f64::MIN, f64::max);
        let low_bar = c.bars.iter().map(|b| b.low).fold(f64::MAX, f64::min);
        let mut fan = fan_after(&c.bars, 19, 2.0);
        let last = fan.points.len() - 1;
        fan.points[last].p95 = top_bar + 1000.0;
        fan.points[last].p5 = low_bar - 500.0;
        c.fan = Some(fan);
        let f = Frame::new(&c);
        assert!(f.y_hi > top_bar + 1000.0 && f.y_lo < low_bar - 500.0);
        let svg = render_svg(&c).unwrap();
        let outer = path_points(&svg, "fan-outer");
        let highest = outer.iter().map(|p| p.1).fold(f64::MAX, f64::min);
        let lowest = outer.iter().map(|p| p.1).fold(f64::MIN, f64::max);
        assert!(highest >= f.top && lowest <= f.bottom, "{highest} {lowest}");
        assert!((highest - f.y(top_bar + 1000.0)).abs() < 0.011);
        // The fan's top is above every candle.
        assert!(highest < f.y(top_bar));
    }

    #[test]
    fn invalid_fans_are_errors() {
        let mut c = chart(10, Lang::En);
        let last = c.bars[9].period_end;
        let good = fan_after(&c.bars, 5, 2.0);
        c.fan = Some(good.clone());
        assert!(render_svg(&c).is_ok());

        let mut fan = good.clone();
        fan.points.clear();
        c.fan = Some(fan);
        assert_eq!(render_svg(&c), Err(ChartError::EmptyFan));

        let mut fan = good.clone();
        fan.points[2].p50 = f64::NAN;
        c.fan = Some(fan);
        assert!(matches!(
            render_svg(&c),
            Err(ChartError::NonFiniteFan {
                index: 2,
                field: "p50",
                ..
            })
        ));

        let mut fan = good.clone();
        fan.points[0].period_end = last;
        c.fan = Some(fan);
        let err = render_svg(&c).unwrap_err();
        assert_eq!(
            err,
            ChartError::FanDateOrder {
                index: 0,
                date: last,
                after: last
            }
        );
        assert!(err.to_string().contains("must be dated after"), "{err}");

        let mut fan = good.clone();
        fan.points[3].period_end = fan.points[1].period_end;
        c.fan = Some(fan.clone());
        assert_eq!(
            render_svg(&c),
            Err(ChartError::FanDateOrder {
                index: 3,
                date: fan.points[1].period_end,
                after: fan.points[2].period_end
            })
        );

        let mut fan = good;
        let p = &mut fan.points[4];
        p.p25 = p.p50 + 1.0;
        let quantiles = [p.p5, p.p25, p.p50, p.p75, p.p95];
        let date = p.period_end;
        c.fan = Some(fan);
        let err = render_svg(&c).unwrap_err();
        assert_eq!(
            err,
            ChartError::FanQuantileOrder {
                index: 4,
                date,
                quantiles
            }
        );
        assert!(
            err.to_string().contains("p5 <= p25 <= p50 <= p75 <= p95"),
            "{err}"
        );
    }

    #[test]
    fn japanese_fan_legend_renders() {
        let mut c = chart(110, Lang::Ja);
        c.title = "金価格 週足".to_owned();
        c.markers = vec![Marker::new(c.bars[60].period_end, "1")];
        c.fan = Some(Fan::new(
            fan_after(&c.bars, 19, 2.0).points,
            "90%区間",
            "50%区間",
            "中央値",
        ));
        let svg = render_svg(&c).unwrap();
        assert!(svg.contains(">中央値</text>"));
        let png = crate::svg_to_png(&svg).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    }

    #[test]
    fn flat_prices_still_get_a_range() {
        let mut c = chart(3, Lang::En);
        for b in &mut c.bars {
            (b.open, b.high, b.low, b.close) = (5.0, 5.0, 5.0, 5.0);
        }
        let svg = render_svg(&c).unwrap();
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
    }

    #[test]
    fn png_has_the_chart_size() {
        let mut c = chart(110, Lang::Ja);
        c.title = "金価格 週足".to_owned();
        let png = crate::svg_to_png(&render_svg(&c).unwrap()).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let pixmap = resvg::tiny_skia::Pixmap::decode_png(&png).unwrap();
        assert_eq!((pixmap.width(), pixmap.height()), (1200, 675));
    }
}
