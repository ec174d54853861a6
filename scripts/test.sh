#!/usr/bin/env bash
# The whole test suite: set up, then formatting, lint, types and every test (the real model included).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh all,dev
# Machine packages the tests drive for real: headless Chromium (dashboard) and a PostgreSQL server (state store).
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "peerbot setup: installing ${need[*]} (Debian packages)" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "peerbot setup: ${need[*]} missing and not root: the tests that need them will be skipped" >&2
  fi
fi
echo "== ruff format --check" >&2
.venv/bin/ruff format --check .
echo "== ruff check" >&2
.venv/bin/ruff check .
echo "== mypy" >&2
.venv/bin/mypy
echo "== pytest" >&2
.venv/bin/python -m pytest "$@"
