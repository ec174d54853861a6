"""`peerbot forget AUTHOR`: remove an author from every place peerbot keeps content, and keep them out.

Every kept index version is rewritten without their entries (so making an older version current, or falling
back to it when the current one is damaged, cannot bring them back), captured.jsonl loses their threads and
answers, and the state store their questions, escalations, answers, reviews, feedback, points and badges (the
dashboard's tables and CSV exports read the store). Later reindexes leave them out (the trust policy).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from peerbot.bots import app as wiring
from peerbot.bots.capture import forget_in_captured
from peerbot.bots.config import Settings, Superuser
from peerbot.bots.identity import accounts
from peerbot.bots.state import Forgotten, StateStore
from peerbot.errors import UnknownAuthor
from peerbot.indexer.publish import build_lock, scrub
from peerbot.knowledge.entries import KnowledgeEntry


@dataclass(frozen=True)
class ForgetReport:
    author: str
    index_versions: dict[str, int]  # version -> entries removed
    captured: int  # captured.jsonl records removed or changed
    store: Forgotten
    live: int = 0  # threads learned live from chat that they asked or replied in

    @property
    def found(self) -> bool:
        return bool(sum(self.index_versions.values()) or self.captured or self.live or self.store.total)

    def summary(self) -> str:
        versions = ", ".join(f"{v}: {n}" for v, n in self.index_versions.items()) or "none"
        s = self.store
        return (
            f"Forgot {self.author}: index entries removed per version ({versions}); {self.captured} captured answers;"
            f" {self.live} threads learned live;"
            f" {s.questions} questions, {s.escalations} escalations, {s.answers} answers, {s.reviews} reviews,"
            f" {s.feedback} feedback, {s.points} point awards, {s.badges} badges."
        )


def _names_of(person: Superuser) -> set[str]:
    """What `peerbot forget` may be given for a configured person: their name or any of their accounts."""
    return {person.name.lower(), *(account.lower() for account in accounts(person).values())}


def forget_everywhere(settings: Settings, store: StateStore, author: str) -> ForgetReport:
    """Remove `author` everywhere; raise UnknownAuthor (changing nothing) when peerbot keeps nothing of them. A
    configured superuser, named by any of their accounts or their name, is forgotten under all of them."""
    who = author.lower()
    person = next((s for s in settings.superusers if who in _names_of(s)), None)
    names = _names_of(person) if person is not None else {who}
    before = set(store.forgotten_authors())

    def theirs(entry: KnowledgeEntry) -> bool:
        return entry.author.lower() in names or entry.author_id.lower() in names

    with build_lock(wiring.index_dir(settings)):
        versions = scrub(wiring.index_dir(settings), theirs)
        captured = sum(forget_in_captured(wiring.captured_path(settings), name) for name in sorted(names))
        removed = _together([store.forget_author(name) for name in sorted(names)])
        if person is not None:
            store.forget_rewards(person.community_id)  # the club role goes on the bot's next round (bots/rewards.py)
        live = sum(store.forget_live(name) for name in sorted(names))
    report = ForgetReport(author, versions, captured, removed, live)
    if not report.found and who not in before:
        for name in names - before:
            store.unforget_author(name)
        raise UnknownAuthor(author, "peerbot keeps nothing by this author (no index entry, captured answer or record)")
    return report


def _together(parts: list[Forgotten]) -> Forgotten:
    return Forgotten(*(sum(getattr(p, f.name) for p in parts) for f in fields(Forgotten)))
