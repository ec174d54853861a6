#!/usr/bin/env bash
# The main job: set up, index the configured community if needed, and run the bot
# (Slack/Discord when their tokens are set, else the console). Extra arguments go to `peerbot run`.
set -euo pipefail
cd "$(dirname "$0")/.."
# What running needs, not the test tools: the chat adapters and the dashboard; PostgreSQL's driver when
# DATABASE_URL points at PostgreSQL.
extras=slack,discord,dashboard
if [[ ${DATABASE_URL:-} == postgres* ]]; then extras+=",postgres"; fi
bash scripts/setup.sh "$extras"
exec .venv/bin/peerbot run "$@"
