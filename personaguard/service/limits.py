"""ASGI middleware at the edge: request ids, the body-size limit (413) and UTF-8 bodies (400).

It reads the body before FastAPI does, so an oversized or non-UTF-8 body is refused before any
JSON parsing or handler code runs.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["EdgeMiddleware"]

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class EdgeMiddleware:
    """Assign a request id, cap the body at ``max_body_bytes`` and require UTF-8."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        if scope["method"] not in _BODY_METHODS:
            await self.app(scope, receive, send_with_id)
            return
        body, problem = await self._read_body(scope, receive)
        if problem is not None:
            await _send_error(send_with_id, *problem, request_id=request_id)
            return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send_with_id)

    async def _read_body(self, scope: Scope, receive: Receive) -> tuple[bytes, tuple[int, str, str] | None]:
        too_large = (413, "body_too_large", f"request body is over the {self.max_body_bytes}-byte limit")
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.max_body_bytes:
                return b"", too_large
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                return b"", too_large
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as exc:
            return b"", (400, "bad_encoding", f"request body is not valid UTF-8 (byte {exc.start}); send UTF-8 JSON")
        return body, None


async def _send_error(send: Send, status: int, code: str, message: str, *, request_id: str) -> None:
    payload: dict[str, Any] = {"code": code, "message": message, "loc": [], "request_id": request_id}
    raw = json.dumps(payload).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode())]
    if status == 413:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": raw})
