"""The state store's copy of published index versions (`[index] publish_to = "database"`): each file of a version
in parts, and one row per version that appears only once all its parts are in, so a replica never sees half."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, LargeBinary, String, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from peerbot.bots.schema import Base, Queries


class IndexVersionRow(Base):
    __tablename__ = "index_versions"
    version: Mapped[str] = mapped_column(String(128), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    files: Mapped[dict[str, Any]] = mapped_column(JSON)  # name -> {"sha256": ..., "size": ..., "parts": ...}


class IndexPartRow(Base):
    __tablename__ = "index_parts"
    version: Mapped[str] = mapped_column(String(128), primary_key=True)
    name: Mapped[str] = mapped_column(String(256), primary_key=True)
    part: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class ShippingQueries(Queries):
    def put_index_part(self, version: str, name: str, part: int, data: bytes) -> None:
        with self._session() as s:
            s.merge(IndexPartRow(version=version, name=name, part=part, data=data))

    def put_index_version(self, version: str, files: dict[str, Any]) -> bool:
        """Make an uploaded version visible (after all its parts); False if it already was."""
        return self._add_once(IndexVersionRow, version=version, created_at=self.clock(), files=files)

    def shipped_versions(self) -> list[tuple[str, dict[str, Any]]]:
        """Complete versions in the store, oldest first, with their files' checksums."""
        with self._session() as s:
            rows = s.execute(select(IndexVersionRow.version, IndexVersionRow.files).order_by(IndexVersionRow.version))
            return [(version, dict(files)) for version, files in rows]

    def index_parts(self, version: str, name: str) -> Iterator[bytes]:
        """A file's parts in order, one query each (a big index never sits in memory whole)."""
        with self._session() as s:
            count = s.scalar(
                select(IndexPartRow.part)
                .where(IndexPartRow.version == version, IndexPartRow.name == name)
                .order_by(IndexPartRow.part.desc())
                .limit(1)
            )
        for part in range(0 if count is None else count + 1):
            with self._session() as s:
                data = s.scalar(
                    select(IndexPartRow.data).where(
                        IndexPartRow.version == version, IndexPartRow.name == name, IndexPartRow.part == part
                    )
                )
            if data is None:
                raise ValueError(f"index version {version}: part {part} of {name} is missing in the store")
            yield bytes(data)

    def drop_shipped(self, keep: set[str]) -> list[str]:
        """Delete every shipped version not in `keep` (the row first, so no replica starts on a half-deleted one)."""
        with self._session() as s:
            gone = list(s.scalars(select(IndexVersionRow.version).where(IndexVersionRow.version.not_in(keep))))
            s.execute(delete(IndexVersionRow).where(IndexVersionRow.version.in_(gone)))
        with self._session() as s:  # only parts of versions that were complete: an upload under way keeps its own
            s.execute(delete(IndexPartRow).where(IndexPartRow.version.in_(gone)))
        return gone
