"""Content gaps: escalated and unhelpful questions clustered by their embeddings, largest topic first."""

from __future__ import annotations

from peerbot.bots.dashboard.gaps import (
    CachedEmbedder,
    Gap,
    cluster,
    content_gaps,
    gap_questions,
    topic_label,
    topic_labels,
)
from peerbot.bots.dashboard.metrics import Period
from peerbot.bots.state import QuestionRow, StateStore
from tests.dashboard.conftest import DAY2, URGENT_TEXT, KeywordEmbedder


def test_gap_questions_are_escalated_or_reported_unhelpful(seeded: StateStore) -> None:
    assert gap_questions(seeded) == [
        "music sync mode for a party",  # unhelpful
        "warranty claim for an old bulb",
        "warranty claim for an old hub",
        "music sync for parties",
        "standby power of bulbs",  # the asker asked for a person
    ]
    assert URGENT_TEXT not in gap_questions(seeded)  # answered; a person follows up only for the tone
    assert len(gap_questions(seeded, Period(DAY2))) == 4


def test_topics_largest_first_with_examples(seeded: StateStore) -> None:
    gaps = content_gaps(seeded, KeywordEmbedder())
    assert [(g.questions, g.examples, g.answered) for g in gaps] == [
        (2, ("music sync mode for a party", "music sync for parties"), False),
        (1, ("standby power of bulbs",), False),
        (2, ("warranty claim for an old bulb", "warranty claim for an old hub"), True),  # answered: listed last
    ]
    assert gaps[0].topic == "music, sync, mode"
    assert gaps[2].topic.startswith("warranty, claim")


def test_a_gap_is_marked_answered_once_an_answer_for_it_is_accepted(seeded: StateStore) -> None:
    def music() -> Gap:
        return next(g for g in content_gaps(seeded, KeywordEmbedder()) if g.topic.startswith("music"))

    assert (music().accepted, music().answered) == (0, False)  # q7's escalation expired unanswered
    again = seeded.open_escalation(7, platform="slack", channel="C1", asker="user7", question="music sync for parties")
    assert seeded.answer_escalation(again, "u-mara", "Use the party scene.") is not None
    assert not music().answered  # answered, not accepted yet: still a gap
    assert seeded.resolve_escalation(again)
    assert (music().accepted, music().answered, music().questions) == (1, True, 2)


def test_cluster_edge_cases() -> None:
    assert cluster([], KeywordEmbedder()) == []
    assert cluster(["only one"], KeywordEmbedder()) == [[0]]
    assert topic_label(["a an the"]) == "(no words)"


def test_cached_embedder_embeds_each_text_once() -> None:
    inner = KeywordEmbedder()
    cached = CachedEmbedder(inner)
    first = cached.embed(["music a", "power b", "music a"])
    again = cached.embed(["power b", "music a"])
    assert inner.calls == 1
    assert (first[1] == again[0]).all() and first.shape == (3, 4)


def test_topic_label_skips_ignored_words() -> None:
    texts = ["lumo music sync", "lumo music party"]
    assert topic_label(texts) == "lumo, music, sync"
    assert topic_label(texts, ignore=frozenset({"lumo"})) == "music, sync, party"


def test_topic_labels_name_what_sets_a_topic_apart_without_chat_filler() -> None:
    groups = [
        ["hey does the hub support music sync?", "does music sync work with the hub", "hi, music sync lag"],
        ["hey does the hub have a warranty", "quick one: warranty for the hub?", "does the warranty cover the hub"],
    ]
    music, warranty = topic_labels(groups)
    assert music.split(", ")[:2] == ["music", "sync"] and "hub" not in music  # every topic has "hub"
    assert warranty.startswith("warranty") and "hub" not in warranty.split(", ")[:1]
    for label in (music, warranty):
        assert not {"hey", "does", "hi", "quick", "work"} & set(label.split(", "))


def test_complaints_are_listed_apart_from_content_gaps(seeded: StateStore) -> None:
    angry = "The worst reset ever, I hate this and I am furious!"  # its own topic (the reset axis)
    with seeded._session() as s:
        s.add(QuestionRow(id=20, created_at=DAY2, platform="slack", channel="C1", asker="zed", text=angry,
                          outcome="escalate", confidence=0.1))  # fmt: skip
    gaps = content_gaps(seeded, KeywordEmbedder(), complaint_sentiment=-0.5)
    upset = [g for g in gaps if g.complaint]
    assert [g.examples for g in upset] == [(angry,)]
    assert all(not g.complaint for g in content_gaps(seeded, KeywordEmbedder()))  # without a threshold: none
