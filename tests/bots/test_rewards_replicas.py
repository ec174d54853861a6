"""Rewards on several replicas (one StateStore and one Rewards per thread, on one SQLite file or a real
PostgreSQL): a tier is granted once, a code goes to one member, a waiting member gets a code when codes are
imported, club changes and the monthly post happen once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from peerbot.bots.config import Superuser
from peerbot.bots.notices import Notice
from peerbot.bots.rewards import Rewards, Tier
from peerbot.bots.state import StateStore
from tests.bots.test_state_contract import THREADS, Clock, clock, store, stores, together, url  # noqa: F401

MEMBERS = [
    Superuser(name="Mara Quinn", community_id="u-mara", discord_id="101"),
    Superuser(name="Devon Okafor", community_id="u-devon", slack_id="UDEVON"),
]
TIERS = [
    Tier("Gift card", 10, "voucher", "gift", "A €25 gift card for the Lumo shop."),
    Tier("Club", 20, "club", None, ""),
]


def rewards(db: StateStore) -> Rewards:
    return Rewards(db, TIERS, MEMBERS, low_stock=1)


def dms(rounds: list[list[Notice]]) -> list[Notice]:
    return [n for notices in rounds for n in notices if n.kind == "dm"]


def test_two_replicas_racing_for_the_last_code_one_wins_the_other_waits_for_stock(
    stores: Callable[[], StateStore],  # noqa: F811
) -> None:
    replicas = [stores() for _ in range(2)]
    replicas[0].import_codes("gift", ["GIFT-LAST"])
    for replica, member in zip(replicas, ("u-mara", "u-devon"), strict=True):
        replica.add_points(member, 10, "accepted", f"esc-{member}")

    rounds = together(2, lambda i: rewards(replicas[i]).reached(("u-mara", "u-devon")[i]))

    (delivered,) = dms(rounds)  # exactly one private message, with the one code
    assert "Your voucher code: GIFT-LAST" in delivered.text
    winner = delivered.superusers[0].community_id
    loser = "u-devon" if winner == "u-mara" else "u-mara"
    assert delivered.platform == ("discord" if winner == "u-mara" else "slack")
    assert not [n for notices in rounds for n in notices if "GIFT-LAST" in n.text and n.kind != "dm"]
    (waiting,) = replicas[0].waiting_vouchers()
    assert waiting.member == loser
    warnings = [n.text for notices in rounds for n in notices if n.kind == "admin"]
    # the winner's replica may have seen the pool empty before the other member waited: then both are said, once
    waiting_said = [w for w in warnings if w.startswith("Voucher pool 'gift' is empty and 1 member(s) are waiting")]
    assert len(waiting_said) == 1
    assert len(warnings) == len(set(warnings)) <= 2

    # codes arrive (`peerbot rewards import`): every replica's next round races; the waiting member gets one
    replicas[1].import_codes("gift", ["GIFT-NEW-1", "GIFT-NEW-2", "GIFT-NEW-3"])
    later = together(2, lambda i: rewards(replicas[i]).sweep())
    (second,) = dms(later)
    assert second.superusers[0].community_id == loser
    assert "Your voucher code: GIFT-NEW-1" in second.text
    assert dms(together(2, lambda i: rewards(replicas[i]).sweep())) == []  # never again
    assert [(s.pool, s.total, s.left, s.waiting) for s in replicas[0].stock()] == [("gift", 4, 2, 0)]


def test_many_replicas_grant_each_tier_once_and_hand_out_each_code_once(
    stores: Callable[[], StateStore],  # noqa: F811
) -> None:
    replicas = [stores() for _ in range(THREADS)]
    replicas[0].import_codes("gift", [f"GIFT-{n}" for n in range(5)])
    replicas[0].add_points("u-mara", 25, "accepted", "esc1")
    replicas[0].add_points("u-devon", 12, "accepted", "esc2")

    rounds = together(THREADS, lambda i: rewards(replicas[i]).sweep())

    codes = sorted(n.text.rsplit("Your voucher code: ", 1)[1].split()[0] for n in dms(rounds) if "code:" in n.text)
    assert codes == ["GIFT-0", "GIFT-1"]  # one each, distinct
    assert sorted((n.superusers[0].community_id, "code" in n.text) for n in dms(rounds)) == [
        ("u-devon", True),
        ("u-mara", False),  # the club's message
        ("u-mara", True),
    ]
    club = [n for notices in rounds for n in notices if n.kind == "club_add"]
    assert [n.superusers[0].discord_id for n in club] == ["101"]
    assert sorted((g.member, g.tier, g.status) for g in replicas[0].all_grants()) == [
        ("u-devon", "Gift card", "granted"),
        ("u-mara", "Club", "granted"),
        ("u-mara", "Gift card", "granted"),
    ]


def test_club_revoked_once_and_never_granted_again(stores: Callable[[], StateStore]) -> None:  # noqa: F811
    replicas = [stores() for _ in range(THREADS)]
    replicas[0].add_points("u-mara", 25, "accepted", "esc1")
    rewards(replicas[0]).sweep()
    assert [g.tier for g in rewards(replicas[0]).revoke("u-mara")] == ["Club"]

    rounds = together(THREADS, lambda i: rewards(replicas[i]).sweep())

    removed = [n for notices in rounds for n in notices if n.kind == "club_remove"]
    assert [n.superusers[0].community_id for n in removed] == ["u-mara"]
    assert [n for notices in rounds for n in notices if n.kind in ("club_add", "dm")] == []
    assert replicas[0].club_members() == []


def test_helper_of_the_month_is_posted_once_when_the_month_turns(
    stores: Callable[[], StateStore],  # noqa: F811
    clock: Clock,  # noqa: F811
) -> None:
    replicas = [stores() for _ in range(THREADS)]
    clock.now = datetime(2026, 10, 5, 12, 0)
    replicas[0].add_points("u-devon", 10, "accepted", "esc1")
    replicas[0].add_points("u-mara", 10, "accepted", "esc2")
    replicas[0].add_points("u-mara", 3, "deflection", "q7")
    replicas[0].add_points("u-mara", 3, "deflection", "q8")
    clock.now = datetime(2026, 10, 31, 23, 59)
    assert [n for n in rewards(replicas[0]).monthly(clock.now)] == []  # October is not over

    clock.now = datetime(2026, 11, 1, 0, 0, 30)
    rounds = together(THREADS, lambda i: rewards(replicas[i]).monthly(clock.now))

    (post,) = [n for notices in rounds for n in notices]
    assert post.kind == "announce"
    assert post.text.startswith("🌟 Helper of the month for October 2026: Mara Quinn, with 1 accepted answer(s) and 2")
    clock.now += timedelta(days=3)
    assert rewards(replicas[0]).monthly(clock.now) == []  # once a month, also for a fresh process


def test_a_member_who_opted_out_is_not_the_helper_of_the_month(
    store: StateStore,  # noqa: F811
    clock: Clock,  # noqa: F811
) -> None:
    clock.now = datetime(2026, 10, 5, 12, 0)
    store.add_points("u-mara", 10, "accepted", "esc1")
    store.add_points("u-mara", 10, "accepted", "esc2")
    store.add_points("u-devon", 10, "accepted", "esc3")
    store.set_announce("u-mara", False)
    clock.now = datetime(2026, 11, 2, 8, 0)
    (post,) = rewards(store).monthly(clock.now)
    assert "Devon Okafor" in post.text and "Mara" not in post.text


def test_a_replica_dying_before_sending_a_voucher_leaves_it_to_another_after_the_lease(
    stores: Callable[[], StateStore],  # noqa: F811
    clock: Clock,  # noqa: F811
) -> None:
    dying, other = stores(), stores()
    dying.import_codes("gift", ["GIFT-1", "GIFT-2"])
    dying.add_points("u-mara", 10, "accepted", "esc1")
    dying.grant_reward("u-mara", "Gift card", "voucher", "gift")
    dying.assign_voucher(dying.waiting_vouchers()[0].id)
    (taken,) = dying.take_undelivered()  # ... and the replica dies before its adapter sends the message
    assert dms([rewards(other).sweep()]) == []  # its lease still runs

    clock.now += timedelta(minutes=6)
    (again,) = dms([rewards(other).sweep()])
    assert "Your voucher code: GIFT-1" in again.text and again.receipt == taken.id  # the same code, not a new one
    other.mark_rewards_sent([taken.id])  # delivered (the outbox does this once the adapters had it)
    clock.now += timedelta(minutes=60)
    assert dms([rewards(other).sweep(), rewards(dying).sweep()]) == []
    assert [(s.total, s.left) for s in other.stock()] == [(2, 1)]
