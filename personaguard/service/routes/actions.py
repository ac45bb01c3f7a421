"""POST /v1/actions: an agent's tool call checked against the user's privacy persona."""

from __future__ import annotations

from fastapi import APIRouter, Response

from personaguard.service.actions import check_action
from personaguard.service.deps import AppState, CurrentTenant, RequestId
from personaguard.service.json_body import SanitizingRoute
from personaguard.service.routes._responses import ERROR_RESPONSES
from personaguard.service.schemas import ActionRequest, ActionResponse

router = APIRouter(prefix="/v1/actions", tags=["actions"], responses=ERROR_RESPONSES, route_class=SanitizingRoute)


@router.post("", response_model=ActionResponse, summary="Check an agent's tool call for a user: allow, confirm or block")
def create_action_check(body: ActionRequest, state: AppState, tenant: CurrentTenant, request_id: RequestId) -> Response:
    """Malformed actions answer 422 (``malformed_action``), oversized ones 413; every decision is audited."""
    result = check_action(state, tenant, body, request_id)
    return Response(result.model_dump_json(), media_type="application/json")
