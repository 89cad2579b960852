#!/usr/bin/env python3
"""Reference values (properscoring, scipy, statsmodels, vartests, pandas) for aurum-backtest's
forecast-scoring and VaR-backtest statistics. Writes the fixture its tests compare with:

    python3 scripts/reference/scoring.py

Output: crates/aurum-backtest/tests/fixtures/scoring.json (inputs and results of every case, full
double precision; its "versions" key records the library versions). Versions:
scripts/reference/requirements.txt, and vartests 0.4.1 (the Kupiec reference; asserted at run time;
pip install vartests==0.4.1, which also pulls in tqdm). All random inputs come from numpy's
default_rng seeded with SEED and the section's index, so the output is byte-identical from run to
run; BLAS/OpenMP are pinned to one thread before numpy is imported.

Which library is the reference for which section ("ln" is the natural log):

- crps_normal:    properscoring.crps_gaussian(y, mu, sigma), the closed form of Gneiting, Raftery,
                  Westveld & Goldman (2005, eq. 5): sigma * (z (2 Phi(z) - 1) + 2 phi(z) - 1/sqrt(pi)),
                  z = (y - mu)/sigma, Phi = scipy.special.ndtr.
- crps_ensemble:  properscoring.crps_ensemble(y, samples): the empirical-CDF CRPS,
                  (1/m) sum_i |x_i - y| - 1/(2 m^2) sum_i sum_j |x_i - x_j| (the plain, not the
                  "fair" 1/(2 m (m-1)) form). Without numba installed properscoring evaluates this
                  O(m^2) identity (_crps_ensemble_vectorized); with numba it uses a sorted O(m log m)
                  loop. The script checks the result against its own sorted formula to 1e-12.
- kde_logpdf:     scipy.stats.gaussian_kde(samples, bw_method="silverman"); logpdf = kde.logpdf(y)[0]
                  (scipy evaluates it as a log-sum-exp, so it stays finite far in the tails);
                  bandwidth = sqrt(kde.covariance[0,0]) = sample sd (ddof 1) * factor, with
                  factor = (n (d+2)/4)^(-1/(d+4)) = (3n/4)^(-1/5) (also recorded).
- pit_uniformity: counts of the PIT values in 10 equal bins of [0,1], bin = min(floor(10 u), 9)
                  (so 1.0 is in the last bin; checked equal to numpy.histogram); chi2, chi2_p =
                  scipy.stats.chisquare(counts) (expected n/10 per bin, 9 df); ks, ks_p =
                  scipy.stats.kstest(pit, "uniform", method="asymp") (two-sided D = max(D+, D-),
                  p = kstwobign.sf(D sqrt(n)), the Kolmogorov limit distribution).
- kupiec:         vartests.kupiec_test(x=x, n=n, risk_conf_level=c), the proportion-of-failures LR
                  test of Kupiec (1995): LR = -2[(n-x) ln(1-p) + x ln p] + 2[(n-x) ln(1-x/n)
                  + x ln(x/n)], 0 ln 0 = 0 (scipy.special.xlogy), LR clipped below at 0, p-value
                  chi2(1).sf(LR). vartests takes the VaR level c and uses p = 1 - c; the fixture's
                  "p" is that double (e.g. 1 - 0.99 = 0.010000000000000009), the level is kept as
                  "risk_conf_level". Checked against the formula written out in numpy.
- christoffersen: Christoffersen (1998) Markov independence test, written out here (the only PyPI
                  package for it, christoffersen-lib, multiplies the likelihoods out and is not a
                  reference). n_ij = #{t >= 1 : hit[t-1] = i, hit[t] = j}; pi01 = n01/(n00+n01),
                  pi11 = n11/(n10+n11), pi = (n01+n11)/(n00+n01+n10+n11);
                  ln L(pi) = (n00+n10) ln(1-pi) + (n01+n11) ln pi,
                  ln L(pi01, pi11) = n00 ln(1-pi01) + n01 ln pi01 + n10 ln(1-pi11) + n11 ln pi11,
                  with 0 ln 0 = 0, and a term whose count is 0 is 0 even where its pi is 0/0
                  (no hit, or no hit before the last day); LR_ind = max(-2 [ln L(pi) - ln
                  L(pi01, pi11)], 0), p_ind = chi2(1).sf. lr_pof is vartests' Kupiec statistic on
                  the whole sequence (x = sum of hits, n = its length, not the n-1 transitions);
                  lr_cc = lr_pof + lr_ind, p_cc = chi2(2).sf(lr_cc).
- brier:          numpy, Brier score bs = mean((p - o)^2) and the decomposition of Stephenson,
                  Coelho & Jolliffe (2008) over 10 bins, bin = min(floor(10 p), 9):
                  bs = rel - res + unc + wbv - wbc exactly (asserted to 1e-12), with, over the
                  non-empty bins k, REL = (1/n) sum n_k (fbar_k - obar_k)^2,
                  RES = (1/n) sum n_k (obar_k - obar)^2, UNC = obar (1 - obar),
                  WBV = (1/n) sum_k sum_j (f_kj - fbar_k)^2,
                  WBC = (2/n) sum_k sum_j (o_kj - obar_k)(f_kj - fbar_k).
- reliability:    pandas groupby of the calibrated brier case by bin: lo = k/10, hi = (k+1)/10, n,
                  mean forecast, observed frequency, non-empty bins only (pandas' group means use
                  Kahan-compensated sums: compare at 1e-12 relative, not bit for bit).
- reliability_se: per reliability bin, the standard error of observed - mean forecast when the
                  forecasts come in groups (origins 0, 1, 2, ... in time order; several events per
                  origin) whose outcomes overlap for `lags` origins: statsmodels OLS of e = o - p on
                  the bin's indicator, cov_type="hac-groupsum" (Driscoll & Kraay 1998), time = the
                  origin, maxlags = lags, use_correction=False. Every origin is in the regression:
                  an origin with no forecast in the bin adds one row with indicator 0 and e = 0,
                  so the Newey-West lags count origins (its score is zero). Checked against the
                  formula written out in numpy (residuals summed per origin, Bartlett weights).
                  "wald": the joint test that the bins with at least 50 forecasts have no gap:
                  the same OLS on one indicator per such bin (other forecasts left out, padding
                  rows all zero), res.wald_test(identity, use_f=False, scalar=True): statistic
                  and chi-square p-value (null when no bin has 50); checked against g' V^-1 g
                  written out in numpy.
- diebold_mariano: statsmodels OLS of d on a constant, cov_type="HAC", maxlags = lags,
                  use_correction=False (Bartlett weights 1 - j/(lags+1), no n/(n-1) correction):
                  mean = params[0], se = bse[0], stat = tvalues[0], p = pvalues[0] (two-sided,
                  standard normal: statsmodels' default use_t=False for HAC; checked).

Choices made here: a few PIT values are set to exactly 0.0 and 1.0 in the n=60 case, a few
forecasts to exactly 0.0 and 1.0 in the tiny brier case; the kupiec "x/n = p" case gives LR of
rounding size (compare absolutely there); the KDE cases include one 40 sd out (log-density
about -1e4, which needs a log-sum-exp).
"""
from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
from importlib.metadata import version as dist_version  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import properscoring  # noqa: E402
import properscoring._crps as ps_crps  # noqa: E402
import scipy  # noqa: E402
import statsmodels  # noqa: E402
import statsmodels.api as sm  # noqa: E402
import vartests  # noqa: E402
from scipy import stats  # noqa: E402
from scipy.special import xlogy  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "crates" / "aurum-backtest" / "tests" / "fixtures" / "scoring.json"
SEED = 20250607
BINS = 10
RELIABILITY_MIN_N = 50  # aurum_backtest::scores::RELIABILITY_MIN_N
VARTESTS = "0.4.1"


def rng(section: int) -> np.random.Generator:
    """One independent stream per section, so that editing one section leaves the others."""
    return np.random.default_rng([SEED, section])


def floats(a) -> list[float]:
    return [float(v) for v in np.asarray(a, dtype=float).ravel()]


def bin_of(u: np.ndarray) -> np.ndarray:
    """min(floor(10 u), 9): the bin of a value of [0, 1]; 1.0 falls in the last bin."""
    return np.minimum(np.floor(BINS * u), BINS - 1).astype(int)


# ----------------------------------------------------------------------------- CRPS, normal

def crps_normal() -> list[dict]:
    cases = [  # (mu, sigma, y)
        (0.0, 1.0, 0.0),
        (0.0, 1.0, 1.0),
        (0.0, 1.0, -1.5),
        (1500.0, 20.0, 1530.0),
        (-0.3, 0.05, -0.29),
        (0.0, 1.0, 8.0),
        (0.0, 1.0, -8.0),
        (0.0, 1.0, 40.0),      # Phi(z) = 1, phi(z) = 0 in doubles
        (0.0, 1.0, -38.5),     # Phi(z) underflows to 0
        (0.01, 1e-6, 0.01),    # tiny sigma, y on the mean
        (0.0, 1e-4, 0.5),      # tiny sigma, y 5000 sd out
        (0.0, 1e3, -250.0),
        (2.5, 1e6, 3.0),       # huge sigma
    ]
    out = []
    for mu, sigma, y in cases:
        c = float(properscoring.crps_gaussian(y, mu, sigma))
        assert math.isfinite(c) and c >= 0
        out.append({"mu": mu, "sigma": sigma, "y": y, "crps": c})
    return out


# --------------------------------------------------------------------------- CRPS, ensemble

def crps_sorted(x: np.ndarray, y: float) -> float:
    """Independent check: (1/m) sum|x_i - y| - (1/m^2) sum_i (2i - m - 1) x_(i) (i = 1..m)."""
    x = np.sort(x)
    m = x.size
    i = np.arange(1, m + 1)
    return float(np.mean(np.abs(x - y)) - np.sum((2 * i - m - 1) * x) / m**2)


def crps_ensemble() -> list[dict]:
    g = rng(2)
    t50a = g.standard_t(4, 50)
    t50b = g.standard_t(3, 50)
    cases = [
        ("size 1", np.array([0.3]), 1.0),
        ("size 2", np.array([-1.0, 2.0]), 0.5),
        ("size 5, ties", np.array([1.0, 1.0, 2.0, 2.0, 2.0]), 1.5),
        ("size 5, y equal to a sample", np.array([0.1, -0.4, 0.7, 0.25, 1.3]), 0.25),
        ("size 50, student-t(4), y below all", t50a, float(t50a.min()) - 2.0),
        ("size 50, student-t(3), y above all", t50b, float(t50b.max()) + 0.5),
        ("size 50, normal rounded to 0.1 (ties)", np.round(g.normal(0.0, 1.0, 50), 1), 0.23),
        ("size 400, student-t(5) * 1.2 + 0.1", 1.2 * g.standard_t(5, 400) + 0.1, 0.37),
        ("size 400, normal", g.normal(0.0, 1.0, 400), 0.0),
    ]
    out = []
    for name, x, y in cases:
        c = float(properscoring.crps_ensemble(y, x))
        ref = crps_sorted(x, y)
        assert abs(c - ref) <= 1e-12 * max(1.0, abs(ref)), (name, c, ref)
        out.append({"name": name, "samples": floats(x), "y": float(y), "crps": c})
    return out


# ------------------------------------------------------------------------------- KDE logpdf

def kde_logpdf() -> list[dict]:
    g = rng(3)
    n20 = g.normal(0.0, 1.0, 20)
    t200 = g.standard_t(4, 200)
    n200 = g.normal(1.0, 2.0, 200)
    mix = np.where(g.random(2000) < 0.3, g.normal(-1.0, 0.5, 2000), g.normal(0.8, 1.0, 2000))
    n2000 = g.normal(0.0, 1.0, 2000)

    def far(x, k):  # mean + k sample sds
        return float(np.mean(x) + k * np.std(x, ddof=1))

    cases = [
        ("n=20 normal, y inside", n20, 0.3),
        ("n=20 normal, y 8 sd above the mean", n20, far(n20, 8)),
        ("n=200 student-t(4), y inside", t200, 0.5),
        ("n=200 normal(1,2), y 8 sd below the mean", n200, far(n200, -8)),
        ("n=2000 normal mixture, y inside", mix, 1.0),
        ("n=2000 normal, y 8 sd below the mean", n2000, far(n2000, -8)),
        ("n=2000 normal, y 40 sd above the mean", n2000, far(n2000, 40)),
    ]
    out = []
    for name, x, y in cases:
        kde = stats.gaussian_kde(x, bw_method="silverman")
        lp = float(kde.logpdf(y)[0])
        assert math.isfinite(lp), (name, lp)
        bw = float(math.sqrt(kde.covariance[0, 0]))
        assert abs(bw - float(kde.cho_cov[0, 0])) <= 1e-14 * bw
        assert abs(kde.factor - (0.75 * x.size) ** -0.2) <= 1e-14
        if lp > -700:  # cross-check with the plain mixture where it does not underflow
            direct = math.log(np.mean(stats.norm.pdf(y, loc=x, scale=bw)))
            assert abs(direct - lp) <= 1e-10 * max(1.0, abs(lp)), (name, direct, lp)
        out.append({"name": name, "samples": floats(x), "y": float(y), "logpdf": lp,
                    "bandwidth": bw, "factor": float(kde.factor)})
    return out


# --------------------------------------------------------------------------- PIT uniformity

def pit_uniformity() -> list[dict]:
    g = rng(4)
    u60 = g.random(60)
    u60[[7, 31]] = 1.0
    u60[19] = 0.0
    cases = [
        ("uniform n=500", g.random(500)),
        ("uniform n=60, with exact 0.0 and 1.0", u60),
        ("U-shaped beta(0.6,0.6) n=400", g.beta(0.6, 0.6, 400)),
        ("humped beta(2,2) n=400", g.beta(2.0, 2.0, 400)),
        ("shifted beta(1.3,1) n=300", g.beta(1.3, 1.0, 300)),
    ]
    out = []
    for name, u in cases:
        assert np.all((u >= 0) & (u <= 1))
        counts = np.bincount(bin_of(u), minlength=BINS)
        hist, _ = np.histogram(u, bins=BINS, range=(0.0, 1.0))
        assert np.array_equal(counts, hist), name
        chi = stats.chisquare(counts)
        ks = stats.kstest(u, "uniform", method="asymp")
        out.append({"name": name, "pit": floats(u), "bins": BINS,
                    "counts": [int(c) for c in counts],
                    "chi2": float(chi.statistic), "chi2_p": float(chi.pvalue),
                    "ks": float(ks.statistic), "ks_p": float(ks.pvalue)})
    return out


# ---------------------------------------------------------------------------------- Kupiec

def kupiec_numpy(n: int, x: int, p: float) -> float:
    """Kupiec (1995) POF likelihood ratio, written out (0 ln 0 = 0)."""
    ll0 = xlogy(n - x, 1 - p) + xlogy(x, p)
    ll1 = xlogy(n - x, 1 - x / n) + xlogy(x, x / n)
    return float(-2 * ll0 + 2 * ll1)


def kupiec_one(n: int, x: int, level: float) -> dict:
    r = vartests.kupiec_test(x=x, n=n, risk_conf_level=level)
    p = 1 - level
    lr, pv = float(r["statistic"]) + 0.0, float(r["p-value"])  # + 0.0: no "-0.0" in the fixture
    assert abs(lr - max(kupiec_numpy(n, x, p), 0.0)) <= 1e-12 * max(1.0, lr), (n, x, level)
    assert pv == float(stats.chi2.sf(lr, 1))
    return {"n": n, "x": x, "p": p, "risk_conf_level": level, "lr": lr, "pvalue": pv}


def kupiec() -> list[dict]:
    cases = [  # (n, x, VaR level)
        (250, 0, 0.99),
        (250, 250, 0.99),
        (250, 2, 0.99),
        (250, 10, 0.99),
        (1000, 10, 0.99),    # x/n = 0.01, against p = 1 - 0.99: LR of rounding size
        (1000, 80, 0.95),
        (500, 38, 0.9),
        (100, 1, 0.999),
        (1, 0, 0.95),
        (1, 1, 0.95),
    ]
    return [kupiec_one(n, x, c) for n, x, c in cases]


# -------------------------------------------------------------------------- Christoffersen

def transitions(h: np.ndarray) -> tuple[int, int, int, int]:
    a, b = h[:-1], h[1:]
    return (int(np.sum((a == 0) & (b == 0))), int(np.sum((a == 0) & (b == 1))),
            int(np.sum((a == 1) & (b == 0))), int(np.sum((a == 1) & (b == 1))))


def christoffersen_one(name: str, hits: np.ndarray, level: float) -> dict:
    """Christoffersen (1998), 'Evaluating interval forecasts', Int. Econ. Rev. 39(4)."""
    hits = np.asarray(hits, dtype=int)
    n00, n01, n10, n11 = transitions(hits)
    # a probability with a 0/0 estimate only ever multiplies zero counts: any value gives 0 there
    pi01 = n01 / (n00 + n01) if n00 + n01 else 0.0
    pi11 = n11 / (n10 + n11) if n10 + n11 else 0.0
    pi = (n01 + n11) / (n00 + n01 + n10 + n11)
    ll_null = xlogy(n00 + n10, 1 - pi) + xlogy(n01 + n11, pi)
    ll_alt = xlogy(n00, 1 - pi01) + xlogy(n01, pi01) + xlogy(n10, 1 - pi11) + xlogy(n11, pi11)
    lr_ind = max(float(-2 * (ll_null - ll_alt)), 0.0) + 0.0  # + 0.0 turns -0.0 into 0.0
    pof = kupiec_one(int(hits.size), int(hits.sum()), level)
    lr_cc = pof["lr"] + lr_ind
    return {"name": name, "hits": [int(v) for v in hits], "p": pof["p"],
            "risk_conf_level": level, "lr_pof": pof["lr"],
            "lr_ind": lr_ind, "p_ind": float(stats.chi2.sf(lr_ind, 1)),
            "lr_cc": lr_cc, "p_cc": float(stats.chi2.sf(lr_cc, 2)),
            "n00": n00, "n01": n01, "n10": n10, "n11": n11}


def markov_hits(g: np.random.Generator, n: int, p01: float, p11: float) -> np.ndarray:
    h = np.zeros(n, dtype=int)
    u = g.random(n)
    h[0] = int(u[0] < p01 / (1 - p11 + p01))  # stationary start
    for t in range(1, n):
        h[t] = int(u[t] < (p11 if h[t - 1] else p01))
    return h


def christoffersen() -> list[dict]:
    g = rng(6)
    end = np.zeros(250, dtype=int)
    end[-1] = 1
    cases = [
        ("iid bernoulli(0.1) n=500", (g.random(500) < 0.1).astype(int), 0.9),
        ("clustered markov pi01=0.05 pi11=0.5 n=500", markov_hits(g, 500, 0.05, 0.5), 0.9),
        ("no hits n=100", np.zeros(100, dtype=int), 0.99),
        ("one hit on the last day n=250", end, 0.99),
        ("iid hits at 2% n=1000 against p=1%", (g.random(1000) < 0.02).astype(int), 0.99),
        ("alternating 0,1 n=40 (n11 = 0)", np.tile([0, 1], 20), 0.95),
        ("all hits n=20", np.ones(20, dtype=int), 0.95),
    ]
    return [christoffersen_one(name, h, c) for name, h, c in cases]


# ------------------------------------------------------------------------ Brier, reliability

def brier_one(name: str, p: np.ndarray, o: np.ndarray) -> dict:
    p = np.asarray(p, dtype=float)
    o = np.asarray(o, dtype=int)
    n = p.size
    k = bin_of(p)
    bs = float(np.mean((p - o) ** 2))
    obar = float(np.mean(o))
    rel = res = wbv = wbc = 0.0
    for b in np.unique(k):
        f, y = p[k == b], o[k == b].astype(float)
        fb, ob = float(np.mean(f)), float(np.mean(y))
        rel += f.size * (fb - ob) ** 2
        res += f.size * (ob - obar) ** 2
        wbv += float(np.sum((f - fb) ** 2))
        wbc += float(np.sum((y - ob) * (f - fb)))
    rel, res, wbv, wbc = rel / n, res / n, wbv / n, 2 * wbc / n
    unc = obar * (1 - obar)
    assert abs(bs - (rel - res + unc + wbv - wbc)) <= 1e-12, (name, bs, rel - res + unc + wbv - wbc)
    return {"name": name, "p": floats(p), "o": [int(v) for v in o], "bins": BINS,
            "bs": bs, "rel": rel, "res": res, "unc": unc, "wbv": wbv, "wbc": wbc}


def reliability(p: np.ndarray, o: np.ndarray) -> list[dict]:
    df = pd.DataFrame({"bin": bin_of(p), "p": p, "o": o.astype(float)})
    agg = df.groupby("bin").agg(n=("p", "size"), mean_forecast=("p", "mean"),
                                observed=("o", "mean"))
    return [{"bin": int(b), "lo": b / BINS, "hi": (b + 1) / BINS, "n": int(r.n),
             "mean_forecast": float(r.mean_forecast), "observed": float(r.observed)}
            for b, r in agg.iterrows()]


def brier() -> tuple[list[dict], list[dict]]:
    g = rng(7)
    p_cal = g.random(1000)
    o_cal = (g.random(1000) < p_cal).astype(int)
    q = g.random(1000)
    o_over = (g.random(1000) < q).astype(int)
    p_over = q**2.5 / (q**2.5 + (1 - q) ** 2.5)  # sharpened: pushed toward 0 and 1
    p_two = np.where(g.random(200) < 0.5, 0.3, 0.7)
    o_two = (g.random(200) < np.where(p_two == 0.3, 0.25, 0.8)).astype(int)
    p_zero = 0.3 * g.random(100)
    p_tiny = np.array([0.0, 0.05, 0.1, 0.45, 0.5, 0.95, 1.0])
    o_tiny = np.array([0, 0, 1, 0, 1, 1, 1])
    cases = [
        brier_one("calibrated: o ~ bernoulli(p), p ~ U(0,1), n=1000", p_cal, o_cal),
        brier_one("overconfident: p = q^2.5/(q^2.5+(1-q)^2.5), o ~ bernoulli(q), n=1000",
                  p_over, o_over),
        brier_one("forecasts only 0.3 and 0.7, n=200", p_two, o_two),
        brier_one("all outcomes 0, p ~ U(0,0.3), n=100", p_zero, np.zeros(100, dtype=int)),
        brier_one("tiny n=7 with p = 0 and p = 1", p_tiny, o_tiny),
    ]
    rows = reliability(p_cal, o_cal)
    # the same bins, seen through pandas, give the decomposition's REL term back
    rel = sum(r["n"] * (r["mean_forecast"] - r["observed"]) ** 2 for r in rows) / p_cal.size
    assert abs(rel - cases[0]["rel"]) <= 1e-14
    return cases, rows


# ------------------------------------------------------------ reliability, grouped errors

def reliability_se_one(name: str, p: np.ndarray, o: np.ndarray, group: np.ndarray,
                       lags: int) -> dict:
    k = bin_of(p)
    origins = int(group.max()) + 1
    bins = []
    for b in np.unique(k):
        inb = k == b
        # padding: one row per origin, indicator 0, e = 0
        x = np.concatenate([inb.astype(float), np.zeros(origins)])
        e = np.concatenate([np.where(inb, o - p, 0.0), np.zeros(origins)])
        t = np.concatenate([group, np.arange(origins)])
        order = np.argsort(t, kind="stable")
        res = sm.OLS(e[order], x[order]).fit(
            cov_type="hac-groupsum",
            cov_kwds={"time": t[order], "maxlags": lags, "use_correction": False})
        gap, se = float(res.params[0]), float(res.bse[0])
        u = np.zeros(origins)
        np.add.at(u, group[inb], (o - p)[inb] - gap)
        s = float(u @ u) + 2 * sum((1 - j / (lags + 1)) * float(u[j:] @ u[:-j])
                                   for j in range(1, min(lags, origins - 1) + 1))
        assert abs(se - math.sqrt(s) / inb.sum()) <= 1e-12 * se, (name, b, se)
        assert abs(gap - float(np.mean((o - p)[inb]))) <= 1e-14, (name, b)
        bins.append({"bin": int(b), "n": int(inb.sum()), "gap": gap, "se": se})
    return {"name": name, "p": floats(p), "o": [int(v) for v in o],
            "group": [int(v) for v in group], "lags": lags, "bins": bins,
            "wald": reliability_wald(p, o, group, lags)}


def reliability_wald(p: np.ndarray, o: np.ndarray, group: np.ndarray, lags: int):
    """Joint Wald test that the gaps of the bins with >= RELIABILITY_MIN_N forecasts are 0."""
    k = bin_of(p)
    tested = [b for b in np.unique(k) if (k == b).sum() >= RELIABILITY_MIN_N]
    if not tested:
        return None
    origins = int(group.max()) + 1
    keep = np.isin(k, tested)
    # one indicator column per tested bin; padding rows (all 0, e = 0) keep every origin
    x = np.concatenate([np.stack([(k[keep] == b).astype(float) for b in tested], axis=1),
                        np.zeros((origins, len(tested)))])
    e = np.concatenate([(o - p)[keep], np.zeros(origins)])
    t = np.concatenate([group[keep], np.arange(origins)])
    order = np.argsort(t, kind="stable")
    res = sm.OLS(e[order], x[order]).fit(
        cov_type="hac-groupsum",
        cov_kwds={"time": t[order], "maxlags": lags, "use_correction": False})
    w = res.wald_test(np.eye(len(tested)), use_f=False, scalar=True)
    stat, pval = float(w.statistic), float(w.pvalue)
    # the same written out: g' V^-1 g with V from the per-origin residual sums
    g = np.asarray(res.params)
    u = np.zeros((origins, len(tested)))
    for j, b in enumerate(tested):
        inb = k == b
        np.add.at(u[:, j], group[inb], (o - p)[inb] - g[j])
    s = u.T @ u
    for j in range(1, min(lags, origins - 1) + 1):
        c = u[j:].T @ u[:-j]
        s += (1 - j / (lags + 1)) * (c + c.T)
    n = np.array([(k == b).sum() for b in tested], dtype=float)
    v = s / np.outer(n, n)
    mine = float(g @ np.linalg.solve(v, g))
    assert abs(mine - stat) <= 1e-9 * stat, (mine, stat)
    assert abs(pval - float(stats.chi2.sf(stat, len(tested)))) <= 1e-12
    return {"bins": len(tested), "stat": stat, "p": pval}


def reliability_se() -> list[dict]:
    g = rng(9)
    # 300 origins with 6 events each, outcomes driven by one shared shock per origin that
    # persists for 4 origins (overlapping horizons): events at nearby origins move together.
    n, m = 300, 6
    shock = np.convolve(g.normal(0.0, 1.0, n + 3), np.ones(4) / 2.0, mode="valid")
    group = np.repeat(np.arange(n), m)
    p = g.random(n * m)
    z = np.repeat(shock, m) + g.normal(0.0, 1.0, n * m)
    o = (stats.norm.cdf(z / math.sqrt(2.0)) < p).astype(int)
    # independent forecasts, one per origin
    p1 = g.random(400)
    o1 = (g.random(400) < p1).astype(int)
    # gaps in time: origins 0..39 with a forecast each, some origins without one in a bin
    p2 = np.concatenate([np.full(20, 0.15), np.full(20, 0.65)])[g.permutation(40)]
    o2 = (g.random(40) < 0.4).astype(int)
    # fewer origins than lags: the weights stay those of `lags`, the sums reach back 4
    p3 = g.random(40)
    o3 = (g.random(40) < p3).astype(int)
    return [
        reliability_se_one("300 origins x 6 events, shared shock over 4 origins, lags 3",
                           p, o, group, 3),
        reliability_se_one("400 independent forecasts, lags 0", p1, o1, np.arange(400), 0),
        reliability_se_one("40 origins, two bins interleaved, lags 2", p2, o2, np.arange(40), 2),
        reliability_se_one("5 origins x 8 events, lags 6 (more lags than origins)",
                           p3, o3, np.repeat(np.arange(5), 8), 6),
    ]


# ------------------------------------------------------------------------- Diebold-Mariano

def dm_one(name: str, d: np.ndarray, lags: int) -> dict:
    n = d.size
    res = sm.OLS(d, np.ones(n)).fit(cov_type="HAC",
                                    cov_kwds={"maxlags": lags, "use_correction": False})
    mean, se, stat, p = (float(res.params[0]), float(res.bse[0]), float(res.tvalues[0]),
                         float(res.pvalues[0]))
    e = d - mean  # Bartlett long-run variance written out, as a check
    s = float(e @ e) + 2 * sum((1 - j / (lags + 1)) * float(e[j:] @ e[:-j])
                               for j in range(1, lags + 1))
    assert abs(se - math.sqrt(s) / n) <= 1e-12 * se, (name, se, math.sqrt(s) / n)
    assert abs(p - 2 * stats.norm.sf(abs(stat))) <= 1e-15, (name, p)
    return {"name": name, "d": floats(d), "lags": lags, "n": n,
            "mean": mean, "se": se, "stat": stat, "p": p}


def diebold_mariano() -> list[dict]:
    g = rng(8)
    ar = np.empty(400)
    eps = g.normal(0.0, 1.0, 400)
    ar[0] = eps[0] / math.sqrt(1 - 0.36)
    for t in range(1, 400):
        ar[t] = 0.6 * ar[t - 1] + eps[t]
    w = g.normal(0.0, 1.0, 424)
    ma = w[4:] + 0.5 * w[3:-1] + 0.4 * w[2:-2] + 0.3 * w[1:-3] + 0.2 * w[:-4]
    e1, e2 = g.normal(0.0, 1.3, 500), g.normal(0.0, 1.0, 500)
    return [
        dm_one("iid normal mean 0 n=300", g.normal(0.0, 1.0, 300), 0),
        dm_one("AR(1) phi=0.6 mean 0.2 n=400", 0.2 + ar, 2),
        dm_one("MA(4) mean 0 n=420", ma, 3),
        dm_one("iid normal(0.1, 1) n=50", g.normal(0.1, 1.0, 50), 1),
        dm_one("squared-error differential e1^2 - e2^2, sd 1.3 vs 1, n=500", e1**2 - e2**2, 5),
    ]


# ------------------------------------------------------------------------------------ main

def versions() -> dict:
    return {"python": platform.python_version(), "numpy": np.__version__,
            "scipy": scipy.__version__, "pandas": pd.__version__,
            "statsmodels": statsmodels.__version__,
            "properscoring": dist_version("properscoring"),
            "properscoring_ensemble_core": ps_crps._crps_ensemble_core.__name__,
            "vartests": vartests.__version__}


def main() -> None:
    assert vartests.__version__ == VARTESTS, vartests.__version__
    v = versions()
    brier_cases, rows = brier()
    doc = {
        "generated_by": (f"DO NOT EDIT: generated by scripts/reference/scoring.py "
                         f"(properscoring {v['properscoring']}, scipy {v['scipy']}, "
                         f"statsmodels {v['statsmodels']}, vartests {v['vartests']}, "
                         f"pandas {v['pandas']}, numpy {v['numpy']}; seed {SEED})"),
        "spec": "module docstring of scripts/reference/scoring.py",
        "versions": v,
        "crps_normal": crps_normal(),
        "crps_ensemble": crps_ensemble(),
        "kde_logpdf": kde_logpdf(),
        "pit_uniformity": pit_uniformity(),
        "kupiec": kupiec(),
        "christoffersen": christoffersen(),
        "brier": brier_cases,
        "reliability": rows,
        "diebold_mariano": diebold_mariano(),
        "reliability_se": reliability_se(),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(doc, indent=1, ensure_ascii=False, allow_nan=False) + "\n"
    OUT.write_text(text)
    print(f"wrote {OUT.relative_to(ROOT)} ({len(text) / 1024:.0f} KiB)")
    for key in ("crps_normal", "crps_ensemble", "kde_logpdf", "pit_uniformity", "kupiec",
                "christoffersen", "brier", "reliability", "diebold_mariano", "reliability_se"):
        print(f"  {key:16s} {len(doc[key])} cases")


if __name__ == "__main__":
    main()
