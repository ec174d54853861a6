"""Which replies are trusted enough to become answers, and how much."""

from __future__ import annotations

from dataclasses import dataclass, field

from peerbot.indexer.sources.base import Post, Thread
from peerbot.knowledge.entries import KnowledgeEntry, TrustedReply
from peerbot.knowledge.sanitize import clean_text

MAX_QUESTION_CHARS = 4000
MAX_ANSWER_CHARS = 12000
MAX_ALTERNATIVES = 4  # other trusted replies kept with an entry, for an admin to pin one


@dataclass(frozen=True)
class TrustPolicy:
    """An accepted answer, a reply with at least `min_kudos`, a superuser's reply, or one labelled good.

    Replies labelled bad, with a negative score, or empty never become answers.
    """

    min_kudos: int = 5
    superusers: frozenset[str] = field(default_factory=frozenset)  # community author ids or names
    forgotten: frozenset[str] = field(default_factory=frozenset)  # authors (ids or names, lower case) kept out

    def is_forgotten(self, author: str, author_id: str) -> bool:
        return bool(self.forgotten) and (author.lower() in self.forgotten or author_id.lower() in self.forgotten)

    def keeps(self, entry: KnowledgeEntry) -> bool:
        """False for an entry whose answer is by a forgotten author."""
        return not self.is_forgotten(entry.author, entry.author_id)

    def __post_init__(self) -> None:
        if self.min_kudos < 1:
            raise ValueError(f"min_kudos must be at least 1, got {self.min_kudos}")

    def assess(self, post: Post) -> tuple[float, tuple[str, ...]]:
        """Trust in 0..1 and the reasons; 0 means the post is not trusted."""
        if post.label == "bad" or post.score < 0 or not post.text.strip():
            return 0.0, ()
        if self.is_forgotten(post.author, post.author_id):
            return 0.0, ()
        signals: list[tuple[float, str]] = []
        if post.accepted:
            signals.append((0.9, "accepted answer"))
        if post.author_id in self.superusers or post.author in self.superusers:
            signals.append((0.8, f"by superuser {post.author}"))
        if post.label == "good":
            signals.append((0.75, "labelled good"))
        if post.score >= self.min_kudos:
            strength = min(1.0, (post.score - self.min_kudos) / (3 * self.min_kudos))
            signals.append((0.5 + 0.4 * strength, f"{post.score} kudos"))
        if not signals:
            return 0.0, ()
        doubt = 1.0
        for weight, _ in signals:
            doubt *= 1 - weight
        return round(1 - doubt, 4), tuple(reason for _, reason in signals)

    def entry_for(self, thread: Thread, source: str) -> KnowledgeEntry | None:
        """The thread's best trusted reply as an entry, or None when nothing is trusted."""
        trusted: list[tuple[float, int, int, Post, tuple[str, ...]]] = []
        for order, post in enumerate(thread.replies):
            trust, reasons = self.assess(post)
            if trust > 0:
                trusted.append((trust, post.score, -order, post, reasons))
        if not trusted or not (thread.title.strip() or thread.body.strip()):
            return None
        if self.is_forgotten(thread.author, thread.author_id):  # their question is their content too
            return None
        trusted.sort(key=lambda t: t[:3], reverse=True)
        trust, _, _, post, reasons = trusted[0]
        if post.provenance:
            reasons = (*reasons, post.provenance)
        return KnowledgeEntry(
            id=f"{source}:{thread.id}",
            title=clean_text(thread.title)[:500],
            body=clean_text(thread.body)[:MAX_QUESTION_CHARS],
            answer=clean_text(post.text)[:MAX_ANSWER_CHARS],
            author=post.author,
            author_id=post.author_id,
            thread_id=thread.id,
            source=source,
            url=thread.url,
            channel=thread.channel,
            visibility=thread.visibility,
            trust=trust,
            trust_reasons=reasons,
            date=post.date,
            alternatives=tuple(_alternative(t, p, r) for t, _, _, p, r in trusted[1 : 1 + MAX_ALTERNATIVES]),
        )


def _alternative(trust: float, post: Post, reasons: tuple[str, ...]) -> TrustedReply:
    return TrustedReply(
        id=post.id,
        author=post.author,
        author_id=post.author_id,
        answer=clean_text(post.text)[:MAX_ANSWER_CHARS],
        trust=trust,
        trust_reasons=(*reasons, post.provenance) if post.provenance else reasons,
        date=post.date,
    )
