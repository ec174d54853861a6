"""A real PostgreSQL for tests: initdb + pg_ctl in a temporary directory, listening on 127.0.0.1 only.

One server per test process (started on first use, stopped at exit); every test gets a fresh database.
Tests skip, naming what to install, only when the server binaries are absent. initdb refuses to run as
root, so as root the server runs as the `postgres` user (Debian's package creates it) or `nobody`.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

SEARCH = [Path(p) for p in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)]
INSTALL_HINT = "PostgreSQL server binaries not found: apt-get install -y postgresql (Debian's PostgreSQL 15)"


def find_bin_dir() -> Path | None:
    """The folder holding initdb and pg_ctl: $PEERBOT_PG_BIN, PATH, then /usr/lib/postgresql/*/bin."""
    configured = os.environ.get("PEERBOT_PG_BIN")
    candidates = [Path(configured)] if configured else []
    on_path = shutil.which("initdb")
    candidates += [Path(on_path).parent] if on_path else []
    candidates += SEARCH
    return next((d for d in candidates if (d / "initdb").exists() and (d / "pg_ctl").exists()), None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run_as() -> str | None:
    """The unprivileged user to run the server as, when we are root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise RuntimeError("running as root and neither a postgres nor a nobody user exists for initdb")


@dataclass
class PostgresServer:
    bin_dir: Path
    root: Path
    port: int
    user: str | None
    _names: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def data(self) -> Path:
        return self.root / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://peerbot@127.0.0.1:{self.port}/{database}"

    def _cmd(self, *args: str) -> subprocess.CompletedProcess[str]:
        prefix = ["runuser", "-u", self.user, "--"] if self.user else []
        return subprocess.run([*prefix, *args], capture_output=True, text=True, timeout=120, check=True)

    def start(self) -> None:
        self.data.mkdir()
        if self.user:
            entry = pwd.getpwnam(self.user)
            for path in (self.root, self.data):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        self._cmd(
            str(self.bin_dir / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "peerbot",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        )
        options = f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories='' -c fsync=off"
        options += " -c max_connections=200"
        log = str(self.root / "server.log")
        self._cmd(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-l", log, "-o", options, "-w", "start")

    def stop(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            self._cmd(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def new_database(self) -> str:
        """A fresh, empty database; returns its SQLAlchemy URL."""
        import psycopg

        name = f"t{os.getpid()}_{next(self._names)}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=peerbot dbname=postgres", autocommit=True) as c:
            c.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


_server: PostgresServer | None = None


def server() -> PostgresServer:
    """The test process's PostgreSQL, started on first use; skips the test when it cannot exist here."""
    global _server
    if _server is not None:
        return _server
    bin_dir = find_bin_dir()
    if bin_dir is None:
        pytest.skip(INSTALL_HINT)
    root = Path(tempfile.mkdtemp(prefix="peerbot-pg-"))
    started = PostgresServer(bin_dir, root, free_port(), _run_as())
    try:
        started.start()
    except subprocess.CalledProcessError as exc:
        started.stop()
        raise RuntimeError(f"PostgreSQL did not start: {exc.stderr or exc.stdout}") from exc
    atexit.register(started.stop)
    _server = started
    return started


def database_url(backend: str, tmp_path: Path) -> str:
    """A fresh, empty state store URL on either backend: a SQLite file, or a new PostgreSQL database."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'state.db'}"
    return server().new_database()


BACKENDS = ["sqlite", "postgresql"]
