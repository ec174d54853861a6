"""HTTP mode's first check: a request Bolt cannot parse gets 400 with a one-line reason, never a 500 traceback.

slack-bolt parses the body and reads the timestamp before it verifies the signature, and raises on what it cannot
read (a non-numeric `X-Slack-Request-Timestamp`, broken JSON, a `payload=` that is not an object). This
middleware refuses those first; everything else goes on to Bolt, which verifies the signature as before.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

from aiohttp import web

log = logging.getLogger(__name__)

TIMESTAMP_HEADER = "X-Slack-Request-Timestamp"
_TIMESTAMP = re.compile(r"[0-9]{1,12}")  # seconds since 1970, ASCII digits only
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _object(text: str, what: str) -> tuple[dict[str, Any] | None, str | None]:
    try:
        data = json.loads(text)
    except ValueError:
        return None, f"{what} is not valid JSON"
    if not isinstance(data, dict):
        return None, f"{what} is not a JSON object"
    return data, None


def malformed(raw: bytes, content_type: str, timestamp: str | None) -> str | None:
    """Why Slack could not have sent this request (None when it could have): checked before Bolt reads it."""
    if timestamp is not None and not _TIMESTAMP.fullmatch(timestamp):
        return f"{TIMESTAMP_HEADER} is not a number"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return "the body is not UTF-8"
    if content_type == "application/json" or (content_type != "application/x-www-form-urlencoded" and text[:1] == "{"):
        data, problem = _object(text, "the body")
        if problem:
            return problem
        assert data is not None
        event = data.get("event")
        if event is not None and not isinstance(event, dict):
            return "the event is not a JSON object"
        return None
    payload = parse_qs(text).get("payload")
    if payload:
        return _object(payload[0], "the payload")[1]
    return None


@web.middleware
async def refuse_malformed(request: web.Request, handler: Handler) -> web.StreamResponse:
    """aiohttp middleware for the Events API endpoint."""
    if request.method == "POST":
        raw = await request.read()  # aiohttp keeps the body: Bolt reads it again
        problem = malformed(raw, request.content_type, request.headers.get(TIMESTAMP_HEADER))
        if problem:
            log.warning("refused a malformed Slack request", extra={"reason": problem, "path": request.path})
            return web.Response(status=400, text=f"Bad request: {problem}\n")
    try:
        return await handler(request)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:  # what Bolt raises on input it cannot read
        log.warning("refused a Slack request Bolt could not read", extra={"error": type(exc).__name__})
        return web.Response(status=400, text="Bad request\n")
