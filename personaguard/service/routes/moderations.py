"""POST /v1/moderations: the OpenAI moderation shape, personalized."""

from __future__ import annotations

from fastapi import APIRouter, Response

from personaguard.service.deps import AppState, CurrentTenant, RequestId
from personaguard.service.moderation import moderate
from personaguard.service.json_body import SanitizingRoute
from personaguard.service.routes._responses import ERROR_RESPONSES
from personaguard.service.schemas import ModerationRequest, ModerationResponse

router = APIRouter(prefix="/v1/moderations", tags=["moderations"], responses=ERROR_RESPONSES, route_class=SanitizingRoute)


@router.post("", response_model=ModerationResponse, summary="Classify one or more texts for a user")
def create_moderation(
    body: ModerationRequest, state: AppState, tenant: CurrentTenant, request_id: RequestId
) -> Response:
    """Every result is also appended to the tenant's audit log (`GET /v1/decisions`)."""
    # Serialized here: the model is built by our own code, so FastAPI's second validation pass
    # against response_model would only cost time on the hottest route.
    result = moderate(state, tenant, body, request_id)
    return Response(result.model_dump_json(), media_type="application/json")
