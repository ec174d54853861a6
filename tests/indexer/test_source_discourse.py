"""Discourse topic JSON: post #1 is the question, likes are kudos, the Solved plugin's answer is accepted."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from pydantic import ValidationError

from peerbot.indexer.sources.base import Thread
from peerbot.indexer.sources.discourse import DiscourseOptions, DiscourseSource
from peerbot.indexer.trust import TrustPolicy

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "sources" / "discourse"
BASE = "https://forum.lumo.example"


def read(path: Path = FIXTURE, **options: object) -> dict[str, Thread]:
    source = DiscourseSource(path, name="forum", options=DiscourseOptions.model_validate(options))
    threads = {t.id: t for t in source.threads()}
    assert source.problems == []
    return threads


def test_first_post_is_the_question_and_only_regular_posts_are_replies() -> None:
    topic = read()["101"]
    assert topic.title == "Hub firmware update stuck at 80%"
    assert topic.body.startswith("My Lumo hub has been stuck at 80%")
    assert (topic.author, topic.author_id, topic.date) == ("Priya N", "priya", "2025-11-03T09:12:44.120Z")
    assert [p.id for p in topic.replies] == ["1002", "1003"]  # no small action (#4), no staff whisper (#5)
    assert topic.tags == ("hub", "firmware")
    assert read()["102"].tags == ("scenes",)  # tags as objects, as newer Discourse versions send them


def test_accepted_answer_from_the_post_flag_or_the_topic() -> None:
    assert [p.accepted for p in read()["101"].replies] == [False, True]
    assert [p.accepted for p in read()["102"].replies] == [False, False]


def test_accepted_answer_from_the_topic_alone(tmp_path: Path) -> None:
    data = json.loads((FIXTURE / "t" / "101.json").read_text())
    for post in data["post_stream"]["posts"]:
        post.pop("accepted_answer", None)
    (tmp_path / "101.json").write_text(json.dumps(data))
    assert [p.accepted for p in read(tmp_path / "101.json")["101"].replies] == [False, True]


def test_likes_are_kudos_from_like_count_or_actions_summary() -> None:
    threads = read()
    assert threads["101"].replies[1].score == 7  # like_count
    assert [p.score for p in threads["102"].replies] == [9, 1]  # actions_summary id 2


def test_private_categories_and_private_messages() -> None:
    threads = read(private_categories=[12])
    assert threads["103"].visibility == "private" and threads["103"].channel == "12"
    assert threads["101"].visibility == "public" and threads["101"].channel == "5"
    assert "104" not in threads  # a private message topic is never indexed


def test_cooked_html_becomes_markdown_with_code_mentions_and_absolute_links() -> None:
    answer = read(base_url=BASE + "/")["101"].replies[1].text
    assert "```bash\nlumo-cli hub update --force --channel stable\n```" in answer
    assert "Thanks @sam for confirming" in answer
    assert ":+1:" in answer and "<img" not in answer
    assert f"[the recovery guide]({BASE}/t/hub-recovery-guide/42)" in answer
    assert "- Zones can overlap rooms" in read()["102"].replies[0].text


def test_thread_urls_from_base_url() -> None:
    assert read(base_url=BASE)["101"].url == f"{BASE}/t/hub-firmware-update-stuck-at-80/101"
    assert read()["101"].url is None


def test_good_trust_level_labels_replies() -> None:
    labels = {p.author_id: p.label for p in read(good_trust_level=3)["102"].replies}
    assert labels == {"lena": "good", "ken_d": None}
    assert all(p.label is None for p in read()["102"].replies)


def test_trusted_answers_chosen_by_the_trust_policy() -> None:
    threads = read(base_url=BASE)
    policy = TrustPolicy(min_kudos=5)
    accepted = policy.entry_for(threads["101"], "forum")
    liked = policy.entry_for(threads["102"], "forum")
    assert accepted is not None and accepted.author == "Mara Quinn" and "accepted answer" in accepted.trust_reasons
    assert liked is not None and liked.author == "Lena Park" and liked.trust_reasons == ("9 kudos",)


def test_one_topic_file_or_nested_folders(tmp_path: Path) -> None:
    shutil.copytree(FIXTURE, tmp_path / "export" / "nested")
    assert list(read(tmp_path / "export")) == ["101", "102", "103"]
    assert list(read(FIXTURE / "t" / "102.json")) == ["102"]


def test_unknown_option_is_refused() -> None:
    with pytest.raises(ValidationError, match="base_ur"):
        DiscourseOptions.model_validate({"base_ur": BASE})
