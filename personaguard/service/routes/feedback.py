"""POST /v1/feedback: durable feedback events, fed to the trust-region learner when present."""

from __future__ import annotations

from fastapi import APIRouter

from personaguard.service.deps import AppState, CurrentTenant
from personaguard.service.moderation import give_feedback
from personaguard.service.json_body import SanitizingRoute
from personaguard.service.routes._responses import ERROR_RESPONSES
from personaguard.service.schemas import FeedbackIn, FeedbackOut

router = APIRouter(prefix="/v1/feedback", tags=["feedback"], responses=ERROR_RESPONSES, route_class=SanitizingRoute)


@router.post("", response_model=FeedbackOut, status_code=201, summary="Report what a verdict should have been")
def post_feedback(body: FeedbackIn, state: AppState, tenant: CurrentTenant) -> FeedbackOut:
    """A 201 means the event is committed to the database."""
    return give_feedback(state, tenant, body)
