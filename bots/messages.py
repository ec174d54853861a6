"""Every sentence peerbot says to people, in one place. Plain text with light Markdown."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from peerbot.bots.conversation import Verdict
from peerbot.indexer.build import BuildReport
from peerbot.knowledge.entries import Match
from peerbot.knowledge.sanitize import neutralize_mentions

if TYPE_CHECKING:
    from peerbot.bots.recognition import Standing
    from peerbot.bots.schema_live import LiveThread
    from peerbot.bots.state import Review

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
NOT_YOUR_QUESTION = (
    "Sorry, only the person who asked (or a superuser) can say whether this answer helped. "
    "If you have the same question, ask it yourself and I'll answer you."
)
THANKS_UNHELPFUL = 'Thanks for telling me. If you\'d like a person to look at it, choose "Ask a human".'
REINDEX_UNAVAILABLE = "Reindexing isn't available here; run `peerbot index` on the server."
REINDEX_FAILED = "Reindex failed, so the current index keeps serving: {error}"
REINDEX_STARTED = "Reindexing now; I'll tell you here when the new index is live."
REINDEX_BUSY = "A reindex is already running; I'll use the new index as soon as it's done."
NOT_ADMIN = "Sorry, only peerbot admins can do that. Ask an admin, or see the README for how admins are configured."
UNKNOWN_COMMAND = "I don't know the command `{name}`. Try `/help`."
HELP_INTRO = "Ask me anything about {community} and I'll answer with the best trusted answer from the community."
URGENT_FOLLOW_UP = (
    "I can tell this has been frustrating, so I've also asked a person to follow up with you. (escalation #{id})"
)
EXPIRED = (
    "Sorry, nobody from the community could answer escalation #{id} in time. Please ask again with any new details."
)
ALREADY_ESCALATED = "A person has already been asked about that question (escalation #{id}); they'll reply here."
NOT_SUPERUSER = "Only superusers can do that. If you'd like to help, answer in the thread: a superuser can approve it."
CLAIMED = (
    "You've claimed escalation #{id}: nobody else will be pinged. "
    "Reply in the asker's thread or use /answer {id} <text>."
)
ALREADY_CLAIMED = "Escalation #{id} is already claimed by {who}."
NOT_OPEN = "Escalation #{id} is not waiting for an answer (it is {status})."
NO_SUCH_ESCALATION = "There is no escalation #{id}."
ANSWER_RECORDED = (
    "Thanks! Your answer to escalation #{id} is recorded; when the asker confirms it, it joins the knowledge base."
)
ANSWER_TO_ASKER = (
    "A community expert, {who}, answered your question (escalation #{id}):\n\n{answer}\n\n"
    'Did it solve it? Type /solved (or press "This solved it").'
)
CAPTURED = "Thanks! The answer to escalation #{id} is now part of the knowledge base, credited to {who}."
CAPTURED_HELD = (
    "Thanks! The answer to escalation #{id}, credited to {who}, is kept; the bot serves it once a moderator approves "
    "it in the dashboard."
)
NOTHING_TO_ACCEPT = "Escalation #{id} has no answer to accept yet."
SENT_FOR_REVIEW = "Thanks! Your answer is waiting for a superuser's approval (review #{id})."
NO_REVIEWS = "No answers are waiting for review."
APPROVED = "Approved review #{id}: the answer is in the knowledge base, credited to {who}."
NO_SUCH_REVIEW = "There is no pending review #{id}."
APPROVE_USAGE = "Use /approve R (a member's answer, from /review) or /approve KEY (a held thread, from /review)."
NO_SUCH_HELD = "No learnt thread has the key {key} (/review lists the held ones)."
HELD_APPROVED = "Approved {key}: its answer is served from now on."
AWAY = "Got it: no escalation pings for you until you type /back."
BACK = "Welcome back: escalation pings are on again."


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
    lines.append('If none of them solves it, choose "Ask a human" (or type /human) and I\'ll ask a community expert.')
    return "\n".join(lines)


def _wait(minutes: float | None) -> str:
    if minutes is None:
        return ""
    if minutes < 90:
        return f", usually within about {max(1, round(minutes))} minutes"
    return f", usually within about {round(minutes / 60)} hours"


def escalated(
    superusers: Sequence[str], escalation_id: int, reason: str | None, expected_minutes: float | None = None
) -> str:
    """reason None: the asker asked for a person."""
    who = ", ".join(superusers) if superusers else "the community team"
    wait = _wait(expected_minutes)
    if reason is None:
        return f"I've passed your question to {who}. Someone will reply here{wait}. (escalation #{escalation_id})"
    return (
        f"I couldn't find a trusted community answer to this ({reason}), so I've asked {who}. "
        f"Someone will reply here{wait}. (escalation #{escalation_id})"
    )


def ping(escalation_id: int, question: str, urgent: bool, reminder: bool = False) -> str:
    """What a pinged superuser reads (the adapter adds the mentions)."""
    flag = "URGENT: " if urgent else ""
    again = "Still waiting: " if reminder else ""
    text = neutralize_mentions(question.strip())
    if len(text) > 500:
        text = text[:500].rstrip() + "…"
    return f"{again}{flag}escalation #{escalation_id} needs a person.\n> {text}\nClaim it with /claim {escalation_id}."


def leaderboard(standings: Sequence[Standing], period: str) -> str:
    if not standings:
        return f"No points earned {period} yet."
    lines = [f"Top community helpers {period}:"]
    for n, s in enumerate(standings, start=1):
        badges = f" · {', '.join(s.badges)}" if s.badges else ""
        lines.append(f"{n}. {s.name}: {s.points} points ({s.rank}){badges}")
    return "\n".join(lines)


def reviews(pending: Sequence[Review], held: Sequence[LiveThread] = ()) -> str:
    """Member answers waiting for approval, then threads learnt live and held (live.unvetted = "review")."""
    if not pending and not held:
        return NO_REVIEWS
    lines = []
    if pending:
        lines.append("Answers waiting for approval (/approve R):")
        for r in pending:
            lines.append(
                f"R{r.id} for escalation #{r.escalation_id} by {r.author_name}: {neutralize_mentions(r.answer)[:200]}"
            )
    if held:
        lines.append("Threads learnt in chat, held for approval (/approve KEY):")
        for t in held:
            answers = [r for r in t.record.get("replies") or [] if r.get("accepted") or r.get("score")]
            title = str(t.record.get("title", ""))[:120]
            answer = (
                f", answered by {answers[0].get('author')}: {str(answers[0].get('text', ''))[:200]}" if answers else ""
            )
            lines.append(neutralize_mentions(f"{t.key}: {title}{answer}"))
    return "\n".join(lines)


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
        f"({report.added} added, {report.changed} changed, {report.removed} removed; "
        f"{report.embedded} embedded anew) in {report.seconds:.1f}s (index version {report.version})."
    )


ON_IT = "{who} is on it"
ASKED = "I've asked {who}"
ALREADY_WAITING = "You asked this already: it is escalation #{id}, and {who}. The answer will come in that thread."
THROTTLED = (
    "You've passed {limit} questions to people in the last hour, the most I can, so I haven't pinged anyone for "
    "this one. Your question is recorded; please try again later."
)


def joined(askers: int, who: str, escalation_id: int) -> str:
    """A question that joined an open escalation: nobody pinged again; the answer comes here too."""
    return (
        f"{askers} people asked this; {who}. You'll get the answer here too, nobody else needs pinging. "
        f"(escalation #{escalation_id})"
    )


NOTHING_TO_SPLIT = "Nobody joined escalation #{id}: there is nothing to split."
SPLIT = "Split escalation #{id}: the askers who joined it have their own now ({ids}), and they were told."
SPAMMER_MARKED = "{who} is marked as a spammer: their messages are ignored and never become knowledge."
SPAMMER_UNMARKED = "{who} is no longer marked as a spammer."
NOT_A_SPAMMER = "{who} was not marked as a spammer."
SPAMMER_USAGE = "Name the member: /spammer USER (their id as the platform sends it), or /unspammer USER."

ASK_ANYWAY_LABEL = "Ask a human anyway"
OUT_OF_SCOPE = (
    "That looks outside what this community covers{topics}, so I haven't pinged anyone. If it is about this "
    'community after all, choose "Ask a human anyway" (or send /human) and a community expert will take a look.'
)


def out_of_scope(topics: Sequence[str]) -> str:
    """The polite "not here" for a question far from everything the community talks about."""
    return OUT_OF_SCOPE.format(topics=f" ({', '.join(topics)})" if topics else "")


FEEDBACK_LABELS = {Verdict.SOLVED: "This solved it", Verdict.UNHELPFUL: "Not helpful", Verdict.HUMAN: "Ask a human"}
ALERT_QUESTION_CHARS = 1000


def escalation_alert(
    *,
    escalation_id: int | None,
    asker: str,
    question: str,
    reply_at: str | None,
    near_misses: Sequence[Match],
) -> str:
    """The note to superusers (pings are added by the adapter): who asked what, where to reply, near misses."""
    text = neutralize_mentions(question.strip())
    if len(text) > ALERT_QUESTION_CHARS:
        text = text[:ALERT_QUESTION_CHARS].rstrip() + "…"
    number = f" #{escalation_id}" if escalation_id is not None else ""
    lines = [f"Escalation{number}: {asker} needs a person to answer this."]
    lines += [f"> {line}" for line in (text.splitlines() or [""])]
    if reply_at:
        lines.append(f"Reply in their thread: {reply_at}")
    if near_misses:
        lines.append("Closest community threads (not good enough to answer with):")
        lines += [f"{n}. {link(m)} (match {m.confidence:.0%})" for n, m in enumerate(near_misses, start=1)]
    return "\n".join(lines)


# live capture: the asker marks a member's reply as the answer ("This solved it" on a message)
LIVE_LEARNED = "Thanks! {who}'s reply is now part of the knowledge base, credited to them."
LIVE_HELD = "Thanks! {who}'s reply is kept and will be used once the community's kudos vouch for it."
LIVE_ONLY_ASKER = "Only the person who asked this thread's question can say which reply solved it."
LIVE_NOT_A_REPLY = "Pick someone else's reply in the thread of your question."
LIVE_UNUSABLE = "That reply cannot become an answer (it is empty or its author asked to be forgotten)."

# a member's opt-out: /forget me
FORGET_HOW = "To remove everything I keep of you and keep you out from now on, type /forget me (it cannot be undone)."
FORGOT_YOU = "Done: I removed what I kept of you and will keep you out of the knowledge base. {summary}"
NOTHING_OF_YOU = "I keep nothing of yours; you are kept out of the knowledge base from now on."
FORGET_UNAVAILABLE = "Forgetting is not available here; ask an admin to run `peerbot forget`."
