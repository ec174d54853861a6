"""Issue #13: what an attacker or a broken proxy sends to the Slack adapter over real HTTP, and what comes back.

The real slack-bolt AsyncApp serves its Events API endpoint on 127.0.0.1; requests are posted to it as Slack
would post them (signed with the signing secret), except for the one thing each case gets wrong.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.adapters.fake_slack import Harness, event_callback, mention, running_slack, signed_headers


@pytest.fixture
async def slack(tmp_path: Path) -> AsyncIterator[Harness]:
    async with running_slack(tmp_path) as harness:
        yield harness


MALFORMED_BODIES = [
    pytest.param("{not json", "application/json", id="broken-json"),
    pytest.param("[1, 2, 3]", "application/json", id="json-array"),
    pytest.param('"just a string"', "application/json", id="json-string"),
    pytest.param(json.dumps({"type": "event_callback", "event": "nope"}), "application/json", id="event-not-object"),
    pytest.param(urlencode({"payload": "{broken"}), "application/x-www-form-urlencoded", id="form-payload-broken"),
    pytest.param(urlencode({"payload": "[1]"}), "application/x-www-form-urlencoded", id="form-payload-array"),
]


@pytest.mark.parametrize(("body", "content_type"), MALFORMED_BODIES)
async def test_a_signed_malformed_body_gets_400_not_a_traceback(
    slack: Harness, body: str, content_type: str, caplog: pytest.LogCaptureFixture
) -> None:
    status, text = await slack.post(body, content_type)
    assert status == 400, text
    assert "Traceback" not in text and "Traceback" not in caplog.text
    await slack.settle()
    assert slack.fake.posts() == []


@pytest.mark.parametrize("stamp", ["yesterday", "", "1e9", "-", "١٧٠٠٠٠٠٠٠٠"])
async def test_a_non_numeric_timestamp_gets_a_4xx_not_a_traceback(
    slack: Harness, stamp: str, caplog: pytest.LogCaptureFixture
) -> None:
    body = json.dumps(event_callback(mention("How do I factory reset a bulb")))
    headers = signed_headers(body) | {"X-Slack-Request-Timestamp": stamp}
    status, text = await slack.post(body, "application/json", headers)
    assert 400 <= status < 500, text
    assert "Traceback" not in caplog.text
    await slack.settle()
    assert slack.fake.posts() == []


async def test_a_good_request_still_works_after_bad_ones(slack: Harness) -> None:
    await slack.post("{not json", "application/json")
    body = json.dumps(event_callback(mention("How do I factory reset a bulb")))
    status, _ = await slack.post(body, "application/json", signed_headers(body, timestamp=int(time.time())))
    assert status == 200
    [answer] = await slack.fake.wait_for("chat.postMessage")
    assert "Power-cycle" in answer.body["text"]
