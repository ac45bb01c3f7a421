"""POST /v1/actions on a real uvicorn: personas from stored profiles, typed errors, audit rows."""

from __future__ import annotations

import json

import httpx
import pytest

LEAK = {"type": "function", "id": "call_1",
        "function": {"name": "send_email", "arguments": json.dumps({"to": "hr@acme-corp.com", "body": "I was diagnosed with bipolar disorder."})}}


def test_the_stored_persona_decides(api: httpx.Client) -> None:
    api.put("/v1/users/careful", json={"self_description": "I'm a very private person."})
    api.put("/v1/users/casual", json={"privacy": "utility-first"})
    friend = {"tool": "send_email", "arguments": {"to": "jess.w@gmail.com", "body": "I was diagnosed with bipolar disorder."}}
    careful = api.post("/v1/actions", json={"action": friend, "user": "careful"})
    casual = api.post("/v1/actions", json={"action": friend, "user": "casual"})
    assert careful.status_code == 200, careful.text
    assert careful.json()["outcome"] == "confirm" and careful.json()["persona"] == "privacy-first"
    assert careful.json()["question"]
    assert casual.json()["outcome"] == "allow" and casual.json()["persona"] == "utility-first"
    assert careful.json()["policy"]["source"] == "stored_profile"


def test_every_decision_is_audited(api: httpx.Client) -> None:
    r = api.post("/v1/actions", json={"action": LEAK, "user_profile": {"id": "inline", "privacy": "balanced"}})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["outcome"] == "confirm" and body["id"].startswith("act-")
    listed = api.get("/v1/decisions", params={"limit": 50})
    assert listed.status_code == 200, listed.text
    rows = listed.json()
    row = next(d for d in rows["decisions"] if d["id"] == body["decision_id"])
    assert row["outcome"] == "confirm"
    assert any(k.startswith("privacy:health->employer") for k in row["risks"])


def test_trajectory_is_read(api: httpx.Client) -> None:
    trajectory = [{"tool": "read_file", "arguments": {"path": "scan_0042.pdf"}},
                  {"observation": "HIV test: positive.", "tool": "read_file"}]
    draft = {"tool": "draft_email", "arguments": {"to": "partner@data-brokers.io", "attachments": ["scan_0042.pdf"]}}
    r = api.post("/v1/actions", json={"action": draft, "trajectory": trajectory})
    assert r.status_code == 200, r.text
    assert r.json()["outcome"] == "confirm"
    assert r.json()["trajectory"]["state"] == "draft|1"


@pytest.mark.parametrize(
    ("action", "status", "code"),
    [
        ({"type": "function", "function": {"name": "send_email", "arguments": "{bad"}}, 422, "malformed_action"),
        ({"what": "is this"}, 422, "malformed_action"),
        ({"tool": "send_email", "arguments": [1, 2]}, 422, "malformed_action"),
        (42, 422, "validation_error"),
    ],
)
def test_malformed_actions_get_typed_errors(api: httpx.Client, action: object, status: int, code: str) -> None:
    r = api.post("/v1/actions", json={"action": action})
    assert r.status_code == status, r.text
    assert r.json()["code"] == code
    assert "Traceback" not in r.text


def test_huge_and_broken_bodies(api: httpx.Client) -> None:
    big = api.post("/v1/actions", json={"action": {"tool": "send_email", "arguments": {"body": "x" * 200_000}}})
    assert big.status_code == 413, big.text
    broken = api.post("/v1/actions", content=b'{"action": ', headers={"content-type": "application/json"})
    assert broken.status_code in (400, 422), broken.text
    both = api.post("/v1/actions", json={"action": LEAK, "user": "a", "user_profile": {"id": "a"}})
    assert both.status_code == 422


def test_actions_need_a_key(live) -> None:  # type: ignore[no-untyped-def]
    with live.client() as anon:
        assert anon.post("/v1/actions", json={"action": LEAK}).status_code == 401
