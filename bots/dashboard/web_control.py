"""The control room's routes (issue #18): the knowledge base browser and curation, the escalation inbox, the
audit log and the accounts page. Reading needs a viewer, changing a moderator, the accounts page an admin."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from peerbot.bots.dashboard.accounts import WHAT_ROLES_MAY
from peerbot.bots.dashboard.control import (
    INBOX_VIEWS,
    PAGE_SIZE,
    ActionRefused,
    ControlRoom,
    InboxRow,
    age_text,
    when,
)
from peerbot.bots.dashboard.convlog import OUTCOMES, ConversationLog, log_filter
from peerbot.bots.dashboard.forms import actor, viewer
from peerbot.bots.dashboard.names import NameBook, name_book
from peerbot.bots.dashboard.report import report_html
from peerbot.bots.dashboard.roi import Trend, Window, community_return
from peerbot.bots.dashboard.service import DashboardData
from peerbot.bots.digest import digest_numbers

Page = Callable[..., HTMLResponse]
ROI_MINUTES = 5  # the return page's figures may be this old
DONE = {
    "hidden": "hidden: the bot no longer serves it",
    "unhidden": "served again",
    "edited": "answer saved: the bot serves it from the next question",
    "restored": "the source's answer is served again",
    "assigned": "claimed: the ladder stops pinging",
    "answered": "answer recorded: the bot posts it in the asker's thread",
    "closed": "closed",
    "pinned": "pinned: the bot serves this reply for the thread from the next question",
    "unpinned": "unpinned: the thread's most trusted reply is served again",
    "approved": "approved: it is served (a learned thread from the bot's next timer tick)",
    "rejected": "rejected: it is never served",
}
CsrfField = Annotated[str, Form()]


def add_control_routes(app: FastAPI, data: DashboardData, page: Page) -> None:
    room = ControlRoom(data)
    log = ConversationLog(data)
    helpers: dict[str, Any] = {"age_text": age_text, "when": when, "page_size": PAGE_SIZE}

    def back(url: str, done: str) -> Response:
        """After a change: back to the page, which says what was done (one of DONE: no text of the URL's own)."""
        return RedirectResponse(f"{url}{'&' if '?' in url else '?'}done={done}", status_code=303)

    def inbox_names(rows: list[InboxRow]) -> NameBook:
        places = [(r.escalation.platform, r.escalation.channel, r.escalation.asker) for r in rows]
        return name_book(data.store, data.settings, places)

    # -- knowledge base -------------------------------------------------------------------------------------

    @app.get("/kb", response_class=HTMLResponse)
    def kb_list(request: Request, q: str = "", show: str = "all", page_no: int = 1) -> HTMLResponse:
        rows, total = room.entries(q, show, page_no)
        return page(
            request, "kb_list.html", rows=rows, total=total, q=q, show=show, page_no=page_no, kb=data.kb_summary(),
            error=data.knowledge.error, **helpers,
        )  # fmt: skip

    def entry_url(entry_id: str) -> str:
        return f"/kb/entry?id={quote(entry_id, safe='')}"

    @app.get("/kb/entry", response_class=HTMLResponse)
    def kb_entry(request: Request, id: str, done: str = "") -> HTMLResponse:
        row = room.entry(id)
        if row is None:
            raise HTTPException(404, f"There is no entry {id!r} in the serving index.")
        history = room.history(f"entry {id}")
        return page(request, "kb_entry.html", row=row, history=history, done=DONE.get(done), **helpers)

    @app.post("/kb/hide")
    def kb_hide(request: Request, id: CsrfField, csrf: CsrfField = "", hidden: CsrfField = "1") -> Response:
        me = actor(request, csrf, "moderator")
        _try(lambda: room.set_hidden(id, hidden == "1", me.name))
        return back(entry_url(id), "hidden" if hidden == "1" else "unhidden")

    @app.post("/kb/answer")
    def kb_answer(request: Request, id: CsrfField, answer: CsrfField = "", csrf: CsrfField = "") -> Response:
        me = actor(request, csrf, "moderator")
        saved = _try(lambda: room.edit_answer(id, answer, me.name))
        return back(entry_url(id), "edited" if saved.answer else "restored")

    @app.post("/kb/pin")
    def kb_pin(request: Request, id: CsrfField, reply: CsrfField = "", csrf: CsrfField = "") -> Response:
        me = actor(request, csrf, "moderator")
        saved = _try(lambda: room.pin(id, reply or None, me.name))
        return back(entry_url(id), "pinned" if saved.pinned_reply else "unpinned")

    # -- answers held for approval ----------------------------------------------------------------------------

    @app.get("/held", response_class=HTMLResponse)
    def held(request: Request, done: str = "") -> HTMLResponse:
        rows, total = room.held()
        on = data.settings.curation.approve_before_serving
        return page(request, "held.html", rows=rows, total=total, on=on, done=DONE.get(done), **helpers)

    @app.post("/held/decide")
    def held_decide(
        request: Request, kind: CsrfField, key: CsrfField, decision: CsrfField, csrf: CsrfField = ""
    ) -> Response:
        me = actor(request, csrf, "moderator")
        _try(lambda: room.decide(kind, key, decision == "approve", me.name))
        return back("/held", "approved" if decision == "approve" else "rejected")

    # -- escalation inbox -----------------------------------------------------------------------------------

    @app.get("/inbox", response_class=HTMLResponse)
    def inbox(request: Request, view: str = "waiting", page_no: int = 1) -> HTMLResponse:
        view = view if view in INBOX_VIEWS else "waiting"
        rows = room.inbox(view, page_no)
        return page(
            request, "inbox.html", rows=rows, view=view, views=list(INBOX_VIEWS), counts=room.counts(),
            page_no=page_no, names=inbox_names(rows), **helpers,
        )  # fmt: skip

    @app.get("/inbox/{escalation_id}", response_class=HTMLResponse)
    def inbox_item(request: Request, escalation_id: int, done: str = "") -> HTMLResponse:
        row = room.escalation(escalation_id)
        if row is None:
            raise HTTPException(404, f"There is no escalation #{escalation_id}.")
        history = room.history(f"escalation {escalation_id}")
        superusers = [(s.community_id, s.name) for s in data.settings.superusers]
        return page(
            request, "inbox_item.html", row=row, history=history, superusers=superusers, done=done,
            names=inbox_names([row]), **helpers,
        )  # fmt: skip

    @app.post("/inbox/{escalation_id}/assign")
    def inbox_assign(request: Request, escalation_id: int, superuser: CsrfField, csrf: CsrfField = "") -> Response:
        me = actor(request, csrf, "moderator")
        _try(lambda: room.assign(escalation_id, superuser, me.name))
        return back(f"/inbox/{escalation_id}", "assigned")

    @app.post("/inbox/{escalation_id}/answer")
    def inbox_answer(
        request: Request, escalation_id: int, answer: CsrfField, csrf: CsrfField = "", as_superuser: CsrfField = ""
    ) -> Response:
        me = actor(request, csrf, "moderator")
        _try(lambda: room.answer(escalation_id, answer, me.name, as_superuser or None))
        return back(f"/inbox/{escalation_id}", "answered")

    @app.post("/inbox/{escalation_id}/close")
    def inbox_close(request: Request, escalation_id: int, csrf: CsrfField = "") -> Response:
        me = actor(request, csrf, "moderator")
        _try(lambda: room.close(escalation_id, me.name))
        return back(f"/inbox/{escalation_id}", "closed")

    # -- conversation log -----------------------------------------------------------------------------------

    @app.get("/log", response_class=HTMLResponse)
    def conversation_log(
        request: Request,
        platform: str = "",
        channel: str = "",
        outcome: str = "",
        asker: str = "",
        since: str = "",
        until: str = "",
        page_no: int = 1,
    ) -> HTMLResponse:
        filters = log_filter(platform, channel, outcome, asker, since, until)
        rows, total = log.page(filters, page_no)
        form = {"platform": platform, "channel": channel, "outcome": outcome, "asker": asker, "since": since,
                "until": until}  # fmt: skip
        return page(
            request, "log.html", rows=rows, total=total, form=form, choices=log.choices(), outcomes=OUTCOMES,
            page_no=page_no, query=urlencode({k: v for k, v in form.items() if v}), who=log.name,
            names=log.book(rows), channel_options=log.channel_options(), **helpers,
        )  # fmt: skip

    @app.get("/log/{question_id}", response_class=HTMLResponse)
    def conversation(request: Request, question_id: int) -> HTMLResponse:
        found = log.one(question_id)
        if found is None:
            raise HTTPException(404, f"There is no question #{question_id}.")
        row, now = found
        return page(request, "log_item.html", row=row, now=now, who=log.name, names=log.book([row]), **helpers)

    # -- the return on the community ------------------------------------------------------------------------

    computed: dict[datetime, tuple[list[Trend], Window]] = {}

    def roi_context() -> dict[str, Any]:
        """Complete days change once a day and today's figures are partial: computed at most every 5 minutes."""
        now = data.clock()
        key = now.replace(minute=now.minute - now.minute % ROI_MINUTES, second=0, microsecond=0)
        if key not in computed:
            computed.clear()
            computed[key] = community_return(data.store, data.settings, now)
        trends, today = computed[key]
        return {"trends": trends, "today": today, "costs": data.settings.dashboard, "now": now, **helpers}

    @app.get("/roi", response_class=HTMLResponse)
    def roi(request: Request) -> HTMLResponse:
        return page(request, "roi.html", **roi_context())

    reports: dict[datetime, str] = {}

    @app.get("/roi/report.html", response_class=HTMLResponse)
    def roi_report() -> HTMLResponse:
        """The weekly digest's numbers (and the month's) as one self-contained page to download, print or forward."""
        now = data.clock()
        key = now.replace(minute=now.minute - now.minute % ROI_MINUTES, second=0, microsecond=0)
        if key not in reports:
            numbers = digest_numbers(data.store, data.settings, now, data.gap_embedder)
            reports.clear()
            reports[key] = report_html(numbers, data.settings)
        disposition = f'attachment; filename="community-return-{now:%Y-%m-%d}.html"'
        return HTMLResponse(reports[key], headers={"Content-Disposition": disposition})

    # -- audit log and accounts -----------------------------------------------------------------------------

    @app.get("/audit", response_class=HTMLResponse)
    def audit(request: Request, page_no: int = 1) -> HTMLResponse:
        return page(request, "audit.html", entries=room.audit(page_no), page_no=page_no, **helpers)

    @app.get("/admins", response_class=HTMLResponse)
    def admins(request: Request) -> HTMLResponse:
        viewer(request, "admin")
        accounts = data.store.admin_accounts()
        return page(request, "admins.html", accounts=accounts, roles=WHAT_ROLES_MAY, **helpers)


def _try(change: Callable[[], Any]) -> Any:
    try:
        return change()
    except ActionRefused as exc:
        raise HTTPException(409, str(exc)) from exc
