"""`personaguard learn ...`: feedback, reset, audit, and building the reference sample."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("learn", help="learn from feedback; reset or audit learned thresholds")
    cmds = p.add_subparsers(dest="learn_command", required=True, metavar="ACTION")

    fb = cmds.add_parser("feedback", help="apply one feedback event to a profile file (written back)")
    fb.add_argument("profile", type=Path, help="profile YAML or JSON file")
    fb.add_argument("text", help="the content the verdict was about")
    fb.add_argument("--should", required=True, choices=("allow", "block"))
    fb.add_argument("--source", default="user", choices=("user", "moderator"))
    fb.add_argument("--context", default=None, help="the prompt, when TEXT is a model response")
    fb.set_defaults(func=_feedback)

    rs = cmds.add_parser("reset", help="forget learned offsets (all, or some categories); the log is kept")
    rs.add_argument("profile", type=Path)
    rs.add_argument("--category", action="append", default=None, help="category id (repeatable); default: all")
    rs.set_defaults(func=_reset)

    au = cmds.add_parser("audit", help="the events that moved a category's threshold, as JSON")
    au.add_argument("profile", type=Path)
    au.add_argument("--category", required=True, help="category id, e.g. violence")
    au.set_defaults(func=_audit)

    br = cmds.add_parser("build-reference", help="score a seeded selection of texts into the reference sample")
    br.add_argument("--data", type=Path, required=True, help="the shared data folder")
    br.add_argument("--per-source", type=int, default=20, help="texts per source (default 20)")
    br.add_argument("--seed", type=int, default=0)
    br.add_argument("--out", type=Path, default=None, help="folder (default: the packaged reference_data)")
    br.set_defaults(func=_build_reference)


def _read_profile(path: Path):  # type: ignore[no-untyped-def]
    from personaguard.profile.profile import UserProfile

    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return UserProfile.from_json(text, source=str(path))
    return UserProfile.from_yaml(text, source=str(path))


def _write_profile(path: Path, profile) -> None:  # type: ignore[no-untyped-def]
    path.write_text(profile.to_json() if path.suffix == ".json" else profile.to_yaml(), encoding="utf-8")


def _feedback(args: argparse.Namespace) -> int:
    from personaguard.guard import Guard

    res = Guard().learn(_read_profile(args.profile), args.text, should=args.should, context=args.context,
                        source=args.source)
    _write_profile(args.profile, res.profile)
    print(json.dumps({"applied": res.applied, "reason": res.reason, "kl": res.kl, "delta": res.delta,
                      "moves": res.moves}, indent=2))
    return 0


def _reset(args: argparse.Namespace) -> int:
    from personaguard.profile.learned import reset_learned

    profile = _read_profile(args.profile)
    _check_categories(args.category or [])
    _write_profile(args.profile, profile.model_copy(update={"learned": reset_learned(profile.learned, args.category)}))
    return 0


def _audit(args: argparse.Namespace) -> int:
    from personaguard.learn.audit import audit_report

    _check_categories([args.category])
    print(json.dumps(audit_report(_read_profile(args.profile), args.category), indent=2, default=str))
    return 0


def _check_categories(ids: list[str]) -> None:
    from personaguard.taxonomy import load_taxonomy

    tax = load_taxonomy()
    for c in ids:
        tax.get(c)  # UnknownIdError naming the known ids


def _build_reference(args: argparse.Namespace) -> int:
    from personaguard.eval.scored_pool import build_reference

    n = build_reference(args.data, out=args.out, n_per_source=args.per_source, seed=args.seed)
    print(f"reference_rows: {n} texts", file=sys.stdout)
    return 0
