#!/usr/bin/env python3
"""Independent reference implementation of aurum's event-study method (numpy/pandas/scipy).

Implements docs/event-study.md convention by convention (calendar, returns, day 0, windows,
OLS normal-return models, CAR and its variance, cross-sectional t, Patell Z, BMP t,
Kolari–Pynnönen, Corrado rank, generalised sign) on fixed event lists, and writes the fixture
that aurum-eventstudy's tests compare with at 1e-9 relative tolerance:

    python3 scripts/reference/event_study.py

Output: crates/aurum-eventstudy/tests/fixtures/event_study.json. The event dates of the
first cases are fixed here, independent of any event catalogue; the cases named
`catalog_<category>` take every event of one category of the bundled catalogue
data/events/catalog.toml (no date filter, overlapping events all kept), ordered by event date,
then id; they also carry the input ids (`event_ids`) and each entry of `results` and `skipped`
its event's `id`. Versions: scripts/reference/requirements.txt.

Choices where docs/event-study.md leaves room (each also marked "RESOLUTION" below):

1. Kolari–Pynnönen r̄: r_ij is the Pearson sample correlation (np.corrcoef: each series is
   demeaned over the shared dates themselves, not over its whole estimation window) of the
   estimation-window ARs of events i and j on the calendar dates both estimation windows
   contain. r̄ is the plain mean over all N(N−1)/2 unordered pairs i < j, the pairs sharing
   fewer than 30 dates included as 0.
2. "Positive" in the generalised sign test is strict (AR > 0, CAR > 0).
3. Corrado: the relative days of the test are those of the two windows only (the gap
   E2+1 .. L1−1 is neither ranked nor counted), so T = M + L. S_Ū is taken as written, without
   demeaning Ū (its mean over the T days is exactly 0 anyway, ties included).
4. An event after the last calendar date has no day 0 and is skipped with a reason; one dated
   before the first calendar date (for the mean model: the first price date) is skipped as
   "dated before the data begin" (it could only fail t0 + E1 ≥ 1 anyway).
5. Day 0 is looked up in the joined calendar, so an event on a weekday on which a benchmark
   (not the series) has no value is also "moved".
6. Log returns are ln(P_t) − ln(P_{t−1}) computed with math.log (the C library's log, the
   one Rust's f64::ln uses on Linux), not np.log, so that exactly equal returns (rank ties)
   are equal on both sides. Prices are parsed with float_precision="round_trip".
7. Missing cells: a date where the series or any benchmark column is empty is not in the
   calendar (only dfii10 has empty cells in the files used).
8. Near-ties (self-check only; no output depends on it): two ARs of one event less than 1e-12
   apart but not equal fail the script, except, for the mean model only, when their two
   returns are a tie in exact arithmetic (P_t / P_{t−1} equal as exact rationals of the parsed
   doubles) that ln(P_t) − ln(P_{t−1}) separates by rounding, and the ARs stay at least
   8 ulps apart. Both sides compute the returns with the same C-library log (6.), and
   AR = r − θ̂ is monotone in r, so they order such a pair alike; they are ranked as distinct,
   as the convention computes them. The catalogue cases need this (catalog_nuclear:
   1971-08-27 42 → 41.125 and 1972-02-04 48 → 47, gap 4.4e-16).
"""
from __future__ import annotations

import datetime
import json
import math
from fractions import Fraction
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import scipy
from scipy import stats

ROOT = Path(__file__).resolve().parents[2]
PRICES = "data/prices"
OUT = ROOT / "crates" / "aurum-eventstudy" / "tests" / "fixtures" / "event_study.json"

GOLD = {"file": f"{PRICES}/gold_usd_daily_lbma_pm.csv", "column": "close"}
DXY = {"file": f"{PRICES}/dxy_daily_yahoo.csv", "column": "close", "kind": "log"}
SP500 = {"file": f"{PRICES}/sp500_daily_ohlc_stooq.csv", "column": "close", "kind": "log"}
DFII10 = {"file": f"{PRICES}/fred_rates_usd_daily.csv", "column": "dfii10", "kind": "diff"}

KP_MIN_SHARED = 30

CATALOG = "data/events/catalog.toml"

CASES = [
    {
        "name": "mean_war",
        "series": GOLD,
        "model": "mean",
        "benchmarks": [],
        "window": [-1, 5],
        "estimation": [-250, -11],
        "events": ["1990-08-02", "2001-09-11", "2003-03-20", "2014-03-01", "2022-02-24",
                   "2023-10-07", "2024-04-13"],
    },
    {
        "name": "market_dxy_nuclear",
        "series": GOLD,
        "model": "market",
        "benchmarks": [DXY],
        "window": [-1, 5],
        "estimation": [-250, -11],
        "events": ["1998-05-11", "1998-05-28", "2006-10-09", "2009-05-25", "2013-02-12",
                   "2016-01-06", "2016-09-09", "2017-09-03"],
    },
    {
        "name": "factor_alliance",
        "series": GOLD,
        "model": "factor",
        "benchmarks": [DXY, SP500, DFII10],
        "window": [-1, 5],
        "estimation": [-250, -11],
        # 2018-07-11 and 2018-07-12 overlap: both kept (overlap handling is not statistics).
        # 2025-02-14 + 5 trading days is past the end of the data: skipped.
        "events": ["2004-03-29", "2009-04-01", "2017-06-05", "2018-07-11", "2018-07-12",
                   "2020-03-27", "2023-04-04", "2024-03-07", "2025-02-14"],
    },
    {
        "name": "mean_short_window",
        "series": GOLD,
        "model": "mean",
        "benchmarks": [],
        "window": [0, 1],
        "estimation": [-120, -21],
        "events": ["1973-10-17", "1979-11-05", "1979-12-27", "1980-01-21", "1990-08-02"],
    },
]


# Cases built from the catalogue: every event of the category, no date filter.
CATALOG_CASES = [
    {
        "name": f"catalog_{category}",
        "category": category,
        "series": GOLD,
        "model": "mean",
        "benchmarks": [],
        "window": [-1, 5],
        "estimation": [-250, -11],
    }
    for category in ["war-outbreak", "nuclear", "alliance"]
]


# ---------------------------------------------------------------------------------------
# Data


def catalog_events(category: str) -> list[tuple[str, str]]:
    """(date, id) of every catalogue event of `category`, sorted by date, then id."""
    with open(ROOT / CATALOG, "rb") as f:
        events = tomllib.load(f)["event"]
    ids = [e["id"] for e in events]
    assert len(ids) == len(set(ids)), "catalogue ids are not unique"
    out = []
    for e in events:
        if e["category"] != category:
            continue
        d = e["date"]
        d = d.isoformat() if isinstance(d, datetime.date) else str(d)
        assert datetime.date.fromisoformat(d).isoformat() == d, (e["id"], d)
        out.append((d, e["id"]))
    assert out, f"no catalogue event of category {category}"
    return sorted(out)


def catalog_case(spec: dict) -> dict:
    evs = catalog_events(spec["category"])
    case = {k: v for k, v in spec.items() if k != "category"}
    case["events"] = [d for d, _ in evs]
    case["event_ids"] = [i for _, i in evs]
    return case


def read_column(file: str, column: str) -> pd.Series:
    df = pd.read_csv(ROOT / file, usecols=["date", column], dtype={"date": str},
                     float_precision="round_trip")
    s = df.set_index("date")[column].astype(float)
    assert s.index.is_unique and s.index.is_monotonic_increasing, file
    return s


def log_returns(levels: np.ndarray) -> np.ndarray:
    """r_t = ln(P_t) − ln(P_{t−1}); index 0 is NaN (no return)."""
    logs = np.array([math.log(p) for p in levels])
    out = np.full(len(levels), np.nan)
    out[1:] = logs[1:] - logs[:-1]
    return out


def differences(levels: np.ndarray) -> np.ndarray:
    out = np.full(len(levels), np.nan)
    out[1:] = levels[1:] - levels[:-1]
    return out


def build_calendar(series: pd.Series, benchmarks: list[tuple[pd.Series, str]]):
    """Inner-join calendar; returns (dates, series returns, benchmark returns k × n, series
    levels)."""
    frame = pd.concat([series.rename("y")] + [b.rename(f"b{i}") for i, (b, _) in
                                               enumerate(benchmarks)], axis=1, join="inner")
    frame = frame.dropna()  # RESOLUTION 7: an empty cell removes the date from the calendar
    frame = frame.sort_index()
    dates = list(frame.index)
    r = log_returns(frame["y"].to_numpy())
    xs = []
    for i, (_, kind) in enumerate(benchmarks):
        lv = frame[f"b{i}"].to_numpy()
        xs.append(log_returns(lv) if kind == "log" else differences(lv))
    return dates, r, np.array(xs).reshape(len(benchmarks), len(dates)), frame["y"].to_numpy()


# ---------------------------------------------------------------------------------------
# Per event


def study_event(event: str, dates, r, xs, window, estimation, levels=None):
    L1, L2 = window
    E1, E2 = estimation
    assert E2 < L1
    # Day 0: first calendar date on or after the event date (ISO strings sort as dates).
    t0 = int(np.searchsorted(np.array(dates), event, side="left"))
    if event < dates[0]:
        # RESOLUTION 4
        return None, f"dated before the data begin ({dates[0]})"
    if t0 == len(dates):
        # RESOLUTION 4
        return None, f"no calendar date on or after {event} (calendar ends {dates[-1]})"
    if t0 + E1 < 1:
        return None, (f"estimation window starts {E1} days before day 0 {dates[t0]}, "
                      f"before the first return ({dates[1]})")
    if t0 + L2 > len(dates) - 1:
        return None, (f"event window ends {L2} days after day 0 {dates[t0]}, "
                      f"past the last calendar date ({dates[-1]})")

    est = np.arange(t0 + E1, t0 + E2 + 1)
    win = np.arange(t0 + L1, t0 + L2 + 1)
    M, L = len(est), len(win)

    def regressors(idx):
        return np.column_stack([np.ones(len(idx))] + [x[idx] for x in xs])

    X, Xw = regressors(est), regressors(win)
    p = X.shape[1]
    y, yw = r[est], r[win]
    assert np.all(np.isfinite(X)) and np.all(np.isfinite(y)) and np.all(np.isfinite(Xw))

    XtX_inv = np.linalg.inv(X.T @ X)
    theta = np.linalg.lstsq(X, y, rcond=None)[0]
    ar_est = y - X @ theta
    ar_win = yw - Xw @ theta
    d = M - p
    sigma2 = float(ar_est @ ar_est) / d

    c_win = 1.0 + np.einsum("ij,jk,ik->i", Xw, XtX_inv, Xw)
    sar = ar_win / (math.sqrt(sigma2) * np.sqrt(c_win))

    car = float(ar_win.sum())
    ones_w = Xw.sum(axis=0)  # X_w' 1
    var_car = sigma2 * (L + float(ones_w @ XtX_inv @ ones_w))
    scar = car / math.sqrt(var_car)

    return {
        "event_date": event,
        "day0": dates[t0],
        "moved": dates[t0] != event,
        "sigma2": sigma2,
        "theta": [float(v) for v in theta],
        "ar": [float(v) for v in ar_win],
        "sar": [float(v) for v in sar],
        "car": car,
        "var_car": var_car,
        "scar": scar,
        "df": d,
        # internal, not written
        "_ar_est": ar_est,
        "_est_dates": [dates[i] for i in est],
        "_X": X,
        "_y": y,
        "_M": M,
        "_L": L,
        "_p": p,
        # (P_{t−1}, P_t) of every day of both windows, estimation first (RESOLUTION 8)
        "_prices": None if levels is None else
        [(float(levels[t - 1]), float(levels[t])) for t in np.concatenate([est, win])],
    }, None


# ---------------------------------------------------------------------------------------
# Across events


def p_normal(z: float) -> float:
    return float(2.0 * stats.norm.sf(abs(z)))


def p_student(t: float, df: int) -> float:
    return float(2.0 * stats.t.sf(abs(t), df))


def aggregate(res: list[dict]) -> dict:
    N = len(res)
    assert N >= 2, "statistics need at least two events"
    cars = np.array([e["car"] for e in res])
    scars = np.array([e["scar"] for e in res])
    ars = np.array([e["ar"] for e in res])  # N × L
    dfs = np.array([e["df"] for e in res], dtype=float)
    L = ars.shape[1]

    caar = float(cars.mean())
    aar = ars.mean(axis=0)
    caar_path = np.cumsum(aar)

    s_car = float(cars.std(ddof=1))
    t_cs = caar / (s_car / math.sqrt(N))

    patell = float(scars.sum()) / math.sqrt(float(np.sum(dfs / (dfs - 2.0))))

    s_scar = float(scars.std(ddof=1))
    bmp = float(scars.mean()) / (s_scar / math.sqrt(N))

    # Kolari–Pynnönen (RESOLUTION 1)
    rs = []
    for i in range(N):
        for j in range(i + 1, N):
            ai = pd.Series(res[i]["_ar_est"], index=res[i]["_est_dates"])
            aj = pd.Series(res[j]["_ar_est"], index=res[j]["_est_dates"])
            shared = ai.index.intersection(aj.index)
            if len(shared) < KP_MIN_SHARED:
                rs.append(0.0)
            else:
                rs.append(float(np.corrcoef(ai[shared].to_numpy(), aj[shared].to_numpy())[0, 1]))
    rbar = float(np.mean(rs))
    kp = bmp * math.sqrt((1.0 - rbar) / (1.0 + (N - 1) * rbar))

    # Corrado rank (RESOLUTION 3); every event has the same M and L within a case.
    T = res[0]["_M"] + L
    U = []
    for e in res:
        both = np.concatenate([e["_ar_est"], np.array(e["ar"])])
        assert len(both) == T
        check_no_near_ties(both, e["_prices"] if e["_p"] == 1 else None)
        K = stats.rankdata(both, method="average")
        U.append(K / (T + 1) - 0.5)
    U = np.array(U)  # N × T, columns: estimation days then event-window days
    ubar = U.mean(axis=0)
    s_u = math.sqrt(float(np.sum(ubar ** 2)) / T)
    rank_z = float(ubar[T - L:].sum()) / (math.sqrt(L) * s_u)

    # Generalised sign (RESOLUTION 2)
    p_hat = float(np.mean([np.count_nonzero(e["_ar_est"] > 0) / e["_M"] for e in res]))
    w = int(np.count_nonzero(cars > 0))
    sign_z = (w - N * p_hat) / math.sqrt(N * p_hat * (1.0 - p_hat))

    return {
        "n": N,
        "caar": caar,
        "aar": [float(v) for v in aar],
        "caar_path": [float(v) for v in caar_path],
        "t_cs": t_cs,
        "p_cs": p_student(t_cs, N - 1),
        "patell_z": patell,
        "p_patell": p_normal(patell),
        "bmp_t": bmp,
        "p_bmp": p_student(bmp, N - 1),
        "kp_rbar": rbar,
        "kp_t": kp,
        "p_kp": p_student(kp, N - 1),
        "rank_z": rank_z,
        "p_rank": p_normal(rank_z),
        "sign_p_hat": p_hat,
        "sign_w": w,
        "sign_z": sign_z,
        "p_sign": p_normal(sign_z),
    }


ACCEPTED_NEAR_TIES: list[tuple] = []


def check_no_near_ties(values: np.ndarray, prices=None, gap: float = 1e-12) -> None:
    """Ranks must not depend on last-ulp differences between implementations: two ARs are
    either exactly equal (a tie) or at least `gap` apart, save the exception of RESOLUTION 8
    (only when `prices`, the (P_{t−1}, P_t) behind each value of a mean-model event, is
    given)."""
    order = np.argsort(values, kind="stable")
    v = values[order]
    diffs = np.diff(v)
    for k in np.nonzero((diffs > 0) & (diffs < gap))[0]:
        a, b = int(order[k]), int(order[k + 1])
        ok = False
        if prices is not None:
            (pa0, pa1), (pb0, pb1) = prices[a], prices[b]
            exact_tie = Fraction(pa1) * Fraction(pb0) == Fraction(pb1) * Fraction(pa0)
            wide = diffs[k] >= 8 * float(np.spacing(max(abs(v[k]), abs(v[k + 1]))))
            ok = exact_tie and wide
            if ok:
                ACCEPTED_NEAR_TIES.append((prices[a], prices[b], float(diffs[k])))
        assert ok, f"near-tie in abnormal returns: {diffs[k]}"


# ---------------------------------------------------------------------------------------
# Self-checks


def check_mean_model(e: dict) -> None:
    M, L = e["_M"], e["_L"]
    assert e["_p"] == 1
    assert math.isclose(e["theta"][0], float(np.mean(e["_y"])), rel_tol=1e-12, abs_tol=1e-15)
    expect = e["sigma2"] * (L + L * L / M)
    assert math.isclose(e["var_car"], expect, rel_tol=1e-12), (e["var_car"], expect)
    # C_t = 1 + 1/M for every day
    sar_expect = np.array(e["ar"]) / math.sqrt(e["sigma2"] * (1 + 1 / M))
    assert np.allclose(e["sar"], sar_expect, rtol=1e-12, atol=0)
    # σ̂² is the sample variance of the estimation returns
    assert math.isclose(e["sigma2"], float(np.var(e["_y"], ddof=1)), rel_tol=1e-12)


def check_market_model(e: dict) -> None:
    x = e["_X"][:, 1]
    y = e["_y"]
    lr = stats.linregress(x, y)
    assert math.isclose(e["theta"][0], lr.intercept, rel_tol=1e-10), (e["theta"], lr)
    assert math.isclose(e["theta"][1], lr.slope, rel_tol=1e-10), (e["theta"], lr)
    sxx = float(np.sum((x - x.mean()) ** 2))
    sigma2_lr = lr.stderr ** 2 * sxx  # stderr(slope)² = σ̂² / Sxx, σ̂² with divisor M − 2
    assert math.isclose(e["sigma2"], sigma2_lr, rel_tol=1e-10), (e["sigma2"], sigma2_lr)


def check_aggregate_identities(res: list[dict], agg: dict) -> None:
    assert math.isclose(agg["caar"], agg["caar_path"][-1], rel_tol=1e-12)
    assert math.isclose(agg["caar"], sum(agg["aar"]), rel_tol=1e-12)


# ---------------------------------------------------------------------------------------
# Synthetic ties case


def synthetic_ties_case() -> tuple[dict, pd.Series]:
    """A business-day calendar of 100 closes drawn from four levels {100, 101, 102, 103} by a
    fixed linear congruential generator: the close stays put with probability about 1/3, so
    many returns are exactly 0, and the others take only twelve distinct values (pairwise at
    least 1e-4 apart), so ranks tie, exactly and identically in any implementation."""
    dates = [d.strftime("%Y-%m-%d") for d in pd.bdate_range("2021-01-04", periods=100)]
    levels = [100.0, 101.0, 102.0, 103.0]
    state, idx, closes = 20210104, 0, []
    for _ in range(100):
        state = (state * 1103515245 + 12345) % 2**31
        draw = state >> 16
        if draw % 3 != 0:
            idx = (idx + 1 + draw % 3 + (draw >> 4) % 2) % 4
        closes.append(levels[idx])
    case = {
        "name": "ties_rank",
        "series": {"file": None, "column": "close"},
        "synthetic": {"dates": dates, "close": closes},
        "model": "mean",
        "benchmarks": [],
        "window": [-1, 1],
        "estimation": [-30, -3],
        # 2021-03-27 is a Saturday: moved to Monday 2021-03-29. (2021-03-06 would not do: its
        # estimation window starts and ends on the same close, so θ̂ = 0 up to rounding.)
        "events": ["2021-02-16", "2021-03-27", "2021-04-28"],
    }
    return case, pd.Series(closes, index=dates, dtype=float)


# ---------------------------------------------------------------------------------------


def tied_values(values: np.ndarray) -> tuple[int, int]:
    """The number of distinct values that occur more than once, and the largest multiplicity."""
    _, counts = np.unique(values, return_counts=True)
    return int(np.count_nonzero(counts > 1)), int(counts.max())


def run_case(case: dict, series: pd.Series, require_ties: bool = False) -> dict:
    bench = [(read_column(b["file"], b["column"]), b["kind"]) for b in case["benchmarks"]]
    dates, r, xs, levels = build_calendar(series, bench)
    results, skipped = [], []
    ids = case.get("event_ids")
    if ids is not None:
        assert len(ids) == len(case["events"]) and len(set(ids)) == len(ids)
        assert list(zip(case["events"], ids)) == sorted(zip(case["events"], ids))
    for k, ev in enumerate(case["events"]):
        e, reason = study_event(ev, dates, r, xs, case["window"], case["estimation"], levels)
        tag = {} if ids is None else {"id": ids[k]}
        if e is None:
            skipped.append({**tag, "event_date": ev, "reason": reason})
        else:
            results.append({**tag, **e})
    for e in results:
        if case["model"] == "mean":
            check_mean_model(e)
    if case["model"] == "market":
        for e in results:
            check_market_model(e)
    if require_ties:
        for e in results:
            both = np.concatenate([e["_ar_est"], np.array(e["ar"])])
            groups, most = tied_values(both)
            # ties among zero returns (AR = −θ̂) and among nonzero returns, and a tie that
            # reaches into the event window
            assert groups >= 3 and most >= 5, (e["event_date"], groups, most)
            assert set(e["ar"]) & set(e["_ar_est"]), e["event_date"]
    for e in results:
        # RESOLUTION 2 must not matter for the fixture: no AR and no CAR is 0, nor so close
        # to 0 that rounding could flip its sign (a mean-model θ̂ is a telescoping sum, so an
        # estimation window starting and ending on the same close gives θ̂ ≈ 1e-19, not 0).
        both = np.concatenate([e["_ar_est"], np.array(e["ar"])])
        assert np.min(np.abs(both)) > 1e-12 and abs(e["car"]) > 1e-12, e["event_date"]
        assert min(abs(v) for v in e["theta"]) > 1e-12, e["event_date"]
    agg = aggregate(results)
    check_aggregate_identities(results, agg)
    out = {k: v for k, v in case.items()}
    out["results"] = [{k: v for k, v in e.items() if not k.startswith("_")} for e in results]
    out["skipped"] = skipped
    out["aggregate"] = agg
    return out


def assert_finite(obj, path="$"):
    if isinstance(obj, float):
        assert math.isfinite(obj), path
    elif isinstance(obj, dict):
        for k, v in obj.items():
            assert_finite(v, f"{path}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            assert_finite(v, f"{path}[{i}]")


def main() -> None:
    cases = []
    for case in CASES:
        series = read_column(case["series"]["file"], case["series"]["column"])
        cases.append(run_case(case, series))
    ties, ties_series = synthetic_ties_case()
    ties_out = run_case(ties, ties_series, require_ties=True)
    # The case must really exercise ties: in every event, several values among the T ARs of
    # both windows repeat, some of them zero returns, some not.
    closes = np.array(ties["synthetic"]["close"])
    assert np.count_nonzero(closes[1:] == closes[:-1]) >= 20
    assert len({e["theta"][0] for e in ties_out["results"]}) == 3
    cases.append(ties_out)
    for spec in CATALOG_CASES:
        case = catalog_case(spec)
        series = read_column(case["series"]["file"], case["series"]["column"])
        cases.append(run_case(case, series))

    doc = {
        "generated_by": (f"DO NOT EDIT: generated by scripts/reference/event_study.py "
                         f"(numpy {np.__version__}, pandas {pd.__version__}, "
                         f"scipy {scipy.__version__})"),
        "cases": cases,
    }
    assert_finite(doc)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(doc, indent=1, ensure_ascii=False, allow_nan=False) + "\n")

    for c in cases:
        a = c["aggregate"]
        print(f"{c['name']}: N={a['n']} CAAR={100 * a['caar']:.4f}% t_cs={a['t_cs']:.4f} "
              f"patell={a['patell_z']:.4f} bmp={a['bmp_t']:.4f} kp={a['kp_t']:.4f} "
              f"(rbar={a['kp_rbar']:.4f}) rank={a['rank_z']:.4f} sign_z={a['sign_z']:.4f} "
              f"(w={a['sign_w']}, p_hat={a['sign_p_hat']:.4f}) "
              f"skipped={[s.get('id', s['event_date']) for s in c['skipped']]}")
    for pa, pb, d in ACCEPTED_NEAR_TIES:
        print(f"accepted near-tie (RESOLUTION 8): {pa[0]!r} -> {pa[1]!r} and {pb[0]!r} -> "
              f"{pb[1]!r}, AR gap {d:.3g}")
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
