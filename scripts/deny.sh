#!/usr/bin/env bash
# Supply-chain checks with cargo-deny (deny.toml): licences, banned crates and sources of every
# crate in the dependency graph, offline, from Cargo.lock. Then the RustSec advisories, which
# need the advisory database from GitHub: where GitHub cannot be reached (this project's
# machines), that check is reported as skipped, never as passed. Installs cargo-deny if missing.
#   scripts/deny.sh
set -euo pipefail
cd "$(dirname "$0")/.."
version=0.20.2
if ! cargo deny --version 2>/dev/null | grep -q "$version"; then
  cargo install cargo-deny --version "$version" --locked
fi
echo "== cargo deny: licenses, bans, sources"
log=$(mktemp)
if ! cargo deny --offline check --hide-inclusion-graph licenses bans sources > "$log" 2>&1; then
  grep -v '^warning\[duplicate\]' "$log" | grep -E '^(error|  ┌|  │|  =)' | head -60 >&2 || true
  tail -5 "$log" >&2
  rm -f "$log"
  echo "cargo deny: a licence, ban or source check failed (deny.toml)" >&2
  exit 1
fi
echo "$(grep -c '^warning\[duplicate\]' "$log" || true) crates at two versions (reported, allowed); $(tail -1 "$log")"
rm -f "$log"
echo "== cargo deny: advisories (RustSec)"
if git ls-remote https://github.com/RustSec/advisory-db HEAD > /dev/null 2>&1; then
  cargo deny check --hide-inclusion-graph advisories
else
  echo "advisories: SKIPPED, github.com (the RustSec database) cannot be reached from here"
fi
