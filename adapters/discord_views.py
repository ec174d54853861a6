"""The buttons: feedback under an answer, "Claim it" under a superuser alert. Persistent, so they keep
working after a restart: the custom_id carries what the press means (`peerbot:solved:42`, `peerbot:claim:7`)
and discord.py routes a press on any message, old or new, here through `Client.add_dynamic_items`.
"""

from __future__ import annotations

import re
from typing import Any, Protocol, cast

import discord

from peerbot.adapters import discord_words
from peerbot.bots import messages
from peerbot.bots.conversation import Verdict

VERDICTS = tuple(Verdict)
_STYLES = {
    Verdict.SOLVED: discord.ButtonStyle.success,
    Verdict.UNHELPFUL: discord.ButtonStyle.secondary,
    Verdict.HUMAN: discord.ButtonStyle.primary,
}


class FeedbackHandler(Protocol):
    async def on_feedback(self, interaction: discord.Interaction[Any], verdict: Verdict, question_id: int) -> None: ...


class ClaimHandler(Protocol):
    async def on_claim(self, interaction: discord.Interaction[Any], escalation_id: int) -> None: ...


def custom_id(verdict: Verdict, question_id: int) -> str:
    return f"peerbot:{verdict}:{question_id}"


class FeedbackButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"peerbot:(?P<verdict>solved|unhelpful|human):(?P<question_id>[0-9]{1,18})",
):
    def __init__(self, verdict: Verdict, question_id: int, label: str | None = None) -> None:
        super().__init__(
            discord.ui.Button(
                label=label or messages.FEEDBACK_LABELS[verdict],
                style=_STYLES[verdict],
                custom_id=custom_id(verdict, question_id),
            )
        )
        self.verdict: Verdict = verdict
        self.question_id = question_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> FeedbackButton:
        return cls(Verdict(match["verdict"]), int(match["question_id"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        handler = cast(FeedbackHandler, interaction.client)
        await handler.on_feedback(interaction, self.verdict, self.question_id)


def feedback_view(question_id: int | None, ask_anyway: bool = False) -> discord.ui.View | None:
    """The three buttons for a question (`ask_anyway`: only "Ask a human anyway", for an out-of-scope reply), or
    None when there is nothing to give feedback on."""
    if question_id is None:
        return None
    view = discord.ui.View(timeout=None)
    if ask_anyway:
        view.add_item(FeedbackButton(Verdict.HUMAN, question_id, messages.ASK_ANYWAY_LABEL))
        return view
    for verdict in VERDICTS:
        view.add_item(FeedbackButton(verdict, question_id))
    return view


class ClaimButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"peerbot:claim:(?P<escalation_id>[0-9]{1,18})",
):
    def __init__(self, escalation_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label=discord_words.DISCORD_CLAIM_LABEL,
                style=discord.ButtonStyle.primary,
                custom_id=f"peerbot:claim:{escalation_id}",
            )
        )
        self.escalation_id = escalation_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ClaimButton:
        return cls(int(match["escalation_id"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await cast(ClaimHandler, interaction.client).on_claim(interaction, self.escalation_id)


def claim_view(escalation_id: int | None) -> discord.ui.View | None:
    """The "Claim it" button for an escalation."""
    if escalation_id is None:
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(ClaimButton(escalation_id))
    return view
