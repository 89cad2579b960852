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
    let png = figure_kind("--out", &a.out)?;
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
    write_figure(&a.out, svg, png)?;
    ctx.note(&format!(
        "wrote {} ({} {} bars)",
        a.out.display(),
        bars.len(),
        a.freq
    ));
    Ok(())
}

/// Draws each group's CAAR path (in %) with a 95% band (±1.96 cross-sectional standard
/// errors), to SVG or PNG by the file's extension.
///
/// # Errors
///
/// A bad file name, no group with a cross-section, I/O.
pub fn caar_plot(
    report: &super::study::StudyReport,
    a: &crate::args::StudyArgs,
    path: &std::path::Path,
) -> Result<()> {
    use aurum_chart::{LineChart, LineSeries, render_line_svg};
    let png = figure_kind("--plot", path)?;
    let mut series = Vec::new();
    for g in &report.groups {
        let Some(agg) = &g.study.aggregate else {
            continue;
        };
        let (l1, _) = g.study.design.window;
        let xs = (0..agg.caar_path.len()).map(|i| f64::from(l1) + i as f64);
        let points: Vec<(f64, f64)> = xs
            .clone()
            .zip(&agg.caar_path)
            .map(|(x, y)| (x, 100.0 * y))
            .collect();
        let band = xs
            .zip(agg.caar_path.iter().zip(&agg.caar_path_se))
            .map(|(x, (y, se))| (x, 100.0 * (y - 1.96 * se), 100.0 * (y + 1.96 * se)))
            .collect();
        let mut s = LineSeries::new(labels::caar_series(&g.name, agg.n, a.lang), points);
        s.band = Some(band);
        series.push(s);
    }
    if series.is_empty() {
        bail!("--plot: no group has two or more measured events to draw");
    }
    let (title, x_label, y_label) = labels::caar_axes(&report.series, a.lang);
    let mut chart = LineChart::new(title, x_label, y_label, labels::caar_source(report, a.lang));
    chart.subtitle = Some(labels::caar_subtitle(report, a, a.lang));
    chart.series = series;
    let svg = render_line_svg(&chart)?;
    write_figure(path, svg, png)?;
    Ok(())
}

/// Draws the annualised volatility term structure of a forecast.
///
/// # Errors
///
/// A bad file name, I/O.
pub fn term_structure_plot(
    f: &super::vol::Fitted,
    points: &[(f64, f64)],
    lang: aurum_core::Lang,
    path: &std::path::Path,
) -> Result<()> {
    use aurum_chart::{LineChart, LineSeries, render_line_svg};
    let png = figure_kind("--plot", path)?;
    let (title, x, y, src) =
        labels::term_structure(&f.returns.series.to_string(), &f.fit.model, lang);
    let mut chart = LineChart::new(title, x, y, src);
    chart.zero_line = false;
    chart.include_zero = false;
    chart.subtitle = f
        .returns
        .dates
        .last()
        .map(|d| labels::forecast_origin(*d, lang));
    chart.series = vec![LineSeries::new(
        format!("{} {}", f.fit.model, f.fit.dist),
        points.to_vec(),
    )];
    let svg = render_line_svg(&chart)?;
    write_figure(path, svg, png)?;
    Ok(())
}

/// Draws a rolling GPR beta with its 95% band against time (x in years).
///
/// # Errors
///
/// A bad file name, no windows, I/O.
pub fn rolling_beta_plot(
    points: &[aurum_risk::RollingPoint],
    a: &crate::args::GprRegressArgs,
    path: &std::path::Path,
) -> Result<()> {
    use aurum_chart::{LineChart, LineSeries, render_line_svg};
    use chrono::Datelike;
    let png = figure_kind("--plot", path)?;
    if points.is_empty() {
        bail!("--plot: the sample is shorter than one rolling window");
    }
    let year = |d: aurum_core::Date| f64::from(d.year()) + f64::from(d.ordinal0()) / 365.25;
    let line: Vec<(f64, f64)> = points.iter().map(|p| (year(p.end), p.beta)).collect();
    let band = points
        .iter()
        .map(|p| (year(p.end), p.beta - 1.96 * p.se, p.beta + 1.96 * p.se))
        .collect();
    let (title, x, y, src) =
        labels::rolling_beta(a.rolling.unwrap_or(0), &a.freq.to_string(), a.lang);
    let mut chart = LineChart::new(title, x, y, src);
    chart.x_plain = true;
    chart.subtitle =
        Some(format!("{} · {} · {:?}", a.series, a.measure, a.component).to_lowercase());
    let mut s = LineSeries::new("beta", line);
    s.band = Some(band);
    chart.series = vec![s];
    let svg = render_line_svg(&chart)?;
    write_figure(path, svg, png)?;
    Ok(())
}

/// Whether a figure goes to PNG (else SVG), from the file's extension.
///
/// # Errors
///
/// Any other extension, naming the flag.
pub(crate) fn figure_kind(flag: &str, path: &std::path::Path) -> Result<bool> {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("png") => Ok(true),
        Some("svg") => Ok(false),
        _ => bail!(
            "{flag} {}: expected a file name ending in .svg or .png",
            path.display()
        ),
    }
}

/// Writes an SVG figure to `path`, rendered to PNG when `png`, creating the folder.
pub(crate) fn write_figure(path: &std::path::Path, svg: String, png: bool) -> Result<()> {
    let bytes = if png {
        svg_to_png(&svg)?
    } else {
        svg.into_bytes()
    };
    if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs_err::create_dir_all(dir)?;
    }
    fs_err::write(path, bytes).with_context(|| format!("writing the figure {}", path.display()))?;
    Ok(())
}

/// Draws the price fan of a scenario run: the median with its 25–75% and 5–95% bands, and
/// the targets as flat lines.
///
/// # Errors
///
/// A bad file name, I/O.
pub fn fan_plot(
    f: &aurum_sim::ScenarioFile,
    r: &aurum_sim::Results,
    s0: f64,
    lang: aurum_core::Lang,
    path: &std::path::Path,
) -> Result<()> {
    let png = figure_kind("--fan", path)?;
    write_figure(path, fan_svg(f, r, s0, lang)?, png)
}

/// The SVG of [`fan_plot`], titled in `lang`.
///
/// # Errors
///
/// A fan the chart cannot draw.
pub fn fan_svg(
    f: &aurum_sim::ScenarioFile,
    r: &aurum_sim::Results,
    s0: f64,
    lang: aurum_core::Lang,
) -> Result<String> {
    use aurum_chart::{LineChart, LineSeries, render_line_svg};
    let x = |i: usize| (i + 1) as f64;
    let mut outer = LineSeries::new(
        labels::fan_label(lang, true),
        r.fan
            .iter()
            .enumerate()
            .map(|(i, p)| (x(i), p.q50))
            .collect(),
    );
    outer.band = Some(
        r.fan
            .iter()
            .enumerate()
            .map(|(i, p)| (x(i), p.q05, p.q95))
            .collect(),
    );
    let mut inner = LineSeries::new(
        labels::fan_label(lang, false),
        r.fan
            .iter()
            .enumerate()
            .map(|(i, p)| (x(i), p.q50))
            .collect(),
    );
    inner.band = Some(
        r.fan
            .iter()
            .enumerate()
            .map(|(i, p)| (x(i), p.q25, p.q75))
            .collect(),
    );
    let mut series = vec![outer, inner];
    for t in &r.targets {
        series.push(LineSeries::new(
            labels::target_level(t.target.round(), lang),
            vec![(1.0, t.target), (r.fan.len() as f64, t.target)],
        ));
    }
    let title = match lang {
        aurum_core::Lang::Ja => f.title_ja.as_deref().unwrap_or(&f.title),
        _ => &f.title,
    };
    let (title, xl, yl, src) = labels::fan(title, s0, lang);
    let mut chart = LineChart::new(title, xl, yl, src);
    chart.zero_line = false;
    chart.include_zero = false;
    chart.subtitle = Some(match lang {
        aurum_core::Lang::Ja => format!(
            "{} → {} · {}経路",
            f.as_of,
            f.horizon,
            aurum_report::format::grouped(r.paths as f64, 0)
        ),
        _ => format!(
            "{} → {} · {} paths",
            f.as_of,
            f.horizon,
            aurum_report::format::grouped(r.paths as f64, 0)
        ),
    });
    chart.series = series;
    Ok(render_line_svg(&chart)?)
}
