"""UserProfile: defaults, round-trips, bad input, floors."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from personaguard import UserProfile
from personaguard.errors import ConfigError, FloorRelaxedError, UnknownIdError

FULL = """
id: u1
settings:
  harassment: allow
  violence: {warn: 0.3, block: 0.6}
  self-harm: {action: block}
age_band: adult
vulnerabilities:
  - {id: liver-disease, confidence: 0.9, evidence: I have hepatitis, span: [0, 16]}
self_description: I have hepatitis
custom_categories:
  - name: spoilers
    description: no spoilers for the series I am watching
    examples: [the finale reveals that the boss was the villain all along]
    action: warn
allow_examples: [dark jokes among friends are fine]
"""


def test_only_id_is_required_and_the_default_user_is_empty() -> None:
    p = UserProfile(id="u1")
    assert (p.settings, p.vulnerabilities, p.custom_categories, p.allow_examples, p.age_band) == ({}, [], [], [], None)
    assert p.learned.offsets == {}
    with pytest.raises(ValidationError, match="id"):
        UserProfile()  # type: ignore[call-arg]


def test_yaml_and_json_round_trip_a_full_profile() -> None:
    p = UserProfile.from_yaml(FULL)
    assert p.settings["harassment"].action.value == "allow"
    assert p.settings["violence"].block == 0.6
    assert p.vulnerabilities[0].span == (0, 16)
    assert UserProfile.from_yaml(p.to_yaml()) == p
    assert UserProfile.from_json(p.to_json()) == p


@pytest.mark.parametrize(
    ("text", "error", "match"),
    [
        ("id: u1\nsettings: {violence: {warn: high}}", ConfigError, "settings.violence"),
        ("id: u1\nvulnerabilities: [{id: x, confidence: 2}]", ConfigError, "vulnerabilities.0.confidence"),
        ("id: u1\ncolour: blue", ConfigError, "colour"),
        ("id: [unclosed", ConfigError, "not valid YAML"),
        ("- just a list", ConfigError, "mapping"),
        ("id: u1\ncustom_categories: [{name: c, description: d, examples: []}]", ConfigError, "examples"),
        ("id: u1\nsettings: {gore: block}", UnknownIdError, "gore"),
        ("id: u1\nsettings: {violence: {warn: 0.01}}", ConfigError, "user_range"),
        ("id: u1\nsettings: {violence: {warn: 0.7, block: 0.5}}", ConfigError, "warn"),
    ],
)
def test_bad_profiles_fail_with_the_field_named(text: str, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        UserProfile.from_yaml(text)


@pytest.mark.parametrize(
    "setting",
    ["allow", "warn", "{warn: 0.3}", "{block: 0.45}", "{action: block, block: 0.41}"],
)
def test_settings_that_relax_a_floor_are_rejected(setting: str) -> None:
    with pytest.raises(FloorRelaxedError, match="sexual/minors"):
        UserProfile.from_yaml(f"id: u1\nsettings: {{sexual/minors: {setting}}}")


def test_tightening_a_floor_is_accepted() -> None:
    p = UserProfile.from_yaml("id: u1\nsettings: {sexual/minors: {action: block, warn: 0.1, block: 0.3}}")
    assert p.settings["sexual/minors"].block == 0.3


def test_guard_rejects_a_floor_relaxing_profile_built_without_a_taxonomy(toy_guard) -> None:  # type: ignore[no-untyped-def]
    p = UserProfile(id="u1", settings={"cbrne": "allow"})  # type: ignore[dict-item]
    with pytest.raises(FloorRelaxedError, match="cbrne"):
        toy_guard.check("hello", user=p)


def test_guard_names_an_unknown_vulnerability(toy_guard) -> None:  # type: ignore[no-untyped-def]
    p = UserProfile.model_validate({"id": "u1", "vulnerabilities": [{"id": "liver-diseese"}]})
    with pytest.raises(UnknownIdError, match="liver-diseese"):
        toy_guard.check("hello", user=p)


def test_user_must_be_a_profile(toy_guard) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TypeError, match="dict"):
        toy_guard.check("hello", user={"id": "u1"})


def test_from_path_reads_json_and_yaml(tmp_path) -> None:  # type: ignore[no-untyped-def]
    p = UserProfile.from_yaml(FULL)
    (tmp_path / "p.json").write_text(p.to_json())
    (tmp_path / "p.yaml").write_text(p.to_yaml())
    assert UserProfile.from_path(tmp_path / "p.json") == p == UserProfile.from_path(tmp_path / "p.yaml")
    with pytest.raises(ConfigError, match="cannot read"):
        UserProfile.from_path(tmp_path / "missing.yaml")


def test_answers_make_a_claim_certain_or_rule_it_out_and_round_trip(taxonomy) -> None:  # type: ignore[no-untyped-def]
    p = UserProfile(id="u", vulnerabilities=[{"id": "minor", "confidence": 0.68, "evidence": "I am a student."}])
    yes, no = p.answer("minor", True), p.answer("minor", False)
    assert [(c.id, c.confidence) for c in yes.effective_claims()] == [("minor", 1.0)]
    assert no.effective_claims() == [] and p.effective_claims()[0].confidence == 0.68  # p unchanged
    assert yes.content_key() != p.content_key() != no.content_key()
    assert UserProfile.from_yaml(no.to_yaml(), taxonomy=taxonomy) == no
    added = UserProfile(id="u").answer("pregnancy", True)
    assert [(c.id, c.confidence, c.evidence) for c in added.effective_claims()] == [("pregnancy", 1.0, "answered yes")]


def test_an_answer_must_be_a_bool_and_name_a_known_vulnerability(toy_guard) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TypeError, match="bool"):
        UserProfile(id="u").answer("minor", "yes")  # type: ignore[arg-type]
    with pytest.raises(UnknownIdError, match="no-such-thing"):
        UserProfile(id="u").answer("no-such-thing", True).check_against(
            toy_guard.taxonomy, toy_guard.loaded_knowledge_base())
