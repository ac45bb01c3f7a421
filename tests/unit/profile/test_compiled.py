"""Per-profile state cached on the profile: edits invalidate it, and it never changes what a profile is."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

from personaguard import UserProfile
from personaguard.errors import UnknownIdError
from personaguard.profile.profile import CategorySetting, VulnerabilityClaim

TEQUILA = "I want to buy a bottle of tequila."


def test_adding_a_vulnerability_in_place_changes_the_next_verdict(toy_guard) -> None:  # type: ignore[no-untyped-def]
    profile = UserProfile(id="u")
    assert toy_guard.check(TEQUILA, user=profile).outcome.value == "allow"
    profile.vulnerabilities.append(VulnerabilityClaim(id="liver-disease"))  # edits the list, not the field
    d = toy_guard.check(TEQUILA, user=profile)
    assert d.outcome.value != "allow", d.explanation
    assert {f.id for f in d.user_factors} == {"liver-disease"}


def test_editing_a_setting_in_place_moves_the_thresholds(toy_guard) -> None:  # type: ignore[no-untyped-def]
    profile = UserProfile(id="u")
    text = "insultword, you clown"  # toy p(harassment) = 0.6, below the default block threshold
    assert toy_guard.check(text, user=profile).outcome.value != "block"
    profile.settings["harassment"] = CategorySetting(warn=0.3, block=0.55)
    assert toy_guard.check(text, user=profile).outcome.value == "block"


def test_an_edit_that_breaks_the_profile_is_still_rejected(toy_guard) -> None:  # type: ignore[no-untyped-def]
    profile = UserProfile.model_validate({"id": "u", "vulnerabilities": [{"id": "liver-disease"}]})
    toy_guard.check(TEQUILA, user=profile)
    profile.vulnerabilities.append(VulnerabilityClaim(id="no-such-condition"))
    with pytest.raises(UnknownIdError, match="no-such-condition"):
        toy_guard.check(TEQUILA, user=profile)


def test_a_cache_never_changes_equality_copies_or_pickles(toy_guard) -> None:  # type: ignore[no-untyped-def]
    data = {"id": "u", "vulnerabilities": [{"id": "liver-disease"}], "allow_examples": ["a dark joke"]}
    used, fresh = UserProfile.model_validate(data), UserProfile.model_validate(data)
    toy_guard.check(TEQUILA, user=used)  # fills the cache of `used`
    assert used == fresh
    for clone in (copy.deepcopy(used), pickle.loads(pickle.dumps(used))):
        assert clone == used
        assert len(clone.__pydantic_private__["_derived"]) == 0  # starts empty, rebuilt on use
        assert toy_guard.check(TEQUILA, user=clone).risks == pytest.approx(toy_guard.check(TEQUILA, user=used).risks)


def test_the_compiled_profile_holds_only_the_users_topics(toy_guard) -> None:  # type: ignore[no-untyped-def]
    model = toy_guard.personal_risk_model()
    profile = UserProfile.model_validate({"id": "u", "vulnerabilities": [{"id": "liver-disease", "confidence": 0.7}]})
    c = model.compile(profile)
    entry = toy_guard.loaded_knowledge_base().get("liver-disease")
    assert sorted(model.index.topic_ids[t] for t in c.topics) == sorted(ci.topic for ci in entry.contraindications)
    (term,) = c.claims
    assert term.weight == 0.7
    assert set(term.categories) == set(entry.categories)
    # topic examples of those topics, then the generic requests: one group each
    assert len(c.starts) == len(c.topics) + 1
    assert len(c.phrases) == sum(len(toy_guard.loaded_knowledge_base().topics[ci.topic].examples)
                                 for ci in entry.contraindications) + len(model.index.generic)
    assert model.compile(profile) is c  # cached on the profile
    profile.vulnerabilities[0] = VulnerabilityClaim(id="liver-disease", confidence=0.9)
    assert model.compile(profile).claims[0].weight == 0.9


def test_batched_and_single_personal_risks_agree(toy_guard) -> None:  # type: ignore[no-untyped-def]
    model = toy_guard.personal_risk_model()
    profile = UserProfile.model_validate({
        "id": "u", "age_band": "teen", "vulnerabilities": [{"id": "liver-disease"}, {"id": "epilepsy", "confidence": 0.6}],
        "custom_categories": [{"name": "spoilers", "description": "no spoilers for Severance",
                               "examples": ["who dies at the end of Severance"]}],
        "allow_examples": ["tell me a dark joke"]})
    texts = [TEQUILA, "How do I parallel park?", "Who dies in Severance season two?", "tell me a dark joke please"]
    enc = model.encoder.encode(texts)
    probs = np.full((len(texts), len(toy_guard.taxonomy.ids)), 0.1)
    batch = model.personalize(texts, probs, enc, profile)
    for i, t in enumerate(texts):
        (one,) = model.personalize([t], probs[i : i + 1], model.encoder.encode([t]), profile)
        assert one.risks == pytest.approx(batch[i].risks, abs=1e-5), t
        assert [(f.id, f.category) for f in one.factors] == [(f.id, f.category) for f in batch[i].factors], t
        assert [c.r for c in one.custom] == pytest.approx([c.r for c in batch[i].custom], abs=1e-5), t
