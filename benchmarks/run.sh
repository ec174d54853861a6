#!/usr/bin/env bash
# Quality and speed of peerbot next to the alternatives: bash benchmarks/run.sh [--quick] [options]
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python -m benchmarks "$@"
