"""Independent IRR for the APR cross-check test (tests/irr_crosscheck_numpy.rs).

Reads a JSON list of cash-flow lists (borrower's view: +received, then -payments, monthly) from
the file named on the command line and prints a JSON list of monthly IRRs computed by
numpy-financial's irr (eigenvalues of the companion matrix: a different algorithm from finrisk's
bracketed Brent solver). Prints null where numpy-financial finds no rate.
"""
import json
import math
import sys

import numpy_financial as npf


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as f:
        loans = json.load(f)
    out = []
    for flows in loans:
        r = float(npf.irr(flows))
        out.append(None if math.isnan(r) else r)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
