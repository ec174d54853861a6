"""Replies as Slack messages: Block Kit plus a text fallback, with everything we did not write made inert."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from peerbot.adapters import slack_words
from peerbot.adapters.fences import FENCE, ROOM, balance, has_fences, open_fence
from peerbot.bots import messages
from peerbot.bots.commands import COMMANDS
from peerbot.bots.conversation import Outcome, Reply, Verdict
from peerbot.knowledge.entries import Match
from peerbot.knowledge.sanitize import neutralize_mentions

SECTION_LIMIT = 3000  # characters of text in one section block
CONTEXT_LIMIT = 2000  # characters of text in one context element
TITLE_LIMIT = 200  # characters of a thread title shown as a link
URL_LIMIT = 1000  # longer addresses are not linked
BLOCK_LIMIT = 50  # blocks in one message
TEXT_LIMIT = 39_000  # Slack truncates `text` at 40,000 characters
QUOTE_LIMIT = 2500  # characters of a question quoted to superusers
FEEDBACK_PREFIX = "peerbot_feedback"
CLAIM_PREFIX = "peerbot_claim"
VERDICTS = tuple(Verdict)

Message = dict[str, Any]  # keyword arguments for chat.postMessage / respond()
Block = dict[str, Any]

_URL = re.compile(r"https?://[^\s<>|]+")
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")
_CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{2,}")
# the bot's chat commands; Slack owns every bare /word, so on Slack they are spelled `/peerbot claim 12`
_COMMANDS = re.compile(rf"(?<![\w/])/({'|'.join(COMMANDS.names)})\b")


def escape(text: str) -> str:
    """Slack's three control characters as entities: `<!channel>` or `<https://evil|nice>` become plain text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def inert(text: str) -> str:
    """Text someone else wrote, safe to put in mrkdwn: no pings, no markup."""
    return escape(neutralize_mentions(text))


def user_mention(user_id: str) -> str | None:
    """`<@U…>` for a well-formed user id, else None: the only pings we ever write."""
    return f"<@{user_id}>" if _USER_ID.fullmatch(user_id) else None


def channel_link(channel_id: str) -> str:
    return f"<#{channel_id}>" if _CHANNEL_ID.fullmatch(channel_id) else inert(channel_id)


def cut(text: str, limit: int) -> str:
    """Escaped text shortened to limit characters, never in the middle of an entity."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    amp = head.rfind("&")
    if amp != -1 and ";" not in head[amp:]:
        head = head[:amp]
    return head + "…"


def link(title: str, url: str | None, thread_id: str | None = None) -> str:
    title = title if len(title) <= TITLE_LIMIT else title[:TITLE_LIMIT].rstrip() + "…"
    label = inert(title).replace("|", "¦") or "thread"
    if url and len(url) <= URL_LIMIT and _URL.fullmatch(url):
        return f"<{escape(url)}|{label}>"
    return f"{label} (thread {inert(thread_id)})" if thread_id else label


def entry_link(match: Match) -> str:
    entry = match.entry
    return link(entry.title, entry.url, entry.thread_id)


def _fit(text: str, limit: int) -> int:
    """How many leading characters of text stay within limit once escaped."""
    size = 0
    for i, char in enumerate(text):
        size += len(escape(char))
        if size > limit:
            return i
    return len(text)


def chunks(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """text escaped and cut into pieces of at most limit characters, at a line or word break where one is near.
    A code block cut in two is closed at the end of one piece and reopened (same fence line) in the next."""
    fenced = has_fences(text) and limit > 2 * ROOM
    room = limit - ROOM if fenced else limit
    pieces: list[str] = []
    rest = text.strip()
    while rest:
        end = _fit(rest, room)
        skip = 0
        if end < len(rest):
            cut = max(rest.rfind("\n", 0, end + 1), rest.rfind(" ", 0, end + 1))
            if cut > end // 2:
                end, skip = cut, 1
        pieces.append(rest[:end].rstrip())
        rest = rest[end + skip :].lstrip("\n")  # a code line keeps its indent
        if not rest.strip():
            rest = ""
    return [escape(piece) for piece in (balance(pieces) if fenced else pieces)]


def section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": cut(text, SECTION_LIMIT)}}


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": cut(text, CONTEXT_LIMIT)}]}


def feedback_action_id(verdict: str, question_id: int) -> str:
    return f"{FEEDBACK_PREFIX}:{verdict}:{question_id}"


def slack_commands(text: str) -> str:
    """The bot's words with its commands as Slack spells them: `/claim 12` -> `/peerbot claim 12`."""
    return _COMMANDS.sub(r"/peerbot \1", text)


def claim_action_id(escalation_id: int) -> str:
    return f"{CLAIM_PREFIX}:{escalation_id}"


def claim_button(escalation_id: int) -> Block:
    button = {
        "type": "button",
        "action_id": claim_action_id(escalation_id),
        "text": {"type": "plain_text", "text": slack_words.SLACK_CLAIM_LABEL},
        "value": str(escalation_id),
        "style": "primary",
    }
    return {"type": "actions", "block_id": f"{CLAIM_PREFIX}:{escalation_id}", "elements": [button]}


def feedback_buttons(question_id: int) -> Block:
    buttons: list[dict[str, Any]] = []
    for verdict in VERDICTS:
        button: dict[str, Any] = {
            "type": "button",
            "action_id": feedback_action_id(verdict, question_id),
            "text": {"type": "plain_text", "text": messages.FEEDBACK_LABELS[verdict]},
            "value": str(question_id),
        }
        if verdict is Verdict.SOLVED:
            button["style"] = "primary"
        buttons.append(button)
    return {"type": "actions", "block_id": f"{FEEDBACK_PREFIX}:{question_id}", "elements": buttons}


def message(text: str, blocks: list[Block] | None = None) -> Message:
    """A message with its text fallback (escaped here) and link previews off."""
    fallback = text if len(text) <= TEXT_LIMIT else text[:TEXT_LIMIT].rstrip() + "…"
    if fallback is not text and open_fence(fallback):
        fallback += f"\n{FENCE}"
    out: Message = {"text": escape(fallback), "unfurl_links": False, "unfurl_media": False}
    if blocks:
        out["blocks"] = blocks
    return out


def _answer_blocks(match: Match, room: int) -> list[Block]:
    """The peer answer in as many sections as fit in room blocks; the rest is left to the source thread."""
    body = chunks(neutralize_mentions(match.entry.answer))
    if len(body) > room:
        body = [*body[: room - 1], escape(slack_words.SLACK_ANSWER_CUT)]
    return [
        section(escape(slack_words.SLACK_ANSWER_INTRO.format(confidence=match.confidence))),
        *(section(piece) for piece in body),
        context(inert(messages.credit(match))),
        section(escape(slack_words.SLACK_SOURCE).format(link=entry_link(match))),
    ]


def _suggestion_blocks(matches: Sequence[Match]) -> list[Block]:
    lines = [
        slack_words.SLACK_SUGGESTION.format(n=n, link=entry_link(m), confidence=m.confidence)
        for n, m in enumerate(matches[:3], start=1)
    ]
    return [
        section(escape(slack_words.SLACK_SUGGEST_INTRO)),
        section("\n".join(lines)),
        context(escape(slack_words.SLACK_SUGGEST_OUTRO)),
    ]


def ask_anyway_button(question_id: int) -> Block:
    """Under an out-of-scope reply: the one choice, "Ask a human anyway" (the feedback button's "human" action)."""
    button = {
        "type": "button",
        "action_id": feedback_action_id(Verdict.HUMAN, question_id),
        "text": {"type": "plain_text", "text": messages.ASK_ANYWAY_LABEL},
        "value": str(question_id),
    }
    return {"type": "actions", "block_id": f"{FEEDBACK_PREFIX}:{question_id}", "elements": [button]}


def render(reply: Reply) -> Message:
    """A reply as a Slack message: Block Kit for answers and suggestions, plain text for the rest."""
    if reply.outcome is Outcome.OUT_OF_SCOPE and reply.question_id is not None:
        text = slack_commands(reply.text)
        return message(text, [section(escape(text)), ask_anyway_button(reply.question_id)])
    if reply.outcome not in (Outcome.ANSWER, Outcome.SUGGEST) or not reply.matches:
        return message(reply.text)
    # intro, credit, source, truncation note and buttons take at most five blocks; a follow-up's lead line one more
    lead = [section(escape(reply.lead))] if reply.lead else []
    if reply.outcome is Outcome.ANSWER:
        blocks = lead + _answer_blocks(reply.matches[0], room=BLOCK_LIMIT - 5 - len(lead))
    else:
        blocks = lead + _suggestion_blocks(reply.matches)
    if reply.truncated:
        blocks.append(context(escape(reply.text.rsplit("\n", 1)[-1])))
    if reply.question_id is not None:
        blocks.append(feedback_buttons(reply.question_id))
    return message(reply.text, blocks)


def quote(text: str, limit: int = QUOTE_LIMIT) -> str:
    text = text.strip()
    if len(text) > limit:
        text = text[:limit].rstrip() + "…"
    return "\n".join(f"&gt; {line}" for line in inert(text).splitlines() or [""])


def render_escalation(
    *,
    escalation_id: int | None,
    superusers: Sequence[str],
    asker: str,
    question: str,
    channel: str | None,
    permalink: str | None,
    near_misses: Sequence[Match],
    urgent: bool = False,
    answered_with: Match | None = None,
    name_private: bool = False,
) -> Message:
    """The note to superusers: pings for exactly `superusers` (Slack user ids), the question, where, near misses
    (or, for an upset asker who got an answer, the answer), and the "Claim it" button. The answer is named only
    when its entry is public or `name_private` (the note goes where Slack said the conversation is private)."""
    pings = " ".join(m for m in (user_mention(u) for u in superusers) if m)
    head = slack_words.SLACK_ESCALATION.format(escalation_id=escalation_id if escalation_id is not None else "?")
    head = f"{slack_words.SLACK_URGENT} {head}" if urgent else head
    head = f"{pings} {escape(head)}".strip()
    in_dm = channel is None or channel.startswith("D")
    where = escape(slack_words.SLACK_IN_DM) if in_dm else channel_link(channel or "")
    asked = escape(slack_words.SLACK_ASKED_IN).format(asker=inert(asker), where=where)
    blocks = [section(head), section(f"{asked}\n{quote(question)}")]
    if permalink and _URL.fullmatch(permalink):
        blocks.append(section(f"<{escape(permalink)}|{escape(slack_words.SLACK_OPEN_QUESTION)}>"))
    shown = [m for m in near_misses if m.entry.visibility == "public"]
    hidden = len(near_misses) - len(shown)
    if shown or hidden:
        lines = [escape(slack_words.SLACK_NEAR_MISSES)]
        lines += [slack_words.SLACK_NEAR_MISS.format(link=entry_link(m), confidence=m.confidence) for m in shown]
        if hidden:
            lines.append(escape(slack_words.SLACK_PRIVATE_NEAR_MISSES.format(count=hidden)))
        blocks.append(section("\n".join(lines)))
    if answered_with is not None and (answered_with.entry.visibility == "public" or name_private):
        blocks.append(section(escape(slack_words.SLACK_ANSWERED_WITH).format(link=entry_link(answered_with))))
    elif answered_with is not None:
        blocks.append(section(escape(slack_words.SLACK_ANSWERED_PRIVATELY)))
    if not in_dm:
        howto = slack_words.SLACK_THREAD_HOWTO
    elif escalation_id is not None:
        howto = slack_words.SLACK_DM_ANSWER_HOWTO.format(id=escalation_id)
    else:
        howto = slack_words.SLACK_DM_HOWTO
    blocks.append(context(escape(howto)))
    if escalation_id is not None:
        blocks.append(claim_button(escalation_id))
    out = message("", blocks)
    out["text"] = head  # carries the pings, so notifications name the superusers
    return out


def render_ping(text: str, superusers: Sequence[str], escalation_id: int | None) -> Message:
    """A ladder re-ping (the bot's text, commands in Slack's spelling): pings exactly `superusers`, "Claim it"."""
    pings = " ".join(m for m in (user_mention(u) for u in superusers) if m)
    head = f"{pings} {escape(slack_commands(text))}".strip()
    blocks = [section(head)]
    if escalation_id is not None:
        blocks.append(claim_button(escalation_id))
    out = message("", blocks)
    out["text"] = cut(head, TEXT_LIMIT)
    return out


def render_to_asker(text: str, question_id: int | None) -> Message:
    """An update in the asker's thread (a superuser's answer, an expiry); with feedback buttons for the question
    when there is an answer to confirm. The text may quote a person: it is made inert."""
    text = slack_commands(text)
    if question_id is None:
        return message(neutralize_mentions(text))
    body = chunks(neutralize_mentions(text))
    if len(body) > BLOCK_LIMIT - 1:
        body = body[: BLOCK_LIMIT - 1]
    return message(neutralize_mentions(text), [*(section(piece) for piece in body), feedback_buttons(question_id)])
