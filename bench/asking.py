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
    for k, ask_all, name in [(0, False, "never_ask"), (1, False, "voi_1"), (2, False, "voi_2"), (3, False, "voi_3"),
                             (99, True, "ask_all")]:
        t0 = time.perf_counter()
        r = evaluate_asking(guard, unsafe, safe, k=k, ask_all=ask_all)
        print(f"{name}_safety: {100 * r.safety:.1f} %")
        print(f"{name}_helpfulness: {100 * r.helpfulness:.1f} %")
        print(f"{name}_mean_questions: {r.mean_questions:.2f} questions")
        print(f"{name}_seconds: {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
