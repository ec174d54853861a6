"""The slash commands: /ask for everyone, and /peerbot with one subcommand for each chat command in the bot's
command table (admin-only ones checked here as well as in the bot)."""

from __future__ import annotations

import logging
from typing import Any, Protocol, cast

import discord
from discord import app_commands

from peerbot.adapters import discord_words
from peerbot.bots import messages
from peerbot.bots.commands import Access, Command, CommandTable

log = logging.getLogger(__name__)
DESCRIPTION_LIMIT = 100  # characters of a slash command's or option's description


class CommandHost(Protocol):
    """What the commands call on the client (PeerbotClient implements it)."""

    def is_admin(self, interaction: discord.Interaction[Any]) -> bool: ...

    async def on_ask(self, interaction: discord.Interaction[Any], text: str) -> None: ...

    async def on_command(self, interaction: discord.Interaction[Any], name: str, arguments: str) -> None: ...

    async def on_solved_this(self, interaction: discord.Interaction[Any], message: discord.Message) -> None: ...


def _host(interaction: discord.Interaction[Any]) -> CommandHost:
    return cast(CommandHost, interaction.client)


class PeerbotTree(app_commands.CommandTree[Any]):
    async def on_error(self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError) -> None:
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
            log.info("a redelivered interaction was skipped", extra={"interaction_id": interaction.id})
        else:  # e.g. 10062 "Unknown interaction": more than 3 s late
            log.warning(
                "could not acknowledge an interaction", extra={"interaction_id": interaction.id, "error": str(exc)}
            )
        return None
    if callback is not None and callback.message_id is not None:
        return callback.message_id
    return (await interaction.original_response()).id


def _admin_only(interaction: discord.Interaction[Any]) -> bool:
    return _host(interaction).is_admin(interaction)


def subcommand(command: Command) -> app_commands.Command[Any, ..., None]:
    """`/peerbot NAME [arguments]` for one entry of the command table."""
    name = command.name

    async def without_arguments(interaction: discord.Interaction[Any]) -> None:
        await _host(interaction).on_command(interaction, name, "")

    async def with_arguments(interaction: discord.Interaction[Any], arguments: str) -> None:
        await _host(interaction).on_command(interaction, name, arguments)

    async def optional_arguments(interaction: discord.Interaction[Any], arguments: str = "") -> None:
        await _host(interaction).on_command(interaction, name, arguments)

    callback: Any = without_arguments
    if command.args:
        callback = with_arguments if command.needs_number else optional_arguments
        callback = app_commands.describe(arguments=command.args[:DESCRIPTION_LIMIT])(callback)
    slash: app_commands.Command[Any, ..., None] = app_commands.Command(
        name=name, description=command.help[:DESCRIPTION_LIMIT], callback=callback
    )
    if command.access is Access.ADMIN:
        slash.add_check(_admin_only)
    return slash


def install_commands(tree: app_commands.CommandTree[Any], table: CommandTable) -> None:
    @tree.command(name="ask", description=discord_words.DISCORD_ASK_HELP)
    @app_commands.describe(question=discord_words.DISCORD_ASK_OPTION_HELP)
    async def ask(interaction: discord.Interaction[Any], question: str) -> None:
        await _host(interaction).on_ask(interaction, question)

    @tree.context_menu(name=discord_words.DISCORD_SOLVED_THIS)
    async def solved_this(interaction: discord.Interaction[Any], message: discord.Message) -> None:
        await _host(interaction).on_solved_this(interaction, message)

    group = app_commands.Group(name="peerbot", description=discord_words.DISCORD_COMMANDS_HELP, guild_only=True)
    for command in table:
        group.add_command(subcommand(command))
    tree.add_command(group)
