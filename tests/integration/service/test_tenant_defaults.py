"""Tenant-wide settings and custom categories (the tenant's policy), under each user's own."""

from __future__ import annotations

from typing import Any

import httpx

from .console_client import csrf_of, sign_in

SPOILER = "Big reveal: Helly R. is actually Helena Eagan"  # allowed by the generic guard
CUSTOM = {"name": "no-spoilers", "description": "No spoilers for Severance.", "examples": ["Mark finds out Helly is an Eagan"]}


def _outcome(api: httpx.Client, text: str, **extra: Any) -> str:
    r = api.post("/v1/moderations", json={"input": text, **extra})
    assert r.status_code == 200, r.text
    return str(r.json()["results"][0]["outcome"])


def test_console_saves_tenant_defaults_and_the_service_uses_them(live: Any, tenant_factory: Any) -> None:
    t = tenant_factory(store_text=True)
    with live.client(t.key) as api:
        api.put("/v1/users/own", json={"custom_categories": [{**CUSTOM, "action": "warn"}]})
        assert _outcome(api, SPOILER) == "allow"
    console = sign_in(live.url, t.key)
    csrf = csrf_of(console, "/console/policy")
    form = {"csrf": csrf, "custom_name": CUSTOM["name"], "custom_description": CUSTOM["description"],
            "custom_examples": "\n".join(CUSTOM["examples"]), "custom_action": "block"}
    r = console.post("/console/policy/defaults", data=form)
    assert r.status_code == 200 and 'id="policy-saved"' in r.text, r.text
    with live.client(t.key) as api:
        assert _outcome(api, SPOILER) == "block"               # no user: the tenant's category
        assert _outcome(api, SPOILER, user="someone") == "block"  # a user without their own
        assert _outcome(api, SPOILER, user="own") == "warn"       # the user's own category of that name wins
    preview = console.post("/console/policy/preview", data={"csrf": csrf, "text": SPOILER})
    assert 'id="preview-outcome">block<' in preview.text


def test_tenant_defaults_cannot_relax_a_floor(live: Any, tenant_factory: Any) -> None:
    console = sign_in(live.url, tenant_factory().key)
    r = console.post("/console/policy/defaults", data={"csrf": csrf_of(console, "/console/policy"),
                                                       "setting:sexual/minors": "allow"})
    assert r.status_code == 422
    bad_yaml = "version: 1\nsettings: {sexual/minors: allow}\n"
    r = console.post("/console/policy", data={"csrf": csrf_of(console, "/console/policy"), "policy_yaml": bad_yaml})
    assert r.status_code == 422 and "floor" in r.text
