"""Alembic environment. `StateStore` passes its open connection in `config.attributes["connection"]`;
from the command line (`alembic -c bots/migrations/alembic.ini revision --autogenerate -m ...`) the URL is
`-x url=...`, else `DATABASE_URL`."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import create_engine

from peerbot.bots.state import Base, engine_url

config = context.config
connection = config.attributes.get("connection")
if connection is not None:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    url = context.get_x_argument(as_dictionary=True).get("url") or os.environ.get("DATABASE_URL")
    if not url:
        raise SystemExit("give the database: alembic -x url=sqlite:///.peerbot/peerbot.db ... (or DATABASE_URL)")
    with create_engine(engine_url(url)).begin() as conn:
        context.configure(connection=conn, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
