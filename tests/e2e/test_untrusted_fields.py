"""Issue #13.10: every field of an indexed entry is untrusted (author name, URL, title, body, answer), and every
output path shows it inert: the console (`peerbot ask`), `peerbot ask --json`, Slack, Discord and the dashboard.

Inert means: no mass, role or user mention that could ping (`@everyone`, `@here`, `<!channel>`, `<@&role>`,
`<@U…>`, `<@123…>`), no terminal escape sequence or control character, no Slack link syntax hiding where a link
goes, and no link that is not http(s) (`javascript:`)."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.adapters.fake_discord import ALICE, HELP, WORLD_COMMUNITY, open_world
from tests.adapters.fake_slack import COMMUNITY, running_slack
from tests.adapters.fake_slack import mention as slack_mention
from tests.dashboard.conftest import free_port
from tests.factories import CLI_CONFIG, SMALL_COMMUNITY, reply, thread, write_jsonl

QUESTION = "How do I recalibrate the motion sensor range"
SAFE_ANSWER_WORDS = "Hold the sensor button for ten seconds"
EVIL_AUTHOR = (
    "@everyone <!channel> <@&123456789012345678> <@U0ADMIN|admin> <@111111111111111111> "
    "\x1b[31mRoot\x1b]0;owned\x07 <https://evil.example/login|Official Support>\r\x9b2J"
)
EVIL_URL = "javascript:alert(document.cookie)//@here"
EVIL_THREAD = {
    **thread(
        "sensor",
        f"{QUESTION} @here <!here> \x1b[2J <https://evil.example/title|see docs>",
        "Motion sensor range is wrong @everyone \x1b[5m<@&123456789012345678>",
        [
            reply(
                f"{SAFE_ANSWER_WORDS}. @everyone <!channel> <@&123456789012345678> <@U0ADMIN> \x1b[2J\x1b[H "
                "<https://evil.example/steal|the official page> [Official help](<https://evil.example/masked>) "
                "\x9b31m\rDone.",
                EVIL_AUTHOR,
                accepted=True,
                score=9,
            )
        ],
    ),
    "url": EVIL_URL,
}
# a second entry, for the near-miss and suggestion lists: a web address that carries markup and a user part
EVIL_NEAR = {
    **thread(
        "sensor-battery",
        "Motion sensor battery drains fast <!channel>",
        "battery",
        [reply("Use lithium cells. @here", "<@&123456789012345678> Spoofed \x1b[1mBold", accepted=True)],
    ),
    "url": "https://trusted.example@evil.example/t/<!channel>",
}

LIVE_MENTION = re.compile(
    r"(?<!\u200b)@(everyone|here|channel)\b"  # a plain mass mention (an inert one has a zero-width space)
    r"|<[!@#][^>]*>"  # Slack or Discord markup: <!channel>, <@U…>, <@&…>, <@123…>, <#…>
)
FORBIDDEN = [
    "\x1b",
    "\x9b",
    "\r",
    "\x07",
    "javascript:",
    "trusted.example@",
    "<https://evil",
    "|Official Support",
    "](https://evil",
    "](<https://evil",
]  # a masked link would show only its label on Discord


def assert_inert(output: str, where: str, allowed_markup: Callable[[str], bool] = lambda _: False) -> None:
    found = [m.group(0) for m in LIVE_MENTION.finditer(output) if not allowed_markup(m.group(0))]
    assert not found, f"{where}: live mentions or markup {found}"
    for bad in FORBIDDEN:
        assert bad not in output, f"{where}: {bad!r} in the output"


def community_folder(root: Path) -> Path:
    (root / "config.toml").write_text(CLI_CONFIG, encoding="utf-8")
    write_jsonl(root / "community.jsonl", [*SMALL_COMMUNITY, EVIL_THREAD, EVIL_NEAR])
    return root


def peerbot(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SLACK_BOT_TOKEN", "DISCORD_TOKEN", "PEERBOT_CONFIG")}
    return subprocess.run(
        [sys.executable, "-m", "peerbot", *args], cwd=root, capture_output=True, text=True, timeout=300, env=env
    )


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = community_folder(tmp_path_factory.mktemp("untrusted"))
    built = peerbot(root, "index")
    assert built.returncode == 0, built.stderr
    return root


def test_console_answer_is_inert(indexed: Path) -> None:
    result = peerbot(indexed, "ask", QUESTION)
    assert result.returncode == 0, result.stderr
    assert SAFE_ANSWER_WORDS in result.stdout and "Official Support" in result.stdout
    assert_inert(result.stdout, "peerbot ask")


def test_ask_json_fields_are_inert(indexed: Path) -> None:
    result = peerbot(indexed, "ask", "--json", QUESTION)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["outcome"] == "answer" and SAFE_ANSWER_WORDS in data["text"]
    top = data["matches"][0]
    assert top["url"] is None  # javascript: is not a link
    for n, match in enumerate(data["matches"]):
        for field in ("title", "author", "url"):
            assert_inert(str(match[field]), f"--json matches[{n}].{field}")
    assert_inert(data["text"], "--json text")


def test_chat_console_with_suggestions_and_near_misses_is_inert(indexed: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("SLACK_BOT_TOKEN", "DISCORD_TOKEN", "PEERBOT_CONFIG")}
    result = subprocess.run(
        [sys.executable, "-m", "peerbot", "chat"],
        cwd=indexed,
        input=f"{QUESTION}\nmotion sensor\nsensor battery range\n",
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert SAFE_ANSWER_WORDS in result.stdout
    assert_inert(result.stdout, "peerbot chat")
    near = json.loads(peerbot(indexed, "ask", "--json", "motion sensor").stdout)
    assert near["matches"], "the evil entries should be near misses"
    for n, match in enumerate(near["matches"]):
        for field in ("title", "author", "url"):
            assert_inert(str(match[field]), f"--json near miss [{n}].{field}")


@pytest.fixture
def dashboard(indexed: Path) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "PEERBOT_DASHBOARD_TOKEN": "test-token-0123456789"}
    process = subprocess.Popen(
        [sys.executable, "-m", "peerbot", "dashboard", "--port", str(port)],
        cwd=indexed,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):  # until it listens (or exits)
            if process.poll() is not None:
                raise AssertionError(f"the dashboard exited: {process.stderr.read() if process.stderr else ''}")
            try:
                urllib.request.urlopen(f"{url}/login", timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_dashboard_search_page_is_inert(dashboard: str) -> None:
    request = urllib.request.Request(
        f"{dashboard}/search?q={urllib.request.quote(QUESTION)}",
        headers={"Authorization": "Bearer test-token-0123456789", "Accept": "text/html"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        page = response.read().decode("utf-8")
    assert SAFE_ANSWER_WORDS in page or "recalibrate" in page
    hrefs = re.findall(r'href="([^"]*)"', page)
    assert not [h for h in hrefs if h.lower().lstrip().startswith(("javascript:", "data:"))], hrefs
    assert_inert(html.unescape(re.sub(r"<[^>]*>", " ", page)), "dashboard /search text")
    assert_inert(" ".join(html.unescape(h) for h in hrefs), "dashboard /search links")


async def test_slack_messages_are_inert(tmp_path: Path) -> None:
    async with running_slack(tmp_path, community=[*COMMUNITY, EVIL_THREAD, EVIL_NEAR]) as slack:
        await slack.event(slack_mention(QUESTION))
        await slack.event(slack_mention("motion sensor"))
        await slack.fake.wait_for("chat.postMessage", count=2)
        await slack.settle()
        texts = "\n".join(
            json.dumps(c.body, ensure_ascii=False) for c in slack.fake.calls if c.method == "chat.postMessage"
        )
        assert SAFE_ANSWER_WORDS in texts
        ours = re.compile(r"<(@UMARA|@UDEVON|https://community\.example/[^|>]*\|[^>]*|#C[A-Z0-9]+)>")
        assert_inert(texts.replace("\\n", "\n"), "Slack", allowed_markup=lambda m: bool(ours.fullmatch(m)))


async def test_discord_messages_are_inert(tmp_path: Path) -> None:
    async with open_world(tmp_path, community=[*WORLD_COMMUNITY, EVIL_THREAD, EVIL_NEAR]) as world:
        asked = await world.say(HELP, ALICE, QUESTION)
        await world.fake.wait_for(lambda: world.fake.in_channel(asked["id"]))
        other = await world.say(HELP, ALICE, "motion sensor")
        await world.fake.wait_for(lambda: world.fake.in_channel(other["id"]))
        await world.fake.quiet()
        sent = "\n".join(s.content for s in world.fake.sent)
        assert SAFE_ANSWER_WORDS in sent
        ours = re.compile(r"<@(1200000000000000101|1200000000000000102)>|<@&1200000000000000200>")
        assert_inert(sent, "Discord", allowed_markup=lambda m: bool(ours.fullmatch(m)))
