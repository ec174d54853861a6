"""The source contract, run by every export source: threads out; broken records reported with their file and place
while the rest is kept; a path that cannot be read at all is a SourceError naming it."""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from peerbot.errors import SourceError
from peerbot.indexer.sources.base import Source
from peerbot.indexer.sources.discord_export import DiscordExportSource
from peerbot.indexer.sources.discourse import DiscourseSource
from peerbot.indexer.sources.faq import FaqSource
from peerbot.indexer.sources.slack_export import SlackExportSource
from peerbot.indexer.sources.stackexchange import StackExchangeSource

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sources"


def copy_fixture(kind: str, tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURES / kind, tmp_path / kind))


def zip_folder(folder: Path, target: Path, extra: dict[str, bytes] | None = None) -> Path:
    """The folder as a Slack-style export zip (files at the root), plus extra members."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as archive:
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                archive.write(file, file.relative_to(folder).as_posix())
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return target


def corrupt_member(archive: Path, marker: bytes) -> None:
    """Flip a stored member's bytes in place so that reading it fails its CRC check."""
    raw = archive.read_bytes()
    assert raw.count(marker) == 1
    archive.write_bytes(raw.replace(marker, marker.upper()))


# -- clean and broken copies of each fixture -------------------------------------------------------------------


def discourse_path(tmp_path: Path, broken: bool) -> Path:
    root = copy_fixture("discourse", tmp_path)
    if broken:
        (root / "t" / "bad.json").write_text('{"post_stream": {"posts": [', encoding="utf-8")
        (root / "t" / "105.json").write_text(json.dumps({"id": 105, "post_stream": {"posts": []}}), encoding="utf-8")
        posts = [
            {"id": 1061, "username": "ken_d", "cooked": "<p>Which bulbs fit a GU10 socket?</p>", "post_number": 1},
            {"id": 1062, "username": "lena", "post_number": 2},
            {"id": 1063, "username": "mara", "cooked": "<p>The GU10 spot.</p>", "post_number": 3, "like_count": 6},
        ]
        topic = {"id": 106, "title": "GU10 bulbs", "slug": "gu10", "post_stream": {"posts": posts}}
        (root / "t" / "106.json").write_text(json.dumps(topic), encoding="utf-8")
    return root


def slack_path(tmp_path: Path, broken: bool) -> Path:
    folder = copy_fixture("slack_export", tmp_path)
    extra: dict[str, bytes] = {}
    if broken:
        extra = {
            "help/2024-03-07.json": b'[{"type": "message", "ts": ',
            "help/2024-03-08.json": json.dumps(
                [
                    {"type": "message", "user": "U03SAM", "text": "ok", "ts": "1709900000.000100"},
                    {"type": "message", "user": "U03SAM", "text": "no ts here"},
                ]
            ).encode(),
            "beta-testers/2024-03-09.json": b'[{"type": "message", "text": "corrupt me", "ts": "1.0"}]',
        }
    archive = zip_folder(folder, tmp_path / "slack-export.zip", extra)
    if broken:
        corrupt_member(archive, b"corrupt me")
    return archive


def discord_path(tmp_path: Path, broken: bool) -> Path:
    root = copy_fixture("discord_export", tmp_path)
    if broken:
        (root / "zz-bad.json").write_text("{not json", encoding="utf-8")
        (root / "zz-not-dce.json").write_text(json.dumps({"messages": []}), encoding="utf-8")
        text_channel = next(root.glob("*general-help*.json"))
        data = json.loads(text_channel.read_text(encoding="utf-8"))
        data["messages"].insert(2, {"id": "1299", "type": "Default", "content": "who wrote me?"})
        text_channel.write_text(json.dumps(data), encoding="utf-8")
    return root


def stackexchange_path(tmp_path: Path, broken: bool) -> Path:
    root = copy_fixture("stackexchange", tmp_path)
    if broken:
        posts = root / "Posts.xml"
        lines = posts.read_text(encoding="utf-8").splitlines()
        lines[2:2] = [
            '  <row Id="90" PostTypeId="1" Body="&lt;p&gt;no title&lt;/p&gt;" Score="0" />',
            '  <row Id="91" PostTypeId="2" ParentId="1" Body="&lt;p&gt;x&lt;/p&gt;" Score="lots" />',
        ]
        lines[-1:] = ['  <row Id="99" PostTypeId="1" Title="cut off" Body="&lt;p&gt;']  # the dump breaks off
        posts.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def faq_path(tmp_path: Path, broken: bool) -> Path:
    root = copy_fixture("faq", tmp_path)
    if broken:
        csv = root / "faq.csv"
        rows = csv.read_text(encoding="utf-8").splitlines()
        rows[2:2] = ["Where is my order?,,,", 'Is it waterproof?,"No.",,,secret']
        csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
        md = root / "faq.md"
        md.write_text(md.read_text(encoding="utf-8") + "\n## A question nobody answered\n\n", encoding="utf-8")
        (root / "staff.csv").write_text("q,a\nwhat,that\n", encoding="utf-8")
    return root


@dataclass(frozen=True)
class Case:
    kind: str
    make: Callable[[Path], Source]
    path: Callable[[Path, bool], Path]
    thread_ids: list[str]
    broken_ids: list[str]
    problems: list[tuple[str, str]]  # (end of the file's path, record)

    def __str__(self) -> str:
        return self.kind


CASES = [
    Case(
        "discourse",
        lambda p: DiscourseSource(p, name="forum"),
        discourse_path,
        ["101", "102", "103"],
        ["101", "102", "103", "106"],
        [("105.json", "topic 105"), ("106.json", "topic 106 post 2"), ("bad.json", "file")],
    ),
    Case(
        "slack_export",
        lambda p: SlackExportSource(p, name="slack"),
        slack_path,
        ["C0HELP001:1709546400.000100", "C0HELP001:1709640000.000600", "C07BETA01:1709715600.000100"],
        ["C0HELP001:1709546400.000100", "C0HELP001:1709640000.000600", "C07BETA01:1709715600.000100"],
        [
            ("slack-export.zip/help/2024-03-07.json", "file"),
            ("slack-export.zip/help/2024-03-08.json", "message 2"),
            ("slack-export.zip/beta-testers/2024-03-09.json", "file"),
        ],
    ),
    Case(
        "discord_export",
        lambda p: DiscordExportSource(p, name="discord"),
        discord_path,
        ["1200000000000000002", "1100000000000000444", "1100000000000000222"],
        ["1200000000000000002", "1100000000000000444", "1100000000000000222"],
        [("[1100000000000000001].json", "message 1299"), ("zz-bad.json", "file"), ("zz-not-dce.json", "file")],
    ),
    Case(
        "stackexchange",
        lambda p: StackExchangeSource(p, name="se"),
        stackexchange_path,
        ["1", "4", "7"],
        ["1", "4", "7"],
        [("Posts.xml", "row 1 (Id 90)"), ("Posts.xml", "row 2 (Id 91)"), ("Posts.xml", "line 13")],
    ),
    Case(
        "faq",
        lambda p: FaqSource(p, name="faq"),
        faq_path,
        [
            "how-long-is-the-lumo-warranty",
            "can-i-use-lumo-bulbs-in-an-enclosed-fixture",
            "whats-in-the-50-beta-and-how-do-i-join",
            "how-do-i-move-the-hub-to-a-new-wi-fi-network",
            "do-lumo-lights-work-without-the-cloud",
        ],
        [
            "how-long-is-the-lumo-warranty",
            "can-i-use-lumo-bulbs-in-an-enclosed-fixture",
            "whats-in-the-50-beta-and-how-do-i-join",
            "how-do-i-move-the-hub-to-a-new-wi-fi-network",
            "do-lumo-lights-work-without-the-cloud",
        ],
        [("faq.csv", "line 3"), ("faq.csv", "line 4"), ("faq.md", "line 25"), ("staff.csv", "line 1")],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_reads_threads_with_replies(tmp_path: Path, case: Case) -> None:
    source = case.make(case.path(tmp_path, False))
    threads = list(source.threads())
    assert [t.id for t in threads] == case.thread_ids
    assert source.problems == []
    assert all(t.title for t in threads) and any(t.replies for t in threads)
    assert all(p.id and p.text and p.author for t in threads for p in t.replies)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_broken_records_reported_with_file_and_place_and_rest_kept(tmp_path: Path, case: Case) -> None:
    source = case.make(case.path(tmp_path, True))
    threads = list(source.threads())
    assert [t.id for t in threads] == case.broken_ids
    found = [(p.file, p.record) for p in source.problems]
    assert len(found) == len(case.problems), found
    for (file, record), (suffix, expected) in zip(found, case.problems, strict=True):
        assert file.endswith(suffix) and record == expected, (file, record)
    assert all(p.reason and str(tmp_path) in p.file for p in source.problems)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_reading_twice_gives_the_same_threads_and_problems(tmp_path: Path, case: Case) -> None:
    source = case.make(case.path(tmp_path, True))
    first = list(source.threads()), list(source.problems)
    assert (list(source.threads()), source.problems) == first


@pytest.mark.parametrize("case", CASES, ids=str)
def test_missing_path_is_a_source_error_naming_it(tmp_path: Path, case: Case) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(SourceError, match="cannot open") as error:
        list(case.make(missing).threads())
    assert "nowhere" in str(error.value)


def test_slack_export_that_is_not_a_zip_is_a_source_error(tmp_path: Path) -> None:
    bogus = tmp_path / "export.zip"
    bogus.write_text("not a zip", encoding="utf-8")
    with pytest.raises(SourceError, match=r"cannot open .*export\.zip"):
        list(SlackExportSource(bogus).threads())


@pytest.mark.parametrize(
    ("make", "suffix"),
    [
        (DiscourseSource, None),
        (DiscordExportSource, None),
        (FaqSource, ".txt"),
    ],
)
def test_folder_without_any_export_file_is_a_source_error(tmp_path: Path, make: type, suffix: str | None) -> None:
    if suffix:
        (tmp_path / f"notes{suffix}").write_text("hello", encoding="utf-8")
    with pytest.raises(SourceError, match="cannot open"):
        list(make(tmp_path).threads())
