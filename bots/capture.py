"""Turn a human answer to an escalation into trusted knowledge: served in seconds, kept by every reindex.

The answer is appended to a JSONL thread file (the `captured` source every full reindex reads) and
added to the serving index at once, without a rebuild.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from pathlib import Path

from peerbot.bots.state import Escalation
from peerbot.indexer.sources.jsonl import JsonlThreadSource, ReplyRecord, ThreadRecord, to_thread
from peerbot.indexer.trust import TrustPolicy
from peerbot.knowledge.base import KnowledgeBase
from peerbot.knowledge.embedder import Embedder
from peerbot.knowledge.entries import KnowledgeEntry
from peerbot.knowledge.retriever import HybridRetriever

SOURCE_NAME = "captured"


def thread_record(escalation: Escalation, answer: str, author: str, author_id: str, date: str) -> ThreadRecord:
    title = escalation.question.strip().splitlines()[0][:200] if escalation.question.strip() else "question"
    return ThreadRecord(
        id=f"esc-{escalation.id}",
        title=title,
        body=escalation.question,
        author=escalation.asker,
        author_id=escalation.asker,
        date=escalation.created_at.isoformat(),
        channel=escalation.channel,
        visibility="public" if escalation.public else "private",
        tags=["escalation"],
        replies=[
            ReplyRecord(
                id=f"esc-{escalation.id}-answer",
                author=author,
                author_id=author_id,
                text=answer,
                date=date,
                accepted=True,
            )
        ],
    )


class Capture:
    def __init__(
        self,
        path: Path,
        policy: TrustPolicy,
        retriever: HybridRetriever,
        hold: Callable[[str], object] | None = None,
    ) -> None:
        self.path = path
        self.policy = policy
        self.retriever = retriever
        self.hold = hold  # curation.approve_before_serving: marks an entry held (bots/held.py) before it is kept
        self._lock = threading.Lock()

    def capture(self, escalation: Escalation, answer: str, author: str, author_id: str, date: str) -> KnowledgeEntry:
        """An accepted human answer to an escalation, as a trusted entry."""
        return self.add(thread_record(escalation, answer, author, author_id, date))

    def add(self, record: ThreadRecord) -> KnowledgeEntry:
        """Persist first (a crash after this still keeps it for the next reindex), then serve it. Held for approval,
        it is marked held before it is kept anywhere, so no process ever serves it before a moderator approves."""
        entry = self.policy.entry_for(to_thread(record), SOURCE_NAME)
        if entry is None:
            raise ValueError(f"captured answer for {record.id} is not trusted")
        if self.hold is not None:
            self.hold(entry.id)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(record.model_dump(), ensure_ascii=False) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            vector = self.retriever.embedder.embed([entry.question_text])
            self.retriever.update(lambda kb: kb.with_added([entry], vector))
        return entry


def forget_in_captured(path: Path, author: str) -> int:
    """Drop from captured.jsonl the threads `author` asked and the answers they gave (a thread left without an
    answer goes too); rewritten aside and swapped in. Returns how many records were dropped or changed."""
    if not path.exists():
        return 0
    who = author.lower()
    kept, changed = [], 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        if who in (str(record.get("author", "")).lower(), str(record.get("author_id", "")).lower()):
            changed += 1
            continue
        replies = record.get("replies") or []
        left = [
            r for r in replies if who not in (str(r.get("author", "")).lower(), str(r.get("author_id", "")).lower())
        ]
        if len(left) != len(replies):
            changed += 1
            if not left:
                continue
            record["replies"] = left
        kept.append(json.dumps(record, ensure_ascii=False) + "\n")
    if changed:
        aside = path.with_name(f".{path.name}.forget")
        with aside.open("w", encoding="utf-8") as handle:
            handle.write("".join(kept))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(aside, path)
    return changed


def with_captured(kb: KnowledgeBase, path: Path, policy: TrustPolicy, embedder: Embedder) -> KnowledgeBase:
    """The knowledge base plus every captured answer it lacks: a version built just before an answer was
    captured must not drop it when it is swapped in."""
    if not path.exists():
        return kb
    source = JsonlThreadSource(path, name=SOURCE_NAME)
    entries = [e for t in source.threads() if (e := policy.entry_for(t, SOURCE_NAME)) is not None]
    missing = list({e.id: e for e in entries if kb.find(e.id) is None}.values())  # by id: no scan of the index
    if not missing:
        return kb
    return kb.with_added(missing, embedder.embed([e.question_text for e in missing]))
