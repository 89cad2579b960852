//! GARCH-family volatility models, after Python's `arch` (Sheppard): a mean model, a
//! volatility process and a standardised distribution, fitted jointly by maximum likelihood.
//!
//! - [`ArchModel`] composes a [`Mean`] (zero, constant, AR(1), optional exogenous
//!   regressors), a [`Vol`] process (constant, GARCH(p, o, q) — GJR when `o > 0` —,
//!   EGARCH(p, o, q), EWMA) and a [`Dist`] (normal, Student's t, Hansen's skewed t, GED).
//!   Parameter names and order are `arch`'s (`mu`, `omega`, `alpha[1]`, `gamma[1]`,
//!   `beta[1]`, `nu`, `eta`, `lambda`).
//! - [`ArchModel::fit`] maximises the likelihood: GARCH(1,1) and GJR-GARCH(1,1,1) with a
//!   constant or zero mean and normal or t innovations by Newton's method with the exact
//!   Hessian on `arch`'s constrained parameters, from variance-targeted starting values;
//!   other models (and these on request, [`Optimizer::Bfgs`]) by BFGS on unconstrained
//!   coordinates that enforce positivity and stationarity (see `transform`), with exact
//!   gradients from forward-mode dual numbers. The variance recursion starts at `arch`'s
//!   backcast. [`FitResult`] carries estimates, robust and classic standard
//!   errors, log-likelihood, AIC/BIC, conditional variances, standardised residuals, a
//!   Ljung–Box test, and the optimiser's [`Termination`] as data.
//! - [`ArchModel::fix`] evaluates given parameters.
//! - [`HarFit`] is Corsi's heterogeneous autoregressive model of the variance on daily
//!   squared returns (daily, weekly and monthly components), fitted by OLS.
//! - [`Simulator`] continues a fitted model of either kind: analytic variance
//!   [`Forecast`]s (simulated for EGARCH), and paths with parametric innovations or
//!   filtered historical simulation ([`Innovations::Bootstrap`]); path `i` draws from
//!   ChaCha8 stream `i` of the seed, so results are identical whatever the thread count.
//!   [`HarPath`] and [`GarchPath`] are its fused loops for HAR and GARCH(1,1).
//! - The fast sampler ([`FastDraws`], [`Table`]): tabulated inverse CDFs of the normal,
//!   Student's t and the GED on one xoshiro256++ stream per path ([`fast_rng`],
//!   [`LaneRng`]), with [`Simulator::draw`] as its exact reference ([`Sampler`]).
//!
//! Pure: no I/O, no clock, no global randomness.
//!
//! ```
//! use aurum_vol::{ArchModel, Dist, FitOptions, Mean, Vol};
//!
//! // A short deterministic series with volatility clustering.
//! let data: Vec<f64> = (0..400).map(|t| {
//!     let calm = (t / 50) % 2 == 0;
//!     let s = if calm { 0.5 } else { 2.0 };
//!     s * ((t * 7919 % 13) as f64 / 6.0 - 1.0)
//! }).collect();
//! let model = ArchModel::new(Mean::Constant, Vol::Garch { p: 1, o: 0, q: 1 }, Dist::Normal);
//! let fit = model.fit(&data, &FitOptions::default()).unwrap();
//! assert_eq!(fit.names, ["mu", "omega", "alpha[1]", "beta[1]"]);
//! assert!(fit.params[2] + fit.params[3] < 1.0);
//! ```
#![deny(missing_docs)]
// Index loops mirror the recursions and matrix formulas they implement.
#![allow(clippy::needless_range_loop)]

mod error;
mod fit;
mod forecast;
mod fused;
mod har;
mod kernel;
mod likelihood;
mod model;
mod newton;
pub mod real;
mod sampler;
mod transform;

pub use error::VolError;
pub use fit::{FitOptions, FitResult, LjungBox, Optimizer, Termination, ljung_box};
pub use forecast::{FastDraws, Forecast, Innovations, Simulator, State, TableCache, path_rng};
pub use fused::{GarchPath, HarPath, ModelPath};
pub use har::{HAR_DAYS, HAR_FLOOR, HAR_LAGS, HAR_MIN_ROWS, HAR_NAMES, HarFit};
pub use model::{ArchModel, Dist, Mean, Prepared, Vol, backcast, variance_bounds};
pub use sampler::{
    CELLS, GoodnessOfFit, LANES, LaneRng, Sampler, Symmetric, Table, fast_rng, goodness_of_fit,
    stream_state, t_cdf,
};

/// Most parameters a model may have (mean + volatility + distribution).
pub const MAX_PARAMS: usize = 12;
