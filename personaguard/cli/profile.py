"""`personaguard profile parse TEXT`: the vulnerabilities a self-description reveals."""

from __future__ import annotations

import argparse
import json

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("profile", help="work with user profiles")
    psub = p.add_subparsers(dest="profile_command", required=True, metavar="ACTION")
    parse = psub.add_parser("parse", help="parse a self-description into a profile (vulnerabilities with evidence)")
    parse.add_argument("text", help='what the user wrote about themselves, e.g. "I have hepatitis."')
    parse.add_argument("--id", default="anonymous", help="id of the profile to print")
    parse.add_argument("--format", choices=("yaml", "json", "table"), default="table")
    parse.set_defaults(func=run_parse)
    check = psub.add_parser("validate", help="validate a profile file against the taxonomy and knowledge base")
    check.add_argument("path", help="profile file (YAML or JSON)")
    check.set_defaults(func=run_validate)


def run_parse(args: argparse.Namespace) -> int:
    from personaguard.profile.parse import VulnerabilityParser
    from personaguard.profile.profile import UserProfile

    profile = UserProfile.from_text(args.text, id=args.id, parser=VulnerabilityParser())
    if args.format == "yaml":
        print(profile.to_yaml(), end="")
    elif args.format == "json":
        print(json.dumps(profile.model_dump(mode="json", exclude_defaults=True), indent=2))
    else:
        if profile.age_band is not None:
            print(f"age band: {profile.age_band.value}")
        if not profile.vulnerabilities:
            print("no vulnerabilities found")
        for v in profile.vulnerabilities:
            print(f"{v.id:<28} confidence={v.confidence:.2f}  evidence={v.evidence!r} span={list(v.span or ())}")
    return 0


def run_validate(args: argparse.Namespace) -> int:
    from personaguard.profile.profile import UserProfile
    from personaguard.profile.vulnerabilities import load_knowledge_base
    from personaguard.taxonomy import load_taxonomy

    taxonomy = load_taxonomy()
    profile = UserProfile.from_path(args.path, taxonomy=taxonomy)
    profile.check_against(taxonomy, load_knowledge_base(taxonomy=taxonomy))
    print(f"ok: profile {profile.id!r} is valid")
    return 0
