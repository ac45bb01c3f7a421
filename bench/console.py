"""Console page times with a large audit log (target: every page under 300 ms with 100,000
decisions stored, SQLite).

Run: ``python -m bench.console [--decisions 100000] [--requests 15]``.

Builds a throwaway SQLite database with one tenant, ``--decisions`` audit rows (a realistic mix
of outcomes, users and texts, appended through the repository in chunks) and 1,000 profiles;
serves the app on a real uvicorn on 127.0.0.1, signs in like a browser, then fetches each page
``--requests`` times in turn. Prints the median and p95 per page, in milliseconds, of one run.
"""

from __future__ import annotations

import argparse
import random
import re
import tempfile
import threading
import time
from pathlib import Path

import httpx
import numpy as np
import uvicorn

OUTCOMES = ["allow"] * 80 + ["warn"] * 10 + ["block"] * 8 + ["ask"] * 2
TEXTS = ["What is the capital of France?", "I want to buy a bottle of tequila", "how do I pick a lock",
         "Explain photosynthesis", "where can I buy cigarettes", "you are an idiot", "plan a trip to Lisbon"]


def _seed(url: str, n: int) -> str:
    from personaguard.record import repos
    from personaguard.record.db import make_engine, make_sessions, session_scope, upgrade

    engine = make_engine(url, pool_size=1)
    upgrade(engine)
    sessions = make_sessions(engine)
    rng = random.Random(0)
    with session_scope(sessions) as s:
        new = repos.create_tenant(s, name="bench", store_text=True)
        for u in range(1000):
            repos.put_profile(s, tenant_id=new.tenant.id, user_id=f"user-{u:04d}",
                              document={"id": f"user-{u:04d}", "self_description": "I have hepatitis."})
    done = 0
    while done < n:
        batch = []
        for _ in range(min(5000, n - done)):
            outcome = rng.choice(OUTCOMES)
            p = rng.random()
            batch.append(repos.NewDecision(
                request_id=f"r{done}", user_id=f"user-{rng.randrange(1000):04d}", text=rng.choice(TEXTS) + f" #{done}",
                outcome=outcome, flagged=outcome != "allow", p_any=p, scores={"illicit": p, "self-harm": p / 3},
                risks={"illicit": p, "self-harm": p / 2},
                thresholds={"illicit": {"warn": 0.5, "block": 0.7, "source": "taxonomy", "p": p, "r": p, "outcome": outcome},
                            "self-harm": {"warn": 0.35, "block": 0.7, "source": "taxonomy", "p": p / 3, "r": p / 2,
                                          "outcome": "allow"}},
                model_version="bench",
            ))
            done += 1
        with session_scope(sessions) as s:
            repos.append_decisions(s, tenant_id=new.tenant.id, store_text=True, decisions=batch)
    engine.dispose()
    return new.api_key


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=15)
    args = parser.parse_args()
    from personaguard.service.app import create_app
    from personaguard.service.settings import Settings

    tmp = tempfile.mkdtemp()
    url = f"sqlite:///{Path(tmp) / 'console.db'}"
    t0 = time.perf_counter()
    key = _seed(url, args.decisions)
    print(f"seeded: {args.decisions} decisions in {time.perf_counter() - t0:.1f} s")
    server = uvicorn.Server(uvicorn.Config(create_app(Settings(database_url=url)), host="127.0.0.1", port=0,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    with httpx.Client(base_url=base, timeout=60) as c:
        token = re.search(r'name="login_token" value="([^"]+)"', c.get("/console/login").text).group(1)  # type: ignore[union-attr]
        c.post("/console/login", data={"api_key": key, "login_token": token})
        newest = re.search(r'/console/decisions/(\d+)"', c.get("/console/decisions").text).group(1)  # type: ignore[union-attr]
        pages = {
            "decisions": "/console/decisions", "decisions_outcome": "/console/decisions?outcome=ask",
            "decisions_category": "/console/decisions?category=illicit", "decisions_search": "/console/decisions?q=Lisbon+%2399", "decisions_search_no_match": "/console/decisions?q=no-such-words",
            "decisions_user": "/console/decisions?user=user-0042", "decisions_page_500": f"/console/decisions?before={int(newest) - 50_000}",
            "decision": f"/console/decisions/{newest}", "review": "/console/review", "users": "/console/users",
            "user": "/console/users/user-0042", "policy": "/console/policy", "monitor": "/console/monitor",
        }
        times: dict[str, list[float]] = {k: [] for k in pages}
        for _ in range(args.requests):
            for name, path in pages.items():
                t = time.perf_counter()
                r = c.get(path)
                times[name].append((time.perf_counter() - t) * 1000)
                assert r.status_code == 200, (path, r.status_code)
    server.should_exit = True
    thread.join(timeout=30)
    for name, ts in times.items():
        print(f"{name}_p50: {np.median(ts):.1f} ms")
        print(f"{name}_p95: {np.percentile(ts, 95):.1f} ms")
    print(f"slowest_p95: {max(np.percentile(ts, 95) for ts in times.values()):.1f} ms")


if __name__ == "__main__":
    main()
