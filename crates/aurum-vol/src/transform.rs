//! The map from unconstrained optimiser coordinates `u` to model parameters `θ`, which
//! enforces what `arch` imposes with SLSQP constraints:
//!
//! - GARCH(p, o, q): `ω = e^{u₀}`; persistence `s = Σα + ½Σγ + Σβ = logistic(u₁)` in (0, 1);
//!   `s` is shared by a softmax among the non-negative components `α_i/2` and `(α_i + γ_i)/2`
//!   (for `i ≤ min(p, o)`), `α_i` (other `i ≤ p`), `γ_i/2` (other `i ≤ o`) and `β_j`. So
//!   `α_i ≥ 0`, `α_i + γ_i ≥ 0`, `β_j ≥ 0` and `s < 1` hold by construction; a boundary
//!   optimum (`α + β = 1`) is approached as `u₁ → ∞`.
//! - EGARCH: `ω`, `α`, `γ` free; `Σβ = logistic(u)` shared by a softmax.
//! - Constant variance: `σ² = e^{u}`.
//! - Student's t: `ν = 2.05 + 497.95 · logistic(u)` (arch's bounds [2.05, 500]);
//!   skew-t: `η` likewise within [2.05, 300], `λ = tanh(u)`; GED: `ν` within [1.01, 500].
//! - Mean parameters are free.

use crate::model::{ArchModel, Dist, Vol};
use crate::real::Real;

/// The components whose softmax shares make up GARCH persistence, as (kind, index):
/// kind 0 = α_i/2 paired with γ_i, 1 = (α_i+γ_i)/2, 2 = lone α_i, 3 = lone γ_i/2, 4 = β_j.
fn garch_components(p: usize, o: usize, q: usize) -> Vec<(u8, usize)> {
    let mut c = Vec::new();
    for i in 0..p {
        if i < o {
            c.push((0, i));
            c.push((1, i));
        } else {
            c.push((2, i));
        }
    }
    for i in p..o {
        c.push((3, i));
    }
    for j in 0..q {
        c.push((4, j));
    }
    c
}

fn softmax<T: Real>(z: &[T]) -> Vec<T> {
    // z[0] is fixed at 0; shift by the largest value for stability.
    let m = z.iter().map(|v| v.val()).fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<T> = z.iter().map(|v| (*v - m).exp()).collect();
    let total = e.iter().fold(T::cst(0.0), |a, b| a + *b);
    e.into_iter().map(|v| v / total).collect()
}

fn bounded<T: Real>(u: T, lo: f64, hi: f64) -> T {
    u.logistic() * (hi - lo) + lo
}

fn unbounded(x: f64, lo: f64, hi: f64) -> f64 {
    let p = ((x - lo) / (hi - lo)).clamp(1e-9, 1.0 - 1e-9);
    (p / (1.0 - p)).ln()
}

fn dist_bounds(dist: Dist) -> (f64, f64) {
    match dist {
        Dist::SkewT => (2.05, 300.0),
        Dist::Ged => (1.01, 500.0),
        _ => (2.05, 500.0),
    }
}

/// `θ(u)`. With `pin`, GARCH persistence (EGARCH `Σβ`) is fixed at exactly 1 and its
/// coordinate ignored: the face of the feasible set where boundary optima lie.
pub fn to_theta<T: Real>(model: &ArchModel, u: &[T], pin: bool) -> Vec<T> {
    let km = model.num_mean();
    let mut th: Vec<T> = u[..km].to_vec();
    let uv = &u[km..km + model.vol.num_params()];
    match model.vol {
        Vol::Constant => th.push(uv[0].exp()),
        Vol::Ewma { .. } => {}
        Vol::Garch { p, o, q } => {
            let comps = garch_components(p, o, q);
            let s = if pin { T::cst(1.0) } else { uv[1].logistic() };
            let mut z = vec![T::cst(0.0)];
            z.extend_from_slice(&uv[2..2 + comps.len() - 1]);
            let w = softmax(&z);
            let mut alpha = vec![T::cst(0.0); p];
            let mut gamma = vec![T::cst(0.0); o];
            let mut beta = vec![T::cst(0.0); q];
            for (&(kind, i), wi) in comps.iter().zip(&w) {
                let c = s * *wi;
                match kind {
                    0 => alpha[i] = c * 2.0,
                    1 => gamma[i] = c * 2.0,
                    2 => alpha[i] = c,
                    3 => gamma[i] = c * 2.0,
                    _ => beta[i] = c,
                }
            }
            // kind 1 held α_i + γ_i: turn it into γ_i.
            for i in 0..o.min(p) {
                gamma[i] = gamma[i] - alpha[i];
            }
            th.push(uv[0].exp());
            th.extend(alpha);
            th.extend(gamma);
            th.extend(beta);
        }
        Vol::Egarch { p, o, q } => {
            th.extend_from_slice(&uv[..1 + p + o]);
            let s = if pin {
                T::cst(1.0)
            } else {
                uv[1 + p + o].logistic()
            };
            let mut z = vec![T::cst(0.0)];
            z.extend_from_slice(&uv[2 + p + o..1 + p + o + q]);
            th.extend(softmax(&z).into_iter().map(|w| s * w));
        }
    }
    let ud = &u[km + model.vol.num_params()..];
    let (lo, hi) = dist_bounds(model.dist);
    match model.dist {
        Dist::Normal => {}
        Dist::StudentsT | Dist::Ged => th.push(bounded(ud[0], lo, hi)),
        Dist::SkewT => {
            th.push(bounded(ud[0], lo, hi));
            th.push(bounded(ud[1] * 2.0, -1.0, 1.0));
        }
    }
    th
}

/// The index in `u` of the persistence coordinate, for models that have one.
#[must_use]
pub fn persistence_index(model: &ArchModel) -> Option<usize> {
    let km = model.num_mean();
    match model.vol {
        Vol::Garch { .. } => Some(km + 1),
        Vol::Egarch { p, o, .. } => Some(km + 1 + p + o),
        _ => None,
    }
}

/// `u(θ)`, for starting values; θ is moved just inside the feasible set where needed.
pub fn to_u(model: &ArchModel, theta: &[f64]) -> Vec<f64> {
    let km = model.num_mean();
    let kv = model.vol.num_params();
    let mut u: Vec<f64> = theta[..km].to_vec();
    let tv = &theta[km..km + kv];
    const EPS: f64 = 1e-6;
    match model.vol {
        Vol::Constant => u.push(tv[0].max(1e-12).ln()),
        Vol::Ewma { .. } => {}
        Vol::Garch { p, o, q } => {
            let comps = garch_components(p, o, q);
            let c: Vec<f64> = comps
                .iter()
                .map(|&(kind, i)| {
                    let v = match kind {
                        0 => tv[1 + i] / 2.0,
                        1 => (tv[1 + i] + tv[1 + p + i]) / 2.0,
                        2 => tv[1 + i],
                        3 => tv[1 + p + i] / 2.0,
                        _ => tv[1 + p + o + i],
                    };
                    v.max(EPS)
                })
                .collect();
            let s: f64 = c.iter().sum::<f64>().min(1.0 - EPS);
            u.push(tv[0].max(1e-12).ln());
            u.push((s / (1.0 - s)).ln());
            u.extend(c[1..].iter().map(|v| (v / c[0]).ln()));
        }
        Vol::Egarch { p, o, .. } => {
            u.extend_from_slice(&tv[..1 + p + o]);
            let b: Vec<f64> = tv[1 + p + o..].iter().map(|v| v.max(EPS)).collect();
            let s: f64 = b.iter().sum::<f64>().min(1.0 - EPS);
            u.push((s / (1.0 - s)).ln());
            u.extend(b[1..].iter().map(|v| (v / b[0]).ln()));
        }
    }
    let td = &theta[km + kv..];
    let (lo, hi) = dist_bounds(model.dist);
    match model.dist {
        Dist::Normal => {}
        Dist::StudentsT | Dist::Ged => u.push(unbounded(td[0], lo, hi)),
        Dist::SkewT => {
            u.push(unbounded(td[0], lo, hi));
            u.push(unbounded(td[1], -1.0, 1.0) / 2.0);
        }
    }
    u
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Mean;

    #[test]
    fn round_trips_and_feasibility() {
        for (vol, theta) in [
            (
                Vol::Garch { p: 1, o: 0, q: 1 },
                vec![0.05, 0.01, 0.08, 0.9, 6.0],
            ),
            (
                Vol::Garch { p: 1, o: 1, q: 1 },
                vec![0.05, 0.01, 0.05, -0.02, 0.9, 6.0],
            ),
            (
                Vol::Garch { p: 2, o: 1, q: 2 },
                vec![0.05, 0.01, 0.03, 0.02, 0.04, 0.5, 0.35, 6.0],
            ),
            (
                Vol::Egarch { p: 1, o: 1, q: 1 },
                vec![0.05, 0.01, 0.15, -0.05, 0.97, 6.0],
            ),
        ] {
            let m = ArchModel::new(Mean::Constant, vol, Dist::StudentsT);
            let back = to_theta::<f64>(&m, &to_u(&m, &theta), false);
            for (a, b) in theta.iter().zip(&back) {
                assert!((a - b).abs() < 1e-9, "{vol}: {theta:?} -> {back:?}");
            }
        }
        // Any u gives a feasible GJR: α ≥ 0, α + γ ≥ 0, β ≥ 0, α + γ/2 + β < 1.
        let m = ArchModel::new(Mean::Zero, Vol::Garch { p: 1, o: 1, q: 1 }, Dist::Normal);
        for u in [
            [3.0, 8.0, -4.0, 2.0],
            [-9.0, -3.0, 5.0, -6.0],
            [0.0, 30.0, 0.0, 0.0],
        ] {
            let t = to_theta::<f64>(&m, &u, false);
            assert!(
                t[1] >= 0.0 && t[1] + t[2] >= 0.0 && t[3] >= 0.0 && t[1] + t[2] / 2.0 + t[3] <= 1.0,
                "{t:?}"
            );
        }
    }
}
