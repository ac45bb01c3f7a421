"""Database outage: 503 with Retry-After while PostgreSQL is unreachable, and recovery without a
restart once it is back. The outage is real: the server reaches PostgreSQL through a loopback TCP
relay that the test closes (dropping every open connection) and reopens on the same port."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from personaguard.service.settings import Settings

from .conftest import make_tenant, start_server

pytestmark = pytest.mark.postgres


class Relay:
    """Forward 127.0.0.1:port to a target address until ``close()``."""

    def __init__(self, target: tuple[str, int], port: int = 0) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", port), reuse_port=False)
        self.port = self.listener.getsockname()[1]
        self.conns: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass  # the other side went away: the relay closes both ends below
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed

    def close(self) -> None:
        # shutdown() wakes the thread blocked in accept(); close() alone would leave it listening.
        try:
            self.listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # not connected: nothing to wake
        self.listener.close()
        with self.lock:
            for s in self.conns:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass  # already closed
                s.close()
            self.conns.clear()


@pytest.fixture
def relayed(postgres_database: str, guard: Any) -> Iterator[tuple[Any, Relay, str]]:
    url = make_url(postgres_database)
    relay = Relay((url.host or "127.0.0.1", url.port or 5432))
    relayed_url = url.set(host="127.0.0.1", port=relay.port).render_as_string(hide_password=False)
    key = make_tenant(relayed_url).key
    server = start_server(Settings(database_url=relayed_url, retry_after_s=7), guard)
    holder = {"relay": relay}
    yield server, holder, key  # type: ignore[misc]
    server.stop()
    holder["relay"].close()


def test_unreachable_database_gives_503_then_recovers(relayed: Any) -> None:
    server, holder, key = relayed
    with server.client(key) as api:
        assert api.put("/v1/users/o", json={}).status_code == 201
        assert api.post("/v1/moderations", json={"input": "x", "user": "o"}).status_code == 200

        port = holder["relay"].port
        holder["relay"].close()
        for method, path, body in [
            ("POST", "/v1/moderations", {"input": "x", "user": "o"}),
            ("GET", "/v1/users/o", None),
            ("POST", "/v1/feedback", {"user": "o", "text": "t", "should": "allow"}),
            ("GET", "/v1/decisions", None),
            ("GET", "/healthz", None),
        ]:
            r = api.request(method, path, json=body)
            assert r.status_code == 503, (method, path, r.text)
            assert r.headers["retry-after"] == "7"
            assert r.json()["code"] == "store_unavailable"
            assert "Traceback" not in r.text

        holder["relay"] = Relay(holder["relay"].target, port)  # the database is back, same address
        assert api.get("/healthz").status_code == 200
        assert api.get("/v1/users/o").status_code == 200
        assert api.post("/v1/moderations", json={"input": "x", "user": "o"}).status_code == 200
