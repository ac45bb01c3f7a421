"""Speed of one trust-region learner update (issue 4 target: <= 1 ms at the default R size).

Run: ``python -m bench.learn [--reference synthetic|packaged] [--budget-s 10]``. Measures the
array step (``TrustRegionLearner.step``) and the full state update (``update``: step plus the
event log entry), and what learned offsets add to the decision path (thresholds in force and
verdicts, with and without a learned state), on a fixed, seeded mix of feedback: honest corrections far from the boundary
and adversarial "allow" requests that sit on it (the backtracking worst case). Prints
``name: value unit`` lines only; logs go to stderr. Warm-up is left out.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time

import numpy as np


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.learn")
    parser.add_argument("--reference", choices=("synthetic", "packaged"), default="packaged")
    parser.add_argument("--budget-s", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    from personaguard.learn.learner import TrustRegionLearner
    from personaguard.learn.reference import synthetic_reference
    from personaguard.profile.learned import LearnedState
    from personaguard.taxonomy import load_taxonomy

    tax = load_taxonomy()
    ref = synthetic_reference(tax.ids, seed=args.seed) if args.reference == "synthetic" else None
    learner = TrustRegionLearner().fit(tax, reference_probs=ref)
    print(f"machine: {os.cpu_count()} cpus, python {platform.python_version()}, numpy {np.__version__}, "
          f"{platform.machine()}")
    print(f"reference_rows: {learner.ref_logit_.shape[0]} rows")
    rng = np.random.default_rng(args.seed)
    rows = np.clip(rng.beta(0.4, 2.0, size=(512, len(tax.ids))), 1e-6, 1 - 1e-6)
    shoulds = rng.random(512) < 0.5

    def bench(fn, label: str) -> None:  # type: ignore[no-untyped-def]
        for i in range(50):  # warm-up
            fn(i)
        times: list[float] = []
        t_end = time.perf_counter() + args.budget_s / 4
        i = 0
        while time.perf_counter() < t_end:
            a = time.perf_counter()
            fn(i)
            times.append((time.perf_counter() - a) * 1000)
            i += 1
        print(f"{label}_p50: {statistics.median(times):.3f} ms")
        print(f"{label}_p99: {_percentile(times, 99):.3f} ms")
        print(f"{label}_n: {len(times)} updates", file=sys.stderr)

    # Honest: offsets start at 0 and every event is fresh feedback.
    zero = np.zeros(len(tax.ids))
    bench(lambda i: learner.step(zero, rows[i % 512], y_block=bool(shoulds[i % 512])), "step_honest")
    # Adversarial: offsets already on the loosening boundary, every event asks to allow.
    theta = zero
    for i in range(2000):
        theta = learner.step(theta, rows[i % 512], y_block=False).theta
    bench(lambda i: learner.step(theta, rows[i % 512], y_block=False), "step_at_boundary")
    # Full update with an event log of 100 entries (what Guard.learn pays beyond scoring).
    state = LearnedState()
    for i in range(100):
        state = learner.update(state, rows[i], text=f"text {i}", should="allow" if shoulds[i] else "block",
                               verdict="block").state
    bench(lambda i: learner.update(state, rows[i % 512], text="a text", should="block" if shoulds[i % 512] else "allow",
                                   verdict="allow"), "update_with_log100")
    _bench_decision(tax, state, rows, bench)
    return 0


def _bench_decision(tax, state, rows, bench) -> None:  # type: ignore[no-untyped-def]
    """What learned offsets add to one decision: thresholds in force plus verdicts, with and without."""
    from personaguard.decide.precedence import user_thresholds
    from personaguard.decide.verdicts import category_verdicts
    from personaguard.profile.profile import UserProfile

    ids = tuple(tax.ids)
    plain = UserProfile(id="bench")
    learned = UserProfile(id="bench", learned=state)

    def decide(profile: UserProfile, i: int) -> None:
        category_verdicts(ids, rows[i % 512], user_thresholds(tax, profile))

    bench(lambda i: decide(plain, i), "decide_no_offsets")
    bench(lambda i: decide(learned, i), "decide_with_learned_offsets")


if __name__ == "__main__":
    sys.exit(main())
