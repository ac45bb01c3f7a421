"""`personaguard serve`: run the HTTP service under uvicorn."""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the ``serve`` command."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "serve", help="run the HTTP service", description="Serve /v1/moderations, users, feedback and decisions."
    )
    p.add_argument("--host", default=None, help="interface (default 127.0.0.1, or PERSONAGUARD_HOST)")
    p.add_argument("--port", type=int, default=None, help="TCP port (default 8000, or PERSONAGUARD_PORT)")
    p.add_argument("--database-url", default=None,
                   help="sqlite:///file.db or postgresql://... (default PERSONAGUARD_DATABASE_URL or sqlite:///personaguard.db)")
    p.add_argument("--max-body-bytes", type=int, default=None, help="larger bodies get 413 (default 1000000)")
    p.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    import uvicorn

    from personaguard.service.app import create_app
    from personaguard.service.settings import Settings

    overrides = {
        "host": args.host, "port": args.port, "database_url": args.database_url, "max_body_bytes": args.max_body_bytes,
    }
    settings = Settings(**{k: v for k, v in overrides.items() if v is not None})
    app = create_app(settings)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level=args.log_level, access_log=False)
    return 0
