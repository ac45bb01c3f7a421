"""Cost of one agent-action check (target p50 <= 10 ms on 2 cores for arguments under 2 KB).

Run: ``python -m bench.actions [--rounds 5] [--threads 2]``.

Times ``Guard.check_action`` on every action of the packaged evaluation set whose arguments are
under 2 KB (all three shapes, a dozen tools, with and without trajectories), for a balanced user,
``--rounds`` times after one warm-up pass. Alongside, the rules alone (``ActionChecker`` without
the text guard and the meaning detector) on the same actions, to show where the time goes: the
text guard reads every text an outward action sends, and the meaning detector embeds it when the
lexicon saw nothing strong.

Prints ``name: value unit`` lines only; medians and percentiles of one run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from collections.abc import Callable
from typing import Any

import numpy as np


def _times(check: Callable[..., Any], items: list[dict[str, Any]], user: Any, rounds: int) -> np.ndarray:
    for item in items:  # warm-up: models loaded, caches filled
        check(item["action"], user=user, trajectory=item.get("trajectory"))
    out = []
    for _ in range(rounds):
        for item in items:
            t0 = time.perf_counter()
            check(item["action"], user=user, trajectory=item.get("trajectory"))
            out.append(time.perf_counter() - t0)
    return np.array(out) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2, help="onnxruntime/BLAS threads (2 cores in CI)")
    args = parser.parse_args()
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, str(args.threads))

    from personaguard import Guard
    from personaguard.actions.checker import ActionChecker
    from personaguard.eval.actionset.report import load_action_set
    from personaguard.profile.profile import UserProfile

    items = [i for i in load_action_set() if len(json.dumps(i["action"])) < 2048]
    user = UserProfile(id="bench", privacy="balanced")
    guard = Guard()
    full = _times(guard.check_action, items, user, args.rounds)
    rules = _times(ActionChecker().check, items, user, args.rounds)
    with_traj = [i for i in items if i.get("trajectory")]
    traj = _times(guard.check_action, with_traj, user, args.rounds)
    print(f"machine: {platform.machine()} {os.cpu_count()} cpus, threads {args.threads}")
    print(f"actions: {len(items)} count")
    print(f"check_action_p50: {np.median(full):.2f} ms")
    print(f"check_action_p90: {np.percentile(full, 90):.2f} ms")
    print(f"check_action_p99: {np.percentile(full, 99):.2f} ms")
    print(f"with_trajectory_p50: {np.median(traj):.2f} ms")
    print(f"rules_only_p50: {np.median(rules):.3f} ms")
    print(f"rules_share_of_p50: {np.median(rules) / np.median(full):.2f} ratio")


if __name__ == "__main__":
    main()
