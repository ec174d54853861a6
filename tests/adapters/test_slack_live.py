"""Live capture on Slack, through the real adapter (slack-bolt) over a fake Slack that keeps its threads: a peer
answers, the asker reacts with the check mark, and a paraphrase asked later elsewhere gets that answer."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode

from peerbot.bots import app as wiring
from peerbot.bots.config import LiveSettings, Settings
from peerbot.bots.forget import forget_everywhere
from peerbot.bots.live import entry_id
from tests.adapters.fake_slack import (
    ASKER,
    DEVON,
    ELSEWHERE,
    MARA,
    PRIVATE_C,
    PUBLIC_HELP,
    Harness,
    mention,
    running_slack,
)
from tests.adapters.fake_slack_workspace import HELPER, OTHER_BOT, PEER, SlackWorkspace

QUESTION = "How do I pair the Lumo motion sensor with a Zigbee hub from another brand?"
ANSWER = "Hold the sensor's reset pin for 10 seconds until it blinks amber, then start Zigbee pairing on the hub."
PARAPHRASE = "pair lumo motion sensor with zigbee hub of another brand"


async def peer_answers(
    h: Harness, ws: SlackWorkspace, *, channel: str = PUBLIC_HELP, by: str = PEER
) -> tuple[str, str]:
    """The asker asks in a channel, a member answers in the thread: (question ts, answer ts)."""
    asked = ws.say(QUESTION, channel=channel)
    if channel == PUBLIC_HELP:
        await h.event(asked)
        await h.settle()
    answered = ws.say(ANSWER, user=by, channel=channel, thread_ts=asked["ts"])
    await h.event(answered)
    await h.settle()
    return asked["ts"], answered["ts"]


async def ask_elsewhere(h: Harness, text: str = PARAPHRASE) -> str:
    before = len(h.fake.posts(channel=ELSEWHERE))
    await h.event(mention(text, channel=ELSEWHERE))
    await h.settle()
    posted = h.fake.posts(channel=ELSEWHERE)
    assert len(posted) == before + 1, posted
    return str(posted[-1]["text"])


def key(channel: str, ts: str) -> str:
    return f"slack:{channel}:{ts}"


async def test_asker_check_mark_on_peer_answer_serves_it_elsewhere_with_credit(tmp_path: Path) -> None:
    ws = SlackWorkspace()
    async with running_slack(tmp_path, fake=ws) as h:
        assert ANSWER not in await ask_elsewhere(h)  # nobody knows it yet
        root, reply = await peer_answers(h, ws)
        await h.event(ws.react(PUBLIC_HELP, reply, ASKER, "white_check_mark"))
        await h.settle()
        said = await ask_elsewhere(h)
    assert ANSWER in said
    assert "Pat Peer" in said and "accepted answer" in said
    assert f"learned live on Slack in #{PUBLIC_HELP}, message {reply}, marked solved by Alex Asker" in said
    row = h.bot.store.live_thread(key(PUBLIC_HELP, root))
    assert row is not None and row.status == "live" and row.record["visibility"] == "public"


async def test_someone_else_check_mark_is_not_the_askers(tmp_path: Path) -> None:
    ws = SlackWorkspace()
    async with running_slack(tmp_path, fake=ws) as h:
        root, reply = await peer_answers(h, ws)
        await h.event(ws.react(PUBLIC_HELP, reply, HELPER, "white_check_mark"))
        await h.settle()
        said = await ask_elsewhere(h)
    assert ANSWER not in said
    assert h.bot.store.live_thread(key(PUBLIC_HELP, root)) is None


async def test_kudos_count_people_once_without_bots_or_the_author(tmp_path: Path) -> None:
    ws = SlackWorkspace()
    async with running_slack(tmp_path, fake=ws) as h:
        root, reply = await peer_answers(h, ws)
        reactions = [
            (ASKER, "+1"),
            (ASKER, "tada"),  # the asker twice: one person
            (OTHER_BOT, "+1"),  # a bot: not counted
            (PEER, "+1"),  # the author: not counted
            ("U1", "+1"),
            ("U2", "raised_hands"),
            ("U3", "+1::skin-tone-3"),
        ]
        for user, name in reactions:
            await h.event(ws.react(PUBLIC_HELP, reply, user, name))
        await h.settle()
        assert ANSWER not in await ask_elsewhere(h)  # 4 people: below trust.min_kudos (5)
        await h.event(ws.react(PUBLIC_HELP, reply, "U4", "+1"))
        await h.settle()
        said = await ask_elsewhere(h)
    assert ANSWER in said and "5 kudos" in said
    row = h.bot.store.live_thread(key(PUBLIC_HELP, root))
    assert row is not None and row.record["replies"][0]["score"] == 5


async def test_superusers_reply_with_a_kudos_reaction_is_learned(tmp_path: Path) -> None:
    ws = SlackWorkspace()
    async with running_slack(tmp_path, fake=ws) as h:
        _, reply = await peer_answers(h, ws, by=DEVON)
        await h.event(ws.react(PUBLIC_HELP, reply, HELPER, "+1"))
        await h.settle()
        said = await ask_elsewhere(h)
    assert ANSWER in said and "by superuser" in said


async def test_edit_updates_and_deletion_retracts(tmp_path: Path) -> None:
    ws = SlackWorkspace()
    async with running_slack(tmp_path, fake=ws) as h:
        root, reply = await peer_answers(h, ws)
        await h.event(ws.react(PUBLIC_HELP, reply, ASKER, "white_check_mark"))
        await h.settle()
        edited = ANSWER.replace("10 seconds", "15 seconds")
        await h.event(ws.edit(PUBLIC_HELP, reply, edited))
        await h.settle()
        after_edit = await ask_elsewhere(h)
        await h.event(ws.delete(PUBLIC_HELP, reply))
        await h.settle()
        after_delete = await ask_elsewhere(h)
    assert "15 seconds" in after_edit and "10 seconds" not in after_edit
    assert "reset pin" not in after_delete
    row = h.bot.store.live_thread(key(PUBLIC_HELP, root))
    assert row is not None and row.status == "retracted"
    assert entry_id(key(PUBLIC_HELP, root)) not in {e.id for e in h.bot.retriever.kb.entries}


async def test_private_channel_thread_stays_private(tmp_path: Path) -> None:
    ws = SlackWorkspace()
    async with running_slack(tmp_path, fake=ws, help_channels=[PUBLIC_HELP, PRIVATE_C]) as h:
        root, reply = await peer_answers(h, ws, channel=PRIVATE_C)
        await h.event(ws.react(PRIVATE_C, reply, ASKER, "white_check_mark"))
        await h.settle()
        said = await ask_elsewhere(h)
    assert ANSWER not in said
    row = h.bot.store.live_thread(key(PRIVATE_C, root))
    assert row is not None and row.status == "live" and row.record["visibility"] == "private"


def review_unvetted(settings: Settings) -> Settings:
    return settings.model_copy(update={"live": LiveSettings(unvetted="review")})


async def test_review_policy_holds_an_unvetted_members_answer(tmp_path: Path) -> None:
    ws = SlackWorkspace()
    async with running_slack(tmp_path, fake=ws, settings_hook=review_unvetted) as h:
        root, reply = await peer_answers(h, ws)
        await h.event(ws.react(PUBLIC_HELP, reply, ASKER, "white_check_mark"))
        await h.settle()
        said = await ask_elsewhere(h)
    assert ANSWER not in said
    row = h.bot.store.live_thread(key(PUBLIC_HELP, root))
    assert row is not None and row.status == "pending"


async def superuser_types(h: Harness, text: str, *, channel: str = PUBLIC_HELP, user: str = MARA) -> str:
    """`/peerbot text` typed by a superuser (Mara, a member of the private channel) in `channel`; the private
    answer it got."""
    seen = len(h.fake.called("respond:command"))
    status, _ = await h.command("/peerbot", text, user=user, channel=channel)
    assert status == 200
    return str((await h.fake.wait_for("respond:command", count=seen + 1))[-1].body["text"])


async def test_a_superuser_approves_a_held_thread_from_the_review_queue_in_chat(tmp_path: Path) -> None:
    ws = SlackWorkspace()
    ws.private_channels[MARA] = [PRIVATE_C]
    help_channels = [PUBLIC_HELP, PRIVATE_C]
    async with running_slack(tmp_path, fake=ws, settings_hook=review_unvetted, help_channels=help_channels) as h:
        root, reply = await peer_answers(h, ws)
        await h.event(ws.react(PUBLIC_HELP, reply, ASKER, "white_check_mark"))
        private_root, private_reply = await peer_answers(h, ws, channel=PRIVATE_C)
        await h.event(ws.react(PRIVATE_C, private_reply, ASKER, "white_check_mark"))
        await h.settle()
        queue = await superuser_types(h, "review")  # answered privately (ephemeral): only Mara sees it
        assert "held for approval" in queue and f"{key(PUBLIC_HELP, root)}: How do I pair" in queue
        assert f", answered by Pat Peer: {ANSWER[:40]}" in queue
        assert key(PRIVATE_C, private_root) in queue  # she is a member of the private channel
        devon = await superuser_types(h, "review", user=DEVON)  # he is not: he never sees that thread
        assert key(PUBLIC_HELP, root) in devon and key(PRIVATE_C, private_root) not in devon
        approved = await superuser_types(h, f"approve {key(PUBLIC_HELP, root)}")
        assert approved == f"Approved {key(PUBLIC_HELP, root)}: its answer is served from now on."
        assert "No learnt thread has the key slack:nope" in await superuser_types(h, "approve slack:nope")
        said = await ask_elsewhere(h)  # served at once, no reindex
    assert ANSWER in said and "Pat Peer" in said
    row = h.bot.store.live_thread(key(PUBLIC_HELP, root))
    assert row is not None and row.status == "live"


async def test_learned_thread_survives_a_reindex_and_forget_removes_it(tmp_path: Path) -> None:
    ws = SlackWorkspace()
    async with running_slack(tmp_path, fake=ws) as h:
        root, reply = await peer_answers(h, ws)
        await h.event(ws.react(PUBLIC_HELP, reply, ASKER, "white_check_mark"))
        await h.settle()
        await h.bot.reindex()  # rebuilt from the sources: the live thread is one of them
        assert ANSWER in await ask_elsewhere(h)
        report = forget_everywhere(h.settings, h.bot.store, PEER)
        assert report.live == 1
        embedder = wiring.open_embedder(h.settings)
        wiring.reindex(h.settings, embedder, store=h.bot.store)
        kb, _ = wiring.load_knowledge(h.settings, embedder, h.bot.store)
    assert entry_id(key(PUBLIC_HELP, root)) not in {e.id for e in kb.entries}
    assert h.bot.store.live_thread(key(PUBLIC_HELP, root)) is None


async def solved_this(h: Harness, ws: SlackWorkspace, ts: str, *, user: str) -> str:
    """The "This solved it" message shortcut on a message, as Slack posts it; what the app answered privately."""
    posted = ws.find(PUBLIC_HELP, ts)
    payload = {
        "type": "message_action",
        "callback_id": "peerbot_solved_this",
        "team": {"id": "T1"},
        "user": {"id": user},
        "channel": {"id": PUBLIC_HELP},
        "message": posted,
        "message_ts": ts,
        "response_url": h.fake.response_url("shortcut"),
        "trigger_id": "trigger",
    }
    before = len(h.fake.called("respond:shortcut"))
    status, _ = await h.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")
    assert status == 200
    await h.settle()
    answers = h.fake.called("respond:shortcut")
    assert len(answers) == before + 1
    return str(answers[-1].body["text"])


async def test_asker_presses_this_solved_it_on_a_peers_reply(tmp_path: Path) -> None:
    ws = SlackWorkspace()
    async with running_slack(tmp_path, fake=ws) as h:
        root, reply = await peer_answers(h, ws)
        refused = await solved_this(h, ws, reply, user=HELPER)  # not the asker
        own = await solved_this(h, ws, root, user=ASKER)  # the question itself
        told = await solved_this(h, ws, reply, user=ASKER)
        await h.event(ws.react(PUBLIC_HELP, reply, "U1", "+1"))  # a later refresh keeps the asker's mark
        await h.settle()
        said = await ask_elsewhere(h)
    assert "Only the person who asked" in refused and "someone else's reply" in own
    assert "Pat Peer's reply is now part of the knowledge base" in told
    assert ANSWER in said and "marked solved by Alex Asker" in said


async def test_a_member_opts_out_with_forget_me(tmp_path: Path) -> None:
    ws = SlackWorkspace()
    async with running_slack(tmp_path, fake=ws) as h:
        root, reply = await peer_answers(h, ws)
        await h.event(ws.react(PUBLIC_HELP, reply, ASKER, "white_check_mark"))
        await h.settle()
        assert ANSWER in await ask_elsewhere(h)
        await h.command("/peerbot", "forget", user=PEER)
        await h.command("/peerbot", "forget me", user=PEER)
        await h.settle()
        said = await ask_elsewhere(h)
        told = [c.body["text"] for c in h.fake.called("respond:command")]
    assert "type /peerbot forget me" in told[0]  # Slack spells the command its way
    assert told[1].startswith("Done: I removed what I kept of you") and "1 threads learned live" in told[1]
    assert ANSWER not in said
    assert h.bot.store.live_thread(key(PUBLIC_HELP, root)) is None
    assert PEER.lower() in h.bot.store.forgotten_authors()


async def test_an_admin_approves_a_held_answer_and_it_stays_approved(tmp_path: Path) -> None:
    from peerbot.bots.live import approve

    ws = SlackWorkspace()
    async with running_slack(tmp_path, fake=ws, settings_hook=review_unvetted) as h:
        root, reply = await peer_answers(h, ws)
        await h.event(ws.react(PUBLIC_HELP, reply, ASKER, "white_check_mark"))
        await h.settle()
        assert ANSWER not in await ask_elsewhere(h)
        approved = approve(h.bot.store, key(PUBLIC_HELP, root), "UADMIN", wiring.trust_policy(h.settings, h.bot.store))
        assert approved is not None and approved.status == "live"
        await h.bot.tick()  # what `peerbot live approve` did reaches the running bot
        assert ANSWER in await ask_elsewhere(h)
        await h.event(ws.react(PUBLIC_HELP, reply, HELPER, "+1"))  # a later re-read keeps the approval
        await h.settle()
        assert ANSWER in await ask_elsewhere(h)
