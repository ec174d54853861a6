"""What the Slack adapter posts besides replies: superusers' escalation notes, and the bot's notices (ladder pings,
updates in the asker's thread, announcements). Everything it shows comes with the Reply or the Notice."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import partial

from slack_sdk.web.async_client import AsyncWebClient

from peerbot.adapters.slack_lookup import SlackLookup
from peerbot.adapters.slack_parse import split_thread
from peerbot.adapters.slack_render import Message, message, render_escalation, render_ping, render_to_asker
from peerbot.adapters.slack_rewards import REWARD_KINDS, deliver_reward
from peerbot.bots.config import Settings
from peerbot.bots.conversation import Outcome, Reply
from peerbot.bots.notices import Notice, deliver_each

log = logging.getLogger("peerbot.adapters.slack")


class SlackPoster:
    name = "slack"

    def __init__(self, client: AsyncWebClient, settings: Settings, lookup: SlackLookup) -> None:
        self.client = client
        self.settings = settings
        self.lookup = lookup
        self.slack_ids = {s.community_id: s.slack_id for s in settings.superusers if s.slack_id}

    async def post(self, channel: str, thread_ts: str | None, msg: Message) -> None:
        await self.client.chat_postMessage(channel=channel, thread_ts=thread_ts, link_names=False, **msg)

    async def send(self, channel: str, thread_ts: str | None, msg: Message) -> bool:
        """post, logging instead of raising."""
        try:
            await self.post(channel, thread_ts, msg)
        except Exception:
            log.exception("failed to post on Slack", extra={"channel": channel})
            return False
        return True

    async def escalate(self, reply: Reply) -> None:
        """Ping the superusers in the escalation channel (and by DM when configured) with the question."""
        row = reply.escalation  # everything the note shows comes with the reply
        if row is None:
            return
        try:
            pinged = self._slack_ids(row.notify)
            channel, root_ts = split_thread(row.thread) if row.thread else (row.channel or "", "")
            answered = reply.outcome is Outcome.ANSWER and bool(reply.matches)
            note = partial(
                render_escalation,
                escalation_id=row.id,
                superusers=pinged,
                asker=await self.lookup.display_name(row.asker),
                question=row.question,
                channel=channel or None,
                permalink=await self.lookup.permalink(channel, root_ts),
                near_misses=[] if answered else reply.matches,
                urgent=reply.urgent,
                answered_with=reply.matches[0] if answered else None,
            )
        except Exception:
            log.exception("failed to prepare the escalation note", extra={"escalation_id": reply.escalation_id})
            return
        for target in self._superuser_targets(pinged):
            # a private entry's title only where Slack said the conversation is private (a pinged superuser's DM)
            private = target in pinged or await self.lookup.known_private(target)
            await self.send(target, None, note(name_private=private))

    def _slack_ids(self, superusers: Sequence[str]) -> list[str]:
        """The Slack ids of superusers (community ids); those without one are logged, not pinged."""
        unknown = [c for c in superusers if c not in self.slack_ids]
        if unknown:
            log.warning("superusers without slack_id were not pinged", extra={"superusers": unknown})
        return [self.slack_ids[c] for c in superusers if c in self.slack_ids]

    def _superuser_targets(self, pinged: Sequence[str]) -> list[str]:
        """Where superusers read pings: the escalation channel, and each pinged superuser's DMs when configured."""
        slack = self.settings.slack
        return ([slack.escalation_channel] if slack.escalation_channel else []) + (
            list(pinged) if slack.dm_superusers else []
        )

    async def deliver(self, notices: Sequence[Notice]) -> None:
        """Ladder pings and announcements to the superusers, updates in the asker's thread; a notice that fails
        is logged and the others still go."""
        await deliver_each([n for n in notices if n.platform in (None, self.name)], self._deliver, log)

    async def _deliver(self, notice: Notice) -> None:
        if notice.kind in REWARD_KINDS:  # private messages, admin warnings, the club user group: slack_rewards.py
            await deliver_reward(self.client, self.settings, notice)
            return
        if notice.kind == "asker":
            await self._to_asker(notice)
            return
        if notice.kind == "ping":
            pinged = self._slack_ids([s.community_id for s in notice.superusers])
            targets, msg = self._superuser_targets(pinged), render_ping(notice.text, pinged, notice.escalation_id)
        else:  # announcements: the announce channel, else the escalation channel
            channel = self.settings.slack.announce_channel or self.settings.slack.escalation_channel
            targets, msg = [channel] if channel else [], message(notice.text)
        if not targets:
            log.warning("a notice has nowhere to go: set slack.escalation_channel", extra={"kind": notice.kind})
        for target in targets:
            await self.send(target, None, msg)

    async def _to_asker(self, notice: Notice) -> None:
        """In the asker's thread; when a person answered, with the buttons to say it solved it."""
        channel, root_ts = split_thread(notice.thread) if notice.thread else (notice.channel or "", "")
        if not channel:
            log.warning("an update for an asker has no conversation", extra={"escalation_id": notice.escalation_id})
            return
        question_id = notice.question_id if notice.answered else None
        await self.post(channel, root_ts or None, render_to_asker(notice.text, question_id))
