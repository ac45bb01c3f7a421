"""JSON bodies made valid Unicode before any schema or handler sees them.

A JSON string may carry a lone surrogate escape (``"\\ud800"``). ``json.loads`` accepts it and
returns a Python ``str`` that cannot be encoded as UTF-8: stored in a profile, echoed in a
response or written to the audit log, it fails later and far from the cause. Every string of
every body (keys included) goes through the normalize stage's rule at the edge instead:
invalid code points become U+FFFD (``personaguard.normalize.unicode``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from personaguard.normalize.unicode import replace_invalid_code_points

__all__ = ["SanitizingRoute", "sanitize_json"]


def sanitize_json(value: Any) -> Any:
    """``value`` with every string (dict keys too) made valid Unicode; other values unchanged.

    Examples
    --------
    >>> sanitize_json({"input": ["ok", "bad \\ud800"], "n": 3}) == {"input": ["ok", "bad \\ufffd"], "n": 3}
    True
    """
    if isinstance(value, str):
        return replace_invalid_code_points(value)
    if isinstance(value, list):
        return [sanitize_json(v) for v in value]
    if isinstance(value, dict):
        return {replace_invalid_code_points(k): sanitize_json(v) for k, v in value.items()}
    return value


class _SanitizingRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = sanitize_json(json.loads(await self.body()))
        return self._json


class SanitizingRoute(APIRoute):
    """An APIRoute whose handlers read JSON bodies through :func:`sanitize_json`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def sanitized(request: Request) -> Response:
            return await handler(_SanitizingRequest(request.scope, request.receive))

        return sanitized
