"""/healthz, /metrics and /docs."""

from __future__ import annotations

import httpx


def test_healthz_reports_model_and_database(live, guard) -> None:  # type: ignore[no-untyped-def]
    with live.client() as c:
        r = c.get("/healthz")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["model_version"] == guard.model_version
    assert body["learner"] in ("ok", "unavailable")


def test_metrics_count_requests_and_decisions(api: httpx.Client, live) -> None:  # type: ignore[no-untyped-def]
    def sample(text: str, name: str, labels: str) -> float:
        for line in text.splitlines():
            if line.startswith(f"{name}{{") and labels in line:
                return float(line.rsplit(" ", 1)[1])
        return 0.0

    with live.client() as c:
        before = c.get("/metrics").text
        api.post("/v1/moderations", json={"input": ["a", "b", "c"]})
        after = c.get("/metrics")
    assert after.headers["content-type"].startswith("text/plain")
    name, labels = "personaguard_http_requests_total", 'route="/v1/moderations",status="200"'
    assert sample(after.text, name, labels) == sample(before, name, labels) + 1
    def total_decisions(t: str) -> float:
        return sum(sample(t, "personaguard_decisions_total", f'outcome="{o}"') for o in ("allow", "warn", "block", "ask"))
    assert total_decisions(after.text) == total_decisions(before) + 3
    assert "personaguard_scorer_batch_texts_bucket" in after.text


def test_docs_and_openapi_are_served(live) -> None:  # type: ignore[no-untyped-def]
    with live.client() as c:
        assert "swagger" in c.get("/docs").text.lower()
        paths = c.get("/openapi.json").json()["paths"]
    assert {"/v1/moderations", "/v1/users/{user_id}", "/v1/feedback", "/v1/decisions", "/healthz"} <= set(paths)
