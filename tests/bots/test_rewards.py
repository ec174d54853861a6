"""Rewards end to end through the console adapter (real bot, real index, real SQLite file), the CLI, and config."""

from __future__ import annotations

import asyncio
import io
import re
import subprocess
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from peerbot.adapters.console import ConsoleAdapter
from peerbot.bots import app as wiring
from peerbot.bots.bot import Bot
from peerbot.bots.config import Settings
from peerbot.bots.conversation import Question
from peerbot.bots.runtime import serve
from peerbot.errors import ConfigError
from tests.conftest import make_settings
from tests.factories import CLI_CONFIG, Clock, write_jsonl

REWARDS: list[dict[str, Any]] = [
    {"name": "Welcome", "points": 1, "kind": "thanks", "message": "Thanks for your first help!"},
    {"name": "Gift card", "points": 7, "kind": "voucher", "pool": "gift", "message": "€25 off in the Lumo shop."},
    {"name": "Inner circle", "rank": "Helper", "kind": "club"},
]
RANKS = {"Newcomer": 0, "Helper": 15}


def rewards_settings(root: Path, **overrides: Any) -> Settings:
    return make_settings(root, rewards=REWARDS, recognition={"ranks": RANKS}, **overrides)


def real_bot(settings: Settings) -> Bot:
    embedder = wiring.open_embedder(settings)
    wiring.reindex(settings, embedder)
    kb, _ = wiring.load_knowledge(settings, embedder)
    return wiring.make_bot(settings, embedder, kb)


def console(bot: Bot, lines: str, asker: str) -> str:
    out = io.StringIO()
    asyncio.run(serve(bot, ConsoleAdapter(stdin=io.StringIO(lines), stdout=out, asker=asker)))
    return out.getvalue()


def escalate(bot: Bot, text: str = "sourdough pizza recipe?", asker: str = "alice") -> int:
    reply = asyncio.run(bot.handle(Question(text=text, asker=asker, thread=f"t-{text}")))
    assert reply is not None and reply.escalation_id is not None
    return reply.escalation_id


def test_points_to_tiers_to_a_private_voucher_club_and_thanks_on_the_console(tmp_path: Path) -> None:
    settings = rewards_settings(tmp_path)
    bot = real_bot(settings)
    bot.store.import_codes("gift", ["LUMO-GIFT-0001"])
    first = escalate(bot)

    transcript = console(
        bot, f"/claim {first}\n/answer {first} Use a stone at 250 °C.\n/accept {first}\n/me\n", "u-mara"
    )

    # claim (2 points): Welcome; answer (7): the voucher, privately; accept (17 = Helper): the club
    dms = transcript.split("[private message to Mara Quinn] ")[1:]
    assert [d.split("the ", 1)[1].split(" reward tier")[0] for d in dms] == ["Welcome", "Gift card", "Inner circle"]
    assert transcript.count("LUMO-GIFT-0001") == 2  # in the private message, and in her own /me
    assert "Your voucher code: LUMO-GIFT-0001" in dms[1] and "€25 off" in transcript
    assert "[announcement] 🎉 Mara Quinn reached the Gift card reward tier." in transcript
    assert not [line for line in transcript.splitlines() if "LUMO-GIFT" in line and "announcement" in line]
    assert "[club] Mara Quinn joins the club" in transcript
    assert "[to the asker] 🙏 Thanks to Mara Quinn for solving this one!" in transcript
    assert "Mara Quinn: 17 points (Helper)" in transcript
    assert re.search(r"  - Gift card \(voucher\): granted on \d{4}-\d{2}-\d{2}", transcript), transcript
    assert "code LUMO-GIFT-0001" in transcript
    assert "You have reached every reward tier." in transcript
    assert "[to the admins] Voucher pool 'gift' is running low (1 left)." in transcript
    assert "[to the admins] Voucher pool 'gift' is empty." in transcript

    # a restart (a new bot on the same database) delivers nothing again
    bot.close()
    again = real_bot(settings)
    later = console(again, "/me\n", "u-mara")
    assert "[private message" not in later and "[club]" not in later
    assert "Mara Quinn: 17 points (Helper)" in later
    again.close()


def test_a_member_waits_for_stock_and_gets_the_code_once_codes_are_imported(
    tmp_path: Path, peerbot: Callable[..., subprocess.CompletedProcess[str]]
) -> None:
    settings = rewards_settings(tmp_path)
    (tmp_path / "config.toml").write_text(CONFIG_TOML)
    bot = real_bot(settings)
    first = escalate(bot)
    transcript = console(bot, f"/claim {first}\n/answer {first} Use a stone.\n/me\n", "u-mara")
    assert "Your voucher code" not in transcript
    assert "[to the admins] Voucher pool 'gift' is empty and 1 member(s) are waiting for a voucher." in transcript
    assert "Gift card (voucher): waiting for a voucher code" in transcript
    bot.close()

    (tmp_path / "codes.csv").write_text("code\nLUMO-A\nLUMO-B\n\nLUMO-A\n")
    imported = peerbot("rewards", "import", "gift", "codes.csv")
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip() == (
        "Imported 2 codes into 'gift': 2 left; 1 member(s) waiting get theirs on the bot's next round."
    )
    again = real_bot(settings)
    later = console(again, "/me\n", "u-mara")  # the console's first timer round hands the code out
    assert later.count("[private message to Mara Quinn]") == 1
    assert "Your voucher code: LUMO-A" in later
    again.close()

    stock = peerbot("rewards", "stock")
    assert stock.returncode == 0, stock.stderr
    assert "gift" in stock.stdout and "│ 1    │ 1          │ 2        │ 0" in stock.stdout


def test_rewards_cli_names_what_is_wrong(
    tmp_path: Path, peerbot: Callable[..., subprocess.CompletedProcess[str]]
) -> None:
    write_jsonl(tmp_path / "community.jsonl", [])
    (tmp_path / "config.toml").write_text(CONFIG_TOML)
    (tmp_path / "codes.csv").write_text("X1\n")
    typo = peerbot("rewards", "import", "gifts", "codes.csv")
    assert typo.returncode == 2
    assert "error: no [[rewards]] voucher tier uses the pool 'gifts' (pools: gift)" in typo.stderr
    missing = peerbot("rewards", "import", "gift", "nope.csv")
    assert missing.returncode == 2 and "nope.csv: no such file" in missing.stderr
    nobody = peerbot("rewards", "revoke", "Zed")
    assert nobody.returncode == 2 and "there is no superuser 'Zed'" in nobody.stderr


def test_opting_out_keeps_a_member_out_of_public_announcements(tmp_path: Path) -> None:
    bot = real_bot(rewards_settings(tmp_path))
    bot.store.import_codes("gift", ["LUMO-GIFT-0001"])
    first = escalate(bot)
    transcript = console(
        bot, f"/announce off\n/claim {first}\n/answer {first} Use a stone.\n/accept {first}\n/me\n", "u-mara"
    )
    assert "Done: I won't name you in public announcements" in transcript
    assert "[announcement]" not in transcript  # no rank, badge or tier announcement names her
    assert transcript.count("[private message to Mara Quinn]") == 3  # her rewards still reach her privately
    assert "[to the asker] 🙏 Thanks to the community expert who solved this one!" in transcript
    assert "Public announcements about you: off" in transcript
    bot.close()


def test_me_for_a_member_without_points_and_codes_only_in_private(tmp_path: Path) -> None:
    members = [{"name": "Mara Quinn", "community_id": "u-mara", "discord_id": "101"}]
    bot = real_bot(rewards_settings(tmp_path, superusers=members))
    reply = asyncio.run(bot.handle(Question(text="/me", asker="alice")))
    assert reply is not None and reply.text.startswith("You have no points yet.")
    bot.store.import_codes("gift", ["SECRET-1"])
    bot.store.add_points("u-mara", 8, "accepted", "esc1")
    asyncio.run(bot.tick())
    public = asyncio.run(bot.handle(Question(text="/me", asker="101", public=True, platform="discord")))
    assert public is not None and "Mara Quinn: 8 points" in public.text
    assert "SECRET-1" not in public.text and "code sent to you privately" in public.text
    mine = asyncio.run(bot.handle(Question(text="/me", asker="101", public=False, platform="discord")))
    assert mine is not None and "code SECRET-1" in mine.text
    assert "Next: Inner circle at 15 points (7 to go)." in mine.text
    bot.close()


def test_reward_tiers_are_checked_at_start_up(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="reward 'Gift': a voucher needs a pool"):
        make_settings(tmp_path, rewards=[{"name": "Gift", "points": 5, "kind": "voucher"}])
    with pytest.raises(ConfigError, match="reward 'Club': give either points or rank"):
        make_settings(tmp_path, rewards=[{"name": "Club", "points": 5, "rank": "Helper", "kind": "club"}])
    with pytest.raises(ConfigError, match=r"rank 'Guru' is not one of recognition.ranks \(Newcomer, Helper"):
        make_settings(tmp_path, rewards=[{"name": "Club", "rank": "Guru", "kind": "club"}])
    with pytest.raises(ConfigError, match="tier names must be unique"):
        make_settings(tmp_path, rewards=[{"name": "A", "points": 1}, {"name": "A", "points": 2}])


CONFIG_TOML = (
    CLI_CONFIG
    + """
[recognition]
ranks = { Newcomer = 0, Helper = 15 }

[[rewards]]
name = "Gift card"
points = 7
kind = "voucher"
pool = "gift"
"""
)


def test_helper_of_the_month_on_a_simulated_clock(tmp_path: Path) -> None:
    clock = Clock()
    clock.now = datetime(2026, 10, 30, 15, 0)
    settings = rewards_settings(tmp_path)
    embedder = wiring.open_embedder(settings)
    wiring.reindex(settings, embedder)
    kb, _ = wiring.load_knowledge(settings, embedder)
    bot = wiring.make_bot(settings, embedder, kb, clock=clock)
    first = escalate(bot)
    october = console(bot, f"/claim {first}\n/answer {first} Use a stone.\n/accept {first}\n", "u-mara")
    assert "Helper of the month" not in october

    clock.now = datetime(2026, 11, 1, 0, 0, 30)  # the month turns: the next timer round posts it
    november = console(bot, "/stats\n", "alice")
    assert november.count("[announcement] 🌟 Helper of the month for October 2026: Mara Quinn, with 1 accepted") == 1
    clock.advance(60 * 24 * 3)
    assert "Helper of the month" not in console(bot, "/stats\n", "alice")  # once a month
    bot.close()


def test_a_forgotten_member_leaves_the_club_and_their_rewards_are_erased(tmp_path: Path) -> None:
    from peerbot.bots.forget import forget_everywhere

    settings = rewards_settings(tmp_path)
    bot = real_bot(settings)
    bot.store.add_points("u-mara", 20, "accepted", "esc1")
    assert "[club] Mara Quinn joins the club" in console(bot, "/stats\n", "alice")

    forget_everywhere(settings, bot.store, "mara quinn")  # `peerbot forget` (another process, same database)

    after = console(bot, "/stats\n", "alice")  # the running bot's next round takes the role away
    assert after.count("[club] Mara Quinn leaves the club") == 1
    assert bot.store.grants_for("u-mara") == [] and bot.store.club_members() == []
    assert "leaves the club" not in console(bot, "/stats\n", "alice")
    bot.close()
