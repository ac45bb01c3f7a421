"""Asking, measured on u-safebench-dev with the profile hidden (docs/personalization.md).

Run: ``python -m bench.asking [--data ../shared/data/u-safebench-dev]``. Prints, per questioning
policy, user-specific safety, helpfulness and the mean number of questions per request.
"""

from __future__ import annotations

import argparse
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="../shared/data/u-safebench-dev")
    args = parser.parse_args()
    from personaguard import Guard
    from personaguard.eval.asking import evaluate_asking
    from personaguard.eval.personal import load_u_safebench

    unsafe, safe = load_u_safebench(args.data)
    guard = Guard()
    policies = [(0, False, False, "never_ask"), (1, False, False, "voi_1"), (2, False, False, "voi_2"),
                (3, False, False, "voi_3"), (99, True, False, "ask_all"), (1, False, True, "topic_first_1"),
                (2, False, True, "topic_first_2")]
    for k, ask_all, topic_first, name in policies:
        t0 = time.perf_counter()
        r = evaluate_asking(guard, unsafe, safe, k=k, ask_all=ask_all, topic_first=topic_first)
        print(f"{name}_safety: {100 * r.safety:.1f} %")
        print(f"{name}_helpfulness: {100 * r.helpfulness:.1f} %")
        print(f"{name}_mean_questions: {r.mean_questions:.2f} questions")
        print(f"{name}_seconds: {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
