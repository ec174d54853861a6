"""The text helpers the export sources share."""

from __future__ import annotations

import pytest

from peerbot.indexer.sources.html_text import html_to_markdown, iso_from_epoch, slugify, split_title


def test_paragraphs_lists_quotes_and_inline_code() -> None:
    html = (
        "<p>First <strong>bold</strong> and <code>hub_id</code>.</p><ul><li>one</li><li>two</li></ul>"
        "<blockquote><p>quoted</p></blockquote><h2>Heading</h2><p>a_b*c</p>"
    )
    assert html_to_markdown(html) == ("First **bold** and `hub_id`.\n\n- one\n- two\n\n> quoted\n\n## Heading\n\na_b*c")


@pytest.mark.parametrize(
    ("html", "fence"),
    [
        ('<pre><code class="lang-python">x = 1 &lt; 2\n</code></pre>', "```python\nx = 1 < 2\n```"),
        ('<pre class="lang-py prettyprint-override"><code>x = 1\n</code></pre>', "```py\nx = 1\n```"),
        ('<pre><code class="language-bash">ls\n</code></pre>', "```bash\nls\n```"),
        ('<pre><code class="lang-auto">plain\n</code></pre>', "```\nplain\n```"),
    ],
)
def test_code_blocks_are_fenced_with_their_language(html: str, fence: str) -> None:
    assert html_to_markdown(html) == fence


def test_scripts_dropped_links_made_absolute_and_widgets_flattened() -> None:
    html = (
        '<script>alert(1)</script><p><a class="mention" href="/u/mara">@mara</a> see <a href="/t/x/1">this</a>'
        ' <img class="emoji" alt=":smile:" src="/e.png"> <a href="#part">part</a></p>'
        '<aside class="onebox" data-onebox-src="https://lumo.example/docs"><article>preview</article></aside>'
        '<div class="lightbox-wrapper"><a class="lightbox" href="/uploads/full.png"><img src="/uploads/small.png"'
        ' alt="screenshot"><div class="meta">screenshot.png 800x600</div></a></div>'
    )
    text = html_to_markdown(html, "https://forum.example")
    assert "alert" not in text and "preview" not in text and "800x600" not in text
    assert "@mara see [this](https://forum.example/t/x/1) :smile: [part](#part)" in text
    assert "\nhttps://lumo.example/docs\n" in text
    assert text.endswith("[screenshot](https://forum.example/uploads/full.png)")


def test_empty_html() -> None:
    assert html_to_markdown("") == "" and html_to_markdown("  <p> </p> ") == ""


def test_split_title() -> None:
    assert split_title("Short question?\nMore detail\nhere") == ("Short question?", "More detail\nhere")
    title, body = split_title("word " * 60)
    assert title.endswith("…") and len(title) <= 121 and body == ("word " * 60).strip()
    assert split_title("*Bold title*") == ("Bold title", "")


def test_iso_from_epoch_and_slugify() -> None:
    assert iso_from_epoch("1709546400.000100") == "2024-03-04T10:00:00.000100Z"
    assert iso_from_epoch(None) is None and iso_from_epoch("soon") is None
    assert slugify("What's in the 5.0 beta, and how?") == "whats-in-the-50-beta-and-how"
    assert slugify("???") == "item"
