#!/usr/bin/env bash
# The review store under load (BENCHMARKS.md, "Review loop under load"): a release
# `finrisk serve` on a fresh store, then `finrisk load-test --rpc review` with CLIENTS clients
# (one HTTP/2 connection and one call in flight each) for SECONDS, which afterwards reads every
# acknowledged submission's audit trail back (no event lost, none duplicated).
#   scripts/review-load.sh sqlite|postgres [SECONDS] [CLIENTS] [BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
store=${1:?usage: scripts/review-load.sh sqlite|postgres [SECONDS] [CLIENTS] [BINARY]}
seconds=${2:-30}
clients=${3:-64}
bin=${4:-target/release/finrisk}
work=$(mktemp -d)
pg_dir=$(mktemp -d)   # its own directory: PostgreSQL's user must reach it
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ "$store" = postgres ]; then scripts/postgres.sh stop "$pg_dir" || true; fi
  rm -rf "$work" "$pg_dir"
}
trap cleanup EXIT
case "$store" in
  sqlite) database="$work/review.db" ;;
  postgres)
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    admin=$(scripts/postgres.sh start "$pg_dir" "$port")
    psql "$admin" -qc "CREATE DATABASE review_load" >/dev/null
    database="${admin%/postgres}/review_load"
    ;;
  *) echo "usage: scripts/review-load.sh sqlite|postgres [SECONDS] [CLIENTS] [BINARY]" >&2; exit 2 ;;
esac
"$bin" serve --addr 127.0.0.1:0 --database "$database" 2> "$work/serve.log" &
server_pid=$!
for _ in $(seq 1 100); do
  addr=$(sed -n 's/^finrisk: listening on \([^ ]*\).*/\1/p' "$work/serve.log")
  if [ -n "$addr" ]; then break; fi
  sleep 0.1
done
if [ -z "${addr:-}" ]; then cat "$work/serve.log" >&2; exit 1; fi
"$bin" load-test --addr "http://$addr" --rpc review --in-flight "$clients" --connections "$clients" --seconds "$seconds"
