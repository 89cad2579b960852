#!/usr/bin/env python3
"""arch's GARCH(1,1)-t and GJR-GARCH(1,1,1)-t fits on the LBMA PM returns: wall-clock time and the
optimum reached, for `aurum-bench vol`.

    python3 scripts/reference/bench_arch_vol.py [--repeats N]

Data and timed call: y = 100 * diff(ln close) of the bundled LBMA PM series (n = 14282);
`arch_model(y, mean="Constant", vol="GARCH", p=1, o=o, q=1, dist="t").fit(disp="off")`, model
construction included; one untimed warm-up, then REPEATS timed runs with time.perf_counter). Besides
the times it prints what the fit reached, so that the caller can compare optima in the same run:
{"garch_t": {"median_s", "min_s", "loglik", "params", "names", "iterations", "evaluations"},
"gjr_t": {...}, "arch": version, "n": nobs}. `params` are arch's estimates as they are: where the
optimum lies on the stationarity boundary, SLSQP may stop slightly outside it, and the caller
projects them (see crates/aurum-vol/tests/arch_reference.rs). `iterations` and `evaluations` are
SLSQP's (scipy's nit and nfev).
"""
from __future__ import annotations

import argparse
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


def load_returns() -> np.ndarray:
    df = pd.read_csv(DATA, float_precision="round_trip")
    return (100 * np.log(df["close"]).diff().dropna()).to_numpy(dtype=np.float64)


def fit(y: np.ndarray, o: int):
    return arch_model(y, mean="Constant", vol="GARCH", p=1, o=o, q=1, dist="t").fit(disp="off")


def bench(y: np.ndarray, o: int, repeats: int) -> tuple[dict, int]:
    res = fit(y, o)  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fit(y, o)
        times.append(time.perf_counter() - t0)
    opt = res.optimization_result
    return {
        "median_s": statistics.median(times),
        "min_s": min(times),
        "loglik": float(res.loglikelihood),
        "params": [float(v) for v in res.params.to_numpy()],
        "names": list(res.params.index),
        "iterations": int(getattr(opt, "nit", -1)),
        "evaluations": int(getattr(opt, "nfev", -1)),
    }, int(res.nobs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args()
    y = load_returns()
    garch_t, n = bench(y, 0, args.repeats)
    gjr_t, n2 = bench(y, 1, args.repeats)
    assert n == n2 == y.shape[0]
    print(json.dumps({"garch_t": garch_t, "gjr_t": gjr_t, "arch": arch.__version__, "n": n}))


if __name__ == "__main__":
    main()
