#!/usr/bin/env python3
"""Wall-clock timing of arch's GARCH(1,1)-t and GJR-GARCH(1,1,1)-t fits on the LBMA PM returns.

    python3 scripts/reference/bench_arch.py

The baseline the Rust aurum-vol fits are compared against. Same data and returns as
scripts/reference/garch.py (y = 100 * diff(ln close), n = 14282). Each model is
`arch_model(y, mean="Constant", vol="GARCH", p=1, o=o, q=1, dist="t").fit(disp="off")`, model
construction included in the timed call; one untimed warm-up, then REPEATS timed runs
(time.perf_counter); prints {"garch_t": {"median_s", "min_s"}, "gjr_t": {...}, "arch": version,
"n": nobs} as JSON. fit() does not compute standard errors (they are lazy), so none are timed.
"""
from __future__ import annotations

import json
import statistics
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # numba-missing PerformanceWarning at import
    import arch
    from arch import arch_model

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data" / "prices" / "gold_usd_daily_lbma_pm.csv"
REPEATS = 7


def load_returns() -> np.ndarray:
    df = pd.read_csv(DATA, float_precision="round_trip")
    return (100 * np.log(df["close"]).diff().dropna()).to_numpy(dtype=np.float64)


def fit(y: np.ndarray, o: int):
    return arch_model(y, mean="Constant", vol="GARCH", p=1, o=o, q=1, dist="t").fit(disp="off")


def bench(y: np.ndarray, o: int) -> tuple[dict, int]:
    res = fit(y, o)  # warm-up
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        fit(y, o)
        times.append(time.perf_counter() - t0)
    return {"median_s": statistics.median(times), "min_s": min(times)}, int(res.nobs)


def main() -> None:
    y = load_returns()
    garch_t, n = bench(y, 0)
    gjr_t, n2 = bench(y, 1)
    assert n == n2 == y.shape[0]
    print(json.dumps({"garch_t": garch_t, "gjr_t": gjr_t, "arch": arch.__version__, "n": n}))


if __name__ == "__main__":
    main()
