"""Slack workspace export: threads rebuilt from thread_ts, the asker's check mark accepts, reactions are kudos."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

from peerbot.indexer.sources.base import Thread
from peerbot.indexer.sources.slack_export import SlackExportOptions, SlackExportSource
from peerbot.indexer.trust import TrustPolicy

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "sources" / "slack_export"
FLICKER = "C0HELP001:1709546400.000100"
OFFLINE = "C0HELP001:1709640000.000600"
BETA = "C07BETA01:1709715600.000100"


def source(path: Path = FIXTURE, **options: object) -> SlackExportSource:
    return SlackExportSource(path, name="slack", options=SlackExportOptions.model_validate(options))


def read(path: Path = FIXTURE, **options: object) -> dict[str, Thread]:
    src = source(path, **options)
    threads = {t.id: t for t in src.threads()}
    assert src.problems == []
    return threads


def zipped(folder: Path, target: Path, prefix: str = "") -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                archive.write(file, prefix + file.relative_to(folder).as_posix())
    return target


def test_zip_and_unpacked_folder_read_the_same(tmp_path: Path) -> None:
    from_folder = read()
    assert read(zipped(FIXTURE, tmp_path / "export.zip")) == from_folder
    assert read(zipped(FIXTURE, tmp_path / "nested.zip", prefix="Lumo Slack export Mar 1 2024/")) == from_folder


def test_threads_rebuilt_from_thread_ts_across_day_files() -> None:
    threads = read()
    assert list(threads) == [FLICKER, OFFLINE, BETA]  # no thread for lone messages, DMs or #general
    flicker = threads[FLICKER]
    assert flicker.title == "Bulbs flicker when dimmed below 20%, any fix?"
    assert flicker.body.startswith("They're the E27 colour bulbs")
    assert (flicker.author, flicker.author_id, flicker.channel) == ("Ravi", "U01ASKER", "C0HELP001")
    assert flicker.date == "2024-03-04T10:00:00.000100Z"
    assert [p.author for p in flicker.replies] == ["Sam", "Mara Quinn", "Ravi"]  # the last one is from the next day
    assert [p.author for p in threads[OFFLINE].replies] == ["Lena Park"]  # the bot's reply is left out


def test_check_mark_by_the_asker_accepts_and_other_reactions_are_kudos() -> None:
    threads = read()
    sam, mara, _ = threads[FLICKER].replies
    assert mara.accepted and mara.score == 2  # the asker's check mark is not also a kudo
    assert not sam.accepted
    lena = threads[OFFLINE].replies[0]
    assert not lena.accepted and lena.score == 5  # 4 thumbs up + 2 raised hands, less her own
    assert threads[BETA].replies[0].accepted  # heavy_check_mark


def test_check_mark_from_someone_else_is_only_a_kudo(tmp_path: Path) -> None:
    folder = Path(shutil.copytree(FIXTURE, tmp_path / "export"))
    day = folder / "help" / "2024-03-04.json"
    messages = json.loads(day.read_text())
    messages[3]["reactions"][0]["users"] = ["U05LENA"]
    day.write_text(json.dumps(messages))
    mara = read(folder)[FLICKER].replies[1]
    assert not mara.accepted and mara.score == 3


def test_negative_reactions_take_kudos_away(tmp_path: Path) -> None:
    folder = Path(shutil.copytree(FIXTURE, tmp_path / "export"))
    day = folder / "help" / "2024-03-05.json"
    messages = json.loads(day.read_text())
    messages[2]["reactions"] = [{"name": "-1", "users": ["U01ASKER", "U02MARA"], "count": 2}]
    day.write_text(json.dumps(messages))
    assert read(folder)[OFFLINE].replies[0].score == -2


def test_private_channels_from_groups_json_or_is_private(tmp_path: Path) -> None:
    threads = read()
    assert threads[BETA].visibility == "private" and threads[FLICKER].visibility == "public"
    folder = Path(shutil.copytree(FIXTURE, tmp_path / "export"))
    channels = json.loads((folder / "channels.json").read_text())
    channels[0]["is_private"] = True
    (folder / "channels.json").write_text(json.dumps(channels))
    assert read(folder)[FLICKER].visibility == "private"


def test_slack_markup_becomes_readable_markdown() -> None:
    flicker = read()[FLICKER]
    assert "on a Lumo wall dimmer (https://lumo.example/shop/dimmer) & the hub" in flicker.body
    answer = flicker.replies[1].text
    assert "(Settings > Dimmer > Trim)" in answer
    assert "\n```\nlumo-cli bulb calibrate --all\n```\n" in answer
    assert "cc @Sam, details in the dimming guide (https://lumo.example/docs/dimming)" in answer
    assert flicker.replies[2].text == "Thanks @Mara Quinn, the trim setting fixed it :tada:"


def test_special_mentions_and_dates_keep_their_text() -> None:
    src = source()
    list(src.threads())
    assert src.text("<!here> see <#C0HELP001> and <!subteam^S01|@helpers>") == "@here see #help and @helpers"
    assert src.text("due <!date^1709546400^{date_short}|Mar 4> <mailto:a@b.c|a@b.c>") == "due Mar 4 a@b.c"


def test_options_channel_name_filter_and_permalinks() -> None:
    threads = read(channels=["beta-testers"], channel_key="name", workspace_url="https://lumo.slack.com/")
    assert list(threads) == [BETA]
    assert threads[BETA].channel == "beta-testers"
    assert threads[BETA].url == "https://lumo.slack.com/archives/C07BETA01/p1709715600000100"
    assert read()[BETA].url is None


def test_unlisted_folders_and_orphan_replies_are_reported(tmp_path: Path) -> None:
    folder = Path(shutil.copytree(FIXTURE, tmp_path / "export"))
    (folder / "secret-stuff").mkdir()
    (folder / "secret-stuff" / "2024-03-04.json").write_text("[]")
    orphan = {"type": "message", "user": "U03SAM", "text": "+1", "ts": "1709900000.2", "thread_ts": "1709000000.1"}
    (folder / "help" / "2024-03-08.json").write_text(json.dumps([orphan]))
    src = source(folder)
    assert len(list(src.threads())) == 3
    assert [(Path(p.file).name, p.record) for p in src.problems] == [
        ("secret-stuff", "folder"),
        ("help", "thread 1709000000.1"),
    ]


def test_trusted_answers_chosen_by_the_trust_policy() -> None:
    threads = read()
    policy = TrustPolicy(min_kudos=5)
    accepted, liked = policy.entry_for(threads[FLICKER], "slack"), policy.entry_for(threads[OFFLINE], "slack")
    assert accepted is not None and accepted.author == "Mara Quinn" and accepted.trust_reasons == ("accepted answer",)
    assert liked is not None and liked.author == "Lena Park" and liked.trust_reasons == ("5 kudos",)
