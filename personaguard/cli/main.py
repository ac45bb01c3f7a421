"""Entry point of the `personaguard` command; each command group lives in its own module.

A command module exposes ``register(subparsers)``, which adds its parser(s) and sets
``func`` (a callable taking the parsed ``argparse.Namespace`` and returning an exit code).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence
from typing import NoReturn

from personaguard.errors import PersonaguardError

__all__ = ["main", "build_parser", "COMMAND_MODULES"]

#: The one registry of command modules, in help order.
COMMAND_MODULES: tuple[str, ...] = (
    "personaguard.cli.check",
    "personaguard.cli.actions",
    "personaguard.cli.profile",
    "personaguard.cli.eval_personal",
    "personaguard.cli.batch",
    "personaguard.cli.evaluate",
    "personaguard.cli.train",
    "personaguard.cli.taxonomy",
    "personaguard.cli.serve",
    "personaguard.cli.admin",
    "personaguard.cli.learn",
    "personaguard.cli.simulate",
    "personaguard.cli.monitor",
)


#: Exit codes shared by every command: 0 success (``check``: 0 allow, 1 warn, 2 block, 3 ask).
EXIT_ERROR = 4
EXIT_USAGE = 64  # sysexits.h EX_USAGE: argparse's own 2 would read as "block"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every registered command."""
    parser = _Parser(prog="personaguard", description="Content-safety guard that fits the user.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (0 ok; check: 1 warn, 2 block, 3 ask; 4 error; 64 usage)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        code: int = args.func(args)
        return code
    except (PersonaguardError, TypeError, ValueError, OSError) as exc:
        if args.debug:
            raise
        print(f"personaguard: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("personaguard: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
