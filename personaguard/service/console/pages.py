"""The operators' console under /console: server-rendered pages, forms with CSRF tokens.

Every page is scoped to the signed-in tenant through the same repository functions the API
uses (they all take ``tenant_id``), so one tenant never reaches another's users or decisions.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path as FilePath
from typing import Annotated, Any
from urllib.parse import quote

import yaml
from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from personaguard.actions.kinds import DataType, RecipientKind
from personaguard.decide.policy import DecisionPolicy, check_policy_against
from personaguard.errors import PersonaguardError, UnknownIdError
from personaguard.record import repos
from personaguard.record.db import session_scope
from personaguard.service.console.sessions import COOKIE, LOGIN_COOKIE, ConsoleSession, SessionCodec
from personaguard.service.console.views import REVIEW_EVENT_PREFIX, category_rows, needs_review
from personaguard.service.deps import AppState, ServiceState
from personaguard.service.moderation import give_feedback
from personaguard.service.monitor_window import monitor_snapshot
from personaguard.service.profiles import parse_self_description, to_profile, validate_document, with_tenant_defaults
from personaguard.service.schemas import USER_ID_PATTERN, FeedbackIn

__all__ = ["BadCsrf", "NeedsSignIn", "router"]

TEMPLATES = Jinja2Templates(directory=str(FilePath(__file__).parent / "templates"))
router = APIRouter(prefix="/console", include_in_schema=False)
#: Audit-log row ids as the API takes them (BIGINT on PostgreSQL, INTEGER on SQLite).
DecisionId = Annotated[int, Path(ge=1, le=2**62)]
#: User ids as the API takes them; prefixes of them in the users search.
UserId = Annotated[str, Path(pattern=USER_ID_PATTERN)]
UserFilter = Annotated[str, Query(max_length=200, pattern=r"^[A-Za-z0-9._:@\-]*$")]
_PAGE = 50
_REVIEW_SCAN = 2000
_OUTCOMES = ("allow", "warn", "block", "ask", "confirm")


class NeedsSignIn(Exception):
    """No valid session: the app answers with a redirect to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class BadCsrf(Exception):
    """A form without the session's CSRF token: refused with 403."""


def _codec(state: ServiceState) -> SessionCodec:
    codec: SessionCodec = state.console
    return codec


def _signed_in(request: Request, state: AppState) -> tuple[ConsoleSession, repos.TenantInfo]:
    session = _codec(state).read(request.cookies.get(COOKIE))
    if session is None:
        raise NeedsSignIn(request.url.path)
    try:
        with session_scope(state.sessions) as db:
            tenant = repos.tenant_by_id(db, tenant_id=session.tenant_id)
    except UnknownIdError as exc:
        raise NeedsSignIn(request.url.path) from exc
    return session, tenant


SignedIn = Annotated[tuple[ConsoleSession, repos.TenantInfo], Depends(_signed_in)]


def _check_csrf(session: ConsoleSession, token: str | None) -> None:
    if not SessionCodec.same_token(token, session.csrf):
        raise BadCsrf()


def _page(request: Request, name: str, who: tuple[ConsoleSession, repos.TenantInfo] | None, status: int = 200,
          **context: Any) -> HTMLResponse:
    session, tenant = who if who is not None else (None, None)
    return TEMPLATES.TemplateResponse(
        request, name, {"session": session, "tenant": tenant, "csrf": session.csrf if session else "", **context},
        status_code=status,
    )


# -- sign-in ------------------------------------------------------------------------------------
@router.get("", response_class=HTMLResponse)
def home() -> Response:
    return RedirectResponse("/console/decisions", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/console/decisions", error: str = "") -> Response:
    token = SessionCodec.new_login_token()
    response = _page(request, "login.html", None, next=_safe_next(next), error=error, login_token=token)
    response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict", path="/console", max_age=900)
    return response


def _safe_next(path: str) -> str:
    return path if path.startswith("/console") and "//" not in path and "\\" not in path else "/console/decisions"


@router.post("/login")
def login(
    request: Request, state: AppState, api_key: Annotated[str, Form(max_length=200)] = "",
    login_token: Annotated[str, Form(max_length=200)] = "", next: Annotated[str, Form(max_length=500)] = "/console/decisions",
) -> Response:
    if not SessionCodec.same_token(login_token, request.cookies.get(LOGIN_COOKIE) or ""):
        raise BadCsrf()
    try:
        with session_scope(state.sessions) as db:
            tenant = repos.tenant_for_key(db, api_key=api_key.strip())
    except UnknownIdError:
        return RedirectResponse(f"/console/login?error=wrong+API+key&next={quote(_safe_next(next))}", status_code=303)
    cookie, _ = _codec(state).issue(tenant.id)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(COOKIE, cookie, httponly=True, samesite="strict", path="/console",
                        max_age=_codec(state).ttl_s, secure=state.settings.console_secure_cookie)
    response.delete_cookie(LOGIN_COOKIE, path="/console")
    return response


@router.post("/logout")
def logout(who: SignedIn, state: AppState, csrf: Annotated[str, Form(max_length=200)] = "") -> Response:
    _check_csrf(who[0], csrf)
    _codec(state).revoke(who[0])
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(COOKIE, path="/console")
    return response


# -- decisions ----------------------------------------------------------------------------------
@router.get("/decisions", response_class=HTMLResponse)
def decisions(
    request: Request, who: SignedIn, state: AppState, outcome: str = "", user: UserFilter = "", category: str = "",
    q: Annotated[str, Query(max_length=500)] = "", hours: str = "", before: str = "",
) -> Response:
    tenant = who[1]
    outcomes = [outcome] if outcome in _OUTCOMES else []
    since = datetime.now(UTC) - timedelta(hours=float(hours)) if _is_number(hours) else None
    before_id = int(before) if before.isdigit() and len(before) <= 18 else None
    user_id = user.strip() or None
    with session_scope(state.sessions) as db:
        rows = repos.list_decisions(db, tenant_id=tenant.id, user_id=user_id, limit=_PAGE if not category else 500,
                                    before_id=before_id, outcomes=outcomes, text_contains=q.replace("\x00", "").strip() or None, since=since)
    if category:
        rows = [r for r in rows if any(c.id == category and c.outcome not in ("allow", "") for c in category_rows(r))][:_PAGE]
    next_before = rows[-1].id if len(rows) == _PAGE else None
    return _page(request, "decisions.html", who, rows=rows, next_before=next_before, outcomes=_OUTCOMES,
                 categories=state.guard.taxonomy.ids, f={"outcome": outcome, "user": user, "category": category,
                                                         "q": q, "hours": hours})


def _is_number(text: str) -> bool:
    try:
        return 0 < float(text) < 1e6
    except ValueError:
        return False


def _not_found(request: Request, who: Any, exc: UnknownIdError) -> Response:
    return _page(request, "error.html", who, status=404, title="Not found", message=str(exc))


@router.get("/decisions/{decision_id}", response_class=HTMLResponse)
def decision(request: Request, decision_id: DecisionId, who: SignedIn, state: AppState) -> Response:
    try:
        with session_scope(state.sessions) as db:
            record = repos.get_decision(db, tenant_id=who[1].id, decision_id=decision_id)
    except UnknownIdError as exc:
        return _not_found(request, who, exc)
    return _page(request, "decision.html", who, d=record, rows=category_rows(record), why=needs_review(record))


# -- review -------------------------------------------------------------------------------------
@router.get("/review", response_class=HTMLResponse)
def review(request: Request, who: SignedIn, state: AppState) -> Response:
    tenant = who[1]
    with session_scope(state.sessions) as db:
        recent = repos.list_decisions(db, tenant_id=tenant.id, limit=_REVIEW_SCAN)
        done = repos.feedback_event_ids(db, tenant_id=tenant.id, prefix=REVIEW_EVENT_PREFIX)
    queue = [(r, why) for r in recent if f"{REVIEW_EVENT_PREFIX}{r.id}" not in done and (why := needs_review(r))]
    return _page(request, "review.html", who, queue=queue[:_PAGE], total=len(queue), scanned=len(recent))


@router.post("/decisions/{decision_id}/feedback", response_class=HTMLResponse)
def feedback(
    request: Request, decision_id: DecisionId, who: SignedIn, state: AppState,
    should: Annotated[str, Form(pattern="^(allow|block)$")], csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    _check_csrf(who[0], csrf)
    tenant = who[1]
    try:
        with session_scope(state.sessions) as db:
            record = repos.get_decision(db, tenant_id=tenant.id, decision_id=decision_id)
    except UnknownIdError as exc:
        return _not_found(request, who, exc)
    problem = None
    if record.text is None:
        problem = "this tenant keeps text hashes only, and the learner needs the text"
    elif record.user_id is None:
        problem = "the decision was for no user, and feedback is about one user's policy"
    if problem is not None:
        return _page(request, "reviewed.html", who, status=409, d=record, result=None, problem=problem)
    result = give_feedback(state, tenant, FeedbackIn(
        user=record.user_id, text=record.text, should=should, source="moderator",  # type: ignore[arg-type]
        event_id=f"{REVIEW_EVENT_PREFIX}{record.id}",
    ))
    return _page(request, "reviewed.html", who, d=record, result=result, problem=None)


# -- users --------------------------------------------------------------------------------------
@router.get("/users", response_class=HTMLResponse)
def users(request: Request, who: SignedIn, state: AppState, prefix: UserFilter = "", after: UserFilter = "") -> Response:
    with session_scope(state.sessions) as db:
        rows = repos.list_profiles(db, tenant_id=who[1].id, prefix=prefix.strip(), limit=_PAGE, after=after or None)
    return _page(request, "users.html", who, rows=rows, prefix=prefix,
                 next_after=rows[-1].user_id if len(rows) == _PAGE else None)


def _user_context(state: ServiceState, stored: repos.StoredProfile) -> dict[str, Any]:
    profile = to_profile(stored.document, taxonomy=state.guard.taxonomy)
    return {"stored": stored, "profile": profile, "taxonomy": state.guard.taxonomy, "data_types": list(DataType),
            "recipient_kinds": [k.value for k in RecipientKind]}


@router.get("/users/{user_id}", response_class=HTMLResponse)
def user_page(request: Request, user_id: UserId, who: SignedIn, state: AppState, saved: str = "") -> Response:
    try:
        with session_scope(state.sessions) as db:
            stored = repos.get_profile(db, tenant_id=who[1].id, user_id=user_id)
    except UnknownIdError as exc:
        return _not_found(request, who, exc)
    return _page(request, "user.html", who, saved=bool(saved), error="", **_user_context(state, stored))


@router.post("/users/{user_id}", response_class=HTMLResponse)
async def save_user(request: Request, user_id: UserId, who: SignedIn, state: AppState) -> Response:
    form = await request.form()
    _check_csrf(who[0], _field(form, "csrf"))
    tenant = who[1]
    from fastapi.concurrency import run_in_threadpool

    return await run_in_threadpool(_save_user, request, user_id, who, state, tenant, form)


def _field(form: Any, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _contacts_from_form(text: str) -> dict[str, str] | str:
    """``address or name = kind`` lines as a contacts map, or the message naming the bad line."""
    kinds = {k.value for k in RecipientKind}
    out: dict[str, str] = {}
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        who, sep, kind = line.rpartition("=")
        if not sep or not who.strip() or kind.strip() not in kinds:
            return f"contacts line {n}: write 'address or name = kind', kind one of {', '.join(sorted(kinds))}"
        out[who.strip()] = kind.strip()
    return out


def _settings_from_form(form: Any, category_ids: list[str]) -> dict[str, str]:
    """The per-category selects of a profile or tenant form: allow / warn / block, or nothing."""
    return {cid: a for cid in category_ids if (a := _field(form, f"setting:{cid}")) in ("allow", "warn", "block")}


def _custom_from_form(form: Any, existing: Any) -> list[dict[str, Any]]:
    """Custom categories after a form: the one named in it added or replaced, the ticked ones removed."""
    customs = [c for c in existing if isinstance(c, dict)] if isinstance(existing, list) else []
    name = _field(form, "custom_name").strip()
    if name:
        customs = [c for c in customs if c.get("name") != name]
        customs.append({"name": name, "description": _field(form, "custom_description").strip(),
                        "examples": [e.strip() for e in _field(form, "custom_examples").splitlines() if e.strip()],
                        "action": _field(form, "custom_action") or "block"})
    dropped = {v for k, v in form.multi_items() if k == "remove_custom" and isinstance(v, str)}
    return [c for c in customs if c.get("name") not in dropped]


def _save_user(request: Request, user_id: str, who: Any, state: ServiceState, tenant: repos.TenantInfo, form: Any) -> Response:
    try:
        with session_scope(state.sessions) as db:
            stored = repos.get_profile(db, tenant_id=tenant.id, user_id=user_id)
    except UnknownIdError as exc:
        return _not_found(request, who, exc)
    document = dict(stored.document)
    description = _field(form, "self_description").strip()
    if description != document.get("self_description", ""):
        document = {k: v for k, v in document.items() if k not in ("vulnerabilities", "age_band", "privacy", "privacy_settings")}
        document["self_description"] = description
    document["settings"] = _settings_from_form(form, state.guard.taxonomy.ids)
    privacy = _field(form, "privacy")
    # The select always sends a value: only a change of it is the operator's choice; otherwise a
    # new self-description may set the persona ("I'm a very private person").
    if privacy in ("privacy-first", "balanced", "utility-first") and privacy != (stored.document.get("privacy") or "balanced"):
        document["privacy"] = privacy
    document["custom_categories"] = _custom_from_form(form, document.get("custom_categories"))
    chosen = {dt.value: a for dt in DataType if (a := _field(form, f"privacy:{dt.value}")) in ("allow", "confirm", "block")}
    if chosen or "privacy_settings" in document:
        document["privacy_settings"] = chosen
    contacts = _contacts_from_form(_field(form, "contacts"))
    if isinstance(contacts, str):
        return _page(request, "user.html", who, status=422, saved=False, error=contacts, **_user_context(state, stored))
    document["contacts"] = contacts
    try:
        document = validate_document(user_id, parse_self_description(state.guard, user_id, document),
                                     taxonomy=state.guard.taxonomy)
    except (PersonaguardError, ValidationError, ValueError) as exc:
        return _page(request, "user.html", who, status=422, saved=False, error=str(exc), **_user_context(state, stored))
    with session_scope(state.sessions) as db:
        repos.put_profile(db, tenant_id=tenant.id, user_id=user_id, document=document)
    return RedirectResponse(f"/console/users/{quote(user_id)}?saved=1", status_code=303)


# -- policy -------------------------------------------------------------------------------------
@router.get("/policy", response_class=HTMLResponse)
def policy(request: Request, who: SignedIn, state: AppState) -> Response:
    return _policy_page(request, who, state)


def _policy_page(request: Request, who: Any, state: ServiceState, *, status: int = 200, error: str = "",
                 saved: bool = False, preview: Any = None, text: str = "", user: str = "", policy_text: str | None = None) -> Response:
    tenant = who[1]
    current = tenant.policy if tenant.policy is not None else state.guard.decision_policy.model_dump(mode="json")
    policy = DecisionPolicy.model_validate(current)
    return _page(request, "policy.html", who, status=status, error=error, saved=saved, preview=preview,
                 text=text, user=user, taxonomy=state.guard.taxonomy, is_default=tenant.policy is None, policy=policy,
                 policy_text=policy_text if policy_text is not None else yaml.safe_dump(current, sort_keys=False))


@router.post("/policy", response_class=HTMLResponse)
def save_policy(
    request: Request, who: SignedIn, state: AppState, policy_yaml: Annotated[str, Form(max_length=100_000)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    _check_csrf(who[0], csrf)
    try:
        data = yaml.safe_load(policy_yaml) if policy_yaml.strip() else None
        document = None if data is None else _checked_policy(data, state)
    except (yaml.YAMLError, ValidationError, PersonaguardError) as exc:
        return _policy_page(request, who, state, status=422, error=str(exc), policy_text=policy_yaml)
    return _store_policy(request, who, state, document)


def _checked_policy(data: Any, state: ServiceState) -> dict[str, Any]:
    policy = DecisionPolicy.model_validate(data)
    check_policy_against(policy, state.guard.taxonomy)
    document: dict[str, Any] = policy.model_dump(mode="json", exclude_defaults=False)
    return document


def _store_policy(request: Request, who: Any, state: ServiceState, document: dict[str, Any] | None) -> Response:
    with session_scope(state.sessions) as db:
        tenant = repos.set_tenant_policy_by_id(db, tenant_id=who[1].id, policy=document)
    state.tenant_cache.clear()
    return _policy_page(request, (who[0], tenant), state, saved=True)


@router.post("/policy/defaults", response_class=HTMLResponse)
async def save_tenant_defaults(request: Request, who: SignedIn, state: AppState) -> Response:
    """The form view of the policy: tenant-wide category settings and custom categories."""
    form = await request.form()
    _check_csrf(who[0], _field(form, "csrf"))
    current = who[1].policy if who[1].policy is not None else state.guard.decision_policy.model_dump(mode="json")
    document = dict(current)
    document["settings"] = _settings_from_form(form, state.guard.taxonomy.ids)
    document["custom_categories"] = _custom_from_form(form, document.get("custom_categories"))
    try:
        checked = _checked_policy(document, state)
    except (ValidationError, PersonaguardError) as exc:
        return _policy_page(request, who, state, status=422, error=str(exc))
    return _store_policy(request, who, state, checked)


@router.post("/policy/preview", response_class=HTMLResponse)
def preview(
    request: Request, who: SignedIn, state: AppState, text: Annotated[str, Form(max_length=20_000)] = "",
    user: Annotated[str, Form(max_length=200)] = "", csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    _check_csrf(who[0], csrf)
    tenant = who[1]
    kwargs: dict[str, Any] = {}
    if tenant.policy is not None:
        kwargs["decision_policy"] = DecisionPolicy.model_validate(tenant.policy)
    error = ""
    decision = None
    try:
        if user.strip():
            import re

            if not re.match(USER_ID_PATTERN, user.strip()):
                raise UnknownIdError("user", user.strip())
            with session_scope(state.sessions) as db:
                stored = repos.get_profile(db, tenant_id=tenant.id, user_id=user.strip())
            kwargs["user"] = to_profile(stored.document, taxonomy=state.guard.taxonomy)
        if tenant.policy is not None:
            merged = with_tenant_defaults(kwargs.get("user"), kwargs["decision_policy"])
            if merged is not None:
                kwargs["user"] = merged
        if not text.strip():
            raise ValueError("type a text to see how it would be decided")
        decision = state.guard.check_batch([text], **kwargs)[0]
    except (PersonaguardError, ValueError) as exc:
        error = str(exc)
    return _policy_page(request, who, state, status=200 if decision else 422, error=error, preview=decision,
                        text=text, user=user)


# -- monitoring ---------------------------------------------------------------------------------
@router.get("/monitor", response_class=HTMLResponse)
def monitor(request: Request, who: SignedIn, state: AppState, estimate: str = "") -> Response:
    live, reference = state.windows.snapshot(who[1].id)
    counts: dict[str, int] = {}
    for _, d in live:
        counts[d.outcome.value] = counts.get(d.outcome.value, 0) + 1
    # The estimate embeds every text of the window (seconds): computed when asked for, not on every visit.
    snapshot = monitor_snapshot(state, who[1]) if estimate else None
    return _page(request, "monitor.html", who, n=len(live), size=state.windows.size, counts=counts,
                 reference_n=len(reference or []), snapshot=snapshot)
