//! The strategist's report on a scenario file: every analysis as of its date, composed into
//! results, Markdown, one self-contained HTML page, the figures and a post.

use std::collections::HashMap;
use std::path::Path;

use aurum_backtest::{Every, ModelKind, origins};
use aurum_core::{Date, Lang, SeriesId};
use aurum_report::{
    AnalogOut, Checkpoint, EventOut, FanEnd, Figure, GprOut, ModelInfo, NameOut, Report,
    ScenarioOut, ShockOut, SourceOut, Start, TargetOut, TrackBin, TrackRecord,
};
use aurum_risk::Measure;
use aurum_sim::{Results, ScenarioFile, Shock, Target};
use aurum_store::Store;

use crate::data::closes;
use crate::events::{EventOrigin, all_events};
use crate::gpr::{self, GprComponent};
use crate::labels;
use crate::scenario::{
    BaselineOut, Prepared, RecordSettings, fingerprint, prepare, record_job, simulate_all,
};
use crate::{AppError, AppResult, Home, Progress, Window, figures};

/// A report to write.
#[derive(Clone, Debug)]
pub struct ReportRequest {
    /// The scenario file's name, for errors.
    pub name: String,
    /// The scenario file (its as_of already moved where asked).
    pub file: ScenarioFile,
    /// Its text as given, recorded with the report's run.
    pub text: String,
    /// Language of the report.
    pub lang: Lang,
    /// Monte Carlo paths.
    pub paths: usize,
    /// Seed (same seed, same report, whatever the thread count).
    pub seed: u64,
    /// Weeks of history on the chart.
    pub weeks: usize,
    /// The track record: a monthly backtest of the model from this date up to as_of (none:
    /// left out).
    pub track_record_from: Option<Date>,
    /// Paths per origin in the track record.
    pub track_record_paths: usize,
    /// How the report's call is filed (label, published or draft).
    pub filing: crate::calls::Filing,
    /// The article's address, for the post.
    pub link: Option<String>,
    /// Add the price in yen per gram (LBMA PM × USD/JPY ÷ 31.1034768) to the lead; the
    /// probabilities stay on the USD series.
    pub yen: bool,
    /// Draw the weekly chart's candles in colours that colour-blind readers tell apart
    /// (hollow blue rising, filled orange falling).
    pub color_blind: bool,
}

impl ReportRequest {
    /// Checks the sizes.
    ///
    /// # Errors
    ///
    /// Paths outside 1,000 to 5,000,000; fewer than 4 weeks or more than 2,000.
    pub fn check(&self) -> AppResult<()> {
        self.filing.check()?;
        if let Some(l) = &self.link
            && (!(l.starts_with("https://") || l.starts_with("http://"))
                || l.len() > 2000
                || l.chars().any(|c| c.is_whitespace() || c.is_control()))
        {
            return Err(AppError::bad(
                "link",
                format!("`link` {l:?}: expected an http(s) address without spaces"),
            ));
        }
        if self.paths < 1000 || self.paths > crate::scenario::MAX_PATHS {
            return Err(AppError::bad(
                "paths",
                format!("`paths` {}: expected 1,000 to 5,000,000", self.paths),
            ));
        }
        if self.weeks < 4 || self.weeks > 2000 {
            return Err(AppError::bad(
                "weeks",
                format!("`weeks` {}: expected 4 to 2,000", self.weeks),
            ));
        }
        Ok(())
    }
}

/// A report, composed and rendered.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Composed {
    /// Every number.
    #[serde(rename = "results")]
    pub report: Report,
    /// The text.
    pub markdown: String,
    /// One self-contained page.
    pub html: String,
    /// The post for X.
    pub post: String,
    /// The weekly chart.
    #[serde(skip)]
    pub weekly_svg: String,
    /// The fan.
    #[serde(skip)]
    pub fan_svg: String,
    /// The chance of reaching each target by each date.
    #[serde(skip)]
    pub touch_svg: String,
    /// The run the report recorded (`aurum runs show`).
    pub run_id: i64,
    /// The call the report recorded (`aurum calls show`).
    pub call_id: i64,
}

/// Runs the analyses of a report and renders it.
///
/// # Errors
///
/// Sizes outside the limits, events the file names that the catalog lacks or that are dated
/// after as_of, and as the analyses.
pub fn compose(home: &Home, a: &ReportRequest, progress: &dyn Progress) -> AppResult<Composed> {
    a.check()?;
    let f = a.file.clone();
    let file = a.name.as_str();
    let mut store = home.open(progress)?;
    let defaults = RecordSettings::default();
    let record = RecordSettings {
        from: a.track_record_from.unwrap_or(defaults.from),
        paths: a.track_record_paths,
        seed: a.seed,
    };
    let listed = all_events(&store, EventOrigin::All)?;
    let catalog: HashMap<String, aurum_events::Event> = listed
        .iter()
        .map(|l| (l.event.id.clone(), l.event.clone()))
        .collect();
    for s in &f.scenarios {
        for id in f
            .texts
            .get(&s.id)
            .map(|t| t.events.as_slice())
            .unwrap_or_default()
        {
            match catalog.get(id) {
                None => {
                    return Err(AppError::bad(
                        "events",
                        format!(
                            "{file}: scenario {:?}: field \"events\": {id:?} is not in the event catalog (see `aurum events list`)",
                            s.id
                        ),
                    ));
                }
                Some(e) if e.date > f.as_of => {
                    return Err(AppError::bad(
                        "events",
                        format!(
                            "{file}: scenario {:?}: field \"events\": {id:?} is dated {}, after as_of {}",
                            s.id, e.date, f.as_of
                        ),
                    ));
                }
                Some(_) => {}
            }
        }
    }
    let prepared = prepare(&mut store, &f, &record, progress)?;
    let (results, without) = simulate_all(&prepared.setup, a.paths, a.seed, true, progress)?;
    // The same paths with no scenario at all: what geopolitics adds in total.
    let mut plain = prepared.setup.clone();
    plain.scenarios.clear();
    let (bare, _) = simulate_all(&plain, a.paths, a.seed, false, progress)?;
    AppError::check(progress)?;
    let id = SeriesId::new(f.series.clone())?;
    let meta = store
        .series(&id)?
        .ok_or_else(|| AppError::not_found(format!("series {id} is not in the store")))?;
    let gpr = gpr_now(&store, f.as_of).ok();
    let track_record = match a.track_record_from {
        Some(from) if prepared.fit_from.is_some() => {
            track_record(&mut store, &f, &prepared, &record, from, a.lang, progress)?
        }
        _ => None,
    };
    let rates = crate::scenario::base_rates(&listed, &f)?;
    let mut report = build(
        &f,
        &prepared,
        &rates,
        &results,
        &without,
        &bare,
        &meta,
        &catalog,
        gpr,
        track_record,
        a,
    );
    report.review = crate::calls::review(&store, &id, f.as_of)?;
    if a.yen {
        report.yen = Some(yen(&store, &f, &report.targets)?);
    }
    report.calendar = crate::calendar::scheduled(&f)?
        .into_iter()
        .map(|e| aurum_report::DateOut {
            date: e.date,
            end: e.end,
            title: e.title_en,
            title_ja: e.title_ja,
            kind: e.kind.to_string(),
        })
        .collect();
    // Real yields start in 2003: a report on an earlier date has no risks section.
    report.risks = if f.as_of >= aurum_core::date(2008, 1, 1) {
        Some(crate::sensitivity::measure(&store, f.as_of)?)
    } else {
        None
    };
    let (weekly, numbers) = figures::weekly_chart(
        &store,
        &f,
        &results,
        &report,
        a.lang,
        a.weeks,
        a.color_blind,
    )?;
    for (s, numbers) in report.scenarios.iter_mut().zip(numbers) {
        for (e, n) in s.events.iter_mut().zip(numbers) {
            e.chart = n;
        }
    }
    let fan = figures::fan_svg(&f, &results, prepared.s0, a.lang)?;
    // The chance of touching by each date, mapped as the report's headline probabilities are.
    let recalibrate = |j: usize, p: f64| {
        results.targets.get(j).map_or(p, |t| {
            prepared
                .calibrated(aurum_backtest::EventKind::Touch, t.target, p)
                .unwrap_or(p)
        })
    };
    let touch = figures::touch_svg(
        &f,
        &results,
        prepared.s0,
        a.lang,
        prepared
            .stack
            .is_some()
            .then_some(&recalibrate as &dyn Fn(usize, f64) -> f64),
    )?;
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
            Figure {
                name: "touch.png",
                svg: &touch,
            },
        ],
    );
    let post = aurum_report::post(&report, a.lang)?;
    AppError::check(progress)?;
    let call = crate::calls::doc(&f, &prepared, &results, &report.targets, a.seed);
    let call = crate::calls::new_call("report", &call, &a.filing)?;
    let run = crate::scenario::new_run(
        "report",
        &a.text,
        &crate::scenario::run_doc(&f, &prepared, &results, &without, a.seed),
    )?;
    // The run and its call together, as `scenario run` records them.
    let (run_id, call_id) = store.record_run_and_call(&run, &call, crate::now())?;
    Ok(Composed {
        report,
        markdown: md,
        html,
        post,
        weekly_svg: weekly,
        fan_svg: fan,
        touch_svg: touch,
        run_id,
        call_id,
    })
}

/// Whether a share of `n` paths, `given`, differs from the share of all paths, `all`, by
/// more than two of its Monte Carlo standard errors (its binomial error, at least half a
/// path's worth so that 0% and 100% are not certain).
fn differs(given: f64, all: f64, n: f64) -> bool {
    if n < 1.0 || !given.is_finite() {
        return false;
    }
    let p = given.clamp(0.5 / n, 1.0 - 0.5 / n);
    (given - all).abs() > 2.0 * (p * (1.0 - p) / n).sqrt()
}

/// The model of ordinary days, as the report names it.
fn model_info(p: &Prepared, lang: Lang) -> ModelInfo {
    let (kind, name, weights) = match (&p.baseline, lang) {
        (BaselineOut::Stack { weights, .. }, Lang::Ja) => (
            "stack",
            "GBM・GARCH(1,1)-t・フィルター付きヒストリカル・シミュレーション・HARをそれぞれモメンタムの有無で組み合わせ、過去の予測成績で加重した混合モデル".to_owned(),
            weights.clone(),
        ),
        (BaselineOut::Stack { weights, .. }, _) => (
            "stack",
            "mix of GBM, GARCH(1,1)-t, filtered historical simulation and HAR, each with and without time-series momentum, weighted by their track record".to_owned(),
            weights.clone(),
        ),
        (BaselineOut::GarchT { .. }, Lang::Ja) => ("garch-t", "GARCH(1,1)-tモデル".to_owned(), Vec::new()),
        (BaselineOut::GarchT { .. }, _) => (
            "garch-t",
            "GARCH(1,1) model with Student's t shocks".to_owned(),
            Vec::new(),
        ),
        (BaselineOut::Gbm { .. }, Lang::Ja) => ("gbm", "幾何ブラウン運動".to_owned(), Vec::new()),
        (BaselineOut::Gbm { .. }, _) => ("gbm", "geometric Brownian motion".to_owned(), Vec::new()),
    };
    ModelInfo {
        kind: kind.into(),
        name,
        fit_from: p.fit_from,
        vol_now_pct: p.vol_now_pct,
        vol_long_run_pct: p.vol_long_run_pct,
        weights,
    }
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

/// The price quantiles on the last simulated day (`horizon` and no quantiles when nothing was
/// simulated).
pub(crate) fn fan_end(results: &Results, horizon: Date) -> FanEnd {
    let end = results.fan.last();
    let q = |g: fn(&aurum_sim::FanPoint) -> f64| end.map_or(f64::NAN, g);
    FanEnd {
        date: end.map_or(horizon, |e| e.date),
        q05: q(|e| e.q05),
        q25: q(|e| e.q25),
        q50: q(|e| e.q50),
        q75: q(|e| e.q75),
        q95: q(|e| e.q95),
    }
}

/// Each target's probabilities as the report prints them: for the stack, recalibrated on its
/// track record (the checkpoints through the horizon's map too, which keeps them in order).
/// Each level has its own map, so the mapped probabilities can come out higher for a higher
/// level; [`coherent`] puts them back in order across levels.
pub(crate) fn headline_targets(
    f: &ScenarioFile,
    p: &Prepared,
    results: &Results,
) -> Vec<TargetOut> {
    let mut out = mapped_targets(f, p, results);
    coherent(&mut out);
    out
}

/// Makes the probabilities of higher levels no higher than those of lower ones (reaching or
/// closing above a higher level implies the lower one), by isotonic regression across levels
/// at each date: only a violation changes anything, and then only the levels involved.
fn coherent(targets: &mut [TargetOut]) {
    let mut order: Vec<usize> = (0..targets.len()).collect();
    order.sort_by(|a, b| targets[*a].level.total_cmp(&targets[*b].level));
    let fix = |targets: &mut [TargetOut],
               get: &dyn Fn(&TargetOut) -> f64,
               set: &dyn Fn(&mut TargetOut, f64)| {
        let y: Vec<f64> = order.iter().map(|j| get(&targets[*j])).collect();
        for (j, v) in order.iter().zip(aurum_stats::non_increasing(&y)) {
            set(&mut targets[*j], v);
        }
    };
    fix(targets, &|t| t.p_touch, &|t, v| t.p_touch = v);
    fix(targets, &|t| t.p_close, &|t, v| t.p_close = v);
    let marks = targets
        .iter()
        .map(|t| t.checkpoints.len())
        .min()
        .unwrap_or(0);
    for i in 0..marks {
        fix(targets, &|t| t.checkpoints[i].p_touch, &|t, v| {
            t.checkpoints[i].p_touch = v
        });
        fix(targets, &|t| t.checkpoints[i].p_close, &|t, v| {
            t.checkpoints[i].p_close = v
        });
    }
}

fn mapped_targets(f: &ScenarioFile, p: &Prepared, results: &Results) -> Vec<TargetOut> {
    let marks = checkpoints(&p.setup.days);
    let recalibrated = p.recalibrate(results);
    results
        .targets
        .iter()
        .zip(&f.targets)
        .enumerate()
        .map(|(j, (t, spec))| {
            let r = recalibrated.get(j);
            let map = |kind: aurum_backtest::EventKind, raw: f64| {
                p.calibrated(kind, t.target, raw).unwrap_or(raw)
            };
            TargetOut {
                level: t.target,
                relative: match spec {
                    Target::Relative(r) => Some(format!("{:+}%", r * 100.0)),
                    Target::Absolute(_) => None,
                },
                distance_pct: (t.target / p.s0 - 1.0) * 100.0,
                p_touch: r.map_or(t.p_touch, |r| r.p_touch),
                p_touch_raw: r.map(|r| r.p_touch_raw),
                p_touch_se: t.p_touch_se,
                p_close: r.map_or(t.p_close_above, |r| r.p_close),
                p_close_raw: r.map(|r| r.p_close_raw),
                p_close_se: t.p_close_above_se,
                first_passage_median: t.first_passage.as_ref().map(|x| x.median),
                checkpoints: marks
                    .iter()
                    .filter_map(|d| t.by_day.iter().find(|x| x.date == *d))
                    .map(|x| Checkpoint {
                        date: x.date,
                        p_touch: map(aurum_backtest::EventKind::Touch, x.p_touch),
                        p_close: map(aurum_backtest::EventKind::Close, x.p_close_above),
                    })
                    .collect(),
            }
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn build(
    f: &aurum_sim::ScenarioFile,
    p: &Prepared,
    rates: &[crate::scenario::BaseRateOut],
    results: &Results,
    without: &[Results],
    bare: &Results,
    meta: &aurum_core::SeriesMeta,
    catalog: &HashMap<String, aurum_events::Event>,
    gpr: Option<GprOut>,
    track_record: Option<TrackRecord>,
    a: &ReportRequest,
) -> Report {
    let marks = checkpoints(&p.setup.days);
    let targets = headline_targets(f, p, results);
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
                base_rate: rates.iter().find(|b| b.scenario == s.id).map(|b| {
                    aurum_report::BaseRate {
                        category: b.category.clone(),
                        category_ja: b.category_ja.clone(),
                        n: b.n,
                        since: b.since,
                        rate_per_year: b.rate_per_year,
                        window_days: b.window_days,
                        p: b.p,
                        p_lo: b.p_lo,
                        p_hi: b.p_hi,
                    }
                }),
                adds_pp: without
                    .get(i)
                    .map_or(0.0, |w| (touch0(results) - touch0(w)) * 100.0),
                p_touch_given: r.p_touch_given.first().copied().unwrap_or(f64::NAN),
                p_touch_given_differs: r
                    .p_touch_given
                    .first()
                    .is_some_and(|g| differs(*g, touch0(results), r.p_happened * a.paths as f64)),
                events: text
                    .events
                    .iter()
                    .filter_map(|id| catalog.get(id))
                    .map(|e| EventOut {
                        id: e.id.clone(),
                        date: e.date,
                        title: e.title_en.clone(),
                        title_ja: e.title_ja.clone(),
                        chart: None,
                    })
                    .collect(),
            }
        })
        .collect();
    let mut analog_cars = p.setup.analogs.clone();
    analog_cars.retain(|_, v| !v.is_empty());
    Report {
        title: f.title.clone(),
        title_ja: f.title_ja.clone(),
        author: f.author.clone(),
        link: a.link.clone(),
        yen: None,
        author_ja: f.author_ja.clone(),
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
        model: model_info(p, a.lang),
        targets,
        checkpoints: marks,
        fan_end: fan_end(results, f.horizon),
        var_5_pct: results.var_5,
        es_5_pct: results.es_5,
        scenarios,
        scenarios_add_pp: (touch0(results) - touch0(bare)) * 100.0,
        gpr,
        track_record,
        review: None,
        risks: None,
        calendar: Vec::new(),
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
                terms: format!("{}。", labels::series_source_ja(meta)),
            },
            SourceOut {
                name: "地政学リスク指数（GPR）".into(),
                terms: "Caldara, D. and M. Iacoviello (2022), \"Measuring Geopolitical Risk\", American Economic Review 112(4), 1194–1225。著者のウェブサイトで公開されているデータで、利用時はこの論文の引用が条件。".into(),
            },
            SourceOut {
                name: "イベント・カタログ".into(),
                terms: "主要な地政学イベントと予定日程の年表。各項目に報道・公式発表などの出所を記載。".into(),
            },
        ],
        _ => vec![
            SourceOut {
                name: meta.name.clone(),
                terms: format!("{}.", meta.source),
            },
            SourceOut {
                name: "Geopolitical Risk index".into(),
                terms: "Caldara, D. and M. Iacoviello (2022), \"Measuring Geopolitical Risk\", American Economic Review 112(4), 1194–1225; data published on the authors' website, to be cited as such.".into(),
            },
            SourceOut {
                name: "Event catalog".into(),
                terms: "a dated record of major geopolitical events and scheduled dates; each entry names its source (news reports, official releases).".into(),
            },
        ],
    }
}

/// Troy ounces in a gram's reciprocal: grams per troy ounce.
const GRAMS_PER_OUNCE: f64 = 31.103_476_8;

/// Gold in yen per gram as of the file's date (the bundled series: LBMA PM × USD/JPY ÷
/// 31.1034768), and each target at that day's USD/JPY.
fn yen(store: &Store, f: &ScenarioFile, targets: &[TargetOut]) -> AppResult<aurum_report::YenOut> {
    let window = Window::as_of(Some(f.as_of));
    let last = |id: &str| -> AppResult<(Date, f64)> {
        closes(store, &SeriesId::new(id)?, &window)?
            .values
            .last()
            .copied()
            .ok_or_else(|| {
                AppError::not_found(format!("{id} has no value on or before {}", f.as_of))
            })
    };
    let (date, per_gram) = last("gold-jpy-gram")?;
    let (_, usdjpy) = last("usdjpy")?;
    Ok(aurum_report::YenOut {
        date,
        per_gram,
        usdjpy,
        targets_per_gram: targets
            .iter()
            .map(|t| t.level * usdjpy / GRAMS_PER_OUNCE)
            .collect(),
    })
}

/// The monthly GPR index at `as_of` against its history since 1985, and gold's weekly
/// sensitivity to the threats component.
fn gpr_now(store: &Store, as_of: Date) -> AppResult<GprOut> {
    let since = aurum_core::date(1985, 1, 1);
    let window = Window {
        from: Some(since),
        to: None,
        as_of: Some(as_of),
    };
    let monthly = closes(store, &SeriesId::new("gpr")?, &window)?.values;
    let &(date, value) = monthly
        .last()
        .ok_or_else(|| AppError::not_found("no GPR value before as_of"))?;
    let below = monthly.iter().filter(|(_, v)| *v <= value).count();
    let mean = monthly.iter().map(|(_, v)| v).sum::<f64>() / monthly.len() as f64;
    let (_, ols) = crate::sensitivity::weekly_gold_on_threats(store, &window, &[])?;
    let effect = gpr::effect(&ols, Measure::Change, GprComponent::Threats, Lang::En);
    let (beta_pct, ci_low_pct, ci_high_pct) = (effect.pct, effect.ci_low, effect.ci_high);
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
/// events at the targets' distances from today's price: for the stack, the record its
/// weights and maps were fitted on.
fn track_record(
    store: &mut Store,
    f: &ScenarioFile,
    p: &Prepared,
    record: &RecordSettings,
    track_record_from: Date,
    lang: Lang,
    progress: &dyn Progress,
) -> AppResult<Option<TrackRecord>> {
    let (fit_years, model, lang_name) = match f.baseline {
        aurum_sim::Baseline::Stack { fit_years } => (
            fit_years,
            ModelKind::Stack,
            match lang {
                Lang::Ja => "8モデルのスタック",
                _ => "the stack of eight models",
            },
        ),
        aurum_sim::Baseline::GarchT { fit_years } => {
            (fit_years, ModelKind::GARCH_T, "GARCH(1,1)-t")
        }
        aurum_sim::Baseline::Gbm { .. } => return Ok(None),
    };
    let mut job = record_job(f, p.s0, p.setup.days.len(), fit_years, record)?;
    job.window.from = Some(track_record_from);
    if model != ModelKind::Stack {
        job.cfg.models = vec![ModelKind::GBM, model];
    }
    // The stack's record was run to fit it; the report shows that same record.
    let bt = match &p.record {
        Some(r) if model == ModelKind::Stack && r.from == Some(track_record_from) => r.clone(),
        _ => crate::backtest::run(store, &job, progress)?,
    };
    let find = |m: ModelKind| bt.summary.scores.iter().find(|s| s.model == m);
    let (Some(g), Some(base)) = (find(model), find(ModelKind::GBM)) else {
        return Ok(None);
    };
    let bins: Vec<TrackBin> = g
        .brier
        .bins
        .iter()
        .map(|b| TrackBin {
            lo: b.lo,
            hi: b.hi,
            n: b.n,
            forecast: b.mean_forecast,
            observed: b.observed,
            se: b.se,
        })
        .collect();
    Ok(Some(TrackRecord {
        model: lang_name.into(),
        horizon: g.horizon,
        n: g.n,
        from: g.first_origin.unwrap_or(track_record_from),
        to: g.last_origin.unwrap_or(f.as_of),
        coverage_90: g.coverage.get(2).map_or(f64::NAN, |c| c.rate),
        coverage_50: g.coverage.first().map_or(f64::NAN, |c| c.rate),
        crps_skill_pct: g.skill.as_ref().map_or(f64::NAN, |s| s.crps * 100.0),
        brier: g.brier.bs,
        brier_baseline: base.brier.bs,
        // The test runs on the origins both models scored; it speaks for the pooled scores
        // only when its difference leans the same way.
        brier_p: g
            .skill
            .as_ref()
            .filter(|k| k.baseline == ModelKind::GBM)
            .and_then(|k| k.brier_dm.as_ref())
            .filter(|d| (d.mean < 0.0) == (g.brier.bs < base.brier.bs))
            .map(|d| d.p),
        calibrated: g.calibrated,
        independent_n: g.independent_n,
        judged: g.independent_n >= aurum_backtest::JUDGE_MIN,
        small_too_small: bins.first().is_some_and(TrackBin::too_low),
        large_too_large: bins.last().is_some_and(TrackBin::too_high),
        bins,
    }))
}

impl Composed {
    /// Writes `results.json`, `report.md`, `report.html`, `post.txt`, `chart-weekly.png`,
    /// `fan.png` and `touch.png` into `dir`, creating it.
    ///
    /// # Errors
    ///
    /// I/O, naming the file.
    pub fn write(&self, dir: &Path) -> AppResult<()> {
        fs_err::create_dir_all(dir)?;
        let write = |name: &str, bytes: &[u8]| -> AppResult<()> {
            fs_err::write(dir.join(name), bytes).map_err(|e| {
                AppError::internal(format!("writing {}: {e}", dir.join(name).display()))
            })
        };
        write(
            "results.json",
            (serde_json::to_string_pretty(&self.report)? + "\n").as_bytes(),
        )?;
        write("report.md", self.markdown.as_bytes())?;
        write("report.html", self.html.as_bytes())?;
        write("post.txt", (self.post.clone() + "\n").as_bytes())?;
        write(
            "chart-weekly.png",
            &aurum_chart::svg_to_png(&self.weekly_svg)?,
        )?;
        write("fan.png", &aurum_chart::svg_to_png(&self.fan_svg)?)?;
        write("touch.png", &aurum_chart::svg_to_png(&self.touch_svg)?)?;
        Ok(())
    }
}

/// Browsers that can print a page to PDF, in the order tried.
const BROWSERS: [&str; 4] = [
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
];

/// Longest a browser may take to print the report.
const PDF_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(90);

/// Prints `dir/report.html` to `dir/report.pdf` (A4, as the page's print style sets it) with
/// headless Chromium, which embeds the fonts it uses (Japanese included).
///
/// # Errors
///
/// No Chromium on the path (said how to install it), a browser that fails or takes longer than
/// 90 s, or a PDF that did not appear.
pub fn print_pdf(dir: &Path) -> AppResult<std::path::PathBuf> {
    let html = fs_err::canonicalize(dir.join("report.html"))
        .map_err(|e| AppError::internal(format!("report.html: {e}")))?;
    let pdf = html.with_file_name("report.pdf");
    let _ = fs_err::remove_file(&pdf);
    let mut last_error = None;
    for browser in BROWSERS {
        // The page is aurum's own file, which forbids scripts; the sandbox cannot start as
        // root in containers, where reports are often made.
        let child = std::process::Command::new(browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-pdf-header-footer",
                &format!("--print-to-pdf={}", pdf.display()),
                &format!("file://{}", html.display()),
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
        let mut child = match child {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => {
                last_error = Some(format!("{browser}: {e}"));
                continue;
            }
        };
        let started = std::time::Instant::now();
        let status = loop {
            match child.try_wait() {
                Ok(Some(s)) => break Ok(s),
                Ok(None) if started.elapsed() > PDF_TIMEOUT => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break Err(format!(
                        "{browser} took longer than {} s",
                        PDF_TIMEOUT.as_secs()
                    ));
                }
                Ok(None) => std::thread::sleep(std::time::Duration::from_millis(50)),
                Err(e) => break Err(format!("{browser}: {e}")),
            }
        };
        match status {
            Ok(s) if s.success() && pdf.is_file() => return Ok(pdf),
            Ok(s) => {
                last_error = Some(format!(
                    "{browser} exited with {s} without writing {}",
                    pdf.display()
                ))
            }
            Err(e) => last_error = Some(e),
        }
    }
    Err(AppError::internal(last_error.unwrap_or_else(|| {
        "printing to PDF needs Chromium (e.g. `apt-get install chromium` or Google Chrome); none was found on the path".to_owned()
    })))
}

#[cfg(test)]
mod tests {
    use super::differs;

    #[test]
    fn a_conditional_share_differs_only_beyond_its_monte_carlo_error() {
        // 240 paths at 96% against 89%: the error is 1.3 points, the gap 7.
        assert!(differs(0.96, 0.89, 240.0));
        // 1,800 paths at 89.5% against 89%: within 0.7 points.
        assert!(!differs(0.895, 0.89, 1800.0));
        // 10 paths all touching: 100% is not certain from ten.
        assert!(!differs(1.0, 0.89, 10.0));
        assert!(!differs(f64::NAN, 0.5, 100.0));
        assert!(!differs(0.9, 0.5, 0.0));
    }

    use super::*;

    fn target(level: f64, touch: &[f64], close: f64) -> TargetOut {
        TargetOut {
            level,
            relative: None,
            distance_pct: 0.0,
            p_touch: *touch.last().unwrap(),
            p_touch_raw: None,
            p_touch_se: 0.0,
            p_close: close,
            p_close_raw: None,
            p_close_se: 0.0,
            first_passage_median: None,
            checkpoints: touch
                .iter()
                .map(|p| Checkpoint {
                    date: aurum_core::date(2025, 3, 31),
                    p_touch: *p,
                    p_close: close,
                })
                .collect(),
        }
    }

    #[test]
    fn higher_levels_never_get_higher_probabilities() {
        // Given out of order (3,220 before 3,000), with the 3,220 map above 3,200's early on.
        let mut t = vec![
            target(3220.0, &[0.015, 0.45], 0.30),
            target(3000.0, &[0.30, 0.85], 0.61),
            target(3200.0, &[0.013, 0.49], 0.31),
        ];
        coherent(&mut t);
        // The violating pair is pooled; the others are left as they were.
        assert!((t[0].checkpoints[0].p_touch - 0.014).abs() < 1e-12);
        assert!((t[2].checkpoints[0].p_touch - 0.014).abs() < 1e-12);
        assert_eq!(t[1].checkpoints[0].p_touch, 0.30);
        assert_eq!((t[0].p_touch, t[2].p_touch), (0.45, 0.49));
        assert_eq!((t[0].p_close, t[2].p_close), (0.30, 0.31));
    }
}
