"""The peerbot exception family: every message names what to fix."""


class PeerbotError(Exception):
    """Base class of every error peerbot raises on purpose."""


class ConfigError(PeerbotError):
    """config.toml or an environment variable is missing or wrong."""


class IndexError_(PeerbotError):
    """The on-disk index is missing, corrupt, or was built with another model."""


class SourceError(PeerbotError):
    """A community source cannot be read at all (a single bad record is reported, not raised)."""


class AdapterError(PeerbotError):
    """A chat adapter cannot start (missing token, missing library)."""
