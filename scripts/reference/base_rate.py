#!/usr/bin/env python3
"""Reference values (scipy) for aurum-events' base rates of catalog events. Writes the fixture
its tests compare with:

    python3 scripts/reference/base_rate.py

Output: crates/aurum-events/tests/fixtures/base_rate.json (inputs and results of every case, full
double precision; its "versions" key records the library versions). Versions:
scripts/reference/requirements.txt. The event dates come from numpy's default_rng seeded with
SEED and the case's index, so the output is byte-identical from run to run.

What each case computes, for events dated on `dates`, counted from `since` to `as_of` (both days
included; dates outside are listed too and must not count):

- n:          the events counted.
- years:      T = ((as_of - since) in days + 1) / 365.25 (Julian years).
- rate:       lambda = n / T, events a year.
- rate_lo:    scipy.stats.chi2.ppf(0.05, 2n) / (2T), 0 when n = 0 (the exact interval of a
              Poisson mean, Garwood 1936).
- rate_hi:    scipy.stats.chi2.ppf(0.95, 2n + 2) / (2T).
- p, p_lo, p_hi: the chance of at least one event in a window of window_days days,
              1 - exp(-lambda w) with w = window_days / 365.25, evaluated as -expm1(-lambda w),
              at lambda, rate_lo and rate_hi.

Each chi-square quantile is checked against 2 * scipy.special.gammaincinv(k / 2, q) to 1e-12
relative, and the interval against its definition: the Poisson tail probabilities at its ends
(scipy.stats.poisson) are 0.05 to 1e-10.

Choices made here: n from 0 to 2,000 (0, 1, small, large), windows from 1 day to ten years, the
exposure from one day (as_of = since) to 57 years; the example scenario file's windows (122,
61 and 132 days to 2025-06-30 from 2025-02-18) are among them.
"""
from __future__ import annotations

import json
import math
import platform
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import scipy
from scipy import special, stats

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "crates" / "aurum-events" / "tests" / "fixtures" / "base_rate.json"
SEED = 20250218
DAYS_PER_YEAR = 365.25
TAIL = 0.05
SINCE = date(1968, 1, 1)


def rng(case: int) -> np.random.Generator:
    """One independent stream per case, so that editing one case leaves the others."""
    return np.random.default_rng([SEED, case])


def chi2_ppf(q: float, k: float) -> float:
    v = float(stats.chi2.ppf(q, k))
    check = 2.0 * float(special.gammaincinv(k / 2.0, q))
    assert abs(v - check) <= 1e-12 * abs(check), (q, k, v, check)
    return v


def one(case: int, name: str, since: date, as_of: date, n: int, window_days: int) -> dict:
    g = rng(case)
    span = (as_of - since).days + 1
    inside = [since + timedelta(days=int(d)) for d in g.integers(0, span, n)]
    # A few dates outside [since, as_of], which must not count.
    outside = [since - timedelta(days=int(d)) for d in g.integers(1, 4000, 2)]
    outside += [as_of + timedelta(days=int(d)) for d in g.integers(1, 400, 2)]
    dates = sorted(inside + outside)
    years = span / DAYS_PER_YEAR
    rate = n / years
    rate_lo = chi2_ppf(TAIL, 2 * n) / (2 * years) if n > 0 else 0.0
    rate_hi = chi2_ppf(1 - TAIL, 2 * n + 2) / (2 * years)
    # The interval's ends are where the Poisson tails are 5%.
    mu_lo, mu_hi = rate_lo * years, rate_hi * years
    assert abs(float(stats.poisson.cdf(n, mu_hi)) - TAIL) < 1e-10, (name, mu_hi)
    if n > 0:
        assert abs(float(stats.poisson.sf(n - 1, mu_lo)) - TAIL) < 1e-10, (name, mu_lo)
    w = window_days / DAYS_PER_YEAR

    def at_least_one(lam: float) -> float:
        return float(-np.expm1(-lam * w))

    return {
        "name": name,
        "since": since.isoformat(),
        "as_of": as_of.isoformat(),
        "window_days": window_days,
        "dates": [d.isoformat() for d in dates],
        "n": n,
        "first": min(inside).isoformat() if inside else None,
        "years": years,
        "rate": rate,
        "rate_lo": rate_lo,
        "rate_hi": rate_hi,
        "p": at_least_one(rate),
        "p_lo": at_least_one(rate_lo),
        "p_hi": at_least_one(rate_hi),
    }


def cases() -> list[dict]:
    note = date(2025, 2, 18)
    spec = [  # (name, since, as_of, n, window_days)
        ("n=0, 132 days to the horizon", SINCE, note, 0, 132),
        ("n=0, one day", SINCE, note, 0, 1),
        ("n=1, 122-day window", SINCE, note, 1, 122),
        ("n=1, ten years", SINCE, note, 1, 3653),
        ("n=2, 61-day window", SINCE, note, 2, 61),
        ("n=5, 132 days", SINCE, note, 5, 132),
        ("n=12, 30 days", SINCE, note, 12, 30),
        ("n=30, one year", SINCE, note, 30, 365),
        ("n=120, one day", SINCE, note, 120, 1),
        ("n=120, ten years (P near 1)", SINCE, note, 120, 3653),
        ("n=2000, 122 days", SINCE, note, 2000, 122),
        ("n=3, short exposure (1968 to mid-1970)", SINCE, date(1970, 6, 30), 3, 90),
        ("n=1, one day of exposure", note, note, 1, 30),
        ("n=7, as of 1990", SINCE, date(1990, 8, 2), 7, 180),
    ]
    return [one(i, *s) for i, s in enumerate(spec)]


def versions() -> dict:
    return {"python": platform.python_version(), "numpy": np.__version__,
            "scipy": scipy.__version__}


def main() -> None:
    v = versions()
    doc = {
        "generated_by": (f"DO NOT EDIT: generated by scripts/reference/base_rate.py "
                         f"(scipy {v['scipy']}, numpy {v['numpy']}; seed {SEED})"),
        "spec": "module docstring of scripts/reference/base_rate.py",
        "versions": v,
        "cases": cases(),
    }
    for c in doc["cases"]:
        for k in ("years", "rate", "rate_lo", "rate_hi", "p", "p_lo", "p_hi"):
            assert math.isfinite(c[k]), (c["name"], k)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(doc, indent=1, ensure_ascii=False, allow_nan=False) + "\n"
    OUT.write_text(text)
    print(f"wrote {OUT.relative_to(ROOT)} ({len(text) / 1024:.0f} KiB)")
    print(f"  cases {len(doc['cases'])}")


if __name__ == "__main__":
    main()
