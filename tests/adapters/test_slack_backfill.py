"""`peerbot backfill slack`: a channel's history through the Web API of a fake Slack, paginated, with a rate limit
on the way, and a real `peerbot` process killed half-way that the next run resumes without doubling anything."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

from peerbot.bots import app as wiring
from peerbot.bots.backfill import BackfillLedger
from peerbot.bots.state import StateStore
from peerbot.knowledge.entries import KnowledgeEntry
from tests.adapters.fake_slack import ASKER, BOT_TOKEN, PUBLIC_HELP
from tests.adapters.fake_slack_workspace import HELPER, OTHER_BOT, PEER, SlackWorkspace
from tests.conftest import make_settings
from tests.factories import CLI_CONFIG

THREADS = 30  # every third is solved by the asker's check mark, every fifth has no reply


def seed(ws: SlackWorkspace, threads: int = THREADS) -> set[str]:
    """A help channel's history; the root ts of the threads the asker marked solved."""
    solved = set()
    for n in range(threads):
        root = ws.say(f"Question {n}: how do I set up gadget {n} with the bridge?")["ts"]
        if n % 5 == 4:
            continue
        ws.say(f"Ask the bridge to rescan for gadget {n}.", user=OTHER_BOT, thread_ts=root)
        answer = ws.say(f"Press the bridge button twice, then add gadget {n} in the app.", user=PEER, thread_ts=root)
        ws.say("Thanks, trying it", user=ASKER, thread_ts=root)
        if n % 3 == 0:
            ws.react(PUBLIC_HELP, answer["ts"], ASKER, "white_check_mark")
            solved.add(root)
        else:
            ws.react(PUBLIC_HELP, answer["ts"], HELPER, "white_check_mark")  # not the asker's: not solved
    return solved


def messages_in(ws: SlackWorkspace) -> int:
    return sum(len(m) for m in ws.channels.values())


async def test_backfill_pages_through_history_and_waits_out_a_rate_limit(tmp_path: Path) -> None:
    from peerbot.adapters.slack_backfill import backfill_slack, web_client

    ws = SlackWorkspace()
    solved = seed(ws)
    ws.rate_limits["conversations.history"] = [1]  # the first page is refused once: Retry-After 1 s
    await ws.start()
    settings = make_settings(tmp_path)
    store = StateStore(settings.state_url)
    try:
        report = await backfill_slack(
            web_client(BOT_TOKEN, ws.base_url), settings, BackfillLedger(settings, store), "#chelp", page_size=7
        )
    finally:
        await ws.close()
    assert report.pages == 5 and report.threads == 24
    assert report.messages == messages_in(ws)
    assert {t.key for t in store.live_threads()} == {f"slack:{PUBLIC_HELP}:{ts}" for ts in solved}
    assert [c.status for c in ws.calls if c.method == "conversations.history"][:2] == [429, 200]
    record = store.live_thread(f"slack:{PUBLIC_HELP}:{min(solved)}")
    assert record is not None
    (answer,) = [r for r in record.record["replies"] if r["accepted"]]
    assert answer["author"] == "Pat Peer" and "marked solved by Alex Asker" in answer["provenance"]
    assert all(r["author_id"] != OTHER_BOT for r in record.record["replies"])  # a bot's message is no reply
    cursor = store.backfill_cursor("slack", PUBLIC_HELP)
    assert cursor is not None and cursor.done and cursor.messages == THREADS
    embedder = wiring.open_embedder(settings)
    wiring.reindex(settings, embedder, store=store)  # the next reindex serves them
    kb, _ = wiring.load_knowledge(settings, embedder, store)
    assert len([e for e in kb.entries if e.source == "live"]) == len(solved)
    store.close()


async def peerbot(root: Path, ws: SlackWorkspace, *args: str, fault: str | None = None) -> tuple[int, str]:
    env = {**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "PEERBOT_SLACK_API_URL": ws.base_url}
    env.pop("PEERBOT_FAULT", None)
    if fault:
        env["PEERBOT_FAULT"] = fault
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "peerbot",
        *args,
        cwd=root,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await process.communicate()
    return int(process.returncode or 0), stderr.decode()


async def test_backfill_killed_half_way_resumes_without_doubling(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(CLI_CONFIG)
    make_settings(tmp_path)  # the community file the config names
    ws = SlackWorkspace()
    solved = seed(ws, 250)  # three pages of 100
    await ws.start()
    try:
        code, said = await peerbot(tmp_path, ws, "backfill", "slack", "--channel", "chelp", fault="backfill:page2")
        assert code == -9, said
        store = StateStore("sqlite:///" + str(tmp_path / "state.db"))
        half = store.backfill_cursor("slack", PUBLIC_HELP)
        assert half is not None and not half.done and half.messages == 200
        learned_first = len(store.live_threads())
        assert 0 < learned_first < len(solved)
        before = len([c for c in ws.calls if c.method == "conversations.history"])
        code, said = await peerbot(tmp_path, ws, "backfill", "slack", "--channel", "chelp")
        assert code == 0, said
        assert "resumed from the saved cursor" in said
    finally:
        await ws.close()
    history = [c for c in ws.calls if c.method == "conversations.history"][before:]
    assert [c.body.get("cursor") for c in history] == [half.cursor]  # the third page only
    assert len(store.live_threads()) == len(solved)  # each once
    done = store.backfill_cursor("slack", PUBLIC_HELP)
    assert done is not None and done.done and done.messages == 250
    store.close()


def write_export(ws: SlackWorkspace, folder: Path) -> Path:
    """The same channel as Slack's workspace export holds it (the folder an admin unzips): channels.json,
    users.json, and the channel's messages in a daily file; bots' messages carry their bot_id there."""
    folder.mkdir()
    (folder / "channels.json").write_text(json.dumps([{"id": PUBLIC_HELP, "name": "chelp"}]))
    users = [
        {"id": uid, "name": name.lower(), "real_name": name, "is_bot": uid in ws.bot_users, "profile": {}}
        for uid, name in ws.names.items()
    ]
    (folder / "users.json").write_text(json.dumps(users))
    messages = [
        {**m, **({"bot_id": f"B{m['user']}"} if m["user"] in ws.bot_users else {})} for m in ws.channels[PUBLIC_HELP]
    ]
    (folder / "chelp").mkdir()
    (folder / "chelp" / "2024-07-03.json").write_text(json.dumps(messages))
    return folder


async def test_a_backfill_serves_what_importing_an_export_of_the_same_channel_serves(tmp_path: Path) -> None:
    from peerbot.adapters.slack_backfill import backfill_slack, web_client
    from peerbot.indexer.build import collect_entries
    from peerbot.indexer.sources.slack_export import SlackExportSource

    ws = SlackWorkspace()
    solved = seed(ws)
    ws.react(PUBLIC_HELP, ws.channels[PUBLIC_HELP][1]["ts"], HELPER, "tada")  # kudos on a bot's message: no answer
    await ws.start()
    settings = make_settings(tmp_path)
    store = StateStore(settings.state_url)
    try:
        await backfill_slack(web_client(BOT_TOKEN, ws.base_url), settings, BackfillLedger(settings, store), "#chelp")
    finally:
        await ws.close()
    embedder = wiring.open_embedder(settings)
    wiring.reindex(settings, embedder, store=store)
    kb, _ = wiring.load_knowledge(settings, embedder, store)
    backfilled = [e for e in kb.entries if e.source == "live"]
    export = SlackExportSource(write_export(ws, tmp_path / "export"), name="slack")
    imported = collect_entries([export], wiring.trust_policy(settings, store)).entries
    store.close()

    def served(entries: list[KnowledgeEntry]) -> list[tuple[str, ...]]:
        """What a customer is shown: the question, the answer and its author, and who may see it."""
        return sorted((e.title, e.body, e.answer, e.author, e.visibility, e.channel or "") for e in entries)

    assert len(backfilled) == len(solved)
    assert served(backfilled) == served(imported)
