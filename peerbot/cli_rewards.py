"""`peerbot rewards`: import voucher codes, show what is left, revoke a club membership."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from peerbot.bots import app as wiring
from peerbot.bots.config import Settings
from peerbot.bots.rewards import Rewards, check_pool, read_codes
from peerbot.errors import RewardsError

rewards_app = typer.Typer(help="Rewards: voucher pools and the club.", no_args_is_help=True)
out = Console(soft_wrap=True)


def _settings() -> Settings:
    from peerbot.cli import _settings as settings

    return settings()


@rewards_app.command("import")
def import_codes(
    pool: Annotated[str, typer.Argument(help="the pool's name, as in [[rewards]] pool")],
    path: Annotated[Path, typer.Argument(help="CSV file: one code per row (first column)")],
) -> None:
    """Load single-use voucher codes into a pool; members waiting for one get it on the bot's next round."""
    settings = _settings()
    check_pool(settings, pool)
    codes = read_codes(path)
    store = wiring.open_store(settings)
    try:
        added, skipped = store.import_codes(pool, codes)
        (stock,) = store.stock([pool])
    finally:
        store.close()
    again = f", {skipped} already imported (skipped)" if skipped else ""
    waiting = f"; {stock.waiting} member(s) waiting get theirs on the bot's next round" if stock.waiting else ""
    typer.echo(f"Imported {added} codes into {pool!r}{again}: {stock.left} left{waiting}.")


@rewards_app.command("stock")
def stock() -> None:
    """Codes left per pool, and the members waiting for one."""
    settings = _settings()
    store = wiring.open_store(settings)
    try:
        rows = store.stock(Rewards.from_settings(store, settings).pools)
    finally:
        store.close()
    if not rows:
        typer.echo('No voucher pools: add a [[rewards]] tier with kind = "voucher" and a pool.')
        return
    table = Table(title="Voucher pools")
    for column in ("pool", "left", "handed out", "imported", "members waiting"):
        table.add_column(column)
    for row in rows:
        table.add_row(row.pool, str(row.left), str(row.total - row.left), str(row.total), str(row.waiting))
    if not out.is_terminal:
        out.width = 200
    out.print(table)


@rewards_app.command("revoke")
def revoke(member: Annotated[str, typer.Argument(help="the superuser's community id or name")]) -> None:
    """End a member's club membership; the running bot removes the role / user group on its next round."""
    settings = _settings()
    store = wiring.open_store(settings)
    try:
        rewards = Rewards.from_settings(store, settings)
        who = rewards.find(member)
        if who is None:
            raise RewardsError(f"there is no superuser {member!r} (give their community id or name)")
        revoked = rewards.revoke(who.community_id)
    finally:
        store.close()
    if not revoked:
        raise RewardsError(f"{who.name} has no club membership to revoke")
    typer.echo(f"Revoked {', '.join(g.tier for g in revoked)} for {who.name}: the bot removes them from the club.")
