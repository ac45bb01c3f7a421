"""Strict tenant isolation, endpoint by endpoint, and API-key authentication."""

from __future__ import annotations

import httpx
import pytest

AUTHENTICATED = [
    ("POST", "/v1/moderations", {"input": "hi"}),
    ("PUT", "/v1/users/u", {}),
    ("GET", "/v1/users/u", None),
    ("DELETE", "/v1/users/u", None),
    ("POST", "/v1/feedback", {"user": "u", "text": "t", "should": "allow"}),
    ("GET", "/v1/decisions", None),
]


@pytest.fixture
def owner_setup(live, tenant) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """Tenant A owns user 'secret-user', one decision and one feedback event."""
    with live.client(tenant.key) as a:
        assert a.put("/v1/users/secret-user", json={"self_description": "private"}).status_code == 201
        decision = a.post("/v1/moderations", json={"input": "hello", "user": "secret-user"}).json()
        assert a.post("/v1/feedback", json={"user": "secret-user", "text": "t", "should": "block"}).status_code == 201
    return {"decision_id": decision["results"][0]["decision_id"]}


def _same_404_as_missing(b: httpx.Client, method: str, path: str, missing_path: str, json: object) -> None:
    theirs = b.request(method, path, json=json)
    missing = b.request(method, missing_path, json=json)
    assert theirs.status_code == missing.status_code == 404, (theirs.text, missing.text)
    assert theirs.json()["code"] == missing.json()["code"]
    assert theirs.json()["message"].replace("secret-user", "X") == missing.json()["message"].replace("no-such", "X")


@pytest.mark.usefixtures("owner_setup")
def test_get_and_delete_of_another_tenants_user_are_404(live, tenant, other_tenant) -> None:  # type: ignore[no-untyped-def]
    with live.client(other_tenant.key) as b:
        _same_404_as_missing(b, "GET", "/v1/users/secret-user", "/v1/users/no-such", None)
        _same_404_as_missing(b, "DELETE", "/v1/users/secret-user", "/v1/users/no-such", None)
    with live.client(tenant.key) as a:
        assert a.get("/v1/users/secret-user").json()["profile"]["self_description"] == "private"


@pytest.mark.usefixtures("owner_setup")
def test_moderation_and_feedback_cannot_use_another_tenants_user(live, tenant, other_tenant) -> None:  # type: ignore[no-untyped-def]
    with live.client(other_tenant.key) as b:
        # User ids are the tenant's own: B's "secret-user" is a new user of B's, registered with
        # B's default policy; A's profile is never read.
        r = b.post("/v1/moderations", json={"input": "hi", "user": "secret-user"})
        assert r.status_code == 200, r.text
        assert r.json()["policy"] == {"source": "registered_user", "user": "secret-user", "vulnerabilities": []}
        assert b.get("/v1/users/secret-user").json()["profile"].get("self_description", "") == ""
        r = b.post("/v1/feedback", json={"user": "never-seen", "text": "t", "should": "allow"})
        assert r.status_code == 404, r.text
    with live.client(tenant.key) as a:
        assert a.get("/v1/users/secret-user").json()["profile"]["self_description"] == "private"


def test_put_of_the_same_id_makes_a_separate_profile(live, tenant, other_tenant, owner_setup) -> None:  # type: ignore[no-untyped-def]
    with live.client(other_tenant.key) as b:
        assert b.put("/v1/users/secret-user", json={"self_description": "mine"}).status_code == 201
        assert b.get("/v1/users/secret-user").json()["profile"]["self_description"] == "mine"
    with live.client(tenant.key) as a:
        assert a.get("/v1/users/secret-user").json()["profile"]["self_description"] == "private"


def test_decisions_are_visible_to_their_tenant_only(live, tenant, other_tenant, owner_setup) -> None:  # type: ignore[no-untyped-def]
    with live.client(other_tenant.key) as b:
        assert b.get("/v1/decisions").json()["decisions"] == []
        assert b.get("/v1/decisions", params={"user": "secret-user"}).json()["decisions"] == []
        own = b.post("/v1/moderations", json={"input": "x"}).json()["results"][0]["decision_id"]
        assert [d["id"] for d in b.get("/v1/decisions").json()["decisions"]] == [own]
    with live.client(tenant.key) as a:
        ids = [d["id"] for d in a.get("/v1/decisions").json()["decisions"]]
    assert ids == [owner_setup["decision_id"]]


@pytest.mark.parametrize(("method", "path", "body"), AUTHENTICATED)
@pytest.mark.parametrize("auth", [None, "Bearer wrong-key", "Bearer", "Basic dXNlcjpwYXNz", "pgk_no_scheme"])
def test_missing_or_wrong_key_is_401(live, method: str, path: str, body: object, auth: str | None) -> None:  # type: ignore[no-untyped-def]
    headers = {"Authorization": auth} if auth is not None else {}
    with live.client() as c:
        r = c.request(method, path, json=body, headers=headers)
    assert r.status_code == 401, (method, path, auth, r.text)
    assert r.json()["code"] == "unauthorized"
    assert r.headers["www-authenticate"] == "Bearer"
