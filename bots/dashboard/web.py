"""The FastAPI app: server-rendered pages behind a login (named accounts with roles, or the setup token), CSV
exports, the FAQ form; the control room's pages are web_control.py's. Every form carries a CSRF token."""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from peerbot.bots.dashboard.auth import COOKIE, LOGIN_COOKIE, TokenAuth
from peerbot.bots.dashboard.csv_export import to_csv
from peerbot.bots.dashboard.faq import append_entry, faq_target
from peerbot.bots.dashboard.forms import actor
from peerbot.bots.dashboard.names import name_book
from peerbot.bots.dashboard.roi import minutes_text
from peerbot.bots.dashboard.service import DashboardData
from peerbot.bots.dashboard.web_control import add_control_routes

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
OPEN_PATHS = frozenset({"/login"})
PAGE_TEXT_LIMIT = 2000  # characters of a question a page embeds (a link, a form field); exports keep it all


TEMPLATES.env.filters["minutes"] = minutes_text
TEMPLATES.env.filters["pct"] = lambda v: f"{v:.0%}"
TEMPLATES.env.filters["clip"] = lambda v: str(v)[:PAGE_TEXT_LIMIT]


def _safe_next(target: str | None) -> str:
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


class RequireToken(BaseHTTPMiddleware):
    """Nothing but the login form without the token: pages redirect to it, everything else gets 401."""

    def __init__(self, app: Any, auth: TokenAuth) -> None:
        super().__init__(app)
        self.auth = auth

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        if request.url.path in OPEN_PATHS:
            return await call_next(request)
        identity = self.auth.identify(request.headers.get("authorization"), request.cookies.get(COOKIE))
        if identity is not None:
            request.state.identity = identity
            return await call_next(request)
        wants_page = request.method == "GET" and "text/html" in request.headers.get("accept", "")
        if wants_page and not request.url.path.startswith("/export"):
            target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
            return RedirectResponse(f"/login?next={target}", status_code=303)
        return PlainTextResponse("login required", status_code=401, headers={"WWW-Authenticate": "Bearer"})


def create_app(data: DashboardData, auth: TokenAuth) -> FastAPI:
    app = FastAPI(title="peerbot dashboard", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(RequireToken, auth=auth)
    community = data.settings.community.name

    @app.exception_handler(HTTPException)
    def refused(_: Request, exc: HTTPException) -> Response:
        return PlainTextResponse(str(exc.detail), status_code=exc.status_code)

    def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        me = getattr(request.state, "identity", None)
        values = {"community": community, "me": me, "csrf": me.csrf if me else "", **context}
        return TEMPLATES.TemplateResponse(request, name, values, status_code=status)

    def login_page(request: Request, next: str, error: str | None, status: int = 200) -> HTMLResponse:
        token = secrets.token_urlsafe(24)
        response = page(request, "login.html", status, next=_safe_next(next), error=error, login_csrf=token)
        secure = request.url.scheme == "https"
        response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict", path="/login", secure=secure)
        return response

    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request, next: str = "/") -> HTMLResponse:
        return login_page(request, next, None)

    @app.post("/login", response_class=HTMLResponse, response_model=None)
    def login(
        request: Request,
        name: Annotated[str, Form()] = "",
        password: Annotated[str, Form()] = "",
        token: Annotated[str, Form()] = "",
        csrf: Annotated[str, Form()] = "",
        next: Annotated[str, Form()] = "/",
    ) -> Response:
        expected = request.cookies.get(LOGIN_COOKIE, "")
        if not (expected and csrf and hmac.compare_digest(csrf.encode(), expected.encode())):
            return login_page(request, next, "The login form expired: please try again.", 403)
        identity = auth.login(name, password or token)
        if identity is None:
            error = "That name or password is not right." if name.strip() else "That token is not right."
            return login_page(request, next, error, 401)
        response = RedirectResponse(_safe_next(next), status_code=303)
        response.delete_cookie(LOGIN_COOKIE, path="/login")
        response.set_cookie(
            COOKIE,
            auth.sessions.start(identity.name, identity.role),
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            max_age=int(auth.sessions.lifetime.total_seconds()),
        )
        return response

    @app.post("/logout")
    def logout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
        actor(request, csrf, "viewer")
        auth.sessions.end(request.cookies.get(COOKIE))  # the id is revoked on the server, not only forgotten
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    @app.get("/", response_class=HTMLResponse)
    def overview(request: Request, days: int = 30) -> HTMLResponse:
        shown = data.overview(days)
        names = name_book(data.store, data.settings, ((p, c, None) for p, c, _ in shown["channels"]))
        return page(request, "overview.html", tables=data.table_names(), names=names, **shown)

    @app.get("/search", response_class=HTMLResponse)
    def search(request: Request, q: str = "") -> HTMLResponse:
        result = data.search(q)
        return page(request, "search.html", q=q, result=result, kb=data.kb_summary(), error=data.knowledge.error)

    @app.get("/faq/new", response_class=HTMLResponse)
    def faq_form(request: Request, question: str = "") -> HTMLResponse:
        target = faq_target(data.settings)
        return page(request, "faq.html", question=question[:PAGE_TEXT_LIMIT], target=target, saved=False, error=None)

    @app.post("/faq", response_class=HTMLResponse)
    def faq_add(
        request: Request,
        question: Annotated[str, Form()] = "",
        answer: Annotated[str, Form()] = "",
        author: Annotated[str, Form()] = "",
        csrf: Annotated[str, Form()] = "",
    ) -> HTMLResponse:
        me = actor(request, csrf, "moderator")
        target = faq_target(data.settings)
        if target is None:
            return page(request, "faq.html", 409, question=question, target=None, saved=False, error=None)
        try:
            append_entry(target[1], question, answer, author or "Community team")
        except (ValueError, OSError) as exc:
            return page(request, "faq.html", 400, question=question, target=target, saved=False, error=str(exc))
        data.store.audit(me.name, "add FAQ entry", f"faq {target[0]}", None, {"question": question, "answer": answer})
        return page(request, "faq.html", question=question, target=target, saved=True, error=None)

    @app.get("/export/{name}.csv")
    def export(name: str, days: int = 0) -> Response:
        table = data.table(name, days)
        if table is None:
            return PlainTextResponse(f"no table {name!r}; known: {', '.join(data.table_names())}", status_code=404)
        header, rows = table
        return Response(
            to_csv(header, rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )

    add_control_routes(app, data, page)
    return app
