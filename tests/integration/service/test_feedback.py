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


def test_elastic_region_widens_with_consistent_feedback_and_persists(api: httpx.Client) -> None:
    # The packaged scorer blocks this insult as harassment for a default user; three consistent
    # "should allow" events double harassment's loosening bound each time (0.01 * 2**n).
    text = "You are a fucking idiot and everyone hates you."
    api.put("/v1/users/elastic-user", json={})
    assert api.post("/v1/moderations", json={"input": text, "user": "elastic-user"}).json()["results"][0]["flagged"]
    widened = []
    for i in range(3):
        body = api.post("/v1/feedback", json={"user": "elastic-user", "text": text, "should": "allow"}).json()
        assert body["is_learned"] and body["kl"] <= body["delta"] + 1e-12, body
        widened.append(body["bounds"].get("harassment"))
    assert widened == [0.02, 0.04, 0.08]
    learned = api.get("/v1/users/elastic-user").json()["profile"]["learned"]
    assert learned["regions"]["harassment"]["support"] == 3.0
    assert [e["bounds"].get("harassment") for e in learned["events"]] == widened
    # One contradiction cancels two units of support: the bound falls back to 0.01 * 2**1.
    body = api.post("/v1/feedback", json={"user": "elastic-user", "text": text, "should": "block"}).json()
    assert body["bounds"].get("harassment") == 0.02, body
    assert api.get("/v1/users/elastic-user").json()["profile"]["learned"]["regions"]["harassment"]["oppose"] == 1.0
