"""Named fault points for kill tests: `PEERBOT_FAULT=<point>` makes the process SIGKILL itself there.

Before dying it says so on stderr and appends the point's name to `$PEERBOT_FAULT_LOG` (when set), so a test can
tell the process was alive and at that point when it was killed. Unset, a fault point costs one environment lookup.
It lives beside errors.py, below the four parts, so the bot and the indexer share it.
"""

from __future__ import annotations

import os
import signal
import sys

ENV = "PEERBOT_FAULT"
LOG_ENV = "PEERBOT_FAULT_LOG"


def fault_point(name: str) -> None:
    if os.environ.get(ENV) != name:
        return
    print(f"fault point {name}: killing this process", file=sys.stderr, flush=True)
    log = os.environ.get(LOG_ENV)
    if log:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(name + "\n")
            handle.flush()
            os.fsync(handle.fileno())
    os.kill(os.getpid(), signal.SIGKILL)
