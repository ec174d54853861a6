"""A fake Discourse on 127.0.0.1 speaking the routes and JSON shapes of Discourse's API documentation:
/categories.json, /latest.json?order=activity&page=N (30 topics a page, `more_topics_url`), /t/{id}.json, the
Api-Key / Api-Username headers, and 429 with Retry-After. It runs in a thread: the source is synchronous."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

KEY = "discourse-test-key"
PAGE = 30


def topic(tid: int, title: str, question: str, answers: list[dict[str, Any]], *, category: int = 1) -> dict[str, Any]:
    posts = [{"id": tid * 100, "username": "asker", "name": "Asker", "cooked": f"<p>{question}</p>", "post_number": 1}]
    for n, answer in enumerate(answers, start=2):
        posts.append(
            {
                "id": tid * 100 + n,
                "username": answer.get("username", "helper"),
                "name": answer.get("name", "Helper"),
                "cooked": f"<p>{answer['text']}</p>",
                "post_number": n,
                "like_count": answer.get("likes", 0),
                "accepted_answer": answer.get("accepted", False),
            }
        )
    return {"id": tid, "title": title, "slug": f"topic-{tid}", "category_id": category, "post_stream": {"posts": posts}}


@dataclass
class FakeDiscourse:
    topics: dict[int, dict[str, Any]] = field(default_factory=dict)
    bumped: dict[int, str] = field(default_factory=dict)
    categories: list[dict[str, Any]] = field(
        default_factory=lambda: [
            {"id": 1, "name": "Support", "read_restricted": False},
            {"id": 7, "name": "Staff", "read_restricted": True},
        ]
    )
    rate_limits: list[str] = field(default_factory=list)  # Retry-After of the next 429s
    requests: list[str] = field(default_factory=list)
    _clock: int = 0
    _server: ThreadingHTTPServer | None = None

    def add(self, data: dict[str, Any]) -> None:
        self.topics[data["id"]] = data
        self.bump(data["id"])

    def bump(self, tid: int) -> None:
        self._clock += 1
        self.bumped[tid] = f"2026-11-29T10:{self._clock // 60:02d}:{self._clock % 60:02d}.000Z"

    def delete(self, tid: int) -> None:
        del self.topics[tid]
        del self.bumped[tid]

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def fetched_topics(self) -> list[str]:
        return [r for r in self.requests if r.startswith("/t/")]

    def start(self) -> FakeDiscourse:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                fake.requests.append(self.path)
                if fake.rate_limits:
                    self._send(
                        429,
                        {"errors": ["You've performed this action too many times."]},
                        {"Retry-After": fake.rate_limits.pop(0)},
                    )
                    return
                if self.headers.get("Api-Key") != KEY or not self.headers.get("Api-Username"):
                    self._send(403, {"errors": ["You are not permitted to view the requested resource."]})
                    return
                url = urlparse(self.path)
                if url.path == "/categories.json":
                    self._send(200, {"category_list": {"categories": fake.categories}})
                elif url.path == "/latest.json":
                    page = int(parse_qs(url.query).get("page", ["0"])[0])
                    ordered = sorted(fake.topics, key=lambda t: fake.bumped[t], reverse=True)
                    chunk = ordered[page * PAGE : (page + 1) * PAGE]
                    listed = [
                        {
                            "id": t,
                            "title": fake.topics[t]["title"],
                            "bumped_at": fake.bumped[t],
                            "category_id": fake.topics[t]["category_id"],
                        }
                        for t in chunk
                    ]
                    more = f"/latest?order=activity&page={page + 1}" if (page + 1) * PAGE < len(ordered) else None
                    topic_list: dict[str, Any] = {"topics": listed, "per_page": PAGE}
                    if more:
                        topic_list["more_topics_url"] = more
                    self._send(200, {"topic_list": topic_list})
                elif url.path.startswith("/t/") and url.path.endswith(".json"):
                    tid = int(url.path[3:-5])
                    if tid in fake.topics:
                        self._send(200, fake.topics[tid])
                    else:
                        self._send(404, {"errors": ["The requested URL or resource could not be found."]})
                else:
                    self._send(404, {"errors": ["not found"]})

            def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
