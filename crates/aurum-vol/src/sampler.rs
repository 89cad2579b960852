//! Fast innovations for Monte Carlo runs: one xoshiro256++ stream per path, and symmetric
//! distributions (Student's t, the GED, the normal) drawn by a tabulated inverse CDF.
//!
//! A draw takes one 64-bit word: its top bit is the sign, the next 52 bits give the
//! two-sided tail probability `w = P(|X| > x)` as an odd multiple of 2⁻⁵³ (so the draws
//! stop at the quantile of tail probability 2⁻⁵³ ≈ 1.1e-16, a truncation no sample can
//! detect). The table splits `w` into octaves `[2⁻ʲ⁻¹, 2⁻ʲ)` (the exponent of `w` as a
//! float gives `j`, 0 ≤ j ≤ 52) and each octave into [`CELLS`] equal cells; in each cell
//! `x(w)` is the cubic Hermite interpolant of the quantile with its derivative
//! `−1 / pdf_{|X|}` at both ends. The knots are exact quantiles in the first octave and at
//! the end of every octave, and Runge–Kutta steps of the quantile's differential equation
//! between, so a table builds in about a millisecond. The cells are narrow relative to `w`
//! at every depth, so the tails are as accurate as the body (the relative error of the
//! table is below 3e-9 everywhere for t(ν ≥ 2); a GED with ν < 2 has a cusp at 0 and an
//! absolute error up to 1e-7 next to it; see the tests) down to
//! `w = 2⁻⁵³`, where a t(2.05) quantile is about 10⁸.
//!
//! The exact sampler ([`crate::Simulator::draw`], ChaCha8 and `rand_distr`) stays as the
//! naive twin: [`Sampler::Exact`].

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};
use statrs::function::beta::checked_beta_reg;
use statrs::function::erf::{erf, erfc};
use statrs::function::gamma::{checked_gamma_lr, checked_gamma_ur, ln_gamma};

use crate::VolError;

/// Which innovations a Monte Carlo run draws.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Sampler {
    /// Tabulated inverse CDFs on xoshiro256++ streams (one per path).
    #[default]
    Fast,
    /// The exact draws of [`crate::Simulator::draw`] on ChaCha8 streams: slower, kept as
    /// the reference.
    Exact,
}

/// Paths drawn side by side in [`LaneRng`].
pub const LANES: usize = 8;
/// Cells per octave of the tail probability (a power of two).
pub const CELLS: usize = 64;
const CELL_BITS: u32 = CELLS.trailing_zeros();
/// Octaves 0 ..= 52 are reached (w ≥ 2⁻⁵³); the table is a power of two for the index mask.
const OCTAVES: usize = 64;
const LAST_OCTAVE: usize = 52;
const TWO52: f64 = 4_503_599_627_370_496.0;
const MANTISSA: u64 = (1 << 52) - 1;

/// SplitMix64's output function.
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The xoshiro256++ state of path `path` under `seed`: four SplitMix64 outputs from the
/// key `mix64(seed) ⊕ path` (one key per path for a given seed, so paths never share a
/// starting point; the 2²⁵⁶ − 1 period makes overlapping stretches of two streams
/// vanishingly unlikely).
#[must_use]
pub fn stream_state(seed: u64, path: u64) -> [u64; 4] {
    let mut k = mix64(seed) ^ path;
    let mut s = [0u64; 4];
    for w in &mut s {
        k = k.wrapping_add(0x9e37_79b9_7f4a_7c15);
        *w = mix64(k);
    }
    if s == [0; 4] {
        // The one state xoshiro cannot leave; unreachable in practice.
        s[0] = 1;
    }
    s
}

/// The generator of path `path` under `seed` for the fast sampler (xoshiro256++).
#[must_use]
pub fn fast_rng(seed: u64, path: u64) -> Xoshiro256PlusPlus {
    let mut bytes = [0u8; 32];
    for (chunk, w) in bytes.chunks_exact_mut(8).zip(stream_state(seed, path)) {
        chunk.copy_from_slice(&w.to_le_bytes());
    }
    Xoshiro256PlusPlus::from_seed(bytes)
}

/// [`LANES`] consecutive paths' xoshiro256++ streams, stepped together. Written out (rather
/// than an array of `rand_xoshiro` generators) so that the state is laid out lane by lane
/// and the step compiles to vector instructions; the tests check that each lane is
/// [`fast_rng`]'s stream, word for word.
#[derive(Clone, Debug)]
pub struct LaneRng {
    s: [[u64; LANES]; 4],
}

impl LaneRng {
    /// Lanes for paths `first`, `first + 1`, … under `seed`.
    #[must_use]
    pub fn new(seed: u64, first: u64) -> Self {
        let mut s = [[0u64; LANES]; 4];
        for l in 0..LANES {
            let st = stream_state(seed, first + l as u64);
            for (w, v) in s.iter_mut().zip(st) {
                w[l] = v;
            }
        }
        Self { s }
    }

    /// The next word of every lane.
    #[inline]
    pub fn step(&mut self) -> [u64; LANES] {
        let [s0, s1, s2, s3] = &mut self.s;
        let mut out = [0u64; LANES];
        for l in 0..LANES {
            out[l] = s0[l]
                .wrapping_add(s3[l])
                .rotate_left(23)
                .wrapping_add(s0[l]);
            let t = s1[l] << 17;
            s2[l] ^= s0[l];
            s3[l] ^= s1[l];
            s1[l] ^= s2[l];
            s0[l] ^= s3[l];
            s2[l] ^= t;
            s3[l] = s3[l].rotate_left(45);
        }
        out
    }
}

/// A symmetric distribution the table can draw.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Symmetric {
    /// Student's t with `nu` degrees of freedom (not standardised).
    StudentsT {
        /// Degrees of freedom (> 0).
        nu: f64,
    },
    /// The generalised error distribution with shape `nu`, standardised to unit variance.
    Ged {
        /// Shape (> 0).
        nu: f64,
    },
    /// The standard normal.
    Normal,
}

impl Symmetric {
    fn check(self) -> Result<Self, VolError> {
        match self {
            Self::StudentsT { nu } | Self::Ged { nu } if !(nu > 0.0 && nu < 1e6) => Err(
                VolError::Spec(format!("cannot tabulate a distribution of shape {nu}")),
            ),
            _ => Ok(self),
        }
    }

    /// `P(|X| > x)` for `x ≥ 0`, accurate relative to its value in the tails.
    #[must_use]
    pub fn sf2(self, x: f64) -> f64 {
        match self {
            Self::StudentsT { nu } => {
                checked_beta_reg(nu / 2.0, 0.5, nu / (nu + x * x)).unwrap_or(f64::NAN)
            }
            Self::Ged { nu } => {
                let g = (x * ged_scale(nu)).powf(nu);
                if g <= 0.0 {
                    1.0
                } else {
                    checked_gamma_ur(1.0 / nu, g).unwrap_or(0.0)
                }
            }
            Self::Normal => erfc(x / std::f64::consts::SQRT_2),
        }
    }

    /// `P(|X| ≤ x)` for `x ≥ 0`, accurate relative to its value near 0.
    #[must_use]
    pub fn cdf2(self, x: f64) -> f64 {
        match self {
            Self::StudentsT { nu } => {
                let x2 = x * x;
                checked_beta_reg(0.5, nu / 2.0, x2 / (nu + x2)).unwrap_or(f64::NAN)
            }
            Self::Ged { nu } => {
                let g = (x * ged_scale(nu)).powf(nu);
                if g <= 0.0 {
                    0.0
                } else {
                    checked_gamma_lr(1.0 / nu, g).unwrap_or(1.0)
                }
            }
            Self::Normal => erf(x / std::f64::consts::SQRT_2),
        }
    }

    /// The density of `|X|` as a function, its normalising constant computed once.
    fn density(self) -> impl Fn(f64) -> f64 {
        let (c, nu, s) = match self {
            Self::StudentsT { nu } => (
                ln_gamma((nu + 1.0) / 2.0)
                    - ln_gamma(nu / 2.0)
                    - 0.5 * (nu * std::f64::consts::PI).ln(),
                nu,
                0.0,
            ),
            Self::Ged { nu } => {
                // |X| = G^{1/ν} / s with G ~ Gamma(1/ν): density ν s e^{−g} / Γ(1/ν) at
                // g = (x s)^ν.
                let s = ged_scale(nu);
                (nu.ln() + s.ln() - ln_gamma(1.0 / nu), nu, s)
            }
            Self::Normal => (0.5 * (2.0 / std::f64::consts::PI).ln(), 0.0, 0.0),
        };
        move |x: f64| match self {
            Self::StudentsT { .. } => 2.0 * (c - (nu + 1.0) / 2.0 * (x * x / nu).ln_1p()).exp(),
            Self::Ged { .. } => (c - (x * s).powf(nu)).exp(),
            Self::Normal => (c - 0.5 * x * x).exp(),
        }
    }

    /// The `x ≥ 0` with `P(|X| > x) = w`, for `w` in (0, 1], to about 1e-15 relative; `start`
    /// is a guess (any non-negative number).
    #[must_use]
    pub fn quantile2(self, w: f64, start: f64) -> f64 {
        if w >= 1.0 {
            return 0.0;
        }
        if w.is_nan() || w <= 0.0 {
            return f64::INFINITY;
        }
        // h(x) decreases through 0 at the root; logs keep its precision in the tails. The
        // probability it is computed from also gives Newton's slope.
        let upper = w <= 0.5;
        let h = |x: f64| {
            if upper {
                let p = self.sf2(x);
                (p.ln() - w.ln(), p)
            } else {
                let p = self.cdf2(x);
                ((1.0 - w).ln() - p.ln(), p)
            }
        };
        let pdf = self.density();
        let mut lo = 0.0;
        let mut hi = start.max(1.0);
        let mut guard = 0;
        while h(hi).0 > 0.0 && guard < 2100 {
            lo = hi;
            hi *= 2.0;
            guard += 1;
        }
        let mut x = if start > lo && start < hi {
            start
        } else {
            0.5 * (lo + hi)
        };
        for _ in 0..200 {
            let (hx, p) = h(x);
            if hx.abs() <= 1e-16 {
                return x;
            }
            if hx > 0.0 {
                lo = x;
            } else {
                hi = x;
            }
            let slope = -pdf(x) / p;
            let mut next = x - hx / slope;
            if !(next > lo && next < hi && next.is_finite()) {
                next = if lo > 0.0 && hi / lo > 4.0 {
                    (lo * hi).sqrt()
                } else {
                    0.5 * (lo + hi)
                };
            }
            if (next - x).abs() <= 1e-16 * x.abs() || hi - lo <= 1e-16 * hi {
                return next;
            }
            x = next;
        }
        x
    }
}

/// √(Γ(3/ν) / Γ(1/ν)): the GED's scale factor for unit variance.
fn ged_scale(nu: f64) -> f64 {
    (ln_gamma(3.0 / nu) - ln_gamma(1.0 / nu)).exp().sqrt()
}

/// A tabulated inverse CDF of a [`Symmetric`] distribution times a scale, built once per run.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    dist: Symmetric,
    scale: f64,
    /// Per octave and cell: cubic coefficients in the cell's local coordinate, scaled.
    coef: Vec<[f64; 4]>,
}

impl Table {
    /// The table of `scale · X`, `X ~ dist`.
    ///
    /// # Errors
    ///
    /// A shape out of range, a scale that is not finite and positive, or a quantile that
    /// could not be computed.
    pub fn new(dist: Symmetric, scale: f64) -> Result<Self, VolError> {
        let dist = dist.check()?;
        if !(scale > 0.0 && scale.is_finite()) {
            return Err(VolError::Spec(format!(
                "cannot tabulate with scale {scale}"
            )));
        }
        let pdf = dist.density();
        let mut coef = Vec::with_capacity(OCTAVES * CELLS);
        let mut knots: Vec<(f64, f64)> = Vec::with_capacity(CELLS + 1);
        // Knots from w = 1 (x = 0) outwards. The first octave's are exact quantiles, each
        // search started from the last. Deeper, the knots follow the quantile's differential
        // equation dx/dw = −1/pdf(x) by classical Runge–Kutta steps, one per cell, in
        // y = ln x against v = ln w (where the tail's power law is nearly a straight line),
        // and the octave's last knot is the exact quantile searched from there: errors
        // never carry past an octave. The tests hold the table to its stated accuracy.
        let mut x = 0.0;
        for j in 0..=LAST_OCTAVE {
            let base = (-(j as f64) - 1.0).exp2();
            let width = base / CELLS as f64;
            knots.clear();
            knots.push((x, -width / pdf(x)));
            for c in (0..CELLS).rev() {
                let w = base + c as f64 * width;
                let start = if j == 0 {
                    x
                } else {
                    // dy/dv = −w / (x pdf(x)); the step's midpoint in v is the geometric
                    // mean in w.
                    let (w0, w1) = (w + width, w);
                    let slope = |w: f64, y: f64| {
                        let x = y.exp();
                        -w / (x * pdf(x))
                    };
                    let (h, y, mid) = ((w1 / w0).ln(), x.ln(), (w0 * w1).sqrt());
                    let k1 = slope(w0, y);
                    let k2 = slope(mid, y + h * k1 / 2.0);
                    let k3 = slope(mid, y + h * k2 / 2.0);
                    let k4 = slope(w1, y + h * k3);
                    (y + h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)).exp()
                };
                x = if j == 0 || c == 0 {
                    dist.quantile2(w, start)
                } else {
                    start
                };
                if !(x.is_finite() && x > 0.0) {
                    return Err(VolError::Spec(format!(
                        "the quantile of {dist:?} at tail probability {w:e} is {x}"
                    )));
                }
                knots.push((x, -width / pdf(x)));
            }
            knots.reverse();
            for c in 0..CELLS {
                let (x0, d0) = knots[c];
                let (x1, d1) = knots[c + 1];
                let a2 = 3.0 * (x1 - x0) - 2.0 * d0 - d1;
                let a3 = 2.0 * (x0 - x1) + d0 + d1;
                coef.push([x0 * scale, d0 * scale, a2 * scale, a3 * scale]);
            }
        }
        // Octaves past the last are never indexed (w ≥ 2⁻⁵³); they fill the table to a power
        // of two for the index mask.
        let last = coef[LAST_OCTAVE * CELLS..].to_vec();
        while coef.len() < OCTAVES * CELLS {
            coef.extend_from_slice(&last);
        }
        Ok(Self { dist, scale, coef })
    }

    /// The distribution tabulated.
    #[must_use]
    pub fn dist(&self) -> Symmetric {
        self.dist
    }

    /// The scale.
    #[must_use]
    pub fn scale(&self) -> f64 {
        self.scale
    }

    /// The draw a 64-bit random word gives: its top bit is the sign; the next 52 bits give
    /// the tail probability `w = (k + ½) / 2⁵²`.
    #[inline]
    #[must_use]
    pub fn sample(&self, u: u64) -> f64 {
        // 2⁵² w as a float, exactly, without an integer conversion (the bits of k under
        // 2⁵²'s exponent, minus 2⁵²): vector instructions can do this for several lanes.
        let k = (u << 1) >> 12;
        let f = (f64::from_bits(0x4330_0000_0000_0000 | k) - TWO52) + 0.5;
        let bits = f.to_bits();
        // f in [2^e, 2^(e+1)), e = −1 ..= 51: octave 51 − e; then the cell and the position.
        let octave = (1023 + 51) - (bits >> 52);
        let cell = (bits >> (52 - CELL_BITS)) & (CELLS as u64 - 1);
        let s = f64::from_bits(0x3ff0_0000_0000_0000 | ((bits << CELL_BITS) & MANTISSA)) - 1.0;
        let c = self.coef[((octave as usize) * CELLS + cell as usize) & (OCTAVES * CELLS - 1)];
        let v = c[0] + s * (c[1] + s * (c[2] + s * c[3]));
        f64::from_bits(v.to_bits() ^ (u & (1 << 63)))
    }

    /// [`Table::sample`] of [`LANES`] words at once, the same numbers: the index and
    /// position arithmetic runs on vectors, only the coefficient loads lane by lane.
    #[inline(always)]
    #[must_use]
    pub fn sample_lanes(&self, u: &[u64; LANES]) -> [f64; LANES] {
        let mut at = [0usize; LANES];
        let mut s = [0.0f64; LANES];
        for l in 0..LANES {
            let k = (u[l] << 1) >> 12;
            let f = (f64::from_bits(0x4330_0000_0000_0000 | k) - TWO52) + 0.5;
            let bits = f.to_bits();
            let octave = (1023 + 51) - (bits >> 52);
            let cell = (bits >> (52 - CELL_BITS)) & (CELLS as u64 - 1);
            at[l] = ((octave << CELL_BITS) + cell) as usize & (OCTAVES * CELLS - 1);
            s[l] = f64::from_bits(0x3ff0_0000_0000_0000 | ((bits << CELL_BITS) & MANTISSA)) - 1.0;
        }
        let mut c = [[0.0f64; LANES]; 4];
        for l in 0..LANES {
            let k = self.coef[at[l]];
            for (ci, ki) in c.iter_mut().zip(k) {
                ci[l] = ki;
            }
        }
        let mut out = [0.0f64; LANES];
        for l in 0..LANES {
            let v = c[0][l] + s[l] * (c[1][l] + s[l] * (c[2][l] + s[l] * c[3][l]));
            out[l] = f64::from_bits(v.to_bits() ^ (u[l] & (1 << 63)));
        }
        out
    }

    /// The exact value the table approximates for word `u` (for tests and checks).
    #[must_use]
    pub fn exact(&self, u: u64) -> f64 {
        let w = (((u << 1) >> 12) as f64 + 0.5) * (-52f64).exp2();
        let x = self.dist.quantile2(w, 1.0) * self.scale;
        if u >> 63 == 1 { -x } else { x }
    }
}

/// Kolmogorov–Smirnov and Anderson–Darling statistics of a sample against a continuous CDF.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GoodnessOfFit {
    /// Draws.
    pub n: usize,
    /// `D = sup |F_n − F|`.
    pub ks: f64,
    /// `√n D`: its asymptotic 5%, 1% and 0.1% critical values are 1.358, 1.628 and 1.949.
    pub ks_scaled: f64,
    /// `A²`: asymptotic 5%, 1% and 0.1% critical values 2.492, 3.878 and 5.97.
    pub ad: f64,
}

/// [`GoodnessOfFit`] of `sorted` (ascending) against `cdf`, which gives `(F(x), 1 − F(x))`
/// each to full relative precision. `A² = n ∫ (F_n − u)² / (u (1 − u)) du` is summed piece
/// by piece between consecutive order statistics in closed form (with `ln_1p`), so that it
/// stays accurate at 1e8 draws, where the textbook sum cancels to nothing.
pub fn goodness_of_fit(sorted: &[f64], cdf: impl Fn(f64) -> (f64, f64)) -> GoodnessOfFit {
    let n = sorted.len();
    let nf = n as f64;
    let mut ks = 0.0f64;
    let mut ad = 0.0;
    let mut prev: Option<(f64, f64)> = None;
    for (i, x) in sorted.iter().enumerate() {
        let (u, v) = cdf(*x);
        // F_n is i/n just below this point and (i+1)/n at it.
        let (lo, hi) = (i as f64 / nf, (i + 1) as f64 / nf);
        ks = ks.max(hi - u).max(u - lo);
        let c = lo;
        match prev {
            // [0, u_1]: ∫ u / (1 − u) = −u − ln(1 − u).
            None => ad += -u - v.ln(),
            Some((a, va)) => {
                let h = if a < 0.5 { u - a } else { va - v };
                if h > 0.0 {
                    ad += -h + c * c * (h / a).ln_1p() + (1.0 - c) * (1.0 - c) * (h / v).ln_1p();
                }
            }
        }
        prev = Some((u, v));
    }
    // [u_n, 1]: ∫ (1 − u) / u = −ln u − (1 − u).
    if let Some((u, v)) = prev {
        ad += -u.ln() - v;
    }
    GoodnessOfFit {
        n,
        ks,
        ks_scaled: ks * nf.sqrt(),
        ad: nf * ad,
    }
}

/// Student's t CDF pair `(F(x), 1 − F(x))` for [`goodness_of_fit`]; in closed form for ν = 4
/// (`P(T > t) = (1 − s)² (2 + s) / 4`, `s = t / √(t² + 4)`), else from the incomplete beta
/// function.
#[must_use]
pub fn t_cdf(nu: f64, x: f64) -> (f64, f64) {
    let upper = |t: f64| {
        if nu == 4.0 {
            let r = (t * t + 4.0).sqrt();
            let one_minus_s = 4.0 / (r * (r + t));
            let s = t / r;
            one_minus_s * one_minus_s * (2.0 + s) / 4.0
        } else {
            Symmetric::StudentsT { nu }.sf2(t) / 2.0
        }
    };
    if x >= 0.0 {
        let q = upper(x);
        (1.0 - q, q)
    } else {
        let p = upper(-x);
        (p, 1.0 - p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngCore;

    #[test]
    fn lanes_are_the_scalar_streams() {
        let mut lanes = LaneRng::new(42, 1000);
        let mut scalar: Vec<_> = (0..LANES as u64).map(|l| fast_rng(42, 1000 + l)).collect();
        for _ in 0..100 {
            let words = lanes.step();
            for (l, r) in scalar.iter_mut().enumerate() {
                assert_eq!(words[l], r.next_u64());
            }
        }
        assert_ne!(stream_state(1, 0), stream_state(1, 1));
        let t = Table::new(Symmetric::StudentsT { nu: 4.5 }, 0.8).unwrap();
        for _ in 0..1000 {
            let w = lanes.step();
            let v = t.sample_lanes(&w);
            for l in 0..LANES {
                assert_eq!(v[l].to_bits(), t.sample(w[l]).to_bits());
            }
        }
        assert_ne!(stream_state(1, 0), stream_state(2, 0));
    }

    /// Relative error below 3e-9 away from the centre; absolute error below 1e-7 at it
    /// (where a GED with ν < 2 has a quantile that is not smooth: its cusp at 0).
    #[test]
    fn the_table_matches_exact_quantiles_at_every_depth() {
        for dist in [
            Symmetric::StudentsT { nu: 4.0 },
            Symmetric::StudentsT { nu: 2.05 },
            Symmetric::StudentsT { nu: 7.3 },
            Symmetric::Ged { nu: 1.3 },
            Symmetric::Ged { nu: 2.7 },
            Symmetric::Normal,
        ] {
            let t = Table::new(dist, 1.0).unwrap();
            let mut rng = fast_rng(5, 0);
            let (mut rel, mut abs) = (0.0f64, 0.0f64);
            for k in 0..4000u64 {
                // Words with 0..62 leading zeros after the sign (tail probabilities down to
                // 2⁻⁵³), at random positions, and words next to the centre.
                let r = rng.next_u64();
                let u = if k % 8 == 0 {
                    (((1u64 << 63) - 1) ^ (r >> 20)) | (r & (1 << 63))
                } else {
                    (r >> (k % 63)) | (r & (1 << 63))
                };
                let (a, e) = (t.sample(u), t.exact(u));
                if e.abs() > 0.05 {
                    rel = rel.max(((a - e) / e).abs());
                } else {
                    abs = abs.max((a - e).abs());
                }
            }
            assert!(
                rel < 3e-9 && abs < 1e-7,
                "{dist:?}: relative error {rel:e}, absolute {abs:e}"
            );
        }
    }

    #[test]
    fn bad_shapes_are_refused() {
        assert!(Table::new(Symmetric::StudentsT { nu: -1.0 }, 1.0).is_err());
        assert!(Table::new(Symmetric::StudentsT { nu: f64::NAN }, 1.0).is_err());
        assert!(Table::new(Symmetric::Normal, 0.0).is_err());
    }
}
