"""The two HTTP endpoints around the app: trade a ticket for the session cookie, clear it.

Mounted by app.py through `st.App(routes=...)`. Paths end in kura/session and kura/logout
under any prefix, so the page can call them relative to its own address behind a proxy
or a server.baseUrlPath.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from web.tickets import TICKETS, Grant, Tickets

COOKIE = "kura_session"
MAX_TICKET_LENGTH = 100


def routes(tickets: Tickets = TICKETS) -> list[Route]:
    async def session(request: Request) -> Response:
        if not _same_origin(request):
            return Response(status_code=403)
        grant = await _redeemed(request, tickets)
        if grant is None or not grant.session:  # a logout's ticket opens nothing
            return Response(status_code=403)
        response = _no_store(204)
        attributes = _attributes(request, always_secure=grant.secure)
        response.set_cookie(COOKIE, grant.session, max_age=grant.max_age, **attributes)
        return response

    async def logout(request: Request) -> Response:
        """Clears the cookie with the attributes it was set with: the page's ticket says
        whether it is always Secure (SESSION_COOKIE_SECURE); without one it still clears."""
        if not _same_origin(request):
            return Response(status_code=403)
        grant = await _redeemed(request, tickets)
        response = _no_store(204)
        secure = bool(grant and grant.secure)
        response.delete_cookie(COOKIE, **_attributes(request, always_secure=secure))
        return response

    return [
        Route("/{prefix:path}kura/session", session, methods=["POST"]),
        Route("/{prefix:path}kura/logout", logout, methods=["POST"]),
    ]


async def _redeemed(request: Request, tickets: Tickets) -> Grant | None:
    """The grant of the ticket the page posted, once; None for a bad or spent one."""
    body = await request.body()
    return tickets.redeem(body[:MAX_TICKET_LENGTH].decode("ascii", "replace").strip())


def _attributes(request: Request, *, always_secure: bool = False) -> dict:
    """HttpOnly (no script reads it), SameSite=Strict, Secure under https (or always, behind
    a TLS proxy that does not say so), the whole app."""
    secure = always_secure or _https(request)
    return {"path": "/", "httponly": True, "samesite": "strict", "secure": secure}


def _https(request: Request) -> bool:
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"


def _same_origin(request: Request) -> bool:
    """Browsers say where a request comes from; another site may not set or clear ours."""
    return request.headers.get("sec-fetch-site", "same-origin") == "same-origin"


def _no_store(status: int) -> Response:
    return Response(status_code=status, headers={"Cache-Control": "no-store"})
