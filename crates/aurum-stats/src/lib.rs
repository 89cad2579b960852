//! Numerical building blocks shared by aurum's estimators (volatility models, GPR
//! regressions, event studies, backtests): the inverse of a small dense matrix and ordinary
//! least squares, for the handful of regressors these models have, numpy's sample quantile,
//! and isotonic regression (pool adjacent violators). Pure: no I/O.
//!
//! ```
//! // y = 1 + 2x, exactly.
//! let x = [1.0, 0.0, 1.0, 1.0, 1.0, 2.0];
//! let b = aurum_stats::ols(&x, &[1.0, 3.0, 5.0], 2).unwrap();
//! assert!((b[0] - 1.0).abs() < 1e-12 && (b[1] - 2.0).abs() < 1e-12);
//! ```
#![deny(missing_docs)]
// Index loops mirror the matrix formulas they implement.
#![allow(clippy::needless_range_loop)]

mod isotonic;
mod linalg;
mod quantile;

pub use isotonic::non_increasing;
pub use linalg::{invert, ols, quad, spd_inverse};
pub use quantile::quantile;
