//! The optimised kernel: GARCH(1,1) and GJR-GARCH(1,1,1) with a constant or zero mean and
//! normal or Student's t innovations — the models backtests refit thousands of times — in
//! one fused pass that returns the log-likelihood and its exact gradient in `θ` without
//! allocating. Its naive twin is the generic path in [`crate::likelihood`] (dual numbers over
//! the general recursion); tests assert that they agree.
//!
//! Gradient: with `D_t = ∂σ²_t/∂θ`, `D_t = x_t + β D_{t−1}` where `x_t` is the derivative of
//! the non-recursive terms (`∂/∂μ = −2 ε_{t−1}(α + γ 1[ε_{t−1} < 0])`, `∂/∂ω = 1`,
//! `∂/∂α = ε²_{t−1}`, `∂/∂γ = ε²_{t−1} 1[ε_{t−1} < 0]`, `∂/∂β = σ²_{t−1}`, backcast terms at
//! `t = 0`), then `∂ℓ_t/∂θ = ∂ℓ_t/∂σ²_t · D_t + ∂ℓ_t/∂ε_t · ∂ε_t/∂θ`.

use statrs::function::gamma::{digamma, ln_gamma};

use crate::model::{ArchModel, Dist, Mean, Prepared, Vol};

/// Whether the kernel covers `model`.
#[must_use]
pub fn supports(model: &ArchModel) -> bool {
    matches!(
        model.vol,
        Vol::Garch {
            p: 1,
            o: 0 | 1,
            q: 1
        }
    ) && matches!(model.mean, Mean::Zero | Mean::Constant)
        && model.exog.is_empty()
        && matches!(model.dist, Dist::Normal | Dist::StudentsT)
}

/// Log-likelihood at `theta`; with `grad`, also its gradient (written into `grad`); with
/// `each`, also every observation's gradient (appended, `θ.len()` values per observation).
/// The caller checks [`supports`].
pub fn loglik(
    model: &ArchModel,
    prep: &Prepared,
    theta: &[f64],
    grad: Option<&mut [f64]>,
    mut each: Option<&mut Vec<f64>>,
) -> f64 {
    let has_mu = model.mean == Mean::Constant;
    let o = matches!(model.vol, Vol::Garch { o: 1, .. });
    let km = usize::from(has_mu);
    let mu = if has_mu { theta[0] } else { 0.0 };
    let omega = theta[km];
    let alpha = theta[km + 1];
    let gamma = if o { theta[km + 2] } else { 0.0 };
    let beta = theta[km + 2 + usize::from(o)];
    let t_dist = model.dist == Dist::StudentsT;
    let nu = if t_dist { theta[theta.len() - 1] } else { 0.0 };
    // Index of each parameter in θ: μ, ω, α, γ, β, ν (absent ones unused).
    let (i_w, i_a) = (km, km + 1);
    let i_g = km + 2;
    let i_b = km + 2 + usize::from(o);
    let i_nu = theta.len() - 1;

    let (c, dc, half_np1) = if t_dist {
        let c = ln_gamma((nu + 1.0) / 2.0)
            - ln_gamma(nu / 2.0)
            - ((nu - 2.0) * std::f64::consts::PI).ln() / 2.0;
        let dc = 0.5 * digamma((nu + 1.0) / 2.0) - 0.5 * digamma(nu / 2.0) - 0.5 / (nu - 2.0);
        (c, dc, (nu + 1.0) / 2.0)
    } else {
        (-0.5 * (2.0 * std::f64::consts::PI).ln(), 0.0, 0.0)
    };
    let inv_nu2 = if t_dist { 1.0 / (nu - 2.0) } else { 0.0 };
    let bc = prep.backcast;
    let want = grad.is_some() || each.is_some();
    let k = theta.len();
    // D = ∂σ²/∂(μ, ω, α, γ, β).
    let mut d = [0.0f64; 5];
    let mut g = [0.0f64; 6];
    let mut total = 0.0;
    let mut prev_e = 0.0;
    let mut prev_s2 = 0.0;
    for (t, y) in prep.y.iter().enumerate() {
        let e = y - mu;
        let (raw, x) = if t == 0 {
            (
                omega + (alpha + 0.5 * gamma + beta) * bc,
                [0.0, 1.0, bc, 0.5 * bc, bc],
            )
        } else {
            let neg = prev_e < 0.0;
            let e2 = prev_e * prev_e;
            let a = if neg { alpha + gamma } else { alpha };
            (
                omega + a * e2 + beta * prev_s2,
                [
                    -2.0 * prev_e * a,
                    1.0,
                    e2,
                    if neg { e2 } else { 0.0 },
                    prev_s2,
                ],
            )
        };
        let (lo, hi) = prep.bounds[t];
        let (s2, scale) = if raw < lo {
            (lo, 0.0)
        } else if raw > hi {
            (hi + (raw / hi).ln(), 1.0 / raw)
        } else {
            (raw, 1.0)
        };
        if want {
            for k in 0..5 {
                d[k] = if t == 0 { x[k] } else { x[k] + beta * d[k] } * scale;
            }
        }
        let inv = 1.0 / s2;
        let e2s = e * e * inv;
        let (l, dl_ds2, dl_de, dl_dnu) = if t_dist {
            let a = e2s * inv_nu2;
            let l1p = a.ln_1p();
            let l = c - 0.5 * s2.ln() - half_np1 * l1p;
            let dnu = dc - 0.5 * l1p + half_np1 * a * inv_nu2 / (1.0 + a);
            (
                l,
                (-0.5 + half_np1 * a / (1.0 + a)) * inv,
                -half_np1 * 2.0 * e * inv * inv_nu2 / (1.0 + a),
                dnu,
            )
        } else {
            (
                c - 0.5 * (s2.ln() + e2s),
                -0.5 * inv * (1.0 - e2s),
                -e * inv,
                0.0,
            )
        };
        total += l;
        if want {
            let gt = [
                dl_ds2 * d[0] - dl_de,
                dl_ds2 * d[1],
                dl_ds2 * d[2],
                dl_ds2 * d[3],
                dl_ds2 * d[4],
                dl_dnu,
            ];
            for (acc, v) in g.iter_mut().zip(gt) {
                *acc += v;
            }
            if let Some(out) = each.as_deref_mut() {
                let start = out.len();
                out.resize(start + k, 0.0);
                place(
                    &mut out[start..],
                    &gt,
                    has_mu,
                    o,
                    t_dist,
                    [i_w, i_a, i_g, i_b, i_nu],
                );
            }
        }
        prev_e = e;
        prev_s2 = s2;
    }
    if let Some(out) = grad {
        place(out, &g, has_mu, o, t_dist, [i_w, i_a, i_g, i_b, i_nu]);
    }
    total
}

/// Writes derivatives ordered (μ, ω, α, γ, β, ν) into θ's layout.
fn place(
    out: &mut [f64],
    g: &[f64; 6],
    has_mu: bool,
    o: bool,
    t_dist: bool,
    [i_w, i_a, i_g, i_b, i_nu]: [usize; 5],
) {
    if has_mu {
        out[0] = g[0];
    }
    out[i_w] = g[1];
    out[i_a] = g[2];
    if o {
        out[i_g] = g[3];
    }
    out[i_b] = g[4];
    if t_dist {
        out[i_nu] = g[5];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::likelihood;
    use crate::real::Dual;

    fn data() -> Vec<f64> {
        // Deterministic returns with volatility clusters and some zeros.
        (0..3000)
            .map(|t: u32| {
                let regime = if (t / 300).is_multiple_of(2) {
                    0.6
                } else {
                    1.8
                };
                let u = f64::from(t.wrapping_mul(2_654_435_761) % 1000) / 1000.0 - 0.5;
                if t.is_multiple_of(97) {
                    0.0
                } else {
                    regime * u * 3.0
                }
            })
            .collect()
    }

    /// The fused kernel and the generic dual-number path agree on value and gradient.
    #[test]
    fn kernel_matches_its_naive_twin() {
        let y = data();
        let cases: [(Mean, usize, Dist, Vec<f64>); 4] = [
            (
                Mean::Constant,
                0,
                Dist::StudentsT,
                vec![0.02, 0.03, 0.07, 0.9, 6.5],
            ),
            (
                Mean::Constant,
                1,
                Dist::StudentsT,
                vec![-0.01, 0.05, 0.04, 0.08, 0.86, 4.2],
            ),
            (Mean::Zero, 0, Dist::Normal, vec![0.1, 0.1, 0.85]),
            (
                Mean::Constant,
                1,
                Dist::Normal,
                vec![0.05, 0.02, 0.0, 0.12, 0.9],
            ),
        ];
        for (mean, o, dist, theta) in cases {
            let m = ArchModel::new(mean, Vol::Garch { p: 1, o, q: 1 }, dist);
            assert!(supports(&m));
            let prep = m.prepare(&y).unwrap();
            let mut g = vec![0.0; theta.len()];
            let mut each = Vec::new();
            let fast = loglik(&m, &prep, &theta, Some(&mut g), Some(&mut each));
            // Per-observation gradients add up to the total.
            for (i, gi) in g.iter().enumerate() {
                let sum: f64 = each.chunks(theta.len()).map(|c| c[i]).sum();
                assert!((sum - gi).abs() <= 1e-9 * gi.abs().max(1.0));
            }
            let slow = likelihood::loglik::<f64>(&m, &prep, &theta, None);
            assert!(
                (fast - slow).abs() <= 1e-11 * slow.abs(),
                "{mean:?} o={o} {dist}: {fast} vs {slow}"
            );
            let td: Vec<Dual<6>> = theta
                .iter()
                .enumerate()
                .map(|(i, v)| Dual::var(*v, i))
                .collect();
            let dual = likelihood::loglik(&m, &prep, &td, None);
            for (i, gi) in g.iter().enumerate() {
                assert!(
                    (gi - dual.d[i]).abs() <= 1e-9 * dual.d[i].abs().max(1.0),
                    "{mean:?} o={o} {dist} ∂{i}: {gi} vs {}",
                    dual.d[i]
                );
            }
        }
    }
}
