"""Error responses every authenticated route documents (so the OpenAPI schema is honest)."""

from __future__ import annotations

from typing import Any

from personaguard.service.schemas import ErrorBody

__all__ = ["ERROR_RESPONSES"]

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "Body is not UTF-8."},
    401: {"model": ErrorBody, "description": "Missing or wrong API key."},
    404: {"model": ErrorBody, "description": "Unknown id (or another tenant's)."},
    413: {"model": ErrorBody, "description": "Body over the size limit."},
    422: {"model": ErrorBody, "description": "Invalid request; `loc` is the bad field's path."},
    503: {"model": ErrorBody, "description": "Database unreachable; retry after Retry-After seconds."},
}
