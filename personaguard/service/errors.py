"""One table maps errors to HTTP answers; bodies are ``{code, message, loc}``, never a traceback."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from personaguard.errors import (
    ConfigError,
    InputTooLargeError,
    InvalidInputError,
    NotFittedError,
    UnsupportedInputError,
    PersonaguardError,
    ScoringError,
    StoreError,
    StoreUnavailableError,
    UnknownIdError,
)

__all__ = ["AuthError", "STATUS_BY_ERROR", "error_response", "install_error_handlers"]

log = logging.getLogger(__name__)


class AuthError(PersonaguardError):
    """Missing or wrong API key (401)."""

    code = "unauthorized"


#: The one table from our exception tree to HTTP status; the most specific class wins.
STATUS_BY_ERROR: dict[type[PersonaguardError], int] = {
    AuthError: 401,
    UnknownIdError: 404,
    InputTooLargeError: 413,
    ConfigError: 422,
    InvalidInputError: 422,
    UnsupportedInputError: 422,
    NotFittedError: 503,
    StoreUnavailableError: 503,
    StoreError: 500,
    ScoringError: 500,
    PersonaguardError: 500,
}


def _request_id(request: Request) -> str | None:
    return getattr(request.state, "request_id", None)


def error_response(
    status: int,
    code: str,
    message: str,
    *,
    loc: list[str | int] | None = None,
    request_id: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """The JSON error body every failure uses."""
    body: dict[str, Any] = {"code": code, "message": message, "loc": loc or [], "request_id": request_id}
    return JSONResponse(body, status_code=status, headers=headers)


def _status_for(exc: PersonaguardError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 500


def install_error_handlers(app: FastAPI, *, retry_after_s: int) -> None:
    """Register the handlers on ``app``."""

    async def on_personaguard(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, PersonaguardError)
        status = _status_for(exc)
        headers: dict[str, str] = {}
        if status == 503:
            headers["Retry-After"] = str(retry_after_s)
            log.warning("503 %s: %s", exc.code, exc.message)
        if status >= 500 and status != 503:
            # The client gets the code and the request id; the log keeps the cause's traceback.
            log.error("%d %s in request %s: %s", status, exc.code, _request_id(request), exc.message, exc_info=exc)
        if status == 401:
            headers["WWW-Authenticate"] = "Bearer"
        if status == 404 and isinstance(exc, UnknownIdError):
            # The same answer whether the id is missing or belongs to another tenant.
            message = f"unknown {exc.kind} id {exc.id!r}"
        else:
            message = exc.message
        loc = [str(p) if not isinstance(p, int) else p for p in getattr(exc, "loc", ())]
        return error_response(status, exc.code, message, loc=loc, request_id=_request_id(request), headers=headers)

    async def on_request_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return _validation_body(request, exc.errors())

    async def on_model_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ValidationError)
        return _validation_body(request, exc.errors(), prefix=["body"])

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return error_response(exc.status_code, code, str(exc.detail), request_id=_request_id(request))

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        rid = _request_id(request)
        log.error("unexpected error in request %s", rid, exc_info=exc)
        return error_response(500, "internal_error", f"internal error; quote request id {rid}", request_id=rid)

    app.add_exception_handler(PersonaguardError, on_personaguard)
    app.add_exception_handler(RequestValidationError, on_request_validation)
    app.add_exception_handler(ValidationError, on_model_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_unexpected)


def _validation_body(request: Request, errors: Any, prefix: list[str | int] | None = None) -> JSONResponse:
    # For a union (str or list of str) pydantic reports one error per branch; the deepest
    # location is the one that points at the offending item.
    first = max(errors, key=lambda e: len(e.get("loc", ()))) if errors else {"loc": (), "msg": "invalid request"}
    loc = [*(prefix or []), *first.get("loc", ())]
    where = ".".join(str(p) for p in loc)
    message = f"{first.get('msg', 'invalid value')}" + (f" (at {where})" if where else "")
    body = {
        "code": "validation_error",
        "message": message,
        "loc": loc,
        "request_id": _request_id(request),
        "errors": [
            {"loc": [*(prefix or []), *e.get("loc", ())], "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in errors
        ],
    }
    return JSONResponse(body, status_code=422)
