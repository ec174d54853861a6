"""Curated FAQs in CSV or Markdown: each item is a thread whose single answer is accepted."""

from __future__ import annotations

from pathlib import Path

from peerbot.indexer.sources.base import Thread
from peerbot.indexer.sources.faq import FaqOptions, FaqSource
from peerbot.indexer.trust import TrustPolicy

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "sources" / "faq"
WARRANTY = "how-long-is-the-lumo-warranty"
FIXTURE_ITEM = "can-i-use-lumo-bulbs-in-an-enclosed-fixture"
BETA = "whats-in-the-50-beta-and-how-do-i-join"
WIFI = "how-do-i-move-the-hub-to-a-new-wi-fi-network"


def read(path: Path = FIXTURE, **options: object) -> dict[str, Thread]:
    source = FaqSource(path, name="faq", options=FaqOptions.model_validate(options))
    threads = {t.id: t for t in source.threads()}
    assert source.problems == []
    return threads


def test_csv_rows_are_accepted_answers_with_their_columns() -> None:
    threads = read(FIXTURE / "faq.csv")
    warranty = threads[WARRANTY]
    assert warranty.title == "How long is the Lumo warranty?"
    assert warranty.url == "https://lumo.example/help/warranty"
    (answer,) = warranty.replies
    assert answer.accepted and answer.author == "Devon Okafor"
    assert answer.text.startswith("Every Lumo bulb and hub has a 2-year warranty")
    assert threads[FIXTURE_ITEM].replies[0].author == "FAQ"  # no author column value: the default
    assert threads[BETA].visibility == "private" and threads[WARRANTY].visibility == "public"


def test_author_url_visibility_and_channel_options() -> None:
    options = {"author": "Lumo Support", "url": "https://lumo.example/faq", "visibility": "private", "channel": "C1"}
    threads = read(FIXTURE / "faq.csv", **options)
    item = threads[FIXTURE_ITEM]
    assert (item.replies[0].author, item.url, item.visibility, item.channel) == (
        "Lumo Support",
        "https://lumo.example/faq",
        "private",
        "C1",
    )
    assert threads[WARRANTY].visibility == "public"  # the row's own visibility wins


def test_markdown_sections_keep_code_and_subheadings() -> None:
    threads = read(FIXTURE / "faq.md", url="https://lumo.example/faq#top")
    assert list(threads) == [WIFI, "do-lumo-lights-work-without-the-cloud"]
    wifi = threads[WIFI]
    assert wifi.title == "How do I move the hub to a new Wi-Fi network?"
    assert wifi.url == f"https://lumo.example/faq#{WIFI}"
    text = wifi.replies[0].text
    assert "```bash\nlumo-cli hub status --network\n## not a heading: inside a code block\n```" in text
    assert text.endswith("### If the hub does not show up\n\nUnplug it for 30 seconds and try again.")
    assert "Curated answers from the Lumo community team" not in text


def test_a_folder_reads_every_faq_file_and_ids_stay_unique(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("## Same question?\n\nFirst.\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text("\ufeffQuestion,Answer\nSame question?,Second.\n", encoding="utf-8")
    threads = read(tmp_path)
    assert list(threads) == ["same-question", "same-question-2"]
    assert [t.replies[0].text for t in threads.values()] == ["First.", "Second."]


def test_every_item_is_trusted_as_accepted() -> None:
    policy = TrustPolicy()
    entries = [policy.entry_for(t, "faq") for t in read().values()]
    assert all(e is not None and e.trust_reasons == ("accepted answer",) for e in entries)
