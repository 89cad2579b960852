#!/usr/bin/env python3
"""Wall time of `aurum report` on a fresh home, repeated (as hyperfine does).

Each run gets a new empty home, so it includes seeding the store and the track record, as
the README's main command does on a fresh machine.

    cargo build --release -p aurum
    python3 scripts/bench/report.py [--runs 5] [--bin target/release/aurum] [--warm]

--warm keeps one home for all runs (after one unmeasured run): the time of a report whose
track record is already in the store.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--bin", default=os.path.join(ROOT, "target/release/aurum"))
    ap.add_argument(
        "--scenario", default=os.path.join(ROOT, "examples/us-nato-exit-2025-02-18.toml")
    )
    ap.add_argument("--warm", action="store_true", help="one home, after an unmeasured run")
    a = ap.parse_args()
    if not os.path.exists(a.bin):
        print(f"{a.bin} not found: cargo build --release -p aurum", file=sys.stderr)
        return 2
    shared = tempfile.mkdtemp(prefix="aurum-bench-home-") if a.warm else None

    def once() -> float:
        home = shared or tempfile.mkdtemp(prefix="aurum-bench-home-")
        out = tempfile.mkdtemp(prefix="aurum-bench-out-")
        env = dict(os.environ, AURUM_HOME=home, HOME=home)
        t = time.perf_counter()
        r = subprocess.run(
            [a.bin, "report", a.scenario, "--out", out, "--quiet"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        dt = time.perf_counter() - t
        shutil.rmtree(out, ignore_errors=True)
        if not shared:
            shutil.rmtree(home, ignore_errors=True)
        if r.returncode != 0:
            sys.exit(f"aurum report failed ({r.returncode}): {r.stderr.strip()}")
        return dt

    if a.warm:
        once()
    times = [once() for _ in range(a.runs)]
    if shared:
        shutil.rmtree(shared, ignore_errors=True)
    mean = statistics.mean(times)
    sd = statistics.stdev(times) if len(times) > 1 else 0.0
    kind = "warm home" if a.warm else "fresh home"
    print(f"aurum report ({kind}, {a.runs} runs, {os.cpu_count()} CPUs)")
    print(f"  Time (mean ± σ):  {mean:6.3f} s ± {sd:.3f} s")
    print(f"  Range (min … max): {min(times):6.3f} s … {max(times):.3f} s")
    print(f"  Median:            {statistics.median(times):6.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
