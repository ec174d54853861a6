"""Rewards on Discord: private messages (DMs) to one member, stock warnings in the admin channel, the club role
given and taken, and the start-up check that the bot may manage that role."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord

from peerbot.adapters.discord_render import split_text
from peerbot.bots.notices import Notice

if TYPE_CHECKING:
    from peerbot.adapters.discord_client import PeerbotClient

log = logging.getLogger("peerbot.adapters.discord_client")

REWARD_KINDS = ("dm", "admin", "club_add", "club_remove")
REASON = "peerbot rewards: the club"


async def deliver_reward(client: PeerbotClient, notice: Notice) -> None:
    """One rewards notice: a DM never goes anywhere but the member's DMs; nothing here pings anyone."""
    if notice.kind == "dm":
        await _direct_message(client, notice)
    elif notice.kind == "admin":
        await _to_admins(client, notice.text)
    else:
        await _club(client, notice)


async def _direct_message(client: PeerbotClient, notice: Notice) -> None:
    if notice.platform not in (None, "discord"):
        return
    member = notice.superusers[0] if notice.superusers else None
    if member is None or not member.discord_id or not member.discord_id.isdigit():
        log.warning("a private message has no Discord member to go to", extra={"kind": notice.kind})
        return
    channel = await client.create_dm(discord.Object(int(member.discord_id)))
    for chunk in split_text(notice.text):
        await channel.send(chunk, suppress_embeds=True)


async def _to_admins(client: PeerbotClient, text: str) -> None:
    settings = client.settings.discord
    channel_id = settings.admin_channel or settings.escalation_channel
    channel = await client._channel(channel_id)
    if channel is None:
        log.warning("a warning for admins has nowhere to go: set discord.admin_channel", extra={"text": text})
        return
    for chunk in split_text(text):
        await channel.send(chunk, suppress_embeds=True)


def club_guild(client: discord.Client, role_id: int) -> discord.Guild | None:
    return next((g for g in client.guilds if g.get_role(role_id) is not None), None)


async def _club(client: PeerbotClient, notice: Notice) -> None:
    role_id = client.settings.club.discord_role
    member = notice.superusers[0] if notice.superusers else None
    if not role_id or member is None or not member.discord_id:
        return  # no club role here, or the member has no Discord account
    guild = club_guild(client, int(role_id))
    if guild is None:
        log.error("club.discord_role is not a role in any server the bot is in", extra={"role": role_id})
        return
    if notice.kind == "club_add":
        await client.http.add_role(guild.id, int(member.discord_id), int(role_id), reason=REASON)
    else:
        await client.http.remove_role(guild.id, int(member.discord_id), int(role_id), reason=REASON)
    log.info("club role changed", extra={"kind": notice.kind, "member": member.community_id})


async def check_club_permissions(client: PeerbotClient) -> list[str]:
    """What stops the bot from giving the club role, in words an admin can act on (logged as errors)."""
    configured = client.settings.club.discord_role
    if not configured:
        return []
    if not configured.isdigit():
        problems = [f"club.discord_role must be a role id (digits), got {configured!r}"]
    else:
        problems = await _role_problems(client, int(configured))
    for problem in problems:
        log.error("Discord permissions: %s", problem, extra={"role": configured})
    return problems


async def _role_problems(client: PeerbotClient, role_id: int) -> list[str]:
    guild = club_guild(client, role_id)
    if guild is None:
        return [f"club.discord_role {role_id} is not a role in any server the bot is in"]
    role = guild.get_role(role_id)
    me: Any = guild.me
    if me is None and client.user is not None:
        try:
            me = await guild.fetch_member(client.user.id)
        except discord.HTTPException:
            return [f"cannot read the bot's own roles in server {guild.name!r}, so its permissions are unknown"]
    problems = []
    if not me.guild_permissions.manage_roles:
        problems.append(
            f"the bot lacks the Manage Roles permission in server {guild.name!r}, so it cannot give the club role "
            f"{getattr(role, 'name', role_id)!r}: give the bot's role Manage Roles (Server Settings > Roles)"
        )
    if role is not None and me.top_role <= role:
        problems.append(
            f"the club role {role.name!r} is not below the bot's highest role {me.top_role.name!r} in server "
            f"{guild.name!r}: drag the bot's role above it (Server Settings > Roles)"
        )
    return problems
