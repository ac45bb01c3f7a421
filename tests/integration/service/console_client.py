"""A signed-in console client for tests: httpx with the session cookie and the page's CSRF token."""

from __future__ import annotations

import re

import httpx


def sign_in(url: str, api_key: str) -> httpx.Client:
    """An httpx client holding a console session for the tenant of ``api_key``."""
    client = httpx.Client(base_url=url, follow_redirects=False, timeout=60)
    page = client.get("/console/login")
    token = re.search(r'name="login_token" value="([^"]+)"', page.text)
    assert token is not None, page.text
    r = client.post("/console/login", data={"api_key": api_key, "login_token": token.group(1)})
    assert r.status_code == 303 and r.headers["location"] == "/console/decisions", r.text
    return client


def csrf_of(client: httpx.Client, path: str = "/console/review") -> str:
    """The CSRF token the console puts in this session's forms."""
    m = re.search(r'name="csrf" value="([^"]+)"', client.get(path).text)
    assert m is not None
    return m.group(1)
