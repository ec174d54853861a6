"""DiscordChatExporter JSON: reply chains and thread exports become threads; check marks accept, reactions are kudos."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from peerbot.indexer.sources.base import Thread
from peerbot.indexer.sources.discord_export import DiscordExportOptions, DiscordExportSource
from peerbot.indexer.trust import TrustPolicy

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "sources" / "discord_export"
SENSOR, FORUM, BETA = "1200000000000000002", "1100000000000000222", "1100000000000000444"


def read(path: Path = FIXTURE, **options: object) -> dict[str, Thread]:
    source = DiscordExportSource(path, name="discord", options=DiscordExportOptions.model_validate(options))
    threads = {t.id: t for t in source.threads()}
    assert source.problems == []
    return threads


def edit(tmp_path: Path, pattern: str, change: Any) -> Path:
    """A copy of the fixture folder with one export file changed in place by `change(data)`."""
    folder = Path(shutil.copytree(FIXTURE, tmp_path / "export"))
    file = next(folder.glob(pattern))
    data = json.loads(file.read_text(encoding="utf-8"))
    change(data)
    file.write_text(json.dumps(data), encoding="utf-8")
    return folder


def test_reply_chains_in_a_text_channel_are_threads() -> None:
    threads = read()
    assert set(threads) == {SENSOR, FORUM, BETA}  # no thread for a lone message or the DM export
    sensor = threads[SENSOR]
    assert sensor.title == "Can the motion sensor be mounted outdoors where it gets rain?"
    assert (sensor.author, sensor.author_id, sensor.channel) == ("Ravi", "2000000000000000001", "1100000000000000001")
    assert [p.author for p in sensor.replies] == ["Lena", "Ravi"]  # the bot's reply is skipped; chains are followed
    assert sensor.url == "https://discord.com/channels/1000000000000000001/1100000000000000001/1200000000000000002"


def test_check_mark_from_the_asker_accepts_and_reactions_are_kudos() -> None:
    lena = read()[SENSOR].replies[0]
    assert lena.accepted
    assert lena.score == 2  # three thumbs up less her own; the asker's check mark is not also a kudo


def test_check_mark_from_someone_else_does_not_accept(tmp_path: Path) -> None:
    def others_check(data: dict[str, Any]) -> None:
        data["messages"][3]["reactions"][0]["users"][0]["id"] = "2000000000000000003"

    lena = read(edit(tmp_path, "*general-help*", others_check))[SENSOR].replies[0]
    assert not lena.accepted and lena.score == 3


def test_raw_mentions_and_custom_emoji_become_text() -> None:
    assert read()[SENSOR].replies[1].text == "Perfect, thanks @Lena! :lumo:"


def test_forum_post_is_one_thread_and_a_solved_title_accepts_the_most_liked_reply() -> None:
    forum = read()[FORUM]
    assert forum.title == "Hub not found after router change"
    assert forum.body.startswith("I replaced my router")
    assert forum.channel == "1100000000000000333"  # the forum: where a new question would be asked
    assert forum.url == "https://discord.com/channels/1000000000000000001/1100000000000000222"
    assert [(p.author, p.accepted) for p in forum.replies] == [
        ("Sam", False),
        ("Mara Quinn", True),
        ("ken.d", False),
    ]
    assert "```\nSSID: your 2.4 GHz name" in forum.replies[1].text  # code blocks stay fenced


def test_forum_tags_mark_solved_when_the_export_has_them(tmp_path: Path) -> None:
    def tagged(data: dict[str, Any]) -> None:
        data["channel"]["name"] = "Hub not found after router change"
        data["channel"]["tags"] = [{"id": "1", "name": "Solved"}]

    forum = read(edit(tmp_path, "*SOLVED*", tagged))[FORUM]
    assert forum.tags == ("Solved",) and forum.replies[1].accepted


def test_unsolved_thread_without_check_marks_accepts_nothing(tmp_path: Path) -> None:
    def unsolved(data: dict[str, Any]) -> None:
        data["channel"]["name"] = "Hub not found after router change"

    assert not any(p.accepted for p in read(edit(tmp_path, "*SOLVED*", unsolved))[FORUM].replies)


def test_private_threads_and_private_channels() -> None:
    assert read()[BETA].visibility == "private"
    assert read()[BETA].channel == "1100000000000000440"
    assert read()[SENSOR].visibility == "public"
    assert read(private_channels=["general-help"])[SENSOR].visibility == "private"
    assert read(private_channels=["help-forum"])[FORUM].visibility == "private"


def test_trusted_answers_chosen_by_the_trust_policy() -> None:
    threads = read()
    policy = TrustPolicy(min_kudos=5)
    sensor, forum = policy.entry_for(threads[SENSOR], "discord"), policy.entry_for(threads[FORUM], "discord")
    assert sensor is not None and sensor.author == "Lena" and sensor.trust_reasons == ("accepted answer",)
    assert forum is not None and forum.author == "Mara Quinn"


def test_single_export_file() -> None:
    assert list(read(next(FIXTURE.glob("*beta*")))) == [BETA]


STARTED = Path(__file__).resolve().parents[1] / "fixtures" / "sources" / "discord_thread_starter"
MESH = "1200000000000000700"


def test_thread_started_from_a_channel_message_keeps_its_question_and_accepted_answer() -> None:
    """DiscordChatExporter writes such a thread's first message as type "21" with no content: the question is the
    channel message it points at, and the asker's check mark still accepts the answer."""
    thread = read(STARTED)[MESH]
    assert thread.title == "Hub drops off mesh at night"
    assert thread.body.startswith("My Lumo hub keeps dropping off my Eero mesh every night around 2am")
    assert (thread.author, thread.author_id, thread.channel) == ("Ravi", "2000000000000000001", "1100000000000000001")
    assert [p.author for p in thread.replies] == ["Lena", "Mara Quinn", "Ravi"]
    entry = TrustPolicy(min_kudos=5).entry_for(thread, "discord")
    assert entry is not None and entry.author == "Mara Quinn" and entry.trust_reasons == ("accepted answer",)
    assert "Optimize for Conferencing and Gaming" in entry.answer


def test_thread_whose_channel_was_not_exported_is_kept_by_its_name_and_reported(tmp_path: Path) -> None:
    only_thread = next(STARTED.glob("*mesh at night*"))
    source = DiscordExportSource(only_thread, name="discord")
    [thread] = list(source.threads())
    assert thread.title == "Hub drops off mesh at night" and thread.body == ""
    assert next(p for p in thread.replies if p.accepted).author == "Mara Quinn"
    [problem] = source.problems
    assert problem.record == "message 1200000000000000702" and "1200000000000000700" in problem.reason
    assert "not in the export" in problem.reason


def test_message_types_peerbot_does_not_know_are_reported(tmp_path: Path) -> None:
    def add_poll_result(data: dict[str, Any]) -> None:
        author = data["messages"][1]["author"]
        data["messages"].append({"id": "1200000000000000999", "type": "46", "content": "", "author": author})

    source = DiscordExportSource(edit(tmp_path, "*general-help*", add_poll_result), name="discord")
    assert {t.id for t in source.threads()} == {SENSOR, FORUM, BETA}
    assert [(p.record, p.reason) for p in source.problems] == [
        ("message 1200000000000000999", "message type 46 is not one peerbot reads")
    ]
