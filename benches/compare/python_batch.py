"""The grants batch job as a Python analyst would write it: pandas + scikit-learn.

Reads a grants Parquet file (SPEC section 4), and for every grant computes what
`finrisk batch --kind grants` computes, with the same rules and numbers:

- the default PD model: each characteristic cut into the scorecard's bins (`np.searchsorted` on
  the artifact's upper edges, missing values in the missing bin), replaced by its WoE, and a
  scikit-learn `LogisticRegression` carrying the artifact's coefficients and intercept;
- the grant-level rules of the CN ruleset (thresholds read from rules/cn.toml), RC-DTI-HIGH with
  the new loan's equal-instalment payment;
- duplicate credit: keys joined through shared phones and devices (scipy connected components
  over a key-phone-device graph), each person's grants self-joined to find the grants open on
  each grant date (institutions, exposure) and the overlapping grants at the same institution;
- RC-HIGH-PD above the ruleset's threshold.

Writes a Parquet file with `grant_id`, `pd` and `findings` (codes joined by `;`, sorted).

    python python_batch.py GRANTS.parquet OUT.parquet
"""
import json
import os
import sys
import time
import tomllib

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from sklearn.linear_model import LogisticRegression

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
ARTIFACT = os.path.join(ROOT, "models", "artifacts", "pd_lending_club_grants_v1.json")
RULES = os.path.join(ROOT, "rules", "cn.toml")


def thresholds():
    with open(RULES, "rb") as f:
        rules = tomllib.load(f)
    t = {code: spec.get("threshold") for code, spec in rules["codes"].items()}
    cap = next(c["rate"] for c in rules["caps"]["annual"] if "financial_loan" in c["causes"])
    return t, cap


def pd_of(df):
    """PD of every grant: WoE features and a LogisticRegression with the artifact's weights."""
    model = json.load(open(ARTIFACT))
    card = model["estimator"]
    names = [b["name"] for b in card["binnings"]]
    woe = np.empty((len(df), len(names)))
    for j, b in enumerate(card["binnings"]):
        x = df[b["name"]].to_numpy(dtype=np.float64, na_value=np.nan) if b["name"] in df else np.full(len(df), np.nan)
        k = np.searchsorted(np.asarray(b["upper_edges"], dtype=np.float64), x, side="left")
        k[np.isnan(x)] = len(b["bins"]) - 1
        woe[:, j] = np.asarray([bin_["woe"] for bin_ in b["bins"]])[k]
    lr = LogisticRegression()
    lr.classes_ = np.array([0, 1])
    lr.coef_ = np.asarray([card["logistic"]["weights"]], dtype=np.float64)
    lr.intercept_ = np.asarray([card["logistic"]["intercept"]], dtype=np.float64)
    lr.n_features_in_ = len(names)
    return lr.predict_proba(woe)[:, 1]


def days(series):
    """Dates (Parquet date or YYYY-MM-DD text) as days since 1970-01-01; missing as NaN."""
    return (pd.to_datetime(series).astype("datetime64[s]").astype("int64") // 86400).where(series.notna())


def persons(df):
    """Person id of every row: keys joined through shared phones and devices."""
    keys, key_codes = np.unique(df["borrower_key"].to_numpy(), return_inverse=True)
    n_keys = len(keys)
    rows, cols = [], []
    offset = n_keys
    for col in ("phone_hash", "device_hash"):
        present = df[col].notna().to_numpy()
        values, codes = np.unique(df.loc[present, col].to_numpy(), return_inverse=True)
        rows.append(key_codes[present])
        cols.append(codes + offset)
        offset += len(values)
    r = np.concatenate(rows)
    c = np.concatenate(cols)
    graph = coo_matrix((np.ones(len(r), dtype=np.int8), (r, c)), shape=(offset, offset))
    _, label = connected_components(graph, directed=False)
    key_label = label[:n_keys]
    # A person is named by its smallest key; keys are sorted, so the first key of each label.
    first_key = pd.Series(np.arange(n_keys)).groupby(key_label).transform("min").to_numpy()
    group_size = np.bincount(key_label)[key_label]
    return first_key[key_codes], group_size[key_codes] > 1


def duplicate_credit(df, as_of):
    """Per row: open institutions and open exposure on its date, and whether another grant of
    the same person at the same institution overlaps it."""
    g = pd.DataFrame({
        "row": np.arange(len(df)),
        "person": df["person"].to_numpy(),
        "t": df["t"].to_numpy(),
        "end": df["closed"].fillna(as_of).to_numpy(),
        "inst": df["institution_id"].to_numpy(),
        "principal": df["principal_minor"].to_numpy(),
        "order_id": df["grant_id"].to_numpy(),
    })
    pairs = g.merge(g, on="person", suffixes=("", "_o"))
    # Open on row's date: granted on or before it and not closed by then (the row itself always).
    open_ = ((pairs["t_o"] <= pairs["t"]) & (pairs["end_o"] > pairs["t"])) | (pairs["row_o"] == pairs["row"])
    opened = pairs[open_]
    exposure = opened.groupby("row")["principal_o"].sum()
    institutions = opened.groupby("row")["inst_o"].nunique()
    # Same institution, overlapping: the later grant (by date, then id) opens while the earlier
    # one is open, and is itself open past its opening day.
    later_first = (pairs["t"] > pairs["t_o"]) | ((pairs["t"] == pairs["t_o"]) & (pairs["order_id"] > pairs["order_id_o"]))
    ordered_overlap = later_first & (pairs["end_o"] > pairs["t"]) & (pairs["end"] > pairs["t"])
    earlier_first = (pairs["t_o"] > pairs["t"]) | ((pairs["t"] == pairs["t_o"]) & (pairs["order_id_o"] > pairs["order_id"]))
    reverse_overlap = earlier_first & (pairs["end"] > pairs["t_o"]) & (pairs["end_o"] > pairs["t_o"])
    concurrent = pairs[(pairs["inst"] == pairs["inst_o"]) & (pairs["row"] != pairs["row_o"]) & (ordered_overlap | reverse_overlap)]
    concurrent_rows = np.zeros(len(df), dtype=bool)
    concurrent_rows[concurrent["row"].unique()] = True
    return (
        institutions.reindex(g["row"]).to_numpy(),
        exposure.reindex(g["row"]).to_numpy(),
        concurrent_rows,
    )


def main():
    src, out = sys.argv[1], sys.argv[2]
    started = time.perf_counter()
    t, cap = thresholds()
    df = pd.read_parquet(src)
    df["t"] = days(df["granted_at"])
    df["closed"] = days(df["closed_at"])
    as_of = max(df["t"].max(), df["closed"].max())
    df["pd"] = pd_of(df)
    df["person"], shared = persons(df)
    open_institutions, exposure, concurrent = duplicate_credit(df, as_of)

    income = df["monthly_income_minor"].where(df["monthly_income_minor"] > 0)
    i = df["apr"] / 12.0
    n = df["term_months"].clip(lower=1).astype(float)
    payment = np.where(i <= 0, df["principal_minor"] / n,
                       df["principal_minor"] * i / (1.0 - (1.0 + i) ** (-n)))
    flags = {
        "RC-INCOME-UNVERIFIED": df["income_verified"].eq(0),
        "RC-DTI-HIGH": (df["dti"] + payment / income) > t["RC-DTI-HIGH"],
        "RC-LINE-TO-INCOME": (df["principal_minor"] / income) > t["RC-LINE-TO-INCOME"],
        "RC-STUDENT": df["is_student"].eq(1),
        "RC-MINOR": df["borrower_age"] < t["RC-MINOR"],
        "RC-ELDERLY": df["borrower_age"] > t["RC-ELDERLY"],
        "RC-BORROWER-CAP": df["principal_minor"] > t["RC-BORROWER-CAP"],
        "RC-COST-CAP": df["apr"] > cap,
        "RC-HIGH-PD": df["pd"] > t["RC-HIGH-PD"],
        "DC-MANY-LENDERS": (df["active_lenders"] >= t["DC-MANY-LENDERS"]) | (open_institutions >= t["DC-MANY-LENDERS"]),
        "DC-MANY-INQUIRIES": df["inquiries_30d"] >= t["DC-MANY-INQUIRIES"],
        "DC-NEW-WHILE-DELINQUENT": df["dpd_at_grant"] >= t["DC-NEW-WHILE-DELINQUENT"],
        "DC-LINE-UP-DELINQUENT": df["line_increased"].eq(1) & (df["dpd_at_grant"] > t["DC-LINE-UP-DELINQUENT"]),
        "DC-CONCURRENT-SAME-LENDER": pd.Series(concurrent),
        "DC-EXPOSURE-INCOME": pd.Series(exposure / income) > t["DC-EXPOSURE-INCOME"],
        "DC-SHARED-IDENTITY": pd.Series(shared),
    }
    codes = sorted(flags)
    matrix = np.column_stack([flags[c].fillna(False).to_numpy(dtype=bool) for c in codes])
    names = np.array(codes, dtype=object)
    findings = [";".join(names[row]) for row in matrix]
    pd.DataFrame({"grant_id": df["grant_id"], "pd": df["pd"], "findings": findings}).to_parquet(out, index=False)
    print(json.dumps({"rows": len(df), "seconds": time.perf_counter() - started,
                      "pandas": pd.__version__, "numpy": np.__version__}))


if __name__ == "__main__":
    main()
