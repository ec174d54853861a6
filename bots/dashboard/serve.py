"""`peerbot dashboard`: the app on uvicorn, reading the bot's own state store and index."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from peerbot.bots import app as wiring
from peerbot.bots.config import Settings
from peerbot.bots.dashboard import TOKEN_ENV
from peerbot.bots.dashboard.auth import TokenAuth, token_from_env
from peerbot.bots.extras import require_extra


def serve(
    settings: Settings, host: str = "127.0.0.1", port: int = 8080, on_ready: Callable[[str], object] | None = None
) -> None:
    token = token_from_env(required=False)  # a short one is refused before anything loads
    require_extra("dashboard", "the dashboard")
    import uvicorn

    from peerbot.bots.dashboard.accounts import Accounts
    from peerbot.bots.dashboard.service import DashboardData
    from peerbot.bots.dashboard.web import create_app

    store = wiring.open_store(settings)
    if token is None and not store.admin_accounts():
        store.close()
        token_from_env(required=True)  # refuses to start: no way to log in; the error says both ways
    auth = TokenAuth(token, lifetime=timedelta(hours=settings.dashboard.session_hours), accounts=Accounts(store))
    data = DashboardData(settings, wiring.open_embedder(settings), store)
    data.knowledge.current()
    if on_ready is not None:
        on_ready(f"peerbot dashboard on http://{host}:{port}/ (log in with an account or ${TOKEN_ENV})")
    try:
        uvicorn.run(create_app(data, auth), host=host, port=port, log_level="warning")
    finally:
        data.store.close()
