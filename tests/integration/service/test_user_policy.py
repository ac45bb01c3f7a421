"""A newcomer's first requests: free user ids, self-descriptions parsed as the CLI parses them."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .conftest import make_tenant

TEQUILA = "I want to buy a bottle of tequila"


def test_an_unknown_user_id_is_registered_with_the_tenant_default(live, api) -> None:  # type: ignore[no-untyped-def]
    first = api.post("/v1/moderations", json={"input": "What is the capital of France?", "user": "u1"})
    assert first.status_code == 200, first.text
    assert first.json()["policy"] == {"source": "registered_user", "user": "u1", "vulnerabilities": []}
    again = api.post("/v1/moderations", json={"input": "hello", "user": "u1"})
    assert again.json()["policy"]["source"] == "stored_profile"
    assert api.get("/v1/users/u1").json()["profile"]["id"] == "u1"
    assert api.post("/v1/moderations", json={"input": "hello"}).json()["policy"]["source"] == "tenant_default"


def test_a_tenant_may_refuse_unknown_users(live) -> None:  # type: ignore[no-untyped-def]
    strict = make_tenant(live.settings.database_url, register_unknown_users=False)
    with live.client(strict.key) as c:
        r = c.post("/v1/moderations", json={"input": "hello", "user": "nobody"})
        assert r.status_code == 404 and r.json()["code"] == "unknown_id", r.text
        assert c.get("/v1/users/nobody").status_code == 404


def test_put_parses_the_self_description_and_returns_the_evidence(api) -> None:  # type: ignore[no-untyped-def]
    r = api.put("/v1/users/hep", json={"self_description": "I have hepatitis."})
    assert r.status_code == 201, r.text
    (claim,) = r.json()["profile"]["vulnerabilities"]
    assert claim["id"] == "liver-disease" and claim["evidence"] == "I have hepatitis."
    assert claim["span"] == [0, len("I have hepatitis.")]
    decided = api.post("/v1/moderations", json={"input": TEQUILA, "user": "hep"}).json()
    assert decided["policy"]["vulnerabilities"] == ["liver-disease"]
    generic = api.post("/v1/moderations", json={"input": TEQUILA}).json()
    assert generic["results"][0]["outcome"] == "allow"
    assert decided["results"][0]["outcome"] != "allow", decided["results"][0]["explanation"]
    assert decided["results"][0]["risks"]["self-harm"] > generic["results"][0]["risks"]["self-harm"] + 0.3


def test_explicit_vulnerabilities_win_over_the_parse(api) -> None:  # type: ignore[no-untyped-def]
    r = api.put("/v1/users/explicit", json={"self_description": "I have hepatitis.", "vulnerabilities": []})
    assert r.json()["profile"]["vulnerabilities"] == []


def test_the_service_and_the_cli_decide_alike_for_the_same_self_description(api) -> None:  # type: ignore[no-untyped-def]
    inline = api.post("/v1/moderations", json={"input": TEQUILA, "user_profile": {"self_description":
                                                                                  "I have hepatitis."}}).json()
    assert inline["policy"] == {"source": "inline_profile", "user": None, "vulnerabilities": ["liver-disease"]}
    cli = subprocess.run([sys.executable, "-m", "personaguard.cli.main", "check", TEQUILA, "--user-text",
                          "I have hepatitis.", "--json"], capture_output=True, text=True, timeout=120)
    assert cli.returncode in (0, 1, 2, 3), cli.stderr
    cli_decision = json.loads(cli.stdout)
    assert inline["results"][0]["outcome"] == cli_decision["outcome"]
    assert inline["results"][0]["risks"]["self-harm"] == pytest.approx(cli_decision["risks"]["self-harm"], abs=1e-6)


def test_a_tenant_policy_changes_the_constructive_outcome(live, api) -> None:  # type: ignore[no-untyped-def]
    from personaguard.record import repos
    from personaguard.record.db import make_engine, make_sessions, session_scope

    strict = make_tenant(live.settings.database_url)
    engine = make_engine(live.settings.database_url, pool_size=1)
    try:
        with session_scope(make_sessions(engine)) as session:
            repos.set_tenant_policy(session, tenant_name=strict.name,
                                    policy={"version": 1, "constructive": {"outcome": "block"}})
    finally:
        engine.dispose()
    body = {"input": TEQUILA, "user_profile": {"self_description": "I have hepatitis."}}
    assert api.post("/v1/moderations", json=body).json()["results"][0]["outcome"] == "warn"
    with live.client(strict.key) as c:
        assert c.post("/v1/moderations", json=body).json()["results"][0]["outcome"] == "block"
