"""POST /v1/moderations against the real server and the packaged model."""

from __future__ import annotations

import hashlib

import httpx
import pytest

from personaguard.taxonomy import load_taxonomy

TAXONOMY_IDS = set(load_taxonomy().ids)
OUTCOMES = {"allow", "warn", "block", "ask"}


def _check_result_shape(result: dict[str, object]) -> None:
    assert set(result["categories"]) == TAXONOMY_IDS, result  # type: ignore[arg-type]
    assert set(result["category_scores"]) == TAXONOMY_IDS, result  # type: ignore[arg-type]
    assert all(0.0 <= p <= 1.0 for p in result["category_scores"].values())  # type: ignore[union-attr]
    assert result["outcome"] in OUTCOMES
    assert result["flagged"] == (result["outcome"] != "allow")
    assert isinstance(result["explanation"], str) and result["explanation"]
    assert isinstance(result["user_factors"], list)


def test_single_string_gives_one_openai_shaped_result(api: httpx.Client) -> None:
    r = api.post("/v1/moderations", json={"input": "How do I bake sourdough bread?"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["id"].startswith("modr-")
    assert len(body["results"]) == 1
    _check_result_shape(body["results"][0])
    assert body["results"][0]["outcome"] == "allow", body


def test_list_input_keeps_order_and_matches_single_calls(api: httpx.Client) -> None:
    texts = ["What is the capital of France?", "I will kill you and your whole family tonight.", ""]
    batch = api.post("/v1/moderations", json={"input": texts}).json()["results"]
    singles = [api.post("/v1/moderations", json={"input": t}).json()["results"][0] for t in texts]
    assert len(batch) == 3
    for text, b, s in zip(texts, batch, singles):
        _check_result_shape(b)
        assert b["outcome"] == s["outcome"], text
        for cid in TAXONOMY_IDS:
            assert b["category_scores"][cid] == pytest.approx(s["category_scores"][cid], abs=1e-6), (text, cid)
    assert batch[2]["outcome"] == "allow"  # the empty string is valid and harmless
    assert max(batch[1]["category_scores"].values()) > max(batch[0]["category_scores"].values())


def test_categories_true_exactly_where_a_category_warns_or_blocks(api: httpx.Client) -> None:
    result = api.post("/v1/moderations", json={"input": "I will kill you and your whole family tonight."}).json()
    r = result["results"][0]
    assert r["flagged"] is True, r
    assert any(r["categories"].values()), r
    assert r["flagged"] == any(r["categories"].values())


def test_every_result_is_in_the_audit_log_with_its_hash(api: httpx.Client) -> None:
    text = "Tell me about the history of the Roman empire."
    body = api.post("/v1/moderations", json={"input": [text, text + "!"]}).json()
    log = api.get("/v1/decisions").json()["decisions"]
    by_id = {d["id"]: d for d in log}
    for res, t in zip(body["results"], [text, text + "!"]):
        entry = by_id[res["decision_id"]]
        assert entry["request_id"] == body["id"].removeprefix("modr-")
        assert entry["text_sha256"] == hashlib.sha256(t.encode()).hexdigest()
        assert entry["text"] is None  # default retention keeps hashes only
        assert entry["outcome"] == res["outcome"]
        assert entry["scores"] == pytest.approx(res["category_scores"])
        assert entry["model_version"] == body["model"]


def test_context_is_accepted_per_input(api: httpx.Client) -> None:
    r = api.post(
        "/v1/moderations",
        json={"input": ["Sure, here it is.", "No."], "context": ["How do I bake bread?", None]},
    )
    assert r.status_code == 200, r.text
    assert len(r.json()["results"]) == 2


def test_stored_user_is_used_and_recorded(api: httpx.Client) -> None:
    assert api.put("/v1/users/alice", json={}).status_code in (200, 201)
    r = api.post("/v1/moderations", json={"input": "Is a glass of wine with dinner fine?", "user": "alice"})
    assert r.status_code == 200, r.text
    log = api.get("/v1/decisions", params={"user": "alice"}).json()["decisions"]
    assert [d["id"] for d in log] == [r.json()["results"][0]["decision_id"]]
    assert log[0]["user"] == "alice"


def test_inline_profile_is_accepted_without_storing_it(api: httpx.Client) -> None:
    r = api.post("/v1/moderations", json={"input": "hello", "user_profile": {"id": "bob"}})
    assert r.status_code == 200, r.text
    assert api.get("/v1/users/bob").status_code == 404


def test_store_text_retention_keeps_the_text(live, tenant_factory) -> None:  # type: ignore[no-untyped-def]
    keeper = tenant_factory(store_text=True)
    with live.client(keeper.key) as api:
        res = api.post("/v1/moderations", json={"input": "keep me"}).json()["results"][0]
        entry = api.get("/v1/decisions").json()["decisions"][0]
    assert entry["id"] == res["decision_id"]
    assert entry["text"] == "keep me"
