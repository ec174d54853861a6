"""Discourse: a folder of topic JSON files as the API returns them (`/t/{id}.json?print=true`).

Post #1 is the question, the other regular posts are replies. Likes are kudos; the Solved plugin's
`accepted_answer` marks the accepted reply. Whispers, small actions, hidden and deleted posts and private
messages are left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from peerbot.indexer.sources.base import Post, Thread
from peerbot.indexer.sources.files import FileSource, describe
from peerbot.indexer.sources.html_text import html_to_markdown

LIKE = 2  # actions_summary id of a like
REGULAR, MODERATOR_ACTION = 1, 2  # post_type values kept; 3 small action and 4 whisper are not


class DiscourseOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: str | None = None  # https://forum.example.com: threads link to {base_url}/t/{slug}/{id}
    private_categories: list[int] = []  # category ids whose topics are private (staff, beta testers...)
    good_trust_level: int | None = Field(None, ge=0, le=4)  # replies by users at this trust level or above: "good"


class _Action(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: int
    count: int = 0


class DiscoursePost(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: int
    username: str
    name: str | None = None
    cooked: str
    created_at: str | None = None
    post_number: int
    post_type: int = REGULAR
    like_count: int | None = None
    actions_summary: list[_Action] = []
    accepted_answer: bool = False
    trust_level: int | None = None
    hidden: bool = False
    deleted_at: str | None = None
    user_deleted: bool = False

    @property
    def likes(self) -> int:
        if self.like_count is not None:
            return self.like_count
        return sum(a.count for a in self.actions_summary if a.id == LIKE)

    @property
    def shown(self) -> bool:
        return (
            self.post_type in (REGULAR, MODERATOR_ACTION)
            and not self.hidden
            and not self.deleted_at
            and not self.user_deleted
        )


class _Tag(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str


class _Accepted(BaseModel):
    model_config = ConfigDict(extra="ignore")
    post_number: int


class _PostStream(BaseModel):
    model_config = ConfigDict(extra="ignore")
    posts: list[dict[str, Any]]


class DiscourseTopic(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: int
    title: str
    slug: str = "topic"
    category_id: int | None = None
    archetype: str = "regular"
    tags: list[str | _Tag] = []
    accepted_answer: _Accepted | None = None
    post_stream: _PostStream


class DiscourseSource(FileSource[DiscourseOptions]):
    """Topics from Discourse API JSON files; a bad file, topic or post is reported and skipped."""

    default_name = "discourse"
    options_model = DiscourseOptions
    suffixes = (".json",)
    help = "a folder of Discourse topic JSON files (/t/{id}.json?print=true)"

    def read_file(self, file: Path) -> Iterator[Thread]:
        data = self.read_json(file)
        thread = None if data is None else self._topic(file, data)
        if thread is not None:
            yield thread

    def _topic(self, file: Path, data: Any) -> Thread | None:
        where = f"topic {data.get('id', '?')}" if isinstance(data, dict) else "file"
        try:
            topic = DiscourseTopic.model_validate(data)
        except ValidationError as exc:
            self.report(file, where, f"not a Discourse topic: {describe(exc)}")
            return None
        if topic.archetype == "private_message":
            return None  # private messages are never indexed
        posts = []
        for number, raw in enumerate(topic.post_stream.posts, start=1):
            try:
                posts.append(DiscoursePost.model_validate(raw))
            except ValidationError as exc:
                self.report(file, f"{where} post {number}", describe(exc))
        first = next((p for p in posts if p.post_number == 1), None)
        if first is None:
            self.report(file, where, "post #1 (the question) is missing")
            return None
        return self.to_thread(topic, first, [p for p in posts if p.post_number != 1 and p.shown])

    def to_thread(self, topic: DiscourseTopic, first: DiscoursePost, replies: list[DiscoursePost]) -> Thread:
        base = self.options.base_url.rstrip("/") if self.options.base_url else None
        accepted = topic.accepted_answer.post_number if topic.accepted_answer else None
        good = self.options.good_trust_level
        private = topic.category_id is not None and topic.category_id in self.options.private_categories
        return Thread(
            id=str(topic.id),
            title=topic.title,
            body=html_to_markdown(first.cooked, base),
            author=first.name or first.username,
            author_id=first.username,
            date=first.created_at,
            url=f"{base}/t/{topic.slug}/{topic.id}" if base else None,
            channel=str(topic.category_id) if topic.category_id is not None else None,
            visibility="private" if private else "public",
            replies=tuple(
                Post(
                    id=str(p.id),
                    author=p.name or p.username,
                    author_id=p.username,
                    text=html_to_markdown(p.cooked, base),
                    date=p.created_at,
                    score=p.likes,
                    accepted=p.accepted_answer or p.post_number == accepted,
                    label="good" if good is not None and (p.trust_level or 0) >= good else None,
                )
                for p in sorted(replies, key=lambda p: p.post_number)
            ),
            tags=tuple(t if isinstance(t, str) else t.name for t in topic.tags),
        )
