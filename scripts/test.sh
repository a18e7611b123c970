#!/usr/bin/env bash
# The project's test command (README "Run the tests"; .ci/run runs exactly this):
# prepares the Python environment of the cross-check tests, then runs cargo test on the whole
# workspace and closes with one summary line "tests: N passed, N failed". Extra arguments go
# to cargo test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/python-env.sh
export FINRISK_PYTHON="$PWD/.venv-test/bin/python"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
cargo test --workspace "$@" 2>&1 | tee "$log" || status=$?
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
