//! `aurum report`: the strategist's note on a scenario file, with its evidence.

use std::collections::HashMap;

use anyhow::{Context as _, Result, bail};
use aurum_backtest::{Config, Every, ModelKind, Window as FitWindow, origins};
use aurum_chart::{CandleChart, Fan, FanPoint, Marker, TargetLine, render_svg, svg_to_png};
use aurum_core::{Date, Frequency, Lang, SeriesId, period_end, resample};
use aurum_report::{
    AnalogOut, Checkpoint, EventOut, FanEnd, Figure, GprOut, ModelInfo, NameOut, Report,
    ScenarioOut, ShockOut, SourceOut, Start, TargetOut, TrackBin, TrackRecord,
};
use aurum_risk::Measure;
use aurum_sim::{Results, Shock, Target};
use chrono::Datelike;

use crate::args::{EventOrigin, GprComponent, ReportArgs, Window};
use crate::commands::backtest::{Job, compute};
use crate::commands::data::{closes, load_bars};
use crate::commands::events::all_events;
use crate::commands::gpr;
use crate::commands::scenario::{Prepared, fingerprint, load, prepare, run_all};
use crate::context::Context;
use crate::labels;
use crate::output::price;

pub fn run(ctx: &Context, a: &ReportArgs) -> Result<()> {
    if a.paths < 1000 || a.paths > 5_000_000 {
        bail!("--paths {}: expected 1,000 to 5,000,000", a.paths);
    }
    if a.weeks < 4 {
        bail!("--weeks {}: expected at least 4", a.weeks);
    }
    let mut f = load(&a.file)?;
    if let Some(d) = a.as_of {
        f.set_as_of(d).map_err(|e| anyhow::anyhow!("--as-of {e}"))?;
    }
    let c = compose(ctx, &f, &a.file.display().to_string(), a)?;
    let dir = &a.out;
    fs_err::create_dir_all(dir)?;
    let write = |name: &str, bytes: &[u8]| -> Result<()> {
        fs_err::write(dir.join(name), bytes)
            .with_context(|| format!("writing {}", dir.join(name).display()))
    };
    write(
        "results.json",
        (serde_json::to_string_pretty(&c.report)? + "\n").as_bytes(),
    )?;
    write("report.md", c.markdown.as_bytes())?;
    write("report.html", c.html.as_bytes())?;
    write("post.txt", (c.post + "\n").as_bytes())?;
    write("chart-weekly.png", &svg_to_png(&c.weekly_svg)?)?;
    write("fan.png", &svg_to_png(&c.fan_svg)?)?;
    ctx.note(&format!(
        "wrote report.md, report.html, chart-weekly.png, fan.png, post.txt and results.json to {}",
        dir.display()
    ));
    Ok(())
}

/// A report, composed and rendered.
pub(crate) struct Composed {
    /// Every number.
    pub report: Report,
    /// The text.
    pub markdown: String,
    /// One self-contained page.
    pub html: String,
    /// The post for X.
    pub post: String,
    /// The weekly chart.
    pub weekly_svg: String,
    /// The fan.
    pub fan_svg: String,
}

/// Runs the analyses of a report on `f` (named `file` in errors) and renders it.
pub(crate) fn compose(
    ctx: &Context,
    f: &aurum_sim::ScenarioFile,
    file: &str,
    a: &ReportArgs,
) -> Result<Composed> {
    let f = f.clone();
    let (store, _) = ctx.open_and_seed()?;
    let catalog: HashMap<String, aurum_events::Event> = all_events(&store, EventOrigin::All)?
        .into_iter()
        .map(|l| (l.event.id.clone(), l.event))
        .collect();
    for s in &f.scenarios {
        for id in f
            .texts
            .get(&s.id)
            .map(|t| t.events.as_slice())
            .unwrap_or_default()
        {
            match catalog.get(id) {
                None => bail!(
                    "{file}: scenario {:?}: field \"events\": {id:?} is not in the event catalog (see `aurum events list`)",
                    s.id
                ),
                Some(e) if e.date > f.as_of => bail!(
                    "{file}: scenario {:?}: field \"events\": {id:?} is dated {}, after as_of {}",
                    s.id,
                    e.date,
                    f.as_of
                ),
                Some(_) => {}
            }
        }
    }
    let prepared = prepare(ctx, &store, &f)?;
    let (results, without) = run_all(ctx, &prepared.setup, a.paths, a.seed, true)?;
    // The same paths with no scenario at all: what geopolitics adds in total.
    let mut plain = prepared.setup.clone();
    plain.scenarios.clear();
    let (bare, _) = run_all(ctx, &plain, a.paths, a.seed, false)?;
    let id = SeriesId::new(f.series.clone())?;
    let meta = store
        .series(&id)?
        .with_context(|| format!("series {id} is not in the store"))?;
    let gpr = gpr_now(&store, f.as_of).ok();
    let track_record = if a.no_track_record || prepared.fit_from.is_none() {
        None
    } else {
        track_record(ctx, &f, &prepared, a)?
    };
    let report = build(
        &f,
        &prepared,
        &results,
        &without,
        &bare,
        &meta,
        &catalog,
        gpr,
        track_record,
        a,
    );
    let weekly = weekly_chart(&store, &f, &results, &report, a.lang, a.weeks)?;
    let fan = super::chart::fan_svg(&f, &results, prepared.s0, a.lang)?;
    let md = aurum_report::markdown(&report, a.lang)?;
    let html = aurum_report::html(
        &report,
        a.lang,
        &md,
        &[
            Figure {
                name: "chart-weekly.png",
                svg: &weekly,
            },
            Figure {
                name: "fan.png",
                svg: &fan,
            },
        ],
    );
    let post = aurum_report::post(&report, a.lang)?;
    Ok(Composed {
        report,
        markdown: md,
        html,
        post,
        weekly_svg: weekly,
        fan_svg: fan,
    })
}

/// Month ends in the horizon (last trading day of each month), and the horizon.
fn checkpoints(days: &[Date]) -> Vec<Date> {
    let (Some(first), Some(last)) = (days.first(), days.last()) else {
        return Vec::new();
    };
    let mut out: Vec<Date> = origins(days, *first, *last, Every::Month)
        .into_iter()
        .map(|i| days[i])
        .collect();
    out.push(*last);
    out
}

#[allow(clippy::too_many_arguments)]
fn build(
    f: &aurum_sim::ScenarioFile,
    p: &Prepared,
    results: &Results,
    without: &[Results],
    bare: &Results,
    meta: &aurum_core::SeriesMeta,
    catalog: &HashMap<String, aurum_events::Event>,
    gpr: Option<GprOut>,
    track_record: Option<TrackRecord>,
    a: &ReportArgs,
) -> Report {
    let marks = checkpoints(&p.setup.days);
    let targets = results
        .targets
        .iter()
        .zip(&f.targets)
        .map(|(t, spec)| TargetOut {
            level: t.target,
            relative: match spec {
                Target::Relative(r) => Some(format!("{:+}%", r * 100.0)),
                Target::Absolute(_) => None,
            },
            distance_pct: (t.target / p.s0 - 1.0) * 100.0,
            p_touch: t.p_touch,
            p_touch_se: t.p_touch_se,
            p_close: t.p_close_above,
            p_close_se: t.p_close_above_se,
            first_passage_median: t.first_passage.as_ref().map(|x| x.median),
            checkpoints: marks
                .iter()
                .filter_map(|d| t.by_day.iter().find(|x| x.date == *d))
                .map(|x| Checkpoint {
                    date: x.date,
                    p_touch: x.p_touch,
                    p_close: x.p_close_above,
                })
                .collect(),
        })
        .collect();
    let names: HashMap<&str, NameOut> = f
        .scenarios
        .iter()
        .map(|s| {
            (
                s.id.as_str(),
                NameOut {
                    en: s.name.clone(),
                    ja: f.texts.get(&s.id).and_then(|t| t.name_ja.clone()),
                },
            )
        })
        .collect();
    let touch0 = |r: &Results| r.targets.first().map_or(0.0, |t| t.p_touch);
    let scenarios = f
        .scenarios
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let text = f.texts.get(&s.id).cloned().unwrap_or_default();
            let r = &results.scenarios[i];
            let (kind, mean_pct, sd_pct) = match &s.shock {
                Shock::None => ("none", None, None),
                Shock::Fixed { pct } => ("fixed", Some(*pct), None),
                Shock::Normal { mean_pct, sd_pct } => ("normal", Some(*mean_pct), Some(*sd_pct)),
                Shock::Analogs { .. } => ("analogs", None, None),
            };
            let analogs = match &s.shock {
                Shock::Analogs { category } => p.analog_stats.get(category).map(|st| AnalogOut {
                    category: category.clone(),
                    category_ja: labels::category_ja(category).to_owned(),
                    n: st.n,
                    first_year: st.first_year,
                    caar_pct: st.caar * 100.0,
                    t: st.t,
                    positive_share: st.positive_share,
                    window_from: st.window.0,
                    window_to: st.window.1,
                }),
                _ => None,
            };
            ScenarioOut {
                number: i + 1,
                id: s.id.clone(),
                name: s.name.clone(),
                name_ja: text.name_ja.clone(),
                about: text.about.clone(),
                about_ja: text.about_ja.clone(),
                probability: s.probability,
                window: s.window,
                requires: s
                    .requires
                    .iter()
                    .filter_map(|q| names.get(q.as_str()).cloned())
                    .collect(),
                p_happened: r.p_happened,
                shock: ShockOut {
                    kind: kind.into(),
                    mean_pct,
                    sd_pct,
                    spread_days: s.spread_days,
                    vol_multiplier: s.volatility.map(|v| v.multiplier),
                    vol_days: s.volatility.map(|v| v.days),
                },
                analogs,
                adds_pp: without
                    .get(i)
                    .map_or(0.0, |w| (touch0(results) - touch0(w)) * 100.0),
                p_touch_given: r.p_touch_given.first().copied().unwrap_or(f64::NAN),
                events: text
                    .events
                    .iter()
                    .filter_map(|id| catalog.get(id))
                    .map(|e| EventOut {
                        id: e.id.clone(),
                        date: e.date,
                        title: e.title_en.clone(),
                        title_ja: e.title_ja.clone(),
                    })
                    .collect(),
            }
        })
        .collect();
    let end = results.fan.last();
    let mut analog_cars = p.setup.analogs.clone();
    analog_cars.retain(|_, v| !v.is_empty());
    Report {
        title: f.title.clone(),
        title_ja: f.title_ja.clone(),
        as_of: f.as_of,
        horizon: f.horizon,
        series: f.series.clone(),
        series_name: meta.name.clone(),
        series_name_ja: labels::series_name_ja(meta),
        start: Start {
            date: p.last_date,
            price: p.s0,
        },
        trading_days: p.setup.days.len(),
        paths: a.paths,
        seed: a.seed,
        model: ModelInfo {
            kind: if p.fit_from.is_some() {
                "garch-t"
            } else {
                "gbm"
            }
            .into(),
            name: match (p.fit_from.is_some(), a.lang) {
                (true, Lang::Ja) => "GARCH(1,1)-tモデル".into(),
                (true, _) => "GARCH(1,1) model with Student's t shocks".into(),
                (false, Lang::Ja) => "幾何ブラウン運動".into(),
                (false, _) => "geometric Brownian motion".into(),
            },
            fit_from: p.fit_from,
            vol_now_pct: p.vol_now_pct,
            vol_long_run_pct: p.vol_long_run_pct,
        },
        targets,
        checkpoints: marks,
        fan_end: FanEnd {
            date: end.map_or(f.horizon, |e| e.date),
            q05: end.map_or(f64::NAN, |e| e.q05),
            q25: end.map_or(f64::NAN, |e| e.q25),
            q50: end.map_or(f64::NAN, |e| e.q50),
            q75: end.map_or(f64::NAN, |e| e.q75),
            q95: end.map_or(f64::NAN, |e| e.q95),
        },
        var_5_pct: results.var_5,
        es_5_pct: results.es_5,
        scenarios,
        scenarios_add_pp: (touch0(results) - touch0(bare)) * 100.0,
        gpr,
        track_record,
        sources: sources(meta, a.lang),
        data_fingerprint: fingerprint(&p.series, &analog_cars),
        version: env!("CARGO_PKG_VERSION").into(),
    }
}

fn sources(meta: &aurum_core::SeriesMeta, lang: Lang) -> Vec<SourceOut> {
    match lang {
        Lang::Ja => vec![
            SourceOut {
                name: labels::series_name_ja(meta),
                terms: format!("{}。同梱データの出所と利用条件は data/README.md に記載。", meta.source),
            },
            SourceOut {
                name: "地政学リスク指数（GPR）".into(),
                terms: "Caldara, D. and M. Iacoviello (2022), \"Measuring Geopolitical Risk\", American Economic Review 112(4), 1194–1225。著者のウェブサイトで公開されているデータで、利用時はこの論文の引用が条件。".into(),
            },
            SourceOut {
                name: "イベント・カタログ".into(),
                terms: "aurum同梱（data/events/catalog.toml）。各イベントに報道・公式発表などの出所を記載。".into(),
            },
        ],
        _ => vec![
            SourceOut {
                name: meta.name.clone(),
                terms: format!("{}. Provenance and terms of the bundled data: data/README.md.", meta.source),
            },
            SourceOut {
                name: "Geopolitical Risk index".into(),
                terms: "Caldara, D. and M. Iacoviello (2022), \"Measuring Geopolitical Risk\", American Economic Review 112(4), 1194–1225; data published on the authors' website, to be cited as such.".into(),
            },
            SourceOut {
                name: "Event catalog".into(),
                terms: "bundled with aurum (data/events/catalog.toml); each event names its source (news reports, official releases).".into(),
            },
        ],
    }
}

/// The monthly GPR index at `as_of` against its history since 1985, and gold's weekly
/// sensitivity to the threats component.
fn gpr_now(store: &aurum_store::Store, as_of: Date) -> Result<GprOut> {
    let since = Date::from_ymd_opt(1985, 1, 1).context("date")?;
    let window = Window {
        from: Some(since),
        to: None,
        as_of: Some(as_of),
    };
    let monthly = closes(store, &SeriesId::new("gpr")?, &window)?.values;
    let &(date, value) = monthly.last().context("no GPR value before as_of")?;
    let below = monthly.iter().filter(|(_, v)| *v <= value).count();
    let mean = monthly.iter().map(|(_, v)| v).sum::<f64>() / monthly.len() as f64;
    let (_, d) = gpr::design(
        store,
        &SeriesId::new("gold-usd-lbma-pm")?,
        Frequency::Weekly,
        Measure::Change,
        GprComponent::Threats,
        &window,
        &[],
    )?;
    let ols = aurum_risk::ols_hac(&d, None)?;
    let (_, beta_pct, ci_low_pct, ci_high_pct) =
        gpr::effect(&ols, Measure::Change, GprComponent::Threats, Lang::En);
    Ok(GprOut {
        date,
        value,
        percentile: below as f64 / monthly.len() as f64,
        since: monthly[0].0,
        mean,
        beta_pct,
        ci_low_pct,
        ci_high_pct,
        p: ols.p[1],
        n: ols.n,
    })
}

/// The monthly backtest of the report's model at the scenario's horizon, with threshold
/// events at the targets' distances from today's price.
fn track_record(
    ctx: &Context,
    f: &aurum_sim::ScenarioFile,
    p: &Prepared,
    a: &ReportArgs,
) -> Result<Option<TrackRecord>> {
    let mut levels: Vec<f64> = f
        .targets
        .iter()
        .map(|t| ((t.level(p.s0) / p.s0 - 1.0) * 1000.0).round() / 10.0)
        .filter(|l| l.abs() >= 0.1)
        .collect();
    levels.sort_by(f64::total_cmp);
    levels.dedup();
    let fit_days = match f.baseline {
        aurum_sim::Baseline::GarchT { fit_years } => fit_years as usize * 252,
        aurum_sim::Baseline::Gbm { .. } => return Ok(None),
    };
    let cfg = Config {
        models: vec![ModelKind::Gbm, ModelKind::GarchT],
        horizons: vec![p.setup.days.len()],
        window: FitWindow::Days(fit_days),
        refit: 1,
        paths: a.track_record_paths,
        seed: a.seed,
        relative_levels: levels,
        absolute_levels: Vec::new(),
        vol_window: 252,
        min_returns: 500,
    };
    cfg.validate()?;
    let id = SeriesId::new(f.series.clone())?;
    let job = Job {
        series: &id,
        window: Window {
            from: Some(a.track_record_from),
            to: Some(f.as_of),
            as_of: Some(f.as_of),
        },
        every: Every::Month,
        cfg,
        fresh: false,
        max_blocks: None,
    };
    let bt = compute(ctx, ctx.open_store()?, &job)?;
    let find = |m: ModelKind| bt.summary.scores.iter().find(|s| s.model == m);
    let (Some(g), Some(base)) = (find(ModelKind::GarchT), find(ModelKind::Gbm)) else {
        return Ok(None);
    };
    Ok(Some(TrackRecord {
        model: "GARCH(1,1)-t".into(),
        horizon: g.horizon,
        n: g.n,
        from: bt.from.unwrap_or(a.track_record_from),
        to: bt.to.unwrap_or(f.as_of),
        coverage_90: g.coverage.get(2).map_or(f64::NAN, |c| c.rate),
        coverage_50: g.coverage.first().map_or(f64::NAN, |c| c.rate),
        crps_skill_pct: g.skill.as_ref().map_or(f64::NAN, |s| s.crps * 100.0),
        brier: g.brier.bs,
        brier_baseline: base.brier.bs,
        calibrated: g.calibrated,
        bins: g
            .brier
            .bins
            .iter()
            .map(|b| TrackBin {
                lo: b.lo,
                hi: b.hi,
                n: b.n,
                forecast: b.mean_forecast,
                observed: b.observed,
            })
            .collect(),
    }))
}

/// The report's figure: weekly candles up to as_of, the scenarios' events numbered by
/// section, the targets, and the simulated fan continuing the price to the horizon.
fn weekly_chart(
    store: &aurum_store::Store,
    f: &aurum_sim::ScenarioFile,
    results: &Results,
    report: &Report,
    lang: Lang,
    weeks: usize,
) -> Result<String> {
    let id = SeriesId::new(f.series.clone())?;
    let from = f.as_of - chrono::Days::new(7 * weeks as u64);
    let (meta, bars) = load_bars(
        store,
        &id,
        &Window {
            from: Some(from),
            to: None,
            as_of: Some(f.as_of),
        },
    )?;
    let bars = resample(&bars, Frequency::Weekly);
    let (Some(first), Some(last)) = (bars.first(), bars.last()) else {
        bail!("{id} has no data in the {weeks} weeks before {}", f.as_of);
    };
    let (first_date, last_date, last_close) = (first.first_date, last.last_date, last.close);
    let last_end = last.period_end;
    let title = match lang {
        Lang::Ja => format!(
            "{}：{}",
            f.title_ja.as_deref().unwrap_or(&f.title),
            labels::title(&meta, Frequency::Weekly, lang)
        ),
        _ => format!(
            "{} — {}",
            f.title,
            labels::title(&meta, Frequency::Weekly, lang)
        ),
    };
    let mut chart = CandleChart::new(
        bars,
        title,
        labels::unit_axis(&meta, lang),
        labels::source(&meta, lang),
        lang,
    );
    chart.subtitle = Some(labels::subtitle(
        first_date,
        last_date,
        Some(f.as_of),
        last_close,
        lang,
    ));
    chart.targets = report
        .targets
        .iter()
        .map(|t| {
            let label = match &t.relative {
                // A relative target lands on an odd price: round it and say where it is from.
                Some(r) => format!("{} ({r})", labels::target(t.level.round(), &meta, lang)),
                None => labels::target(t.level, &meta, lang),
            };
            TargetLine::new(t.level, label)
        })
        .collect();
    chart.last_close_label = Some(price(last_close));
    // One marker per section and week: two events of one section in a week are one mark.
    let week = |d: Date| (d.iso_week().year(), d.iso_week().week());
    let mut markers: Vec<Marker> = Vec::new();
    for s in &report.scenarios {
        for e in &s.events {
            let label = s.number.to_string();
            if !markers
                .iter()
                .any(|m| m.label == label && week(m.date) == week(e.date))
            {
                markers.push(Marker::new(e.date, label));
            }
        }
    }
    chart.markers = markers;
    // The fan at each week's last simulated day, labelled with the week's end as the candles
    // are, after the last candle.
    let mut points: Vec<FanPoint> = Vec::new();
    for x in &results.fan {
        let p = FanPoint {
            period_end: period_end(x.date, Frequency::Weekly),
            p5: x.q05,
            p25: x.q25,
            p50: x.q50,
            p75: x.q75,
            p95: x.q95,
        };
        match points.last_mut() {
            Some(last) if last.period_end == p.period_end => *last = p,
            _ => points.push(p),
        }
    }
    points.retain(|x| x.period_end > last_end);
    chart.fan = Some(match lang {
        Lang::Ja => Fan::new(points, "90%区間（5〜95%）", "50%区間（25〜75%）", "中央値"),
        _ => Fan::new(points, "90% range (5–95%)", "50% range (25–75%)", "median"),
    });
    Ok(render_svg(&chart)?)
}
