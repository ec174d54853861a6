"""The community's own names keep a question in scope (issue 17): real index, SQLite file, hashing embedder."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from peerbot.bots import app as wiring
from peerbot.bots.conversation import Outcome
from peerbot.bots.scope import Scope, learn_threshold, load_scope, save_scope
from peerbot.bots.scope_names import community_names, everyday_named
from peerbot.indexer.sources.base import Post, Thread
from tests.bots.test_scope import COMMUNITY
from tests.conftest import TestBot, make_settings
from tests.factories import reply, thread

BRANDED = [  # the community's brand, capitalised mid-sentence in three threads
    thread("z1", "Pairing the hub", "My new Zorbo hub will not pair with the app.", [reply("Hold the button.")]),
    thread("z2", "Bulbs flicker", "Two Zorbo bulbs flicker at low brightness.", [reply("Update them.")]),
    thread("z3", "Colours", "The Zorbo strip shows the wrong colour.", [reply("Recalibrate it in the Zorbo app.")]),
]
SHIPPING = "Is the {} store shipping to Iceland before the holidays?"  # far from every thread but for the name


def branded_bot(root: Path, community: list[dict[str, object]], **scope: object) -> TestBot:
    settings = make_settings(root, community, scope={"enabled": True, **scope})
    embedder = wiring.open_embedder(settings)
    wiring.reindex(settings, embedder)
    kb, _ = wiring.load_knowledge(settings, embedder)
    return TestBot(wiring.make_bot(settings, embedder, kb), settings)


def test_a_question_naming_the_community_is_escalated_the_same_one_about_another_brand_is_not(tmp_path: Path) -> None:
    bot = branded_bot(tmp_path, [*COMMUNITY, *BRANDED], threshold=0.9)  # strict: no score alone lets these in
    about_us = bot.ask(SHIPPING.format("Zorbo"))
    assert about_us.outcome is Outcome.ESCALATE and about_us.escalated
    assert bot.ask(SHIPPING.format("Acme")).outcome is Outcome.OUT_OF_SCOPE
    assert bot.ask(SHIPPING.format("zorbo")).outcome is Outcome.ESCALATE  # askers do not capitalise


def test_a_word_in_fewer_than_three_threads_is_no_name(tmp_path: Path) -> None:
    bot = branded_bot(tmp_path, [*COMMUNITY, *BRANDED[:2]], threshold=0.9)
    assert bot.ask(SHIPPING.format("Zorbo")).outcome is Outcome.OUT_OF_SCOPE


def test_a_name_written_only_in_private_threads_is_not_learnt(tmp_path: Path) -> None:
    private = [{**t, "visibility": "private"} for t in BRANDED]  # a code name from the staff-only channel
    bot = branded_bot(tmp_path, [*COMMUNITY, *private], threshold=0.9)
    assert bot.ask(SHIPPING.format("Zorbo")).outcome is Outcome.OUT_OF_SCOPE  # answered as if the name meant nothing


def threads(*texts: str) -> list[Thread]:
    return [
        Thread(str(n), "A question", text, replies=(Post("p", "a", "u-a", "Thanks."),)) for n, text in enumerate(texts)
    ]


def test_names_are_capitalised_unknown_words_that_no_everyday_question_uses() -> None:
    community = threads(
        "I opened Settings and the Zorbo Beam app froze, so did the Quix remote.",
        "In Settings my Zorbo Beam shows Error 4 and the Quix remote blinks.",
        "Settings say the Zorbo Beam and the Quix remote are paired, but the Quix remote does nothing.",
    )
    known = {"settings", "error", "app"}.__contains__  # the model's vocabulary: ordinary words
    assert community_names(community, ["how do I fix my quix blender"], known) == ("beam", "zorbo")
    assert community_names(community, [], known) == ("beam", "quix", "zorbo")
    assert "settings" in community_names(community, [], None)  # no vocabulary (hashing embedder): capitals only


def test_an_everyday_question_using_a_name_no_other_everyday_question_uses_counts_as_let_in() -> None:
    community = threads(*["Reset the Zorbo hub, then pair the Quix remote."] * 3)
    background = ["where can I buy a Quix blender", "quix or kenwood for a cake", "best zorbo alternative", "hello"]
    assert everyday_named(community, background) == [False, False, True, False]  # leave one out: "zorbo" alone


def test_everyday_questions_let_in_by_a_name_use_up_the_share_the_threshold_allows() -> None:
    rng = np.random.default_rng(7)
    unit = lambda m: m / np.linalg.norm(m, axis=1, keepdims=True)  # noqa: E731
    texts = unit(rng.normal(size=(40, 16)) * 0.3 + np.eye(16)[0])  # a close community; everything else all over
    background = unit(rng.normal(size=(40, 16)))
    plain = learn_threshold(texts, texts[0::2], background, 0.05)
    named = learn_threshold(texts, texts[0::2], background, 0.05, [True, True] + [False] * 38)
    assert named > plain  # two of the allowed two are taken by names: the score must now let none in


def test_a_scope_learnt_before_names_still_loads(tmp_path: Path) -> None:
    old = Scope(np.eye(2, dtype=np.float32), np.eye(2, dtype=np.float32), 0.1, ("hub",), "hashing-256", 1)
    save_scope(old, tmp_path / "scope.npz")
    with np.load(tmp_path / "scope.npz") as data:  # as an older peerbot wrote it: no names
        np.savez(tmp_path / "old.npz", **{k: data[k] for k in data.files if k != "names"})
    loaded = load_scope(tmp_path / "old.npz")
    assert loaded is not None and loaded.names == () and loaded.learnt_threshold == 0.1
