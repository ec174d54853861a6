"""Replies shown to the asker only, held until they press "Show everyone" (both adapters use it).

Held in this process only, a bounded number for a bounded time: after a restart (or on another replica) the
button says the answer is gone and to ask again. What is held was rendered for the conversation the question
came from, and the button posts it only there: nothing reaches a wider audience than the question's channel.
"""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

HOLD_LIMIT = 5000  # replies held at once; the oldest goes first
HOLD_SECONDS = 24 * 3600.0  # how long "Show everyone" keeps working


@dataclass(frozen=True)
class Held(Generic[T]):
    asker: str
    reply: T
    at: float


class HeldReplies(Generic[T]):
    def __init__(
        self, limit: int = HOLD_LIMIT, seconds: float = HOLD_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if limit < 1 or seconds <= 0:
            raise ValueError(f"limit must be at least 1 and seconds above 0, got {limit} and {seconds}")
        self.limit, self.seconds, self.clock = limit, seconds, clock
        self._held: OrderedDict[str, Held[T]] = OrderedDict()

    def hold(self, asker: str, reply: T) -> str:
        """Keep reply for asker; the key the button carries."""
        key = secrets.token_hex(8)
        self._held[key] = Held(asker, reply, self.clock())
        while len(self._held) > self.limit:
            self._held.popitem(last=False)
        return key

    def take(self, key: str, user: str) -> T | None:
        """The reply, once, to the asker who pressed; None when it is gone, expired or not theirs."""
        held = self._held.get(key)
        if held is None or held.asker != user:
            return None
        del self._held[key]
        return held.reply if self.clock() - held.at <= self.seconds else None
