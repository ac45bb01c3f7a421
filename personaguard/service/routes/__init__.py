"""One router per resource; ``ROUTERS`` is the one list the app includes."""

from __future__ import annotations

from fastapi import APIRouter

from personaguard.service.routes import actions, decisions, feedback, health, moderations, monitor, users

__all__ = ["ROUTERS"]

ROUTERS: tuple[APIRouter, ...] = (
    moderations.router,
    actions.router,
    users.router,
    feedback.router,
    decisions.router,
    monitor.router,
    health.router,
)
