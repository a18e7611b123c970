#!/usr/bin/env bash
# Alternated runs of two finrisk binaries on the same batch job, to time one change:
#   benches/compare/ab.sh BEFORE AFTER [RUNS] [-- extra batch options]
# Build the binary before the change, copy it away (cp target/release/finrisk /tmp/before),
# build the change, then run `benches/compare/ab.sh /tmp/before target/release/finrisk 3`.
# Each round runs BEFORE then AFTER on target/compare/$ROWS/grants.parquet (made by run.sh)
# and prints wall time, peak memory, user and system CPU; take the medians. Both outputs are
# kept (/tmp/ab-before.parquet, /tmp/ab-after.parquet) to check that they are identical.
set -euo pipefail
cd "$(dirname "$0")/../.."
BEFORE=$1
AFTER=$2
RUNS=${3:-3}
shift $(( $# < 3 ? $# : 3 ))
[ "${1:-}" = "--" ] && shift
DATA=target/compare/${ROWS:-1000000}/grants.parquet
[ -f "$DATA" ] || { echo "ab.sh: $DATA is missing: run benches/compare/run.sh once" >&2; exit 2; }
for run in $(seq 1 "$RUNS"); do
  for side in before after; do
    bin=$BEFORE
    [ "$side" = after ] && bin=$AFTER
    /usr/bin/time -f "round $run $side: %e s wall, %M KB peak, %U s user, %S s system" \
      "$bin" batch --kind grants --input "$DATA" --output "/tmp/ab-$side.parquet" --quiet "$@" \
      2>&1 >/dev/null | grep -v "^finrisk: batch: "
  done
done
