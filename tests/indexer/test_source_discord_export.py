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
