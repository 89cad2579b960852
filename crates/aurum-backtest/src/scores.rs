//! Scoring rules and calibration tests for probabilistic forecasts.
//!
//! Forecasts are ensembles (Monte Carlo samples) of a scalar outcome, or probabilities of a
//! binary event. Every function here is a formula from the literature, named in its doc;
//! `tests/scoring.rs` checks each against `properscoring`, `scipy` or `statsmodels`.

use serde::Serialize;
use statrs::distribution::{ChiSquared, ContinuousCDF};

/// CRPS of a normal forecast `N(mu, sigma²)` for the outcome `y` (Gneiting et al. 2005):
/// `σ [z (2Φ(z) − 1) + 2φ(z) − 1/√π]`, `z = (y − μ)/σ`, with `2Φ(z) − 1 = erf(z/√2)` from
/// `libm` (statrs' `erf` is off by about 3e-11 relative near 0.7).
#[must_use]
pub fn crps_normal(mu: f64, sigma: f64, y: f64) -> f64 {
    let z = (y - mu) / sigma;
    let pdf = (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
    sigma
        * (z * libm::erf(z / std::f64::consts::SQRT_2) + 2.0 * pdf
            - 1.0 / std::f64::consts::PI.sqrt())
}

/// CRPS of the empirical distribution of `sorted` (ascending) for the outcome `y`:
/// `(1/n) Σ|xᵢ − y| − (1/2n²) Σᵢ Σⱼ |xᵢ − xⱼ|`, the integral of the squared difference between
/// the ensemble's step CDF and the outcome's. In O(n) from the order statistics:
/// `Σᵢ Σⱼ |xᵢ − xⱼ| = 2 Σᵢ (2i − n − 1) x₍ᵢ₎` (1-based `i`). NaN for an empty ensemble.
#[must_use]
pub fn crps_sorted(sorted: &[f64], y: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let nf = n as f64;
    let mut abs = 0.0;
    let mut spread = 0.0;
    for (i, &x) in sorted.iter().enumerate() {
        abs += (x - y).abs();
        spread += (2.0 * (i + 1) as f64 - nf - 1.0) * x;
    }
    abs / nf - spread / (nf * nf)
}

/// The naive twin of [`crps_sorted`]: the double sum over all pairs, any order, O(n²).
#[must_use]
pub fn crps_pairs(samples: &[f64], y: f64) -> f64 {
    let n = samples.len() as f64;
    let abs: f64 = samples.iter().map(|x| (x - y).abs()).sum();
    let pairs: f64 = samples
        .iter()
        .map(|a| samples.iter().map(|b| (a - b).abs()).sum::<f64>())
        .sum();
    abs / n - pairs / (2.0 * n * n)
}

/// Log density at `y` of a Gaussian kernel density estimate of `samples`, with the bandwidth
/// of `scipy.stats.gaussian_kde(bw_method="silverman")`: the kernel's standard deviation is
/// the samples' (ddof 1) times `(3n/4)^(-1/5)`. Summed in log space, so `y` far in a tail
/// gives a large negative number, not `-inf`. `None` for fewer than two samples or no spread.
#[must_use]
pub fn kde_logpdf(samples: &[f64], y: f64) -> Option<f64> {
    let h = kde_bandwidth(samples)?;
    let n = samples.len() as f64;
    let zs = samples.iter().map(|x| -0.5 * ((y - x) / h).powi(2));
    let max = zs.clone().fold(f64::NEG_INFINITY, f64::max);
    let sum: f64 = zs.map(|z| (z - max).exp()).sum();
    Some(max + sum.ln() - (n * h * (2.0 * std::f64::consts::PI).sqrt()).ln())
}

/// The kernel standard deviation [`kde_logpdf`] uses.
#[must_use]
pub fn kde_bandwidth(samples: &[f64]) -> Option<f64> {
    let n = samples.len();
    if n < 2 {
        return None;
    }
    let nf = n as f64;
    let mean = samples.iter().sum::<f64>() / nf;
    let var = samples.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (nf - 1.0);
    let h = var.sqrt() * (3.0 * nf / 4.0).powf(-0.2);
    (h > 0.0 && h.is_finite()).then_some(h)
}

/// Probability integral transform of `y` under the ensemble `sorted` (ascending): the share
/// of samples below `y`, counting ties as half.
#[must_use]
pub fn pit(sorted: &[f64], y: f64) -> f64 {
    let below = sorted.partition_point(|x| *x < y);
    let at_or_below = sorted.partition_point(|x| *x <= y);
    (below + at_or_below) as f64 / (2 * sorted.len()) as f64
}

/// The `q` quantile of `sorted` (ascending), interpolated linearly between order statistics
/// as `numpy.quantile`'s default.
pub use aurum_stats::quantile;

/// Uniformity of PIT values: a histogram and two tests.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PitTest {
    /// Counts in equal bins on [0, 1] (1.0 falls in the last).
    pub counts: Vec<u64>,
    /// Pearson χ² against equal counts (`scipy.stats.chisquare`).
    pub chi2: f64,
    /// Its p-value, χ²(bins − 1).
    pub chi2_p: f64,
    /// Kolmogorov–Smirnov distance to the uniform CDF.
    pub ks: f64,
    /// Its asymptotic p-value (`kstest(..., method="asymp")`).
    pub ks_p: f64,
}

/// Tests PIT values for uniformity. `None` when there are none or fewer than two bins.
#[must_use]
pub fn pit_uniformity(pits: &[f64], bins: usize) -> Option<PitTest> {
    if pits.is_empty() || bins < 2 {
        return None;
    }
    let mut counts = vec![0u64; bins];
    for p in pits {
        let k = ((p * bins as f64).floor().max(0.0) as usize).min(bins - 1);
        counts[k] += 1;
    }
    let n = pits.len() as f64;
    let expected = n / bins as f64;
    let chi2: f64 = counts
        .iter()
        .map(|c| (*c as f64 - expected).powi(2) / expected)
        .sum();
    let chi2_p = chi2_sf(chi2, (bins - 1) as f64);
    let mut sorted = pits.to_vec();
    sorted.sort_by(f64::total_cmp);
    let ks = sorted
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let p = p.clamp(0.0, 1.0);
            ((i + 1) as f64 / n - p).max(p - i as f64 / n)
        })
        .fold(0.0, f64::max);
    Some(PitTest {
        counts,
        chi2,
        chi2_p,
        ks,
        ks_p: kolmogorov_sf(ks * n.sqrt()),
    })
}

/// Survival function of Kolmogorov's limiting distribution (`scipy.stats.kstwobign.sf`):
/// `2 Σ (−1)^(k−1) exp(−2k²x²)`, or for small `x` one minus the theta-function form of the
/// CDF, `√(2π)/x Σ exp(−(2k−1)²π²/(8x²))`, which converges there.
#[must_use]
pub fn kolmogorov_sf(x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    if x < 1.0 {
        let pi2 = std::f64::consts::PI * std::f64::consts::PI;
        let cdf: f64 = (1..=20)
            .map(|k| {
                let m = (2 * k - 1) as f64;
                (-m * m * pi2 / (8.0 * x * x)).exp()
            })
            .sum::<f64>()
            * (2.0 * std::f64::consts::PI).sqrt()
            / x;
        return (1.0 - cdf).clamp(0.0, 1.0);
    }
    let sf: f64 = (1..=100)
        .map(|k| {
            let sign = if k % 2 == 1 { 1.0 } else { -1.0 };
            sign * (-2.0 * (k * k) as f64 * x * x).exp()
        })
        .sum::<f64>()
        * 2.0;
    sf.clamp(0.0, 1.0)
}

fn chi2_sf(x: f64, df: f64) -> f64 {
    ChiSquared::new(df).map_or(f64::NAN, |d| d.sf(x.max(0.0)))
}

/// `a ln b`, with `0 ln 0 = 0`.
fn xlogy(a: f64, b: f64) -> f64 {
    if a == 0.0 { 0.0 } else { a * b.ln() }
}

/// Kupiec's (1995) proportion-of-failures test: `x` misses in `n` forecasts of an interval
/// that should miss with probability `p`. Returns the likelihood ratio and its χ²(1) p-value.
#[must_use]
pub fn kupiec(n: u64, x: u64, p: f64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let (nf, xf) = (n as f64, x as f64);
    let hat = xf / nf;
    let lr = -2.0 * (xlogy(nf - xf, 1.0 - p) + xlogy(xf, p))
        + 2.0 * (xlogy(nf - xf, 1.0 - hat) + xlogy(xf, hat));
    let lr = lr.max(0.0);
    (lr, chi2_sf(lr, 1.0))
}

/// Christoffersen's (1998) tests of an interval's miss sequence.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Christoffersen {
    /// Transitions from no miss to no miss.
    pub n00: u64,
    /// Transitions from no miss to a miss.
    pub n01: u64,
    /// Transitions from a miss to no miss.
    pub n10: u64,
    /// Transitions from a miss to a miss.
    pub n11: u64,
    /// Kupiec's unconditional coverage statistic on the whole sequence.
    pub lr_pof: f64,
    /// Independence: misses do not cluster (χ²(1)).
    pub lr_ind: f64,
    /// p-value of `lr_ind`.
    pub p_ind: f64,
    /// Conditional coverage, `lr_pof + lr_ind` (χ²(2)).
    pub lr_cc: f64,
    /// p-value of `lr_cc`.
    pub p_cc: f64,
}

/// Christoffersen's independence and conditional-coverage tests of the miss sequence `hits`
/// (true = the outcome fell outside the interval) for a nominal miss rate `p`.
#[must_use]
pub fn christoffersen(hits: &[bool], p: f64) -> Christoffersen {
    let mut n = [[0u64; 2]; 2];
    for w in hits.windows(2) {
        n[usize::from(w[0])][usize::from(w[1])] += 1;
    }
    let [[n00, n01], [n10, n11]] = n;
    let f = |x: u64| x as f64;
    let pi01 = if n00 + n01 > 0 {
        f(n01) / f(n00 + n01)
    } else {
        0.0
    };
    let pi11 = if n10 + n11 > 0 {
        f(n11) / f(n10 + n11)
    } else {
        0.0
    };
    let total = n00 + n01 + n10 + n11;
    let pi = if total > 0 {
        f(n01 + n11) / f(total)
    } else {
        0.0
    };
    let l_null = xlogy(f(n00 + n10), 1.0 - pi) + xlogy(f(n01 + n11), pi);
    let l_alt = xlogy(f(n00), 1.0 - pi01)
        + xlogy(f(n01), pi01)
        + xlogy(f(n10), 1.0 - pi11)
        + xlogy(f(n11), pi11);
    let lr_ind = (-2.0 * (l_null - l_alt)).max(0.0);
    let misses = hits.iter().filter(|h| **h).count() as u64;
    let (lr_pof, _) = kupiec(hits.len() as u64, misses, p);
    let lr_cc = lr_pof + lr_ind;
    Christoffersen {
        n00,
        n01,
        n10,
        n11,
        lr_pof,
        lr_ind,
        p_ind: chi2_sf(lr_ind, 1.0),
        lr_cc,
        p_cc: chi2_sf(lr_cc, 2.0),
    }
}

/// One bin of a reliability diagram.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReliabilityBin {
    /// Lower edge of the forecast probabilities in the bin.
    pub lo: f64,
    /// Upper edge.
    pub hi: f64,
    /// Forecasts in the bin.
    pub n: u64,
    /// Their mean probability.
    pub mean_forecast: f64,
    /// How often the event happened.
    pub observed: f64,
    /// Standard error of `observed − mean_forecast`, when the forecasts' grouping by origin
    /// is known ([`brier_grouped`]): forecasts made at one origin, and at origins less than a
    /// horizon apart, share outcomes, so a bin holds fewer independent forecasts than `n`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub se: Option<f64>,
}

/// The Brier score of binary forecasts and its decomposition.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Brier {
    /// Forecasts scored.
    pub n: u64,
    /// Mean squared difference between probability and outcome (lower is better).
    pub bs: f64,
    /// Reliability: distance of each bin's mean forecast from its observed frequency.
    pub reliability: f64,
    /// Resolution: spread of the bins' observed frequencies around the base rate.
    pub resolution: f64,
    /// Uncertainty: `ō(1 − ō)`, the score of always forecasting the base rate.
    pub uncertainty: f64,
    /// Within-bin variance of the forecasts.
    pub within_variance: f64,
    /// Within-bin covariance of forecasts and outcomes (times two).
    pub within_covariance: f64,
    /// The reliability diagram: non-empty bins.
    pub bins: Vec<ReliabilityBin>,
    /// The joint test that every bin of at least [`RELIABILITY_MIN_N`] forecasts is on the
    /// diagonal, when the grouping by origin is known ([`brier_grouped`]) and there are more
    /// non-overlapping origins than such bins.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reliability_test: Option<ReliabilityTest>,
}

/// Bins with fewer forecasts than this are left out of [`ReliabilityTest`] (their variance,
/// estimated from a handful of origins, is not to be trusted) and are not called biased.
pub const RELIABILITY_MIN_N: u64 = 50;

/// A Wald test that the gaps `observed − mean_forecast` of the reliability bins with at
/// least [`RELIABILITY_MIN_N`] forecasts are all zero, with their Driscoll–Kraay covariance
/// (the bins' gaps are correlated: one origin's forecasts share an outcome path).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReliabilityTest {
    /// Bins tested (the χ² degrees of freedom).
    pub bins: usize,
    /// `gᵀ V⁻¹ g`.
    pub stat: f64,
    /// Its χ² p-value.
    pub p: f64,
}

/// Brier score and the decomposition of Stephenson, Coelho and Jolliffe (2008), exact for
/// binned forecasts: `bs = reliability − resolution + uncertainty + within_variance −
/// within_covariance`. Forecast `p` falls in bin `min(⌊p·bins⌋, bins − 1)`. `None` for no
/// forecasts or mismatched lengths.
#[must_use]
pub fn brier(p: &[f64], o: &[bool], bins: usize) -> Option<Brier> {
    if p.is_empty() || p.len() != o.len() || bins == 0 {
        return None;
    }
    let n = p.len() as f64;
    let of = |b: bool| if b { 1.0 } else { 0.0 };
    let bin = |x: f64| bin_of(x, bins);
    let mut count = vec![0u64; bins];
    let mut sum_f = vec![0.0; bins];
    let mut sum_o = vec![0.0; bins];
    for (x, y) in p.iter().zip(o) {
        let k = bin(*x);
        count[k] += 1;
        sum_f[k] += x;
        sum_o[k] += of(*y);
    }
    let base = sum_o.iter().sum::<f64>() / n;
    let mean = |s: &[f64], k: usize| s[k] / count[k] as f64;
    let (mut rel, mut res) = (0.0, 0.0);
    let mut out = Vec::new();
    for k in (0..bins).filter(|k| count[*k] > 0) {
        let (fk, ok) = (mean(&sum_f, k), mean(&sum_o, k));
        let c = count[k] as f64;
        rel += c * (fk - ok).powi(2);
        res += c * (ok - base).powi(2);
        out.push(ReliabilityBin {
            lo: k as f64 / bins as f64,
            hi: (k + 1) as f64 / bins as f64,
            n: count[k],
            mean_forecast: fk,
            observed: ok,
            se: None,
        });
    }
    let (mut bs, mut wbv, mut wbc) = (0.0, 0.0, 0.0);
    for (x, y) in p.iter().zip(o) {
        let k = bin(*x);
        let (fk, ok) = (mean(&sum_f, k), mean(&sum_o, k));
        bs += (x - of(*y)).powi(2);
        wbv += (x - fk).powi(2);
        wbc += (of(*y) - ok) * (x - fk);
    }
    Some(Brier {
        n: p.len() as u64,
        bs: bs / n,
        reliability: rel / n,
        resolution: res / n,
        uncertainty: base * (1.0 - base),
        within_variance: wbv / n,
        within_covariance: 2.0 * wbc / n,
        bins: out,
        reliability_test: None,
    })
}

/// [`brier`], with each reliability bin's standard error: `group[i]` is the origin of
/// forecast `i` (0, 1, 2, … in time order), and forecasts `lags` or fewer origins apart may
/// share outcomes.
///
/// The bin's gap `ḡ = Σ (oᵢ − pᵢ) / n_k` is a mean over its forecasts; its variance is that
/// of Driscoll and Kraay (1998): the gap's residuals `oᵢ − pᵢ − ḡ` are summed per origin
/// (zero at an origin with no forecast in the bin, so lags count origins, not bin
/// members), and those sums get a Newey–West (Bartlett) long-run variance over `lags` lags:
/// `se² = (Σₜ uₜ² + 2 Σₗ (1 − l/(lags+1)) Σₜ uₜuₜ₋ₗ) / n_k²`. This is statsmodels' OLS of
/// the gap on the bin's indicator with `cov_type="hac-groupsum"` and no small-sample
/// correction. `None` as [`brier`], or when `group` is not as long as `p` or not
/// non-decreasing.
#[must_use]
pub fn brier_grouped(
    p: &[f64],
    o: &[bool],
    group: &[usize],
    bins: usize,
    lags: usize,
) -> Option<Brier> {
    let mut b = brier(p, o, bins)?;
    if group.len() != p.len() || group.windows(2).any(|w| w[0] > w[1]) {
        return None;
    }
    let origins = group.last().map_or(0, |g| g + 1);
    // Per bin and origin: the sum of oᵢ − pᵢ and the count, in one pass.
    let mut sum = vec![vec![0.0; origins]; bins];
    let mut count = vec![vec![0.0; origins]; bins];
    for ((x, y), g) in p.iter().zip(o).zip(group) {
        let k = bin_of(*x, bins);
        sum[k][*g] += f64::from(u8::from(*y)) - x;
        count[k][*g] += 1.0;
    }
    // The Bartlett long-run covariance of two bins' per-origin sums (weights by `lags`, the
    // sums reaching no further back than the first origin).
    let long_run = |u: &[f64], v: &[f64]| {
        let mut s: f64 = u.iter().zip(v).map(|(a, b)| a * b).sum();
        for l in 1..=lags.min(origins.saturating_sub(1)) {
            let w = 1.0 - l as f64 / (lags + 1) as f64;
            let ahead: f64 = u[l..].iter().zip(v).map(|(a, b)| a * b).sum();
            let behind: f64 = v[l..].iter().zip(u).map(|(a, b)| a * b).sum();
            s += w * (ahead + behind);
        }
        s
    };
    // `brier` keeps the non-empty bins, in order.
    let filled = (0..bins).filter(|k| count[*k].iter().any(|c| *c > 0.0));
    // The tested bins: gap, count and per-origin residual sums.
    let mut tested: Vec<(f64, f64, Vec<f64>)> = Vec::new();
    for (bin, k) in b.bins.iter_mut().zip(filled) {
        let gap = bin.observed - bin.mean_forecast;
        let u: Vec<f64> = sum[k]
            .iter()
            .zip(&count[k])
            .map(|(s, c)| s - gap * c)
            .collect();
        bin.se = Some(long_run(&u, &u).max(0.0).sqrt() / bin.n as f64);
        if bin.n >= RELIABILITY_MIN_N {
            tested.push((gap, bin.n as f64, u));
        }
    }
    // Each bin's per-origin sums add up to zero, so the covariance has rank below the number
    // of origins: the test needs more non-overlapping origins than bins.
    b.reliability_test = (origins / (lags + 1) > tested.len())
        .then(|| wald(&tested, long_run))
        .flatten();
    Some(b)
}

/// The Wald statistic `gᵀ V⁻¹ g` of the tested bins (see [`brier_grouped`]); `None` with no
/// bin or a singular covariance.
fn wald(
    tested: &[(f64, f64, Vec<f64>)],
    long_run: impl Fn(&[f64], &[f64]) -> f64,
) -> Option<ReliabilityTest> {
    let m = tested.len();
    if m == 0 {
        return None;
    }
    let mut v = vec![0.0; m * m];
    for (i, (_, ni, ui)) in tested.iter().enumerate() {
        for (j, (_, nj, uj)) in tested.iter().enumerate().take(i + 1) {
            let c = long_run(ui, uj) / (ni * nj);
            v[i * m + j] = c;
            v[j * m + i] = c;
        }
    }
    let g: Vec<f64> = tested.iter().map(|t| t.0).collect();
    // A pivot this small against its diagonal is a singular covariance that rounding left
    // positive: no test.
    let diag: Vec<f64> = (0..m).map(|i| v[i * m + i]).collect();
    let l = crate::stack::cholesky(&mut v, m)?;
    if (0..m).any(|i| l[i * m + i] * l[i * m + i] <= 1e-10 * diag[i]) {
        return None;
    }
    let x = crate::stack::cholesky_solve(l, m, &g);
    let stat: f64 = g.iter().zip(&x).map(|(a, b)| a * b).sum();
    stat.is_finite().then(|| ReliabilityTest {
        bins: m,
        stat,
        p: chi2_sf(stat, m as f64),
    })
}

/// The bin of probability `x` among `bins` equal bins of [0, 1] (1.0 falls in the last).
fn bin_of(x: f64, bins: usize) -> usize {
    ((x * bins as f64).floor().max(0.0) as usize).min(bins - 1)
}

/// A Diebold–Mariano test of equal predictive accuracy.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DieboldMariano {
    /// Pairs compared.
    pub n: u64,
    /// Mean loss differential (first model minus second: negative favours the first).
    pub mean: f64,
    /// Its Newey–West standard error.
    pub se: f64,
    /// `mean / se`.
    pub stat: f64,
    /// Two-sided p-value from the normal.
    pub p: f64,
    /// Bartlett lags of the Newey–West variance.
    pub lags: usize,
}

/// Diebold and Mariano (1995) on the loss differentials `d`, with a Newey–West (Bartlett)
/// long-run variance of `lags` lags — overlapping h-step forecasts need about `h − 1` — as
/// statsmodels' OLS on a constant with `cov_type="HAC"` and no small-sample correction.
/// `None` for fewer than three differentials or no variation.
#[must_use]
pub fn diebold_mariano(d: &[f64], lags: usize) -> Option<DieboldMariano> {
    let n = d.len();
    if n < 3 {
        return None;
    }
    let nf = n as f64;
    let mean = d.iter().sum::<f64>() / nf;
    let u: Vec<f64> = d.iter().map(|x| x - mean).collect();
    let mut s: f64 = u.iter().map(|x| x * x).sum();
    for l in 1..=lags.min(n - 1) {
        let w = 1.0 - l as f64 / (lags + 1) as f64;
        let g: f64 = u[l..].iter().zip(&u).map(|(a, b)| a * b).sum();
        s += 2.0 * w * g;
    }
    let se = s.max(0.0).sqrt() / nf;
    if se <= 0.0 || !se.is_finite() {
        return None;
    }
    let stat = mean / se;
    Some(DieboldMariano {
        n: n as u64,
        mean,
        se,
        stat,
        p: libm::erfc(stat.abs() / std::f64::consts::SQRT_2),
        lags,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use statrs::distribution::Normal;

    #[test]
    fn sorted_crps_agrees_with_its_pairwise_twin() {
        let mut xs: Vec<f64> = (0..97)
            .map(|i| ((i * 37 % 101) as f64).sin() * 3.0)
            .collect();
        xs.push(xs[5]); // a tie
        let naive = crps_pairs(&xs, 0.3);
        xs.sort_by(f64::total_cmp);
        for y in [-10.0, -0.5, 0.3, xs[40], 7.0] {
            let a = crps_sorted(&xs, y);
            let b = crps_pairs(&xs, y);
            assert!((a - b).abs() < 1e-12, "{y}: {a} vs {b}");
        }
        assert!((crps_sorted(&xs, 0.3) - naive).abs() < 1e-12);
    }

    #[test]
    fn crps_of_a_point_forecast_is_the_absolute_error() {
        assert!((crps_sorted(&[2.0], 5.0) - 3.0).abs() < 1e-15);
        assert!(crps_sorted(&[], 1.0).is_nan());
    }

    #[test]
    fn a_large_normal_ensemble_approaches_the_closed_form() {
        // Quantiles of N(1, 2²) at the midpoints of 4000 equal slices: the ensemble's CRPS
        // differs from the closed form by O(1/n).
        let n = 4000;
        let normal = Normal::new(1.0, 2.0).unwrap();
        let xs: Vec<f64> = (0..n)
            .map(|i| normal.inverse_cdf((i as f64 + 0.5) / n as f64))
            .collect();
        for y in [-3.0, 0.0, 1.0, 4.5] {
            let e = crps_sorted(&xs, y);
            let c = crps_normal(1.0, 2.0, y);
            assert!((e - c).abs() < 2e-3, "{y}: {e} vs {c}");
        }
    }

    #[test]
    fn brier_decomposition_is_an_identity() {
        let p: Vec<f64> = (0..200).map(|i| (i as f64 * 0.618).fract()).collect();
        let o: Vec<bool> = (0..200).map(|i| (i * 7919) % 3 == 0).collect();
        let b = brier(&p, &o, 10).unwrap();
        let rhs =
            b.reliability - b.resolution + b.uncertainty + b.within_variance - b.within_covariance;
        assert!((b.bs - rhs).abs() < 1e-12, "{} vs {rhs}", b.bs);
        assert_eq!(b.bins.iter().map(|k| k.n).sum::<u64>(), 200);
    }

    #[test]
    fn pit_counts_ties_as_half() {
        let xs = [1.0, 2.0, 2.0, 3.0];
        assert_eq!(pit(&xs, 2.0), 0.5);
        assert_eq!(pit(&xs, 0.0), 0.0);
        assert_eq!(pit(&xs, 9.0), 1.0);
        assert_eq!(quantile(&xs, 0.5), 2.0);
        assert_eq!(quantile(&[0.0, 10.0], 0.25), 2.5);
    }

    #[test]
    fn kolmogorov_branches_meet() {
        // The two series agree where they switch.
        let a = kolmogorov_sf(1.0 - 1e-12);
        let b = kolmogorov_sf(1.0);
        assert!((a - b).abs() < 1e-10, "{a} vs {b}");
        assert!((kolmogorov_sf(1.3581) - 0.05).abs() < 1e-4);
    }
}
