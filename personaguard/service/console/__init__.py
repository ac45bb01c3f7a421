"""The operators' console: decisions, review queue, users, policy and monitoring under /console.

Server-rendered (Jinja2), usable without JavaScript; sign-in exchanges a tenant's API key for a
signed session cookie, and every form carries a CSRF token (docs/console.md).
"""

from __future__ import annotations

import secrets
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from personaguard.service.console.pages import TEMPLATES, BadCsrf, NeedsSignIn, router
from personaguard.service.console.sessions import SessionCodec
from personaguard.service.settings import Settings

__all__ = ["console_codec", "install_console"]


def console_codec(settings: Settings) -> SessionCodec:
    """The session codec: signed with ``console_secret``, or a random key for this process."""
    secret = settings.console_secret.get_secret_value().encode() if settings.console_secret else secrets.token_bytes(32)
    return SessionCodec(secret, ttl_s=settings.console_session_s)


def install_console(app: FastAPI) -> None:
    """Mount the console's pages, its stylesheet and its two error answers on ``app``."""
    app.include_router(router)
    app.mount("/console/static", StaticFiles(directory=str(Path(__file__).parent / "static")), name="console-static")

    @app.exception_handler(NeedsSignIn)
    async def _sign_in(request: Request, exc: NeedsSignIn) -> Response:
        if request.method == "GET":
            return RedirectResponse(f"/console/login?next={quote(exc.next_path)}", status_code=303)
        return HTMLResponse("<p>Your session has ended. <a href='/console/login'>Sign in</a> again.</p>", status_code=401)

    @app.exception_handler(BadCsrf)
    async def _bad_csrf(request: Request, exc: BadCsrf) -> Response:
        return TEMPLATES.TemplateResponse(
            request, "error.html",
            {"session": None, "tenant": None, "csrf": "", "title": "Form expired",
             "message": "This form's security token is missing or wrong. Reload the page and try again."},
            status_code=403,
        )
