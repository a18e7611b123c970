#!/usr/bin/env bash
# One gRPC load run as BENCHMARKS.md reports it ("One event loop per thread", "A load generator
# with one event loop per thread"): a fresh `finrisk serve` on a loopback port, then a load
# generator with 32 calls in flight on 4 connections for SECONDS, and one JSON line with the
# calls per second, latency percentiles and the server's and the client's CPU per call.
#   scripts/grpc-bench.sh load-test|h2load health|score_case [SECONDS] [SERVER] [CLIENT]
# SERVER is the `finrisk` that serves (default target/release/finrisk); CLIENT the `finrisk`
# whose `load-test` drives the load (default: SERVER). h2load is Debian's nghttp2-client; its
# first second is a warm-up, left out of its count, of the latencies and (times 5/6 for a
# 5-second run) of the CPU figures. Server CPU is read from /proc/PID/stat before and after the
# run, the client's from its resource usage when it exits.
set -euo pipefail
cd "$(dirname "$0")/.."
usage="usage: scripts/grpc-bench.sh load-test|h2load health|score_case [SECONDS] [SERVER] [CLIENT]"
generator=${1:?$usage}
rpc=${2:?$usage}
seconds=${3:-5}
server=${4:-target/release/finrisk}
client=${5:-$server}
case "$rpc" in
  health) path=/grpc.health.v1.Health/Check; load_rpc=health ;;
  score_case) path=/finrisk.v1.RiskAssessment/ScoreCase; load_rpc=score-case ;;
  *) echo "$usage" >&2; exit 2 ;;
esac
case "$generator" in
  load-test) ;;
  h2load) command -v h2load >/dev/null || { echo "h2load not found (Debian: apt-get install nghttp2-client)" >&2; exit 2; } ;;
  *) echo "$usage" >&2; exit 2 ;;
esac
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { echo "SECONDS: a whole number of seconds, 1 or more" >&2; exit 2; }
for bin in "$server" "$client"; do
  [ -x "$bin" ] || { echo "$bin: not an executable (build it: cargo build --release)" >&2; exit 2; }
done
work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
FINRISK_LOG=warn "$server" serve --addr "127.0.0.1:$port" --database "$work/review.db" >"$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
  grep -q 'listening on' "$work/serve.log" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
  sleep 0.1
done
ticks() { awk '{ print $14 + $15 }' "/proc/$server_pid/stat"; }
# Runs a command with its standard output into $1 and its user and system CPU into $1.time.
timed() {
  python3 -c 'import resource, subprocess, sys
done = subprocess.run(sys.argv[2:], stdout=open(sys.argv[1], "w"))
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
open(sys.argv[1] + ".time", "w").write(f"{usage.ru_utime} {usage.ru_stime}\n")
sys.exit(done.returncode)' "$@"
}
before=$(ticks)
if [ "$generator" = load-test ]; then
  timed "$work/out.json" "$client" load-test --addr "http://127.0.0.1:$port" \
    --rpc "$load_rpc" --in-flight 32 --connections 4 --seconds "$seconds"
else
  "$client" load-test --write-bodies "$work/bodies" >/dev/null
  timed "$work/out.txt" h2load -c 4 -m 8 -D "$seconds" --warm-up-time=1 \
    --log-file="$work/h2load.log" -d "$work/bodies/$rpc.grpc" -H 'content-type: application/grpc' \
    -H 'te: trailers' "http://127.0.0.1:$port$path"
fi
after=$(ticks)
python3 - "$generator" "$rpc" "$seconds" "$before" "$after" "$(getconf CLK_TCK)" "$work" <<'PY'
import json, re, sys
generator, rpc, seconds, before, after, tck, work = sys.argv[1:]
seconds, tck = float(seconds), float(tck)
server_cpu = (float(after) - float(before)) / tck
out = f"{work}/out.json" if generator == "load-test" else f"{work}/out.txt"
user, system = open(out + ".time").read().split()
client_cpu = float(user) + float(system)
if generator == "load-test":
    level = json.load(open(f"{work}/out.json"))["results"][0]
    calls, rate, errors = level["requests"], level["requests_per_second"], level["errors"]
    p50, p99 = level["p50_ms"], level["p99_ms"]
    share = 1.0
else:
    text = open(f"{work}/out.txt").read()
    calls = int(re.search(r"(\d+) succeeded", text).group(1))
    rate = float(re.search(r"([\d.]+) req/s", text).group(1))
    errors = int(re.search(r"(\d+) failed", text).group(1))
    rows = [line.split("\t") for line in open(f"{work}/h2load.log") if line.strip()]
    start = min(int(r[0]) for r in rows)
    # The warm-up second is not in h2load's count: leave it out of the latencies and the CPU.
    latencies = sorted(int(r[2]) for r in rows if int(r[0]) >= start + 1_000_000)
    q = lambda p: latencies[min(len(latencies) - 1, int(p * len(latencies)))] / 1000
    p50, p99 = q(0.50), q(0.99)
    share = seconds / (seconds + 1)
if calls == 0:
    sys.exit("no call succeeded")
print(json.dumps({
    "generator": generator, "rpc": rpc, "calls": calls, "calls_per_second": round(rate),
    "errors": errors, "p50_ms": round(p50, 3), "p99_ms": round(p99, 3),
    "server_cpu_us_per_call": round(server_cpu * share * 1e6 / calls, 1),
    "client_cpu_us_per_call": round(client_cpu * share * 1e6 / calls, 1),
}))
PY
