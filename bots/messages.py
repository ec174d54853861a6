"""Every sentence peerbot says to people, in one place. Plain text with light Markdown."""

from __future__ import annotations

from collections.abc import Sequence

from indexer.build import BuildReport
from knowledge.entries import Match
from knowledge.sanitize import neutralize_mentions

EMPTY_QUESTION = "I didn't catch a question there. Type what you need help with and I'll look for a community answer."
APOLOGY = (
    "Sorry, something went wrong on my side while looking for an answer. I've logged it; please try again in a minute."
)
TRUNCATED = (
    "(Your message was long, so I searched with its first {limit:,} characters; "
    "the whole text is kept for the people who follow up.)"
)
NOTHING_TO_ESCALATE = "There's no earlier question of yours to pass on. Ask it here first."
UNKNOWN_QUESTION = "I can't find that question any more, so I couldn't record your feedback."
THANKS_SOLVED = "Great, glad that solved it! Thanks for letting us know; it helps the next person too."
THANKS_UNHELPFUL = 'Thanks for telling me. If you\'d like a person to look at it, choose "Ask a human".'
REINDEX_UNAVAILABLE = "Reindexing isn't available here; run `peerbot index` on the server."
REINDEX_BUSY = "A reindex is already running; I'll use the new index as soon as it's done."
NOT_ADMIN = "Sorry, only peerbot admins can do that. Ask an admin, or see the README for how admins are configured."
UNKNOWN_COMMAND = "I don't know the command `{name}`. Try `/help`."
HELP = """Ask me anything about {community} and I'll answer with the best trusted answer from the community.
Commands:
  /help     this text
  /human    pass your last question to a person (a community superuser)
  /stats    what I've done so far"""


def credit(match: Match) -> str:
    entry = match.entry
    reasons = ", ".join(entry.trust_reasons)
    return f"— {entry.author or 'a community member'} ({reasons})" if reasons else f"— {entry.author}"


def link(match: Match) -> str:
    entry = match.entry
    title = neutralize_mentions(entry.title)
    return f'"{title}" {entry.url}' if entry.url else f'"{title}" (thread {entry.thread_id})'


def answer(match: Match) -> str:
    return "\n".join(
        [
            f"Here's what the community says (confidence {match.confidence:.0%}):",
            "",
            neutralize_mentions(match.entry.answer),
            "",
            credit(match),
            f"Source: {link(match)}",
        ]
    )


def suggestions(matches: Sequence[Match]) -> str:
    lines = ["I'm not sure enough to answer outright, but these community threads may help:"]
    lines += [f"{n}. {link(m)} (match {m.confidence:.0%})" for n, m in enumerate(matches, start=1)]
    lines.append("If none of them solves it, type /human and I'll ask a community expert.")
    return "\n".join(lines)


def escalated(superusers: Sequence[str], escalation_id: int, reason: str | None) -> str:
    """reason None: the asker asked for a person."""
    who = ", ".join(superusers) if superusers else "the community team"
    if reason is None:
        return f"I've passed your question to {who}. Someone will reply here. (escalation #{escalation_id})"
    return (
        f"I couldn't find a trusted community answer to this ({reason}), so I've asked {who}. "
        f"Someone will reply here. (escalation #{escalation_id})"
    )


def stats(counts: dict[str, int], open_escalations: int, entries: int, version: str) -> str:
    asked = sum(counts.get(k, 0) for k in ("answer", "suggest", "escalate"))
    return "\n".join(
        [
            f"Questions: {asked} (answered {counts.get('answer', 0)}, threads suggested {counts.get('suggest', 0)}, "
            f"escalated {counts.get('escalate', 0)})",
            f"Open escalations: {open_escalations}",
            f"Knowledge base: {entries} trusted entries (index version {version})",
        ]
    )


def reindexed(report: BuildReport) -> str:
    problems = f", {len(report.problems)} unreadable records skipped" if report.problems else ""
    return (
        f"Reindexed: {report.entries} trusted entries from {report.threads} threads{problems} "
        f"in {report.seconds:.1f}s (index version {report.version})."
    )
