//! Newton's method with the exact Hessian on the constrained parameters themselves, for the
//! models of the fused kernel: an active-set method for the linear inequality constraints
//! that `arch` imposes (`ω ≥ 0`, `α ≥ 0`, `α + γ ≥ 0`, `β ≥ 0`, `α + γ/2 + β ≤ 1`,
//! `2.05 ≤ ν ≤ 500`).
//!
//! Each iteration takes one fused pass (value, gradient, Hessian), scales the parameters by
//! the Hessian's diagonal, and solves the Newton system on the face of the working set (the
//! constraints held as equalities) in an orthonormal basis of its null space, with
//! Levenberg–Marquardt damping when the reduced Hessian is not positive definite. A
//! constraint whose multiplier has the wrong sign leaves the working set; a step is cut at
//! the first constraint it would cross, which then joins the set; an Armijo backtracking
//! search (value-only passes) guards the step. Boundary optima (persistence exactly 1, the
//! usual case on long daily gold series) are reached exactly, in a few iterations.

use crate::kernel::{self, K, Mat};
use crate::model::{ArchModel, Dist, Mean, Prepared, Vol};

/// `a · θ ≥ b`.
#[derive(Clone, Copy, Debug)]
pub struct Constraint {
    a: [f64; K],
    b: f64,
    /// Whether this is stationarity (`α + γ/2 + β ≤ 1`).
    stationarity: bool,
}

/// The feasible set of a kernel model, in `θ`'s layout (see [`kernel::supports`]).
pub fn constraints(model: &ArchModel) -> Vec<Constraint> {
    let km = usize::from(model.mean == Mean::Constant);
    let gjr = matches!(model.vol, Vol::Garch { o: 1, .. });
    let (iw, ia) = (km, km + 1);
    let ib = km + 2 + usize::from(gjr);
    let mut out = Vec::new();
    let unit = |i: usize, sign: f64, b: f64| {
        let mut a = [0.0; K];
        a[i] = sign;
        Constraint {
            a,
            b,
            stationarity: false,
        }
    };
    out.push(unit(iw, 1.0, 0.0));
    out.push(unit(ia, 1.0, 0.0));
    if gjr {
        let mut a = [0.0; K];
        a[ia] = 1.0;
        a[ia + 1] = 1.0;
        out.push(Constraint {
            a,
            b: 0.0,
            stationarity: false,
        });
    }
    out.push(unit(ib, 1.0, 0.0));
    let mut a = [0.0; K];
    a[ia] = -1.0;
    if gjr {
        a[ia + 1] = -0.5;
    }
    a[ib] = -1.0;
    out.push(Constraint {
        a,
        b: -1.0,
        stationarity: true,
    });
    if model.dist == Dist::StudentsT {
        out.push(unit(ib + 1, 1.0, 2.05));
        out.push(unit(ib + 1, -1.0, -500.0));
    }
    out
}

/// How a Newton run ended.
pub struct Outcome {
    /// Final parameters.
    pub theta: Vec<f64>,
    /// Mean negative log-likelihood there.
    pub f: f64,
    /// Largest component of the projected gradient of the mean negative log-likelihood
    /// (the gradient less the active constraints' part).
    pub kkt: f64,
    /// Iterations.
    pub iterations: usize,
    /// Likelihood passes.
    pub evaluations: usize,
    /// Whether the Newton decrement fell below tolerance with the right multipliers.
    pub converged: bool,
    /// Why it stopped.
    pub reason: String,
    /// Whether a constraint other than stationarity is active at the end (`ω`, `α`,
    /// `α + γ` or `β` at 0, `ν` at a bound).
    pub on_bound: bool,
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Cholesky solve of the `r × r` system `m x = rhs`; `None` if `m` is not positive definite.
fn cholesky_solve(m: &[Vec<f64>], rhs: &[f64]) -> Option<Vec<f64>> {
    let r = rhs.len();
    let mut l = vec![vec![0.0; r]; r];
    for i in 0..r {
        for j in 0..=i {
            let s = m[i][j] - (0..j).map(|k| l[i][k] * l[j][k]).sum::<f64>();
            if i == j {
                if !(s.is_finite() && s > 1e-300) {
                    return None;
                }
                l[i][i] = s.sqrt();
            } else {
                l[i][j] = s / l[j][j];
            }
        }
    }
    let mut z = vec![0.0; r];
    for i in 0..r {
        z[i] = (rhs[i] - (0..i).map(|k| l[i][k] * z[k]).sum::<f64>()) / l[i][i];
    }
    for i in (0..r).rev() {
        z[i] = (z[i] - (i + 1..r).map(|k| l[k][i] * z[k]).sum::<f64>()) / l[i][i];
    }
    Some(z)
}

/// An orthonormal basis of the row space of `rows` (independent part) and of its null space.
fn bases(rows: &[Vec<f64>], k: usize) -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
    let mut q: Vec<Vec<f64>> = Vec::new();
    let project_out = |v: &mut Vec<f64>, basis: &[Vec<f64>]| {
        for _ in 0..2 {
            for b in basis {
                let c = dot(v, b);
                for (x, y) in v.iter_mut().zip(b) {
                    *x -= c * y;
                }
            }
        }
    };
    for r in rows {
        let mut v = r.clone();
        let n0 = dot(&v, &v).sqrt();
        project_out(&mut v, &q);
        let n = dot(&v, &v).sqrt();
        if n > 1e-10 * n0 {
            q.push(v.iter().map(|x| x / n).collect());
        }
    }
    let mut z: Vec<Vec<f64>> = Vec::new();
    while q.len() + z.len() < k {
        // The unit vector with the largest part outside the current bases.
        let mut best: Option<(f64, Vec<f64>)> = None;
        for j in 0..k {
            let mut v = vec![0.0; k];
            v[j] = 1.0;
            project_out(&mut v, &q);
            project_out(&mut v, &z);
            let n = dot(&v, &v).sqrt();
            if best.as_ref().is_none_or(|(bn, _)| n > *bn) {
                best = Some((n, v));
            }
        }
        match best {
            Some((n, v)) if n > 1e-6 => z.push(v.iter().map(|x| x / n).collect()),
            _ => break,
        }
    }
    (q, z)
}

/// Least-squares multipliers `μ` of `Aᵀ μ ≈ v` (rows of `A` given), by the normal equations
/// with a tiny ridge for dependent rows.
fn multipliers(rows: &[Vec<f64>], v: &[f64]) -> Vec<f64> {
    let m = rows.len();
    let mut g: Vec<Vec<f64>> = (0..m)
        .map(|i| (0..m).map(|j| dot(&rows[i], &rows[j])).collect())
        .collect();
    for (i, row) in g.iter_mut().enumerate() {
        row[i] *= 1.0 + 1e-12;
        row[i] += 1e-300;
    }
    let rhs: Vec<f64> = rows.iter().map(|r| dot(r, v)).collect();
    cholesky_solve(&g, &rhs).unwrap_or_else(|| vec![0.0; m])
}

struct Point {
    theta: Vec<f64>,
    f: f64,
    g: Vec<f64>,
    h: Mat,
}

/// Negative log-likelihood with gradient and Hessian (all divided by `n`).
fn full(model: &ArchModel, prep: &Prepared, theta: &[f64]) -> Point {
    let k = theta.len();
    let n = prep.y.len() as f64;
    let mut g = vec![0.0; k];
    let mut h = [[0.0; K]; K];
    let ll = kernel::hessian(model, prep, theta, &mut g, &mut h, None);
    for v in &mut g {
        *v = -*v / n;
    }
    for row in &mut h {
        for v in row.iter_mut() {
            *v = -*v / n;
        }
    }
    Point {
        theta: theta.to_vec(),
        f: -ll / n,
        g,
        h,
    }
}

/// Negative log-likelihood and gradient at `theta` (divided by `n`), with the Hessian `h`
/// of a nearby point carried over.
fn lagged(model: &ArchModel, prep: &Prepared, theta: &[f64], h: Mat) -> Point {
    let n = prep.y.len() as f64;
    let mut g = vec![0.0; theta.len()];
    let ll = kernel::loglik(model, prep, theta, Some(&mut g), None);
    for v in &mut g {
        *v = -*v / n;
    }
    Point {
        theta: theta.to_vec(),
        f: -ll / n,
        g,
        h,
    }
}

fn value(model: &ArchModel, prep: &Prepared, theta: &[f64]) -> f64 {
    -kernel::loglik(model, prep, theta, None, None) / prep.y.len() as f64
}

/// Newton decrement below which (in log-likelihood units) a point is an optimum.
const DECREMENT_TOL: f64 = 1e-9;

/// Newton decrement below which the next point keeps the current Hessian (one gradient pass
/// instead of a Hessian pass): close to the optimum the Hessian barely changes, and these
/// chord steps still converge superlinearly.
const CHORD_DECREMENT: f64 = 1e-2;

/// Minimises the mean negative log-likelihood of a kernel model from the feasible `theta0`.
/// With `known`, an optimum found from another start, the run stops as soon as its Newton
/// step lands on that optimum (converged to it: nothing new to find).
pub fn minimise(
    model: &ArchModel,
    prep: &Prepared,
    theta0: &[f64],
    max_iter: usize,
    known: Option<&[f64]>,
) -> Outcome {
    let k = theta0.len();
    let n = prep.y.len() as f64;
    let cons = constraints(model);
    let slack = |c: &Constraint, th: &[f64]| dot(&c.a[..k], th) - c.b;
    // Start inside: constraints the start sits on (within rounding) join the working set.
    let mut working: Vec<usize> = (0..cons.len())
        .filter(|&i| slack(&cons[i], theta0) <= 1e-12)
        .collect();
    let mut pt = full(model, prep, theta0);
    // Whether pt's Hessian is its own (not carried over), and the decrement before.
    let (mut fresh, mut prev_decrement) = (true, f64::INFINITY);
    let mut evaluations = 1;
    let mut iterations = 0;
    let mut kkt = f64::NAN;
    let (mut converged, mut reason) = (false, format!("reached {max_iter} iterations"));
    while iterations < max_iter {
        iterations += 1;
        if !pt.f.is_finite() || pt.g.iter().any(|v| !v.is_finite()) {
            reason = "the likelihood is not finite at the starting values".into();
            break;
        }
        // Scaled coordinates φ = s ∘ θ with s = √diag(H): unit curvature along each axis.
        let s: Vec<f64> = (0..k)
            .map(|i| {
                let d = pt.h[i][i].abs().sqrt();
                if d.is_finite() && d > 1e-150 { d } else { 1.0 }
            })
            .collect();
        let hs: Vec<Vec<f64>> = (0..k)
            .map(|i| (0..k).map(|j| pt.h[i][j] / (s[i] * s[j])).collect())
            .collect();
        let gs: Vec<f64> = (0..k).map(|i| pt.g[i] / s[i]).collect();
        let row = |c: &Constraint| -> Vec<f64> { (0..k).map(|i| c.a[i] / s[i]).collect() };
        // The equality-constrained Newton step, dropping constraints with negative multipliers.
        let (step, damping, mu) = loop {
            let rows: Vec<Vec<f64>> = working.iter().map(|&i| row(&cons[i])).collect();
            let (_, z) = bases(&rows, k);
            let r = z.len();
            let hz: Vec<Vec<f64>> = (0..r)
                .map(|a| {
                    (0..r)
                        .map(|b| {
                            (0..k)
                                .map(|i| z[a][i] * (0..k).map(|j| hs[i][j] * z[b][j]).sum::<f64>())
                                .sum()
                        })
                        .collect()
                })
                .collect();
            let gz: Vec<f64> = z.iter().map(|v| -dot(v, &gs)).collect();
            let mut lambda = 0.0;
            let p = loop {
                let mut m = hz.clone();
                for (i, rw) in m.iter_mut().enumerate() {
                    rw[i] += lambda;
                }
                if let Some(p) = cholesky_solve(&m, &gz) {
                    break Some(p);
                }
                lambda = if lambda == 0.0 { 1e-6 } else { lambda * 10.0 };
                if lambda > 1e12 {
                    break None;
                }
            };
            let Some(p) = p else {
                break (None, lambda, Vec::new());
            };
            let d: Vec<f64> = (0..k)
                .map(|i| (0..r).map(|a| z[a][i] * p[a]).sum())
                .collect();
            // KKT of the step's quadratic model: ĝ + Ĥ d = Σ μ_i â_i.
            let v: Vec<f64> = (0..k)
                .map(|i| gs[i] + dot(&hs[i], &d) + lambda * d[i])
                .collect();
            let mu = multipliers(&rows, &v);
            let worst = mu
                .iter()
                .enumerate()
                .filter(|(_, m)| **m < -1e-12)
                .min_by(|a, b| a.1.total_cmp(b.1));
            if let Some((i, _)) = worst {
                working.remove(i);
                continue;
            }
            break (Some(d), lambda, mu);
        };
        let Some(d) = step else {
            reason = "the Hessian could not be regularised".into();
            break;
        };
        // Projected gradient, in θ, of the mean negative log-likelihood.
        kkt = (0..k)
            .map(|i| {
                let fit: f64 = working
                    .iter()
                    .zip(&mu)
                    .map(|(&c, m)| m * cons[c].a[i] / s[i])
                    .sum();
                ((gs[i] - fit) * s[i]).abs()
            })
            .fold(0.0, f64::max);
        let dtheta: Vec<f64> = (0..k).map(|i| d[i] / s[i]).collect();
        let slope = dot(&pt.g, &dtheta);
        let decrement = -slope * n;
        if damping == 0.0 && decrement < DECREMENT_TOL {
            converged = true;
            reason = "Newton decrement below tolerance".into();
            break;
        }
        if let Some(best) = known
            && damping == 0.0
            && decrement < 1.0
        {
            // Distance, in log-likelihood units, from the step's end to the known optimum.
            let dist: f64 = (0..k)
                .map(|i| (s[i] * (pt.theta[i] + dtheta[i] - best[i])).powi(2))
                .sum::<f64>()
                * n;
            if dist < 1e-6 {
                converged = true;
                reason = "reached the optimum of an earlier start".into();
                break;
            }
        }
        // Cut the step at the first constraint it would cross.
        let mut t_max = f64::INFINITY;
        let mut blocking = None;
        for (i, c) in cons.iter().enumerate() {
            if working.contains(&i) {
                continue;
            }
            let rate = dot(&c.a[..k], &dtheta);
            if rate < 0.0 {
                let t = slack(c, &pt.theta).max(0.0) / -rate;
                if t < t_max {
                    t_max = t;
                    blocking = Some(i);
                }
            }
        }
        let mut t = t_max.min(1.0);
        if t <= 0.0 {
            // Already on the blocking constraint: hold it and recompute.
            if let Some(b) = blocking {
                working.push(b);
            }
            continue;
        }
        // A chord step from a fresh Hessian, or after a chord step that still converged fast.
        let chord = damping == 0.0
            && decrement < CHORD_DECREMENT
            && t == 1.0
            && (fresh || decrement < 1e-3 * prev_decrement);
        // Armijo backtracking; the first trial gets the full pass (usually accepted).
        let noise = 1e-13 * pt.f.abs().max(1.0);
        let mut accepted = None;
        for attempt in 0..50 {
            let mut trial: Vec<f64> = (0..k).map(|i| pt.theta[i] + t * dtheta[i]).collect();
            let hits = t == t_max && blocking.is_some();
            if hits {
                // Onto the constraint exactly.
                let c = &cons[blocking.unwrap_or_default()];
                let sl = slack(c, &trial);
                let aa = dot(&c.a[..k], &c.a[..k]);
                for i in 0..k {
                    trial[i] -= sl * c.a[i] / aa;
                }
            }
            let cand = if attempt == 0 {
                let p = if chord {
                    lagged(model, prep, &trial, pt.h)
                } else {
                    full(model, prep, &trial)
                };
                (p.f, Some(p))
            } else {
                (value(model, prep, &trial), None)
            };
            evaluations += 1;
            if cand.0.is_finite() && cand.0 <= pt.f + 1e-4 * t * slope + noise {
                accepted = Some((trial, cand.1, hits));
                break;
            }
            let next = if cand.0.is_finite() {
                -slope * t * t / (2.0 * (cand.0 - pt.f - slope * t))
            } else {
                0.1 * t
            };
            t = next.clamp(0.1 * t, 0.5 * t);
        }
        let Some((trial, p, hits)) = accepted else {
            converged = decrement < 1e-6;
            reason = if converged {
                "no further decrease along the Newton direction (decrement small)".into()
            } else {
                "line search failed".into()
            };
            break;
        };
        if hits && let Some(b) = blocking {
            working.push(b);
        }
        prev_decrement = decrement;
        (pt, fresh) = match p {
            Some(p) => (p, !chord),
            None => {
                evaluations += 1;
                (full(model, prep, &trial), true)
            }
        };
    }
    let on_bound = working.iter().any(|&i| !cons[i].stationarity);
    Outcome {
        on_bound,
        theta: pt.theta,
        f: pt.f,
        kkt,
        iterations,
        evaluations,
        converged,
        reason,
    }
}
