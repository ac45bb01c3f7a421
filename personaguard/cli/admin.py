"""`personaguard admin`: tenants and API keys, straight against the database."""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the ``admin`` command group."""
    p: argparse.ArgumentParser = subparsers.add_parser("admin", help="manage tenants, keys and the database schema")
    sub = p.add_subparsers(dest="admin_command", required=True, metavar="ACTION")

    create = sub.add_parser("create-tenant", help="create a tenant; prints its API key alone on the last line")
    create.add_argument("name", help="unique tenant name")
    create.add_argument("--store-text", action="store_true",
                        help="keep decided texts in the audit log (default: keep only their SHA-256)")
    create.add_argument("--reject-unknown-users", action="store_true",
                        help="answer 404 to a moderation naming a user id never stored (default: register it "
                             "with the tenant's default policy, as OpenAI's free `user` field expects)")
    _add_db(create)
    create.set_defaults(func=_create_tenant)

    pol = sub.add_parser("set-policy", help="give a tenant its own decision policy (YAML, the shape of "
                                           "personaguard/decide/policy.yaml)")
    pol.add_argument("name", help="the tenant's name")
    src = pol.add_mutually_exclusive_group(required=True)
    src.add_argument("--file", help="the policy file")
    src.add_argument("--default", action="store_true", help="go back to the packaged default policy")
    _add_db(pol)
    pol.set_defaults(func=_set_policy)

    migrate = sub.add_parser("migrate", help="apply the database migrations (serve does this too)")
    _add_db(migrate)
    migrate.set_defaults(func=_migrate)


def _add_db(p: argparse.ArgumentParser) -> None:
    p.add_argument("--database-url", default=None,
                   help="sqlite:///file.db or postgresql://... (default PERSONAGUARD_DATABASE_URL or sqlite:///personaguard.db)")


def _engine(args: argparse.Namespace) -> Any:
    from personaguard.record.db import make_engine, upgrade
    from personaguard.service.settings import Settings

    settings = Settings(**({"database_url": args.database_url} if args.database_url else {}))
    engine = make_engine(settings.database_url, pool_size=1)
    upgrade(engine)
    return engine


def _create_tenant(args: argparse.Namespace) -> int:
    from personaguard.record import repos
    from personaguard.record.db import make_sessions, session_scope

    engine = _engine(args)
    try:
        with session_scope(make_sessions(engine)) as session:
            new = repos.create_tenant(session, name=args.name, store_text=args.store_text,
                                      register_unknown_users=not args.reject_unknown_users)
    finally:
        engine.dispose()
    retention = "texts and hashes" if new.tenant.store_text else "hashes only"
    print(f"created tenant {new.tenant.name!r} (id {new.tenant.id}; audit log keeps {retention})")
    print("API key (shown once, stored hashed); send it as `Authorization: Bearer KEY`:")
    print(new.api_key)
    return 0


def _set_policy(args: argparse.Namespace) -> int:
    from personaguard.decide.policy import load_decision_policy
    from personaguard.record import repos
    from personaguard.record.db import make_sessions, session_scope

    if not args.default:
        from personaguard.decide.policy import check_policy_against
        from personaguard.taxonomy import load_taxonomy

        check_policy_against(load_decision_policy(args.file), load_taxonomy())
    document = None if args.default else load_decision_policy(args.file).model_dump(mode="json")
    engine = _engine(args)
    try:
        with session_scope(make_sessions(engine)) as session:
            tenant = repos.set_tenant_policy(session, tenant_name=args.name, policy=document)
    finally:
        engine.dispose()
    print(f"tenant {tenant.name!r} now decides with {'the default policy' if document is None else args.file}")
    return 0


def _migrate(args: argparse.Namespace) -> int:
    _engine(args).dispose()
    print("database schema is up to date")
    return 0
