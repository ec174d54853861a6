"""Text helpers the export sources share: platform HTML -> Markdown (code kept fenced), titles from chat messages.

markdownify (with beautifulsoup4) does the conversion; both are imported on first use so that reading
config.toml does not pay for them.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import cache
from typing import Any
from urllib.parse import urljoin

TITLE_CHARS = 120
_LANG = re.compile(r"^(?:lang|language)-([\w#+.-]+)$")
_NO_LANG = {"auto", "nohighlight", "plaintext", "text", "none"}
_DROP = ("script", "style", "noscript", "meta", "link", "template")


def _code_language(pre: Any) -> str | None:
    """`lang-python` / `language-python` on the <pre> or its <code> (Discourse, Stack Exchange, highlight.js)."""
    code = pre.find("code")
    for element in (pre, code):
        if element is None:
            continue
        for cls in element.get("class") or ():
            found = _LANG.match(cls)
            if found and found.group(1).lower() not in _NO_LANG:
                return found.group(1).lower()
    return None


@cache
def _converter() -> Any:
    try:
        from markdownify import ATX, MarkdownConverter
    except ImportError as exc:  # pragma: no cover - a dependency of peerbot
        raise ImportError("HTML sources need markdownify: pip install markdownify") from exc
    return MarkdownConverter(
        heading_style=ATX,
        bullets="-",
        escape_asterisks=False,
        escape_underscores=False,
        escape_misc=False,
        code_language_callback=_code_language,
    )


def _replace_with_text(tag: Any, text: str) -> None:
    from bs4 import NavigableString

    tag.replace_with(NavigableString(text))


def _tidy_soup(soup: Any, base_url: str | None) -> None:
    """Platform widgets to plain Markdown material: mentions and emoji to text, oneboxes to links, urls absolute."""
    for tag in soup.find_all(_DROP):
        tag.decompose()
    for tag in soup.select("a.mention, a.mention-group, a.hashtag, a.hashtag-cooked"):
        _replace_with_text(tag, tag.get_text())
    for tag in soup.select("img.emoji"):
        _replace_with_text(tag, str(tag.get("title") or tag.get("alt") or ""))
    for tag in soup.select("div.lightbox-wrapper"):  # Discourse image with caption: a link to the full image
        image, full = tag.find("img"), tag.find("a", href=True)
        target = (full.get("href") if full else None) or (image.get("src") if image else None)
        if target:
            anchor = soup.new_tag("a", href=target)
            anchor.string = str((image.get("alt") if image else None) or "image")
            tag.replace_with(anchor)
        else:
            tag.decompose()
    for tag in soup.select("aside.onebox"):  # Discourse link previews: keep the link, drop the preview
        href = tag.get("data-onebox-src") or next((a.get("href") for a in tag.find_all("a", href=True)), None)
        if href:
            paragraph = soup.new_tag("p")
            paragraph.string = str(href)
            tag.replace_with(paragraph)
        else:
            tag.decompose()
    if base_url:
        root = base_url.rstrip("/") + "/"
        for tag in soup.find_all(["a", "img"]):
            attr = "href" if tag.name == "a" else "src"
            value = tag.get(attr)
            if isinstance(value, str) and value and not value.startswith(("#", "mailto:")):
                tag[attr] = urljoin(root, value)


def html_to_markdown(html: str, base_url: str | None = None) -> str:
    """Post HTML as Markdown: paragraphs, lists, quotes, links; code blocks fenced with their language."""
    if not html or not html.strip():
        return ""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    _tidy_soup(soup, base_url)
    return tidy_text(_converter().convert_soup(soup))


def tidy_text(text: str) -> str:
    """No trailing spaces, no runs of blank lines, no blank start or end."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def split_title(text: str, limit: int = TITLE_CHARS) -> tuple[str, str]:
    """A chat message as (title, body): its first line when short enough, else its start; the rest is the body."""
    text = text.strip()
    first, _, rest = text.partition("\n")
    first = first.strip().strip("`#*_> ").strip() or first.strip()
    if len(first) <= limit:
        return first, rest.strip()
    cut = first[:limit].rsplit(" ", 1)[0] or first[:limit]
    return cut.rstrip(" ,.;:") + "…", text


def iso_from_epoch(seconds: str | float | None) -> str | None:
    """A Unix time (Slack's "1700000000.000100") as ISO 8601 UTC, or None when it is not one."""
    if seconds is None:
        return None
    try:
        return datetime.fromtimestamp(float(seconds), UTC).isoformat().replace("+00:00", "Z")
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def slugify(text: str, limit: int = 80) -> str:
    """GitHub-style heading anchor: lower case, words joined by '-', punctuation dropped."""
    slug = re.sub(r"[^\w\s-]", "", text.lower(), flags=re.UNICODE)
    slug = re.sub(r"\s+", "-", slug.strip())
    return slug[:limit].strip("-") or "item"
