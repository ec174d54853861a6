"""Housekeeping on a schedule: once per `[state] housekeeping_hours` across all replicas (a lease in the store),
prune what the store no longer needs: handled events past any redelivery, and the askers' raw question text
past the retention period. Counts, outcomes, points and answers stay."""

from __future__ import annotations

import dataclasses
import logging
import os
import socket
from dataclasses import dataclass, field
from datetime import timedelta

from peerbot.bots.config import StateSettings
from peerbot.bots.state import StateStore
from peerbot.bots.state_housekeeping import Pruned

log = logging.getLogger(__name__)
JOB = "housekeeping"


def _holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class Housekeeping:
    store: StateStore
    settings: StateSettings
    holder: str = field(default_factory=_holder)

    def run_if_due(self) -> Pruned | None:
        """Prune when this replica gets the period's turn; None when it is not due or another replica has it."""
        every = timedelta(hours=self.settings.housekeeping_hours)
        if not self.store.take_turn(JOB, self.holder, every):
            return None
        return self.run()

    def run(self) -> Pruned:
        now = self.store.clock()
        pruned = self.store.prune(
            events_before=now - timedelta(days=self.settings.event_days),
            text_before=now - timedelta(days=self.settings.retention_days),
        )
        log.info("housekeeping done", extra=dataclasses.asdict(pruned))
        return pruned
