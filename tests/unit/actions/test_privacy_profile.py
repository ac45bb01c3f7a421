"""The privacy persona on the profile: fields, round trips, and parsing from a self-description."""

from __future__ import annotations

import pytest

from personaguard.actions.kinds import DataType, FlowSetting, PrivacyPersona
from personaguard.errors import ConfigError
from personaguard.profile.privacy import parse_privacy
from personaguard.profile.profile import UserProfile


def test_profile_fields_round_trip() -> None:
    p = UserProfile.from_yaml("id: u\nprivacy: privacy-first\nprivacy_settings: {location: block, health: confirm}\n")
    assert p.privacy is PrivacyPersona.PRIVACY_FIRST
    assert p.privacy_settings == {DataType.LOCATION: FlowSetting.BLOCK, DataType.HEALTH: FlowSetting.CONFIRM}
    assert UserProfile.from_json(p.to_json()) == p
    assert UserProfile.from_yaml(p.to_yaml()) == p


@pytest.mark.parametrize("bad", ["privacy: paranoid\n", "privacy_settings: {location: maybe}\n",
                                 "privacy_settings: {shoe_size: block}\n"])
def test_bad_privacy_fields_are_config_errors(bad: str) -> None:
    with pytest.raises(ConfigError):
        UserProfile.from_yaml("id: u\n" + bad)


@pytest.mark.parametrize(
    ("text", "persona", "settings"),
    [
        ("I never want my location shared.", None, {DataType.LOCATION: FlowSetting.BLOCK}),
        ("I'm a very private person.", PrivacyPersona.PRIVACY_FIRST, {}),
        ("Just get things done, don't ask me.", PrivacyPersona.UTILITY_FIRST, {}),
        ("Ask me first before you share anything about my health.", None, {DataType.HEALTH: FlowSetting.CONFIRM}),
        ("It's fine to share my address with delivery apps.", None, {DataType.LOCATION: FlowSetting.ALLOW}),
        ("Please never post anything about my kids.", None, {DataType.CHILDREN: FlowSetting.BLOCK}),
        ("I'm a nurse with two kids.", None, {}),
        ("", None, {}),
    ],
)
def test_parse_privacy(text: str, persona: PrivacyPersona | None, settings: dict[DataType, FlowSetting]) -> None:
    reading = parse_privacy(text)
    assert reading.persona is persona
    assert reading.settings == settings


def test_from_text_fills_the_privacy_fields() -> None:
    p = UserProfile.from_text("Privacy matters a lot to me. Never share my location.")
    assert p.privacy is PrivacyPersona.PRIVACY_FIRST
    assert p.privacy_settings == {DataType.LOCATION: FlowSetting.BLOCK}


def test_parse_privacy_needs_text() -> None:
    with pytest.raises(TypeError):
        parse_privacy(None)  # type: ignore[arg-type]
