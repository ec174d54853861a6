"""Slack payloads as Questions: which events are questions, and what they ask; decides nothing else."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any, Literal

from peerbot.adapters.slack_render import CLAIM_PREFIX, FEEDBACK_PREFIX, VERDICTS
from peerbot.bots.conversation import Question, Verdict

Route = Literal["question", "human_answer"]
Payload = Mapping[str, Any]

_MARKUP = re.compile(r"<([^<>\n]*)>")
_PEOPLE_SUBTYPES = (None, "file_share", "thread_broadcast")  # messages a person wrote (not edits, joins, bots)


def plain_text(text: str, bot_user_id: str | None = None) -> str:
    """Slack's wire format as the person typed it: our own mention dropped, mentions and links readable."""

    def readable(found: re.Match[str]) -> str:
        target, _, label = found.group(1).partition("|")
        if bot_user_id and target == f"@{bot_user_id}":
            return ""
        if target[:1] in "@#":
            return target[0] + (label or target[1:])
        if target.startswith("!"):  # <!here>, <!channel>, <!subteam^ID|@team>
            return "@" + (label.lstrip("@") or target[1:].split("^")[0])
        return label or target  # a link: what it says, else the address

    text = _MARKUP.sub(readable, text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").strip()


def thread_root(event: Payload) -> str:
    return str(event.get("thread_ts") or event["ts"])


def thread_key(channel: str, root_ts: str) -> str:
    return f"{channel}:{root_ts}"


def split_thread(thread: str) -> tuple[str, str]:
    channel, _, root_ts = thread.partition(":")
    return channel, root_ts


def is_thread_reply(event: Payload) -> bool:
    return bool(event.get("thread_ts")) and event.get("thread_ts") != event.get("ts")


def from_person(event: Payload) -> bool:
    return bool(event.get("user")) and not event.get("bot_id") and event.get("subtype") in _PEOPLE_SUBTYPES


def message_route(event: Payload, *, help_channels: Collection[str]) -> Route | None:
    """What a `message` event is to us: a question (DMs, new posts in help channels), a reply in a thread
    (maybe an escalated one: the bot records a superuser's as the answer and queues a member's for review),
    or nothing."""
    if not from_person(event):
        return None
    if event.get("channel_type") == "im":
        return "question"
    if is_thread_reply(event):
        return "human_answer"
    return "question" if event.get("channel") in help_channels else None


def mentions(event: Payload, bot_user_id: str | None) -> bool:
    """The message @mentions the bot (Slack then sends an app_mention for it too)."""
    return bool(bot_user_id) and f"<@{bot_user_id}>" in str(event.get("text") or "")


def mention_is_question(event: Payload, *, help_channels: Collection[str]) -> bool:
    """An app_mention is a question, unless the message listener already answers it (DMs, help-channel posts)."""
    if not from_person(event) or "edited" in event:
        return False
    channel = str(event.get("channel", ""))
    if channel.startswith("D"):
        return False
    return is_thread_reply(event) or channel not in help_channels


def event_question(event: Payload, *, event_id: str | None, bot_user_id: str | None, public: bool) -> Question:
    """`public`: what Slack says about the conversation (SlackLookup.is_public), never the id's shape."""
    channel = str(event["channel"])
    return Question(
        text=plain_text(str(event.get("text") or ""), bot_user_id),
        asker=str(event["user"]),
        platform="slack",
        channel=channel,
        public=public,
        thread=thread_key(channel, thread_root(event)),
        event_id=event_id,
    )


def command_question(command: Payload, *, root_ts: str, public: bool) -> Question:
    """/ask: the question, threaded under the message the bot posted for it; `public` as in event_question."""
    channel = str(command["channel_id"])
    return Question(
        text=plain_text(str(command.get("text") or "")),
        asker=str(command["user_id"]),
        platform="slack",
        channel=channel,
        public=public,
        asker_name=command.get("user_name"),
        thread=thread_key(channel, root_ts),
    )


def subcommand(text: str) -> str:
    """`/peerbot reindex` -> "reindex"; no words -> "help"."""
    words = text.split()
    return words[0].lower() if words else "help"


def bot_command(command: Payload) -> Question:
    """`/peerbot claim 12` as the bot's own command `/claim 12`, from the person who typed it; answered privately
    (ephemeral), so never marked public."""
    name, _, rest = (command.get("text") or "").strip().partition(" ")
    return Question(
        text=f"/{name.lower()} {plain_text(rest)}".strip(),
        asker=str(command["user_id"]),
        platform="slack",
        channel=str(command["channel_id"]),
        public=False,
        asker_name=command.get("user_name"),
    )


def feedback_action(action_id: str) -> tuple[Verdict, int] | None:
    """`peerbot_feedback:solved:42` -> ("solved", 42)."""
    prefix, _, rest = action_id.partition(":")
    verdict, _, number = rest.partition(":")
    if prefix != FEEDBACK_PREFIX or verdict not in VERDICTS or not number.isdigit():
        return None
    return Verdict(verdict), int(number)


def claim_action(action_id: str) -> int | None:
    """`peerbot_claim:7` -> 7."""
    prefix, _, number = action_id.partition(":")
    return int(number) if prefix == CLAIM_PREFIX and number.isdigit() else None
