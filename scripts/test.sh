#!/usr/bin/env bash
# The whole test suite: set up, then formatting, lint, types and every test (the real model included).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "== ruff format --check" >&2
.venv/bin/ruff format --check .
echo "== ruff check" >&2
.venv/bin/ruff check .
echo "== mypy" >&2
.venv/bin/mypy
echo "== pytest" >&2
.venv/bin/python -m pytest "$@"
