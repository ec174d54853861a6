"""`peerbot admins add|list|remove`: the dashboard's named accounts (issue #18)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Annotated

import typer

from peerbot.bots import app as wiring
from peerbot.bots.config import Settings
from peerbot.errors import ConfigError

admins_app = typer.Typer(help="Dashboard accounts (viewer, moderator, admin).", no_args_is_help=True)


def register(app: typer.Typer, settings_of: Callable[[], Settings]) -> None:
    """Add the `admins` commands to the CLI; `settings_of()` reads config.toml (only when a command runs)."""

    @admins_app.command("add")
    def add(
        name: Annotated[str, typer.Argument(help="the login name")],
        role: Annotated[str, typer.Option(help="viewer, moderator or admin")] = "viewer",
        password_stdin: Annotated[
            bool, typer.Option("--password-stdin", help="read the password from the first line of stdin")
        ] = False,
    ) -> None:
        """Create a dashboard account; asks for the password twice (hashed with argon2id, never stored)."""
        from peerbot.bots.dashboard.accounts import ROLES, Accounts

        if role not in ROLES:
            raise ConfigError(f"--role {role!r}: use one of {', '.join(ROLES)}")
        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        store = wiring.open_store(settings_of())
        try:
            Accounts(store).add(name, role, password)
        finally:
            store.close()
        typer.echo(f"Added {role} {name}: they log in to `peerbot dashboard` with this name and password.")

    @admins_app.command("list")
    def list_() -> None:
        """The accounts and their roles."""
        store = wiring.open_store(settings_of())
        try:
            accounts = store.admin_accounts()
        finally:
            store.close()
        if not accounts:
            typer.echo("No dashboard accounts yet: peerbot admins add NAME --role admin")
        for a in accounts:
            typer.echo(f"{a.name}\t{a.role}\t{a.created_at:%Y-%m-%d %H:%M}")

    @admins_app.command("remove")
    def remove(name: Annotated[str, typer.Argument(help="the login name")]) -> None:
        """Delete an account: its sessions end at their next request."""
        from peerbot.bots.dashboard.accounts import Accounts

        store = wiring.open_store(settings_of())
        try:
            Accounts(store).remove(name)
        finally:
            store.close()
        typer.echo(f"Removed {name}.")

    app.add_typer(admins_app, name="admins")
