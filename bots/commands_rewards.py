"""The rewards' chat commands (rows in bots/commands.py's table): `/me`, `/announce on|off`, `/revoke MEMBER`."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from peerbot.bots import messages_rewards as words
from peerbot.bots.conversation import Outcome, Reply

if TYPE_CHECKING:
    from peerbot.bots.bot import Bot
    from peerbot.bots.commands import Call


def _say(text: str) -> Reply:
    return Reply(Outcome.COMMAND, text)


def _private(call: Call) -> bool:
    """Only the asker reads the reply: a DM or private conversation, or the console (the operator's own)."""
    return not call.question.public or call.question.platform == "console"


async def me(bot: Bot, call: Call) -> Reply:
    recognition = bot.recognition
    if call.superuser is None or recognition is None or recognition.rewards is None:
        return _say(words.ME_NO_POINTS.format(community=bot.community))
    member = call.superuser.community_id
    points = await asyncio.to_thread(recognition.total, member)
    badges = (await asyncio.to_thread(bot.store.badges_by_superuser)).get(member, [])
    rank = recognition.rank_for(points)
    text = await asyncio.to_thread(recognition.rewards.me, member, points, rank, badges, private=_private(call))
    return _say(text)


async def announce(bot: Bot, call: Call) -> Reply:
    choice = call.args.strip().lower()
    if choice not in ("on", "off"):
        return _say(words.ANNOUNCE_USAGE)
    if call.superuser is None:
        return _say(words.NOT_A_MEMBER)
    await asyncio.to_thread(bot.store.set_announce, call.superuser.community_id, choice == "on")
    return _say(words.ANNOUNCE_ON if choice == "on" else words.ANNOUNCE_OFF)


async def revoke(bot: Bot, call: Call) -> Reply:
    """An admin ends a member's club membership: the role / user group goes on every platform at once."""
    rewards = bot.recognition.rewards if bot.recognition else None
    if rewards is None or not call.args.strip():
        return _say(words.REVOKE_USAGE)
    member = rewards.find(call.args)
    if member is None:
        return _say(words.UNKNOWN_MEMBER.format(who=call.args.strip()))
    revoked = await asyncio.to_thread(rewards.revoke, member.community_id)
    if not revoked:
        return _say(words.NOTHING_TO_REVOKE.format(name=member.name))
    await bot.outbox.deliver(await asyncio.to_thread(rewards.pump))
    return _say(words.REVOKED.format(tier=", ".join(g.tier for g in revoked), name=member.name))
