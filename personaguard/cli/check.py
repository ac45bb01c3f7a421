"""`personaguard check TEXT`: one decision, in words (or JSON); the exit code is the outcome."""

from __future__ import annotations

import argparse
import sys

from personaguard.cli.render import EXIT_CODES, render_decision, use_colour

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "check", help="check one text; exit code 0 allow, 1 warn, 2 block, 3 ask (4 error)",
        description="Check one text and print the verdict in words. Exit code: 0 allow, 1 warn, 2 block, 3 ask; "
                    "4 for an error, 64 for a usage error.")
    p.add_argument("text", help="the text to check, or - to read it from stdin")
    p.add_argument("--context", default=None, help="the prompt, when TEXT is a model response")
    p.add_argument("--taxonomy", default=None, help="a taxonomy YAML file (default: the packaged one)")
    p.add_argument("--json", action="store_true", help="print the whole decision as JSON (for scripts)")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--user", default=None, metavar="PROFILE", help="a user profile file (YAML or JSON)")
    who.add_argument("--user-text", default=None, metavar="TEXT", help="a self-description to parse into a profile")
    p.set_defaults(func=run)


def _read_text(arg: str) -> str:
    if arg != "-":
        return arg
    data = sys.stdin.buffer.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"stdin is not valid UTF-8 (byte {exc.start}); re-encode the input as UTF-8") from exc


def run(args: argparse.Namespace) -> int:
    from personaguard.guard import Guard

    guard = Guard(taxonomy=args.taxonomy)
    user = None
    if args.user is not None:
        from personaguard.profile.profile import UserProfile

        user = UserProfile.from_path(args.user, taxonomy=guard.taxonomy)
    elif args.user_text is not None:
        user = guard.parse_profile(args.user_text, id="cli")
    decision = guard.check(_read_text(args.text), context=args.context, user=user)
    if args.json:
        print(decision.model_dump_json(indent=2))
    else:
        print(render_decision(decision, guard.taxonomy, colour=use_colour()))
    return EXIT_CODES[decision.outcome]
