#!/usr/bin/env bash
# The project's test command (README "Run the tests"; .ci/run runs exactly this):
# prepares the Python environment of the cross-check tests, then runs cargo test on the whole
# workspace. Extra arguments go to cargo test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/python-env.sh
export FINRISK_PYTHON="$PWD/.venv-test/bin/python"
cargo test --workspace "$@"
