#!/usr/bin/env bash
# Instructions per ad, as BENCHMARKS.md reports the ad bench against issue 19's 2x bar
# ("Amounts in other currencies"): `ad_calls` (engine/examples/ad_calls.rs) run under
# `valgrind --tool=callgrind` with N and 2N calls of `assess_ad`; the difference of the two
# totals divided by N leaves out loading the grammar and the rest both runs share.
#   scripts/ad-instructions.sh bench|corpus [N] [AD_CALLS]
# bench: the criterion bench's 65-character ad, N calls (default 1000); corpus: N passes over
# every ad of datasets/data/ads/ads.jsonl (default 1), per ad. AD_CALLS is the binary (default:
# built here, release, engine only, in target/ad-calls). Prints one JSON line.
set -euo pipefail
cd "$(dirname "$0")/.."
usage="usage: scripts/ad-instructions.sh bench|corpus [N] [AD_CALLS]"
input=${1:?$usage}
case "$input" in bench) n=${2:-1000} ;; corpus) n=${2:-1} ;; *) echo "$usage" >&2; exit 2 ;; esac
[[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "N: a whole number, 1 or more" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "valgrind not found (Debian: apt-get install valgrind)" >&2; exit 2; }
bin=${3:-}
if [[ -z "$bin" ]]; then
  CARGO_TARGET_DIR=target/ad-calls cargo build --quiet --release -p finrisk-engine --example ad_calls
  bin=target/ad-calls/release/examples/ad_calls
fi
# The count moves by about 1.5% with the program's path and environment (they shift the stack and
# the allocator's layout): every run goes through a link of the same length in a fresh directory,
# with an empty environment, so that figures from two checkouts or two machines compare.
dir=$(mktemp -d /tmp/ad-instructions.XXXXXX)
trap 'rm -rf "$dir"' EXIT
ln -s "$(realpath "$bin")" "$dir/ad_calls"
ln -s "$(realpath datasets/data/ads/ads.jsonl)" "$dir/ads.jsonl"
# The corpus by its link (a path of the same length in every checkout).
corpus=()
[[ "$input" == corpus ]] && corpus=(ads.jsonl)
valgrind=$(command -v valgrind)
# Total instructions of one run with `calls` calls, from callgrind's summary line.
collected() {
  local out
  out=$(cd "$dir" && env -i "$valgrind" --tool=callgrind --callgrind-out-file=/dev/null ./ad_calls "$input" "$1" "${corpus[@]}" 2>&1 >/dev/null)
  grep -oE 'Collected : [0-9]+' <<<"$out" | grep -oE '[0-9]+$' ||
    { echo "no instruction count from valgrind: $out" >&2; exit 1; }
}
one=$(collected "$n")
two=$(collected "$((2 * n))")
ads=$(cd "$dir" && ./ad_calls "$input" 1 "${corpus[@]}" | grep -oE '"ads":[0-9]+' | grep -oE '[0-9]+$')
per=$(( (two - one) / (n * ads) ))
echo "{\"input\":\"$input\",\"ads\":$ads,\"n\":$n,\"instructions_n\":$one,\"instructions_2n\":$two,\"instructions_per_ad\":$per}"
