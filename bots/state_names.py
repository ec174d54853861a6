"""The state store's name queries (issue #18, point 2): the channel and member names the adapters saw, upserted,
for the dashboard to show instead of ids and for its filters to accept."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from peerbot.bots.schema import Queries
from peerbot.bots.schema_names import MAX_NAME_CHARS, NameRow

NameKey = tuple[str, str, str]  # platform, kind (channel | member), id


def name_query(text: str) -> str:
    """What a filter's name is compared with: without a leading # or @, any case, outer spaces dropped."""
    return text.strip().lstrip("#@").strip().casefold()


class NameQueries(Queries):
    dialect: str

    def remember_names(self, platform: str, names: Iterable[tuple[str, str, str | None]]) -> int:
        """Upsert (kind, id, name) for a platform; empty names and ids are skipped. Returns the names written."""
        now = self.clock()
        fresh = {(kind, id_): (name or "").strip()[:MAX_NAME_CHARS] for kind, id_, name in names if id_}
        fresh = {key: name for key, name in fresh.items() if name}
        if not fresh:
            return 0
        insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        with self._session() as s:
            for (kind, id_), name in sorted(fresh.items()):  # sorted: replicas lock the rows in one order
                values = {"name": name, "folded": name_query(name)[:MAX_NAME_CHARS], "updated_at": now}
                statement = insert(NameRow).values(platform=platform, kind=kind, id=id_, **values)
                s.execute(
                    statement.on_conflict_do_update(
                        index_elements=[NameRow.platform, NameRow.kind, NameRow.id], set_=values
                    )
                )
        return len(fresh)

    def names_of(self, keys: Iterable[NameKey]) -> dict[NameKey, str]:
        """The known names of these (platform, kind, id); ids without a name are left out."""
        wanted = set(keys)
        ids = {id_ for _, _, id_ in wanted}
        if not ids:
            return {}
        with self._session() as s:
            rows = s.execute(
                select(NameRow.platform, NameRow.kind, NameRow.id, NameRow.name).where(NameRow.id.in_(ids))
            )
            return {(p, k, i): n for p, k, i, n in rows if (p, k, i) in wanted}

    def names_by_kind(self, kind: str) -> dict[tuple[str, str], str]:
        """Every known name of a kind, by (platform, id): the log's channel menu."""
        with self._session() as s:
            rows = s.execute(select(NameRow.platform, NameRow.id, NameRow.name).where(NameRow.kind == kind))
            return {(p, i): n for p, i, n in rows}

    def ids_named(self, kind: str, text: str) -> list[str]:
        """The ids whose name is `text` (any case, a leading # or @ ignored), for the log's filters. Compared on the
        stored casefolded name, not with SQL's lower(), which SQLite applies to ASCII letters only."""
        wanted = name_query(text)
        if not wanted:
            return []
        with self._session() as s:
            found = s.scalars(select(NameRow.id).where(NameRow.kind == kind, NameRow.folded == wanted[:MAX_NAME_CHARS]))
            return sorted(set(found))
