"""Rewards on Slack, end to end: the real slack-bolt app against the fake Slack Web API. Points from the escalation
workflow reach tiers; vouchers arrive in the member's DM only; the club user group gains and loses the member;
missing scopes are named at start-up."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from tests.adapters.fake_slack import ADMIN, ASKER, ESCALATIONS, MARA, PUBLIC_HELP, Clock, running_slack
from tests.adapters.test_slack_workflow import LADDER, as_posted, buttons, message, peerbot, until

CLUB = "SCLUB"
REWARDS: dict[str, Any] = {
    "rewards": [
        {"name": "Welcome", "points": 1, "kind": "thanks"},
        {"name": "Gift card", "points": 5, "kind": "voucher", "pool": "gift"},
        {"name": "Inner circle", "rank": "Helper", "kind": "club"},
    ],
    "recognition": {"ranks": {"Newcomer": 0, "Helper": 15}},
    "club": {"slack_usergroup": CLUB},
}


async def test_voucher_in_the_members_dm_and_the_club_user_group_joined_and_left(tmp_path: Path) -> None:
    def prepare(fake: Any) -> None:
        fake.usergroups[CLUB] = ["UOTHER"]

    async with running_slack(tmp_path, clock=Clock(), prepare=prepare, settings_extra=REWARDS) as slack:
        slack.bot.store.import_codes("gift", ["LUMO-GIFT-0001"])
        asked = message(LADDER)
        await slack.event(asked)
        await slack.fake.wait_for("chat.postMessage", channel=ESCALATIONS)
        await slack.event(
            message("Turn off band steering, then power-cycle the hub.", user=MARA, thread_ts=asked["ts"])
        )
        await slack.fake.wait_for("chat.postEphemeral", user=MARA)
        told = slack.fake.posts(channel=PUBLIC_HELP)[-1]
        await slack.press(buttons(told)["This solved it"], user=ASKER, channel=PUBLIC_HELP, posted=as_posted(told))
        await slack.fake.wait_for("usergroups.users.update")

        dms = [p["text"] for p in slack.fake.posts(channel=MARA)]
        assert [d.split("the ", 1)[1].split(" reward tier")[0] for d in dms] == ["Welcome", "Gift card", "Inner circle"]
        assert "Your voucher code: LUMO-GIFT-0001" in dms[1]
        assert [c for c in slack.fake.calls if "LUMO-GIFT" in c.dump()] == slack.fake.called(
            "chat.postMessage", channel=MARA
        )[1:2]
        assert slack.fake.usergroups[CLUB] == ["UOTHER", MARA]
        await until(lambda: any("Thanks to Mara Quinn" in p["text"] for p in slack.fake.posts(channel=PUBLIC_HELP)))

        me = await peerbot(slack, "me", MARA)
        assert "Mara Quinn: 15 points (Helper)" in me and "code LUMO-GIFT-0001" in me

        assert await peerbot(slack, "revoke Mara Quinn", ADMIN) == (
            "Revoked Inner circle for Mara Quinn: they leave the club on every platform."
        )
        assert slack.fake.usergroups[CLUB] == ["UOTHER"]
        await slack.bot.tick()
        assert len(slack.fake.posts(channel=MARA)) == 3 and len(slack.fake.called("usergroups.users.update")) == 2


async def test_start_up_names_the_missing_user_group_scopes(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    def prepare(fake: Any) -> None:
        fake.scopes = "chat:write,commands,usergroups:read"

    caplog.set_level(logging.ERROR, logger="peerbot.adapters")
    async with running_slack(tmp_path, prepare=prepare, settings_extra=REWARDS):
        pass
    assert [r.getMessage() for r in caplog.records if "Slack permissions" in r.getMessage()] == [
        "Slack permissions: the app lacks the usergroups:write scope, so it cannot keep club members in the user "
        "group SCLUB (club.slack_usergroup): add it under OAuth & Permissions > Bot Token Scopes and reinstall the app"
    ]
