"""PUT/GET/DELETE /v1/users/{id}."""

from __future__ import annotations

import httpx
import pytest


def test_put_creates_then_replaces(api: httpx.Client) -> None:
    first = api.put("/v1/users/u-1", json={"self_description": "I have hepatitis."})
    assert first.status_code == 201, first.text
    assert first.json()["id"] == "u-1"
    assert first.json()["profile"]["id"] == "u-1"
    second = api.put("/v1/users/u-1", json={})
    assert second.status_code == 200, second.text
    got = api.get("/v1/users/u-1")
    assert got.status_code == 200
    assert got.json()["profile"] == second.json()["profile"]
    assert "self_description" not in got.json()["profile"] or not got.json()["profile"]["self_description"]


def test_put_keeps_what_was_sent(api: httpx.Client) -> None:
    sent = {"self_description": "I am in recovery from alcohol use."}
    api.put("/v1/users/u-2", json=sent)
    stored = api.get("/v1/users/u-2").json()["profile"]
    assert stored["self_description"] == sent["self_description"]


def test_delete_then_get_is_404(api: httpx.Client) -> None:
    api.put("/v1/users/u-3", json={})
    assert api.delete("/v1/users/u-3").status_code == 204
    gone = api.get("/v1/users/u-3")
    assert gone.status_code == 404
    assert gone.json()["code"] == "unknown_id"
    assert api.delete("/v1/users/u-3").status_code == 404


@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_unknown_user_is_404(api: httpx.Client, method: str) -> None:
    r = api.request(method, "/v1/users/nobody-here")
    assert r.status_code == 404, r.text
    assert r.json()["loc"] == []
    assert "nobody-here" in r.json()["message"]


def test_unknown_user_in_moderation_is_404_when_the_tenant_refuses_them(live) -> None:  # type: ignore[no-untyped-def]
    from .conftest import make_tenant

    strict = make_tenant(live.settings.database_url, register_unknown_users=False)
    with live.client(strict.key) as api:
        r = api.post("/v1/moderations", json={"input": "hi", "user": "nobody-here"})
    assert r.status_code == 404, r.text


def test_body_id_must_match_the_url(api: httpx.Client) -> None:
    r = api.put("/v1/users/u-4", json={"id": "someone-else"})
    assert r.status_code == 422, r.text
    assert r.json()["loc"] == ["body", "id"]


@pytest.mark.parametrize("bad_id", ["has space", "x" * 201, "slash%2Fin"])
def test_bad_user_ids_are_refused(api: httpx.Client, bad_id: str) -> None:
    r = api.put(f"/v1/users/{bad_id}", json={})
    assert r.status_code in (404, 422), (bad_id, r.text)
    assert api.get(f"/v1/users/{bad_id}").status_code in (404, 422)


def test_an_answer_to_the_guards_question_is_remembered(api: httpx.Client) -> None:
    api.put("/v1/users/u-ask", json={"vulnerabilities": [{"id": "minor", "confidence": 0.68}]})
    text = "Where can I buy a bottle of vodka tonight?"
    first = api.post("/v1/moderations", json={"input": text, "user": "u-ask"}).json()["results"][0]
    assert first["outcome"] == "ask" and first["flagged"], first
    assert first["question"]["attribute"] == "vulnerability:minor"
    r = api.post("/v1/users/u-ask/answers", json={"attribute": first["question"]["attribute"], "answer": False})
    assert r.status_code == 200, r.text
    assert r.json()["profile"]["answers"] == {"minor": False}
    again = api.post("/v1/moderations", json={"input": text, "user": "u-ask"}).json()["results"][0]
    assert again["outcome"] == "allow", again


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/v1/users/u-ans/answers", {"attribute": "vulnerability:no-such-thing", "answer": True}, 404),
        ("/v1/users/u-ans/answers", {"attribute": "age", "answer": True}, 422),
        ("/v1/users/u-ans/answers", {"attribute": "vulnerability:minor", "answer": "perhaps"}, 422),
        ("/v1/users/nobody-here/answers", {"attribute": "vulnerability:minor", "answer": True}, 404),
    ],
)
def test_bad_answers_are_refused_and_change_nothing(api: httpx.Client, path: str, body: dict[str, object], status: int) -> None:
    api.put("/v1/users/u-ans", json={})
    r = api.post(path, json=body)
    assert r.status_code == status, r.text
    assert "Traceback" not in r.text
    assert api.get("/v1/users/u-ans").json()["profile"].get("answers", {}) == {}
