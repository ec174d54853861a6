"""What a backfill (`peerbot backfill slack|discord`) did: the platforms' readers (adapters/slack_backfill.py,
adapters/discord_backfill.py) fill it in; the command line prints its summary."""

from __future__ import annotations

from dataclasses import dataclass


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
