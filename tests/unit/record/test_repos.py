"""Repository functions on a real database: tenant scoping, hashed keys, append-only audit."""

from __future__ import annotations

import hashlib
import inspect

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError

from personaguard.errors import ConfigError, UnknownIdError
from personaguard.record import repos
from personaguard.record.db import make_sessions, session_scope
from personaguard.record.tables import ApiKey


def _tenant(engine: Engine, name: str, store_text: bool = False) -> repos.NewTenant:
    with session_scope(make_sessions(engine)) as s:
        return repos.create_tenant(s, name=name, store_text=store_text)


def _decision(text: str, user: str | None = "u") -> repos.NewDecision:
    return repos.NewDecision(
        request_id="r1", user_id=user, text=text, outcome="allow", flagged=False, p_any=0.1,
        scores={"hate": 0.1}, risks={"hate": 0.1}, thresholds={"hate": {"warn": 0.4, "block": 0.7}},
    )


def test_keys_are_stored_hashed_and_resolve_to_their_tenant(engine: Engine) -> None:
    new = _tenant(engine, "acme")
    with session_scope(make_sessions(engine)) as s:
        stored = s.scalars(select(ApiKey.key_sha256)).all()
        assert stored == [hashlib.sha256(new.api_key.encode()).hexdigest()]
        assert new.api_key not in stored
        assert repos.tenant_for_key(s, api_key=new.api_key) == new.tenant
        with pytest.raises(UnknownIdError):
            repos.tenant_for_key(s, api_key=new.api_key + "x")


def test_tenant_names_are_unique(engine: Engine) -> None:
    _tenant(engine, "dup")
    with pytest.raises(ConfigError, match="already exists"):
        _tenant(engine, "dup")


def test_profiles_are_scoped_by_tenant(engine: Engine) -> None:
    a, b = _tenant(engine, "a").tenant.id, _tenant(engine, "b").tenant.id
    sessions = make_sessions(engine)
    with session_scope(sessions) as s:
        assert repos.put_profile(s, tenant_id=a, user_id="u", document={"id": "u", "x": 1}).is_new
    with session_scope(sessions) as s:
        assert repos.get_profile(s, tenant_id=a, user_id="u").document == {"id": "u", "x": 1}
        with pytest.raises(UnknownIdError):
            repos.get_profile(s, tenant_id=b, user_id="u")
        with pytest.raises(UnknownIdError):
            repos.delete_profile(s, tenant_id=b, user_id="u")
    with session_scope(sessions) as s:
        assert not repos.put_profile(s, tenant_id=a, user_id="u", document={"id": "u", "x": 2}).is_new
        repos.delete_profile(s, tenant_id=a, user_id="u")
    with session_scope(sessions) as s, pytest.raises(UnknownIdError):
        repos.get_profile(s, tenant_id=a, user_id="u")


@pytest.mark.parametrize("store_text", [False, True])
def test_decisions_keep_text_only_when_the_tenant_says_so(engine: Engine, store_text: bool) -> None:
    t = _tenant(engine, "ret", store_text=store_text).tenant
    with session_scope(make_sessions(engine)) as s:
        repos.append_decisions(s, tenant_id=t.id, store_text=t.store_text, decisions=[_decision("secret text")])
    with session_scope(make_sessions(engine)) as s:
        (row,) = repos.list_decisions(s, tenant_id=t.id)
    assert row.text_sha256 == hashlib.sha256(b"secret text").hexdigest()
    assert row.text == ("secret text" if store_text else None)


def test_decisions_page_newest_first_and_filter_by_user_and_tenant(engine: Engine) -> None:
    a, b = _tenant(engine, "a").tenant.id, _tenant(engine, "b").tenant.id
    with session_scope(make_sessions(engine)) as s:
        ids = repos.append_decisions(
            s, tenant_id=a, store_text=True, decisions=[_decision(f"t{i}", "u" if i % 2 else "v") for i in range(5)]
        )
        repos.append_decisions(s, tenant_id=b, store_text=True, decisions=[_decision("other")])
    with session_scope(make_sessions(engine)) as s:
        assert [r.id for r in repos.list_decisions(s, tenant_id=a)] == ids[::-1]
        assert [r.text for r in repos.list_decisions(s, tenant_id=a, user_id="u")] == ["t3", "t1"]
        assert [r.id for r in repos.list_decisions(s, tenant_id=a, limit=2, before_id=ids[3])] == [ids[2], ids[1]]


@pytest.mark.parametrize("statement", ["UPDATE decisions SET outcome = 'block'", "DELETE FROM decisions"])
def test_the_database_refuses_to_change_the_audit_log(engine: Engine, statement: str) -> None:
    t = _tenant(engine, "audit").tenant
    with session_scope(make_sessions(engine)) as s:
        repos.append_decisions(s, tenant_id=t.id, store_text=False, decisions=[_decision("x")])
    with pytest.raises(DBAPIError, match="append-only"), session_scope(make_sessions(engine)) as s:
        s.execute(text(statement))
    with session_scope(make_sessions(engine)) as s:
        assert [r.outcome for r in repos.list_decisions(s, tenant_id=t.id)] == ["allow"]


def test_repository_functions_are_keyword_only_and_scoped() -> None:
    public = [getattr(repos, n) for n in repos.__all__ if inspect.isfunction(getattr(repos, n))]
    unscoped = {"hash_key", "sha256_text", "create_tenant", "tenant_for_key", "tenant_by_name", "set_tenant_policy"}
    for fn in public:
        params = list(inspect.signature(fn).parameters.values())
        if fn.__name__ in ("hash_key", "sha256_text"):
            continue
        assert all(p.kind is p.KEYWORD_ONLY for p in params[1:]), fn.__name__
        if fn.__name__ not in unscoped:
            assert "tenant_id" in inspect.signature(fn).parameters, fn.__name__
    assert not any(n.startswith(("update_decision", "delete_decision")) for n in repos.__all__)


def test_feedback_is_listed_per_tenant_and_user(engine: Engine) -> None:
    a, b = _tenant(engine, "a").tenant.id, _tenant(engine, "b").tenant.id
    with session_scope(make_sessions(engine)) as s:
        first = repos.add_feedback(s, tenant_id=a, user_id="u", text="t1", should="allow")
        repos.add_feedback(s, tenant_id=a, user_id="v", text="t2", should="block", source="moderator")
        repos.add_feedback(s, tenant_id=b, user_id="u", text="t3", should="block")
    with session_scope(make_sessions(engine)) as s:
        assert [(f.id, f.text) for f in repos.list_feedback(s, tenant_id=a, user_id="u")] == [(first.id, "t1")]
        assert [f.text for f in repos.list_feedback(s, tenant_id=a)] == ["t1", "t2"]
