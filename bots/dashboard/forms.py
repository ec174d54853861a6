"""Who may send a form: the session's CSRF token must come back with it, and the account needs the role."""

from __future__ import annotations

import hmac

from fastapi import HTTPException, Request

from peerbot.bots.dashboard.auth import Identity


def viewer(request: Request, role: str = "viewer") -> Identity:
    """Who asks for this page; 403 when the account's role is below `role`."""
    me: Identity = request.state.identity
    if not me.may(role):
        raise HTTPException(403, f"{me.name} is a {me.role}: this needs a {role} account.")
    return me


def actor(request: Request, csrf: str, role: str) -> Identity:
    """The person making this change (for the audit log); 403 for a form from elsewhere or a lesser role."""
    me = viewer(request, "viewer")
    if not me.bearer and not (csrf and hmac.compare_digest(csrf.encode(), me.csrf.encode())):
        raise HTTPException(403, "This form was not sent from this dashboard session (CSRF check): reload the page.")
    return viewer(request, role)
