"""Independent schedules and IRRs for the APR cross-check test (tests/irr_crosscheck_numpy.rs).

Reads a JSON list of loan terms from the file named on the command line, each
[principal_minor, term_months, repayment, nominal_annual_rate, monthly_fee_rate,
upfront_fee_minor, monthly_fixed_fee_minor]. For each loan it builds the borrower's monthly cash
flows here, from the terms alone (not from finrisk's schedule), with the rounding rule of
shared/domain.md section 7: every amount rounded to the minor unit, half away from zero, and the
last payment absorbing the residual principal. It then computes the monthly IRR with
numpy-financial's irr (eigenvalues of the companion matrix: a different algorithm from finrisk's
bracketed Brent solver). Prints a JSON list of {"flows": [...], "irr": r or null}.
"""
import json
import math
import sys

import numpy_financial as npf


def rnd(x: float) -> int:
    """Half away from zero to the minor unit."""
    return int(math.floor(x + 0.5)) if x >= 0 else -int(math.floor(-x + 0.5))


def flows_of(p, n, method, rate, fee_rate, upfront, fixed):
    i = rate / 12.0
    monthly_fee = rnd(fee_rate * p)
    if method == "equal_installment":
        level = rnd(p * i / (1 - (1 + i) ** -n)) if i > 0 else rnd(p / n)
    part = rnd(p / n)
    balance = p
    flows = [float(p - upfront)]
    for k in range(1, n + 1):
        last = k == n
        if method == "equal_installment":
            interest = rnd(balance * i)
            principal = balance if last else min(max(level - interest, 0), balance)
        elif method == "equal_principal":
            interest = rnd(balance * i)
            principal = balance if last else min(part, balance)
        elif method == "interest_only":
            interest = rnd(p * i)
            principal = balance if last else 0
        elif method == "bullet":
            interest = rnd(p * i * n) if last else 0
            principal = balance if last else 0
        else:
            raise ValueError(f"unknown repayment {method}")
        if method == "bullet":
            fee = monthly_fee * n + fixed if last else fixed
        else:
            fee = monthly_fee + fixed
        balance -= principal
        flows.append(-float(principal + interest + fee))
    if balance != 0:
        raise ValueError(f"principal not repaid: {balance} left")
    return flows


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as f:
        loans = json.load(f)
    out = []
    for terms in loans:
        flows = flows_of(*terms)
        r = float(npf.irr(flows))
        out.append({"flows": flows, "irr": None if math.isnan(r) else r})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
