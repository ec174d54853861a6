"""Rewards on Discord, end to end: the real discord.py client against the fake Discord. Points earned in the
escalation workflow reach tiers; the voucher code arrives in a DM, exactly once and nowhere else; the club role is
given and taken away; the bot says at start-up which permission it lacks to manage the club role."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from peerbot.bots.messages import NOT_ADMIN
from peerbot.bots.messages_rewards import ANNOUNCE_OFF
from tests.adapters import discord_payloads as p
from tests.adapters.fake_discord import (
    ALICE,
    ESCALATIONS,
    GUILD,
    HELP,
    LISTED_ADMIN,
    MARA,
    World,
    open_world,
    world_guild,
)

CLUB_ROLE = "1200000000000000300"
BOT_ROLE = "1200000000000000301"
MANAGE_ROLES = 1 << 28
BOT = p.user("1100000000000000001", "peerbot", bot=True)
REWARDS: dict[str, Any] = {
    "rewards": [
        {"name": "Welcome", "points": 1, "kind": "thanks"},
        {"name": "Gift card", "points": 7, "kind": "voucher", "pool": "gift", "message": "€25 off in the shop."},
        {"name": "Inner circle", "rank": "Helper", "kind": "club"},
    ],
    "recognition": {"ranks": {"Newcomer": 0, "Helper": 15}},
    "club": {"discord_role": CLUB_ROLE},
}


def club_guild(*, manage_roles: bool = True, bot_position: int = 3) -> dict[str, Any]:
    guild = world_guild()
    guild["roles"] += [
        p.role(CLUB_ROLE, "inner circle", position=2),
        p.role(BOT_ROLE, "peerbot", permissions=MANAGE_ROLES if manage_roles else 0, position=bot_position),
    ]
    guild["members"].append(p.member(BOT, roles=[BOT_ROLE]))
    return guild


def peerbot_command(name: str, arguments: str | None = None) -> list[dict[str, Any]]:
    option = p.subcommand(name)
    if arguments is not None:
        option["options"] = [p.string_option("arguments", arguments)]
    return [option]


async def earn_points_through_the_workflow(world: World) -> None:
    """Alice's question is escalated; Mara claims it (2 points), answers in the thread (7), Alice says it solved
    it (17: the rank Helper)."""
    asked = await world.say(HELP, ALICE, "Can the quantum banana toaster run Doom?")
    # the escalation note (with its "Claim it" button); a stock warning may share the channel
    (ping,) = await world.fake.wait_for(lambda: [s for s in world.fake.in_channel(ESCALATIONS) if s.custom_ids])
    await world.response(await world.press(ping.custom_ids[0], ping, MARA))
    await world.say(asked["id"], MARA, "It can't; the toaster has no screen.")
    told = await world.fake.wait_for(
        lambda: [s for s in world.fake.in_channel(asked["id"]) if "answered your question" in s.content]
    )
    await world.response(await world.press(told[0].custom_ids[0], told[0], ALICE))
    await world.fake.wait_for(lambda: [s for s in world.fake.in_channel(asked["id"]) if "Thanks to" in s.content])


async def test_voucher_in_a_dm_exactly_once_club_role_given_and_revoked(tmp_path: Path) -> None:
    async with open_world(tmp_path, settings_extra=REWARDS, guild=club_guild()) as world:
        world.bot.store.import_codes("gift", ["LUMO-GIFT-0001"])
        await earn_points_through_the_workflow(world)
        await world.fake.wait_for(lambda: len(world.fake.dms_to(MARA["id"])) == 3)

        dms = [s.content for s in world.fake.dms_to(MARA["id"])]
        assert [d.split("the ", 1)[1].split(" reward tier")[0] for d in dms] == ["Welcome", "Gift card", "Inner circle"]
        assert "Your voucher code: LUMO-GIFT-0001" in dms[1]
        everywhere_else = [s for s in world.fake.sent if s not in world.fake.dms_to(MARA["id"])]
        assert not [s for s in everywhere_else if "LUMO-GIFT" in s.content]
        assert all(s.allowed_mentions == {"parse": []} for s in world.fake.dms_to(MARA["id"]))
        assert world.fake.role_changes == [("PUT", GUILD, MARA["id"], CLUB_ROLE)]
        thanks = [s.content for s in world.fake.sent if s.content.startswith("🙏 Thanks to")]
        assert thanks == ["🙏 Thanks to Mara Quinn for solving this one!"]
        announced = [s.content for s in world.fake.in_channel(ESCALATIONS) if "reward tier" in s.content]
        assert "🎉 Mara Quinn reached the Gift card reward tier. Thank you for helping the community!" in announced

        mine = await world.response(await world.slash("peerbot", MARA, options=peerbot_command("me")))
        assert mine.ephemeral and "Mara Quinn: 17 points (Helper)" in mine.content
        assert "Gift card (voucher): granted on" in mine.content and "code LUMO-GIFT-0001" in mine.content

        refused = await world.response(
            await world.slash("peerbot", MARA, options=peerbot_command("revoke", "Mara Quinn"))
        )
        assert world.fake.role_changes == [("PUT", GUILD, MARA["id"], CLUB_ROLE)]  # only admins may
        assert refused.content == NOT_ADMIN and refused.ephemeral
        revoked = await world.response(
            await world.slash("peerbot", LISTED_ADMIN, options=peerbot_command("revoke", "Mara Quinn"))
        )
        assert revoked.content == "Revoked Inner circle for Mara Quinn: they leave the club on every platform."
        await world.fake.wait_for(lambda: len(world.fake.role_changes) == 2)
        assert world.fake.role_changes[1] == ("DELETE", GUILD, MARA["id"], CLUB_ROLE)

        await world.bot.tick()  # the timer's round: nothing is delivered twice
        await world.fake.quiet()
        assert len(world.fake.dms_to(MARA["id"])) == 3 and len(world.fake.role_changes) == 2


async def test_opted_out_member_is_thanked_privately_only(tmp_path: Path) -> None:
    async with open_world(tmp_path, settings_extra=REWARDS, guild=club_guild()) as world:
        world.bot.store.import_codes("gift", ["LUMO-GIFT-0001"])
        quiet = await world.response(await world.slash("peerbot", MARA, options=peerbot_command("announce", "off")))
        assert quiet.content == ANNOUNCE_OFF
        await earn_points_through_the_workflow(world)
        await world.fake.wait_for(lambda: len(world.fake.dms_to(MARA["id"])) == 3)
        public = [s.content for s in world.fake.sent if s not in world.fake.dms_to(MARA["id"])]
        assert not [c for c in public if "Mara" in c and ("reward tier" in c or "badge" in c or "Thanks to" in c)]
        assert "🙏 Thanks to the community expert who solved this one!" in public


async def test_start_up_names_the_missing_manage_roles_permission(tmp_path: Path) -> None:
    async with open_world(tmp_path, settings_extra=REWARDS, guild=club_guild(manage_roles=False)) as world:
        await world.fake.quiet()
        (logged,) = world.errors.take("Discord permissions")
        assert logged.getMessage() == (
            "Discord permissions: the bot lacks the Manage Roles permission in server 'Lumo Community', so it cannot "
            "give the club role 'inner circle': give the bot's role Manage Roles (Server Settings > Roles)"
        )


async def test_start_up_names_a_club_role_above_the_bots_role(tmp_path: Path) -> None:
    async with open_world(tmp_path, settings_extra=REWARDS, guild=club_guild(bot_position=1)) as world:
        await world.fake.quiet()
        (logged,) = world.errors.take("Discord permissions")
        assert "the club role 'inner circle' is not below the bot's highest role 'peerbot'" in logged.getMessage()


async def test_no_permission_complaint_when_the_bot_may_manage_the_role(tmp_path: Path) -> None:
    async with open_world(tmp_path, settings_extra=REWARDS, guild=club_guild()) as world:
        await world.fake.quiet()
        assert world.errors.take("Discord permissions") == []
