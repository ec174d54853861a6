"""What a backfill (`peerbot backfill slack|discord`) did: the platforms' readers (adapters/slack_backfill.py,
adapters/discord_backfill.py) fill it in; the command line prints its summary."""

from __future__ import annotations

from dataclasses import dataclass

from peerbot.bots.app import trust_policy
from peerbot.bots.config import Settings
from peerbot.bots.live import Learned, keep, unvetted_policy
from peerbot.bots.schema_live import BackfillCursor
from peerbot.bots.state import StateStore
from peerbot.indexer.sources.jsonl import ThreadRecord


@dataclass
class BackfillReport:
    platform: str
    channel: str
    resumed: bool
    pages: int = 0
    messages: int = 0  # messages read in this run (top-level and replies)
    threads: int = 0  # threads read in this run
    learned: int = 0  # threads kept (served, or held for review) that changed
    seconds: float = 0.0

    def summary(self) -> str:
        rate = self.messages / self.seconds if self.seconds else 0.0
        start = "resumed from the saved cursor" if self.resumed else "from the start"
        return (
            f"backfilled {self.platform} {self.channel} ({start}): {self.pages} pages, {self.messages} messages, "
            f"{self.threads} threads read, {self.learned} solved threads learned, in {self.seconds:.1f}s "
            f"({rate:.0f} messages/s). A running bot serves them within its next timer tick (30 s)."
        )


class BackfillLedger:
    """The bot's side of a backfill: where each channel's reading stopped (a cursor in the state store) and
    learning a solved thread with the same trust rules as live capture. The platforms' readers in adapters/
    read history; this keeps what they read, so they never touch the store themselves."""

    def __init__(self, settings: Settings, store: StateStore) -> None:
        self._store = store
        self._unvetted = unvetted_policy(settings)
        self._policy = trust_policy(settings, store)

    def cursor(self, platform: str, channel: str) -> BackfillCursor | None:
        return self._store.backfill_cursor(platform, channel)

    def save(self, platform: str, channel: str, cursor: str | None, *, done: bool, messages: int) -> None:
        self._store.save_backfill_cursor(platform, channel, cursor, done=done, messages=messages)

    def learn(self, record: ThreadRecord, platform: str, channel: str) -> Learned:
        return keep(self._store, record, platform, channel, self._policy, self._unvetted)
