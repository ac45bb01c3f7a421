"""Bad input: 413, 422 with the field path, 400 for non-UTF-8, and never a traceback."""

from __future__ import annotations

import json

import httpx
import pytest


def _no_traceback(r: httpx.Response) -> None:
    assert "Traceback" not in r.text and 'File "' not in r.text, r.text


def test_body_over_the_limit_is_413(api: httpx.Client, live) -> None:  # type: ignore[no-untyped-def]
    text = "a" * (live.settings.max_body_bytes + 10)
    r = api.post("/v1/moderations", json={"input": text})
    assert r.status_code == 413, r.text[:200]
    assert r.json()["code"] == "body_too_large"


def test_chunked_body_over_the_limit_is_413(api: httpx.Client, live) -> None:  # type: ignore[no-untyped-def]
    payload = json.dumps({"input": "b" * (live.settings.max_body_bytes + 10)}).encode()

    def chunks():  # type: ignore[no-untyped-def]
        for i in range(0, len(payload), 8192):
            yield payload[i : i + 8192]

    r = api.post("/v1/moderations", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413, r.text[:200]


def test_body_just_under_the_limit_is_accepted(api: httpx.Client, live) -> None:  # type: ignore[no-untyped-def]
    overhead = len(json.dumps({"input": ""}))
    r = api.post("/v1/moderations", json={"input": "word " * ((live.settings.max_body_bytes - overhead) // 5)})
    assert r.status_code == 200, r.text[:300]


@pytest.mark.parametrize(
    ("raw", "loc"),
    [
        (b'{"input": ', ["body", 10]),
        (b'{"input": 5}', ["body", "input", "str"]),
        (b'{"input": ["ok", 7]}', ["body", "input", "list[str]", 1]),
        (b'{"input": "x", "user": "a b"}', ["body", "user"]),
        (b'{"input": "x", "colour": "red"}', ["body", "colour"]),
        (b'{}', ["body", "input"]),
    ],
)
def test_malformed_json_is_422_with_the_field_path(api: httpx.Client, raw: bytes, loc: list[object]) -> None:
    r = api.post("/v1/moderations", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 422, (raw, r.text)
    assert r.json()["code"] == "validation_error"
    assert r.json()["loc"] == loc, (raw, r.json())
    _no_traceback(r)


@pytest.mark.parametrize(
    "body",
    [
        {"input": []},
        {"input": ["a"] * 257},
        {"input": "x", "user": "u", "user_profile": {}},
        {"input": ["a", "b"], "context": ["only one"]},
    ],
)
def test_inconsistent_requests_are_422(api: httpx.Client, body: dict[str, object]) -> None:
    r = api.post("/v1/moderations", json=body)
    assert r.status_code == 422, (body, r.text)
    assert r.json()["loc"] == ["body"]


@pytest.mark.parametrize("raw", [b'{"input": "caf\xe9"}', b"\xff\xfe{\x00}\x00", b'{"input": "\xc3\x28"}'])
@pytest.mark.parametrize("path", ["/v1/moderations", "/v1/feedback"])
def test_non_utf8_body_is_400(api: httpx.Client, raw: bytes, path: str) -> None:
    r = api.post(path, content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 400, (raw, r.text)
    assert r.json()["code"] == "bad_encoding"


def test_unknown_route_and_method_are_json_errors(api: httpx.Client) -> None:
    nf = api.get("/v1/nothing-here")
    assert nf.status_code == 404 and nf.json()["code"] == "not_found"
    na = api.patch("/v1/users/u", json={})
    assert na.status_code == 405 and na.json()["code"] == "method_not_allowed"


def test_every_response_carries_a_request_id(api: httpx.Client) -> None:
    ok = api.post("/v1/moderations", json={"input": "x"})
    bad = api.post("/v1/moderations", json={})
    assert len(ok.headers["x-request-id"]) == 32
    assert bad.json()["request_id"] == bad.headers["x-request-id"]
    assert ok.json()["id"] == "modr-" + ok.headers["x-request-id"]


def test_nul_bytes_are_stored_on_every_backend(api: httpx.Client) -> None:
    """PostgreSQL's text type refuses NUL: the stores keep U+FFFD, the request still succeeds."""
    r = api.post("/v1/moderations", json={"input": "hello\u0000 world", "user": "nul-user"})
    assert r.status_code == 200, r.text
    fb = api.post("/v1/feedback", json={"user": "nul-user", "text": "hi\u0000 there", "should": "allow",
                                        "context": "ctx\u0000", "event_id": "ev\u0000-1"})
    assert fb.status_code in (200, 201), fb.text
    act = api.post("/v1/actions", json={"action": {"tool": "send_email", "arguments": {"body": "a\u0000b"}}})
    assert act.status_code == 200, act.text
