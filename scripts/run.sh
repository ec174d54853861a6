#!/usr/bin/env bash
# The main job: set up, index the configured community if needed, and run the bot
# (Slack/Discord when their tokens are set, else the console). Extra arguments go to `peerbot run`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/peerbot run "$@"
