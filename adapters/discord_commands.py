"""The slash commands: /ask for everyone, /peerbot reindex and /peerbot stats for admins."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from peerbot.adapters.discord_parse import PLATFORM
from peerbot.bots import messages
from peerbot.bots.conversation import Question

if TYPE_CHECKING:
    from peerbot.adapters.discord_client import PeerbotClient

log = logging.getLogger(__name__)


class PeerbotTree(app_commands.CommandTree["PeerbotClient"]):
    async def on_error(
        self, interaction: discord.Interaction[PeerbotClient], error: app_commands.AppCommandError
    ) -> None:
        if isinstance(error, app_commands.CheckFailure):
            text = messages.NOT_ADMIN
        else:
            log.error("slash command failed", exc_info=error)
            text = messages.APOLOGY
        await ephemeral(interaction, text)


async def ephemeral(interaction: discord.Interaction[Any], text: str) -> None:
    if interaction.response.is_done():
        await interaction.followup.send(text, ephemeral=True)
    else:
        await interaction.response.send_message(text, ephemeral=True)


async def acknowledge(interaction: discord.Interaction[Any], *, ephemeral: bool) -> int | None:
    """Defer (Discord wants an answer within 3 s); the response message id, or None if already acknowledged."""
    try:
        callback = await interaction.response.defer(ephemeral=ephemeral, thinking=True)
    except discord.InteractionResponded:
        return None
    except discord.HTTPException as exc:
        if exc.code == 40060:  # "already acknowledged": a redelivery after a resume, answered the first time
            log.info("interaction %s was redelivered; skipped", interaction.id)
        else:  # e.g. 10062 "Unknown interaction": more than 3 s late
            log.warning("could not acknowledge interaction %s: %s", interaction.id, exc)
        return None
    if callback is not None and callback.message_id is not None:
        return callback.message_id
    return (await interaction.original_response()).id


def install_commands(tree: PeerbotTree) -> None:
    @tree.command(name="ask", description=messages.DISCORD_ASK_HELP)
    @app_commands.describe(question=messages.DISCORD_ASK_OPTION_HELP)
    async def ask(interaction: discord.Interaction[PeerbotClient], question: str) -> None:
        await interaction.client.on_ask(interaction, question)

    def admin_only(interaction: discord.Interaction[PeerbotClient]) -> bool:
        return interaction.client.is_admin(interaction)

    group = app_commands.Group(
        name="peerbot",
        description=messages.DISCORD_ADMIN_HELP,
        default_permissions=discord.Permissions(manage_guild=True),  # hidden by default; enforced below
        guild_only=True,
    )

    @group.command(name="reindex", description=messages.DISCORD_REINDEX_HELP)
    @app_commands.check(admin_only)
    async def reindex(interaction: discord.Interaction[PeerbotClient]) -> None:
        if await acknowledge(interaction, ephemeral=True) is None:
            return
        reply = await interaction.client.bot.reindex()
        await interaction.followup.send(reply.text, ephemeral=True)

    @group.command(name="stats", description=messages.DISCORD_STATS_HELP)
    @app_commands.check(admin_only)
    async def stats(interaction: discord.Interaction[PeerbotClient]) -> None:
        if await acknowledge(interaction, ephemeral=True) is None:
            return
        question = Question(
            text="/stats", asker=str(interaction.user.id), platform=PLATFORM, event_id=str(interaction.id)
        )
        reply = await interaction.client.bot.handle(question)
        if reply is not None:
            await interaction.followup.send(reply.text, ephemeral=True)

    tree.add_command(group)
