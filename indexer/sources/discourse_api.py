"""Discourse live: topics pulled from a forum's API, incrementally, into a local cache folder (the source's `path`).

Each read lists the forum's topics (`/latest.json?order=activity`, every page), fetches `/t/{id}.json` only for
topics that are new or were bumped since they were cached (`bumped_at`), drops cached topics the forum no longer
lists (deleted or made invisible), and reads the cache like the `discourse` file source (likes are kudos, the
Solved plugin's accepted answer). Categories Discourse marks `read_restricted` are private, besides the configured
`private_categories`. The API key comes from an environment variable (`api_key_env`, DISCOURSE_API_KEY). 429
answers are waited out (Retry-After).
"""

from __future__ import annotations

import json
import logging
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from peerbot.errors import SourceError
from peerbot.indexer.sources.base import SourceProblem, Thread
from peerbot.indexer.sources.discourse import DiscourseOptions, DiscourseSource

log = logging.getLogger(__name__)

MAX_RETRIES = 5
MAX_PAGES = 10_000


class DiscourseApiOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str = Field(pattern=r"^https?://")  # https://forum.example.com
    api_key_env: str = "DISCOURSE_API_KEY"  # the environment variable holding the API key
    api_username: str = "system"
    private_categories: list[int] = []
    good_trust_level: int | None = Field(None, ge=0, le=4)


Fetch = Callable[[str], Any]


class DiscourseApiSource:
    help = "a Discourse forum through its API (url, key from an environment variable), cached in `path`"
    # `path` (optional): the cache folder, default .peerbot/discourse-NAME

    def __init__(self, path: Path | None, name: str | None = None, options: DiscourseApiOptions | None = None) -> None:
        if options is None:
            raise SourceError(source=name, path=path, reason="needs options.url (https://forum.example.com)")
        self.path = path or Path(".peerbot") / f"discourse-{name or 'discourse'}"  # the cache folder
        self._restricted: set[int] = set()
        self.name = name or "discourse"
        self.options = options
        self.problems: list[SourceProblem] = []
        self.fetched = 0  # topics fetched in the last read (new or bumped)
        self.dropped = 0  # cached topics dropped in the last read (the forum no longer lists them)

    def threads(self) -> Iterator[Thread]:
        self.problems = []
        self.pull()
        private = set(self.options.private_categories) | self._restricted
        cached = DiscourseSource(
            self.path / "topics",
            self.name,
            DiscourseOptions(
                base_url=self.options.url,
                private_categories=sorted(private),
                good_trust_level=self.options.good_trust_level,
            ),
        )
        yield from cached.threads()
        self.problems += cached.problems

    def pull(self) -> None:
        """Bring the cache up to date with the forum."""
        key = os.environ.get(self.options.api_key_env)
        if not key:
            raise SourceError(
                source=self.name, path=self.path, reason=f"set {self.options.api_key_env} to the forum's API key"
            )
        fetch = self._fetcher(key)
        topics = self.path / "topics"
        topics.mkdir(parents=True, exist_ok=True)
        self._restricted = {
            int(c["id"])
            for c in (fetch("/categories.json").get("category_list") or {}).get("categories") or []
            if c.get("read_restricted")
        }
        index_file = self.path / "bumped.json"
        bumped: dict[str, str] = json.loads(index_file.read_text()) if index_file.exists() else {}
        listed: dict[str, str] = {}
        for page in range(MAX_PAGES):
            data = fetch(f"/latest.json?order=activity&page={page}")
            found = (data.get("topic_list") or {}).get("topics") or []
            for topic in found:
                listed[str(topic["id"])] = str(topic.get("bumped_at") or "")
            if not found or not (data.get("topic_list") or {}).get("more_topics_url"):
                break
        self.fetched = self.dropped = 0
        for topic_id, when in listed.items():
            if bumped.get(topic_id) == when and (topics / f"{topic_id}.json").exists():
                continue
            try:
                data = fetch(f"/t/{topic_id}.json?print=true")
            except _Gone:
                continue
            _write(topics / f"{topic_id}.json", data)
            bumped[topic_id] = when
            self.fetched += 1
        for topic_id in [t for t in bumped if t not in listed]:
            (topics / f"{topic_id}.json").unlink(missing_ok=True)
            del bumped[topic_id]
            self.dropped += 1
        _write(index_file, bumped)
        log.info("discourse pulled", extra={"source": self.name, "fetched": self.fetched, "dropped": self.dropped})

    def _fetcher(self, key: str) -> Fetch:
        base = self.options.url.rstrip("/")
        headers = {"Api-Key": key, "Api-Username": self.options.api_username, "Accept": "application/json"}

        def fetch(route: str) -> Any:
            for _ in range(MAX_RETRIES):
                request = urllib.request.Request(base + route, headers=headers)
                try:
                    with urllib.request.urlopen(request, timeout=30) as response:
                        return json.loads(response.read().decode("utf-8"))
                except urllib.error.HTTPError as exc:
                    if exc.code == 429:
                        time.sleep(float(exc.headers.get("Retry-After") or 1))
                        continue
                    if exc.code in (403, 404, 410) and route.startswith("/t/"):
                        raise _Gone from None
                    raise SourceError(source=self.name, path=self.path, reason=f"{route}: HTTP {exc.code}") from None
                except (urllib.error.URLError, OSError, ValueError) as exc:
                    raise SourceError(source=self.name, path=self.path, reason=f"{base}{route}: {exc}") from None
            raise SourceError(source=self.name, path=self.path, reason=f"{route}: still rate limited")

        return fetch


class _Gone(Exception):
    """A listed topic that cannot be read any more."""


def _write(path: Path, data: Any) -> None:
    aside = path.with_name(f".{path.name}.tmp")
    aside.write_text(json.dumps(data), encoding="utf-8")
    os.replace(aside, path)
