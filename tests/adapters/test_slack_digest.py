"""The weekly digest on Slack, end to end: questions and a superuser's answer through the real slack-bolt app, the
clock moved to Monday 09:00, and the digest as the fake Slack Web API receives it in the admin channel."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from tests.adapters.fake_slack import ESCALATIONS, MARA, PRIVATE_HELP, PUBLIC_HELP, Clock, message, running_slack
from tests.adapters.test_slack_workflow import NO_MATCH, RESET

ADMINS = "CADMINS"
DASHBOARD = {"dashboard": {"public_url": "https://peerbot.example", "case_cost": 40}}
SECRET_QUESTION = "Is the unreleased Nimbus prototype delayed again?"  # asked in a private channel


async def test_the_digest_is_posted_in_the_admin_channel_once(tmp_path: Path) -> None:
    clock = Clock()
    clock.now = datetime(2026, 11, 24, 12, 0)  # Tuesday: nothing is posted at start-up
    async with running_slack(tmp_path, clock=clock, admin_channel=ADMINS, settings_extra=DASHBOARD) as slack:
        await slack.event(message(RESET, user="UFIRST"))
        await slack.fake.wait_for("chat.postMessage", channel=PUBLIC_HELP)
        asked = message(NO_MATCH, user="USECOND")
        await slack.event(asked)
        await slack.fake.wait_for("chat.postMessage", channel=ESCALATIONS)
        await slack.event(message(SECRET_QUESTION, channel=PRIVATE_HELP, user="UTHIRD"))
        await slack.fake.wait_for("chat.postMessage", count=2, channel=ESCALATIONS)
        clock.advance(25)
        await slack.event(message("Not on Mars, sorry: cards only.", user=MARA, thread_ts=asked["ts"]))
        await slack.fake.wait_for("chat.postEphemeral", user=MARA)
        await slack.bot.tick()
        assert slack.fake.posts(channel=ADMINS) == []

        clock.now = datetime(2026, 11, 30, 9, 0, 20)  # the first timer round after Monday 09:00
        await slack.bot.tick()
        await slack.bot.tick()
        (posted,) = slack.fake.posts(channel=ADMINS)
        print(f"\nAs posted in the fake Slack ({ADMINS}):\n{posted}\n\n{posted['text']}")
        assert posted["text"] == (
            "Weekly digest for Lumo Community: Mon Nov 23 – Sun Nov 29 (7 complete days, UTC), "
            "against Mon Nov 16 – Sun Nov 22\n"
            "• Questions deflected by peer answers: 1 of 3 (33%); the week before 0 of 0 (–)\n"
            "• Staff time saved: 0.3 h (before 0.0 h; 20 min a case)\n"
            "• Cost saved: $40 (before $0; $40.00 a case)\n"
            "• Human answers by superusers: 100% (1 of 1); the week before – (0 of 0)\n"
            "• Median time to a human answer: 25 min (n=1); the week before – (n=0)\n"
            "Top unanswered topics since Mon Nov 23:\n"
            "1. pay, bitcoin, mars (1 question)\n"
            "Dashboard: https://peerbot.example/roi"
        )
        assert posted["unfurl_links"] is False and "blocks" not in posted
        assert "nimbus" not in posted["text"].lower()  # the private channel's question is not a topic here
