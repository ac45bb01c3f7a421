"""One tenant's poisoned requests never fail another tenant's, under real concurrency.

Two poisons: a lone surrogate escape in valid JSON (the outage: the tokenizer raised and the
micro-batch failed for everyone in it), and a scorer crash injected on a marker text (any
future bug of the same kind), on a real uvicorn with a real database.
"""

from __future__ import annotations

import copy
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from .conftest import make_tenant, start_server
from fault_injection import MARKER, FailsOnMarker
from personaguard.service.settings import Settings

N_REQUESTS = 1000
POISON_EVERY = 20  # 5%
CONCURRENCY = 32
ORDINARY = ["What is the capital of France?", "I will kill you tonight.", "Write a haiku about autumn leaves.",
            "How do I bake sourdough bread?", "you are a worthless idiot"]
SURROGATE_BODIES = [b'{"input": "abc \\ud800 def"}', b'{"input": ["\\udfff", "ok \\udbff"]}',
                    b'{"input": "kill \\ud83d them \\uffff"}']


def _fire(url: str, jobs: list[tuple[str, str, bytes]]) -> list[tuple[str, int, dict[str, Any]]]:
    """Send every (who, key, body) concurrently; one client per worker thread."""
    local = threading.local()

    def one(job: tuple[str, str, bytes]) -> tuple[str, int, dict[str, Any]]:
        who, key, body = job
        if not hasattr(local, "client"):
            local.client = httpx.Client(base_url=url, timeout=120)
        r = local.client.post("/v1/moderations", content=body,
                              headers={"Authorization": f"Bearer {key}", "content-type": "application/json"})
        return who, r.status_code, r.json()

    with ThreadPoolExecutor(CONCURRENCY) as pool:
        return list(pool.map(one, jobs))


def _jobs(poisoner_key: str, victim_key: str, poison: list[bytes]) -> list[tuple[str, str, bytes]]:
    jobs = []
    for i in range(N_REQUESTS):
        if i % POISON_EVERY == 0:
            jobs.append(("poison", poisoner_key, poison[(i // POISON_EVERY) % len(poison)]))
        else:
            jobs.append(("victim", victim_key, json.dumps({"input": ORDINARY[i % len(ORDINARY)]}).encode()))
    return jobs


def _assert_victims_unharmed(results: list[tuple[str, int, dict[str, Any]]], guard: Any) -> None:
    expected = {t: guard.check(t) for t in ORDINARY}
    victims = [(i, s, b) for i, (who, s, b) in enumerate(results) if who == "victim"]
    failed = [(s, b) for _, s, b in victims if s != 200]
    assert len(victims) == N_REQUESTS - N_REQUESTS // POISON_EVERY
    assert not failed, f"{len(failed)} of the other tenant's requests failed, e.g. {failed[:3]}"
    for i, _, body in victims:
        # Each request got its own row: the decision its text gets alone (batching moves floats
        # by ~1e-9 only).
        want = expected[ORDINARY[i % len(ORDINARY)]]
        got = body["results"][0]
        assert got["outcome"] == want.outcome.value, (ORDINARY[i % len(ORDINARY)], got)
        assert got["p_any"] == pytest.approx(want.p_any, abs=1e-4), (ORDINARY[i % len(ORDINARY)], got)


def test_lone_surrogates_of_one_tenant_do_not_fail_the_other(live, tenant, other_tenant, guard) -> None:  # type: ignore[no-untyped-def]
    results = _fire(live.url, _jobs(tenant.key, other_tenant.key, SURROGATE_BODIES))
    _assert_victims_unharmed(results, guard)
    poisoned = [(s, b) for who, s, b in results if who == "poison"]
    assert all(s == 200 for s, _ in poisoned), poisoned[:3]
    assert all(r["outcome"] in {"allow", "warn", "block", "ask"} for _, b in poisoned for r in b["results"])


@pytest.fixture(scope="module")
def fragile_server(guard, tmp_path_factory):  # type: ignore[no-untyped-def]
    g = copy.copy(guard)
    g.scorer = FailsOnMarker(guard.scorer, detail="simulated scorer crash with internal detail /srv/secret")
    url = f"sqlite:///{tmp_path_factory.mktemp('fragile') / 'service.db'}"
    server = start_server(Settings(database_url=url), g)
    yield server
    server.stop()


def test_a_crashing_item_fails_only_its_own_request(fragile_server, caplog, guard) -> None:  # type: ignore[no-untyped-def]
    a = make_tenant(fragile_server.settings.database_url)
    b = make_tenant(fragile_server.settings.database_url)
    poison = [json.dumps({"input": f"{MARKER} one"}).encode(), json.dumps({"input": ["fine", MARKER]}).encode()]
    with caplog.at_level("ERROR"):
        results = _fire(fragile_server.url, _jobs(a.key, b.key, poison))
    _assert_victims_unharmed(results, guard)
    poisoned = [(s, body) for who, s, body in results if who == "poison"]
    assert {s for s, _ in poisoned} == {500}, poisoned[:3]
    for _, body in poisoned:
        assert body["code"] == "scoring_failed" and body["request_id"], body
        assert "/srv/secret" not in json.dumps(body) and "Traceback" not in json.dumps(body), body
    # The server log keeps the cause, with the request id the client was given.
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert poisoned[0][1]["request_id"] in logged
