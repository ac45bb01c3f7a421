"""POST /v1/feedback: stored durably and visible to the tenant only."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from personaguard.record.db import make_engine, make_sessions, session_scope
from personaguard.record.tables import Feedback


def _stored(database_url: str, tenant_id: str) -> list[Feedback]:
    engine = make_engine(database_url, pool_size=1)
    try:
        with session_scope(make_sessions(engine)) as session:
            return list(session.scalars(select(Feedback).where(Feedback.tenant_id == tenant_id).order_by(Feedback.id)))
    finally:
        engine.dispose()


@pytest.mark.parametrize("should", ["allow", "block"])
def test_feedback_is_acknowledged_and_stored(api: httpx.Client, live, tenant, should: str) -> None:  # type: ignore[no-untyped-def]
    api.put("/v1/users/fb-user", json={})
    r = api.post("/v1/feedback", json={"user": "fb-user", "text": "some text", "should": should, "event_id": "e1"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["should"] == should and body["user"] == "fb-user"
    rows = _stored(live.settings.database_url, tenant.id)
    assert [(x.id, x.text, x.should, x.client_event_id) for x in rows] == [(body["id"], "some text", should, "e1")]


def test_feedback_for_unknown_user_is_404_and_not_stored(api: httpx.Client, live, tenant) -> None:  # type: ignore[no-untyped-def]
    r = api.post("/v1/feedback", json={"user": "ghost", "text": "t", "should": "allow"})
    assert r.status_code == 404, r.text
    assert _stored(live.settings.database_url, tenant.id) == []


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"user": "u", "text": "t", "should": "maybe"}, ["body", "should"]),
        ({"user": "u", "should": "allow"}, ["body", "text"]),
        ({"user": "u", "text": "t", "should": "allow", "source": "robot"}, ["body", "source"]),
        ({"user": "u", "text": "t", "should": "allow", "surprise": 1}, ["body", "surprise"]),
    ],
)
def test_bad_feedback_is_422_with_the_field_path(api: httpx.Client, body: dict[str, object], loc: list[str]) -> None:
    r = api.post("/v1/feedback", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["loc"] == loc, r.json()
