"""What flows between adapters and the bot: a Question in, a Reply out."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from peerbot.knowledge.entries import Audience, Match
from peerbot.knowledge.sanitize import clean_input


@dataclass(frozen=True)
class Question:
    """A customer's message, already taken out of the chat platform's payload."""

    text: str
    asker: str
    platform: str = "console"
    channel: str | None = None
    public: bool = True  # asked where anyone can read the answer
    private_channels: frozenset[str] = frozenset()  # private channels the asker may read
    asker_name: str | None = None
    thread: str | None = None  # where the conversation continues (the platform's thread reference)
    event_id: str | None = None  # the platform's id for deduplicating redelivered events
    admin: bool = False  # the platform says the asker is a peerbot admin (may use admin commands)
    channel_name: str | None = None  # the channel's name as the platform says it (the dashboard shows it)

    def __post_init__(self) -> None:
        """Every adapter's text is cleaned here, at the core's entry: invalid UTF-8, lone surrogates, NUL."""
        for name in ("text", "asker", "asker_name", "channel_name"):
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, clean_input(value))

    def place(self) -> dict[str, Any]:
        """Where and by whom it was asked, as the state store records a question."""
        return {
            "platform": self.platform,
            "channel": self.channel,
            "thread": self.thread,
            "public": self.public,
            "asker": self.asker,
            "event_id": self.event_id,
        }

    def to_payload(self) -> dict[str, Any]:
        """JSON-ready, so another replica can handle the question if this one dies."""
        data = asdict(self)
        data["private_channels"] = sorted(self.private_channels)
        return data

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> Question:
        return cls(**{**data, "private_channels": frozenset(data.get("private_channels", ()))})

    @property
    def audience(self) -> Audience:
        return Audience(public=self.public, channel=self.channel, private_channels=self.private_channels)


class Verdict(StrEnum):
    """The asker's button press under an answer."""

    SOLVED = "solved"  # "This solved it"
    UNHELPFUL = "unhelpful"  # "Not helpful"
    HUMAN = "human"  # "Ask a human"


class EscalationStatus(StrEnum):
    """open -> claimed -> answered -> resolved, or expired when nobody answered in time."""

    OPEN = "open"
    CLAIMED = "claimed"
    ANSWERED = "answered"
    RESOLVED = "resolved"
    EXPIRED = "expired"


WAITING = (EscalationStatus.OPEN, EscalationStatus.CLAIMED)  # waiting for a person's answer
HUMAN_ANSWERED = (EscalationStatus.ANSWERED, EscalationStatus.RESOLVED)


class Outcome(StrEnum):
    ANSWER = "answer"  # a confident, trusted peer answer
    SUGGEST = "suggest"  # threads that may help
    ESCALATE = "escalate"  # superusers asked
    OUT_OF_SCOPE = "out_of_scope"  # far from everything the community talks about: nobody pinged ("Ask a human anyway")
    THROTTLED = "throttled"  # the asker reached conversation.max_escalations_per_hour: nobody pinged
    INVALID = "invalid"  # nothing to answer (empty message)
    COMMAND = "command"
    REFUSED = "refused"  # not for this user (another asker's buttons): said privately, nothing recorded
    ERROR = "error"  # something broke; the asker got an apology


@dataclass(frozen=True)
class EscalationNote:
    """What the superusers' note about an escalation shows, handed to the adapter with the Reply."""

    id: int
    question_id: int
    question: str  # the asker's whole text
    asker: str
    platform: str
    channel: str | None  # where it was asked: the asker hears back there
    thread: str | None
    public: bool
    urgent: bool
    notify: tuple[str, ...]  # superuser community ids pinged first


@dataclass
class Reply:
    """What the bot says back; adapters render `text` or build richer messages from the rest."""

    outcome: Outcome
    text: str
    matches: list[Match] = field(default_factory=list)
    question_id: int | None = None
    escalation_id: int | None = None
    notify: list[str] = field(default_factory=list)  # superuser community ids to ping
    truncated: bool = False
    urgent: bool = False  # the asker sounds upset: a person follows up even when there is an answer
    escalation: EscalationNote | None = None  # set when this reply opened an escalation
    lead: str | None = None  # the line `text` starts with before an answer (a follow-up's "Sorry that didn't help")

    @property
    def escalated(self) -> bool:
        """Superusers were asked: no trusted answer, or an upset asker whom a person follows up."""
        return self.escalation is not None and (self.outcome is Outcome.ESCALATE or self.urgent)

    def to_outbox(self) -> dict[str, Any]:
        """JSON-ready, kept with its event until it was sent (the matches are not kept: the text names them)."""
        note = asdict(self.escalation) if self.escalation else None
        return {
            "outcome": self.outcome.value,
            "text": self.text,
            "question_id": self.question_id,
            "escalation_id": self.escalation_id,
            "notify": list(self.notify),
            "truncated": self.truncated,
            "urgent": self.urgent,
            "escalation": note,
        }

    @classmethod
    def from_outbox(cls, data: dict[str, Any]) -> Reply:
        note = data.get("escalation")
        escalation = EscalationNote(**{**note, "notify": tuple(note["notify"])}) if note else None
        return cls(
            Outcome(data["outcome"]),
            data["text"],
            question_id=data.get("question_id"),
            escalation_id=data.get("escalation_id"),
            notify=list(data.get("notify", ())),
            truncated=bool(data.get("truncated")),
            urgent=bool(data.get("urgent")),
            escalation=escalation,
        )
