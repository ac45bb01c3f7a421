"""User profiles as stored documents, validated by ``UserProfile`` when that model exists."""

from __future__ import annotations

import importlib
from typing import Any

from pydantic import BaseModel

from personaguard.errors import ConfigError

__all__ = ["profile_model", "parse_self_description", "validate_document", "to_profile"]


def profile_model() -> type[BaseModel] | None:
    """The library's ``UserProfile`` model, or None while the personalize stage is not built."""
    try:
        module = importlib.import_module("personaguard.profile.profile")
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("personaguard.profile"):
            return None
        raise
    model: type[BaseModel] = module.UserProfile
    return model


def validate_document(user_id: str, body: dict[str, Any], *, taxonomy: Any = None) -> dict[str, Any]:
    """The document to store for ``user_id``: ``body`` checked by UserProfile, with ``id`` set.

    With ``taxonomy``, the checks that need it (category ids, ranges, floors) run too, so a
    profile that would relax a floor is refused at PUT time, not at the first moderation.

    Raises
    ------
    ConfigError
        If ``body`` names a different id.
    pydantic.ValidationError
        If UserProfile rejects a field (answered as 422 with the field path).
    """
    if "id" in body and body["id"] != user_id:
        raise ConfigError(f"body id {body['id']!r} differs from the URL's {user_id!r}; drop it or make them equal",
                          loc=("body", "id"))
    document = {**body, "id": user_id}
    model = profile_model()
    if model is None:
        return document
    context = {"taxonomy": taxonomy} if taxonomy is not None else None
    dumped: dict[str, Any] = model.model_validate(document, context=context).model_dump(mode="json")
    return dumped


def to_profile(document: dict[str, Any], *, taxonomy: Any = None) -> BaseModel | None:
    """The UserProfile object for a stored document (None while UserProfile does not exist)."""
    model = profile_model()
    context = {"taxonomy": taxonomy} if taxonomy is not None else None
    return None if model is None else model.model_validate(document, context=context)


def parse_self_description(guard: Any, user_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """``body`` with the vulnerabilities, age band and privacy choices parsed from its ``self_description``.

    Exactly what the CLI's ``--user-text`` does (``Guard.parse_profile``), so a profile stored
    through the service decides as the CLI does; each parsed vulnerability carries its evidence
    (the words it came from and their span). Fields the body gives explicitly win: a body with
    ``vulnerabilities`` or ``age_band`` keeps them as written, one with ``privacy`` or
    ``privacy_settings`` keeps its privacy choices.
    """
    text = body.get("self_description")
    if not isinstance(text, str) or not text.strip():
        return body
    wants_vulnerabilities = "vulnerabilities" not in body and "age_band" not in body
    wants_privacy = "privacy" not in body and "privacy_settings" not in body
    out = dict(body)
    if wants_vulnerabilities:
        parsed = guard.parse_profile(text, id=user_id)
        out["vulnerabilities"] = [v.model_dump(mode="json") for v in parsed.vulnerabilities]
        out["age_band"] = None if parsed.age_band is None else parsed.age_band.value
    if wants_privacy:
        from personaguard.profile.privacy import parse_privacy

        reading = parse_privacy(text)
        if reading.persona is not None:
            out["privacy"] = reading.persona.value
        if reading.settings:
            out["privacy_settings"] = {k.value: v.value for k, v in reading.settings.items()}
    return out


def with_tenant_defaults(profile: Any, policy: Any) -> Any:
    """The profile with the tenant's policy settings and custom categories under the user's own.

    A user's setting for a category, and a custom category of theirs with the same name, win.
    No profile and tenant defaults: a profile that holds only the defaults (``tenant-default``).
    """
    settings = dict(getattr(policy, "settings", None) or {})
    custom = list(getattr(policy, "custom_categories", None) or [])
    if not settings and not custom:
        return profile
    from personaguard.profile.profile import UserProfile

    base = profile if profile is not None else UserProfile(id="tenant-default")
    names = {c.name for c in base.custom_categories}
    return base.model_copy(update={
        "settings": {**settings, **base.settings},
        "custom_categories": [*base.custom_categories, *(c for c in custom if c.name not in names)],
    })
