#!/usr/bin/env bash
# Creates (or refreshes) .venv-test with the Python packages the test suite needs.
# Idempotent: does nothing when the pinned requirements are already installed.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv-test
req=scripts/requirements-test.txt
stamp="$venv/.requirements.sha256"
want=$(sha256sum "$req" | cut -d' ' -f1)
if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
echo "$want" > "$stamp"
