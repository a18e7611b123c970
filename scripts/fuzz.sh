#!/usr/bin/env bash
# Runs every libFuzzer target (fuzz/fuzz_targets) for SECONDS each (default 60), on the corpus
# kept in fuzz/corpus/<target>; new interesting inputs are added there, and a crash leaves its
# reproducer in fuzz/artifacts/<target> (move it to fuzz/regressions/<target> with the fix).
# Before fuzzing, every input of fuzz/regressions/<target> is run once and must pass. Installs
# cargo-fuzz if it is missing. The targets build optimised with AddressSanitizer; RUSTC_BOOTSTRAP
# lets the stable toolchain accept cargo-fuzz's sanitizer flags. FUZZ_DEV=1 builds every target
# once, in debug (overflow checks and debug assertions on) without the sanitizer and with the
# tables feature, so that all seven share one build: CI does so (about 4 minutes on 2 cores,
# against 5.5 for the sanitised build of five targets plus 4 for the debug build of the two
# polars targets). The libraries under test deny unsafe code, so the sanitizer watches only
# dependencies' unsafe code; a long run (scripts/fuzz.sh 300) keeps it.
#   scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  # grant_table and element_table are left out of the default run: they build polars instrumented (about 15 min
  # the first time). Run it by name: scripts/fuzz.sh 300 grant_table. Its corpus is also read by
  # a plain test (datasets: consistency), so CI checks the kept inputs without that build.
  targets=(case_json product_json ad_text loan_terms proto_requests)
fi
features_of() {
  # FUZZ_DEV=1: one debug build without AddressSanitizer for every target (minutes instead of
  # a quarter of an hour for polars); the oracles and the regression inputs are the same.
  if [ "${FUZZ_DEV:-0}" = 1 ]; then
    echo "--features tables --dev --sanitizer none"
    return
  fi
  case "$1" in
    grant_table | element_table) echo "--features tables" ;;
    *) echo "" ;;
  esac
}
if ! cargo fuzz --version > /dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi
export RUSTC_BOOTSTRAP=1
# A cargo fuzz run failed: show why (a compiler error, a full disk, an input's panic) from its
# log, then stop with MESSAGE.
fail_with_log() {
  local log=$1 message=$2
  tail -40 "$log" >&2
  df -h fuzz 2> /dev/null | tail -1 | awk '{print "disk free where fuzz builds: " $4}' >&2
  rm -f "$log"
  echo "$message" >&2
  exit 1
}
for target in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$target"
  # Inputs that once crashed (fuzz/regressions/<target>) must pass first.
  if [ -d "fuzz/regressions/$target" ]; then
    echo "== $target: regressions"
    log=$(mktemp)
    cargo fuzz run --fuzz-dir fuzz $(features_of "$target") "$target" "fuzz/regressions/$target" -- -runs=0 > "$log" 2>&1 ||
      fail_with_log "$log" "$target: the regression inputs did not pass (fuzz/regressions/$target)"
    rm -f "$log"
  fi
  echo "== $target: ${seconds}s"
  log=$(mktemp)
  status=0
  cargo fuzz run --fuzz-dir fuzz $(features_of "$target") "$target" "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -rss_limit_mb=4096 -print_final_stats=1 > "$log" 2>&1 || status=$?
  grep -E "^(Done|stat::number_of_executed_units|stat::new_units_added)" "$log" || true
  if [ "$status" -ne 0 ]; then
    fail_with_log "$log" "$target: failed (exit $status); reproducers, if any, in fuzz/artifacts/$target"
  fi
  rm -f "$log"
done
