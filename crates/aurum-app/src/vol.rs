//! Volatility models: fitting GARCH-family models to a series and forecasting volatility.

use std::collections::BTreeMap;

use aurum_core::{Date, SeriesId};
use aurum_store::Store;
use aurum_vol::{ArchModel, Dist, FitOptions, FitResult, Mean, Simulator, Vol};
use serde::Serialize;

use crate::{AppError, AppResult, Progress, Window};

/// The volatility process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VolKind {
    /// GARCH(p, q).
    Garch,
    /// GJR-GARCH(p, o, q): GARCH with a leverage term.
    Gjr,
    /// EGARCH(p, o, q).
    Egarch,
    /// RiskMetrics EWMA (λ = 0.94), no parameters.
    Ewma,
    /// Constant variance.
    Constant,
}

/// A model to fit and the data to fit it to.
#[derive(Clone, Debug)]
pub struct VolSpec {
    /// Series of prices; the model is fitted to `scale` × log returns.
    pub series: SeriesId,
    /// Volatility process.
    pub kind: VolKind,
    /// Innovation distribution.
    pub dist: Dist,
    /// Mean model.
    pub mean: Mean,
    /// Symmetric ARCH lags.
    pub p: usize,
    /// Asymmetric lags (default 0 for GARCH, 1 for GJR and EGARCH).
    pub o: Option<usize>,
    /// GARCH lags.
    pub q: usize,
    /// Returns are scale × log price changes (100: percent, as arch).
    pub scale: f64,
    /// Starting points to optimise from.
    pub starts: usize,
    /// Dates and as-of date of the data.
    pub window: Window,
}

impl VolSpec {
    /// A GARCH(1,1) of `kind` with a constant mean on percent returns of `series`.
    #[must_use]
    pub fn new(series: SeriesId, kind: VolKind, dist: Dist) -> Self {
        Self {
            series,
            kind,
            dist,
            mean: Mean::Constant,
            p: 1,
            o: None,
            q: 1,
            scale: 100.0,
            starts: 1,
            window: Window::default(),
        }
    }

    /// The model the spec describes.
    #[must_use]
    pub fn model(&self) -> ArchModel {
        let vol = match self.kind {
            VolKind::Garch => Vol::Garch {
                p: self.p,
                o: self.o.unwrap_or(0),
                q: self.q,
            },
            VolKind::Gjr => Vol::Garch {
                p: self.p,
                o: self.o.unwrap_or(1),
                q: self.q,
            },
            VolKind::Egarch => Vol::Egarch {
                p: self.p,
                o: self.o.unwrap_or(1),
                q: self.q,
            },
            VolKind::Ewma => Vol::Ewma { lambda: 0.94 },
            VolKind::Constant => Vol::Constant,
        };
        ArchModel::new(self.mean, vol, self.dist)
    }
}

/// Returns of a series with their dates (the date of each return is its second price).
#[derive(Clone, Debug)]
pub struct Returns {
    /// Series id.
    pub series: SeriesId,
    /// Dates of the returns.
    pub dates: Vec<Date>,
    /// scale × log price changes.
    pub values: Vec<f64>,
}

/// Loads scale × log returns of a series over a window, as of a date.
///
/// # Errors
///
/// A bad scale, an unknown series, non-positive prices.
pub fn returns(store: &Store, spec: &VolSpec) -> AppResult<Returns> {
    if !(spec.scale.is_finite() && spec.scale > 0.0) {
        return Err(AppError::bad(
            "scale",
            format!("`scale` {}: expected a positive number", spec.scale),
        ));
    }
    let bars = store.bars(&spec.series, &spec.window.checked()?.query())?;
    if let Some(b) = bars.iter().find(|b| b.close <= 0.0) {
        return Err(AppError::bad(
            "series",
            format!(
                "{} on {}: price {} is not > 0; log returns need positive prices",
                spec.series, b.date, b.close
            ),
        ));
    }
    Ok(Returns {
        series: spec.series.clone(),
        dates: bars.iter().skip(1).map(|b| b.date).collect(),
        values: bars
            .windows(2)
            .map(|w| spec.scale * (w[1].close.ln() - w[0].close.ln()))
            .collect(),
    })
}

/// A fit with what it was fitted to.
#[derive(Clone, Debug)]
pub struct Fitted {
    /// The model.
    pub model: ArchModel,
    /// Its data.
    pub returns: Returns,
    /// The fit.
    pub fit: FitResult,
    /// What was asked.
    pub spec: VolSpec,
}

/// Fits the model a spec describes.
///
/// # Errors
///
/// As [`returns`], and specifications the model cannot fit.
pub fn fit(store: &Store, spec: &VolSpec, progress: &dyn Progress) -> AppResult<Fitted> {
    let r = returns(store, spec)?;
    let m = spec.model();
    progress.start(
        &format!(
            "fitting {} to {} returns of {}",
            m.vol,
            r.values.len(),
            r.series
        ),
        None,
    );
    let fit = m.fit(
        &r.values,
        &FitOptions {
            starts: spec.starts.max(1),
            ..FitOptions::default()
        },
    );
    progress.finish();
    let fit =
        fit.map_err(|e| AppError::from(e).context(format!("fitting {} to {}", m.vol, r.series)))?;
    for d in &fit.diagnostics {
        progress.note(&format!("note: {d}"));
    }
    Ok(Fitted {
        model: m,
        returns: r,
        fit,
        spec: spec.clone(),
    })
}

/// Values keyed by their names (`{"mu": 0.01, "omega": …}`).
#[must_use]
pub fn by_name(names: &[String], values: &[f64]) -> BTreeMap<String, f64> {
    names.iter().cloned().zip(values.iter().copied()).collect()
}

/// A fit as reported: the estimates with their standard errors and the fit's diagnostics.
#[derive(Clone, Debug, Serialize)]
pub struct VolFitReport {
    /// The series.
    pub series: String,
    /// First return's date.
    pub first_date: Option<Date>,
    /// Last return's date.
    pub last_date: Option<Date>,
    /// The as-of date applied.
    pub as_of: Option<Date>,
    /// Returns are scale × log changes.
    pub scale: f64,
    /// Mean model.
    pub mean: Mean,
    /// Volatility model, e.g. `GARCH(1,1)`.
    pub model: String,
    /// Innovation distribution.
    pub dist: Dist,
    /// Returns fitted.
    pub nobs: usize,
    /// Estimates by name.
    pub params: BTreeMap<String, f64>,
    /// Robust standard errors.
    pub std_err: BTreeMap<String, f64>,
    /// Classic standard errors.
    pub std_err_classic: BTreeMap<String, f64>,
    /// t statistics (robust).
    pub t: BTreeMap<String, f64>,
    /// p-values (robust).
    pub p: BTreeMap<String, f64>,
    /// Log-likelihood.
    pub loglik: f64,
    /// Akaike's criterion.
    pub aic: f64,
    /// Schwarz's criterion.
    pub bic: f64,
    /// Backcast of the variance.
    pub backcast: f64,
    /// Ljung–Box test on squared standardised residuals.
    pub ljung_box: aurum_vol::LjungBox,
    /// How the optimiser stopped.
    pub termination: aurum_vol::Termination,
    /// Warnings as data (boundary estimates, rescaling).
    pub diagnostics: Vec<String>,
    /// Next day's volatility, annualised with 252 days, in percent of the scale (none when
    /// the model cannot be simulated).
    pub vol_now_pct: Option<f64>,
    /// Whether the optimiser converged.
    pub converged: bool,
}

impl Fitted {
    /// The fit as reported.
    #[must_use]
    pub fn report(&self) -> VolFitReport {
        let fit = &self.fit;
        let vol_now_pct = Simulator::new(&self.model, fit, &self.returns.values)
            .ok()
            .map(|sim| (252.0 * sim.next_variance(&sim.initial_state())).sqrt());
        VolFitReport {
            series: self.returns.series.to_string(),
            first_date: self.returns.dates.first().copied(),
            last_date: self.returns.dates.last().copied(),
            as_of: self.spec.window.as_of,
            scale: self.spec.scale,
            mean: self.model.mean,
            model: fit.model.clone(),
            dist: fit.dist,
            nobs: fit.nobs,
            params: by_name(&fit.names, &fit.params),
            std_err: by_name(&fit.names, &fit.std_err),
            std_err_classic: by_name(&fit.names, &fit.std_err_classic),
            t: by_name(&fit.names, &fit.t),
            p: by_name(&fit.names, &fit.p),
            loglik: fit.loglik,
            aic: fit.aic,
            bic: fit.bic,
            backcast: fit.backcast,
            ljung_box: fit.ljung_box.clone(),
            termination: fit.termination.clone(),
            diagnostics: fit.diagnostics.clone(),
            vol_now_pct,
            converged: fit.termination.converged,
        }
    }
}

/// A volatility forecast to make.
#[derive(Clone, Debug)]
pub struct ForecastRequest {
    /// The model and its data.
    pub spec: VolSpec,
    /// Trading days ahead.
    pub horizon: usize,
    /// Paths for simulated forecasts (EGARCH).
    pub paths: usize,
    /// Seed for simulated forecasts.
    pub seed: u64,
}

/// One day of a forecast.
#[derive(Clone, Debug, Serialize)]
pub struct ForecastRow {
    /// Trading days ahead.
    pub horizon: usize,
    /// Variance of that day's return (in the scale's units squared).
    pub variance: f64,
    /// That day's volatility, percent.
    pub daily_vol_pct: f64,
    /// Volatility from now to that day, annualised, percent.
    pub annualised_vol_pct: f64,
}

/// A forecast with its fit.
#[derive(Clone, Debug, Serialize)]
pub struct VolForecast {
    /// The fit.
    pub fit: VolFitReport,
    /// Analytic or simulated.
    pub method: &'static str,
    /// Day by day.
    pub forecast: Vec<ForecastRow>,
    /// First date of the forecast origin (the last return's date).
    #[serde(skip)]
    pub origin: Option<Date>,
}

/// Fits, then forecasts volatility day by day to the horizon.
///
/// # Errors
///
/// A horizon outside 1 to 2520 trading days, and as [`fit`].
pub fn forecast(
    store: &Store,
    req: &ForecastRequest,
    progress: &dyn Progress,
) -> AppResult<VolForecast> {
    if req.horizon == 0 || req.horizon > 2520 {
        return Err(AppError::bad(
            "horizon",
            format!("`horizon` {}: expected 1 to 2520 trading days", req.horizon),
        ));
    }
    let f = fit(store, &req.spec, progress)?;
    let sim = Simulator::new(&f.model, &f.fit, &f.returns.values)?;
    let fc = sim.forecast(req.horizon, req.paths, req.seed);
    let ann = fc.annualised(252.0);
    // Volatility in percent per year, whatever the scale was.
    let to_pct = 100.0 / req.spec.scale;
    let forecast = fc
        .variance
        .iter()
        .zip(&ann)
        .enumerate()
        .map(|(i, (v, an))| ForecastRow {
            horizon: i + 1,
            variance: *v,
            daily_vol_pct: v.sqrt() * to_pct,
            annualised_vol_pct: an * to_pct,
        })
        .collect();
    Ok(VolForecast {
        fit: f.report(),
        method: fc.method,
        forecast,
        origin: f.returns.dates.last().copied(),
    })
}
