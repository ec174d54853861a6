"""The names table (issue #18, point 2): what the platforms call a channel or a member, as the adapters last saw it,
so the dashboard shows "#help" and "Mara Quinn" instead of raw ids. Same metadata as bots/schema.py."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from peerbot.bots.schema import Base, utcnow

CHANNEL, MEMBER = "channel", "member"
KINDS = (CHANNEL, MEMBER)
MAX_NAME_CHARS = 200


class NameRow(Base):
    """One id's name on one platform; upserted whenever an adapter records a question with the name."""

    __tablename__ = "names"
    platform: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # channel | member
    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    name: Mapped[str] = mapped_column(String(MAX_NAME_CHARS))
    folded: Mapped[str] = mapped_column(String(MAX_NAME_CHARS))  # the name as filters compare it (name_query)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (
        Index("ix_names_id", "id"),  # a page's names: by id (the platform and kind checked after)
        Index("ix_names_kind_folded", "kind", "folded"),  # the log's filters: by name
    )
