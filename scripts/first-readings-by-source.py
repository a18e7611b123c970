#!/usr/bin/env python3
"""The rules' stored first readings, pooled by the kind of source each ad was taken from.

Reads datasets/data/ads/first_readings.jsonl (each held-out ad's codes as the grammar frozen
before its round found them; see scripts/first-readings.py) against the labels in
datasets/data/ads/ads.jsonl and prints, per language, kind of source (`source_kind`: lenders'
own pages, news reports, regulators' notices, enforcement actions, advertising rulings) and
code, the true, false and missed readings with precision and recall, as the Markdown table of
models/README.md ("By kind of source"). tests/marketing_claims.rs recomputes the table from the
same files and checks the README's copy, so the table cannot drift from the stored readings.

    scripts/first-readings-by-source.py
"""

import json
import sys
from collections import defaultdict

CORPUS = "datasets/data/ads/ads.jsonl"
STORED = "datasets/data/ads/first_readings.jsonl"
CODES = ["MK-NO-APR", "MK-PERIODIC-RATE", "MK-INDUCEMENT", "MK-VULNERABLE-TARGET", "MK-NO-RISK-WARNING"]
KINDS = ["lender_page", "news", "regulator", "enforcement", "advertising_ruling"]
BAR = 0.85


def ratio(a, b):
    """A precision or recall to two places, in bold under the bar; '-' with nothing to count."""
    if b == 0:
        return "-"
    v = a / b
    text = f"{v:.2f}"
    return f"**{text}**" if v < BAR else text


def main():
    with open(CORPUS, encoding="utf-8") as f:
        labels = {ad["id"]: ad for ad in map(json.loads, f)}
    counts = defaultdict(lambda: [0, 0, 0])  # (language, kind, code) -> TP, FP, FN
    ads = defaultdict(int)  # (language, kind) -> ads
    with open(STORED, encoding="utf-8") as f:
        for reading in map(json.loads, f):
            ad = labels.get(reading["id"])
            if ad is None:
                sys.exit(f"{STORED}: {reading['id']} is not in {CORPUS}")
            key = (ad["language"], ad["source_kind"])
            ads[key] += 1
            expected, found = set(ad["codes"]), set(reading["found"])
            for code in CODES:
                at = 0 if code in expected and code in found else 1 if code in found else 2 if code in expected else None
                if at is not None:
                    counts[key + (code,)][at] += 1
    print("| language | kind of source | ads | code | TP | FP | FN | precision | recall |")
    print("|---|---|---|---|---|---|---|---|---|")
    for language in ["en", "zh"]:
        for kind in KINDS:
            if not ads[(language, kind)]:
                continue
            first = True
            for code in CODES:
                tp, fp, fn = counts[(language, kind, code)]
                if tp + fp + fn == 0:
                    continue
                head = [language, kind, str(ads[(language, kind)])] if first else ["", "", ""]
                first = False
                cells = head + [code, str(tp), str(fp), str(fn), ratio(tp, tp + fp), ratio(tp, tp + fn)]
                print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
