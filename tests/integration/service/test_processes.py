"""The installed entry points as subprocesses: `admin create-tenant`, and `serve` killed with
SIGKILL in the middle of a stream of feedback posts (every acknowledged event must survive)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from personaguard.record import repos
from personaguard.record.db import make_engine, make_sessions, session_scope

# Only while the packaged artifacts do not exist yet (see conftest.guard).
_DEV_SERVE = (
    "import sys; sys.path.insert(0, {here!r}); import uvicorn; from conftest import KeywordScorer; "
    "from personaguard import Guard; from personaguard.taxonomy import load_taxonomy; "
    "from personaguard.service.app import create_app; from personaguard.service.settings import Settings; "
    "g = Guard(scorer=KeywordScorer(tuple(load_taxonomy().ids))); "
    "uvicorn.run(create_app(Settings(database_url=sys.argv[2]), guard=g), host='127.0.0.1', port=int(sys.argv[1]))"
)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "personaguard.cli.main", *args], capture_output=True, text=True, timeout=120)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(database_url: str) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """`personaguard serve` on a free port; yields once /healthz answers 200."""
    port = _free_port()
    if os.environ.get("PERSONAGUARD_TEST_DEV_SCORER") == "1":
        argv = [sys.executable, "-c", _DEV_SERVE.format(here=os.path.dirname(__file__)), str(port), database_url]
    else:
        argv = [sys.executable, "-m", "personaguard.cli.main", "serve", "--host", "127.0.0.1", "--port", str(port),
                "--database-url", database_url, "--log-level", "warning"]
    proc = subprocess.Popen(argv)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, f"serve exited with {proc.returncode}"
            assert time.monotonic() < deadline, "serve did not come up"
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield proc, url
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=30)


def _create_tenant(database_url: str, *extra: str) -> str:
    name = f"cli-{os.urandom(4).hex()}"
    done = _cli("admin", "create-tenant", name, "--database-url", database_url, *extra)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_create_tenant_prints_a_working_key_on_its_last_line(database_url: str) -> None:
    key = _create_tenant(database_url)
    assert key.startswith("pgk_") and " " not in key
    engine = make_engine(database_url, pool_size=1)
    try:
        with session_scope(make_sessions(engine)) as session:
            assert repos.tenant_for_key(session, api_key=key).name.startswith("cli-")
    finally:
        engine.dispose()


def test_create_tenant_refuses_a_taken_name(database_url: str) -> None:
    name = f"cli-{os.urandom(4).hex()}"
    assert _cli("admin", "create-tenant", name, "--database-url", database_url).returncode == 0
    again = _cli("admin", "create-tenant", name, "--database-url", database_url)
    assert again.returncode == 4
    assert "already exists" in again.stderr and "Traceback" not in again.stderr


@pytest.mark.slow
def test_sigkill_during_feedback_loses_no_acknowledged_event(database_url: str) -> None:
    key = _create_tenant(database_url)
    headers = {"Authorization": f"Bearer {key}"}
    acked: list[str] = []
    lock = threading.Lock()
    with serve(database_url) as (proc, url):
        assert httpx.put(f"{url}/v1/users/crash-user", json={}, headers=headers).status_code == 201
        stop = threading.Event()

        def post_stream(worker: int) -> None:
            with httpx.Client(base_url=url, headers=headers, timeout=10) as client:
                for i in range(100_000):
                    if stop.is_set():
                        return
                    event_id = f"w{worker}-{i}"
                    try:
                        r = client.post("/v1/feedback", json={"user": "crash-user", "text": f"t {event_id}",
                                                              "should": "block", "event_id": event_id})
                    except httpx.TransportError:
                        return  # the server is gone: nothing more can be acknowledged
                    if r.status_code == 201:
                        with lock:
                            acked.append(event_id)

        workers = [threading.Thread(target=post_stream, args=(w,)) for w in range(4)]
        for w in workers:
            w.start()
        deadline = time.monotonic() + 120
        while True:  # kill once a good number of events are acknowledged, mid-stream
            with lock:
                if len(acked) >= 60:
                    break
            assert any(w.is_alive() for w in workers), "every poster stopped before 60 acknowledgements"
            assert time.monotonic() < deadline, f"only {len(acked)} events acknowledged"
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        stop.set()
        for w in workers:
            w.join(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    with serve(database_url) as (_proc, url):  # restart on the same database
        assert httpx.get(f"{url}/v1/users/crash-user", headers=headers).status_code == 200
    engine = make_engine(database_url, pool_size=1)
    try:
        with session_scope(make_sessions(engine)) as session:
            tenant = repos.tenant_for_key(session, api_key=key)
            stored = {f.client_event_id for f in repos.list_feedback(session, tenant_id=tenant.id)}
    finally:
        engine.dispose()
    missing = set(acked) - stored
    assert len(acked) >= 60
    assert not missing, f"{len(missing)} acknowledged events lost, e.g. {sorted(missing)[:5]}"
