"""Console security on a real uvicorn: sessions, tenant isolation, CSRF, escaping."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from .console_client import csrf_of, sign_in

PAGES = ["/console/decisions", "/console/review", "/console/users", "/console/policy", "/console/monitor",
         "/console/decisions/1", "/console/users/u"]
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def seeded(live: Any, tenant_factory: Any) -> Any:
    """Tenant A (keeps texts) with a user and decisions, and tenant B with its own."""
    a, b = tenant_factory(store_text=True), tenant_factory(store_text=True)
    ids = {}
    for t, user in ((a, "alice"), (b, "bob")):
        with live.client(t.key) as api:
            api.put(f"/v1/users/{user}", json={"self_description": f"I have hepatitis. {XSS}"})
            r = api.post("/v1/moderations", json={"input": [f"buy tequila {XSS}", "hello"], "user": user})
            assert r.status_code == 200, r.text
            ids[user] = r.json()["results"][0]["decision_id"]
    return a, b, ids


@pytest.mark.parametrize("path", PAGES)
def test_no_page_without_a_session(live: Any, path: str) -> None:
    with httpx.Client(base_url=live.url, follow_redirects=False) as anon:
        r = anon.get(path)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/console/login")


@pytest.mark.parametrize("path", ["/console/decisions/1/feedback", "/console/users/u", "/console/policy",
                                  "/console/policy/preview", "/console/logout"])
def test_no_form_without_a_session(live: Any, path: str) -> None:
    with httpx.Client(base_url=live.url, follow_redirects=False) as anon:
        r = anon.post(path, data={"should": "allow", "csrf": "x"})
    assert r.status_code == 401


def test_forged_and_signed_out_cookies_are_refused(live: Any, seeded: Any) -> None:
    a, _, _ = seeded
    client = sign_in(live.url, a.key)
    cookie = client.cookies.get("pg_console")
    assert cookie is not None
    payload, sig = cookie.split(".")
    with httpx.Client(base_url=live.url, follow_redirects=False, cookies={"pg_console": payload + "." + sig[::-1]}) as forged:
        assert forged.get("/console/decisions").status_code == 303
    assert client.post("/console/logout", data={"csrf": csrf_of(client)}).status_code == 303
    with httpx.Client(base_url=live.url, follow_redirects=False, cookies={"pg_console": cookie}) as replay:
        assert replay.get("/console/decisions").status_code == 303


def test_wrong_key_does_not_sign_in(live: Any) -> None:
    with httpx.Client(base_url=live.url, follow_redirects=False) as c:
        token = re.search(r'name="login_token" value="([^"]+)"', c.get("/console/login").text).group(1)  # type: ignore[union-attr]
        r = c.post("/console/login", data={"api_key": "pgk_wrong", "login_token": token})
        assert r.status_code == 303 and "error" in r.headers["location"]
        assert "pg_console" not in c.cookies
        # The sign-in form itself needs its double-submit token.
        assert c.post("/console/login", data={"api_key": "pgk_wrong"}).status_code == 403


def test_one_tenant_never_reaches_another(live: Any, seeded: Any) -> None:
    a, _, ids = seeded
    client = sign_in(live.url, a.key)
    assert client.get(f"/console/decisions/{ids['alice']}").status_code == 200
    assert client.get(f"/console/decisions/{ids['bob']}").status_code == 404
    assert client.get("/console/users/bob").status_code == 404
    assert "bob" not in client.get("/console/users").text
    listing = client.get("/console/decisions").text
    assert f">{ids['bob']}<" not in listing
    csrf = csrf_of(client)
    assert client.post(f"/console/decisions/{ids['bob']}/feedback", data={"should": "allow", "csrf": csrf}).status_code == 404
    assert client.post("/console/users/bob", data={"csrf": csrf, "self_description": "x"}).status_code == 404
    with live.client(seeded[1].key) as b_api:
        assert b_api.get("/v1/users/bob").json()["profile"]["self_description"].startswith("I have hepatitis")
        assert b_api.get("/v1/users/bob").json()["profile"].get("learned") in (None, {}) or \
            not b_api.get("/v1/users/bob").json()["profile"]["learned"].get("offsets")


@pytest.mark.parametrize(
    ("path", "data"),
    [("/console/decisions/{id}/feedback", {"should": "allow"}), ("/console/users/alice", {"self_description": "x"}),
     ("/console/policy", {"policy_yaml": ""}), ("/console/policy/preview", {"text": "hi"}), ("/console/logout", {})],
)
@pytest.mark.parametrize("token", [None, "wrong"])
def test_forms_need_the_sessions_csrf_token(live: Any, seeded: Any, path: str, data: dict[str, str], token: str | None) -> None:
    a, _, ids = seeded
    client = sign_in(live.url, a.key)
    body = {**data, **({"csrf": token} if token else {})}
    r = client.post(path.format(id=ids["alice"]), data=body)
    assert r.status_code == 403, r.text
    # Nothing happened: the session still works and the profile is unchanged.
    page = client.get("/console/users/alice")
    assert page.status_code == 200 and "I have hepatitis" in page.text


def test_stored_html_is_escaped_everywhere(live: Any, seeded: Any) -> None:
    a, _, ids = seeded
    client = sign_in(live.url, a.key)
    for path in ["/console/decisions", f"/console/decisions/{ids['alice']}", "/console/users/alice",
                 f"/console/decisions?q={XSS[:8]}"]:
        html = client.get(path).text
        assert "<script>alert" not in html and "<img src=x" not in html, path
        assert "&lt;script&gt;" in html or "&lt;img" in html, path


def test_a_bad_policy_is_refused_with_the_reason(live: Any, seeded: Any) -> None:
    client = sign_in(live.url, seeded[0].key)
    r = client.post("/console/policy", data={"policy_yaml": "constructive: {outcome: maybe}", "csrf": csrf_of(client)})
    assert r.status_code == 422
    assert 'id="policy-error"' in r.text


def test_contacts_and_privacy_settings_are_edited_and_bad_lines_named(live: Any, seeded: Any) -> None:
    client = sign_in(live.url, seeded[0].key)
    csrf = csrf_of(client, "/console/users/alice")
    desc = "I have hepatitis. " + XSS
    ok = client.post("/console/users/alice", data={"csrf": csrf, "self_description": desc, "privacy": "balanced",
                                                   "privacy:location": "block", "contacts": "mike@cpa.example = financial\n"})
    assert ok.status_code == 303, ok.text
    with live.client(seeded[0].key) as api:
        profile = api.get("/v1/users/alice").json()["profile"]
    assert profile["privacy_settings"] == {"location": "block"}
    assert profile["contacts"] == {"mike@cpa.example": "financial"}
    bad = client.post("/console/users/alice", data={"csrf": csrf, "self_description": desc, "contacts": "mike = cousin"})
    assert bad.status_code == 422 and "contacts line 1" in bad.text


@pytest.mark.parametrize("path", ["/console/decisions/99999999999999999999999", "/console/decisions/-5",
                                  "/console/users/%00x", "/console/users?after=%00", "/console/decisions?user=a%00b",
                                  "/console/decisions?q=a%00b", "/console/decisions?before=99999999999999999999999",
                                  "/console/decisions?hours=1e400", "/console/users/" + "a" * 300])
def test_hostile_ids_and_filters_are_client_errors_not_crashes(live: Any, seeded: Any, path: str) -> None:
    client = sign_in(live.url, seeded[0].key)
    r = client.get(path)
    assert r.status_code in (200, 404, 422), (path, r.status_code)
    assert "Traceback" not in r.text
