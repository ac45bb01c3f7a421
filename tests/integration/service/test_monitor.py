"""GET /v1/monitor: the caller's recent decisions, estimated accuracy and drift, per tenant."""

from __future__ import annotations

from .conftest import start_server
from personaguard.service.settings import Settings

BENIGN = [f"How do I {v} {t}?" for v in ("bake", "fix", "clean", "paint", "plant")
          for t in ("bread", "a chain", "a table", "tomatoes")]
THREATS = [f"I will hurt {t} tonight." for t in ("you", "your family", "that referee", "my neighbour", "your dog")]


def test_the_window_is_the_tenants_own_and_reports_an_estimate(live, api, other_tenant) -> None:  # type: ignore[no-untyped-def]
    empty = api.get("/v1/monitor").json()
    assert empty["estimated_accuracy"] is None and empty["n"] == 0
    assert api.post("/v1/moderations", json={"input": BENIGN[:10] + THREATS[:2]}).status_code == 200
    body = api.get("/v1/monitor").json()
    assert body["n"] == 12 and 0.0 < body["estimated_accuracy"] <= 1.0
    assert body["interval"][0] <= body["estimated_accuracy"] <= body["interval"][1]
    assert 0.0 < body["flag_rate"] <= 2 / 12 + 1e-9
    with live.client(other_tenant.key) as b:
        assert b.get("/v1/monitor").json()["n"] == 0  # another tenant's traffic is not visible
    metrics = api.get("/metrics").text
    assert "personaguard_estimated_accuracy{" in metrics


def test_drift_against_the_first_full_window(guard, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from .conftest import make_tenant

    url = f"sqlite:///{tmp_path / 'm.db'}"
    server = start_server(Settings(database_url=url, monitor_window=20), guard)
    try:
        key = make_tenant(url).key
        with server.client(key) as c:
            c.post("/v1/moderations", json={"input": BENIGN})  # the reference: 20 everyday questions
            assert c.get("/v1/monitor").json()["drift_alerts"] == []
            c.post("/v1/moderations", json={"input": THREATS * 4})  # the window is now all threats
            body = c.get("/v1/monitor").json()
    finally:
        server.stop()
    assert body["reference_n"] == 20 and body["n"] == 20
    assert any("flag rate of any" in a for a in body["drift_alerts"]), body
