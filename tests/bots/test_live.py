"""Live threads in the knowledge base: provenance in `ask --json`, kept by `peerbot index`, picked up by a second
replica on its timer tick, retracted everywhere."""

from __future__ import annotations

import json
from pathlib import Path

from peerbot.bots import app as wiring
from peerbot.bots.conversation import Outcome, Question
from peerbot.bots.live import keep
from peerbot.bots.state import StateStore
from peerbot.indexer.sources.jsonl import ReplyRecord, ThreadRecord
from tests.conftest import make_settings
from tests.factories import CLI_CONFIG, SMALL_COMMUNITY, write_jsonl

ORIGIN = "learned live on Slack in #CHELP, message 1720000000.000004, marked solved by Alex Asker, 2026-11-29 20:31 UTC"
ANSWER = "Hold the sensor's reset pin for 10 seconds until it blinks amber, then start Zigbee pairing on the hub."


def record(answer: str = ANSWER) -> ThreadRecord:
    return ThreadRecord(
        id="slack:CHELP:1720000000.000001",
        title="How do I pair the Lumo motion sensor with a Zigbee hub from another brand?",
        author="Alex Asker",
        author_id="UASKER",
        channel="CHELP",
        tags=["live", "slack"],
        replies=[
            ReplyRecord(
                id="slack:CHELP:1720000000.000004",
                author="Pat Peer",
                author_id="UPEER",
                text=answer,
                accepted=True,
                provenance=ORIGIN,
            )
        ],
    )


def test_ask_json_shows_where_a_live_answer_came_from(tmp_path: Path, peerbot) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "config.toml").write_text(CLI_CONFIG)
    write_jsonl(tmp_path / "community.jsonl", SMALL_COMMUNITY)
    store = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    settings = make_settings(tmp_path)
    keep(store, record(), "slack", "CHELP", wiring.trust_policy(settings, store))
    store.close()
    assert peerbot("index").returncode == 0
    result = peerbot("ask", "--json", "pair lumo motion sensor with zigbee hub of another brand")
    data = json.loads(result.stdout)
    assert data["outcome"] == "answer", data
    top = data["matches"][0]
    assert top["author"] == "Pat Peer" and top["entry_id"] == "live:slack:CHELP:1720000000.000001"
    assert any(ORIGIN in reason for reason in top["reasons"]), top["reasons"]
    plain = peerbot("ask", "pair lumo motion sensor with zigbee hub of another brand")
    assert f"Pat Peer (accepted answer, {ORIGIN})" in plain.stdout


async def test_a_second_replica_serves_what_the_first_learned_on_its_next_tick(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    embedder = wiring.open_embedder(settings)
    wiring.reindex(settings, embedder)
    first, second = (wiring.make_bot(settings, embedder, wiring.load_knowledge(settings, embedder)[0]) for _ in "ab")
    question = Question("pair lumo motion sensor with zigbee hub of another brand", "UASK2", "slack", public=True)
    assert first.live is not None and second.live is not None
    await first.live.learn(record(), "slack", "CHELP")
    assert (await first.respond(question)).outcome is Outcome.ANSWER
    assert (await second.respond(question)).outcome is not Outcome.ANSWER  # not yet: its index is its own
    await second.tick()
    served = await second.respond(question)
    assert served.outcome is Outcome.ANSWER and ANSWER in served.text
    await first.live.retract(record().id)
    await second.tick()
    assert ANSWER not in (await second.respond(question)).text
    first.close()
    second.close()


def test_live_list_and_approve_from_the_command_line(tmp_path: Path, peerbot) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "config.toml").write_text(CLI_CONFIG)
    write_jsonl(tmp_path / "community.jsonl", SMALL_COMMUNITY)
    store = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    held = keep(store, record(), "slack", "CHELP", wiring.trust_policy(make_settings(tmp_path), store), "review")
    assert held.status == "pending"
    store.close()
    listed = peerbot("live", "list")
    assert listed.stdout.startswith("slack:CHELP:1720000000.000001\tHow do I pair") and "Pat Peer" in listed.stdout
    approved = peerbot("live", "approve", "slack:CHELP:1720000000.000001")
    assert approved.returncode == 0 and "slack:CHELP:1720000000.000001: live" in approved.stderr
    assert peerbot("live", "list").stdout == ""
    missing = peerbot("live", "approve", "slack:nope")
    assert missing.returncode == 2 and "no learned thread has this key" in missing.stderr
