"""Discord API payloads as discord.py 2.7.1 reads them, in one place.

A payload missing a field 2.7.1 reads fails silently in the client ("Task exception was never retrieved"),
so every test builds its payloads here and a loop exception handler fails the test when one is wrong.
"""

from __future__ import annotations

import itertools
from typing import Any

JSON = dict[str, Any]
TIMESTAMP = "2026-01-05T10:00:00.000000+00:00"
MANAGE_GUILD = 1 << 5
VIEW_CHANNEL = 1 << 10
# a typical @everyone: invite, react, view, send, embed, attach, history, app commands, public threads, send in threads
EVERYONE_PERMISSIONS = sum(1 << bit for bit in (0, 6, 10, 11, 14, 15, 16, 31, 35, 38))

_ids = itertools.count(1_300_000_000_000_000_000)


def snowflake() -> str:
    return str(next(_ids))


def user(uid: str, name: str, *, bot: bool = False) -> JSON:
    return {
        "id": uid,
        "username": name,
        "global_name": name,
        "discriminator": "0",
        "avatar": None,
        "bot": bot,
        "public_flags": 0,
    }


def member(who: JSON, *, roles: list[str] | None = None, permissions: int | None = None) -> JSON:
    data: JSON = {
        "user": who,
        "nick": None,
        "avatar": None,
        "roles": roles or [],
        "joined_at": TIMESTAMP,
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "communication_disabled_until": None,
    }
    if permissions is not None:  # interactions carry the member's resolved permissions in the channel
        data["permissions"] = str(permissions)
    return data


def role(rid: str, name: str, *, permissions: int = 0, position: int = 0) -> JSON:
    return {
        "id": rid,
        "name": name,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "icon": None,
        "unicode_emoji": None,
        "position": position,
        "permissions": str(permissions),
        "managed": False,
        "mentionable": False,
        "flags": 0,
    }


def deny_everyone(guild_id: str) -> JSON:
    """A permission overwrite that hides a channel from @everyone (a private channel)."""
    return {"id": guild_id, "type": 0, "allow": "0", "deny": str(VIEW_CHANNEL)}


def text_channel(cid: str, guild_id: str, name: str, *, overwrites: list[JSON] | None = None) -> JSON:
    return {
        "id": cid,
        "type": 0,
        "guild_id": guild_id,
        "name": name,
        "position": 0,
        "permission_overwrites": overwrites or [],
        "nsfw": False,
        "parent_id": None,
        "topic": None,
        "rate_limit_per_user": 0,
        "last_message_id": None,
        "default_auto_archive_duration": 1440,
        "default_thread_rate_limit_per_user": 0,
        "flags": 0,
    }


def forum_channel(cid: str, guild_id: str, name: str) -> JSON:
    return {
        **text_channel(cid, guild_id, name),
        "type": 15,
        "available_tags": [],
        "default_reaction_emoji": None,
        "default_sort_order": None,
        "default_forum_layout": 0,
    }


def thread(
    tid: str,
    guild_id: str,
    parent_id: str,
    name: str,
    owner_id: str,
    *,
    newly_created: bool = False,
    private: bool = False,
) -> JSON:
    """A thread: public (type 11), or private (type 12: only the people added to it can read it)."""
    data: JSON = {
        "id": tid,
        "type": 12 if private else 11,
        "guild_id": guild_id,
        "parent_id": parent_id,
        "owner_id": owner_id,
        "name": name,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "message_count": 0,
        "member_count": 1,
        "total_message_sent": 0,
        "flags": 0,
        "applied_tags": [],
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": 1440,
            "archive_timestamp": TIMESTAMP,
            "locked": False,
            "create_timestamp": TIMESTAMP,
            **({"invitable": False} if private else {}),
        },
    }
    if newly_created:
        data["newly_created"] = True
    return data


def guild(
    gid: str,
    *,
    owner_id: str,
    channels: list[JSON],
    members: list[JSON],
    roles: list[JSON] | None = None,
    threads: list[JSON] | None = None,
) -> JSON:
    """A GUILD_CREATE payload; the @everyone role has the guild's id; `threads`: the active threads."""
    return {
        "id": gid,
        "name": "Lumo Community",
        "icon": None,
        "splash": None,
        "discovery_splash": None,
        "banner": None,
        "description": None,
        "owner_id": owner_id,
        "afk_channel_id": None,
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "premium_progress_bar_enabled": False,
        "preferred_locale": "en-US",
        "features": [],
        "system_channel_id": None,
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "public_updates_channel_id": None,
        "safety_alerts_channel_id": None,
        "vanity_url_code": None,
        "application_id": None,
        "max_members": 500000,
        "max_video_channel_users": 25,
        "max_stage_video_channel_users": 50,
        "approximate_member_count": len(members),
        "incidents_data": None,
        "roles": [role(gid, "@everyone", permissions=EVERYONE_PERMISSIONS), *(roles or [])],
        "emojis": [],
        "stickers": [],
        "channels": channels,
        "threads": threads or [],
        "members": members,
        "member_count": len(members),
        "voice_states": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
        "large": False,
        "unavailable": False,
        "lazy": True,
        "joined_at": TIMESTAMP,
    }


def application(app_id: str, owner: JSON) -> JSON:
    return {
        "id": app_id,
        "name": "peerbot",
        "icon": None,
        "description": "Community help bot",
        "bot_public": False,
        "bot_require_code_grant": False,
        "owner": owner,
        "team": None,
        "verify_key": "0" * 64,
        "flags": 1 << 19,  # GATEWAY_MESSAGE_CONTENT_LIMITED
        "summary": "",
        "interactions_endpoint_url": None,
        "redirect_uris": [],
    }


def ready(me: JSON, app_id: str, guild_ids: list[str], session_id: str, resume_url: str) -> JSON:
    return {
        "v": 10,
        "user": {**me, "verified": True, "mfa_enabled": False, "flags": 0},
        "guilds": [{"id": g, "unavailable": True} for g in guild_ids],
        "session_id": session_id,
        "resume_gateway_url": resume_url,
        "application": {"id": app_id, "flags": 1 << 19},
        "private_channels": [],
        "relationships": [],
        "shard": [0, 1],
    }


def message(
    channel_id: str,
    author: JSON,
    content: str,
    *,
    mid: str | None = None,
    guild_id: str | None = None,
    roles: list[str] | None = None,
    mentions: list[JSON] | None = None,
    components: list[JSON] | None = None,
    flags: int = 0,
    message_type: int = 0,
) -> JSON:
    data: JSON = {
        "id": mid or snowflake(),
        "channel_id": channel_id,
        "author": author,
        "content": content,
        "timestamp": TIMESTAMP,
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": mentions or [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "reactions": [],
        "pinned": False,
        "type": message_type,
        "flags": flags,
        "components": components or [],
    }
    if guild_id is not None:
        data["guild_id"] = guild_id
        data["member"] = {k: v for k, v in member(author, roles=roles).items() if k != "user"}
    return data


def _interaction(
    kind: int,
    data: JSON,
    *,
    app_id: str,
    channel: JSON,
    who: JSON,
    guild_id: str | None,
    permissions: int,
    iid: str | None = None,
) -> JSON:
    payload: JSON = {
        "id": iid or snowflake(),
        "application_id": app_id,
        "type": kind,
        "data": data,
        "channel_id": channel["id"],
        "channel": channel,
        "token": f"token-{snowflake()}",
        "version": 1,
        "locale": "en-US",
        "app_permissions": str((1 << 50) - 1),
        "entitlements": [],
        "authorizing_integration_owners": {"0": guild_id or "0"},
        "context": 0 if guild_id else 1,
        "attachment_size_limit": 10 * 1024 * 1024,
    }
    if guild_id is not None:
        payload["guild_id"] = guild_id
        payload["guild_locale"] = "en-US"
        payload["guild"] = {"id": guild_id, "locale": "en-US", "features": []}
        payload["member"] = member(who, permissions=permissions)
    else:
        payload["user"] = who
    return payload


def slash(
    name: str,
    *,
    app_id: str,
    channel: JSON,
    who: JSON,
    guild_id: str | None,
    options: list[JSON] | None = None,
    permissions: int = EVERYONE_PERMISSIONS,
    iid: str | None = None,
) -> JSON:
    """An APPLICATION_COMMAND interaction: `/ask question:...` or `/peerbot reindex` (a sub-command option)."""
    data = {"id": snowflake(), "name": name, "type": 1, "options": options or []}
    return _interaction(
        2, data, app_id=app_id, channel=channel, who=who, guild_id=guild_id, permissions=permissions, iid=iid
    )


def string_option(name: str, value: str) -> JSON:
    return {"name": name, "type": 3, "value": value}


def subcommand(name: str) -> JSON:
    return {"name": name, "type": 1, "options": []}


def button_press(
    custom_id: str,
    *,
    app_id: str,
    channel: JSON,
    who: JSON,
    guild_id: str | None,
    on_message: JSON,
) -> JSON:
    """A MESSAGE_COMPONENT interaction: a button pressed under `on_message`."""
    data = {"custom_id": custom_id, "component_type": 2}
    payload = _interaction(
        3, data, app_id=app_id, channel=channel, who=who, guild_id=guild_id, permissions=EVERYONE_PERMISSIONS
    )
    payload["message"] = on_message
    return payload
