"""One person, one identity (issue 18): one `[[superusers]]` record per person in config.toml, and in the state
store one balance, one leaderboard row and one grant per tier, whichever of their accounts earned it. Real SQLite
file (and PostgreSQL where its binaries are installed), opened the way every peerbot process opens it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, inspect
from sqlalchemy import text as sql

from peerbot.bots import app as wiring
from peerbot.bots.config import Settings, Superuser
from peerbot.bots.forget import forget_everywhere
from peerbot.bots.identity import People
from peerbot.bots.recognition import Recognition, suggest_superusers
from peerbot.bots.rewards import Rewards
from peerbot.bots.routing import expertise, rank_experts
from peerbot.bots.state import MIGRATIONS, StateStore, engine_url
from peerbot.errors import ConfigError
from peerbot.knowledge.entries import KnowledgeEntry, Match
from tests import pg
from tests.bots.test_state_contract import together
from tests.conftest import make_settings
from tests.factories import CLI_CONFIG, SMALL_COMMUNITY, reply, thread, write_jsonl

SLACK, DISCORD = "UMARA", "1200000000000000101"
MARA = {"name": "Mara Quinn", "community_id": "u-mara", "slack_id": SLACK, "discord_id": DISCORD}
DEVON = {"name": "Devon Okafor", "community_id": "u-devon"}
TIERS: list[dict[str, Any]] = [
    {"name": "Welcome", "points": 1, "kind": "thanks"},
    {"name": "Gift card", "points": 7, "kind": "voucher", "pool": "gift"},
]
NOW = datetime(2026, 11, 23, 9, 0, 0)


def settings_with(root: Path, *superusers: dict[str, Any], **extra: Any) -> Settings:
    return make_settings(root, superusers=list(superusers or (MARA, DEVON)), **extra)


def with_url(settings: Settings, url: str) -> Settings:
    return settings.model_copy(update={"state": settings.state.model_copy(update={"url": url})})


@pytest.fixture(params=pg.BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return pg.database_url(str(request.param), tmp_path)


# -- config: one record per person -----------------------------------------------------------------------------


def test_a_person_carries_all_their_accounts_on_one_record(tmp_path: Path) -> None:
    (mara, _) = settings_with(tmp_path).superusers
    assert (mara.community_id, mara.slack_id, mara.discord_id) == ("u-mara", SLACK, DISCORD)
    people = People([mara])
    assert [people.person_of(a) for a in ("u-mara", SLACK, DISCORD, "UOTHER")] == ["u-mara"] * 3 + [None]


def test_an_account_given_by_two_people_names_both(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as error:
        settings_with(tmp_path, MARA, {**DEVON, "slack_id": SLACK})
    assert (
        "superusers: 'UMARA' is superusers[0].slack_id (Mara Quinn) and superusers[1].slack_id (Devon Okafor): "
        "an account belongs to one person" in str(error.value)
    )
    with pytest.raises(ConfigError, match=r"'u-mara' is superusers\[0\].community_id \(Mara Quinn\) and "):
        settings_with(tmp_path, MARA, {"name": "Mara again", "community_id": "u-mara"})


def test_one_person_may_give_the_same_id_as_community_and_slack_id(tmp_path: Path) -> None:
    """A Slack-only community: its export's author ids are the Slack ids."""
    settings = settings_with(tmp_path, {"name": "Mara Quinn", "community_id": SLACK, "slack_id": SLACK})
    assert People(settings.superusers).aliases() == {}


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("slack_id", 42, "superusers[0].slack_id: expected a string, got 42"),
        ("discord_id", 1200000000000000101, "superusers[0].discord_id: expected a string, got 1200000000000000101"),
        ("slack_id", "@mara", "superusers[0].slack_id: expected a Slack member id (U0123ABCD"),
        ("discord_id", "mara#0001", "superusers[0].discord_id: expected a Discord user id (a number"),
    ],
)
def test_a_wrong_account_id_names_the_key(tmp_path: Path, key: str, value: object, message: str) -> None:
    with pytest.raises(ConfigError) as error:
        settings_with(tmp_path, {**MARA, key: value})
    assert message in str(error.value)


# -- the state store: one person -----------------------------------------------------------------------------


def earned_as_before(store: StateStore) -> None:
    """What a store holds when config.toml named Mara by her Slack id (community_id = "UMARA") and then by her
    Discord id: points, a badge, tiers, her announce and away choices under two accounts; one escalation answered."""
    store.add_points(SLACK, 5, "answered", "esc1")
    store.add_points(SLACK, 10, "accepted", "esc1")
    store.grant_badge(SLACK, "First Answer")
    store.grant_reward(SLACK, "Welcome", "thanks", None)
    store.set_announce(SLACK, False)
    store.set_away(SLACK, True)
    store.add_points(DISCORD, 2, "claimed", "esc2")
    store.add_points(DISCORD, 5, "answered", "esc1")  # the same award, recorded again for the other account
    store.grant_badge(DISCORD, "First Answer")  # the same badge, earned again by the other account
    store.grant_reward(DISCORD, "Welcome", "thanks", None)  # the same tier, granted again
    question = store.record_question(
        platform="slack", channel="C1", thread="t1", public=True, asker="UASKER", text="help?", outcome="escalate"
    )
    escalation = store.open_escalation(
        question, platform="slack", channel="C1", thread="t1", asker="UASKER", question="help?"
    )
    store.answer_escalation(escalation, SLACK, "try this")
    store.open_escalation(  # still waiting: Mara (as UMARA) was pinged, and is the first expert
        question,
        platform="slack",
        thread="t2",
        asker="UASKER",
        question="more?",
        superusers=[SLACK],
        experts=[SLACK, "u-devon"],
        next_ping_at=NOW,  # its next ladder step is due
    )


def test_rows_under_a_persons_other_accounts_merge_into_one_person(url: str, tmp_path: Path) -> None:
    settings = with_url(settings_with(tmp_path, rewards=TIERS), url)
    before = StateStore(url)
    earned_as_before(before)
    before.add_points("u-mara", 5, "answered", "esc3")
    before.add_points("u-devon", 3, "deflection", "q9")
    before.close()

    store = wiring.open_store(settings)  # as every peerbot process opens it
    recognition = Recognition(store, settings.recognition, settings.superusers)
    board = recognition.leaderboard()
    assert [(s.superuser, s.name, s.points) for s in board] == [
        ("u-mara", "Mara Quinn", 22),
        ("u-devon", "Devon Okafor", 3),
    ]
    assert board[0].badges == ("First Answer",)
    assert store.awards_by_reason("u-mara") == {"answered": 2, "accepted": 1, "claimed": 1}
    assert [g.tier for g in store.grants_for("u-mara")] == ["Welcome"]
    assert store.grants_for(SLACK) == store.grants_for(DISCORD) == []
    assert store.opted_out() == {"u-mara"} and store.away_superusers() == {"u-mara"}
    answered = store.escalation(1)
    assert answered is not None and (answered.answered_by, answered.claimed_by) == ("u-mara", "u-mara")
    waiting = store.escalation(2)
    assert waiting is not None and (waiting.superusers, waiting.experts) == (("u-mara",), ("u-mara", "u-devon"))
    assert store.merge_accounts(People(settings.superusers).aliases()) == {}  # the next start-up: nothing to move
    store.close()


def test_replicas_starting_together_merge_once(url: str, tmp_path: Path) -> None:
    settings = with_url(settings_with(tmp_path, rewards=TIERS), url)
    before = StateStore(url)
    earned_as_before(before)
    before.close()

    stores = together(4, lambda _: wiring.open_store(settings))
    assert stores[0].total_points("u-mara") == 17 and stores[0].points_by_superuser() == {"u-mara": 17}
    assert stores[0].badges_by_superuser() == {"u-mara": ["First Answer"]}
    assert [g.tier for g in stores[0].all_grants()] == ["Welcome"]
    for store in stores:
        store.close()


def test_one_grant_per_person_per_tier_whichever_account_reached_it(tmp_path: Path) -> None:
    settings = settings_with(tmp_path, rewards=TIERS)
    before = StateStore(settings.state_url)
    before.add_points(SLACK, 5, "answered", "esc1")
    before.grant_reward(SLACK, "Welcome", "thanks", None)
    before.close()

    store = wiring.open_store(settings)
    rewards = Rewards.from_settings(store, settings)
    store.add_points("u-mara", 2, "claimed", "esc2")  # 7 points in all: the voucher tier, not Welcome again
    rewards.reached("u-mara")
    assert sorted(g.tier for g in store.all_grants()) == ["Gift card", "Welcome"]
    assert {g.member for g in store.all_grants()} == {"u-mara"}
    store.close()


def test_a_voucher_code_handed_to_each_account_before_they_were_one_person_stays_on_record(tmp_path: Path) -> None:
    settings = settings_with(tmp_path, rewards=TIERS)
    before = StateStore(settings.state_url)
    before.import_codes("gift", ["CODE-1", "CODE-2"])
    for account in (SLACK, "u-mara"):
        before.grant_reward(account, "Gift card", "voucher", "gift")
    for grant in before.waiting_vouchers():
        before.assign_voucher(grant.id)
    before.close()

    store = wiring.open_store(settings)
    assert [(g.tier, g.code) for g in store.grants_for("u-mara")] == [("Gift card", "CODE-2")]
    assert [(g.tier, g.code) for g in store.grants_for(SLACK)] == [("Gift card", "CODE-1")]  # not lost
    store.close()


def test_members_who_are_not_configured_stay_keyed_by_their_account(tmp_path: Path) -> None:
    settings = settings_with(tmp_path)
    before = StateStore(settings.state_url)
    before.add_points("USOMEONE", 5, "answered", "esc1")
    before.close()
    store = wiring.open_store(settings)
    assert store.points_by_superuser() == {"USOMEONE": 5}
    store.close()


def test_migration_0012_indexes_who_claimed_and_answered_and_keeps_the_rows(url: str) -> None:
    engine = create_engine(engine_url(url))
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:  # a store as 0011 left it, holding an answered escalation
        config.attributes["connection"] = connection
        command.upgrade(config, "0011_followups")
    engine.dispose()
    with engine.begin() as connection:
        connection.execute(
            sql(
                "INSERT INTO questions (created_at, platform, thread, public, asker, text, outcome) "
                "VALUES (:now, 'slack', 't1', true, 'UASKER', 'help?', 'escalate')"
            ),
            {"now": NOW},
        )
        connection.execute(
            sql(
                "INSERT INTO escalations (question_id, status, created_at, updated_at, platform, thread, asker, "
                "question, superusers, near_misses, reason, answered_by, claimed_by, public, urgent, experts, level) "
                "VALUES (1, 'answered', :now, :now, 'slack', 't1', 'UASKER', 'help?', '[]', '[]', 'no trusted answer', "
                ":who, :who, true, false, '[]', 0)"
            ),
            {"now": NOW, "who": SLACK},
        )
    store = StateStore(url)  # migrates to head
    with store.engine.connect() as connection:
        indexed = {tuple(i["column_names"]) for i in inspect(connection).get_indexes("escalations")}
    assert {("answered_by",), ("claimed_by",)} <= indexed
    assert store.merge_accounts({SLACK: "u-mara"}) == {SLACK: 2}
    escalation = store.escalation(1)
    assert escalation is not None and escalation.answered_by == "u-mara" and escalation.created_at == NOW
    store.close()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0013_curation")  # 0012_identity's own downgrade (after any later revision's)
        indexed = {tuple(i["column_names"]) for i in inspect(connection).get_indexes("escalations")}
    assert ("answered_by",) not in indexed and ("claimed_by",) not in indexed
    engine.dispose()


# -- routing and suggestions see one person ---------------------------------------------------------------------


def entry(
    author_id: str, n: int, trust: float = 1.0, reasons: tuple[str, ...] = ("accepted answer",)
) -> KnowledgeEntry:
    return KnowledgeEntry(
        id=f"e{author_id}{n}",
        title=f"question {n}",
        body="",
        answer="an answer",
        author=author_id,
        author_id=author_id,
        thread_id=f"t{author_id}{n}",
        source="chat",
        trust=trust,
        trust_reasons=reasons,
        date="2026-11-01T10:00:00Z",
    )


def test_routing_counts_a_persons_answers_from_every_platform(tmp_path: Path) -> None:
    """Devon wrote one close community answer; Mara two on Slack and one on Discord: she is asked first."""
    superusers = settings_with(tmp_path).superusers
    matches = [
        Match(entry("u-devon", 1), 0.9, 0.9),
        Match(entry(SLACK, 1), 0.5, 0.5),
        Match(entry(SLACK, 2), 0.4, 0.4),
        Match(entry(DISCORD, 1), 0.3, 0.3),
    ]
    scores = expertise(matches, superusers, NOW)
    assert scores["u-mara"] / scores["u-devon"] == pytest.approx((0.5 + 0.4 + 0.3) / 0.9)  # same age, same trust
    ranked = rank_experts(matches, superusers, now=NOW, unavailable=set(), load={})
    assert [s.community_id for s, _ in ranked] == ["u-mara", "u-devon"]


def test_suggest_never_proposes_a_superusers_other_account(tmp_path: Path) -> None:
    superusers = settings_with(tmp_path).superusers
    entries = [entry(account, n) for account in (SLACK, DISCORD, "u-mara", "UNEWCOMER") for n in range(4)]
    assert [c.author_id for c in suggest_superusers(entries, superusers)] == ["UNEWCOMER"]


def test_superuser_records_resolve_any_account(tmp_path: Path) -> None:
    people = People([Superuser(name="Mara Quinn", community_id="u-mara", slack_id=SLACK)])
    assert people.key_of(SLACK) == "u-mara" and people.key_of("UOTHER") == "UOTHER"
    assert people.all_accounts() == {"u-mara", SLACK}


def test_superusers_suggest_skips_a_superusers_chat_account(tmp_path: Path, peerbot: Callable[..., Any]) -> None:
    """`peerbot superusers suggest` as an admin runs it: Mara's accepted answers in a Slack export (under her Slack
    id) are hers, not a new candidate's; a newcomer's are proposed."""
    threads = [
        thread(
            f"t{author}{n}",
            f"Question {n} about the hub {author}",
            "",
            [reply(f"Answer {n}.", author, accepted=True, author_id=author)],
        )
        for author in (SLACK, "UNEWCOMER")
        for n in range(3)
    ]
    write_jsonl(tmp_path / "community.jsonl", threads)
    (tmp_path / "config.toml").write_text(CLI_CONFIG + f'slack_id = "{SLACK}"\n')
    assert peerbot("index").returncode == 0
    suggested = peerbot("superusers", "suggest")
    assert suggested.returncode == 0, suggested.stderr
    assert "UNEWCOMER" in suggested.stdout and SLACK not in suggested.stdout


def test_forgetting_a_person_by_one_account_forgets_all_of_them(tmp_path: Path) -> None:
    """`peerbot forget UMARA`: her answer in a Discord export, her question asked on Slack and her points (kept
    under her community id) all go, and every one of her accounts stays out of later reindexes."""
    from_discord = thread(
        "mesh", "Mesh wifi and the hub", "", [reply("Turn off band steering.", "mara", author_id=DISCORD, score=9)]
    )
    settings = make_settings(tmp_path, [*SMALL_COMMUNITY, from_discord], superusers=[MARA, DEVON])
    wiring.reindex(settings, wiring.open_embedder(settings))
    store = wiring.open_store(settings)
    store.record_question(
        platform="slack", channel="C1", thread="t1", public=True, asker=SLACK, text="hi", outcome="answer"
    )
    store.add_points("u-mara", 5, "answered", "esc1")

    report = forget_everywhere(settings, store, SLACK)
    assert sum(report.index_versions.values()) == 2  # the Discord answer, and her community answer (u-mara)
    assert (report.store.questions, report.store.points) == (1, 1)
    assert set(store.forgotten_authors()) == {"u-mara", SLACK.lower(), DISCORD, "mara quinn"}
    store.close()
