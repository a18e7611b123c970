#!/usr/bin/env bash
# Soak test, bounded in time and on loopback only: starts `finrisk serve` (release build), holds
# ScoreCase calls at IN_FLIGHT requests in flight for SECONDS, samples the server's resident
# memory every 5 s, and fails if memory after the load's first 20 s grew by more than 10%
# (+16 MB) by the end, or if any call failed.
#   scripts/soak.sh [SECONDS=300] [IN_FLIGHT=32]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-300}
in_flight=${2:-32}
cargo build --release --quiet
bin=target/release/finrisk
log=$(mktemp)
samples=$(mktemp)
result=$(mktemp)
"$bin" serve --addr 127.0.0.1:0 2> "$log" &
server=$!
trap 'kill "$server" 2> /dev/null || true; rm -f "$log" "$samples" "$result"' EXIT
addr=""
for _ in $(seq 1 100); do
  addr=$(sed -n 's/^finrisk: listening on \([^ ]*\).*/\1/p' "$log" | head -1)
  [ -n "$addr" ] && break
  sleep 0.1
done
[ -n "$addr" ] || { echo "soak: the server did not start" >&2; cat "$log" >&2; exit 1; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$server/status"; }
echo "soak: server $server on $addr; ScoreCase at $in_flight in flight for ${seconds}s"
(
  start=$(date +%s)
  while kill -0 "$server" 2> /dev/null; do
    echo "$(( $(date +%s) - start )) $(rss_kb)" >> "$samples"
    sleep 5
  done
) &
sampler=$!
"$bin" load-test --addr "http://$addr" --rpc score-case --in-flight "$in_flight" \
  --connections 4 --seconds "$seconds" > "$result"
kill "$sampler" 2> /dev/null || true
python3 - "$samples" "$result" <<'PY'
import json, sys
samples = [tuple(map(int, line.split())) for line in open(sys.argv[1]) if len(line.split()) == 2]
r = json.load(open(sys.argv[2]))["results"][0]
warm = next((kb for t, kb in samples if t >= 20), samples[0][1])
end = samples[-1][1]
peak = max(kb for _, kb in samples)
print(f"requests: {r['requests']:,} ({r['requests_per_second']:,.0f}/s), errors: {r['errors']}, "
      f"p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms")
print(f"server RSS: {samples[0][1] / 1024:.1f} MB at start, {warm / 1024:.1f} MB after 20 s, "
      f"{end / 1024:.1f} MB at the end, {peak / 1024:.1f} MB peak ({len(samples)} samples)")
grew = end > warm * 1.10 + 16 * 1024
if r["errors"] or grew:
    print("soak: FAILED" + (" (errors)" if r["errors"] else "") + (" (memory grew)" if grew else ""))
    sys.exit(1)
print("soak: passed")
PY
