"""PUT/GET/DELETE /v1/users/{id}, POST /v1/users/{id}/answers: stored profiles, scoped to the caller's tenant."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Response

from personaguard.profile.profile import UserProfile
from personaguard.record import repos
from personaguard.record.db import session_scope
from personaguard.service.deps import AppState, CurrentTenant
from personaguard.service.json_body import SanitizingRoute
from personaguard.service.profiles import parse_self_description, validate_document
from personaguard.service.routes._responses import ERROR_RESPONSES
from personaguard.service.schemas import USER_ID_PATTERN, AnswerIn, UserOut

router = APIRouter(prefix="/v1/users", tags=["users"], responses=ERROR_RESPONSES, route_class=SanitizingRoute)

UserIdPath = Annotated[str, Path(pattern=USER_ID_PATTERN, description="The user's id within the tenant.")]
ProfileBody = Annotated[
    dict[str, Any],
    Body(description="UserProfile fields, e.g. {\"self_description\": \"I have hepatitis.\"}", examples=[{}]),
]


def _out(stored: repos.StoredProfile) -> UserOut:
    return UserOut(id=stored.user_id, profile=stored.document, updated_at=stored.updated_at)


@router.put(
    "/{user_id}",
    response_model=UserOut,
    responses={201: {"model": UserOut, "description": "Created."}},
    summary="Create or replace a user profile",
)
def put_user(user_id: UserIdPath, body: ProfileBody, state: AppState, tenant: CurrentTenant, response: Response) -> UserOut:
    """The body is validated as a UserProfile; 201 when created, 200 when replaced.

    A ``self_description`` without explicit ``vulnerabilities``/``age_band`` is parsed as the
    CLI does; the stored profile (returned) shows each parsed vulnerability with its evidence.
    """
    document = validate_document(user_id, parse_self_description(state.guard, user_id, body),
                                 taxonomy=state.guard.taxonomy)
    with session_scope(state.sessions) as session:
        stored = repos.put_profile(session, tenant_id=tenant.id, user_id=user_id, document=document)
    response.status_code = 201 if stored.is_new else 200
    return _out(stored)


@router.get("/{user_id}", response_model=UserOut, summary="Read a user profile")
def get_user(user_id: UserIdPath, state: AppState, tenant: CurrentTenant) -> UserOut:
    """404 for unknown ids and for other tenants' users alike."""
    with session_scope(state.sessions) as session:
        return _out(repos.get_profile(session, tenant_id=tenant.id, user_id=user_id))


@router.delete("/{user_id}", status_code=204, response_class=Response, summary="Delete a user profile")
def delete_user(user_id: UserIdPath, state: AppState, tenant: CurrentTenant) -> Response:
    """The user's feedback and decisions stay in the audit trail."""
    with session_scope(state.sessions) as session:
        repos.delete_profile(session, tenant_id=tenant.id, user_id=user_id)
    return Response(status_code=204)


@router.post("/{user_id}/answers", response_model=UserOut, summary="Remember the user's answer to a question")
def post_answer(user_id: UserIdPath, body: AnswerIn, state: AppState, tenant: CurrentTenant) -> UserOut:
    """A decision with outcome ``ask`` names an attribute; the answer is stored in the profile.

    Later checks use it: yes makes the vulnerability certain, no rules it out. 404 for an
    unknown user or vulnerability id.
    """
    vulnerability_id = body.attribute.split(":", 1)[1]
    guard = state.guard
    with session_scope(state.sessions) as session:
        stored = repos.get_profile(session, tenant_id=tenant.id, user_id=user_id)
        profile = UserProfile.model_validate(stored.document).answer(vulnerability_id, body.answer)
        profile.check_against(guard.taxonomy, guard.loaded_knowledge_base())
        stored = repos.put_profile(session, tenant_id=tenant.id, user_id=user_id,
                                   document=profile.model_dump(mode="json"))
    return _out(stored)
