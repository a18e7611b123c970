"""Python baseline for the `pd_default/pd` bench: the same scorecard scored with numpy.

Reads the default PD model's artifact (models/artifacts/pd_lending_club_grants_v1.json), maps
LendingClub 2007-2011 to the engine's grant columns exactly as the Rust loader does, tiles the
rows to 1,000,000 and scores them the way a Python analyst would: one vectorised
`np.searchsorted` per characteristic, a WoE lookup, a weighted sum and the logistic function.
Prints the mean PD (compare with `finrisk eval --model default --dataset lending_club_grants`)
and rows per second (best of 3, after a warm-up). Run with the test venv:

    scripts/python-env.sh && .venv-test/bin/python benches/python/pd_baseline.py
"""
import csv
import json
import os
import sys
import time

import numpy as np

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
ARTIFACT = os.path.join(ROOT, "models", "artifacts", "pd_lending_club_grants_v1.json")
DATA = os.path.join(ROOT, "..", "shared", "datasets", "lending_club", "lending_club_2007_2011.csv")


def num(s):
    return float(s) if s.strip() != "" else float("nan")


def rnd(x):
    # half away from zero, like Rust's f64::round
    return float(np.sign(x) * np.floor(abs(x) + 0.5)) if x == x else x


def load_columns():
    cols = {k: [] for k in ["monthly_income_minor", "dti", "inquiries_6m", "open_lines",
                            "delinquencies_2y", "revolving_utilization", "principal_minor",
                            "term_months", "apr", "income_verified"]}
    with open(DATA, newline="") as f:
        for r in csv.DictReader(f):
            cols["monthly_income_minor"].append(rnd(num(r["annual_inc"]) / 12.0 * 100.0))
            cols["dti"].append(num(r["dti"]) / 100.0)
            cols["inquiries_6m"].append(num(r["inq_last_6mths"]))
            cols["open_lines"].append(num(r["open_acc"]))
            cols["delinquencies_2y"].append(num(r["delinq_2yrs"]))
            cols["revolving_utilization"].append(num(r["revol_util"]))
            cols["principal_minor"].append(rnd(num(r["funded_amnt"]) * 100.0))
            cols["term_months"].append(num(r["term"]))
            cols["apr"].append(num(r["int_rate"]))
            v = r["verification_status"].strip()
            cols["income_verified"].append(float("nan") if v == "" else (0.0 if v == "Not Verified" else 1.0))
    return {k: np.array(v, dtype=np.float64) for k, v in cols.items()}


def main():
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    model = json.load(open(ARTIFACT))
    card = model["estimator"]
    base = load_columns()
    n = len(base["apr"])
    idx = np.arange(rows) % n
    X = {k: v[idx] for k, v in base.items()}
    tables = []
    for b, w in zip(card["binnings"], card["logistic"]["weights"]):
        woe = np.array([bin_["woe"] for bin_ in b["bins"]]) * w
        tables.append((b["name"], np.array(b["upper_edges"], dtype=np.float64), woe, len(b["bins"]) - 1))
    intercept = card["logistic"]["intercept"]

    def score():
        margin = np.full(rows, intercept)
        for name, edges, woe, missing in tables:
            x = X[name]
            k = np.searchsorted(edges, x, side="left")
            k[np.isnan(x)] = missing
            margin += woe[k]
        return 1.0 / (1.0 + np.exp(-margin))

    score()
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        pd_ = score()
        best = min(best, time.perf_counter() - t)
    print(json.dumps({"rows": rows, "seconds": best, "rows_per_second": rows / best,
                      "mean_pd_first_pass": float(pd_[:n].mean()), "numpy": np.__version__}))


if __name__ == "__main__":
    main()
