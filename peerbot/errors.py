"""The peerbot error family. Each error carries what a caller needs as attributes and builds its message from them.

PeerbotError
├── ConfigError            config.toml or an environment variable: file, key, expected, got, env_var
├── MissingExtra           an optional dependency is not installed: package, extra, feature
├── IndexProblem           the on-disk index: index_dir, version
│   ├── IndexMissing           nothing built yet
│   ├── IndexDamaged           a version's file is missing, corrupt or unreadable: file, reason
│   ├── IndexModelMismatch     built with another embedding model: built_model, built_dimension, model, dimension
│   └── IndexBusy              another `peerbot index` holds the build lock
├── SourceError            a community source cannot be read at all: source, path, reason
└── AdapterError           a chat adapter cannot start: adapter, env_vars, reason

Code tells errors apart by their class and attributes, never by their message text. A free-text message is still
accepted (`ConfigError("...")`) for raise sites that have no fields to give; the attributes are then None.
"""

from __future__ import annotations

from pathlib import Path


class PeerbotError(Exception):
    """Base class of every error peerbot raises on purpose; its message names what to fix."""

    def __init__(self, message: str) -> None:
        super().__init__(message)


class ConfigError(PeerbotError):
    """config.toml or an environment variable is missing or wrong."""

    def __init__(
        self,
        message: str | None = None,
        *,
        file: Path | str | None = None,
        key: str | None = None,
        expected: str | None = None,
        got: object = None,
        env_var: str | None = None,
    ) -> None:
        self.file = Path(file) if file is not None else None
        self.key = key
        self.expected = expected
        self.got = got
        self.env_var = env_var
        super().__init__(message or self._describe())

    def _describe(self) -> str:
        where = ": ".join(str(p) for p in (self.file, self.key or self.env_var) if p is not None) or "configuration"
        if self.expected is not None:
            return f"{where}: expected {self.expected}, got {self.got!r}"
        if self.env_var is not None:
            return f"{where}: the environment variable {self.env_var} is not set"
        return f"{where} is not valid"


class MissingExtra(PeerbotError):
    """A feature needs an optional dependency that is not installed: the message says which extra installs it."""

    def __init__(self, package: str, extra: str, feature: str) -> None:
        self.package = package
        self.extra = extra
        self.feature = feature
        super().__init__(f"{feature} needs {package}: pip install 'peerbot[{extra}]'")


class IndexProblem(PeerbotError):
    """The on-disk index cannot be served: the base of the index errors below."""

    def __init__(self, message: str, *, index_dir: Path | None = None, version: str | None = None) -> None:
        self.index_dir = index_dir
        self.version = version
        super().__init__(message)


class IndexMissing(IndexProblem):
    """No index has been built in index_dir yet."""

    def __init__(self, index_dir: Path) -> None:
        super().__init__(f"no index in {index_dir}: build one with `peerbot index`", index_dir=index_dir)


class IndexDamaged(IndexProblem):
    """One version's file is missing, corrupt or unreadable (file None: the version as a whole)."""

    def __init__(self, version: str, reason: str, *, file: Path | None = None, index_dir: Path | None = None) -> None:
        self.file = file
        self.reason = reason
        super().__init__(
            f"index version {version} {reason}: rebuild with `peerbot index`", index_dir=index_dir, version=version
        )


class IndexModelMismatch(IndexProblem):
    """A version was built with another embedding model than [index].model: not damage, so no older one is tried."""

    def __init__(
        self,
        version: str,
        *,
        built_model: object,
        built_dimension: object,
        model: str,
        dimension: int,
        index_dir: Path | None = None,
    ) -> None:
        self.built_model = built_model
        self.built_dimension = built_dimension
        self.model = model
        self.dimension = dimension
        super().__init__(
            f"index version {version} was built with model {built_model!r} (dimension {built_dimension}), "
            f"but [index].model is {model!r} (dimension {dimension}): "
            "rebuild with `peerbot index` or set [index].model back",
            index_dir=index_dir,
            version=version,
        )


class IndexBusy(IndexProblem):
    """Another `peerbot index` is building into the same folder."""

    def __init__(self, index_dir: Path) -> None:
        super().__init__(f"another `peerbot index` is building {index_dir}; wait for it to finish", index_dir=index_dir)


class SourceError(PeerbotError):
    """A community source cannot be read at all (a single bad record is reported, not raised)."""

    def __init__(
        self, message: str | None = None, *, source: str | None = None, path: Path | None = None, reason: str = ""
    ) -> None:
        self.source = source
        self.path = path
        self.reason = reason
        if message is None:
            named = f"source {source!r}: " if source is not None else ""
            message = f"{named}cannot open {path}" + (f" ({reason})" if reason else "")
        super().__init__(message)


class AdapterError(PeerbotError):
    """A chat adapter cannot start (missing token, refused token, unreachable platform)."""

    def __init__(
        self, message: str | None = None, *, adapter: str | None = None, env_vars: tuple[str, ...] = ()
    ) -> None:
        self.adapter = adapter
        self.env_vars = env_vars
        if message is None:
            who = adapter or "the adapter"
            message = f"{who} needs the environment variable(s) {', '.join(env_vars)}; set them and retry"
        super().__init__(message)


class UnknownAuthor(PeerbotError):
    """`peerbot forget` (or `--undo`) named an author peerbot keeps nothing of."""

    def __init__(self, author: str, reason: str) -> None:
        self.author = author
        super().__init__(f"{author!r}: {reason}")


class RewardsError(PeerbotError):
    """`peerbot rewards ...` was given a pool, file or member it cannot use."""

    def __init__(self, message: str, *, pool: str | None = None, file: Path | None = None) -> None:
        self.pool = pool
        self.file = file
        super().__init__(message)
