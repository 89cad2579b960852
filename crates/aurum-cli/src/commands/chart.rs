//! `aurum chart`: candlesticks of a series as SVG or PNG.

use anyhow::{Context as _, Result, bail};
use aurum_chart::{CandleChart, TargetLine, render_svg, svg_to_png};
use aurum_core::resample;

use crate::args::ChartArgs;
use crate::commands::data::load_bars;
use crate::context::Context;
use crate::labels;
use crate::output::price;

pub fn run(ctx: &Context, a: &ChartArgs) -> Result<()> {
    let ext = a
        .out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if !matches!(ext.as_deref(), Some("svg" | "png")) {
        bail!(
            "--out {}: expected a file name ending in .svg or .png",
            a.out.display()
        );
    }
    if let Some(t) = a.target.iter().find(|t| !t.is_finite() || **t <= 0.0) {
        bail!("--target {t}: expected a price > 0");
    }
    let store = ctx.open_store()?;
    let (meta, bars) = load_bars(&store, &a.series, &a.window)?;
    let bars = resample(&bars, a.freq);
    let (Some(first), Some(last)) = (bars.first(), bars.last()) else {
        bail!("series {} has no data in the chosen window", meta.id);
    };
    let mut chart = CandleChart::new(
        bars.clone(),
        a.title
            .clone()
            .unwrap_or_else(|| labels::title(&meta, a.freq, a.lang)),
        labels::unit_axis(&meta, a.lang),
        labels::source(&meta, a.lang),
        a.lang,
    );
    chart.subtitle = Some(labels::subtitle(
        first.first_date,
        last.last_date,
        a.window.as_of,
        last.close,
        a.lang,
    ));
    chart.targets = a
        .target
        .iter()
        .map(|&v| TargetLine::new(v, labels::target(v, &meta, a.lang)))
        .collect();
    chart.last_close_label = Some(price(last.close));
    chart.width = a.width;
    chart.height = a.height;
    let svg = render_svg(&chart)?;
    let bytes = if ext.as_deref() == Some("png") {
        svg_to_png(&svg)?
    } else {
        svg.into_bytes()
    };
    if let Some(dir) = a.out.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs_err::create_dir_all(dir)?;
    }
    fs_err::write(&a.out, bytes)
        .with_context(|| format!("writing the chart {}", a.out.display()))?;
    ctx.note(&format!(
        "wrote {} ({} {} bars)",
        a.out.display(),
        bars.len(),
        a.freq
    ));
    Ok(())
}
