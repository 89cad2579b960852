//! The optimised kernel: GARCH(1,1) and GJR-GARCH(1,1,1) with a constant or zero mean and
//! normal or Student's t innovations — the models backtests refit thousands of times — in
//! one fused pass that returns the log-likelihood, its exact gradient and its exact Hessian
//! in `θ` without allocating. Its naive twin is the generic path in [`crate::likelihood`]
//! (dual numbers over the general recursion); tests assert that they agree, and that the
//! Hessian is the derivative of the gradient.
//!
//! With `p = (μ, ω, α, γ, β)`, `e_t = y_t − μ`, `a_t = α + γ 1[e_{t−1} < 0]` and
//! `σ²_t = ω + a_t e²_{t−1} + β σ²_{t−1}`:
//!
//! - Gradient: `D_t = ∂σ²_t/∂p = x_t + β D_{t−1}` with
//!   `x_t = (−2 a_t e_{t−1}, 1, e²_{t−1}, e²_{t−1} 1[e_{t−1} < 0], σ²_{t−1})` (backcast terms at
//!   `t = 0`).
//! - Hessian: `H_t = ∂²σ²_t/∂p∂p' = X_t + e_β D'_{t−1} + D_{t−1} e_β' + β H_{t−1}`, where `X_t`
//!   is non-zero only in `(μ, μ) = 2 a_t`, `(μ, α) = −2 e_{t−1}` and
//!   `(μ, γ) = −2 e_{t−1} 1[e_{t−1} < 0]`.
//! - Then `ℓ_t(σ², e, ν)` is chained: `∂ℓ/∂p = ℓ_σ² D + ℓ_e ∂e/∂p` and
//!   `∂²ℓ/∂p∂p' = ℓ_σ²σ² D D' + ℓ_σ² H + ℓ_σ²e (D E' + E D') + ℓ_ee E E'` with `E = ∂e/∂p =
//!   (−1, 0, 0, 0, 0)`, plus the rows in `ν`. The constants in `ν` (`ln Γ`, digamma, trigamma)
//!   are computed once per pass.
//!
//! A variance clipped at its lower bound has zero derivatives; above the upper bound
//! `σ² = hi + ln(raw/hi)`, whose derivatives are chained through the logarithm.

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

/// Position in `θ` of each internal slot (μ, ω, α, γ, β, ν), `None` where the model lacks it.
fn layout(model: &ArchModel) -> [Option<usize>; 6] {
    let has_mu = model.mean == Mean::Constant;
    let o = matches!(model.vol, Vol::Garch { o: 1, .. });
    let km = usize::from(has_mu);
    let t = model.dist == Dist::StudentsT;
    let ib = km + 2 + usize::from(o);
    [
        has_mu.then_some(0),
        Some(km),
        Some(km + 1),
        o.then_some(km + 2),
        Some(ib),
        t.then_some(ib + 1),
    ]
}

/// Parameters in internal order (μ, ω, α, γ, β, ν); absent ones 0.
fn internal(slots: &[Option<usize>; 6], theta: &[f64]) -> [f64; 6] {
    let mut v = [0.0; 6];
    for (k, s) in slots.iter().enumerate() {
        if let Some(i) = s {
            v[k] = theta[*i];
        }
    }
    v
}

/// The result of one pass, in internal order (μ, ω, α, γ, β, ν).
struct Pass {
    ll: f64,
    grad: [f64; 6],
    hess: [[f64; 6]; 6],
}

/// Trigamma ψ₁(x) for x > 0: the recurrence up to 10, then the asymptotic series
/// (absolute error below 1e-12 there).
pub fn trigamma(mut x: f64) -> f64 {
    let mut acc = 0.0;
    while x < 10.0 {
        acc += 1.0 / (x * x);
        x += 1.0;
    }
    let z = 1.0 / (x * x);
    acc + 1.0 / x + z / 2.0 + z / x * (1.0 / 6.0 - z * (1.0 / 30.0 - z * (1.0 / 42.0 - z / 30.0)))
}

/// `Σ ln x_t` as the logarithm of the running product `Π x_t`, kept as a mantissa in [1, 2)
/// and a binary exponent: one multiplication per term instead of a logarithm. Each product
/// rounds by at most 2⁻⁵³ relative, so over `n` terms the sum is off by at most `n · 2⁻⁵³`
/// absolute (1.6e-12 for 14,282 returns). Terms must lie in [`Self::MIN`, `Self::MAX`].
#[derive(Clone, Copy)]
struct LogProduct {
    mantissa: f64,
    exponent: i64,
}

impl LogProduct {
    const MIN: f64 = 1e-300;
    const MAX: f64 = 1e300;

    fn new() -> Self {
        Self {
            mantissa: 1.0,
            exponent: 0,
        }
    }

    #[inline(always)]
    fn mul(&mut self, x: f64) {
        let bits = (self.mantissa * x).to_bits();
        self.exponent += ((bits >> 52) & 0x7ff) as i64 - 1023;
        self.mantissa = f64::from_bits((bits & ((1 << 52) - 1)) | (1023 << 52));
    }

    fn ln(self) -> f64 {
        self.exponent as f64 * std::f64::consts::LN_2 + self.mantissa.ln()
    }
}

/// The entries of the upper triangle of `H_t` that the recursion can make non-zero when no
/// variance is clipped at its upper bound.
const SPARSE: [(usize, usize); 8] = [
    (0, 0),
    (0, 2),
    (0, 3),
    (0, 4),
    (1, 4),
    (2, 4),
    (3, 4),
    (4, 4),
];

/// `a_ss += ℓ_σ²σ² D D'` and `a_sh += ℓ_σ² H` over the upper triangles (without γ's row and
/// column for GARCH, where they are zero).
#[inline(always)]
fn accumulate<const GJR: bool>(
    dense: bool,
    l_ss: f64,
    l_s: f64,
    d: &[f64; 5],
    hs: &[[f64; 5]; 5],
    a_ss: &mut [[f64; 5]; 5],
    a_sh: &mut [[f64; 5]; 5],
) {
    for i in 0..5 {
        if !GJR && i == 3 {
            continue;
        }
        let sd = l_ss * d[i];
        for j in i..5 {
            if !GJR && j == 3 {
                continue;
            }
            a_ss[i][j] += sd * d[j];
        }
    }
    if dense {
        for i in 0..5 {
            for j in i..5 {
                a_sh[i][j] += l_s * hs[i][j];
            }
        }
    } else {
        for (i, j) in SPARSE {
            if GJR || (i != 3 && j != 3) {
                a_sh[i][j] += l_s * hs[i][j];
            }
        }
    }
}

/// One fused pass. `ORD` 0: value; 1: value and gradient (and per-observation gradients
/// into `each`); 2: value, gradient and Hessian.
#[inline(always)]
fn pass<const GJR: bool, const TD: bool, const ORD: u8, const FAST: bool, F: FnMut(&[f64; 6])>(
    prep: &Prepared,
    th: &[f64; 6],
    mut each: Option<&mut F>,
) -> Pass {
    let [mu, omega, alpha, gamma, beta, nu] = th;
    let (mu, omega, alpha, beta, nu) = (*mu, *omega, *alpha, *beta, *nu);
    let gamma = if GJR { *gamma } else { 0.0 };
    let (c, dc, d2c, h) = if TD {
        let c = ln_gamma((nu + 1.0) / 2.0)
            - ln_gamma(nu / 2.0)
            - ((nu - 2.0) * std::f64::consts::PI).ln() / 2.0;
        let (dc, d2c) = if ORD > 0 {
            (
                0.5 * digamma((nu + 1.0) / 2.0) - 0.5 * digamma(nu / 2.0) - 0.5 / (nu - 2.0),
                if ORD > 1 {
                    0.25 * trigamma((nu + 1.0) / 2.0) - 0.25 * trigamma(nu / 2.0)
                        + 0.5 / ((nu - 2.0) * (nu - 2.0))
                } else {
                    0.0
                },
            )
        } else {
            (0.0, 0.0)
        };
        (c, dc, d2c, (nu + 1.0) / 2.0)
    } else {
        (-0.5 * (2.0 * std::f64::consts::PI).ln(), 0.0, 0.0, 0.0)
    };
    let k2 = if TD { 1.0 / (nu - 2.0) } else { 0.0 };
    let bc = prep.backcast;
    // D = ∂σ²/∂p and H = ∂²σ²/∂p∂p' (upper triangle used), p = (μ, ω, α, γ, β).
    let mut d = [0.0f64; 5];
    let mut hs = [[0.0f64; 5]; 5];
    // Sums over observations.
    let mut total = 0.0;
    let mut g = [0.0f64; 6];
    let mut a_ss = [[0.0f64; 5]; 5]; // Σ ℓ_ss D D'
    let mut a_sh = [[0.0f64; 5]; 5]; // Σ ℓ_s H
    let mut a_se = [0.0f64; 5]; // Σ ℓ_se D
    let mut a_sn = [0.0f64; 5]; // Σ ℓ_sν D
    let (mut a_ee, mut a_en, mut a_nn) = (0.0, 0.0, 0.0);
    let mut prev_e = 0.0;
    let mut prev_s2 = 0.0;
    // With FAST, Σ ln σ²_t and Σ ln(1 + q_t) as logarithms of running products.
    let (mut ln_s2, mut ln_1q) = (LogProduct::new(), LogProduct::new());
    // H is zero outside SPARSE until a variance is clipped at its upper bound.
    let mut dense = false;
    let mut in_range = true;
    let n = prep.y.len();
    let y = &prep.y[..n];
    let bounds = &prep.bounds[..n];
    for t in 0..n {
        let e = y[t] - mu;
        let raw;
        if t == 0 {
            raw = omega + (alpha + 0.5 * gamma + beta) * bc;
            if ORD > 0 {
                d = [0.0, 1.0, bc, if GJR { 0.5 * bc } else { 0.0 }, bc];
            }
        } else {
            let neg = GJR && prev_e < 0.0;
            let e2 = prev_e * prev_e;
            let a = if neg { alpha + gamma } else { alpha };
            raw = omega + a * e2 + beta * prev_s2;
            if ORD > 1 {
                if dense {
                    for i in 0..5 {
                        for j in i..5 {
                            hs[i][j] *= beta;
                        }
                    }
                } else {
                    for (i, j) in SPARSE {
                        if GJR || (i != 3 && j != 3) {
                            hs[i][j] *= beta;
                        }
                    }
                }
                for i in 0..5 {
                    hs[i][4] += d[i];
                }
                hs[4][4] += d[4];
                hs[0][0] += 2.0 * a;
                hs[0][2] -= 2.0 * prev_e;
                if neg {
                    hs[0][3] -= 2.0 * prev_e;
                }
            }
            if ORD > 0 {
                let x = [
                    -2.0 * prev_e * a,
                    1.0,
                    e2,
                    if neg { e2 } else { 0.0 },
                    prev_s2,
                ];
                for k in 0..5 {
                    d[k] = x[k] + beta * d[k];
                }
            }
        }
        let (lo, hi) = bounds[t];
        let s2 = if raw < lo {
            if ORD > 0 {
                d = [0.0; 5];
                hs = [[0.0; 5]; 5];
            }
            lo
        } else if raw > hi {
            if ORD > 1 {
                dense = true;
                let r = 1.0 / raw;
                for i in 0..5 {
                    for j in i..5 {
                        hs[i][j] = hs[i][j] * r - d[i] * d[j] * r * r;
                    }
                }
            }
            if ORD > 0 {
                for v in &mut d {
                    *v /= raw;
                }
            }
            hi + (raw / hi).ln()
        } else {
            raw
        };
        let inv = 1.0 / s2;
        let ee = e * e;
        if TD {
            let q = ee * inv * k2;
            let l1p = if FAST {
                ln_s2.mul(s2);
                ln_1q.mul(1.0 + q);
                in_range &=
                    (LogProduct::MIN..=LogProduct::MAX).contains(&s2) && q <= LogProduct::MAX;
                0.0
            } else {
                let l1p = q.ln_1p();
                total += -0.5 * s2.ln() - h * l1p;
                l1p
            };
            if ORD > 0 {
                let r = 1.0 / (1.0 + q);
                let qr = q * r;
                let l_s = inv * (h * qr - 0.5);
                let l_e = -2.0 * h * e * inv * k2 * r;
                // dc and, with FAST, −½ Σ ln(1 + q) are added after the loop.
                let l_n = h * qr * k2 - 0.5 * l1p;
                let gt = [
                    l_s * d[0] - l_e,
                    l_s * d[1],
                    l_s * d[2],
                    l_s * d[3],
                    l_s * d[4],
                    l_n,
                ];
                for k in 0..6 {
                    g[k] += gt[k];
                }
                if let Some(f) = each.as_mut() {
                    let mut gt = gt;
                    gt[5] += dc;
                    f(&gt);
                }
                if ORD > 1 {
                    let l_ss = inv * inv * (0.5 - h * (qr * r + qr));
                    let l_se = 2.0 * h * e * inv * inv * k2 * r * r;
                    let l_sn = inv * (0.5 * qr - h * qr * r * k2);
                    let l_ee = -2.0 * h * inv * k2 * r * r * (1.0 - q);
                    let l_en = e * inv * k2 * (2.0 * h * k2 * r * r - r);
                    let l_nn = d2c + qr * k2 - h * qr * k2 * k2 * (r + 1.0);
                    accumulate::<GJR>(dense, l_ss, l_s, &d, &hs, &mut a_ss, &mut a_sh);
                    for i in 0..5 {
                        a_se[i] += l_se * d[i];
                        a_sn[i] += l_sn * d[i];
                    }
                    a_ee += l_ee;
                    a_en += l_en;
                    a_nn += l_nn;
                }
            }
        } else {
            let z2 = ee * inv;
            if FAST {
                ln_s2.mul(s2);
                in_range &= (LogProduct::MIN..=LogProduct::MAX).contains(&s2);
                total -= 0.5 * z2;
            } else {
                total -= 0.5 * (s2.ln() + z2);
            }
            if ORD > 0 {
                let l_s = 0.5 * inv * (z2 - 1.0);
                let l_e = -e * inv;
                let gt = [
                    l_s * d[0] - l_e,
                    l_s * d[1],
                    l_s * d[2],
                    l_s * d[3],
                    l_s * d[4],
                    0.0,
                ];
                for k in 0..6 {
                    g[k] += gt[k];
                }
                if let Some(f) = each.as_mut() {
                    f(&gt);
                }
                if ORD > 1 {
                    let l_ss = inv * inv * (0.5 - z2);
                    let l_se = e * inv * inv;
                    accumulate::<GJR>(dense, l_ss, l_s, &d, &hs, &mut a_ss, &mut a_sh);
                    for i in 0..5 {
                        a_se[i] += l_se * d[i];
                    }
                    a_ee -= inv;
                }
            }
        }
        prev_e = e;
        prev_s2 = s2;
    }
    if FAST && !in_range {
        // A variance or ratio too extreme for the running products: the direct sums.
        return pass::<GJR, TD, ORD, false, F>(prep, th, each);
    }
    let nf = n as f64;
    total += nf * c;
    if FAST {
        total -= 0.5 * ln_s2.ln();
        if TD {
            total -= h * ln_1q.ln();
        }
    }
    if TD && ORD > 0 {
        g[5] += nf * dc;
        if FAST {
            g[5] -= 0.5 * ln_1q.ln();
        }
    }
    let mut hess = [[0.0f64; 6]; 6];
    if ORD > 1 {
        for i in 0..5 {
            for j in i..5 {
                hess[i][j] = a_ss[i][j] + a_sh[i][j];
            }
        }
        // ℓ_se (D E' + E D') with E = −e_μ.
        for j in 0..5 {
            hess[0][j] -= a_se[j];
        }
        hess[0][0] -= a_se[0];
        hess[0][0] += a_ee;
        for i in 0..5 {
            hess[i][5] = a_sn[i];
        }
        hess[0][5] -= a_en;
        hess[5][5] = a_nn;
        for i in 0..6 {
            for j in 0..i {
                hess[i][j] = hess[j][i];
            }
        }
    }
    Pass {
        ll: total,
        grad: g,
        hess,
    }
}

/// Most parameters a kernel model has (μ, ω, α, γ, β, ν).
pub const K: usize = 6;

/// A `K × K` matrix; a model with `k` parameters uses its top-left `k × k` block.
pub type Mat = [[f64; K]; K];

/// No per-observation output.
type Nothing = fn(&[f64; 6]);

fn run<const ORD: u8, F: FnMut(&[f64; 6])>(
    model: &ArchModel,
    prep: &Prepared,
    theta: &[f64],
    each: Option<&mut F>,
) -> (Pass, [Option<usize>; 6]) {
    let slots = layout(model);
    let th = internal(&slots, theta);
    let gjr = slots[3].is_some();
    let td = slots[5].is_some();
    // Per-observation gradients need each observation's logarithm: the direct sums then.
    let p = match (gjr, td, each.is_none()) {
        (false, false, true) => pass::<false, false, ORD, true, F>(prep, &th, each),
        (false, true, true) => pass::<false, true, ORD, true, F>(prep, &th, each),
        (true, false, true) => pass::<true, false, ORD, true, F>(prep, &th, each),
        (true, true, true) => pass::<true, true, ORD, true, F>(prep, &th, each),
        (false, false, false) => pass::<false, false, ORD, false, F>(prep, &th, each),
        (false, true, false) => pass::<false, true, ORD, false, F>(prep, &th, each),
        (true, false, false) => pass::<true, false, ORD, false, F>(prep, &th, each),
        (true, true, false) => pass::<true, true, ORD, false, F>(prep, &th, each),
    };
    (p, slots)
}

/// Log-likelihood at `theta`; with `grad`, also its gradient (written into `grad`); with
/// `each`, also every observation's gradient (appended, `θ.len()` values per observation).
/// The caller checks [`supports`].
pub fn loglik(
    model: &ArchModel,
    prep: &Prepared,
    theta: &[f64],
    grad: Option<&mut [f64]>,
    each: Option<&mut Vec<f64>>,
) -> f64 {
    if grad.is_none() && each.is_none() {
        return run::<0, Nothing>(model, prep, theta, None).0.ll;
    }
    let slots = layout(model);
    let k = theta.len();
    let (p, slots) = match each {
        Some(out) => {
            out.reserve(prep.y.len() * k);
            let mut push = |gt: &[f64; 6]| {
                let start = out.len();
                out.resize(start + k, 0.0);
                for (s, v) in slots.iter().zip(gt) {
                    if let Some(i) = s {
                        out[start + i] = *v;
                    }
                }
            };
            run::<1, _>(model, prep, theta, Some(&mut push))
        }
        None => run::<1, Nothing>(model, prep, theta, None),
    };
    if let Some(out) = grad {
        for (s, v) in slots.iter().zip(&p.grad) {
            if let Some(i) = s {
                out[*i] = *v;
            }
        }
    }
    p.ll
}

/// Log-likelihood at `theta`, with its gradient written into `grad` and its Hessian into the
/// top-left block of `hess`; with `outer`, also the sum over observations of the outer
/// products of their gradients (for the robust covariance), in the same pass. The caller
/// checks [`supports`].
pub fn hessian(
    model: &ArchModel,
    prep: &Prepared,
    theta: &[f64],
    grad: &mut [f64],
    hess: &mut Mat,
    outer: Option<&mut Mat>,
) -> f64 {
    let mut acc = [[0.0f64; 6]; 6];
    let want = outer.is_some();
    let mut add = |gt: &[f64; 6]| {
        for i in 0..6 {
            for j in i..6 {
                acc[i][j] += gt[i] * gt[j];
            }
        }
    };
    let (p, slots) = if want {
        run::<2, _>(model, prep, theta, Some(&mut add))
    } else {
        run::<2, Nothing>(model, prep, theta, None)
    };
    for (a, sa) in slots.iter().enumerate() {
        let Some(i) = sa else { continue };
        grad[*i] = p.grad[a];
        for (b, sb) in slots.iter().enumerate() {
            if let Some(j) = sb {
                hess[*i][*j] = p.hess[a][b];
            }
        }
    }
    if let Some(out) = outer {
        for (a, sa) in slots.iter().enumerate() {
            let Some(i) = sa else { continue };
            for (b, sb) in slots.iter().enumerate() {
                if let Some(j) = sb {
                    out[*i][*j] = acc[a.min(b)][a.max(b)];
                }
            }
        }
    }
    p.ll
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

    /// GARCH and GJR with t and normal innovations, constant and zero means: the model, its
    /// leverage order, its distribution and parameters (the last GJR's α is `alpha`).
    fn cases(alpha: f64) -> [(Mean, usize, Dist, Vec<f64>); 4] {
        [
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
                vec![0.05, 0.02, alpha, 0.12, 0.9],
            ),
        ]
    }

    /// The fused kernel and the generic dual-number path agree on value and gradient.
    #[test]
    fn kernel_matches_its_naive_twin() {
        let y = data();
        let cases = cases(0.0);
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

    /// Trigamma against its defining series `Σ 1/(x + k)²` and known values.
    #[test]
    fn trigamma_values() {
        let pi2_6 = std::f64::consts::PI.powi(2) / 6.0;
        assert!((trigamma(1.0) - pi2_6).abs() < 1e-12);
        assert!((trigamma(0.5) - std::f64::consts::PI.powi(2) / 2.0).abs() < 1e-11);
        for x in [1.3, 2.05, 3.7, 12.5, 250.0] {
            // ψ₁(x) − ψ₁(x + 1) = 1/x².
            assert!((trigamma(x) - trigamma(x + 1.0) - 1.0 / (x * x)).abs() < 1e-12);
        }
    }

    /// The Hessian is the derivative of the exact gradient: central differences of the
    /// dual-number twin's gradient with a Richardson step, column by column; the kernel's
    /// gradient from the Hessian pass equals the gradient pass's.
    #[test]
    fn hessian_is_the_derivative_of_the_gradient() {
        let y = data();
        // Off the α = 0 bound, where the Hessian is one-sided.
        let cases = cases(0.01);
        let dual_grad = |m: &ArchModel, prep: &Prepared, th: &[f64]| -> Vec<f64> {
            let td: Vec<Dual<6>> = th
                .iter()
                .enumerate()
                .map(|(i, v)| Dual::var(*v, i))
                .collect();
            likelihood::loglik(m, prep, &td, None).d[..th.len()].to_vec()
        };
        for (mean, o, dist, theta) in cases {
            let m = ArchModel::new(mean, Vol::Garch { p: 1, o, q: 1 }, dist);
            let prep = m.prepare(&y).unwrap();
            let k = theta.len();
            let mut g = vec![0.0; k];
            let mut hess = [[0.0; K]; K];
            let ll = hessian(&m, &prep, &theta, &mut g, &mut hess, None);
            let mut g1 = vec![0.0; k];
            let ll1 = loglik(&m, &prep, &theta, Some(&mut g1), None);
            assert_eq!(ll.to_bits(), ll1.to_bits());
            for i in 0..k {
                assert!((g[i] - g1[i]).abs() <= 1e-12 * g1[i].abs().max(1.0));
            }
            for j in 0..k {
                let step = 1e-4 * theta[j].abs().max(1e-2);
                let diff = |h: f64| -> Vec<f64> {
                    let mut up = theta.clone();
                    up[j] += h;
                    let mut dn = theta.clone();
                    dn[j] -= h;
                    let (gu, gd) = (dual_grad(&m, &prep, &up), dual_grad(&m, &prep, &dn));
                    (0..k).map(|i| (gu[i] - gd[i]) / (2.0 * h)).collect()
                };
                let (a, b) = (diff(step), diff(step / 2.0));
                for i in 0..k {
                    let fd = (4.0 * b[i] - a[i]) / 3.0;
                    assert!(
                        (hess[i][j] - fd).abs() <= 1e-6 * fd.abs().max(hess[i][i].abs().sqrt()),
                        "{mean:?} o={o} {dist} H[{i}][{j}]: {} vs {fd}",
                        hess[i][j]
                    );
                }
            }
            // Symmetric.
            for i in 0..k {
                for j in 0..k {
                    assert_eq!(hess[i][j].to_bits(), hess[j][i].to_bits());
                }
            }
        }
    }

    /// Variances clipped at either bound: value, gradient and Hessian still agree with the
    /// twin and with differences of the gradient.
    #[test]
    fn derivatives_through_the_variance_bounds() {
        let y = data();
        let m = ArchModel::new(
            Mean::Constant,
            Vol::Garch { p: 1, o: 1, q: 1 },
            Dist::StudentsT,
        );
        let mut prep = m.prepare(&y).unwrap();
        // Tight bounds that bind often on both sides.
        for (t, b) in prep.bounds.iter_mut().enumerate() {
            *b = if t % 3 == 0 { (0.9, 1.5) } else { (0.2, 3.0) };
        }
        let theta = [0.01, 0.2, 0.1, 0.05, 0.8, 5.0];
        let mut g = [0.0; 6];
        let mut hess = [[0.0; K]; K];
        let ll = hessian(&m, &prep, &theta, &mut g, &mut hess, None);
        let slow = likelihood::loglik::<f64>(&m, &prep, &theta, None);
        assert!((ll - slow).abs() <= 1e-10 * slow.abs());
        let grad_at = |th: &[f64]| {
            let mut g = [0.0; 6];
            loglik(&m, &prep, th, Some(&mut g), None);
            g
        };
        for j in 0..6 {
            let h = 1e-6 * theta[j].abs().max(1e-2);
            let mut up = theta;
            up[j] += h;
            let mut dn = theta;
            dn[j] -= h;
            let (gu, gd) = (grad_at(&up), grad_at(&dn));
            for i in 0..6 {
                let fd = (gu[i] - gd[i]) / (2.0 * h);
                assert!(
                    (hess[i][j] - fd).abs() <= 1e-4 * fd.abs().max(1.0),
                    "H[{i}][{j}]: {} vs {fd}",
                    hess[i][j]
                );
            }
        }
    }
}
