"""Python baseline for the `apr_many` bench: what a Python analyst would write.

Builds the same loans as `finrisk_benches::sample_loans` (see benches/src/lib.rs), computes each
schedule in plain Python with the same rounding, and the monthly IRR with numpy-financial's irr,
then prints loans per second. Run with the test venv:

    scripts/python-env.sh && .venv-test/bin/python benches/python/apr_baseline.py 10000
"""
import sys
import time
from pathlib import Path

import numpy_financial as npf

METHODS = ["equal_installment", "equal_principal", "interest_only", "bullet"]


# The schedule is built by the same Python code as the APR cross-check test
# (scripts/crosscheck_irr.py): one independent implementation of domain.md's rounding rule.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from crosscheck_irr import flows_of as schedule_flows  # noqa: E402


def loan(k: int):
    k32 = k % 1_000_000
    return (100_000 + 1_000 * k32, 3 + k32 % 34, METHODS[k % 4], (k32 % 30) / 100.0, (k32 % 7) / 1000.0)


def flows_of(p: int, n: int, method: str, rate: float, fee_rate: float):
    return schedule_flows(p, n, method, rate, fee_rate, 0, 0)


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
