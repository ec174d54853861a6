"""Builders for test data: community threads as the JSONL source reads them, BEIR datasets."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

CLI_CONFIG = """
[index]
path = "index"
model = "hashing-256"

[[sources]]
name = "forum"
type = "jsonl"
path = "community.jsonl"

[state]
url = "sqlite:///state.db"

[[superusers]]
name = "Mara Quinn"
community_id = "u-mara"
"""  # a config.toml for running `peerbot` in a test folder (fast hashing embedder)


def reply(
    text: str,
    author: str = "Sam Member",
    *,
    score: int = 0,
    accepted: bool = False,
    label: str | None = None,
    author_id: str | None = None,
    rid: str | None = None,
) -> dict[str, Any]:
    return {
        "id": rid or f"r-{abs(hash(text)) % 10**8}",
        "author": author,
        "author_id": author_id or author.lower().replace(" ", "-"),
        "date": "2026-01-02T10:00:00Z",
        "text": text,
        "score": score,
        "accepted": accepted,
        "label": label,
    }


def thread(
    tid: str,
    title: str,
    body: str = "",
    replies: list[dict[str, Any]] | None = None,
    *,
    visibility: str = "public",
    channel: str = "help",
) -> dict[str, Any]:
    return {
        "id": tid,
        "title": title,
        "body": body,
        "author": "Asker",
        "author_id": "asker",
        "date": "2026-01-01T10:00:00Z",
        "url": f"https://community.example/t/{tid}",
        "channel": channel,
        "visibility": visibility,
        "tags": [],
        "replies": replies or [],
    }


def write_jsonl(path: Path, records: list[Any]) -> Path:
    """Records are dicts (written as JSON) or raw strings (written as they are, for broken lines)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


SMALL_COMMUNITY = [
    thread(
        "wifi",
        "Hub keeps dropping off wifi every night",
        "The hub goes offline around midnight and the app says unreachable.",
        [
            reply("Have you tried turning it off", score=1),
            reply(
                "Put the hub on the 2.4 GHz band and give it a fixed IP.",
                "Mara Quinn",
                accepted=True,
                score=4,
                author_id="u-mara",
            ),
        ],
    ),
    thread(
        "reset-bulb",
        "How do I factory reset a bulb",
        "One bulb stopped responding to the app.",
        [reply("Power-cycle the bulb five times, one second apart, until it blinks.", score=12)],
    ),
    thread(
        "refund",
        "Refund for a broken dimmer switch",
        "My dimmer arrived cracked, can I get my money back?",
        [reply("Returns are accepted within 30 days from the order page.", "Devon Okafor", author_id="u-devon")],
    ),
    thread(
        "spam",
        "Cheap lightstrips anywhere?",
        "Looking for a discount.",
        [reply("Buy from my site!!!", score=-4), reply("me too", score=0, label="bad")],
    ),
    thread(
        "beta-sunrise",
        "Adaptive Sunrise in firmware 5 beta",
        "How does the beta sunrise schedule work?",
        [reply("In the 5.0 beta, Adaptive Sunrise ramps over 30 minutes before your alarm.", score=8, accepted=True)],
        visibility="private",
        channel="beta-testers",
    ),
    thread(
        "mentions",
        "Scheduled maintenance on the cloud",
        "Is the cloud down tonight?",
        [reply("@everyone <!channel> <@&123456789012345678> maintenance runs 2-3am UTC.", accepted=True)],
    ),
]


def write_beir(
    root: Path,
    corpus: list[dict[str, Any]],
    queries: list[dict[str, Any]],
    qrels: dict[str, list[tuple[str, str, int]]],
) -> Path:
    write_jsonl(root / "corpus.jsonl", corpus)
    write_jsonl(root / "queries.jsonl", queries)
    (root / "qrels").mkdir(parents=True, exist_ok=True)
    for split, rows in qrels.items():
        lines = ["query-id\tcorpus-id\tscore", *(f"{q}\t{c}\t{s}" for q, c, s in rows)]
        (root / "qrels" / f"{split}.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


class Clock:
    """The bot's clock, moved by the test: escalation timers fall due without waiting."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 9, 0, 0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += timedelta(minutes=minutes)
