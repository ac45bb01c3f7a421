"""POST /v1/moderations: the OpenAI moderation shape, personalized."""

from __future__ import annotations

from fastapi import APIRouter

from personaguard.service.deps import AppState, CurrentTenant, RequestId
from personaguard.service.moderation import moderate
from personaguard.service.routes._responses import ERROR_RESPONSES
from personaguard.service.schemas import ModerationRequest, ModerationResponse

router = APIRouter(prefix="/v1/moderations", tags=["moderations"], responses=ERROR_RESPONSES)


@router.post("", response_model=ModerationResponse, summary="Classify one or more texts for a user")
def create_moderation(
    body: ModerationRequest, state: AppState, tenant: CurrentTenant, request_id: RequestId
) -> ModerationResponse:
    """Every result is also appended to the tenant's audit log (`GET /v1/decisions`)."""
    return moderate(state, tenant, body, request_id)
