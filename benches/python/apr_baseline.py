"""Python baseline for the `apr_many` bench: what a Python analyst would write.

Builds the same loans as `finrisk_benches::sample_loans` (see benches/src/lib.rs), computes each
schedule in plain Python with the same rounding, and the monthly IRR with numpy-financial's irr,
then prints loans per second. Run with the test venv:

    scripts/python-env.sh && .venv-test/bin/python benches/python/apr_baseline.py 10000
"""
import sys
import time

import numpy_financial as npf

METHODS = ["equal_installment", "equal_principal", "interest_only", "bullet"]


def rnd(x: float) -> int:
    # half away from zero, like Rust's f64::round
    return int(x + 0.5) if x >= 0 else -int(-x + 0.5)


def loan(k: int):
    k32 = k % 1_000_000
    return (100_000 + 1_000 * k32, 3 + k32 % 34, METHODS[k % 4], (k32 % 30) / 100.0, (k32 % 7) / 1000.0)


def flows_of(p: int, n: int, method: str, rate: float, fee_rate: float):
    i = rate / 12.0
    fee = rnd(fee_rate * p)
    if method == "equal_installment":
        level = rnd(p * i / (1 - (1 + i) ** -n)) if i > 0 else rnd(p / n)
    part = rnd(p / n)
    bal = p
    flows = [float(p)]
    for k in range(1, n + 1):
        last = k == n
        if method == "equal_installment":
            interest = rnd(bal * i)
            prin = bal if last else min(max(level - interest, 0), bal)
        elif method == "equal_principal":
            interest = rnd(bal * i)
            prin = bal if last else min(part, bal)
        elif method == "interest_only":
            interest = rnd(p * i)
            prin = bal if last else 0
        else:
            interest = rnd(p * i * n) if last else 0
            prin = bal if last else 0
        f = fee * n if (method == "bullet" and last) else (0 if method == "bullet" else fee)
        bal -= prin
        flows.append(-float(prin + interest + f))
    return flows


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    loans = [loan(k) for k in range(count)]
    start = time.perf_counter()
    total = 0.0
    for p, n, method, rate, fee_rate in loans:
        r = npf.irr(flows_of(p, n, method, rate, fee_rate))
        total += 12 * r
    elapsed = time.perf_counter() - start
    print(f"loans={count} seconds={elapsed:.3f} loans_per_second={count / elapsed:.0f} mean_apr_nominal={total / count:.6f}")


if __name__ == "__main__":
    main()
