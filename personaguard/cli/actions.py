"""`personaguard check-action ACTION.json` and `personaguard eval-actions`: agent tool calls."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from personaguard.errors import ConfigError, MalformedActionError

__all__ = ["register"]

#: check-action exit codes: the outcome (0 allow, 1 confirm, 2 block); 4 error, 64 usage as everywhere.
ACTION_EXIT_CODES = {"allow": 0, "confirm": 1, "block": 2}


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "check-action", help="check one agent tool call for a user; exit code 0 allow, 1 confirm, 2 block (4 error)",
        description="Check an agent's proposed tool call against the user's privacy persona. ACTION is a JSON file "
                    "(or - for stdin) holding {\"tool\": ..., \"arguments\": {...}}, an OpenAI tool_calls item or an "
                    "MCP tools/call params object. Exit code: 0 allow, 1 confirm, 2 block; 4 error, 64 usage.")
    p.add_argument("action", metavar="ACTION.json", help="the action, as a JSON file or - for stdin")
    p.add_argument("--trajectory", default=None, metavar="FILE",
                   help="a JSON list of earlier steps (actions and {\"observation\": text}), oldest first")
    p.add_argument("--privacy", default=None, choices=["privacy-first", "balanced", "utility-first"],
                   help="the persona, when no profile gives one (default: balanced)")
    p.add_argument("--json", action="store_true", help="print the whole decision as JSON")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--user", default=None, metavar="PROFILE", help="a user profile file (YAML or JSON)")
    who.add_argument("--user-text", default=None, metavar="TEXT", help="a self-description to parse into a profile")
    p.set_defaults(func=run_check)

    e = sub.add_parser(
        "eval-actions", help="leak-catch and needless-confirm rates per privacy persona on the action set",
        description="Run the action checker on the agent-action evaluation set for the three personas and print "
                    "per persona the leak-catch rate, the needless-confirm rate, harmful posts caught, leaking "
                    "trajectories confirmed at the draft, the worst family and each slice.")
    e.add_argument("--set", dest="action_set", default=None, metavar="FILE.jsonl",
                   help="an evaluation set (default: the packaged one)")
    e.add_argument("--split", default=None, choices=["dev", "test"], help="only this split (default: all)")
    e.add_argument("--out", default=None, metavar="FILE.json", help="also write the figures as JSON")
    e.add_argument("--plot", default=None, metavar="FILE.png", help="also draw the rates per slice and persona")
    e.set_defaults(func=run_eval)


def _read_json(arg: str, what: str) -> Any:
    if arg == "-":
        raw = sys.stdin.buffer.read()
        source = "stdin"
    else:
        try:
            raw = Path(arg).read_bytes()
        except OSError as exc:
            raise ConfigError(f"cannot read the {what} file: {exc.strerror}", source=arg) from exc
        source = arg
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise MalformedActionError(f"{source}: the {what} is not valid UTF-8 (byte {exc.start})") from exc
    except json.JSONDecodeError as exc:
        raise MalformedActionError(f"{source}: the {what} is not valid JSON ({exc.msg} at line {exc.lineno})") from exc


def run_check(args: argparse.Namespace) -> int:
    from personaguard.guard import Guard
    from personaguard.profile.profile import UserProfile

    action = _read_json(args.action, "action")
    trajectory = _read_json(args.trajectory, "trajectory") if args.trajectory else None
    guard = Guard()
    if args.user is not None:
        user = UserProfile.from_path(args.user, taxonomy=guard.taxonomy)
    elif args.user_text is not None:
        user = guard.parse_profile(args.user_text, id="cli")
    else:
        user = UserProfile(id="cli")
    if args.privacy is not None and user.privacy is None:
        from personaguard.actions.kinds import PrivacyPersona

        user = user.model_copy(update={"privacy": PrivacyPersona(args.privacy)})
    decision = guard.check_action(action, user=user, trajectory=trajectory)
    if args.json:
        print(decision.model_dump_json(indent=2))
    else:
        print(f"{decision.outcome.value.upper()}: {decision.explanation}")
        if decision.question:
            print(f"ask the user: {decision.question}")
        if decision.trajectory is not None and trajectory:
            t = decision.trajectory
            print(f"trajectory: P(leak within {t.horizon} steps) = {t.probability:.2f} from state {t.state}")
    return ACTION_EXIT_CODES[decision.outcome.value]


def run_eval(args: argparse.Namespace) -> int:
    from personaguard.eval.actionset.report import (
        evaluate_actions,
        format_report,
        load_action_set,
        plot_actions,
        report_json,
    )
    from personaguard.guard import Guard

    items = load_action_set(args.action_set)
    reports, p50 = evaluate_actions(Guard().check_action, items, split=args.split)
    n = sum(1 for i in items if args.split is None or i.get("split") == args.split)
    print(format_report(reports, p50, n))
    if args.out:
        Path(args.out).write_text(report_json(reports, p50) + "\n", encoding="utf-8")
    if args.plot:
        print(f"plot: {plot_actions(reports, args.plot)}")
    return 0
