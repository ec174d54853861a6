"""Rewards on Slack: private messages to one member (a DM from the app), stock warnings in the admin channel, the
club user group joined and left, and the start-up check that the app has the scopes for it."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from slack_sdk.web.async_client import AsyncWebClient

from peerbot.adapters.slack_render import message, slack_commands
from peerbot.bots.config import Settings
from peerbot.bots.notices import Notice
from peerbot.knowledge.sanitize import neutralize_mentions

log = logging.getLogger("peerbot.adapters.slack")

REWARD_KINDS = ("dm", "admin", "club_add", "club_remove")
CLUB_SCOPES = ("usergroups:read", "usergroups:write")


async def deliver_reward(client: AsyncWebClient, settings: Settings, notice: Notice) -> None:
    text = neutralize_mentions(slack_commands(notice.text))
    if notice.kind == "dm":
        member = notice.superusers[0] if notice.superusers else None
        if member is None or not member.slack_id:
            log.warning("a private message has no Slack member to go to", extra={"kind": notice.kind})
            return
        await client.chat_postMessage(channel=member.slack_id, link_names=False, **message(text))  # their DM
    elif notice.kind == "admin":
        channel = settings.slack.admin_channel or settings.slack.escalation_channel
        if channel is None:
            log.warning("a warning for admins has nowhere to go: set slack.admin_channel", extra={"text": text})
            return
        await client.chat_postMessage(channel=channel, link_names=False, **message(text))
    else:
        await _club(client, settings, notice)


async def _club(client: AsyncWebClient, settings: Settings, notice: Notice) -> None:
    """Slack replaces a user group's whole member list: read it, add or remove the member, write it back."""
    group = settings.club.slack_usergroup
    member = notice.superusers[0] if notice.superusers else None
    if not group or member is None or not member.slack_id:
        return
    current = await client.usergroups_users_list(usergroup=group)
    users = [str(u) for u in current.get("users") or []]
    wanted = [*users, member.slack_id] if notice.kind == "club_add" else [u for u in users if u != member.slack_id]
    if wanted == users or (notice.kind == "club_add" and member.slack_id in users):
        return
    await client.usergroups_users_update(usergroup=group, users=",".join(wanted))
    log.info("club user group changed", extra={"kind": notice.kind, "member": member.community_id})


def missing_scopes(settings: Settings, headers: Mapping[str, object]) -> list[str]:
    """The scopes the club user group needs that auth.test says the token lacks (logged as errors)."""
    group = settings.club.slack_usergroup
    granted_header = next((str(v) for k, v in headers.items() if k.lower() == "x-oauth-scopes"), None)
    if not group or granted_header is None:
        return []
    granted = {s.strip() for s in granted_header.split(",")}
    problems = [
        f"the app lacks the {scope} scope, so it cannot keep club members in the user group {group} "
        "(club.slack_usergroup): add it under OAuth & Permissions > Bot Token Scopes and reinstall the app"
        for scope in CLUB_SCOPES
        if scope not in granted
    ]
    for problem in problems:
        log.error("Slack permissions: %s", problem, extra={"usergroup": group})
    return problems
