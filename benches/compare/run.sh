#!/usr/bin/env bash
# Side by side: `finrisk batch --kind grants` and the same job in pandas + scikit-learn
# (python_batch.py), on the same generated Parquet file of ROWS grants (default 1,000,000).
# Checks that both find the same codes and PDs for every grant, then prints wall time, peak
# memory (median and largest of RUNS rounds, default 3) and the ratios. Needs only cargo and python3; installs the pinned Python packages
# into .venv-compare. Run from anywhere:  benches/compare/run.sh
# PROFILE=dist builds finrisk with the `dist` profile (fat LTO, one codegen unit: about 23
# minutes from clean on 2 cores, and about 6% faster; BENCHMARKS.md) instead of `release`.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS=${ROWS:-1000000}
DATA=target/compare/$ROWS
mkdir -p "$DATA"

PROFILE=${PROFILE:-release}
cargo build --profile "$PROFILE" --quiet
FINRISK=target/$PROFILE/finrisk
if [ ! -x .venv-compare/bin/python ]; then
  python3 -m venv .venv-compare
fi
.venv-compare/bin/pip install --quiet --disable-pip-version-check -r benches/compare/requirements.txt

if [ ! -f "$DATA/grants.parquet" ]; then
  "$FINRISK" generate --out "$DATA" --grants "$ROWS" --cases 10 --seed 42 > /dev/null
fi

# RUNS rounds (default 3), alternating the two jobs so that whatever else the machine does
# slows both alike; compare.py reports the median wall time and the largest peak memory.
RUNS=${RUNS:-3}
rm -f "$DATA"/finrisk.*.time "$DATA"/python.*.time
for run in $(seq 1 "$RUNS"); do
  echo "round $run of $RUNS: finrisk batch ..."
  /usr/bin/time -v "$FINRISK" batch --kind grants --input "$DATA/grants.parquet" \
    --output "$DATA/finrisk.parquet" --quiet > /dev/null 2> "$DATA/finrisk.$run.time"
  echo "round $run of $RUNS: pandas + scikit-learn ..."
  /usr/bin/time -v .venv-compare/bin/python benches/compare/python_batch.py \
    "$DATA/grants.parquet" "$DATA/python.parquet" > /dev/null 2> "$DATA/python.$run.time"
done
FINRISK_PROFILE=$PROFILE .venv-compare/bin/python benches/compare/compare.py "$DATA"
