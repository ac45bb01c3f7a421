"""`personaguard taxonomy show`: print the taxonomy in force."""

from __future__ import annotations

import argparse
import json

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("taxonomy", help="inspect the harm taxonomy")
    tsub = p.add_subparsers(dest="taxonomy_command", required=True, metavar="ACTION")
    show = tsub.add_parser("show", help="print the categories, thresholds and floors")
    show.add_argument("--file", default=None, help="a taxonomy YAML file (default: the packaged one)")
    show.add_argument("--json", action="store_true", help="print JSON instead of a table")
    show.set_defaults(func=run_show)


def run_show(args: argparse.Namespace) -> int:
    from personaguard.taxonomy import load_taxonomy

    tax = load_taxonomy(args.file)
    if args.json:
        print(json.dumps(tax.model_dump(), indent=2))
        return 0
    print(f"{'id':<24} {'warn':>5} {'block':>6}  floor  openai / mlcommons")
    for c in tax.categories:
        print(f"{c.id:<24} {c.warn:>5.2f} {c.block:>6.2f}  {'yes' if c.floor else '   '}    "
              f"{','.join(c.openai) or '-'} / {','.join(c.mlcommons) or '-'}")
    return 0
