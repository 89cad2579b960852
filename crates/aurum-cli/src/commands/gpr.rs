//! `aurum gpr regress`.

use anyhow::{Context as _, Result, bail};
use aurum_core::{Date, Frequency, SeriesId, Unit};
use aurum_risk::{Control, ControlKind, GprInput, Measure, OlsResult, QuantResult, RollingPoint};
use serde::Serialize;
use serde_json::{Value, json};

use crate::args::{
    Cli, GprBuildArgs, GprCommand, GprComponent, GprImportArgs, GprRegressArgs, OutputFormat,
};
use crate::commands::data::{Closes, closes};
use crate::commands::resolve;
use crate::context::Context;
use crate::output::{Table, by_name, emit, print_json};

pub fn run(ctx: &Context, cli: &Cli, cmd: &GprCommand) -> Result<()> {
    match cmd {
        GprCommand::Regress(a) => regress(ctx, a, resolve(a.format, cli)),
        GprCommand::Import(a) => import(ctx, a, resolve(a.format, cli)),
        GprCommand::Build(a) => build(ctx, a, resolve(a.format, cli)),
    }
}

/// The GPR series id for a frequency and component.
pub(crate) fn gpr_id(freq: Frequency, c: GprComponent) -> &'static str {
    match (freq, c) {
        (Frequency::Monthly, GprComponent::Total) => "gpr",
        (Frequency::Monthly, GprComponent::Threats) => "gpr-threats",
        (Frequency::Monthly, GprComponent::Acts) => "gpr-acts",
        (_, GprComponent::Total) => "gpr-daily",
        (_, GprComponent::Threats) => "gpr-daily-threats",
        (_, GprComponent::Acts) => "gpr-daily-acts",
    }
}

/// The effect of the GPR coefficient in words, with its 95% interval.
pub(crate) fn effect(
    ols: &OlsResult,
    measure: Measure,
    component: GprComponent,
    lang: aurum_core::Lang,
) -> (String, f64, f64, f64) {
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
        (aurum_core::Lang::En, Measure::LogChange) => {
            format!(
                "a 10% rise in {comp_en} goes with a {e:+.2}% move in gold in the same period (95% CI {lo:+.2}% to {hi:+.2}%)"
            )
        }
        (aurum_core::Lang::En, Measure::Shock) => {
            format!(
                "an unexpected 100-point rise in {comp_en} goes with a {e:+.2}% move in gold (95% CI {lo:+.2}% to {hi:+.2}%)"
            )
        }
        (aurum_core::Lang::En, _) => {
            format!(
                "a 100-point rise in {comp_en} goes with a {e:+.2}% move in gold (95% CI {lo:+.2}% to {hi:+.2}%)"
            )
        }
        (aurum_core::Lang::Ja, Measure::LogChange) => {
            format!(
                "{comp_ja}が10%上昇すると、同じ期間の金価格は{e:+.2}%変化する傾向がある（95%信頼区間 {lo:+.2}%〜{hi:+.2}%）"
            )
        }
        (aurum_core::Lang::Ja, _) => {
            format!(
                "{comp_ja}が100ポイント上昇すると、金価格は{e:+.2}%変化する傾向がある（95%信頼区間 {lo:+.2}%〜{hi:+.2}%）"
            )
        }
    };
    (text, e, lo, hi)
}

/// Gold's (or `series`') returns on a GPR component over `window`, aligned at `freq` and
/// measured as `measure`, with `controls` (rates as differences, prices as log changes).
/// Returns the GPR series used and the design.
///
/// # Errors
///
/// Unknown series; daily components with zero days under a log measure (said how to avoid).
pub(crate) fn design(
    store: &aurum_store::Store,
    series: &SeriesId,
    freq: Frequency,
    measure: Measure,
    component: GprComponent,
    window: &crate::args::Window,
    controls: &[SeriesId],
) -> Result<(SeriesId, aurum_risk::Design)> {
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
            bail!(
                "{e}; daily GPR components have days at 0: use --measure change or level, or --freq weekly"
            )
        }
        other => other?,
    };
    Ok((gpr_series, d))
}

fn regress(ctx: &Context, a: &GprRegressArgs, format: OutputFormat) -> Result<()> {
    if let Some(q) = a.quantiles.iter().find(|q| !(**q > 0.0 && **q < 1.0)) {
        bail!("--quantiles {q}: expected values between 0 and 1");
    }
    let store = ctx.open_store()?;
    let window = crate::args::Window {
        from: Some(a.from),
        to: a.to,
        as_of: a.as_of,
    };
    let (gpr_series, d) = design(
        &store,
        &a.series,
        a.freq,
        a.measure,
        a.component,
        &window,
        &a.controls,
    )?;
    let ols = aurum_risk::ols_hac(&d, a.maxlags)?;
    let quantiles: Vec<QuantResult> = a
        .quantiles
        .iter()
        .map(|q| aurum_risk::quantreg(&d, *q))
        .collect::<Result<_, _>>()?;
    let rolling: Option<Vec<RollingPoint>> = a
        .rolling
        .map(|w| aurum_risk::rolling(&d, w, a.maxlags))
        .transpose()?;
    let (sentence, e, lo, hi) = effect(&ols, a.measure, a.component, a.lang);
    if let (Some(path), Some(points)) = (&a.plot, &rolling) {
        super::chart::rolling_beta_plot(points, a, path)?;
        ctx.note(&format!("wrote {}", path.display()));
    }
    let doc = json!({
        "series": a.series.to_string(),
        "gpr_series": gpr_series.to_string(),
        "freq": a.freq,
        "measure": a.measure,
        "component": format!("{:?}", a.component).to_lowercase(),
        "controls": a.controls.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "as_of": a.as_of,
        "n": ols.n,
        "first": d.labels.first(),
        "last": d.labels.last(),
        "ols": {
            "beta": by_name(&ols.names, &ols.beta),
            "se": by_name(&ols.names, &ols.se),
            "t": by_name(&ols.names, &ols.t),
            "p": by_name(&ols.names, &ols.p),
            "se_nonrobust": by_name(&ols.names, &ols.se_nonrobust),
            "r2": ols.r2,
            "r2_adj": ols.r2_adj,
            "n": ols.n,
            "maxlags": ols.maxlags,
        },
        "quantiles": quantiles.iter().map(|q| json!({
            "tau": q.tau,
            "beta": by_name(&ols.names, &q.beta),
            "se": by_name(&ols.names, &q.se),
            "t": by_name(&ols.names, &q.t),
            "p": by_name(&ols.names, &q.p),
            "iterations": q.iterations,
        })).collect::<Vec<_>>(),
        "effect": { "text": sentence, "pct": e, "ci_low": lo, "ci_high": hi },
        "rolling": rolling,
    });
    match format {
        OutputFormat::Json => print_json(&doc),
        OutputFormat::Csv => {
            #[derive(Serialize)]
            struct Row<'a> {
                estimator: String,
                regressor: &'a str,
                beta: f64,
                se: f64,
                t: f64,
                p: f64,
            }
            let mut rows: Vec<Row<'_>> = (0..ols.names.len())
                .map(|i| Row {
                    estimator: "ols".into(),
                    regressor: &ols.names[i],
                    beta: ols.beta[i],
                    se: ols.se[i],
                    t: ols.t[i],
                    p: ols.p[i],
                })
                .collect();
            for q in &quantiles {
                rows.extend((0..ols.names.len()).map(|i| Row {
                    estimator: format!("quantile {}", q.tau),
                    regressor: &ols.names[i],
                    beta: q.beta[i],
                    se: q.se[i],
                    t: q.t[i],
                    p: q.p[i],
                }));
            }
            emit(format, &rows, Table::default)
        }
        OutputFormat::Table => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            writeln!(
                out,
                "{} returns on {} ({}), {} from {} to {}: {} observations",
                a.series,
                gpr_series,
                a.measure,
                a.freq,
                d.labels
                    .first()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                d.labels.last().map(ToString::to_string).unwrap_or_default(),
                ols.n
            )?;
            writeln!(out)?;
            let mut t = Table::new(&["regressor", "OLS beta", "HAC se", "t", "p"]);
            for i in 0..ols.names.len() {
                t.row(vec![
                    ols.names[i].clone(),
                    format!("{:.5}", ols.beta[i]),
                    format!("{:.5}", ols.se[i]),
                    format!("{:.2}", ols.t[i]),
                    format!("{:.4}", ols.p[i]),
                ]);
            }
            t.write(&mut out)?;
            writeln!(
                out,
                "R² {:.4} (adjusted {:.4}); Newey–West with {} lags",
                ols.r2, ols.r2_adj, ols.maxlags
            )?;
            if !quantiles.is_empty() {
                writeln!(out)?;
                let mut t = Table::new(&["quantile", "beta on gpr", "se", "p", "iterations"]);
                for q in &quantiles {
                    t.row(vec![
                        format!("{}", q.tau),
                        format!("{:.5}", q.beta[1]),
                        format!("{:.5}", q.se[1]),
                        format!("{:.4}", q.p[1]),
                        q.iterations.to_string(),
                    ]);
                }
                t.write(&mut out)?;
            }
            if let Some(r) = &rolling
                && let (Some(first), Some(last)) = (r.first(), r.last())
            {
                writeln!(out)?;
                let max = r.iter().map(|p| p.beta).fold(f64::MIN, f64::max);
                let min = r.iter().map(|p| p.beta).fold(f64::MAX, f64::min);
                writeln!(
                    out,
                    "rolling beta: {} windows, {} to {}; from {min:.5} to {max:.5}, last {:.5}",
                    r.len(),
                    first.end,
                    last.end,
                    last.beta
                )?;
            }
            writeln!(out)?;
            match a.lang {
                aurum_core::Lang::En => writeln!(out, "In words: {sentence}.")?,
                aurum_core::Lang::Ja => writeln!(out, "要約: {sentence}。")?,
            }
            Ok(())
        }
    }
}

/// The series a column of the authors' files feeds, if any.
fn series_of_column(col: &str) -> Option<String> {
    let c = col.trim().to_ascii_uppercase();
    let fixed = match c.as_str() {
        "GPR" => "gpr",
        "GPRT" => "gpr-threats",
        "GPRA" => "gpr-acts",
        "GPRH" => "gpr-hist",
        "GPRHT" => "gpr-hist-threats",
        "GPRHA" => "gpr-hist-acts",
        "GPRD" => "gpr-daily",
        "GPRD_ACT" => "gpr-daily-acts",
        "GPRD_THREAT" => "gpr-daily-threats",
        _ => "",
    };
    if !fixed.is_empty() {
        return Some(fixed.to_owned());
    }
    if let Some(code) = c.strip_prefix("GPRC_") {
        return Some(format!("gpr-country-{}", code.to_ascii_lowercase()));
    }
    c.strip_prefix("GPRHC_")
        .map(|code| format!("gpr-hist-country-{}", code.to_ascii_lowercase()))
}

/// An Excel serial day number (1900 system) as a date.
fn excel_date(serial: f64) -> Option<Date> {
    let days = serial.floor() as i64;
    aurum_core::date(1899, 12, 30).checked_add_signed(chrono::Duration::days(days))
}

/// The first sheet of an XLS/XLSX workbook as CSV text; date cells become YYYY-MM-DD.
fn workbook_csv(path: &std::path::Path) -> Result<String> {
    use calamine::{Data, Reader, open_workbook_auto};
    let mut wb = open_workbook_auto(path)
        .with_context(|| format!("reading the workbook {}", path.display()))?;
    let range = wb
        .worksheet_range_at(0)
        .ok_or_else(|| anyhow::anyhow!("{}: the workbook has no sheet", path.display()))?
        .with_context(|| format!("reading the first sheet of {}", path.display()))?;
    let mut w = csv::Writer::from_writer(Vec::new());
    for (i, row) in range.rows().enumerate() {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(j, c)| match c {
                Data::Empty => String::new(),
                Data::String(s) => s.clone(),
                Data::Float(f) if j == 0 && i > 0 && *f > 10_000.0 && *f < 100_000.0 => {
                    excel_date(*f).map(|d| d.to_string()).unwrap_or_default()
                }
                Data::Float(f) => f.to_string(),
                Data::Int(n) => n.to_string(),
                Data::Bool(b) => b.to_string(),
                Data::DateTime(dt) => excel_date(dt.as_f64())
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                Data::DateTimeIso(s) | Data::DurationIso(s) => s.get(..10).unwrap_or(s).to_owned(),
                Data::Error(_) => String::new(),
            })
            .collect();
        w.write_record(&cells)?;
    }
    Ok(String::from_utf8(
        w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?,
    )?)
}

fn import(ctx: &Context, a: &GprImportArgs, format: OutputFormat) -> Result<()> {
    let mut store = ctx.open_store()?;
    let file = a.file.display().to_string();
    let ext = a
        .file
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let text = match ext.as_deref() {
        Some("xls" | "xlsx" | "xlsm" | "xlsb" | "ods") => workbook_csv(&a.file)?,
        _ => fs_err::read_to_string(&a.file)?,
    };
    let header: Vec<String> = text
        .lines()
        .next()
        .unwrap_or("")
        .split([',', ';', '\t'])
        .map(|h| h.trim().trim_matches('"').to_owned())
        .collect();
    let columns: Vec<(String, String)> = header
        .iter()
        .filter_map(|h| series_of_column(h).map(|id| (h.clone(), id)))
        .collect();
    if columns.is_empty() {
        bail!(
            "{file}: no GPR column (GPR, GPRT, GPRA, GPRD, GPRD_ACT, GPRD_THREAT, GPRC_xxx…) in header {header:?}"
        );
    }
    // The authors name the date column `month` (monthly) or `date`/`DAY` (daily).
    let text = rename_date_column(&text);
    let mut batches = Vec::with_capacity(columns.len());
    for (col, id) in &columns {
        let sid = SeriesId::new(id.clone())?;
        let meta = store
            .series(&sid)?
            .unwrap_or_else(|| aurum_core::SeriesMeta {
                id: sid.clone(),
                name: format!("Geopolitical Risk, {col}"),
                unit: Unit::IndexPoints,
                currency: None,
                source: "Caldara and Iacoviello (2022), Measuring Geopolitical Risk".into(),
            });
        let opts = aurum_ingest::ParseOptions {
            column: Some(col.clone()),
            positive: false,
            ..aurum_ingest::ParseOptions::default()
        };
        let parsed = match aurum_ingest::parse(&file, text.as_bytes(), &opts) {
            Ok(p) => p,
            // A column with no value at all (a country not covered in a daily file).
            Err(aurum_ingest::IngestError::Empty { .. }) => continue,
            Err(e) => return Err(e.into()),
        };
        batches.push(aurum_store::ImportBatch {
            meta,
            bars: parsed.bars,
            origin: file.clone(),
        });
    }
    let at = a
        .recorded_at
        .as_deref()
        .map(super::data::parse_time)
        .transpose()?
        .unwrap_or_else(crate::context::now);
    let reports = store.import(&batches, at)?;
    #[derive(Serialize)]
    struct Row {
        series: String,
        new: u64,
        changed: u64,
        unchanged: u64,
    }
    let rows: Vec<Row> = reports
        .iter()
        .map(|r| Row {
            series: r.series.to_string(),
            new: r.new,
            changed: r.changed,
            unchanged: r.unchanged,
        })
        .collect();
    let changed: u64 = rows.iter().map(|r| r.changed).sum();
    if changed > 0 {
        ctx.note(&format!(
            "note: {changed} revised values; the old ones are kept, visible with --as-of"
        ));
    }
    emit(format, &rows, || {
        let mut t = Table::new(&["series", "new", "changed", "unchanged"]);
        for r in rows
            .iter()
            .filter(|r| r.new + r.changed > 0 || rows.len() <= 12)
        {
            t.row(vec![
                r.series.clone(),
                r.new.to_string(),
                r.changed.to_string(),
                r.unchanged.to_string(),
            ]);
        }
        t
    })
}

/// Names the first column `date` when it is the authors' `month` or `DAY`.
fn rename_date_column(text: &str) -> String {
    let Some((head, rest)) = text.split_once('\n') else {
        return text.to_owned();
    };
    let mut cols: Vec<&str> = head.split(',').collect();
    if let Some(first) = cols.first_mut()
        && matches!(
            first.trim().trim_matches('"').to_ascii_lowercase().as_str(),
            "month" | "day" | "date"
        )
    {
        *first = "date";
    }
    format!("{}\n{rest}", cols.join(","))
}

/// Reads a corpus: a `.jsonl` file or a folder of files named `YYYY-MM-DD…`.
fn read_corpus(path: &std::path::Path, as_of: Option<Date>) -> Result<Vec<aurum_risk::Article>> {
    let mut out = Vec::new();
    if path.is_dir() {
        let mut stack = vec![path.to_path_buf()];
        while let Some(dir) = stack.pop() {
            let mut entries: Vec<_> = fs_err::read_dir(&dir)?.collect::<Result<_, _>>()?;
            entries.sort_by_key(fs_err::DirEntry::path);
            for e in entries {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                    continue;
                }
                let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                if name.starts_with('.') {
                    continue;
                }
                let date: Date = name.get(..10).and_then(|d| d.parse().ok()).ok_or_else(|| {
                    anyhow::anyhow!(
                        "{}: the file name must begin with its date, YYYY-MM-DD",
                        p.display()
                    )
                })?;
                let text = fs_err::read_to_string(&p)?;
                out.push(aurum_risk::Article { date, text });
            }
        }
    } else {
        let file = path.display().to_string();
        let text = fs_err::read_to_string(path)?;
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let v: Value = serde_json::from_str(line).with_context(|| {
                format!(
                    "{file}:{}: expected a JSON object {{\"date\": …, \"text\": …}}",
                    i + 1
                )
            })?;
            let date = v["date"]
                .as_str()
                .and_then(aurum_ingest::parse_date)
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "{file}:{}: field \"date\": expected YYYY-MM-DD, found {}",
                        i + 1,
                        v["date"]
                    )
                })?;
            let body = v["text"].as_str().ok_or_else(|| {
                anyhow::anyhow!(
                    "{file}:{}: field \"text\": expected a string, found {}",
                    i + 1,
                    v["text"]
                )
            })?;
            let title = v["title"].as_str().unwrap_or("");
            out.push(aurum_risk::Article {
                date,
                text: format!("{title}\n{body}"),
            });
        }
    }
    if let Some(d) = as_of {
        out.retain(|a| a.date <= d);
    }
    Ok(out)
}

fn build(ctx: &Context, a: &GprBuildArgs, format: OutputFormat) -> Result<()> {
    let dict = match &a.dictionary {
        Some(p) => {
            aurum_risk::Dictionary::parse(&p.display().to_string(), &fs_err::read_to_string(p)?)?
        }
        None => aurum_risk::Dictionary::bundled(a.lang),
    };
    if dict.lang != a.lang {
        bail!(
            "the dictionary is for language {}, but --lang is {}",
            dict.lang,
            a.lang
        );
    }
    let base = a
        .base
        .as_deref()
        .map(|b| -> Result<(Date, Date)> {
            let (f, t) = b
                .split_once(',')
                .ok_or_else(|| anyhow::anyhow!("--base {b:?}: expected FROM,TO dates"))?;
            Ok((
                f.trim().parse().with_context(|| format!("--base {b:?}"))?,
                t.trim().parse().with_context(|| format!("--base {b:?}"))?,
            ))
        })
        .transpose()?;
    let spinner = ctx.spinner("reading and classifying the corpus");
    let articles = read_corpus(&a.corpus, a.as_of)?;
    let rows = aurum_risk::news_index(&articles, &dict, a.freq, base);
    spinner.finish_and_clear();
    let rows = rows?;
    if let Some(id) = &a.save {
        let mut store = ctx.open_store()?;
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
            crate::context::now(),
        )?;
        ctx.note(&format!(
            "saved as {id}: {} new, {} changed",
            r[0].new, r[0].changed
        ));
    }
    emit(format, &rows, || {
        let mut t = Table::new(&[
            "period", "articles", "matches", "share %", "index", "threats", "acts",
        ]);
        for r in &rows {
            t.row(vec![
                r.period.to_string(),
                r.articles.to_string(),
                r.matches.to_string(),
                format!("{:.1}", r.share),
                format!("{:.1}", r.index),
                format!("{:.1}", r.index_threats),
                format!("{:.1}", r.index_acts),
            ]);
        }
        t
    })
}
