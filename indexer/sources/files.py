"""The plumbing every file-backed source shares: options, the files to read, problem reports, SourceErrors.

A subclass says which files it reads (`suffixes`, or its own `files()`) and how one file becomes threads
(`read_file`); opening, listing, reading JSON, JSON Lines and text, and reporting what could not be read
are done here once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from peerbot.errors import SourceError
from peerbot.indexer.sources.base import SourceProblem, Thread


class NoOptions(BaseModel):
    """The options of a source type that takes none: any option given is refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)


OptionsT = TypeVar("OptionsT", bound=BaseModel)


def describe(error: ValidationError) -> str:
    """The first few validation errors as 'field: problem'."""
    parts = []
    for item in error.errors()[:3]:
        where = ".".join(str(x) for x in item["loc"]) or "record"
        parts.append(f"{where}: {item['msg'].lower()}")
    return "; ".join(parts)


class FileSource(Generic[OptionsT]):
    """A source that reads an export from a file or a folder; a record it cannot use goes to `problems`."""

    default_name: ClassVar[str] = "source"
    options_model: ClassVar[type[BaseModel]] = NoOptions
    suffixes: ClassVar[tuple[str, ...]] = ()  # the files to read in a folder (and the only ones accepted)
    help: ClassVar[str] = ""  # one line for the source type's listing

    def __init__(self, path: Path, name: str | None = None, options: OptionsT | None = None) -> None:
        self.path = Path(path)
        self.name = name or self.default_name
        self.options: OptionsT = options if options is not None else self.options_model()  # type: ignore[assignment]
        self.problems: list[SourceProblem] = []

    def threads(self) -> Iterator[Thread]:
        self.problems = []
        for file in self.files():
            yield from self.read_file(file)

    def read_file(self, file: Path) -> Iterator[Thread]:
        raise NotImplementedError

    # -- which files ----------------------------------------------------------------------------------------

    def files(self) -> list[Path]:
        """The path itself, or every file under the folder with one of `suffixes`, in a stable order."""
        kinds = (
            " or ".join([", ".join(self.suffixes[:-1]), *self.suffixes[-1:]][not self.suffixes[:-1] :]) or "readable"
        )
        if self.path.is_file():
            if self.suffixes and self.path.suffix.lower() not in self.suffixes:
                raise self.cannot_open(self.path, f"not a {kinds} file")
            return [self.path]
        if not self.path.is_dir():
            raise self.cannot_open(self.path, "no such file or folder")
        found = sorted(p for p in self.path.rglob("*") if p.is_file() and p.suffix.lower() in self.suffixes)
        if not found:
            raise self.cannot_open(self.path, f"no {kinds} files in it")
        return found

    def cannot_open(self, path: Path, reason: str) -> SourceError:
        return SourceError(source=self.name, path=path, reason=reason)

    # -- reading, reporting -------------------------------------------------------------------------------

    def report(self, file: Path | str, record: str, reason: str) -> None:
        self.problems.append(SourceProblem(str(file), record, reason))

    def read_text(self, file: Path, encoding: str = "utf-8") -> str | None:
        """The file's text, or None after reporting why it could not be read."""
        try:
            return file.read_text(encoding=encoding, errors="replace")
        except OSError as exc:
            self.report(file, "file", f"cannot read ({exc.strerror or exc})")
            return None

    def read_json(self, file: Path) -> Any | None:
        """The file's JSON, or None after reporting why it could not be read."""
        text = self.read_text(file)
        if text is None:
            return None
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            self.report(file, "file", f"not valid JSON ({exc.msg} at line {exc.lineno})")
            return None

    def json_lines(self, file: Path) -> Iterator[tuple[int, Any]]:
        """(line number, record) for each JSON line; a bad line is reported and skipped, an unreadable file raised."""
        try:
            handle = file.open(encoding="utf-8", errors="replace")
        except OSError as exc:
            raise self.cannot_open(file, exc.strerror or str(exc)) from exc
        with handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    yield number, json.loads(line)
                except json.JSONDecodeError as exc:
                    self.report(file, f"line {number}", f"not valid JSON ({exc.msg} at column {exc.colno})")
