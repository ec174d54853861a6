"""The admins' curation (hidden entries, answers held for approval, pinned replies, edited answers) from the state
store, for retrieval: re-read only when it changed, which one small query per question tells, so a change made in the
dashboard serves at once."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from peerbot.knowledge.curation import NOTHING, Curated

if TYPE_CHECKING:
    from peerbot.bots.state import StateStore


class StoreCuration:
    def __init__(self, store: StateStore) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._key: tuple[int, int] | None = None
        self._curated = NOTHING

    def current(self) -> Curated:
        key = self.store.curation_key()
        with self._lock:
            if key != self._key:
                rows = self.store.curations().values()
                self._curated = Curated(
                    hidden=frozenset(c.entry_id for c in rows if c.hidden or c.held),
                    answers={c.entry_id: c.answer for c in rows if c.answer is not None},
                    pinned={c.entry_id: c.pinned_reply for c in rows if c.pinned_reply},
                )
                self._key = key
            return self._curated
