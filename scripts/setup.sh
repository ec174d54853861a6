#!/usr/bin/env bash
# Create .venv and install peerbot with the given extras (default: all,dev: everything the tests need). Safe to run again.
#   bash scripts/setup.sh                          # .[all,dev]: slack, discord, dashboard, postgres + test tools
#   bash scripts/setup.sh slack,discord,dashboard  # only what running the bot needs (scripts/run.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
EXTRAS=${1:-all,dev}
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "peerbot setup: creating .venv with $($PYTHON --version)" >&2
  "$PYTHON" -m venv .venv
fi
PIP=(.venv/bin/python -m pip --disable-pip-version-check -q)
# torch first, pinned: this release is a CPU build on the machine's disk; plain `torch` pulls a multi-GB CUDA build.
if ! .venv/bin/python -c "import torch, sys; sys.exit(torch.__version__.split('+')[0] != '2.13.0')" 2>/dev/null; then
  echo "peerbot setup: installing torch 2.13.0 (CPU)" >&2
  "${PIP[@]}" install "torch==2.13.0" 2> >(grep -v "^WARNING: Location" >&2)
fi
echo "peerbot setup: installing peerbot[$EXTRAS] and its dependencies" >&2
"${PIP[@]}" install -e ".[$EXTRAS]" 2> >(grep -v "^WARNING: Location" >&2)
