#!/usr/bin/env bash
# The project's test command (README "Run the tests"; .ci/run runs exactly this):
#   1. prepares .venv-test (numpy-financial for the IRR cross-check, grpcio for the client test);
#   2. starts a throwaway PostgreSQL (scripts/postgres.sh; Debian's package, installed if missing)
#      so that the review store's tests run on it as well as on SQLite, unless
#      FINRISK_TEST_POSTGRES already names one, and makes sure Debian's nginx is installed
#      (scripts/nginx.sh) for the test of two servers behind a load balancer;
#   3. runs `cargo test --workspace` (extra arguments go to it);
#   4. runs the real Python gRPC client against a real `finrisk serve`
#      (tests/python/grpc_client_test.py);
# and closes with one summary line "tests: N passed, N failed".
# The tests' scratch files (generated tables, stores, server configs: about half a gigabyte) go
# to one directory of this run (TMPDIR), removed when every test passed and kept, with its path
# printed, when one failed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/python-env.sh
export FINRISK_PYTHON="$PWD/.venv-test/bin/python"
log=$(mktemp)
pg_dir=""
scratch=""
status=0
cleanup() {
  rm -f "$log"
  if [ -n "$pg_dir" ]; then
    scripts/postgres.sh stop "$pg_dir" || true
    rm -rf "$pg_dir"
  fi
  if [ -n "$scratch" ]; then
    if [ "$status" -eq 0 ]; then
      rm -rf "$scratch"
    else
      echo "the tests' scratch files are kept in $scratch" >&2
    fi
  fi
}
trap cleanup EXIT
if [ -z "${FINRISK_TEST_POSTGRES:-}" ]; then
  pg_dir=$(mktemp -d)
  pg_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  FINRISK_TEST_POSTGRES=$(scripts/postgres.sh start "$pg_dir" "$pg_port")
  export FINRISK_TEST_POSTGRES
  echo "review store tests: PostgreSQL at $FINRISK_TEST_POSTGRES"
fi
if [ -z "${FINRISK_TEST_NGINX:-}" ]; then
  FINRISK_TEST_NGINX=$(scripts/nginx.sh)
  export FINRISK_TEST_NGINX
fi
scratch=$(mktemp -d "${TMPDIR:-/tmp}/finrisk-tests.XXXXXX")
export TMPDIR="$scratch"
cargo test --workspace "$@" 2>&1 | tee "$log" || status=$?
if [ -x target/debug/finrisk ]; then
  "$FINRISK_PYTHON" tests/python/grpc_client_test.py target/debug/finrisk 2>&1 | tee -a "$log" || status=1
else
  echo "python grpc client: 0 passed, 1 failed (target/debug/finrisk was not built)" | tee -a "$log"
  status=1
fi
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     /^python grpc client:/ { p += $4; f += $6 }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
