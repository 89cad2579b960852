#!/usr/bin/env python3
"""Reference implementation (pandas + statsmodels) of gold's sensitivity to the Caldara–Iacoviello
Geopolitical Risk (GPR) index. Writes the fixture aurum-risk's tests compare with:

    python3 scripts/reference/gpr_regress.py

Output: crates/aurum-risk/tests/fixtures/gpr_regress.json. Versions: scripts/reference/requirements.txt
and the "generated_by" key of the fixture. The script pins BLAS/OpenMP to one thread before numpy is
imported, so that repeated runs give byte-identical output.

This docstring is the specification the Rust implementation is written from. "ln" is the natural log
of the C library (Python's math.log, Rust's f64::ln on Linux).

INPUTS (CSV, header, first column `date` ISO YYYY-MM-DD ascending; numbers parsed with pandas
float_precision="round_trip", i.e. the correctly rounded double of the decimal text)
- gold:  data/prices/gold_usd_daily_lbma_pm.csv, column `close`.
- GPR daily: data/risk/gpr_daily_caldara_iacoviello.csv, columns GPRD (total), GPRD_THREAT
  (threats), GPRD_ACT (acts); one row per calendar day, weekends included, 1985-01-01 → 2025-02-18.
  Some single days are exactly 0 (GPRD_ACT 83 days, GPRD_THREAT 13, GPRD 2); no weekly mean is 0.
- GPR monthly: data/risk/gpr_monthly_caldara_iacoviello.csv, columns GPR (total), GPRT (threats),
  GPRA (acts), dated the first of the month; only rows dated 1985-01-01 … 2025-02-18 are used
  (1985-01-01 … 2025-01-01, 481 rows, no empty cell).
- controls: dxy = data/prices/dxy_daily_yahoo.csv `close`; sp500 = data/prices/sp500_daily_ohlc_stooq.csv
  `close`; vix = data/prices/vix_daily_yahoo.csv `close`; dfii10 = data/prices/fred_rates_usd_daily.csv
  `dfii10` (percent). An empty cell is a missing value: that row is dropped for that series only
  (only dfii10 has empty cells: 42 of them).

CONVENTIONS
1. Sample: every daily input (gold, GPR daily, controls) is truncated to dates in
   [1985-01-01, 2025-02-18] (inclusive) BEFORE aggregation; missing cells are dropped first.
   Nothing before 1985-01-01 is used, so the first period of every series has no predecessor.
2. Periods.
   weekly: pandas resample("W-FRI"): a week runs Saturday … Friday and is labelled by its Friday.
     The first bin is labelled 1985-01-04 (1985-01-01 Tue … 01-04 Fri) and the last 2025-02-21
     (2025-02-15 Sat … 2025-02-18 Tue, the end of the data): labels may lie after the last date.
     gold  = last close in the bin (its latest date);
     GPR   = arithmetic mean of the daily values present in the bin (all calendar days of the bin
             that lie in the sample: 7, except 4 in the first and last bins). pandas sums with
             Kahan compensation, in date order, and divides by the count; this loop reproduces it
             bit for bit (checked at run time):
                 sum = 0; c = 0; for v in bin: { t1 = v - c; t = sum + t1; c = (t - sum) - t1;
                 sum = t }; mean = sum / count
             (a plain running sum differs from it by up to 3 ulps in about 30% of the weeks);
     control = last value in the bin.
     Bins with no value are dropped (none are empty for gold, GPR, dxy, sp500 in 1985–2025, nor for
     vix from 1990 and dfii10 from 2003, their first data).
   monthly: calendar months, resample("MS"), labelled by the first day of the month.
     gold = last close of the month; GPR = the authors' monthly index value dated that month (NOT an
     average of the daily index); control = last value of the month. Empty months are dropped.
     Gold has a (partial) 2025-02 month; the monthly GPR file ends 2025-01, so the inner join (6.)
     drops 2025-02.
3. Gold return of period t: r_t = 100 * (ln G_t - ln G_{t-1}) (percent), where t-1 is the previous
   period of the series AFTER dropping empty periods (consecutive elements of the compacted series,
   not necessarily adjacent calendar periods). The first period has no return.
4. GPR measure of period t, X = the weekly mean / monthly value of the chosen component, with t-1 the
   previous element of the compacted X series (as in 3.):
     level      = X_t
     change     = X_t - X_{t-1}
     log-change = 100 * (ln X_t - ln X_{t-1})
     shock      = e_t, the residual of the OLS regression X_t = a + b X_{t-1} + e_t fitted (plain OLS,
                  no weights) on ALL consecutive pairs of the whole X series of that frequency
                  (weekly: labels 1985-01-04 … 2025-02-21, 2095 values, 2094 pairs), i.e. BEFORE the
                  join with gold; e_t = X_t - a - b X_{t-1}. a, b are stored under "ar1_shock".
   The first period has no change/log-change/shock.
5. Controls enter as changes of period t (t-1 = previous element of the compacted control series):
   dxy, sp500, vix: 100 * (ln V_t - ln V_{t-1}); dfii10 (percent): V_t - V_{t-1} (percentage points).
6. Alignment: inner join on the period label of the gold return, the GPR measure and the chosen
   controls, sorted ascending by label; any row with a missing value is dropped.
   y = gold return; X columns in order: const (1.0), gpr (the measure), then the controls in the
   order listed by the case.
7. OLS, statsmodels `sm.OLS(y, X).fit(cov_type="HAC", cov_kwds={"maxlags": L})`:
   L = floor(4 * (n/100)^(2/9)) with n the number of rows, unless the case fixes L.
   beta = (X'X)^-1 X'y (statsmodels: pinv(X) y via SVD), u = y - X beta, k = number of columns.
   HAC (statsmodels defaults when only maxlags is given, checked at run time):
     kernel Bartlett, w_l = 1 - l/(L+1), l = 0..L;
     S = sum_i u_i^2 x_i x_i' + sum_{l=1..L} w_l * sum_{i=l..n-1} u_i u_{i-l} (x_i x_{i-l}' + x_{i-l} x_i'),
       lags counted in ROWS of the aligned sample (not calendar periods);
     V = (X'X)^-1 S (X'X)^-1, NO small-sample factor (use_correction=False; NOT n/(n-k));
     bse = sqrt(diag V); tvalues = beta / bse;
     pvalues = 2 * (1 - Phi(|t|)), standard NORMAL (res.use_t is False for HAC).
   L = 0 gives White's HC0.
   Also stored: rsquared = 1 - SSR/TSS (TSS centred on mean(y)), rsquared_adj = 1 - (n-1)/(n-k) *
   (1 - rsquared), nobs, the full HAC covariance "cov_params", and the non-robust "bse_nonrobust" =
   sqrt(diag(s^2 (X'X)^-1)) with s^2 = SSR/(n-k) (from a plain `sm.OLS(y, X).fit()`).
8. Quantile regression, statsmodels `sm.QuantReg(y, X).fit(q=tau)` for tau in {0.05, 0.5, 0.95}, with
   the defaults vcov="robust", kernel="epa", bandwidth="hsheather", max_iter=1000, p_tol=1e-6.
   Estimation (iteratively reweighted least squares, exactly as statsmodels):
     beta = (1, ..., 1) (length k); Xs = X; diff = 10; it = 0
     while it < 1000 and diff > 1e-6 and not cycle:
       it += 1; beta_prev = beta
       beta = pinv(Xs' X) (Xs' y)          # Xs' X = X' W X, W = diag(1/w); the 1st pass is OLS
       r = y - X beta
       for every i with |r_i| < 1e-6: r_i = +1e-6 if r_i >= 0 else -1e-6   (residual floor)
       w_i = q * |r_i| if r_i < 0 else (1 - q) * |r_i|
       Xs_i = X_i / w_i                     (row i divided by w_i)
       diff = max_j |beta_j - beta_prev_j|  (absolute; the 1st pass compares with the ones)
       cycle check (never triggered here): when it >= 300 and it % 100 == 0, stop if beta is
         exactly equal to the beta of any of the iterations it-1 … it-8.
     iterations = it (a warning is raised when it reaches max_iter; none of these cases do).
   Covariance (Greene 2008; bandwidth as Stata 12), using e = y - X beta (final, NOT floored):
     iqr  = P75(e) - P25(e), percentiles by linear interpolation at index p*(n-1) of sorted e
            (scipy.stats.scoreatpercentile, interpolation 'fraction' == numpy 'linear');
     z = Phi^-1(q); hs = n^(-1/3) * Phi^-1(0.975)^(2/3) * (1.5 phi(z)^2 / (2 z^2 + 1))^(1/3)
            (Hall–Sheather, alpha = 0.05);
     h = min(std(y), iqr/1.34) * (Phi^-1(q + hs) - Phi^-1(q - hs)), std(y) the population standard
            deviation (ddof = 0) of the DEPENDENT variable y (not of e);
     f = (1/(n h)) * sum_i K(e_i/h), K(u) = 0.75 (1 - u^2) for |u| <= 1, else 0 (Epanechnikov);
     d_i = (q/f)^2 if e_i > 0 else ((1-q)/f)^2;
     V = (X'X)^-1 (sum_i d_i x_i x_i') (X'X)^-1;  bse = sqrt(diag V); tvalues = beta/bse;
     pvalues = 2 * t_sf(|t|, n - k), Student t with df = n - k (res.use_t is True for QuantReg).
   Stored per tau: params, bse, tvalues, pvalues, iterations, bandwidth (h), sparsity (1/f).

PRECISION NOTE (see "rounding_spread" in the fixture). Inputs: with math.log / f64::ln and the
Kahan mean of 2., y and X can be reproduced bit for bit. OLS/HAC results are well conditioned: the
formula of 7. evaluated independently matches statsmodels to ~1e-12 relative. QuantReg is not: the
IRLS of 8. stops on an ABSOLUTE step of 1e-6 (it lands ~1e-6 in check loss from the exact LP
minimiser, its params 1e-7 … 1e-3 relative away, 9e-2 for weekly-log-change-threats-controls at
tau = 0.5: IRLS values, not exact quantile-regression ones), and at tau = 0.05/0.95 its path
depends on rounding: using np.linalg.solve or lstsq instead of pinv, moving y or X by one ulp, or
reversing the rows changes the stopping iteration by up to ~25 and moves params by up to ~4e-6
absolute (up to ~1e-3 relative for a small gpr slope), bse likewise, and pvalues by up to ~1e-3
relative (the sign of the near-zero residuals decides their d_i). One case is worse:
monthly-log-change-total at tau = 0.95, where moving every y down one ulp makes the IRLS stop at
iteration 33 (a step below 1e-6 far from the optimum, params 4% off) instead of 139; 200 random
ulp-level perturbations all stopped at 139–140 next to statsmodels' value. tau = 0.5 is stable to
~1e-11 relative in every case. For each tau the fixture stores, per quantity, the largest absolute
deviation from statsmodels over those variants ("rounding_spread": params, bse, pvalues; "max_rel",
the largest of them relative to statsmodels' value; "iterations", the stopping iteration of each
variant), so a test can widen its tolerance where this is not below 1e-6.
"""
from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import json  # noqa: E402
import math  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import scipy  # noqa: E402
import statsmodels  # noqa: E402
import statsmodels.api as sm  # noqa: E402
from scipy import stats  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "crates" / "aurum-risk" / "tests" / "fixtures" / "gpr_regress.json"

START = pd.Timestamp("1985-01-01")
END = pd.Timestamp("2025-02-18")
TAUS = (0.05, 0.5, 0.95)
QR_MAX_ITER = 1000
QR_P_TOL = 1e-6

GOLD = ("data/prices/gold_usd_daily_lbma_pm.csv", "close")
GPR_DAILY = "data/risk/gpr_daily_caldara_iacoviello.csv"
GPR_MONTHLY = "data/risk/gpr_monthly_caldara_iacoviello.csv"
GPR_COLUMNS = {
    "weekly": {"total": "GPRD", "threats": "GPRD_THREAT", "acts": "GPRD_ACT"},
    "monthly": {"total": "GPR", "threats": "GPRT", "acts": "GPRA"},
}
CONTROLS = {
    "dxy": ("data/prices/dxy_daily_yahoo.csv", "close", "log"),
    "dfii10": ("data/prices/fred_rates_usd_daily.csv", "dfii10", "diff"),
    "sp500": ("data/prices/sp500_daily_ohlc_stooq.csv", "close", "log"),
    "vix": ("data/prices/vix_daily_yahoo.csv", "close", "log"),
}
RULES = {"weekly": "W-FRI", "monthly": "MS"}


def case(freq, measure, component, controls=(), maxlags=None, suffix=""):
    name = f"{freq}-{measure}-{component}{suffix}"
    return {"name": name, "freq": freq, "measure": measure, "component": component,
            "controls": list(controls), "fixed_maxlags": maxlags}


CASES = (
    [case("weekly", "log-change", c) for c in ("total", "threats", "acts")]
    + [case("weekly", m, "total") for m in ("level", "change", "shock")]
    + [case("monthly", m, c) for m in ("log-change", "change") for c in ("total", "threats", "acts")]
    + [case("weekly", "log-change", "threats", ["dxy", "dfii10", "sp500", "vix"], suffix="-controls")]
    + [case("weekly", "log-change", "total", maxlags=0, suffix="-maxlags0")]
)


# ---------------------------------------------------------------------------------------------
# Data


def read(path: str, column: str) -> pd.Series:
    df = pd.read_csv(ROOT / path, float_precision="round_trip", dtype={"date": str})
    s = pd.Series(df[column].to_numpy(dtype=float), index=pd.to_datetime(df["date"], format="%Y-%m-%d"))
    assert s.index.is_monotonic_increasing and s.index.is_unique, path
    s = s.dropna()
    return s[(s.index >= START) & (s.index <= END)]


def ln_diff(s: pd.Series) -> pd.Series:
    """100 * (ln s_t - ln s_{t-1}) on consecutive elements, with the C library's log."""
    v = s.to_numpy()
    out = np.full(len(v), np.nan)
    for i in range(1, len(v)):
        out[i] = 100.0 * (math.log(v[i]) - math.log(v[i - 1]))
    return pd.Series(out, index=s.index)


def diff(s: pd.Series) -> pd.Series:
    v = s.to_numpy()
    out = np.full(len(v), np.nan)
    out[1:] = v[1:] - v[:-1]
    return pd.Series(out, index=s.index)


def last(s: pd.Series, freq: str) -> pd.Series:
    return s.resample(RULES[freq]).last().dropna()


def kahan_mean(values: np.ndarray) -> float:
    total, comp = 0.0, 0.0
    for v in values:
        t1 = v - comp
        t = total + t1
        comp = (t - total) - t1
        total = t
    return total / len(values)


def gpr_series(freq: str, component: str) -> pd.Series:
    col = GPR_COLUMNS[freq][component]
    if freq == "weekly":
        daily = read(GPR_DAILY, col)
        weekly = daily.resample("W-FRI").mean().dropna()
        # The documented summation (section 2) is pandas' own, bit for bit.
        mine = {k: kahan_mean(v.to_numpy()) for k, v in daily.resample("W-FRI") if len(v)}
        assert list(mine) == list(weekly.index)
        assert np.array_equal(np.array(list(mine.values())), weekly.to_numpy())
        return weekly
    s = read(GPR_MONTHLY, col)
    assert (s.index.day == 1).all()
    return s


def ar1_shock(x: pd.Series) -> tuple[pd.Series, dict]:
    v = x.to_numpy()
    res = sm.OLS(v[1:], np.column_stack([np.ones(len(v) - 1), v[:-1]])).fit()
    out = np.full(len(v), np.nan)
    out[1:] = res.resid
    return pd.Series(out, index=x.index), {"a": float(res.params[0]), "b": float(res.params[1]),
                                           "n": int(res.nobs)}


def gpr_measure(freq: str, measure: str, component: str, ar1: dict) -> pd.Series:
    x = gpr_series(freq, component)
    if measure == "level":
        return x
    if measure == "change":
        return diff(x)
    if measure == "log-change":
        return ln_diff(x)
    if measure == "shock":
        shock, coef = ar1_shock(x)
        ar1[f"{freq}-{component}"] = {"first_label": label(x.index[0]),
                                      "last_label": label(x.index[-1]), **coef}
        return shock
    raise ValueError(measure)


def control_change(freq: str, name: str) -> pd.Series:
    path, col, kind = CONTROLS[name]
    s = last(read(path, col), freq)
    return ln_diff(s) if kind == "log" else diff(s)


def label(ts) -> str:
    return pd.Timestamp(ts).strftime("%Y-%m-%d")


# ---------------------------------------------------------------------------------------------
# Estimation and independent self-checks of the documented formulas


def maxlags_rule(n: int) -> int:
    v = 4.0 * (n / 100.0) ** (2.0 / 9.0)
    assert abs(v - round(v)) > 1e-9, f"maxlags rule too close to an integer for n={n}"
    return int(np.floor(v))


def hac_by_formula(y, X, L):
    xtxi = np.linalg.inv(X.T @ X)
    u = y - X @ (xtxi @ (X.T @ y))
    xu = X * u[:, None]
    S = xu.T @ xu
    for lag in range(1, L + 1):
        s = xu[lag:].T @ xu[:-lag]
        S += (1.0 - lag / (L + 1.0)) * (s + s.T)
    return xtxi @ S @ xtxi


def irls(y, X, q, solve):
    """Section 8 of the docstring, with the linear solve passed in."""
    beta = np.ones(X.shape[1])
    xs = X
    it, step = 0, 10.0
    while it < QR_MAX_ITER and step > QR_P_TOL:
        it += 1
        prev = beta
        beta = solve(xs.T @ X, xs.T @ y)
        r = y - X @ beta
        small = np.abs(r) < 1e-6
        r[small] = np.where(r[small] >= 0, 1e-6, -1e-6)
        w = np.where(r < 0, q * np.abs(r), (1 - q) * np.abs(r))
        xs = X / w[:, None]
        step = np.max(np.abs(beta - prev))
    return beta, it


def qr_cov(y, X, q, beta):
    n, k = X.shape
    e = y - X @ beta
    iqr = np.percentile(e, 75) - np.percentile(e, 25)
    z = stats.norm.ppf(q)
    hs = n ** (-1.0 / 3) * stats.norm.ppf(0.975) ** (2.0 / 3) * (
        1.5 * stats.norm.pdf(z) ** 2 / (2 * z**2 + 1)) ** (1.0 / 3)
    h = min(np.std(y), iqr / 1.34) * (stats.norm.ppf(q + hs) - stats.norm.ppf(q - hs))
    u = e / h
    f = np.sum(np.where(np.abs(u) <= 1, 0.75 * (1 - u**2), 0.0)) / (n * h)
    d = np.where(e > 0, (q / f) ** 2, ((1 - q) / f) ** 2)
    xtxi = np.linalg.inv(X.T @ X)
    V = xtxi @ (X.T * d) @ X @ xtxi
    bse = np.sqrt(np.diag(V))
    p = 2 * stats.t.sf(np.abs(beta / bse), n - k)
    return {"params": beta, "bse": bse, "pvalues": p, "bandwidth": h, "sparsity": 1 / f}


def _pinv_solve(A, b):
    return np.linalg.pinv(A) @ b


def _lu_solve(A, b):
    return np.linalg.solve(A, b)


def _lstsq_solve(A, b):
    return np.linalg.lstsq(A, b, rcond=None)[0]


def _up(v):
    return np.nextafter(v, np.inf)


def _down(v):
    return np.nextafter(v, -np.inf)


# Rounding-level variants of section 8: (y, X) -> (y', X', linear solve). None changes the estimator in
# exact arithmetic; they stand for what an independent implementation differs in (its linear solver,
# its summation order, an ulp in an input).
VARIANTS = {
    "solve": lambda y, X: (y, X, _lu_solve),
    "lstsq": lambda y, X: (y, X, _lstsq_solve),
    "pinv_y_up_1ulp": lambda y, X: (_up(y), X, _pinv_solve),
    "pinv_y_down_1ulp": lambda y, X: (_down(y), X, _pinv_solve),
    "pinv_x_up_1ulp": lambda y, X: (y, np.column_stack([X[:, 0], _up(X[:, 1:])]), _pinv_solve),
    "solve_rows_reversed": lambda y, X: (y[::-1].copy(), X[::-1].copy(), _lu_solve),
}


def rel(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))


def fit_ols(y, X, L):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = sm.OLS(y, X).fit(cov_type="HAC", cov_kwds={"maxlags": L})
        plain = sm.OLS(y, X).fit()
    assert res.use_t is False and plain.use_t is True
    assert res.cov_kwds["use_correction"] is False
    assert res.cov_kwds["weights_func"].__name__ == "weights_bartlett"
    # The documented formula (section 7) reproduces statsmodels.
    V = hac_by_formula(y, X, L)
    assert rel(V, res.cov_params()) < 1e-9, rel(V, res.cov_params())
    p = 2 * stats.norm.sf(np.abs(res.params / np.sqrt(np.diag(V))))
    assert rel(p, res.pvalues) < 1e-8
    return {
        "params": res.params.tolist(),
        "bse": res.bse.tolist(),
        "tvalues": res.tvalues.tolist(),
        "pvalues": res.pvalues.tolist(),
        "cov_params": res.cov_params().tolist(),
        "rsquared": float(res.rsquared),
        "rsquared_adj": float(res.rsquared_adj),
        "nobs": int(res.nobs),
        "df_resid": int(res.df_resid),
        "maxlags": int(L),
        "use_t": bool(res.use_t),
        "bse_nonrobust": plain.bse.tolist(),
    }


def fit_qr(y, X, q):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = sm.QuantReg(y, X).fit(q=q)
    assert res.use_t is True
    assert res.iterations < QR_MAX_ITER
    # The documented algorithm (section 8) with statsmodels' own pinv reproduces it bit for bit
    # (same operations), and the documented covariance reproduces its bse/pvalues.
    beta, it = irls(y, X, q, _pinv_solve)
    assert it == res.iterations and np.array_equal(beta, res.params), (it, res.iterations)
    mine = qr_cov(y, X, q, res.params)
    for key in ("bse", "pvalues", "bandwidth", "sparsity"):
        ref = getattr(res, key)
        assert rel(mine[key], ref) < 1e-9, (key, rel(mine[key], ref))
    out = {
        "q": q,
        "params": res.params.tolist(),
        "bse": res.bse.tolist(),
        "tvalues": res.tvalues.tolist(),
        "pvalues": res.pvalues.tolist(),
        "iterations": int(res.iterations),
        "bandwidth": float(res.bandwidth),
        "sparsity": float(res.sparsity),
        "df_resid": int(res.df_resid),
        "use_t": bool(res.use_t),
    }
    # Rounding-level variants of the same algorithm: how far a faithful reimplementation can land.
    spread = {key: np.zeros(X.shape[1]) for key in ("params", "bse", "pvalues")}
    iters = {}
    for vname, make in VARIANTS.items():
        yv, Xv, solve = make(y, X)
        b, itv = irls(yv, Xv, q, solve)
        iters[vname] = itv
        c = qr_cov(yv, Xv, q, b)
        for key in spread:
            spread[key] = np.maximum(spread[key], np.abs(c[key] - getattr(res, key)))
    out["rounding_spread"] = {key: v.tolist() for key, v in spread.items()}
    out["rounding_spread"]["max_rel"] = max(
        float(np.max(spread[key] / np.abs(getattr(res, key)))) for key in spread)
    out["rounding_spread"]["iterations"] = iters
    return out


def rows(df: pd.DataFrame, xcols: list[str], idx) -> list[dict]:
    return [{"label": label(df.index[i]), "y": float(df["y"].iloc[i]),
             "x": [float(df[c].iloc[i]) for c in xcols]} for i in idx]


def run_case(c: dict, ar1: dict) -> dict:
    freq = c["freq"]
    y = ln_diff(last(read(*GOLD), freq)).rename("y")
    parts = [y, gpr_measure(freq, c["measure"], c["component"], ar1).rename("gpr")]
    parts += [control_change(freq, name).rename(name) for name in c["controls"]]
    df = pd.concat(parts, axis=1, join="inner").sort_index().dropna()
    df.insert(1, "const", 1.0)
    xcols = ["const", "gpr"] + c["controls"]
    n = len(df)
    L = c["fixed_maxlags"] if c["fixed_maxlags"] is not None else maxlags_rule(n)
    Y = df["y"].to_numpy()
    X = df[xcols].to_numpy()
    return {
        "name": c["name"],
        "freq": freq,
        "measure": c["measure"],
        "component": c["component"],
        "gpr_column": GPR_COLUMNS[freq][c["component"]],
        "controls": c["controls"],
        "regressors": xcols,
        "maxlags": int(L),
        "maxlags_fixed": c["fixed_maxlags"] is not None,
        "n": n,
        "first_label": label(df.index[0]),
        "last_label": label(df.index[-1]),
        "first_rows": rows(df, xcols, range(3)),
        "last_rows": rows(df, xcols, range(n - 3, n)),
        "ols": fit_ols(Y, X, L),
        "quantreg": [fit_qr(Y, X, q) for q in TAUS],
    }


def main() -> None:
    ar1: dict = {}
    cases = [run_case(c, ar1) for c in CASES]
    doc = {
        "generated_by": (f"DO NOT EDIT: generated by scripts/reference/gpr_regress.py "
                         f"(statsmodels {statsmodels.__version__}, pandas {pd.__version__}, "
                         f"numpy {np.__version__})"),
        "scipy": scipy.__version__,
        "spec": "module docstring of scripts/reference/gpr_regress.py",
        "sample": {"start": label(START), "end": label(END)},
        "defaults": {
            "ols_hac": {"kernel": "bartlett", "weights": "1 - l/(maxlags+1)",
                        "use_correction": False, "use_t": False, "pvalues": "normal",
                        "maxlags_rule": "floor(4*(n/100)^(2/9))"},
            "ols_nonrobust": {"use_t": True, "scale": "SSR/(n-k)"},
            "quantreg": {"vcov": "robust", "kernel": "epa", "bandwidth": "hsheather",
                         "hsheather_alpha": 0.05, "max_iter": QR_MAX_ITER, "p_tol": QR_P_TOL,
                         "residual_floor": 1e-6, "start": "ones (first pass is OLS)",
                         "use_t": True, "pvalues": "student t, df = n - k"},
        },
        "ar1_shock": ar1,
        "cases": cases,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(doc, indent=1, ensure_ascii=False, allow_nan=False) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)} ({len(cases)} cases)")
    for c in cases:
        o = c["ols"]
        print(f"{c['name']:36s} n={c['n']:5d} L={c['maxlags']:2d} beta={o['params'][1]:+.6g} "
              f"se={o['bse'][1]:.6g} p={o['pvalues'][1]:.4g} "
              f"qr_it={[q['iterations'] for q in c['quantreg']]}")


if __name__ == "__main__":
    main()
