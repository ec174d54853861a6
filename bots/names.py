"""Channel and member names for the dashboard (issue #18, point 2): the adapters put what the platform calls the
channel and the asker on the Question; they are kept when the question is recorded. Never fails an answer."""

from __future__ import annotations

import logging
from typing import Protocol

from peerbot.bots.conversation import Question
from peerbot.bots.schema_names import CHANNEL, MEMBER

log = logging.getLogger(__name__)


class NameStore(Protocol):
    def remember_names(self, platform: str, names: list[tuple[str, str, str | None]]) -> int: ...


def record_names(store: NameStore, question: Question) -> None:
    """Upsert the question's channel and asker names; a failure is logged and the answer goes on."""
    names = [(CHANNEL, question.channel or "", question.channel_name), (MEMBER, question.asker, question.asker_name)]
    try:
        store.remember_names(question.platform, names)
    except Exception:
        log.warning("cannot record channel and member names", exc_info=True, extra={"platform": question.platform})
