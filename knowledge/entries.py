"""The knowledge base's data: trusted entries and the matches retrieval returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Visibility = Literal["public", "private"]


@dataclass(frozen=True)
class TrustedReply:
    """Another trusted reply in the entry's thread: one an admin may pin instead of the best (knowledge/curation.py)."""

    id: str
    author: str
    author_id: str
    answer: str
    trust: float = 0.0
    trust_reasons: tuple[str, ...] = ()
    date: str | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrustedReply:
        return cls(**{**data, "trust_reasons": tuple(data.get("trust_reasons", ()))})


@dataclass(frozen=True)
class KnowledgeEntry:
    """A community question with its best trusted, peer-written answer and where it came from."""

    id: str
    title: str
    body: str
    answer: str
    author: str
    author_id: str
    thread_id: str
    source: str
    url: str | None = None
    channel: str | None = None
    visibility: Visibility = "public"
    trust: float = 0.0
    trust_reasons: tuple[str, ...] = ()
    date: str | None = None
    alternatives: tuple[TrustedReply, ...] = ()  # the thread's other trusted replies, most trusted first

    @property
    def question_text(self) -> str:
        return f"{self.title}\n{self.body}".strip()

    def to_dict(self) -> dict[str, Any]:
        data = self.__dict__.copy()
        data["trust_reasons"] = list(self.trust_reasons)
        if self.alternatives:
            data["alternatives"] = [{**r.__dict__, "trust_reasons": list(r.trust_reasons)} for r in self.alternatives]
        else:
            del data["alternatives"]  # most entries have none: their line stays as it was
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> KnowledgeEntry:
        data = dict(data)
        data["trust_reasons"] = tuple(data.get("trust_reasons", ()))
        data["alternatives"] = tuple(TrustedReply.from_dict(r) for r in data.get("alternatives", ()))
        return cls(**data)


@dataclass(frozen=True)
class Audience:
    """Who will see an answer: decides which private entries may be used."""

    public: bool = True
    channel: str | None = None
    private_channels: frozenset[str] = frozenset()
    staff: bool = False  # sees everything: for routing to experts, never for answers

    def may_see(self, entry: KnowledgeEntry) -> bool:
        return self.may_read(entry.visibility, entry.channel)

    def may_read(self, visibility: str, channel: str | None) -> bool:
        """Content with this visibility, from this channel."""
        if visibility == "public" or self.staff:
            return True
        if channel is not None and channel == self.channel:
            return True
        return not self.public and channel in self.private_channels


@dataclass
class Match:
    """One retrieved entry, its calibrated confidence and why it ranked where it did."""

    entry: KnowledgeEntry
    confidence: float
    score: float
    reasons: list[str] = field(default_factory=list)
    features: dict[str, float] = field(default_factory=dict)
