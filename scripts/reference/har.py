#!/usr/bin/env python3
"""Reference OLS fits (statsmodels) of the HAR variance model that aurum-backtest's `har` uses.
Writes the fixture its tests compare with:

    python3 scripts/reference/har.py

(pip install -r scripts/reference/requirements.txt if statsmodels is missing.)

Output: crates/aurum-backtest/tests/fixtures/har.json (inputs and results of every case, full
double precision; its "versions" key records the library versions, pinned in
scripts/reference/requirements.txt). Random inputs come from numpy's default_rng seeded with SEED
and the case's index, so the output is byte-identical from run to run; BLAS/OpenMP are pinned to
one thread before numpy is imported.

The model (Corsi 2009, on daily squared returns; aurum_vol::HarFit): with y the returns (percent
log returns), n their number, mu = mean(y) and e2_t = (y_t - mu)^2, for t = 21 .. n-2 (0-based;
each row has 22 days up to t):

    e2_{t+1} = b0 + b_d e2_t + b_w mean(e2_{t-4..t}) + b_m mean(e2_{t-21..t}) + u_{t+1}

fitted by statsmodels.OLS(e2[22:], X).fit() (pinv), X = [1, daily, weekly, monthly], n - 22 rows.
Recorded per case: mu, params (b0, b_d, b_w, b_m), nobs, rsquared; "fitted", OLS's fitted values
(unfloored) for days 22 .. n-1; "sample_variance", numpy var(y, ddof=1); "floor" =
0.01 * sample_variance; "std_resid" = (y_t - mu) / sqrt(max(fitted_t, floor)); "floored", how
many fitted values are below the floor; "next_variance", max(X_n . params, floor) with X_n the
regressors of the day after the last (the one-step forecast a simulation starts from).

Cases: returns of a GARCH(1,1)-t(5) process of gold-like scale (2520 days, the backtest's fit
window); the last 2520 LBMA PM gold returns to 2025-02-18 (data/prices/gold_usd_daily_lbma_pm.csv,
y = 100 * diff(log(close)); the returns themselves are stored, so numpy's log needs no matching);
a calm-then-turbulent regime switch (800 days); isolated spikes on calm noise, never two within 8
days (800 days), whose variance anti-persists: b_m comes out negative and the fitted values after
a spike fall below zero and the floor (its "floored" is positive, asserted), so the floor is
exercised; and the shortest series aurum accepts, 123 iid normal returns (22 lags + 1 + 100 rows).
"""
from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import json  # noqa: E402
import platform  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import statsmodels  # noqa: E402
import statsmodels.api as sm  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "crates" / "aurum-backtest" / "tests" / "fixtures" / "har.json"
GOLD = ROOT / "data" / "prices" / "gold_usd_daily_lbma_pm.csv"
SEED = 20250218
LAGS = 22
FLOOR = 0.01


def rng(case: int) -> np.random.Generator:
    """One independent stream per case, so that editing one case leaves the others."""
    return np.random.default_rng([SEED, case])


def floats(a) -> list[float]:
    return [float(v) for v in np.asarray(a, dtype=float).ravel()]


def design(e2: np.ndarray, t: int) -> list[float]:
    """Regressors of day t+1: [1, e2_t, mean(e2_{t-4..t}), mean(e2_{t-21..t})]."""
    return [1.0, e2[t], e2[t - 4:t + 1].mean(), e2[t - 21:t + 1].mean()]


def fit(name: str, y: np.ndarray) -> dict:
    y = np.asarray(y, dtype=float)
    n = y.size
    mu = float(y.mean())
    e = y - mu
    e2 = e * e
    X = np.array([design(e2, t) for t in range(LAGS - 1, n - 1)])
    target = e2[LAGS:]
    res = sm.OLS(target, X).fit()
    b = res.params
    fitted = res.fittedvalues
    var = float(np.var(y, ddof=1))
    floor = FLOOR * var
    s2 = np.maximum(fitted, floor)
    nxt = max(float(np.dot(design(e2, n - 1), b)), floor)
    # the closed form, as a check on statsmodels' pinv
    direct = np.linalg.solve(X.T @ X, X.T @ target)
    assert np.allclose(direct, b, rtol=1e-9, atol=0), (name, direct, b)
    return {"name": name, "returns": floats(y), "n": n, "mu": mu, "params": floats(b),
            "nobs": int(res.nobs), "rsquared": float(res.rsquared), "fitted": floats(fitted),
            "sample_variance": var, "floor": floor, "floored": int(np.sum(fitted < floor)),
            "std_resid": floats(e[LAGS:] / np.sqrt(s2)), "next_variance": nxt}


def garch_t(g: np.random.Generator, n: int) -> np.ndarray:
    omega, alpha, beta, nu = 0.02, 0.06, 0.92, 5.0
    z = g.standard_t(nu, n + 500) * np.sqrt((nu - 2) / nu)
    s2 = omega / (1 - alpha - beta)
    out = np.empty(n + 500)
    for t in range(n + 500):
        out[t] = 0.03 + np.sqrt(s2) * z[t]
        s2 = omega + alpha * (out[t] - 0.03) ** 2 + beta * s2
    return out[500:]


def gold(n: int) -> np.ndarray:
    df = pd.read_csv(GOLD, float_precision="round_trip")
    df = df[df["date"] <= "2025-02-18"]
    y = 100 * np.diff(np.log(df["close"].to_numpy(dtype=float)))
    return y[-n:]


def spikes(g: np.random.Generator, n: int) -> np.ndarray:
    y = g.normal(0.0, 0.05, n)
    t = 25
    while t < n:
        y[t] = g.choice([-1.0, 1.0]) * g.uniform(6.0, 10.0)
        t += int(g.integers(8, 40))
    return y


def cases() -> list[dict]:
    calm = rng(3).normal(0.02, 0.4, 400)
    wild = rng(3).standard_t(3, 400) * 2.5
    return [
        fit("garch(1,1)-t(5) n=2520", garch_t(rng(1), 2520)),
        fit("LBMA PM gold, last 2520 returns to 2025-02-18", gold(2520)),
        fit("regime switch: normal sd 0.4 then t(3) scale 2.5, n=800",
            np.concatenate([calm, wild])),
        fit("isolated spikes on calm noise, n=800 (fitted values below the floor)",
            spikes(rng(5), 800)),
        fit("iid normal n=123 (the shortest accepted)", rng(4).normal(0.0, 1.0, 123)),
    ]


def main() -> None:
    v = {"python": platform.python_version(), "numpy": np.__version__,
         "pandas": pd.__version__, "statsmodels": statsmodels.__version__}
    doc = {
        "generated_by": (f"DO NOT EDIT: generated by scripts/reference/har.py "
                         f"(statsmodels {v['statsmodels']}, numpy {v['numpy']}, "
                         f"pandas {v['pandas']}; seed {SEED})"),
        "spec": "module docstring of scripts/reference/har.py",
        "versions": v,
        "lags": LAGS,
        "floor_fraction": FLOOR,
        "cases": cases(),
    }
    assert doc["cases"][3]["floored"] > 0, "the spike case should exercise the floor"
    OUT.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(doc, indent=1, ensure_ascii=False, allow_nan=False) + "\n"
    OUT.write_text(text)
    print(f"wrote {OUT.relative_to(ROOT)} ({len(text) / 1024:.0f} KiB)")
    for c in doc["cases"]:
        print(f"  {c['name']}: params {c['params']}, floored {c['floored']}")


if __name__ == "__main__":
    main()
