//! The stack: the members' predictive distributions mixed with weights chosen on their past
//! log scores, and its event probabilities recalibrated on past outcomes.
//!
//! Everything at an origin uses only forecasts whose outcome was known by then (their target
//! date is on or before the origin): the weights (Yao, Vehtari, Simpson and Gelman 2018,
//! "Using stacking to average Bayesian predictive distributions", *Bayesian Analysis*
//! 13(3)) maximise the members' mixed log score over those forecasts, and the calibration
//! map (Platt scaling: a logistic regression of the outcome on the logit of the forecast,
//! per event — kind and level — and horizon, shrunk towards the identity) is fitted on the
//! stack's own earlier probabilities.

use std::collections::BTreeMap;

use aurum_core::Date;
use serde::Serialize;

use crate::engine::{EventKind, INTERVALS, QUANTILES, Row};
use crate::model::ModelKind;

/// Fewest past forecasts with known outcomes before weights are fitted; before, the members
/// weigh the same.
pub const STACK_MIN: usize = 36;

/// Fewest past forecasts of an event (with both outcomes among them) before its
/// probabilities are recalibrated: ten years of monthly origins. Before, the raw mixture is
/// used.
pub const CALIBRATION_MIN: usize = 120;

/// Weight of the identity map in a calibration fit, in observations at p = ½: the map moves
/// away from "no change" only as far as the outcomes insist. Overlapping forecasts share
/// outcomes, so the data hold fewer independent observations than forecasts.
pub const CALIBRATION_PRIOR: f64 = 40.0;

/// How the stack stood at one origin and horizon.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StackWeights {
    /// The origin.
    pub origin: Date,
    /// Trading days ahead.
    pub horizon: usize,
    /// Past forecasts the weights were fitted on (0: equal weights).
    pub fitted_on: usize,
    /// Weight of each member, in [`ModelKind::STACK_MEMBERS`] order.
    pub weights: Vec<(ModelKind, f64)>,
    /// The calibration map `p ↦ σ(a + b·logit p)` per event (kind and level), when fitted.
    pub calibration: Vec<(EventKind, String, Calibration)>,
}

impl StackWeights {
    /// The calibration map of an event (kind and level), when one was fitted.
    #[must_use]
    pub fn map_for(&self, kind: EventKind, level: &str) -> Option<Calibration> {
        self.calibration
            .iter()
            .find(|(k, l, _)| *k == kind && l == level)
            .map(|(_, _, c)| *c)
    }

    /// `p` through the event's map, or as it is without one.
    #[must_use]
    pub fn calibrate(&self, kind: EventKind, level: &str, p: f64) -> f64 {
        self.map_for(kind, level).map_or(p, |c| c.apply(p))
    }
}

/// A fitted calibration map: `p ↦ σ(a + b·logit p)`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Calibration {
    /// Intercept.
    pub a: f64,
    /// Slope on the logit (1: the raw probabilities' spread is right; below 1: too extreme).
    pub b: f64,
    /// Event forecasts it was fitted on.
    pub n: usize,
}

impl Calibration {
    /// The calibrated probability.
    #[must_use]
    pub fn apply(&self, p: f64) -> f64 {
        sigmoid(self.a + self.b * logit(p))
    }

    /// Fits the map on `(raw probability, outcome)` pairs by Newton's method on the
    /// logistic likelihood with a ridge towards the identity worth [`CALIBRATION_PRIOR`]
    /// observations (which also keeps separated data from running away).
    /// `None` with fewer than [`CALIBRATION_MIN`] pairs or only one outcome among them.
    #[must_use]
    pub fn fit(pairs: &[(f64, bool)]) -> Option<Self> {
        let n = pairs.len();
        let hits = pairs.iter().filter(|p| p.1).count();
        if n < CALIBRATION_MIN || hits == 0 || hits == n {
            return None;
        }
        let (mut a, mut b) = (0.0, 1.0);
        let ridge = CALIBRATION_PRIOR / 4.0;
        for _ in 0..50 {
            let (mut ga, mut gb, mut haa, mut hab, mut hbb) = (0.0, 0.0, 0.0, 0.0, 0.0);
            for &(p, y) in pairs {
                let x = logit(p);
                let q = sigmoid(a + b * x);
                let r = f64::from(u8::from(y)) - q;
                let w = q * (1.0 - q);
                ga += r;
                gb += r * x;
                haa += w;
                hab += w * x;
                hbb += w * x * x;
            }
            // Ridge towards the identity map (a = 0, b = 1).
            ga -= ridge * a;
            gb -= ridge * (b - 1.0);
            haa += ridge;
            hbb += ridge;
            let det = haa * hbb - hab * hab;
            if det.abs() < 1e-300 {
                break;
            }
            let da = (hbb * ga - hab * gb) / det;
            let db = (haa * gb - hab * ga) / det;
            a += da;
            b += db;
            if da.abs() + db.abs() < 1e-10 {
                break;
            }
        }
        (a.is_finite() && b.is_finite()).then_some(Self { a, b, n })
    }
}

fn logit(p: f64) -> f64 {
    let p = p.clamp(1e-4, 1.0 - 1e-4);
    (p / (1.0 - p)).ln()
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Mixture weights that maximise `Σᵢ log Σₖ wₖ fₖᵢ` over the simplex, by Newton's method
/// with an active set: on the members with positive weight, each step maximises the
/// quadratic model of the log score subject to the weights summing to one (two solves of a
/// k × k Cholesky system); a step that would push a weight below zero stops at zero and
/// drops the member, and a member at zero whose gradient exceeds the others' joins again.
/// Steps are backtracked until the log score rises, so it never falls. It stops when the
/// Newton decrement (twice the gain the quadratic model still promises) is below 1e-10 and
/// no member at zero would gain weight, or after 200 steps.
///
/// The log score is concave in the weights, so its maximum is the one EM finds
/// ([`stacking_weights_em`], the naive twin; the tests assert both reach it), in a few
/// dozen steps where EM may need thousands. Starts from `start` (or equal weights when
/// `start` gives some outcome no density); outcomes no member gives any density are left
/// out, as EM leaves them.
#[must_use]
pub fn stacking_weights(densities: &[Vec<f64>], start: &[f64]) -> Vec<f64> {
    let k = start.len();
    // One contiguous row of `k` densities per outcome that some member gives a density.
    let flat: Vec<f64> = densities
        .iter()
        .filter(|f| f.iter().take(k).any(|x| *x > 0.0))
        .flat_map(|f| (0..k).map(|j| f.get(j).copied().unwrap_or(0.0).max(0.0)))
        .collect();
    if flat.is_empty() {
        return start.to_vec();
    }
    let rows = Rows { flat: &flat, k };
    let n = (flat.len() / k) as f64;
    let total: f64 = start.iter().map(|x| x.max(0.0)).sum();
    let mut w: Vec<f64> = start.iter().map(|x| x.max(0.0) / total).collect();
    let mut f = objective(rows, &w);
    if !f.is_finite() {
        w = vec![1.0 / k as f64; k];
        f = objective(rows, &w);
    }
    let mut free: Vec<bool> = w.iter().map(|x| *x > 0.0).collect();
    let (mut g, mut h) = (vec![0.0; k], vec![0.0; k * k]);
    for _ in 0..200 {
        gradient_hessian(rows, &w, &mut g, &mut h);
        let mut d = face_direction(&mut free, &w, &g, &h);
        let mut decrement: f64 = g.iter().zip(&d).map(|(g, d)| g * d).sum();
        if decrement < 1e-10 {
            // Optimal on this face. At the optimum every member with weight has gradient n
            // (Σ wₖ gₖ = n) and none at zero has more: the most wanting one joins, along the
            // Newton step on the larger face if that raises its weight, else straight
            // towards it (an ascent direction, since its gradient exceeds the mean).
            let joins = (0..k)
                .filter(|&j| !free[j] && g[j] > n * (1.0 + 1e-9))
                .max_by(|a, b| g[*a].total_cmp(&g[*b]));
            let Some(j) = joins else {
                break;
            };
            free[j] = true;
            let mut wider = free.clone();
            d = face_direction(&mut wider, &w, &g, &h);
            if !(wider[j] && d[j] > 0.0) {
                d = (0..k).map(|i| f64::from(u8::from(i == j)) - w[i]).collect();
            } else {
                free = wider;
            }
            decrement = g.iter().zip(&d).map(|(g, d)| g * d).sum();
        }
        // The longest step that keeps every weight at or above zero, and who blocks it.
        let (mut t_max, mut block) = (1.0, None);
        for j in 0..k {
            if d[j] < 0.0 && -w[j] / d[j] < t_max {
                t_max = -w[j] / d[j];
                block = Some(j);
            }
        }
        let mut t = t_max;
        let mut next = vec![0.0; k];
        let accepted = loop {
            for j in 0..k {
                next[j] = (w[j] + t * d[j]).max(0.0);
            }
            if let Some(b) = block.filter(|_| t == t_max) {
                next[b] = 0.0;
            }
            let sum: f64 = next.iter().sum();
            next.iter_mut().for_each(|x| *x /= sum);
            let f_next = objective(rows, &next);
            if f_next >= f + 1e-4 * t * decrement {
                break Some(f_next);
            }
            t *= 0.5;
            if t < 1e-12 {
                break None;
            }
        };
        let Some(f_next) = accepted else {
            break;
        };
        w.copy_from_slice(&next);
        f = f_next;
        for j in 0..k {
            free[j] = free[j] && w[j] > 0.0;
        }
    }
    w
}

/// The Newton step on the face of the members marked `free`, zero elsewhere; a member at
/// zero weight that it would push below zero leaves the face (and `free`) first.
fn face_direction(free: &mut [bool], w: &[f64], g: &[f64], h: &[f64]) -> Vec<f64> {
    let k = w.len();
    loop {
        let idx: Vec<usize> = (0..k).filter(|j| free[*j]).collect();
        let mut d = vec![0.0; k];
        let Some(step) = newton_direction(&idx, g, h, k) else {
            return d;
        };
        for (i, j) in idx.iter().enumerate() {
            d[*j] = step[i];
        }
        let leaving: Vec<usize> = idx
            .iter()
            .copied()
            .filter(|j| w[*j] <= 0.0 && d[*j] < 0.0)
            .collect();
        if leaving.is_empty() {
            return d;
        }
        for j in leaving {
            free[j] = false;
        }
    }
}

/// `Σᵢ log Σₖ wₖ fₖᵢ`, or −∞ when some outcome gets no density.
fn objective(d: Rows, w: &[f64]) -> f64 {
    let mut s = 0.0;
    for f in d.flat.chunks_exact(d.k) {
        let m: f64 = w.iter().zip(f).map(|(w, f)| w * f).sum();
        if m <= 0.0 {
            return f64::NEG_INFINITY;
        }
        s += m.ln();
    }
    s
}

/// The log score's gradient `gₖ = Σᵢ fₖᵢ / mᵢ` and minus its Hessian
/// `hₖₗ = Σᵢ fₖᵢ fₗᵢ / mᵢ²` (row-major, `k × k`) at `w`.
fn gradient_hessian(d: Rows, w: &[f64], g: &mut [f64], h: &mut [f64]) {
    let k = d.k;
    g.fill(0.0);
    h.fill(0.0);
    let mut r = vec![0.0; k];
    for f in d.flat.chunks_exact(k) {
        let m: f64 = w.iter().zip(f).map(|(w, f)| w * f).sum();
        if m <= 0.0 {
            continue;
        }
        let inv = 1.0 / m;
        for (r, f) in r.iter_mut().zip(f) {
            *r = f * inv;
        }
        for a in 0..k {
            g[a] += r[a];
            for b in 0..=a {
                h[a * k + b] += r[a] * r[b];
            }
        }
    }
    for a in 0..k {
        for b in 0..a {
            h[b * k + a] = h[a * k + b];
        }
    }
}

/// The Newton step on the members `idx`: `d = A⁻¹(g − λ1)` with `λ` such that `Σ d = 0`,
/// `A` minus the Hessian on `idx` (a Gram matrix, so positive semi-definite) plus a ridge
/// that makes it definite when members are collinear. `None` if it cannot be factorised.
fn newton_direction(idx: &[usize], g: &[f64], h: &[f64], k: usize) -> Option<Vec<f64>> {
    let m = idx.len();
    if m == 0 {
        return None;
    }
    let scale = idx.iter().map(|j| h[j * k + j]).fold(0.0, f64::max);
    let mut ridge = 1e-12 * scale.max(1e-300);
    for _ in 0..8 {
        let mut a = vec![0.0; m * m];
        for (r, i) in idx.iter().enumerate() {
            for (c, j) in idx.iter().enumerate() {
                a[r * m + c] = h[i * k + j];
            }
            a[r * m + r] += ridge;
        }
        if let Some(l) = cholesky(&mut a, m) {
            let gf: Vec<f64> = idx.iter().map(|j| g[*j]).collect();
            let x1 = cholesky_solve(l, m, &gf);
            let x2 = cholesky_solve(l, m, &vec![1.0; m]);
            let lambda = x1.iter().sum::<f64>() / x2.iter().sum::<f64>();
            let d: Vec<f64> = x1.iter().zip(&x2).map(|(a, b)| a - lambda * b).collect();
            if d.iter().all(|x| x.is_finite()) {
                return Some(d);
            }
        }
        ridge *= 1e3;
    }
    None
}

/// Cholesky factor of the symmetric `m × m` matrix `a` (row-major), in place (lower
/// triangle); `None` unless positive definite.
pub(crate) fn cholesky(a: &mut [f64], m: usize) -> Option<&[f64]> {
    for j in 0..m {
        let mut s = a[j * m + j];
        for p in 0..j {
            s -= a[j * m + p] * a[j * m + p];
        }
        if s.is_nan() || s <= 0.0 {
            return None;
        }
        let d = s.sqrt();
        a[j * m + j] = d;
        for i in j + 1..m {
            let mut s = a[i * m + j];
            for p in 0..j {
                s -= a[i * m + p] * a[j * m + p];
            }
            a[i * m + j] = s / d;
        }
    }
    Some(a)
}

/// Solves `L Lᵀ x = b` for the factor from [`cholesky`].
pub(crate) fn cholesky_solve(l: &[f64], m: usize, b: &[f64]) -> Vec<f64> {
    let mut y = b.to_vec();
    for i in 0..m {
        for p in 0..i {
            y[i] -= l[i * m + p] * y[p];
        }
        y[i] /= l[i * m + i];
    }
    for i in (0..m).rev() {
        for p in i + 1..m {
            y[i] -= l[p * m + i] * y[p];
        }
        y[i] /= l[i * m + i];
    }
    y
}

/// The plain EM iteration for the same weights: the naive twin of [`stacking_weights`].
#[must_use]
pub fn stacking_weights_em(densities: &[Vec<f64>], start: &[f64]) -> Vec<f64> {
    let mut w = start.to_vec();
    for _ in 0..100_000 {
        let Some(next) = em_step(densities, &w) else {
            return w;
        };
        let change = max_change(&next, &w);
        w = next;
        if change < 1e-8 {
            break;
        }
    }
    w
}

/// Outcomes' member densities, `k` to a row.
#[derive(Clone, Copy)]
struct Rows<'a> {
    flat: &'a [f64],
    k: usize,
}

/// One EM step: each weight times its member's mean responsibility. `None` when no
/// outcome has a positive density under the mixture.
fn em_step(densities: &[Vec<f64>], w: &[f64]) -> Option<Vec<f64>> {
    let k = w.len();
    let mut next = vec![0.0; k];
    for f in densities {
        let mix: f64 = w.iter().zip(f).map(|(w, f)| w * f).sum();
        if mix > 0.0 {
            for j in 0..k {
                next[j] += w[j] * f[j] / mix;
            }
        }
    }
    let total: f64 = next.iter().sum();
    if total <= 0.0 {
        return None;
    }
    next.iter_mut().for_each(|x| *x /= total);
    Some(next)
}

fn max_change(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

/// `E|X − Y|` for X, Y each uniform on their sorted quantile grids.
fn mean_abs_diff(x: &[f64], y: &[f64]) -> f64 {
    // Σᵢ Σⱼ |xᵢ − yⱼ| by merging: for each xᵢ, the y below it contribute xᵢ − y.
    let (mut j, mut below_sum) = (0usize, 0.0);
    let total_y: f64 = y.iter().sum();
    let mut s = 0.0;
    for &xi in x {
        while j < y.len() && y[j] <= xi {
            below_sum += y[j];
            j += 1;
        }
        let above = y.len() - j;
        s += xi * j as f64 - below_sum + (total_y - below_sum) - xi * above as f64;
    }
    s / (x.len() * y.len()) as f64
}

/// The members' complete forecasts per horizon, by origin: one row per member.
fn complete_by_horizon(rows: &[Row]) -> BTreeMap<usize, Vec<Vec<&Row>>> {
    let members = ModelKind::STACK_MEMBERS;
    let mut by_h: BTreeMap<usize, BTreeMap<Date, Vec<Option<&Row>>>> = BTreeMap::new();
    for r in rows {
        if let Some(m) = members.iter().position(|x| *x == r.model) {
            by_h.entry(r.horizon)
                .or_default()
                .entry(r.origin)
                .or_insert_with(|| vec![None; members.len()])[m] = Some(r);
        }
    }
    by_h.into_iter()
        .map(|(h, by_origin)| {
            let complete = by_origin
                .into_values()
                .filter_map(|v| v.into_iter().collect::<Option<Vec<&Row>>>())
                .collect();
            (h, complete)
        })
        .collect()
}

/// The stack's state at `at` from the forecasts before it (`complete`, by origin) and the
/// stack's own earlier rows (`stacked`, the same origins): weights fitted on the members'
/// forecasts whose outcome is known at `at` (their target is on or before it), and per event a
/// calibration map fitted on the stack's earlier probabilities of it whose outcome is known.
fn state_at(at: Date, horizon: usize, complete: &[Vec<&Row>], stacked: &[Row]) -> StackWeights {
    let k = ModelKind::STACK_MEMBERS.len();
    // Targets increase with origins, so the forecasts known at `at` are a prefix.
    let known = complete.iter().take_while(|p| p[0].target <= at).count();
    let (weights, fitted_on) = if known >= STACK_MIN {
        let densities: Vec<Vec<f64>> = complete[..known]
            .iter()
            .map(|p| {
                p.iter()
                    .map(|r| r.log_score.map_or(0.0, |l| (-l).exp()))
                    .collect()
            })
            .collect();
        // From equal weights every time: EM cannot revive a weight it once drove to zero,
        // and the weights must not depend on the path to this origin.
        (
            stacking_weights(&densities, &vec![1.0 / k as f64; k]),
            known,
        )
    } else {
        (vec![1.0 / k as f64; k], 0)
    };
    let mut calibration = Vec::new();
    if let Some(events) = complete.first().map(|p| &p[0].events) {
        for (j, e) in events.iter().enumerate() {
            let pairs: Vec<(f64, bool)> = stacked[..known.min(stacked.len())]
                .iter()
                .filter_map(|r| r.events.get(j))
                .filter(|x| x.kind == e.kind && x.level == e.level)
                .map(|x| (x.raw.unwrap_or(x.p), x.outcome))
                .collect();
            if let Some(c) = Calibration::fit(&pairs) {
                calibration.push((e.kind, e.level.clone(), c));
            }
        }
    }
    StackWeights {
        origin: at,
        horizon,
        fitted_on,
        weights: ModelKind::STACK_MEMBERS
            .iter()
            .copied()
            .zip(weights)
            .collect(),
        calibration,
    }
}

/// The stack's forecasts from its members' rows (others are ignored), with the weights and
/// calibration maps it used at each origin: at each, [`fit_as_of`] that origin.
#[must_use]
pub fn stack(rows: &[Row]) -> (Vec<Row>, Vec<StackWeights>) {
    let mut out = Vec::new();
    let mut trace = Vec::new();
    for (h, complete) in complete_by_horizon(rows) {
        let mut stacked: Vec<Row> = Vec::with_capacity(complete.len());
        for (i, rs) in complete.iter().enumerate() {
            let state = state_at(rs[0].origin, h, &complete[..i], &stacked);
            let w: Vec<f64> = state.weights.iter().map(|x| x.1).collect();
            let mut row = mix(rs, &w);
            for e in &mut row.events {
                e.p = state.calibrate(e.kind, &e.level, e.p);
            }
            trace.push(state);
            stacked.push(row);
        }
        out.extend(stacked);
    }
    (out, trace)
}

/// The stack as it stands at `as_of`, per horizon: the weights and calibration maps that a
/// forecast made that day uses, from the forecasts whose outcome is known by then (rows with
/// later targets are ignored, whatever else `rows` holds).
#[must_use]
pub fn fit_as_of(rows: &[Row], as_of: Date) -> Vec<StackWeights> {
    let known: Vec<Row> = rows.iter().filter(|r| r.target <= as_of).cloned().collect();
    let (stacked, _) = stack(&known);
    complete_by_horizon(&known)
        .into_iter()
        .map(|(h, complete)| {
            let own: Vec<Row> = stacked.iter().filter(|r| r.horizon == h).cloned().collect();
            state_at(as_of, h, &complete, &own)
        })
        .collect()
}

/// The mixture of `rs` (one row per member, same origin and horizon) with weights `w`.
fn mix(rs: &[&Row], w: &[f64]) -> Row {
    let first = rs[0];
    let pit: f64 = rs.iter().zip(w).map(|(r, w)| w * r.pit).sum();
    let density: Option<f64> = rs
        .iter()
        .zip(w)
        .map(|(r, w)| r.log_score.map(|l| w * (-l).exp()))
        .sum();
    // CRPS of a mixture: Σ wₖ CRPSₖ − ½ (Σₖₗ wₖwₗ E|Xₖ − Xₗ| − Σₖ wₖ E|Xₖ − Xₖ'|), the
    // spreads from the members' quantile grids.
    let mut spread = 0.0;
    for (a, wa) in rs.iter().zip(w) {
        spread -= wa * mean_abs_diff(&a.quantiles, &a.quantiles);
        for (b, wb) in rs.iter().zip(w) {
            spread += wa * wb * mean_abs_diff(&a.quantiles, &b.quantiles);
        }
    }
    let crps = rs.iter().zip(w).map(|(r, w)| w * r.crps).sum::<f64>() - 0.5 * spread;
    // Mixture quantiles: every member's grid points, weighted.
    let mut points: Vec<(f64, f64)> = rs
        .iter()
        .zip(w)
        .flat_map(|(r, w)| {
            let n = r.quantiles.len().max(1) as f64;
            r.quantiles.iter().map(move |q| (*q, w / n))
        })
        .collect();
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    let quantile_at = |tau: f64| -> f64 {
        let mut acc = 0.0;
        for (q, m) in &points {
            acc += m;
            if acc >= tau - 1e-12 {
                return *q;
            }
        }
        points.last().map_or(f64::NAN, |p| p.0)
    };
    let quantiles: Vec<f64> = (0..QUANTILES)
        .map(|j| quantile_at((j as f64 + 0.5) / QUANTILES as f64))
        .collect();
    let misses = INTERVALS
        .iter()
        .map(|c| {
            let a = (1.0 - c) / 2.0;
            pit < a || pit > 1.0 - a
        })
        .collect();
    let mut events = first.events.clone();
    for (j, e) in events.iter_mut().enumerate() {
        let p: f64 = rs
            .iter()
            .zip(w)
            .map(|(r, w)| w * r.events.get(j).map_or(0.0, |x| x.p))
            .sum();
        e.p = p;
        e.raw = Some(p);
    }
    Row {
        origin: first.origin,
        model: ModelKind::Stack,
        horizon: first.horizon,
        target: first.target,
        price: first.price,
        realised: first.realised,
        median: quantile_at(0.5),
        crps,
        log_score: density.filter(|d| *d > 0.0).map(|d| -d.ln()),
        pit,
        misses,
        events,
        quantiles,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn em_weights_find_the_better_member() {
        // Member 0 gives the outcomes twice the density of member 1 everywhere: all weight
        // on member 0 maximises the log score.
        let d: Vec<Vec<f64>> = (0..50).map(|_| vec![0.4, 0.2]).collect();
        let w = stacking_weights(&d, &[0.5, 0.5]);
        assert!(w[0] > 0.999, "{w:?}");
        // Complementary members: each best on half the outcomes, the mixture beats both.
        let d: Vec<Vec<f64>> = (0..50)
            .map(|i| {
                if i % 2 == 0 {
                    vec![0.5, 0.01]
                } else {
                    vec![0.01, 0.5]
                }
            })
            .collect();
        let w = stacking_weights(&d, &[0.9, 0.1]);
        assert!((w[0] - 0.5).abs() < 1e-6, "{w:?}");
    }

    #[test]
    fn the_newton_weights_are_the_em_optimum() {
        // Eight members of varied skill on 400 outcomes, some members nearly useless (their
        // weights go to zero, where plain EM crawls).
        let mut rng = aurum_vol::path_rng(21, 0);
        for case in 0..20 {
            let d: Vec<Vec<f64>> = (0..400)
                .map(|_| {
                    (0..8)
                        .map(|k| {
                            let u: f64 = rand::Rng::random(&mut rng);
                            (0.05 + u)
                                * if k == case % 8 {
                                    2.0
                                } else {
                                    1.0 / (1 + k) as f64
                                }
                        })
                        .collect()
                })
                .collect();
            let start = vec![1.0 / 8.0; 8];
            let fast = stacking_weights(&d, &start);
            let naive = stacking_weights_em(&d, &start);
            assert!((fast.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            assert!(fast.iter().all(|w| *w >= 0.0));
            // The same optimum: the log score agrees to far below a forecast's worth, and
            // the weights to the precision EM stops at.
            let flat: Vec<f64> = d.concat();
            let rows = Rows { flat: &flat, k: 8 };
            let (a, b) = (objective(rows, &fast), objective(rows, &naive));
            assert!(a >= b - 1e-6, "case {case}: {a} < {b}");
            assert!(max_change(&fast, &naive) < 1e-3, "{fast:?} {naive:?}");
        }
    }

    #[test]
    fn the_newton_weights_meet_the_optimality_conditions_on_hard_cases() {
        let mut rng = aurum_vol::path_rng(5, 0);
        let mut u = || -> f64 { rand::Rng::random(&mut rng) };
        // Two members identical (a flat ridge), one that gives some outcomes no density, one
        // useless: the weights stay on the simplex and meet the KKT conditions (gradient n
        // where there is weight, at most n where there is none).
        let d: Vec<Vec<f64>> = (0..300)
            .map(|i| {
                let a = 0.1 + u();
                let b = 0.1 + u();
                let c = if i % 7 == 0 { 0.0 } else { 0.3 + u() };
                vec![a, a, b, c, 0.01 * u()]
            })
            .collect();
        for start in [vec![0.2; 5], vec![0.0, 0.0, 0.0, 0.5, 0.5]] {
            let w = stacking_weights(&d, &start);
            assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-12, "{w:?}");
            assert!(w.iter().all(|x| *x >= 0.0), "{w:?}");
            let flat = d.concat();
            let rows = Rows { flat: &flat, k: 5 };
            let (mut g, mut h) = (vec![0.0; 5], vec![0.0; 25]);
            gradient_hessian(rows, &w, &mut g, &mut h);
            let n = d.len() as f64;
            for j in 0..5 {
                if w[j] > 1e-9 {
                    assert!((g[j] - n).abs() < 1e-6 * n, "member {j}: {g:?} {w:?}");
                } else {
                    assert!(g[j] <= n * (1.0 + 1e-6), "member {j}: {g:?} {w:?}");
                }
            }
            // The ridge's two members split nothing between them that the log score sees.
            let naive = stacking_weights_em(&d, &[0.2; 5]);
            assert!(objective(rows, &w) >= objective(rows, &naive) - 1e-8);
            assert!(
                (w[0] + w[1] - naive[0] - naive[1]).abs() < 1e-4,
                "{w:?} {naive:?}"
            );
        }
        // Nothing to fit: the start comes back.
        assert_eq!(
            stacking_weights(&[vec![0.0, 0.0]], &[0.5, 0.5]),
            vec![0.5, 0.5]
        );
    }

    #[test]
    fn mean_abs_diff_matches_the_pairwise_sum() {
        let x: [f64; 4] = [-1.0, 0.0, 2.5, 3.0];
        let y: [f64; 3] = [-2.0, 0.5, 4.0];
        let naive: f64 = x
            .iter()
            .flat_map(|a| y.iter().map(move |b| (a - b).abs()))
            .sum::<f64>()
            / 12.0;
        assert!((mean_abs_diff(&x, &y) - naive).abs() < 1e-12);
    }

    #[test]
    fn calibration_recovers_a_known_map() {
        // Outcomes drawn so that the truth is σ(0.3 + 0.5 logit p): forecasts too extreme.
        let mut state = 7u64;
        let mut u = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let pairs: Vec<(f64, bool)> = (0..20_000)
            .map(|_| {
                let p = 0.02 + 0.96 * u();
                let truth = sigmoid(0.3 + 0.5 * logit(p));
                (p, u() < truth)
            })
            .collect();
        let c = Calibration::fit(&pairs).unwrap();
        assert!(
            (c.a - 0.3).abs() < 0.06 && (c.b - 0.5).abs() < 0.06,
            "{c:?}"
        );
        assert!(Calibration::fit(&pairs[..CALIBRATION_MIN - 1]).is_none());
        let all_yes: Vec<(f64, bool)> = (0..300).map(|i| (f64::from(i) / 300.0, true)).collect();
        assert!(Calibration::fit(&all_yes).is_none());
    }
}
