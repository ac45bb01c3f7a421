"""The HTTP API under hostile bodies: no 5xx, a typed error body, and no effect on other requests.

Hypothesis draws bodies with lone surrogates, noncharacters, RTL overrides, combining marks,
long runs, wrong types and huge or nested values; schemathesis's generated requests get the same
strings in every string field. Fixed seed, bounded examples (PERSONAGUARD_FUZZ_EXAMPLES).
While the fuzzing runs, another tenant sends ordinary requests, and every one must succeed.
"""

from __future__ import annotations

import json
import os
import threading
from urllib.parse import quote
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nasty_text import nasty_text
from personaguard.service.app import create_app
from personaguard.service.settings import Settings

N_EXAMPLES = int(os.environ.get("PERSONAGUARD_FUZZ_EXAMPLES", "12")) * 3
FUZZ = settings(max_examples=N_EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))

json_leaf = st.one_of(nasty_text, st.integers(), st.integers(min_value=10**30), st.floats(allow_nan=False),
                      st.booleans(), st.none())
json_value = st.recursive(json_leaf, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(nasty_text, inner,
                                                                                                    max_size=4),
                          max_leaves=12)
moderation_body = st.one_of(
    st.fixed_dictionaries({"input": nasty_text}),
    st.fixed_dictionaries({"input": st.lists(nasty_text, max_size=5)}),
    st.fixed_dictionaries({"input": nasty_text}, optional={"user": nasty_text, "model": nasty_text,
                                                          "user_profile": json_value}),
    st.fixed_dictionaries({"input": json_value}),
    json_value,
)


def _check_answer(r: httpx.Response, sent: object) -> None:
    assert r.status_code < 500, (r.status_code, repr(sent)[:200], r.text[:300])
    if r.status_code >= 400:
        body = r.json()
        assert isinstance(body.get("code"), str) and body.get("message"), body
    assert "Traceback" not in r.text and 'File "' not in r.text, r.text[:300]


@pytest.fixture
def victim_traffic(live, other_tenant) -> Iterator[list[int]]:  # type: ignore[no-untyped-def]
    """Ordinary requests of another tenant during the test; yields their status codes."""
    statuses: list[int] = []
    stop = threading.Event()

    def loop() -> None:
        with live.client(other_tenant.key) as c:
            while not stop.is_set() and len(statuses) < 5000:
                statuses.append(c.post("/v1/moderations", json={"input": "What time is it in Paris?"}).status_code)

    t = threading.Thread(target=loop, daemon=True)
    t.start()
    yield statuses
    stop.set()
    t.join(timeout=60)
    assert statuses and set(statuses) == {200}, sorted(set(statuses))


def test_hostile_moderation_bodies_get_a_decision_or_a_typed_4xx(api, victim_traffic) -> None:  # type: ignore[no-untyped-def]
    @FUZZ
    @given(body=moderation_body)
    def run(body: Any) -> None:
        raw = json.dumps(body).encode()  # ASCII JSON: surrogates travel as \\udxxx escapes
        _check_answer(api.post("/v1/moderations", content=raw, headers={"content-type": "application/json"}), body)

    run()


def test_hostile_users_and_feedback_get_typed_answers(api, victim_traffic) -> None:  # type: ignore[no-untyped-def]
    @FUZZ
    @given(user=nasty_text, doc=json_value, text=nasty_text)
    def run(user: str, doc: Any, text: str) -> None:
        # Percent-encoded raw bytes, surrogates included: the path is as hostile as the body.
        uid = "/v1/users/" + (quote(user.encode("utf-8", "surrogatepass"), safe="") or "x")
        for method, path, body in [("PUT", uid, {"self_description": text, "extra": doc}),
                                   ("PUT", "/v1/users/fuzz-user", {"self_description": text}),
                                   ("POST", "/v1/feedback", {"user": "fuzz-user", "text": text, "should": "allow"}),
                                   ("POST", "/v1/feedback", doc)]:
            raw = json.dumps(body).encode()
            _check_answer(api.request(method, path, content=raw, headers={"content-type": "application/json"}), body)

    run()


@pytest.mark.parametrize(
    "raw",
    [b"[" * 100_000 + b"]" * 100_000, b'{"input": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
     b'{"input": "x", "user": ' + b"9" * 5000 + b"}", b'{"input": 1e999999}', b'{"input": "\\ud800\\u0000"}',
     b'{"input": "a", "input": "\\udfff"}', b'\xef\xbb\xbf{"input": "bom"}', b'{"input": "\xed\xa0\x80"}',
     b'{"input": NaN}', b'{"input": "' + b"\\u0301" * 20_000 + b'"}'],
    ids=["deep-array", "deep-input", "huge-int", "huge-float", "surrogate-nul", "duplicate-key", "bom",
         "utf8-encoded-surrogate", "nan", "combining-run"],
)
def test_pathological_json_is_answered_without_5xx(api, raw: bytes) -> None:  # type: ignore[no-untyped-def]
    _check_answer(api.post("/v1/moderations", content=raw, headers={"content-type": "application/json"}), raw[:40])


# -- schemathesis: every operation of the published schema, with hostile strings in every field --
SCHEMA = schemathesis.openapi.from_dict(create_app(Settings(database_url="sqlite://")).openapi())
OPERATIONS = {op.label: op for op in (r.ok() for r in SCHEMA.get_all_operations())}


def _inject(value: Any, strings: Iterator[str]) -> Any:
    if isinstance(value, str):
        return next(strings)
    if isinstance(value, list):
        return [_inject(v, strings) for v in value]
    if isinstance(value, dict):
        return {k: _inject(v, strings) for k, v in value.items()}
    return value


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_schemathesis_cases_with_hostile_strings(label: str, live, tenant, victim_traffic) -> None:  # type: ignore[no-untyped-def]
    operation = OPERATIONS[label]

    @settings(max_examples=max(N_EXAMPLES // 3, 4), deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(), strings=st.lists(nasty_text, min_size=40, max_size=40))
    def run(case: Any, strings: list[str]) -> None:
        if isinstance(case.body, (dict, list, str)):
            case.body = _inject(case.body, iter(strings * 50))
        with httpx.Client(base_url=live.url, timeout=120) as c:
            raw = json.dumps(case.body).encode() if isinstance(case.body, (dict, list, str)) else None
            r = c.request(case.method, case.formatted_path, params=case.query,
                          headers={"Authorization": f"Bearer {tenant.key}", "content-type": "application/json"},
                          content=raw)
        _check_answer(r, case.body)

    run()
