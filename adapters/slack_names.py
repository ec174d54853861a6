"""The channel's and the asker's names on a Slack question, for the dashboard (issue #18, point 2).

The channel's name comes from the `conversations.info` the adapter makes anyway (is the conversation public?);
the asker's from `users.info` (scope users:read), cached an hour. A look-up never fails an answer and delays it at
most NAME_WAIT_S: a slower one goes on in the background and fills the cache for the asker's next question."""

from __future__ import annotations

import asyncio
import dataclasses

from peerbot.adapters.slack_lookup import SlackLookup
from peerbot.bots.conversation import Question

NAME_WAIT_S = 0.5


class SlackNames:
    def __init__(self, lookup: SlackLookup, wait: float = NAME_WAIT_S) -> None:
        self.lookup = lookup
        self.wait = wait
        self._pending: dict[str, asyncio.Task[str | None]] = {}

    async def named(self, question: Question) -> Question:
        """The question with channel_name and asker_name filled in where Slack said them."""
        channel_name = self.lookup.channel_name(question.channel or "") or question.channel_name
        asker_name = await self._user_name(question.asker) or question.asker_name
        return dataclasses.replace(question, channel_name=channel_name, asker_name=asker_name)

    async def _user_name(self, user: str) -> str | None:
        task = self._pending.get(user)
        if task is None:  # questions arriving together from one member share one look-up
            task = self._pending[user] = asyncio.ensure_future(self.lookup.user_name(user))
            task.add_done_callback(lambda _: self._pending.pop(user, None))
        try:
            return await asyncio.wait_for(asyncio.shield(task), self.wait)
        except Exception:  # too slow (it finishes in the background) or failed: the id stays
            return None
