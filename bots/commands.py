"""The chat commands, each declared once: name, who may use it, arguments, help line, handler.

The bot dispatches `/name ...` through this table; the help text, the Slack `/peerbot` subcommands, the Discord
`/peerbot` command group and the console all come from it, so adding a command touches only this file.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from peerbot.bots import commands_rewards as rewards
from peerbot.bots import messages
from peerbot.bots.config import Superuser
from peerbot.bots.conversation import Outcome, Question, Reply, Verdict

if TYPE_CHECKING:
    from peerbot.bots.bot import Bot


class Access(StrEnum):
    ANYONE = "anyone"
    SUPERUSER = "superuser"  # a configured superuser (by the platform's id)
    ADMIN = "admin"  # the platform says so: Slack's slack.admins, Discord's admins or Manage Server, the console


@dataclass(frozen=True)
class Call:
    """One use of a command: who asked, where, and its arguments."""

    question: Question
    args: str  # everything after the command's name
    number: int | None  # the first argument as a number (`12`, `#12`, `R3`), if it is one
    superuser: Superuser | None  # the asker, when a superuser


Handler = Callable[["Bot", Call], Awaitable[Reply]]


@dataclass(frozen=True)
class Command:
    name: str  # without the slash: `claim`
    access: Access
    args: str  # how the arguments are written in help: `N`, `N text`, `[days]`, or ""
    help: str
    handler: Handler
    needs_number: bool = False  # refused with "unknown command" when the first argument is not a number
    slow: bool = False  # takes long (a reindex): adapters acknowledge at once and answer later

    @property
    def usage(self) -> str:
        return f"{self.name} {self.args}".strip()


class CommandTable:
    """The commands in the order help lists them."""

    def __init__(self, commands: Sequence[Command]) -> None:
        self._commands = {c.name: c for c in commands}
        if len(self._commands) != len(commands):
            raise ValueError("command names must be unique")

    def __iter__(self) -> Iterator[Command]:
        return iter(self._commands.values())

    def get(self, name: str) -> Command | None:
        return self._commands.get(name.lower().lstrip("/"))

    @property
    def names(self) -> list[str]:
        return list(self._commands)

    def with_command(self, command: Command) -> CommandTable:
        return CommandTable([*self, command])

    def help_lines(self, prefix: str = "/", fence: str = "") -> list[str]:
        """One line a command, grouped by who may use it; `prefix` spells the command as the platform does."""
        lines: list[str] = []
        for access, title in (
            (Access.ANYONE, "Commands:"),
            (Access.SUPERUSER, "Superusers:"),
            (Access.ADMIN, "Admins:"),
        ):
            group = [c for c in self if c.access is access]
            if group:
                lines.append(title)
                lines += [f"  {fence}{prefix}{c.usage}{fence}  {c.help}" for c in group]
        return lines

    def help_text(self, community: str) -> str:
        return "\n".join([messages.HELP_INTRO.format(community=community), *self.help_lines()])


def parse_number(args: str) -> int | None:
    first = args.split()[0].lstrip("#R") if args.split() else ""
    return int(first) if first.isdigit() else None


async def dispatch(bot: Bot, table: CommandTable, question: Question, text: str) -> Reply:
    """Run `/name args` as its command, after checking who may use it."""
    name, _, rest = text.partition(" ")
    command, args = table.get(name), rest.strip()
    if command is None:
        return _say(messages.UNKNOWN_COMMAND.format(name=name.lower()))
    superuser = bot.superuser(question.platform, question.asker)
    if command.access is Access.SUPERUSER and superuser is None:
        return _say(messages.NOT_SUPERUSER)
    if command.access is Access.ADMIN and not question.admin:
        return _say(messages.NOT_ADMIN)
    number = parse_number(args)
    if command.needs_number and number is None:
        return _say(messages.UNKNOWN_COMMAND.format(name=f"/{command.name} {args}".strip()))
    return await command.handler(bot, Call(question, args, number, superuser))


def _say(text: str, escalation_id: int | None = None) -> Reply:
    return Reply(Outcome.COMMAND, text, escalation_id=escalation_id)


# -- the handlers ---------------------------------------------------------------------------------------


async def _help(bot: Bot, call: Call) -> Reply:
    return _say(bot.commands.help_text(bot.community))


async def _on_last_question(bot: Bot, call: Call, verdict: Verdict) -> Reply:
    last = await asyncio.to_thread(bot.store.last_question, call.question.platform, call.question.asker)
    if last is None:
        return _say(messages.NOTHING_TO_ESCALATE)
    return await bot.feedback(last.id, call.question.asker, verdict)


async def _human(bot: Bot, call: Call) -> Reply:
    return await _on_last_question(bot, call, Verdict.HUMAN)


async def _solved(bot: Bot, call: Call) -> Reply:
    return await _on_last_question(bot, call, Verdict.SOLVED)


async def _unhelpful(bot: Bot, call: Call) -> Reply:
    return await _on_last_question(bot, call, Verdict.UNHELPFUL)


async def _stats(bot: Bot, call: Call) -> Reply:
    counts = await asyncio.to_thread(bot.store.outcome_counts)
    open_count = await asyncio.to_thread(bot.store.open_escalations)
    kb = bot.retriever.kb
    return _say(messages.stats(counts, open_count, len(kb), kb.version))


async def _leaderboard(bot: Bot, call: Call) -> Reply:
    days = call.number or 30
    since = bot.store.clock() - timedelta(days=days)
    standings = await asyncio.to_thread(bot.recognition.leaderboard, since) if bot.recognition else []
    return _say(messages.leaderboard(standings, f"in the last {days} days"))


async def _claim(bot: Bot, call: Call) -> Reply:
    assert call.number is not None
    return await bot.claim(call.number, call.question.platform, call.question.asker)


async def _answer(bot: Bot, call: Call) -> Reply:
    assert call.number is not None and call.superuser is not None
    parts = call.args.split(maxsplit=1)
    text = parts[1] if len(parts) > 1 else ""
    if not text:
        return _say(messages.UNKNOWN_COMMAND.format(name="/answer N (with your answer)"))
    return await bot.handoff.answer(call.number, call.superuser, text)


async def _accept(bot: Bot, call: Call) -> Reply:
    assert call.number is not None
    return await bot.handoff.accept(call.number)


async def _review(bot: Bot, call: Call) -> Reply:
    pending = await asyncio.to_thread(bot.escalations.pending_reviews)
    held = await asyncio.to_thread(bot.live.held, call.question.audience) if bot.live else []
    return _say(messages.reviews(pending, held))


async def _approve(bot: Bot, call: Call) -> Reply:
    """`/approve R`: a member's answer to an escalation; `/approve KEY`: a thread learnt live and held."""
    if call.number is not None:
        return await bot.handoff.approve(call.number)
    key = call.args.strip()
    if not key or bot.live is None:
        return _say(messages.APPROVE_USAGE)
    learned = await bot.live.approve(key, call.question.asker)
    if learned is None:
        return _say(messages.NO_SUCH_HELD.format(key=key))
    return _say(messages.HELD_APPROVED.format(key=key))


async def _away(bot: Bot, call: Call) -> Reply:
    assert call.superuser is not None
    await asyncio.to_thread(bot.escalations.set_away, call.superuser.community_id, True)
    return _say(messages.AWAY)


async def _back(bot: Bot, call: Call) -> Reply:
    assert call.superuser is not None
    await asyncio.to_thread(bot.escalations.set_away, call.superuser.community_id, False)
    return _say(messages.BACK)


async def _split(bot: Bot, call: Call) -> Reply:
    assert call.number is not None
    return await bot.gatekeeper.split(call.number, bot.handoff)


async def _spammer(bot: Bot, call: Call, mark: bool) -> Reply:
    who = call.args.strip().removeprefix("<@").removesuffix(">").lstrip("@")
    if not who:
        return _say(messages.SPAMMER_USAGE)
    if mark:
        await asyncio.to_thread(bot.store.mark_spammer, who, call.question.asker)
        return _say(messages.SPAMMER_MARKED.format(who=who))
    removed = await asyncio.to_thread(bot.store.unmark_spammer, who)
    return _say((messages.SPAMMER_UNMARKED if removed else messages.NOT_A_SPAMMER).format(who=who))


async def _mark_spammer(bot: Bot, call: Call) -> Reply:
    return await _spammer(bot, call, True)


async def _unmark_spammer(bot: Bot, call: Call) -> Reply:
    return await _spammer(bot, call, False)


async def _reindex(bot: Bot, call: Call) -> Reply:
    return await bot.reindex()


async def _forget(bot: Bot, call: Call) -> Reply:
    if call.args.strip().lower() != "me":
        return _say(messages.FORGET_HOW)
    return await bot.forget_me(call.question.asker)


COMMANDS = CommandTable(
    [
        Command("help", Access.ANYONE, "", "this text", _help),
        Command("human", Access.ANYONE, "", "pass your last question to a person (a community superuser)", _human),
        Command("solved", Access.ANYONE, "", "your last question was answered (it helps the next person)", _solved),
        Command("unhelpful", Access.ANYONE, "", "the reply to your last question did not help", _unhelpful),
        Command("stats", Access.ANYONE, "", "what I've done so far", _stats),
        Command("leaderboard", Access.ANYONE, "[days]", "the community's top helpers", _leaderboard),
        Command("me", Access.ANYONE, "", "your points, rank, badges, rewards and what the next tier needs", rewards.me),
        Command("announce", Access.SUPERUSER, "on|off", "be named in public announcements, or not", rewards.announce),
        Command(
            "forget", Access.ANYONE, "me", "remove what I keep of you and keep you out (cannot be undone)", _forget
        ),
        Command("claim", Access.SUPERUSER, "N", "take escalation #N so nobody else is pinged", _claim, True),
        Command(
            "answer", Access.SUPERUSER, "N text", "answer #N (or simply reply in the asker's thread)", _answer, True
        ),
        Command(
            "accept",
            Access.SUPERUSER,
            "N",
            "mark the answer to #N as the solution (it joins the knowledge base)",
            _accept,
            True,
        ),
        Command("review", Access.SUPERUSER, "", "answers by members and live threads waiting for approval", _review),
        Command(
            "approve",
            Access.SUPERUSER,
            "R|KEY",
            "approve review R (the answer goes to the asker) or held thread KEY (it is served)",
            _approve,
        ),
        Command(
            "split", Access.SUPERUSER, "N", "the askers who joined #N asked something else: escalate each", _split, True
        ),
        Command("away", Access.SUPERUSER, "", "pause escalation pings to you", _away),
        Command("back", Access.SUPERUSER, "", "resume escalation pings to you", _back),
        Command("spammer", Access.ADMIN, "USER", "ignore USER's messages; they never become knowledge", _mark_spammer),
        Command("unspammer", Access.ADMIN, "USER", "stop ignoring USER", _unmark_spammer),
        Command(
            "reindex", Access.ADMIN, "", "rebuild the answer index from the community sources", _reindex, slow=True
        ),
        Command(
            "revoke", Access.ADMIN, "MEMBER", "end a superuser's club membership (role / user group)", rewards.revoke
        ),
    ]
)
