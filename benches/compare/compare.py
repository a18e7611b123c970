"""Checks that finrisk and the pandas + scikit-learn job found the same codes and PDs for every
grant, then prints wall time, peak memory and the ratio of each (from `/usr/bin/time -v`): the
median wall time and the largest peak memory over the rounds run.sh ran.

    python compare.py DIR      # DIR holds finrisk.parquet, python.parquet, finrisk.N.time, python.N.time
Exits 1 when any grant's codes differ or a PD differs by more than 1e-9.
"""
import glob
import json
import os
import re
import statistics
import sys

import pandas as pd


def timing(path):
    text = open(path).read()
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (.+)", text).group(1).strip()
    parts = [float(p) for p in wall.split(":")]
    seconds = sum(p * 60 ** k for k, p in enumerate(reversed(parts)))
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
    return seconds, rss_kb / 1024.0


def rounds(d, name):
    """Median wall time, largest peak RSS and every wall time of the job's rounds."""
    runs = [timing(p) for p in sorted(glob.glob(f"{d}/{name}.*.time"))]
    if not runs:
        sys.exit(f"no {name}.N.time files in {d}: run benches/compare/run.sh")
    walls = [w for w, _ in runs]
    return statistics.median(walls), max(m for _, m in runs), walls


def codes(text):
    return frozenset(c for c in (text or "").split(";") if c)


def main():
    d = sys.argv[1]
    rust = pd.read_parquet(f"{d}/finrisk.parquet", columns=["grant_id", "pd", "findings"])
    py = pd.read_parquet(f"{d}/python.parquet")
    both = rust.merge(py, on="grant_id", suffixes=("_finrisk", "_python"), validate="one_to_one")
    rows = len(both)
    assert rows == len(rust) == len(py), (rows, len(rust), len(py))
    a = both["findings_finrisk"].map(codes)
    b = both["findings_python"].map(codes)
    differ = both[a != b]
    pd_diff = float((both["pd_finrisk"] - both["pd_python"]).abs().max())
    flagged = sum(len(c) for c in a)
    (fr_s, fr_mb, fr_all), (py_s, py_mb, py_all) = rounds(d, "finrisk"), rounds(d, "python")
    print(f"grants compared: {rows:,}; codes found by finrisk: {flagged:,}; "
          f"grants whose codes differ: {len(differ):,}; largest PD difference: {pd_diff:.2e}")
    if len(differ):
        print(differ.head(10).to_string())
    print()
    print(f"rounds: {len(fr_all)}; finrisk {', '.join(f'{w:.2f}' for w in fr_all)} s; "
          f"python {', '.join(f'{w:.2f}' for w in py_all)} s")
    print("| implementation | wall time (median) | peak RSS (largest) |")
    print("|---|---|---|")
    profile = os.environ.get("FINRISK_PROFILE", "release")
    print(f"| finrisk batch ({profile}) | {fr_s:.2f} s | {fr_mb:,.0f} MB |")
    print(f"| pandas + scikit-learn | {py_s:.2f} s | {py_mb:,.0f} MB |")
    print(f"| ratio (Python / finrisk) | {py_s / fr_s:.1f}x | {py_mb / fr_mb:.1f}x |")
    json.dump({"rows": rows, "differing_grants": len(differ), "max_pd_difference": pd_diff,
               "finrisk": {"seconds": fr_s, "peak_rss_mb": fr_mb, "rounds": fr_all},
               "python": {"seconds": py_s, "peak_rss_mb": py_mb, "rounds": py_all},
               "speedup": py_s / fr_s}, open(f"{d}/comparison.json", "w"), indent=2)
    sys.exit(1 if len(differ) or pd_diff > 1e-9 else 0)


if __name__ == "__main__":
    main()
