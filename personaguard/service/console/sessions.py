"""Console sign-in: an API key exchanged for a signed, expiring session cookie, and CSRF tokens.

The cookie is ``<payload>.<HMAC-SHA256>``; the payload names the tenant, the expiry and a random
nonce. Nothing secret is in it, and it cannot be forged or moved to another tenant without the
server's secret. The CSRF token of a session is HMAC(secret, "csrf:" + nonce): every form carries
it and every POST checks it (a synchronizer token bound to the session, no server-side table).
Sign-out revokes the nonce in this process until the session would have expired anyway.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass

__all__ = ["COOKIE", "LOGIN_COOKIE", "ConsoleSession", "SessionCodec"]

#: The session cookie's name (HttpOnly, SameSite=Strict, Path=/console).
COOKIE = "pg_console"
#: Double-submit cookie of the sign-in form (no session exists yet to bind a token to).
LOGIN_COOKIE = "pg_console_login"


@dataclass(frozen=True)
class ConsoleSession:
    """A signed-in operator: which tenant, until when, and the CSRF token of their forms."""

    tenant_id: str
    expires_at: float
    nonce: str
    csrf: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SessionCodec:
    """Issue and read console session cookies.

    Parameters
    ----------
    secret : bytes
        The signing key (``PERSONAGUARD_CONSOLE_SECRET``; a random one per process when unset).
    ttl_s : int
        How long a session lives.

    Examples
    --------
    >>> codec = SessionCodec(b"k" * 32, ttl_s=60)
    >>> cookie, session = codec.issue("tenant-1")
    >>> codec.read(cookie) == session, codec.read(cookie + "x")
    (True, None)
    """

    def __init__(self, secret: bytes, *, ttl_s: int) -> None:
        if len(secret) < 16:
            raise ValueError("the console secret must be at least 16 bytes")
        self.secret = secret
        self.ttl_s = ttl_s
        self._revoked: dict[str, float] = {}
        self._lock = threading.Lock()

    def _sign(self, payload: str) -> str:
        return _b64(hmac.new(self.secret, payload.encode("ascii"), hashlib.sha256).digest())

    def csrf_for(self, nonce: str) -> str:
        """The CSRF token of the session with this nonce."""
        return self._sign("csrf:" + nonce)

    def issue(self, tenant_id: str) -> tuple[str, ConsoleSession]:
        """A new session for ``tenant_id``: the cookie value and the session it stands for."""
        nonce = secrets.token_urlsafe(18)
        expires = time.time() + self.ttl_s
        payload = _b64(json.dumps({"t": tenant_id, "e": expires, "n": nonce}, separators=(",", ":")).encode())
        return f"{payload}.{self._sign(payload)}", ConsoleSession(tenant_id, expires, nonce, self.csrf_for(nonce))

    def read(self, cookie: str | None) -> ConsoleSession | None:
        """The session a cookie stands for; None when absent, forged, expired or signed out."""
        if not cookie or cookie.count(".") != 1:
            return None
        payload, signature = cookie.split(".")
        if not hmac.compare_digest(signature, self._sign(payload)):
            return None
        try:
            data = json.loads(_unb64(payload))
            tenant_id, expires, nonce = str(data["t"]), float(data["e"]), str(data["n"])
        except (ValueError, KeyError, TypeError):
            return None
        if expires < time.time() or self._is_revoked(nonce):
            return None
        return ConsoleSession(tenant_id, expires, nonce, self.csrf_for(nonce))

    def revoke(self, session: ConsoleSession) -> None:
        """Sign out: the session's cookie stops working (in this process) at once."""
        now = time.time()
        with self._lock:
            self._revoked = {n: e for n, e in self._revoked.items() if e > now}
            self._revoked[session.nonce] = session.expires_at

    def _is_revoked(self, nonce: str) -> bool:
        with self._lock:
            return nonce in self._revoked

    @staticmethod
    def new_login_token() -> str:
        """A random token for the sign-in form's double-submit cookie."""
        return secrets.token_urlsafe(18)

    @staticmethod
    def same_token(sent: str | None, expected: str) -> bool:
        """Constant-time comparison of a form's CSRF token with the expected one."""
        return bool(sent) and hmac.compare_digest(str(sent), expected)
