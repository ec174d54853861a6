"""Stack Exchange data dump: AcceptedAnswerId and Score are the trust signals; rows are streamed."""

from __future__ import annotations

import shutil
from pathlib import Path

from peerbot.indexer.sources.base import Thread
from peerbot.indexer.sources.stackexchange import StackExchangeOptions, StackExchangeSource, parse_tags
from peerbot.indexer.trust import TrustPolicy

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "sources" / "stackexchange"
BASE = "https://lumo.stackexchange.com"


def read(path: Path = FIXTURE, **options: object) -> dict[str, Thread]:
    source = StackExchangeSource(path, name="se", options=StackExchangeOptions.model_validate(options))
    threads = {t.id: t for t in source.threads()}
    assert source.problems == []
    return threads


def test_questions_with_their_answers() -> None:
    threads = read()
    assert list(threads) == ["1", "4", "7"]  # the tag wiki (PostTypeId 5) is not a question
    pairing = threads["1"]
    assert pairing.title == "How do I pair a third-party Zigbee bulb with the Lumo hub?"
    assert pairing.body.startswith("I have a Zigbee bulb from another brand.")
    assert (pairing.author, pairing.author_id, pairing.date) == ("Priya N", "10", "2024-05-01T10:00:00.000")
    assert [p.id for p in pairing.replies] == ["2", "3"]
    assert threads["7"].replies == ()


def test_accepted_answer_and_scores() -> None:
    threads = read()
    assert [(p.accepted, p.score) for p in threads["1"].replies] == [(False, 1), (True, 15)]
    assert [(p.accepted, p.score) for p in threads["4"].replies] == [(False, 8), (False, -2)]


def test_authors_from_users_xml_or_the_row() -> None:
    replies = read()["4"].replies
    assert (replies[0].author, replies[0].author_id) == ("oldtimer", "oldtimer")  # a deleted account
    assert replies[1].author == "grumpy"


def test_without_users_xml_authors_are_user_ids(tmp_path: Path) -> None:
    shutil.copy(FIXTURE / "Posts.xml", tmp_path / "Posts.xml")
    assert read(tmp_path)["1"].replies[1].author == "user 12"


def test_body_html_becomes_markdown_with_fenced_code_and_absolute_links() -> None:
    answer = read(base_url=BASE + "/")["1"].replies[1].text
    assert "Third-party bulbs need **Zigbee 3.0**." in answer
    assert "```bash\nlumo-cli hub permit-join --seconds 120\n```" in answer
    assert f"[blinking ring question]({BASE}/questions/4)" in answer


def test_urls_tags_and_tag_filter() -> None:
    threads = read(base_url=BASE)
    assert threads["4"].url == f"{BASE}/questions/4"
    assert threads["1"].tags == ("zigbee", "pairing") and threads["4"].tags == ("hub", "troubleshooting")
    assert list(read(tags=["hub", "app"])) == ["4", "7"]
    assert read()["1"].url is None


def test_parse_tags_in_both_dump_formats() -> None:
    assert parse_tags("<a><b-c>") == ("a", "b-c")
    assert parse_tags("|a|b-c|") == ("a", "b-c")
    assert parse_tags("") == ()


def test_answers_before_their_question_and_posts_xml_given_directly(tmp_path: Path) -> None:
    lines = (FIXTURE / "Posts.xml").read_text(encoding="utf-8").splitlines()
    lines[2:6] = [lines[5], lines[4], lines[2], lines[3]]  # answers of question 1 first, question 4 before 1
    (tmp_path / "Posts.xml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    threads = read(tmp_path / "Posts.xml")
    assert list(threads) == ["1", "4", "7"] and [p.id for p in threads["1"].replies] == ["2", "3"]


def test_trusted_answers_chosen_by_the_trust_policy() -> None:
    threads = read()
    policy = TrustPolicy(min_kudos=5)
    accepted, liked = policy.entry_for(threads["1"], "se"), policy.entry_for(threads["4"], "se")
    assert accepted is not None and accepted.author == "Mara Quinn"
    assert accepted.trust_reasons == ("accepted answer", "15 kudos")
    assert liked is not None and liked.author == "oldtimer" and liked.trust_reasons == ("8 kudos",)
    assert policy.entry_for(threads["7"], "se") is None
