"""The control room's data (issue #18): the knowledge base browser and its curation, the escalation inbox and the
audit log. Every change is one store call that also lands in the audit log (who, what, when, before and after)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from peerbot.bots import app as wiring
from peerbot.bots import messages
from peerbot.bots.conversation import WAITING, EscalationStatus
from peerbot.bots.dashboard.service import DashboardData
from peerbot.bots.held import HeldAnswer, NotHeld, decide, held_answers
from peerbot.bots.merging import to_every_asker
from peerbot.bots.schema import Escalation
from peerbot.bots.state_control import AuditEntry, Curation, EntryUsage
from peerbot.bots.web_notices import queue
from peerbot.indexer.trust import TrustPolicy
from peerbot.knowledge.curation import pin
from peerbot.knowledge.entries import KnowledgeEntry
from peerbot.knowledge.neutralize import inert_entry

PAGE_SIZE = 50
USAGE_SECONDS = 30.0  # the knowledge base list's counts may be this old
INBOX_VIEWS: dict[str, tuple[str, ...]] = {
    "waiting": tuple(WAITING),
    "answered": (EscalationStatus.ANSWERED,),
    "expired": (EscalationStatus.EXPIRED,),
    "resolved": (EscalationStatus.RESOLVED,),
    "all": tuple(EscalationStatus),
}
CLOSED_TEXT = "The community team closed escalation #{id}. If you still need help, please ask again."


class ActionRefused(ValueError):
    """A change the entry or escalation's state does not allow; the message says why."""


@dataclass(frozen=True)
class EntryRow:
    entry: KnowledgeEntry  # inert: safe to show
    served: int
    solved: int
    unhelpful: int
    curation: Curation | None

    @property
    def hidden(self) -> bool:
        return bool(self.curation and self.curation.hidden)

    @property
    def edited(self) -> str | None:
        return self.curation.answer if self.curation else None

    @property
    def held(self) -> bool:
        return bool(self.curation and self.curation.held)

    @property
    def pinned(self) -> str | None:
        """The id of the thread's reply served instead of its most trusted one (when the thread still has it)."""
        reply = self.curation.pinned_reply if self.curation else None
        return reply if reply and any(r.id == reply for r in self.entry.alternatives) else None

    @property
    def served_entry(self) -> KnowledgeEntry:
        """The entry as the bot serves it: the pinned reply's author and trust when one is pinned."""
        return pin(self.entry, self.pinned)

    @property
    def served_answer(self) -> str:
        """What the bot serves for this entry: the edited text, else the pinned reply's, else the most trusted's."""
        pinned = next((r.answer for r in self.entry.alternatives if r.id == self.pinned), None)
        return self.edited or pinned or self.entry.answer

    def replies(self) -> list[tuple[str | None, str, str, float, tuple[str, ...]]]:
        """The thread's trusted replies as (reply id or None for the most trusted, author, text, trust, reasons),
        the one served first."""
        e = self.entry
        best = (None, e.author, e.answer, e.trust, e.trust_reasons)
        others = [(r.id, r.author, r.answer, r.trust, r.trust_reasons) for r in e.alternatives]
        pinned = [o for o in others if o[0] == self.pinned]
        return [*pinned, best, *[o for o in others if o[0] != self.pinned]] if pinned else [best, *others]


@dataclass(frozen=True)
class InboxRow:
    escalation: Escalation
    age: timedelta
    step: str  # where on the ping ladder
    pinged: tuple[str, ...]  # names
    claimed_by: str | None
    answered_by: str | None


class ControlRoom:
    def __init__(self, data: DashboardData) -> None:
        self.data = data
        self.store = data.store
        self.settings = data.settings
        self.names = {s.community_id: s.name for s in data.settings.superusers}
        self._usage_at: tuple[float, dict[str, EntryUsage]] | None = None

    # -- the knowledge base ---------------------------------------------------------------------------------

    def entries(self, q: str = "", show: str = "all", page: int = 1) -> tuple[list[EntryRow], int]:
        """Entries matching `q` (title, question, answer, author, source, id), not-helpful first, then most
        served; `show`: all / hidden / edited. Returns one page and the number that matched."""
        kb = self.data.knowledge.current()
        if kb is None:
            return [], 0
        usage = self._usage()
        curations = self.store.curations()
        needle = q.strip().lower()
        rows = []
        for entry in kb.entries:
            c = curations.get(entry.id)
            if show == "hidden" and not (c and c.hidden):
                continue
            if show == "edited" and not (c and c.answer is not None):
                continue
            text = (entry.title, entry.body, c.answer if c and c.answer else entry.answer, entry.author, entry.id)
            if needle and not any(needle in t.lower() for t in text):
                continue
            served, solved, unhelpful = usage.get(entry.id, (0, 0, 0))
            rows.append((entry, served, solved, unhelpful, c))
        rows.sort(key=lambda r: (-r[3], -r[1], r[0].title.lower()))
        start = (max(page, 1) - 1) * PAGE_SIZE
        shown = [EntryRow(inert_entry(e), n, s, u, c) for e, n, s, u, c in rows[start : start + PAGE_SIZE]]
        return shown, len(rows)

    def _usage(self) -> dict[str, EntryUsage]:
        """Served / solved / not helpful per entry, counted at most every USAGE_SECONDS (a full pass over the
        questions' index: about 0.1 s at 100,000 questions)."""
        now = time.monotonic()
        if self._usage_at is None or now - self._usage_at[0] > USAGE_SECONDS:
            self._usage_at = (now, self.store.entry_usage())
        return self._usage_at[1]

    def entry(self, entry_id: str) -> EntryRow | None:
        kb = self.data.knowledge.current()
        found = kb.find(entry_id) if kb else None
        if found is None:
            return None
        served, solved, unhelpful = self.store.entry_usage(entry_id).get(entry_id, (0, 0, 0))
        return EntryRow(inert_entry(found), served, solved, unhelpful, self.store.curations().get(entry_id))

    def history(self, target: str) -> list[AuditEntry]:
        return self.store.audit_log(limit=50, target=target)

    def set_hidden(self, entry_id: str, hidden: bool, admin: str) -> Curation:
        self._known(entry_id)
        return self.store.curate(entry_id, admin, "hide entry" if hidden else "unhide entry", hidden=hidden)[1]

    def edit_answer(self, entry_id: str, answer: str | None, admin: str) -> Curation:
        """The served answer text from now on (kept across reindexes); None or blank restores the source's."""
        self._known(entry_id)
        text = answer.strip() if answer else ""
        action = "edit answer" if text else "restore answer"
        return self.store.curate(entry_id, admin, action, answer=text.replace("\r\n", "\n") or None)[1]

    def pin(self, entry_id: str, reply_id: str | None, admin: str) -> Curation:
        """Serve the thread's reply `reply_id` for this entry from the next question on (kept across reindexes);
        None unpins (the most trusted reply again)."""
        found = self._known(entry_id)
        if reply_id and not any(r.id == reply_id for r in found.alternatives):
            raise ActionRefused(f"the thread of {entry_id!r} has no other trusted reply {reply_id!r}")
        action = "pin answer" if reply_id else "unpin answer"
        return self.store.curate(entry_id, admin, action, pinned_reply=reply_id or None)[1]

    def _known(self, entry_id: str) -> KnowledgeEntry:
        kb = self.data.knowledge.current()
        found = kb.find(entry_id) if kb is not None else None
        if found is None:
            raise ActionRefused(f"there is no entry {entry_id!r} in the serving index")
        return found

    # -- answers held for approval (curation.approve_before_serving) ----------------------------------------

    def held(self, limit: int = 2 * PAGE_SIZE) -> tuple[list[HeldAnswer], int]:
        """The oldest `limit` answers waiting for approval, and how many wait."""
        return held_answers(self.store, wiring.captured_path(self.settings), self._policy(), limit)

    def decide(self, kind: str, key: str, approve: bool, admin: str) -> str:
        """Approve (served at once; a learned thread on the bot's next timer tick) or reject a held answer."""
        try:
            return decide(self.store, kind, key, approve, admin, self._policy())
        except NotHeld as exc:
            raise ActionRefused(str(exc)) from exc

    def _policy(self) -> TrustPolicy:
        return wiring.trust_policy(self.settings, self.store)

    # -- the escalation inbox -------------------------------------------------------------------------------

    def inbox(self, view: str = "waiting", page: int = 1) -> list[InboxRow]:
        statuses = INBOX_VIEWS.get(view, INBOX_VIEWS["waiting"])
        found = self.store.inbox(statuses, PAGE_SIZE, (max(page, 1) - 1) * PAGE_SIZE)
        return [self._inbox_row(e) for e in found]

    def counts(self) -> dict[str, int]:
        return self.store.escalation_counts()

    def escalation(self, escalation_id: int) -> InboxRow | None:
        found = self.store.escalation(escalation_id)
        return self._inbox_row(found) if found else None

    def _inbox_row(self, e: Escalation) -> InboxRow:
        ladder = self.settings.escalation.ladder_minutes
        if e.status not in WAITING:
            step = "–"
        elif e.status == EscalationStatus.CLAIMED:
            step = "claimed"
        elif e.level >= len(ladder):
            step = "everyone pinged"
        else:
            step = f"step {e.level + 1} of {len(ladder) + 1}"
            if e.next_ping_at is not None:
                step += f", next ping {e.next_ping_at:%Y-%m-%d %H:%M}"
        return InboxRow(
            escalation=e,
            age=self.data.clock() - e.created_at,
            step=step,
            pinged=tuple(self.name(c) for c in e.superusers),
            claimed_by=self.name(e.claimed_by) if e.claimed_by else None,
            answered_by=self.name(e.answered_by) if e.answered_by else None,
        )

    def name(self, who: str) -> str:
        return self.names.get(who) or who.removeprefix("admin:")

    def _superuser(self, community_id: str) -> str:
        if community_id not in self.names:
            raise ActionRefused(f"{community_id!r} is not a configured superuser")
        return community_id

    def assign(self, escalation_id: int, superuser: str, admin: str) -> Escalation:
        """Claim it for a superuser, or reassign a claimed one (nobody else is pinged again)."""
        changed = self.store.assign_escalation(escalation_id, self._superuser(superuser))
        if changed is None:
            raise self._not_waiting(escalation_id)
        before, after = changed
        action = "reassign escalation" if before.claimed_by else "claim escalation"
        self.store.audit(admin, action, f"escalation {escalation_id}", _esc(before), _esc(after))
        return after

    def answer(self, escalation_id: int, text: str, admin: str, as_superuser: str | None = None) -> Escalation:
        """A person's answer from the web: recorded like a chat answer, and delivered to the asker's thread by the
        running bot (its next timer tick) as if it came from chat."""
        text = text.strip().replace("\r\n", "\n")
        if not text:
            raise ActionRefused("the answer is empty")
        who = self._superuser(as_superuser) if as_superuser else f"admin:{admin}"
        before = self.store.escalation(escalation_id)
        after = self.store.answer_escalation(escalation_id, who, text)
        if before is None or after is None:
            raise self._not_waiting(escalation_id)
        message = messages.ANSWER_TO_ASKER.format(who=self.name(who), id=escalation_id, answer=text)
        for notice in to_every_asker(self.store, after, message, answered=True):  # askers who joined it too
            queue(self.store, notice)
        self.store.audit(admin, "answer escalation", f"escalation {escalation_id}", _esc(before), _esc(after))
        return after

    def close(self, escalation_id: int, admin: str) -> Escalation:
        changed = self.store.close_escalation(escalation_id)
        if changed is None:
            raise self._not_waiting(escalation_id, "open, claimed or answered")
        before, after = changed
        if after.status == EscalationStatus.EXPIRED:  # the asker was waiting: tell them
            for notice in to_every_asker(self.store, after, CLOSED_TEXT.format(id=escalation_id)):
                queue(self.store, notice)
        self.store.audit(admin, "close escalation", f"escalation {escalation_id}", _esc(before), _esc(after))
        return after

    def _not_waiting(self, escalation_id: int, wanted: str = "open or claimed") -> ActionRefused:
        found = self.store.escalation(escalation_id)
        if found is None:
            return ActionRefused(f"there is no escalation #{escalation_id}")
        return ActionRefused(f"escalation #{escalation_id} is {found.status}, not {wanted}")

    # -- the audit log --------------------------------------------------------------------------------------

    def audit(self, page: int = 1) -> list[AuditEntry]:
        return self.store.audit_log(PAGE_SIZE, (max(page, 1) - 1) * PAGE_SIZE)


def _esc(e: Escalation) -> dict[str, Any]:
    """What the audit log keeps of an escalation."""
    keep = ("status", "claimed_by", "answered_by", "answer")
    return {k: getattr(e, k) for k in keep}


def age_text(age: timedelta) -> str:
    minutes = age.total_seconds() / 60
    if minutes < 90:
        return f"{minutes:.0f} min"
    if minutes < 48 * 60:
        return f"{minutes / 60:.1f} h"
    return f"{minutes / 1440:.1f} d"


def when(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value else "–"
