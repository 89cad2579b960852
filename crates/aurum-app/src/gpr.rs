//! Gold and the Geopolitical Risk index: regressions, imports of the authors' files, and an
//! index built from the user's own news.

use std::path::{Path, PathBuf};

use aurum_core::{Date, Frequency, Lang, SeriesId, Unit};
use aurum_risk::{Control, ControlKind, GprInput, Measure, OlsResult, RollingPoint};
use aurum_store::Store;
use serde::Serialize;

use crate::data::{Closes, closes};
use crate::vol::by_name;
use crate::{AppError, AppResult, Progress, Window, now};

/// Which part of the GPR index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GprComponent {
    /// The whole index.
    Total,
    /// Threats (war threats, nuclear threats, military build-ups…).
    Threats,
    /// Acts (outbreaks of war, terrorist acts, escalations…).
    Acts,
}

impl std::str::FromStr for GprComponent {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "total" => Ok(Self::Total),
            "threats" => Ok(Self::Threats),
            "acts" => Ok(Self::Acts),
            _ => Err(format!("{s:?}: expected total, threats or acts")),
        }
    }
}

/// The GPR series id for a frequency and component.
#[must_use]
pub fn gpr_id(freq: Frequency, c: GprComponent) -> &'static str {
    match (freq, c) {
        (Frequency::Monthly, GprComponent::Total) => "gpr",
        (Frequency::Monthly, GprComponent::Threats) => "gpr-threats",
        (Frequency::Monthly, GprComponent::Acts) => "gpr-acts",
        (_, GprComponent::Total) => "gpr-daily",
        (_, GprComponent::Threats) => "gpr-daily-threats",
        (_, GprComponent::Acts) => "gpr-daily-acts",
    }
}

/// The GPR coefficient as an effect on gold, in words, with its 95% interval.
#[derive(Clone, Debug, Serialize)]
pub struct Effect {
    /// The sentence.
    pub text: String,
    /// Gold's move, percent, for a 100-point rise (a 10% rise for log changes).
    pub pct: f64,
    /// Lower end of the 95% interval.
    pub ci_low: f64,
    /// Upper end of the 95% interval.
    pub ci_high: f64,
}

/// The effect of the GPR coefficient in words, with its 95% interval.
#[must_use]
pub fn effect(ols: &OlsResult, measure: Measure, component: GprComponent, lang: Lang) -> Effect {
    let (b, se) = (ols.beta[1], ols.se[1]);
    // Scale: a 100-point move of the index, or a 10% (10 log points) rise for log changes.
    let scale = if measure == Measure::LogChange {
        10.0
    } else {
        100.0
    };
    let (e, lo, hi) = (b * scale, (b - 1.96 * se) * scale, (b + 1.96 * se) * scale);
    let comp_en = match component {
        GprComponent::Total => "GPR",
        GprComponent::Threats => "GPR threats",
        GprComponent::Acts => "GPR acts",
    };
    let comp_ja = match component {
        GprComponent::Total => "地政学リスク指数（GPR）",
        GprComponent::Threats => "GPRの「脅威」指数",
        GprComponent::Acts => "GPRの「行為」指数",
    };
    let text = match (lang, measure) {
        (Lang::En, Measure::LogChange) => format!(
            "a 10% rise in {comp_en} goes with a {e:+.2}% move in gold in the same period (95% CI {lo:+.2}% to {hi:+.2}%)"
        ),
        (Lang::En, Measure::Shock) => format!(
            "an unexpected 100-point rise in {comp_en} goes with a {e:+.2}% move in gold (95% CI {lo:+.2}% to {hi:+.2}%)"
        ),
        (Lang::En, _) => format!(
            "a 100-point rise in {comp_en} goes with a {e:+.2}% move in gold (95% CI {lo:+.2}% to {hi:+.2}%)"
        ),
        (Lang::Ja, Measure::LogChange) => format!(
            "{comp_ja}が10%上昇すると、同じ期間の金価格は{e:+.2}%変化する傾向がある（95%信頼区間 {lo:+.2}%〜{hi:+.2}%）"
        ),
        (Lang::Ja, _) => format!(
            "{comp_ja}が100ポイント上昇すると、金価格は{e:+.2}%変化する傾向がある（95%信頼区間 {lo:+.2}%〜{hi:+.2}%）"
        ),
    };
    Effect {
        text,
        pct: e,
        ci_low: lo,
        ci_high: hi,
    }
}

/// `series`' returns on a GPR component over `window`, aligned at `freq` and measured as
/// `measure`, with `controls` (rates as differences, prices as log changes). Returns the GPR
/// series used and the design.
///
/// # Errors
///
/// Unknown series; daily components with zero days under a log measure (said how to avoid,
/// naming `measure`).
pub fn design(
    store: &Store,
    series: &SeriesId,
    freq: Frequency,
    measure: Measure,
    component: GprComponent,
    window: &Window,
    controls: &[SeriesId],
) -> AppResult<(SeriesId, aurum_risk::Design)> {
    let gold = closes(store, series, window)?.values;
    let gpr_series = SeriesId::new(gpr_id(freq, component))?;
    let gpr = closes(store, &gpr_series, window)?.values;
    let mut control_levels = Vec::new();
    for id in controls {
        let Closes {
            unit, values: v, ..
        } = closes(store, id, window)?;
        control_levels.push((
            id.to_string(),
            v,
            if unit == Unit::Percent {
                ControlKind::Difference
            } else {
                ControlKind::LogChange
            },
        ));
    }
    let controls: Vec<Control<'_>> = control_levels
        .iter()
        .map(|(n, v, k)| Control {
            name: n.clone(),
            levels: v,
            kind: *k,
        })
        .collect();
    let input = if freq == Frequency::Monthly {
        GprInput::Monthly(&gpr)
    } else {
        GprInput::Daily(&gpr)
    };
    let d = match aurum_risk::design(&gold, input, &controls, freq, measure) {
        Err(e @ aurum_risk::RiskError::NonPositive { .. }) => {
            return Err(AppError::bad(
                "measure",
                format!(
                    "{e}; daily GPR components have days at 0: use `measure` change or level, or `freq` weekly"
                ),
            ));
        }
        other => other?,
    };
    Ok((gpr_series, d))
}

/// A regression of gold's returns on the GPR index.
#[derive(Clone, Debug)]
pub struct GprRequest {
    /// Gold series (returns are 100 × log changes of its closes).
    pub series: SeriesId,
    /// Period of the regression.
    pub freq: Frequency,
    /// How GPR enters.
    pub measure: Measure,
    /// Component of the index.
    pub component: GprComponent,
    /// Control series, as changes.
    pub controls: Vec<SeriesId>,
    /// The sample's dates and as-of date.
    pub window: Window,
    /// Newey–West lags (default ⌊4 (n/100)^{2/9}⌋).
    pub maxlags: Option<usize>,
    /// Quantiles for the quantile regressions.
    pub quantiles: Vec<f64>,
    /// Rolling regressions over this many periods.
    pub rolling: Option<usize>,
    /// Language of the sentence.
    pub lang: Lang,
}

/// OLS estimates with Newey–West errors.
#[derive(Clone, Debug, Serialize)]
pub struct OlsOut {
    /// Coefficients by regressor.
    pub beta: std::collections::BTreeMap<String, f64>,
    /// HAC standard errors.
    pub se: std::collections::BTreeMap<String, f64>,
    /// t statistics.
    pub t: std::collections::BTreeMap<String, f64>,
    /// p-values.
    pub p: std::collections::BTreeMap<String, f64>,
    /// Classic standard errors.
    pub se_nonrobust: std::collections::BTreeMap<String, f64>,
    /// R².
    pub r2: f64,
    /// Adjusted R².
    pub r2_adj: f64,
    /// Observations.
    pub n: usize,
    /// Newey–West lags.
    pub maxlags: usize,
}

/// One quantile regression.
#[derive(Clone, Debug, Serialize)]
pub struct QuantOut {
    /// The quantile.
    pub tau: f64,
    /// Coefficients by regressor.
    pub beta: std::collections::BTreeMap<String, f64>,
    /// Standard errors.
    pub se: std::collections::BTreeMap<String, f64>,
    /// t statistics.
    pub t: std::collections::BTreeMap<String, f64>,
    /// p-values.
    pub p: std::collections::BTreeMap<String, f64>,
    /// IRLS iterations.
    pub iterations: usize,
}

/// What a GPR regression found.
#[derive(Clone, Debug, Serialize)]
pub struct GprReport {
    /// Gold series.
    pub series: String,
    /// The GPR series used.
    pub gpr_series: String,
    /// Period.
    pub freq: Frequency,
    /// Measure of GPR.
    pub measure: Measure,
    /// Component.
    pub component: GprComponent,
    /// Controls.
    pub controls: Vec<String>,
    /// As-of date.
    pub as_of: Option<Date>,
    /// Observations.
    pub n: usize,
    /// First period.
    pub first: Option<Date>,
    /// Last period.
    pub last: Option<Date>,
    /// OLS.
    pub ols: OlsOut,
    /// Quantile regressions.
    pub quantiles: Vec<QuantOut>,
    /// The GPR coefficient in words.
    pub effect: Effect,
    /// Rolling betas.
    pub rolling: Option<Vec<RollingPoint>>,
    /// Regressor names, in the order of the design.
    #[serde(skip)]
    pub names: Vec<String>,
}

/// Regresses gold's returns on the GPR index.
///
/// # Errors
///
/// Quantiles outside (0, 1), unknown series, a sample too short.
pub fn regress(store: &Store, a: &GprRequest) -> AppResult<GprReport> {
    if let Some(q) = a.quantiles.iter().find(|q| !(**q > 0.0 && **q < 1.0)) {
        return Err(AppError::bad(
            "quantiles",
            format!("`quantiles` {q}: expected values between 0 and 1"),
        ));
    }
    let (gpr_series, d) = design(
        store,
        &a.series,
        a.freq,
        a.measure,
        a.component,
        &a.window,
        &a.controls,
    )?;
    let ols = aurum_risk::ols_hac(&d, a.maxlags)?;
    let quantiles = a
        .quantiles
        .iter()
        .map(|q| {
            let q = aurum_risk::quantreg(&d, *q)?;
            Ok(QuantOut {
                tau: q.tau,
                beta: by_name(&ols.names, &q.beta),
                se: by_name(&ols.names, &q.se),
                t: by_name(&ols.names, &q.t),
                p: by_name(&ols.names, &q.p),
                iterations: q.iterations,
            })
        })
        .collect::<AppResult<_>>()?;
    let rolling = a
        .rolling
        .map(|w| aurum_risk::rolling(&d, w, a.maxlags))
        .transpose()?;
    Ok(GprReport {
        series: a.series.to_string(),
        gpr_series: gpr_series.to_string(),
        freq: a.freq,
        measure: a.measure,
        component: a.component,
        controls: a.controls.iter().map(ToString::to_string).collect(),
        as_of: a.window.as_of,
        n: ols.n,
        first: d.labels.first().copied(),
        last: d.labels.last().copied(),
        effect: effect(&ols, a.measure, a.component, a.lang),
        ols: OlsOut {
            beta: by_name(&ols.names, &ols.beta),
            se: by_name(&ols.names, &ols.se),
            t: by_name(&ols.names, &ols.t),
            p: by_name(&ols.names, &ols.p),
            se_nonrobust: by_name(&ols.names, &ols.se_nonrobust),
            r2: ols.r2,
            r2_adj: ols.r2_adj,
            n: ols.n,
            maxlags: ols.maxlags,
        },
        quantiles,
        rolling,
        names: ols.names.clone(),
    })
}

/// Builds a GPR-style index from the user's news.
#[derive(Clone, Debug)]
pub struct BuildRequest {
    /// A folder of text files named `YYYY-MM-DD…`, or a `.jsonl` file.
    pub corpus: PathBuf,
    /// Language of the corpus and of the bundled dictionary.
    pub lang: Lang,
    /// The user's own dictionary (TOML).
    pub dictionary: Option<PathBuf>,
    /// Period of the index.
    pub freq: Frequency,
    /// Base period normalised to 100 (default: all periods).
    pub base: Option<(Date, Date)>,
    /// Ignore articles dated after this day.
    pub as_of: Option<Date>,
    /// Store the index as this series.
    pub save: Option<SeriesId>,
}

/// Parses a base period `FROM,TO`.
///
/// # Errors
///
/// Anything else, naming `base`.
pub fn parse_base(text: &str) -> AppResult<(Date, Date)> {
    let bad = || AppError::bad("base", format!("`base` {text:?}: expected FROM,TO dates"));
    let (f, t) = text.split_once(',').ok_or_else(bad)?;
    Ok((
        f.trim().parse().map_err(|_| bad())?,
        t.trim().parse().map_err(|_| bad())?,
    ))
}

/// Reads a corpus: a `.jsonl` file or a folder of files named `YYYY-MM-DD…`.
fn read_corpus(
    path: &Path,
    as_of: Option<Date>,
    progress: &dyn Progress,
) -> AppResult<Vec<aurum_risk::Article>> {
    let bad = |m: String| AppError::bad("corpus", m);
    let mut out = Vec::new();
    let mut skipped_links: Vec<String> = Vec::new();
    if path.is_dir() {
        let mut stack = vec![path.to_path_buf()];
        while let Some(dir) = stack.pop() {
            let mut entries: Vec<_> = fs_err::read_dir(&dir)?.collect::<Result<_, _>>()?;
            entries.sort_by_key(fs_err::DirEntry::path);
            for e in entries {
                let p = e.path();
                // Folders are entered only when they are real folders: a link to a folder
                // can loop (a link to its own parent), so links are read only when they
                // point at files.
                let linked = e.file_type().is_ok_and(|t| t.is_symlink());
                if p.is_dir() {
                    if linked {
                        skipped_links.push(p.display().to_string());
                    } else {
                        stack.push(p);
                    }
                    continue;
                }
                let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                if name.starts_with('.') {
                    continue;
                }
                let date: Date = name.get(..10).and_then(|d| d.parse().ok()).ok_or_else(|| {
                    bad(format!(
                        "{}: the file name must begin with its date, YYYY-MM-DD",
                        p.display()
                    ))
                })?;
                let text = crate::input::read_text("corpus", &p, crate::input::MAX_TEXT_BYTES)?;
                out.push(aurum_risk::Article { date, text });
            }
        }
    } else {
        let file = path.display().to_string();
        let text = crate::input::read_text("corpus", path, crate::input::MAX_TEXT_BYTES)?;
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let v: serde_json::Value = serde_json::from_str(line).map_err(|e| {
                bad(format!(
                    "{file}:{}: expected a JSON object {{\"date\": …, \"text\": …}}: {e}",
                    i + 1
                ))
            })?;
            let date = v["date"]
                .as_str()
                .and_then(aurum_ingest::parse_date)
                .ok_or_else(|| {
                    bad(format!(
                        "{file}:{}: field \"date\": expected YYYY-MM-DD, found {}",
                        i + 1,
                        v["date"]
                    ))
                })?;
            let body = v["text"].as_str().ok_or_else(|| {
                bad(format!(
                    "{file}:{}: field \"text\": expected a string, found {}",
                    i + 1,
                    v["text"]
                ))
            })?;
            let title = v["title"].as_str().unwrap_or("");
            out.push(aurum_risk::Article {
                date,
                text: format!("{title}\n{body}"),
            });
        }
    }
    for l in &skipped_links {
        progress.note(&format!("note: {l}: a link to a folder, not followed"));
    }
    if let Some(d) = as_of {
        out.retain(|a| a.date <= d);
    }
    Ok(out)
}

/// Builds the index; with `save`, stores it as a series (changed values kept as revisions).
///
/// # Errors
///
/// An unreadable corpus or dictionary, a dictionary in another language, the store.
pub fn build(
    store: Option<&mut Store>,
    a: &BuildRequest,
    progress: &dyn Progress,
) -> AppResult<Vec<aurum_risk::IndexRow>> {
    let dict = match &a.dictionary {
        Some(p) => aurum_risk::Dictionary::parse(
            &p.display().to_string(),
            &crate::input::read_text("dictionary", p, crate::input::MAX_TEXT_BYTES)?,
        )?,
        None => aurum_risk::Dictionary::bundled(a.lang),
    };
    if dict.lang != a.lang {
        return Err(AppError::bad(
            "lang",
            format!(
                "the dictionary is for language {}, but `lang` is {}",
                dict.lang, a.lang
            ),
        ));
    }
    progress.start("reading and classifying the corpus", None);
    let rows = read_corpus(&a.corpus, a.as_of, progress)
        .and_then(|articles| Ok(aurum_risk::news_index(&articles, &dict, a.freq, a.base)?));
    progress.finish();
    let rows = rows?;
    if let (Some(id), Some(store)) = (&a.save, store) {
        let meta = store.series(id)?.unwrap_or_else(|| aurum_core::SeriesMeta {
            id: id.clone(),
            name: format!("News geopolitical risk index ({})", a.lang),
            unit: Unit::IndexPoints,
            currency: None,
            source: format!("aurum news index of {}", a.corpus.display()),
        });
        let bars = rows
            .iter()
            .filter(|r| r.index.is_finite())
            .map(|r| aurum_core::Bar::close_only(r.period, r.index))
            .collect();
        let r = store.import(
            &[aurum_store::ImportBatch {
                meta,
                bars,
                origin: a.corpus.display().to_string(),
            }],
            now(),
        )?;
        progress.note(&format!(
            "saved as {id}: {} new, {} changed",
            r[0].new, r[0].changed
        ));
    }
    Ok(rows)
}

/// What an import of the authors' file did to one series.
#[derive(Clone, Debug, Serialize)]
pub struct ImportRow {
    /// The series.
    pub series: String,
    /// Dates new to the store.
    pub new: u64,
    /// Revised values (the old ones are kept).
    pub changed: u64,
    /// Values already held.
    pub unchanged: u64,
}

/// Imports the index authors' CSV or workbook (monthly or daily) in one transaction; revised
/// values are kept as revisions.
///
/// # Errors
///
/// An unreadable file, a file with no GPR column, invalid values, the store.
pub fn import(
    store: &mut Store,
    path: &Path,
    recorded_at: Option<i64>,
    progress: &dyn Progress,
) -> AppResult<Vec<ImportRow>> {
    let file = path.display().to_string();
    crate::input::existing("file", path)?;
    let text = aurum_ingest::read_text(path).map_err(|e| AppError::from(e).or_field("file"))?;
    let table =
        aurum_ingest::gpr::table(&file, &text).map_err(|e| AppError::from(e).or_field("file"))?;
    let batches = batches(store, &file, &table)?;
    let reports = store.import(&batches, recorded_at.unwrap_or_else(now))?;
    let rows: Vec<ImportRow> = reports
        .iter()
        .map(|r| ImportRow {
            series: r.series.to_string(),
            new: r.new,
            changed: r.changed,
            unchanged: r.unchanged,
        })
        .collect();
    note_revisions(progress, rows.iter().map(|r| r.changed).sum());
    Ok(rows)
}

/// What an authors' file (`file` names it, `table` is its text with its index columns) holds:
/// one batch per index column with values, each for its series, the store's or a new one
/// named after the column. Blank cells are the files' layout (the country indices start in
/// 1985, the historical ones in 1900), not warnings; a column with no value at all is
/// skipped.
///
/// # Errors
///
/// Invalid values (naming the file, line and column), the store.
pub(crate) fn batches(
    store: &Store,
    file: &str,
    table: &aurum_ingest::gpr::GprTable,
) -> AppResult<Vec<aurum_store::ImportBatch>> {
    let mut batches = Vec::with_capacity(table.columns.len());
    for col in &table.columns {
        let sid = SeriesId::new(col.series.clone())?;
        let meta = store
            .series(&sid)?
            .unwrap_or_else(|| aurum_core::SeriesMeta {
                id: sid.clone(),
                name: format!("Geopolitical Risk, {}", col.header),
                unit: Unit::IndexPoints,
                currency: None,
                source: "Caldara and Iacoviello (2022), Measuring Geopolitical Risk".into(),
            });
        let parsed = match aurum_ingest::parse(file, table.csv.as_bytes(), &col.parse_options()) {
            Ok(p) => p,
            // A column with no value at all (a country not covered in a daily file).
            Err(aurum_ingest::IngestError::Empty { .. }) => continue,
            Err(e) => return Err(e.into()),
        };
        batches.push(aurum_store::ImportBatch {
            meta,
            bars: parsed.bars,
            origin: file.to_owned(),
        });
    }
    Ok(batches)
}

/// Says how many values the authors revised, when any.
pub(crate) fn note_revisions(progress: &dyn Progress, changed: u64) {
    if changed > 0 {
        progress.note(&format!(
            "note: {changed} revised values; the old ones are kept and shown as of earlier dates"
        ));
    }
}
