"""Named fault points for kill tests: `PEERBOT_FAULT=<point>` makes the process SIGKILL itself there.

Before dying it appends the point's name to `$PEERBOT_FAULT_LOG` (when set), so a test can tell the process
was alive and at that point when it was killed. Unset, a fault point costs one environment lookup.
"""

from __future__ import annotations

import os
import signal

ENV = "PEERBOT_FAULT"
LOG_ENV = "PEERBOT_FAULT_LOG"


def fault_point(name: str) -> None:
    if os.environ.get(ENV) != name:
        return
    log = os.environ.get(LOG_ENV)
    if log:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(name + "\n")
            handle.flush()
            os.fsync(handle.fileno())
    os.kill(os.getpid(), signal.SIGKILL)
