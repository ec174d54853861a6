"""Scheduled refreshes (`[schedule]`): each source re-read on its own interval, a full rebuild now and then.

Run by the bot's timer (bots/runtime.py), one replica at a time: a job is taken with a lease in the state store
(`scheduled_runs`), so when several replicas tick together exactly one runs it; one that dies mid-run leaves the
lease to run out and another takes the job. Each result (or failure) is announced to the admins (the notices'
"announce" channel: `slack.announce_channel` / `discord.announce_channel`, else the escalation channel).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from peerbot.bots.config import ScheduleSettings
from peerbot.bots.notices import Notice
from peerbot.bots.state import StateStore
from peerbot.errors import ConfigError, PeerbotError
from peerbot.indexer.build import BuildReport

log = logging.getLogger(__name__)

FULL = "full"
Rebuild = Callable[[str | None], Awaitable[BuildReport]]  # a source's name, or None for everything


@dataclass(frozen=True)
class Job:
    name: str  # "source:forum" or "full"
    source: str | None
    every: timedelta


def jobs(settings: ScheduleSettings, known_sources: list[str]) -> list[Job]:
    unknown = [name for name in settings.sources if name not in known_sources]
    if unknown:
        known = ", ".join(known_sources) or "none"
        raise ConfigError(
            f"schedule.sources: no source named {', '.join(unknown)} in [[sources]] (configured: {known})"
        )
    planned = [Job(f"source:{n}", n, timedelta(minutes=m)) for n, m in settings.sources.items()]
    if settings.full_rebuild_minutes:
        planned.append(Job(FULL, None, timedelta(minutes=settings.full_rebuild_minutes)))
    return planned


def report_text(job: Job, report: BuildReport) -> str:
    what = f"source {job.source}" if job.source else "every source"
    return (
        f"Scheduled refresh of {what}: index version {report.version}, {report.entries} entries "
        f"({report.added} added, {report.changed} changed, {report.removed} removed) in {report.seconds:.1f}s."
    )


class Scheduler:
    def __init__(
        self, store: StateStore, planned: list[Job], rebuild: Rebuild, *, lease: timedelta = timedelta(minutes=30)
    ) -> None:
        self.store = store
        self.jobs = planned
        self.rebuild = rebuild
        self.lease = lease

    async def tick(self) -> list[Notice]:
        """Run every job that is due and that this replica took; the announcements to deliver."""
        notices = []
        for job in self.jobs:
            if not await asyncio.to_thread(self.store.take_scheduled, job.name, job.every, self.lease):
                continue
            try:
                text = report_text(job, await self.rebuild(job.source))
            except PeerbotError as exc:  # the previous index keeps serving
                log.warning("scheduled refresh failed", extra={"job": job.name, "error": str(exc)})
                text = f"Scheduled refresh of {job.source or 'every source'} failed: {exc}"
            finally:
                await asyncio.to_thread(self.store.finish_scheduled, job.name)
            log.info("scheduled refresh", extra={"job": job.name})
            notices.append(Notice(kind="announce", text=text))
        return notices
