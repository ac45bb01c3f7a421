"""Precision and recall of the self-description parser on written occupations and conditions.

Run: ``python -m bench.parsing [--cases tests/fixtures/self_descriptions.yaml]``. Prints per group
(occupations, conditions, all) precision of the claims, recall of the expected entries, the share
of descriptions with no false claim, then every false claim and miss (docs/personalization.md).
"""

from __future__ import annotations

import argparse
from pathlib import Path

CASES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "self_descriptions.yaml"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", default=str(CASES))
    args = ap.parse_args()
    from personaguard import Guard
    from personaguard.eval.parsing import evaluate_parsing, load_description_cases

    guard = Guard()
    parser = guard.vulnerability_parser()
    cases = load_description_cases(args.cases, known=parser.known_)
    reports = evaluate_parsing(parser, cases)
    for group, r in reports.items():
        print(f"{group}.precision: {r.precision:.3f} ratio ({r.right} right, {r.false} false claims)")
        print(f"{group}.recall: {r.recall:.3f} ratio (of {r.expected} expected)")
        print(f"{group}.clean_share: {r.clean_share:.3f} ratio (of {r.cases} descriptions)")
    for text, vid, conf in reports["all"].false_claims:
        print(f"# false claim: {text!r} -> {vid} {conf:.2f}")
    for text, vid in reports["all"].missed:
        print(f"# missed: {text!r} -> {vid}")


if __name__ == "__main__":
    main()
