#!/usr/bin/env python3
"""The rules' first reading of every held-out ad, rebuilt from the repository's history, and
what the rules and the round-by-round text model give together.

Each collection round N of datasets/data/ads/ads.jsonl was read first with the claim grammar
frozen before it: the rules/marketing/*.toml of the parent of the commit that added round N's
ads. This script takes those files from git, reads round N with them (`finrisk eval-ads
--grammar ...`, today's engine), and keeps each ad's codes. It then pools, per language and
code, three readers over the same ads:

- rules: the grammar frozen before the ad's round (its first reading, rebuilt);
- model: `finrisk eval-ad-model --format json` (each round read by a text model trained on the
  rounds before it alone), given with --model-json;
- either: a code found by the rules or flagged by the model.

The rebuilt rule counts are compared round by round with the rows recorded in
models/README.md when each round was read: they differ where the engine's code (not the
grammar) changed after the round, and the script lists every such round.

With --store, each ad's first reading is kept in datasets/data/ads/first_readings.jsonl (one line
per ad: its id, round, language, the grammar versions that read it and the codes found), for
every round whose rebuilt counts match the recorded rows and that the file does not hold yet;
rows already stored are never rewritten, so a later change to the engine cannot alter them.
tests/marketing_claims.rs sums the stored readings against the labels and checks them against
the rounds table.

    finrisk eval-ad-model --format json > rolling.json      # about 10 min in a debug build
    scripts/first-readings.py --model-json rolling.json [--binary target/debug/finrisk] [--store]
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import defaultdict

CORPUS = "datasets/data/ads/ads.jsonl"
STORED = "datasets/data/ads/first_readings.jsonl"
CODES = ["MK-INDUCEMENT", "MK-NO-APR", "MK-NO-RISK-WARNING", "MK-PERIODIC-RATE", "MK-VULNERABLE-TARGET"]


def git(*args):
    return subprocess.run(["git", *args], check=True, capture_output=True, text=True).stdout


def batch_commit(n):
    """The first commit whose corpus holds an ad of round n."""
    out = git("log", "--reverse", "--format=%H", f"-S\"batch\": {n}}}", "--", CORPUS).split()
    if not out:
        sys.exit(f"round {n}: no commit adds it to {CORPUS}")
    return out[0]


def rules_first_reading(binary, n, workdir):
    """{id: codes found} for round n, read with the grammar frozen before it, and the versions."""
    parent = batch_commit(n) + "^"
    files = []
    for language in ("en", "zh"):
        path = os.path.join(workdir, f"{language}-{n}.toml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(git("show", f"{parent}:rules/marketing/{language}.toml"))
        files += ["--grammar", path]
    out = subprocess.run(
        [binary, "eval-ads", "--corpus", CORPUS, "--split", "all", "--batch", str(n), "--errors",
         "--format", "json", *files],
        check=True, capture_output=True, text=True).stdout
    report = json.loads(out)
    wrong = {e["id"]: e["found"] for e in report.get("errors", [])}
    return wrong, report["grammar_versions"]


def recorded_rows(readme="models/README.md"):
    """{(round, language, code): (tp, fp, fn)} from the rounds table of models/README.md."""
    rows, batch, language = {}, None, None
    for line in open(readme, encoding="utf-8"):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 10 or not re.fullmatch(r"MK-[A-Z-]+", cells[4]):
            continue
        if cells[0]:
            m = re.match(r"batch (\d+)", cells[0])
            batch = int(m.group(1)) if m else None
        if cells[2]:
            language = cells[2]
        if batch is not None:
            rows[(batch, language, cells[4])] = tuple(int(c) for c in cells[5:8])
    return rows


def store(per_ad, differing_rounds):
    """Appends to STORED the first readings of the rounds it does not hold yet, leaving out the
    rounds whose rebuilt counts differ from the recorded rows (their first reading is lost)."""
    held = set()
    if os.path.exists(STORED):
        with open(STORED, encoding="utf-8") as f:
            held = {json.loads(line)["batch"] for line in f if line.strip()}
    added = sorted({row["batch"] for row in per_ad} - held - differing_rounds)
    with open(STORED, "a", encoding="utf-8") as f:
        for row in per_ad:
            if row["batch"] in added:
                f.write(json.dumps({"id": row["id"], "batch": row["batch"], "language": row["language"],
                                    "grammar": row["grammar"], "found": row["rules"]},
                                   ensure_ascii=False) + "\n")
    print(f"stored the first readings of {len(added)} rounds in {STORED}"
          + (f"; not stored (rebuilt counts differ from the recorded rows): "
             f"{', '.join(str(n) for n in sorted(differing_rounds - held))}" if differing_rounds - held else ""))


def figures(c):
    p = c[0] / (c[0] + c[1]) if c[0] + c[1] else None
    r = c[0] / (c[0] + c[2]) if c[0] + c[2] else None
    return p, r


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model-json", required=True, help="output of `finrisk eval-ad-model --format json`")
    ap.add_argument("--binary", default="target/debug/finrisk")
    ap.add_argument("--per-ad", help="also write every ad's three readings here (JSON lines)")
    ap.add_argument("--store", action="store_true",
                    help=f"add the rules' first readings of rounds not yet stored to {STORED}")
    args = ap.parse_args()
    with open(args.model_json, encoding="utf-8") as f:
        rolling = json.load(f)
    ads = {}
    with open(CORPUS, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                a = json.loads(line)
                ads[a["id"]] = a
    recorded = recorded_rows()
    pooled = {k: defaultdict(lambda: [0, 0, 0]) for k in ("rules", "model", "either")}
    differing = []
    per_ad = []
    with tempfile.TemporaryDirectory() as workdir:
        for rnd in rolling["rounds"]:
            n = rnd["batch"]
            wrong, versions = rules_first_reading(args.binary, n, workdir)
            rebuilt = defaultdict(lambda: [0, 0, 0])
            for reading in rnd["ads"]:
                ad = ads[reading["id"]]
                expected = set(reading["expected"])
                rules = set(wrong.get(reading["id"], ad["codes"]))
                model = set(reading["flagged"])
                readers = {"rules": rules, "model": model, "either": rules | model}
                for code in CODES:
                    truth = code in expected
                    for name, found in readers.items():
                        hit = code in found
                        if truth or hit:
                            pooled[name][(ad["language"], code)][0 if truth and hit else 1 if hit else 2] += 1
                    if truth or code in rules:
                        rebuilt[(ad["language"], code)][0 if truth and code in rules else 1 if code in rules else 2] += 1
                per_ad.append({"id": reading["id"], "batch": n, "language": ad["language"],
                               "expected": sorted(expected), "rules": sorted(rules & set(CODES)),
                               "model": sorted(model), "grammar": versions})
            for (language, code), c in rebuilt.items():
                if recorded.get((n, language, code), (0, 0, 0)) != tuple(c):
                    differing.append((n, language, code, recorded.get((n, language, code)), tuple(c)))
            for (r_n, language, code), c in recorded.items():
                if r_n == n and (language, code) not in rebuilt and c != (0, 0, 0):
                    differing.append((n, language, code, c, (0, 0, 0)))
    if args.store:
        store(per_ad, {d[0] for d in differing})
    if args.per_ad:
        with open(args.per_ad, "w", encoding="utf-8") as f:
            for row in per_ad:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
    rounds = [r["batch"] for r in rolling["rounds"]]
    print(f"rounds {rounds[0]} to {rounds[-1]} ({len(rounds)} rounds, {len(per_ad)} ads), "
          f"model: {rolling['tokens']}, probability 0.5")
    print("language  code                  reader   tp   fp   fn  precision  recall")
    fmt = lambda v: "-" if v is None else f"{v:.3f}"
    for language in ("en", "zh"):
        for code in CODES:
            for name in ("rules", "model", "either"):
                c = pooled[name][(language, code)]
                p, r = figures(c)
                print(f"{language:<9} {code:<21} {name:<7} {c[0]:>4} {c[1]:>4} {c[2]:>4}  {fmt(p):>9}  {fmt(r):>6}")
    print(f"rounds whose rebuilt rule counts differ from the recorded first reading: {len(differing)} rows")
    for n, language, code, was, now in differing:
        print(f"  round {n} {language} {code}: recorded {was}, rebuilt {now}")


if __name__ == "__main__":
    main()
