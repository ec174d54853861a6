"""The neutralising functions on their own (the outputs are checked end to end in tests/e2e/test_untrusted_fields)."""

from __future__ import annotations

import pytest

from peerbot.knowledge.neutralize import inert_line, inert_text, safe_url, strip_terminal


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b[31mred\x1b[0m", "red"),
        ("title\x1b]0;owned\x07 bar", "title bar"),
        ("a\x9b2Jb", "ab"),
        ("line one\rover", "line oneover"),
        ("keep\nlines\tand tabs\r\n", "keep\nlines\tand tabs\n"),
        ("abc\u202edcba", "abcdcba"),
        ("\x90 stray C1 control\nthe rest stays", "\nthe rest stays"),
    ],
)
def test_terminal_control_is_removed(raw: str, shown: str) -> None:
    assert strip_terminal(raw) == shown


def test_text_loses_pings_and_disguised_links_but_keeps_what_it_says() -> None:
    text = inert_text("Ask @everyone or <!here> and <@&123456789012345678>; see <https://evil.example/x|the docs>.")
    assert "@everyone" not in text and "<!" not in text and "<@&" not in text
    assert "the docs (https://evil.example/x)" in text
    assert inert_text("plain words, nothing to do") == "plain words, nothing to do"


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("see [the docs](https://evil.example/x) now", "see the docs (https://evil.example/x) now"),
        ("[Official page](<https://evil.example/login>)", "Official page (https://evil.example/login)"),
        ('[help](https://evil.example/h "Official help")', "help (https://evil.example/h)"),
        ("[https://evil.example](https://evil.example)", "https://evil.example"),
        ("a list [1] and (a note) stay as they are", "a list [1] and (a note) stay as they are"),
    ],
)
def test_masked_links_show_where_they_go(raw: str, shown: str) -> None:
    # Discord renders [label](url) as the label alone: an indexed reply could pass a phishing link as "Official page"
    assert inert_text(raw) == shown


def test_names_are_one_line_and_bounded() -> None:
    assert inert_line("Sam\n\nMember  \x1b[1m", 200) == "Sam Member"
    assert len(inert_line("x" * 500)) == 200


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://community.example/t/1", "https://community.example/t/1"),
        ("HTTPS://community.example/t/1?x=1#r", "https://community.example/t/1?x=1#r"),
        ("https://community.example/t/<!channel>@everyone", "https://community.example/t/%3C!channel%3E%40everyone"),
        ("javascript:alert(1)", None),
        ("data:text/html,<script>", None),
        ("https://trusted.example@evil.example/", None),
        ("https://a.example/ spaced", None),
        ("https://a.example/\x1b[2J", None),
        ("community.example/t/1", None),
        ("", None),
        (None, None),
    ],
)
def test_only_honest_web_addresses_are_kept(url: str | None, safe: str | None) -> None:
    assert safe_url(url) == safe
