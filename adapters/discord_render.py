"""Replies as Discord messages: parts under the 2000-character limit, feedback buttons, the superuser alert.

Pure functions, no network: everything here can be tested without a client.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import discord

from peerbot.adapters import discord_words
from peerbot.adapters.fences import ROOM, balance, has_fences
from peerbot.bots import messages
from peerbot.bots.config import Superuser
from peerbot.bots.conversation import Outcome, Reply

MESSAGE_LIMIT = 2000  # characters in one Discord message
THREAD_NAME_LIMIT = 100
_FEEDBACK_OUTCOMES = (Outcome.ANSWER, Outcome.SUGGEST)


@dataclass(frozen=True)
class Part:
    """One Discord message; `feedback` is the question id whose buttons go under it."""

    content: str
    feedback: int | None = None
    ask_anyway: bool = False  # out of scope: the one button is "Ask a human anyway"


def split_text(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Cut text into pieces of at most `limit` characters, at a paragraph, line or word break when there is one.
    A code block cut in two is closed at the end of one piece and reopened (same language tag) in the next."""
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    fenced = has_fences(text) and limit > 2 * ROOM
    room = limit - ROOM if fenced else limit
    parts: list[str] = []
    rest = text.strip()
    while len(rest) > room:
        window = rest[: room + 1]
        cut, sep = max((window.rfind(s), s) for s in ("\n\n", "\n", " "))
        for candidate in ("\n\n", "\n", " "):
            at = window.rfind(candidate)
            if at > room // 2:
                cut, sep = at, candidate
                break
        if cut <= 0:
            cut, sep = room, ""
        head, rest = rest[:cut].rstrip(), rest[cut + len(sep) :].lstrip("\n")  # keeps a code line's indent
        if head:
            parts.append(head)
    if rest.strip():
        parts.append(rest)
    return balance(parts) if fenced else parts


def render(reply: Reply) -> list[Part]:
    """The messages for a reply; answers and suggestions get feedback buttons under their last part."""
    chunks = split_text(reply.text) or [messages.APOLOGY]
    anyway = reply.outcome is Outcome.OUT_OF_SCOPE
    buttons = reply.question_id if reply.outcome in _FEEDBACK_OUTCOMES or anyway else None
    return [Part(chunk) for chunk in chunks[:-1]] + [Part(chunks[-1], buttons, anyway)]


def thread_name(question: str) -> str:
    """A thread title from the question's first line."""
    first = (question.strip().splitlines() or [""])[0].strip() or discord_words.DISCORD_THREAD_NAME
    return first if len(first) <= THREAD_NAME_LIMIT else first[: THREAD_NAME_LIMIT - 1].rstrip() + "…"


def ping_targets(
    notify: Sequence[str], superusers: Sequence[Superuser], role: str | None
) -> tuple[list[int], int | None]:
    """The Discord user ids of the superusers to notify, and the role id when the role is to be pinged too:
    for a whole-group escalation, or when none of the chosen superusers has a Discord id."""
    wanted = set(notify)
    users = list(dict.fromkeys(int(s.discord_id) for s in superusers if s.community_id in wanted and s.discord_id))
    everyone = bool(superusers) and all(s.community_id in wanted for s in superusers)
    return users, int(role) if role and (everyone or not users) else None


def alert(
    reply: Reply,
    *,
    question: str,
    asker_id: str,
    link: str | None,
    superusers: Sequence[Superuser],
    role: str | None,
) -> tuple[list[str], discord.AllowedMentions]:
    """The superuser alert for an escalation, and the mentions it may ping: exactly those superusers and the role."""
    users, role_id = ping_targets(reply.notify, superusers, role)
    pings = [f"<@{u}>" for u in users] + ([f"<@&{role_id}>"] if role_id else [])
    text = messages.escalation_alert(
        escalation_id=reply.escalation_id,
        asker=f"<@{asker_id}>" if asker_id.isdigit() else asker_id,
        question=question,
        reply_at=link,
        near_misses=reply.matches,
    )
    parts = split_text(" ".join(pings) + "\n" + text if pings else text)
    allowed = discord.AllowedMentions(
        everyone=False,
        users=[discord.Object(u) for u in users],
        roles=[discord.Object(role_id)] if role_id else False,
        replied_user=False,
    )
    return parts, allowed
