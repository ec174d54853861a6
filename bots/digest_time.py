"""When the weekly digest is posted (`[dashboard] digest = "monday 09:00"`, UTC): parsed once, in config.py."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
OFF = "off"
_FORM = re.compile(r"^\s*([a-z]+)\s+(\d{1,2}):(\d{2})\s*$")
EXPECTED = 'expected "off" or a weekday and a UTC time like "monday 09:00"'


@dataclass(frozen=True)
class DigestTime:
    weekday: int  # Monday is 0, as datetime.weekday()
    hour: int
    minute: int

    def __str__(self) -> str:
        return f"{WEEKDAYS[self.weekday]} {self.hour:02d}:{self.minute:02d}"

    def last(self, now: datetime) -> datetime:
        """The latest posting time at or before `now`."""
        at = now.replace(hour=self.hour, minute=self.minute, second=0, microsecond=0)
        at -= timedelta(days=(now.weekday() - self.weekday) % 7)
        return at if at <= now else at - timedelta(days=7)

    def next(self, now: datetime) -> datetime:
        """The first posting time after `now`."""
        return self.last(now) + timedelta(days=7)


def parse_digest_time(value: str) -> DigestTime | None:
    """`monday 09:00` (any case, a weekday's first three letters will do) -> DigestTime; "off" -> None."""
    text = value.strip().lower()
    if text == OFF:
        return None
    found = _FORM.match(text)
    days = [i for i, day in enumerate(WEEKDAYS) if found and len(found[1]) >= 3 and day.startswith(found[1])]
    if not found or not days:
        raise ValueError(f"{EXPECTED}, got {value!r}")
    hour, minute = int(found[2]), int(found[3])
    if hour > 23 or minute > 59:
        raise ValueError(f"{EXPECTED} (hours 00-23, minutes 00-59), got {value!r}")
    return DigestTime(days[0], hour, minute)
