"""The weekly digest (issue #18, point 6): the /roi numbers for the last 7 complete days against the 7 before, as
the admins read it in the console; posted once a week across replicas; its setting; `peerbot digest`."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from peerbot.bots import app as wiring
from peerbot.bots.bot import Bot
from peerbot.bots.config import Settings, load_settings
from peerbot.bots.conversation import Question
from peerbot.bots.digest import digest_time
from peerbot.bots.notices import Notice
from peerbot.bots.runtime import tick
from peerbot.bots.schema import utcnow
from peerbot.errors import ConfigError
from tests.bots.test_escalation_workflow import console, start
from tests.conftest import make_settings
from tests.factories import CLI_CONFIG, SMALL_COMMUNITY, Clock, write_jsonl

DIGEST = {"digest": "monday 09:00", "case_cost": 30, "case_minutes": 15, "currency": "€"}
TUESDAY = datetime(2026, 11, 17, 12, 0)  # a week's digest time (Monday 09:00) is a day past: nothing is posted
MONDAY = datetime(2026, 11, 30, 9, 0)  # the digest of November 23-29


def world(tmp_path: Path, **dashboard: object) -> tuple[Settings, Clock]:
    settings = make_settings(tmp_path, dashboard={**DIGEST, **dashboard})
    wiring.reindex(settings, wiring.open_embedder(settings))
    clock = Clock()
    clock.now = TUESDAY
    return settings, clock


def admin(notices: list[Notice]) -> list[str]:
    return [n.text for n in notices if n.kind == "admin"]


def test_the_digest_counts_two_weeks_of_questions_as_the_admins_read_it(tmp_path: Path) -> None:
    settings, clock = world(tmp_path, public_url="https://peerbot.example/")
    bot = start(settings, clock)
    # the week before (November 16-22): one deflected, one a superuser answers 40 minutes later
    assert "Power-cycle the bulb" in console(bot, "a1", "How do I factory reset a bulb")
    assert "(escalation #1)" in console(bot, "a2", "Can I pay for the Lumo hub with bitcoin?")
    clock.advance(40)
    console(bot, "u-mara", "/answer 1 No, cards and PayPal only.")
    # this week (November 23-29): two deflected, one a superuser answers 90 minutes later
    clock.now = datetime(2026, 11, 24, 12, 0)
    assert "2.4 GHz band" in console(bot, "a3", "Hub keeps dropping off wifi every night")
    assert "within 30 days" in console(bot, "a4", "My dimmer arrived cracked, refund?")
    assert "(escalation #2)" in console(bot, "a5", "Does the Lumo app support Klingon language?")
    clock.advance(90)
    assert "[to the admins]" not in console(bot, "u-devon", "/answer 2 Not yet.")

    clock.now = MONDAY + timedelta(seconds=30)  # the first timer round after Monday 09:00 posts it
    posted = console(bot, "a6", "How do I factory reset a bulb")
    digest = posted[posted.index("[to the admins]") : posted.index("peerbot>")]
    assert digest == (
        "[to the admins] Weekly digest for Lumo Community: Mon Nov 23 – Sun Nov 29 (7 complete days, UTC), "
        "against Mon Nov 16 – Sun Nov 22\n"
        "• Questions deflected by peer answers: 2 of 3 (67%), +100%; the week before 1 of 2 (50%)\n"
        "• Staff time saved: 0.5 h, +100% (before 0.2 h; 15 min a case)\n"
        "• Cost saved: €60, +100% (before €30; €30.00 a case)\n"
        "• Human answers by superusers: 100% (1 of 1); the week before 100% (1 of 1)\n"
        "• Median time to a human answer: 1.5 h (n=1), +125% (slower); the week before 40 min (n=1)\n"
        "Top unanswered topics since Mon Nov 23:\n"
        "1. app, support, klingon (1 question)\n"
        "Dashboard: https://peerbot.example/roi\n"
    )
    clock.advance(120)  # later that day, and the rest of the week: never again
    assert "[to the admins]" not in console(bot, "a7", "How do I factory reset a bulb")
    clock.now = MONDAY + timedelta(days=6, hours=23)
    assert "[to the admins]" not in console(bot, "a8", "How do I factory reset a bulb")


def test_mentions_in_the_community_name_and_the_questions_stay_inert(tmp_path: Path) -> None:
    settings, clock = world(tmp_path)
    settings = settings.model_copy(update={"community": settings.community.model_copy(update={"name": "@everyone"})})
    bot = start(settings, clock)
    clock.now = MONDAY - timedelta(days=5)
    console(bot, "a1", "@here <!channel> can I pay for the hub with bitcoin?")
    clock.now = MONDAY
    (text,) = admin(asyncio.run(tick(bot)))
    assert text.startswith("Weekly digest for @\u200beveryone:")
    assert "@here" not in text and "<!channel>" not in text and "@everyone" not in text


async def _together(bots: list[Bot]) -> list[Notice]:
    rounds = await asyncio.gather(*(tick(b) for b in bots))
    return [n for notices in rounds for n in notices]


def test_two_replicas_on_one_store_post_it_once_a_week(tmp_path: Path) -> None:
    settings, clock = world(tmp_path)
    replicas = [start(settings, clock), start(settings, clock)]

    def round_of(*bots: Bot) -> list[str]:
        return admin(asyncio.run(_together(list(bots))))

    assert round_of(*replicas) == []  # Tuesday: last Monday's time is over a day ago
    clock.now = MONDAY - timedelta(minutes=1)
    assert round_of(*replicas) == []
    clock.now = MONDAY
    (first,) = round_of(*replicas)  # both race at 09:00: one posts it
    assert first.startswith("Weekly digest for Lumo Community: Mon Nov 23 – Sun Nov 29")
    clock.advance(30)
    assert round_of(*replicas) == []
    assert round_of(start(settings, clock)) == []  # a replica started later that week: it is posted already
    clock.now = MONDAY + timedelta(days=7, seconds=5)
    (second,) = round_of(*replicas)
    assert "Mon Nov 30 – Sun Dec 6" in second
    clock.now = MONDAY + timedelta(days=15, hours=1)  # every replica was down from Monday to Tuesday 10:00
    assert round_of(*replicas) == []  # a digest over a day late is skipped, not posted mid-week
    clock.now = MONDAY + timedelta(days=21, hours=2)
    (third,) = round_of(replicas[1])
    assert "Mon Dec 14 – Sun Dec 20" in third


def test_the_digest_is_on_with_an_admin_channel_and_off_when_said(tmp_path: Path) -> None:
    assert digest_time(make_settings(tmp_path)) is None  # nowhere meant for admins: nothing posted
    on = digest_time(make_settings(tmp_path, slack={"admin_channel": "CADMIN"}))
    assert str(on) == "monday 09:00"
    assert digest_time(make_settings(tmp_path, discord={"admin_channel": "42"}, dashboard={"digest": "off"})) is None
    assert str(digest_time(make_settings(tmp_path, dashboard={"digest": " Fri 17:30"}))) == "friday 17:30"


@pytest.mark.parametrize(
    ("dashboard", "says"),
    [
        (
            {"digest": "someday"},
            'dashboard.digest: expected "off" or a weekday and a UTC time like "monday 09:00", got \'someday\'',
        ),
        ({"digest": "monday 24:00"}, "(hours 00-23, minutes 00-59), got 'monday 24:00'"),
        ({"digest": 9}, "dashboard.digest: expected a string, got 9"),
        ({"public_url": "dash.example.com"}, "dashboard.public_url: expected an address starting with https://"),
    ],
)
def test_a_wrong_digest_setting_names_key_and_what_is_expected(
    tmp_path: Path, dashboard: dict[str, object], says: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        make_settings(tmp_path, dashboard=dashboard)
    assert says in str(raised.value)


def test_peerbot_digest_prints_it_now(tmp_path: Path, peerbot: Callable[..., subprocess.CompletedProcess[str]]) -> None:
    (tmp_path / "config.toml").write_text(CLI_CONFIG + '\n[dashboard]\ncurrency = "€"\n')
    write_jsonl(tmp_path / "community.jsonl", SMALL_COMMUNITY)
    settings = load_settings(tmp_path / "config.toml")
    wiring.reindex(settings, wiring.open_embedder(settings))
    three_days_ago = Clock()
    three_days_ago.now = utcnow() - timedelta(days=3)  # the store's own clock: naive UTC
    console(start(settings, three_days_ago), "a1", "How do I factory reset a bulb")

    result = peerbot("digest")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Weekly digest for Lumo Community: ")
    assert "• Questions deflected by peer answers: 1 of 1 (100%); the week before 0 of 0 (–)\n" in result.stdout
    assert "• Cost saved: €25 (before €0; €25.00 a case)\n" in result.stdout
    assert "Dashboard:" not in result.stdout  # no dashboard.public_url
    assert "The running bot does not post it: set [dashboard] digest" in result.stderr

    (tmp_path / "config.toml").write_text(CLI_CONFIG + '\n[dashboard]\ndigest = "sunday 18:00"\n')
    result = peerbot("digest", "--no-topics")
    assert "1 of 1 (100%)" in result.stdout
    assert "The running bot posts it to the admin channel every sunday 18:00 UTC (next: " in result.stderr


def test_the_topics_come_from_the_weeks_latest_public_questions(tmp_path: Path) -> None:
    settings, clock = world(tmp_path)
    bot = start(settings, clock)
    for n, question in enumerate(("Can I pay with bitcoin?", "Is there a Lumo lamp for Mars?", "Klingon app?")):
        console(bot, f"a{n}", question)
    asyncio.run(bot.handle(Question(text="Nimbus prototype delayed?", asker="b", channel="staff", public=False)))
    assert bot.store.unanswered_question_texts(latest=2, public_only=True) == [
        "Is there a Lumo lamp for Mars?",
        "Klingon app?",
    ]
    assert len(bot.store.unanswered_question_texts()) == 4
