"""Personal risk: the DESIGN.md section 3 formula, factors, guidance, custom categories, allow-examples."""

from __future__ import annotations

import numpy as np
import pytest

from personaguard import UserProfile
from personaguard.profile.maps import apply_logistic
from personaguard.profile.vulnerabilities import LogisticMap


def test_logistic_map_matches_a_hand_calculation() -> None:
    m = LogisticMap(slope=10.0, center=0.5, contrast=2.0)
    # z = 10 * (0.7 - 0.5) + 2 * (0.7 - 0.2) = 3.0
    got = apply_logistic(m, np.array([0.7]), np.array([0.2]))[0]
    assert got == pytest.approx(1.0 / (1.0 + np.exp(-3.0)))


def test_risk_combines_p_and_every_vulnerability_as_in_the_design(toy_guard) -> None:  # type: ignore[no-untyped-def]
    model = toy_guard.personal_risk_model()
    text = "I want to buy a bottle of vodka."
    enc = model.encoder.encode([text])
    q_topic, _ = model.topic_relevance([text], enc)
    probs = np.full((1, len(toy_guard.taxonomy.ids)), 0.2)
    claims = [("liver-disease", 0.9), ("pancreatitis", 0.5)]
    profile = UserProfile.model_validate({"id": "u", "vulnerabilities": [{"id": v, "confidence": w} for v, w in claims]})
    r = model.personalize([text], probs, enc, profile)[0]
    kb = model.knowledge_base
    alcohol = model.index.topic_ids.index("alcohol")
    keep = 1.0
    for vid, w in claims:
        sev = {c.topic: c.severity for c in kb.get(vid).contraindications}["alcohol"]
        keep *= 1.0 - w * sev * q_topic[0, alcohol]
    j = toy_guard.taxonomy.index("self-harm")
    assert r.risks[j] == pytest.approx(1.0 - (1.0 - 0.2) * keep)
    other = toy_guard.taxonomy.index("hate")
    assert r.risks[other] == pytest.approx(0.2), "a category no vulnerability raises keeps p"


def test_liver_disease_turns_an_alcohol_purchase_into_a_flag_with_guidance(toy_guard) -> None:  # type: ignore[no-untyped-def]
    profile = toy_guard.parse_profile("I have hepatitis.", id="u1")
    d = toy_guard.check("I want to buy a bottle of tequila.", user=profile)
    assert d.outcome.value in {"warn", "block"}, d.explanation
    assert d.user_id == "u1"
    assert "liver disease" in d.explanation and "alcohol" in d.explanation
    assert any("liver" in g for g in d.guidance)
    f = d.user_factors[0]
    assert (f.kind, f.id, f.category) == ("vulnerability", "liver-disease", "self-harm")
    assert toy_guard.check("I want to buy a bottle of tequila.").outcome.value == "allow"


@pytest.mark.parametrize("text", ["How do I bake sourdough bread?", "What is the capital of Peru?"])
def test_unrelated_requests_stay_allowed_for_a_vulnerable_user(toy_guard, text: str) -> None:  # type: ignore[no-untyped-def]
    profile = UserProfile.model_validate({"id": "u", "vulnerabilities": [{"id": "liver-disease"}, {"id": "epilepsy"}]})
    d = toy_guard.check(text, user=profile)
    assert d.outcome.value == "allow", d.explanation
    assert d.guidance == []


def test_check_is_check_batch_of_one_with_a_user(toy_guard) -> None:  # type: ignore[no-untyped-def]
    profile = UserProfile.model_validate({"id": "u", "vulnerabilities": [{"id": "gambling-addiction"}]})
    texts = ["Which online casino has the best welcome bonus?", "How do I repot a cactus?"]
    batch = toy_guard.check_batch(texts, user=profile)
    single = [toy_guard.check(t, user=profile) for t in texts]
    assert [d.outcome for d in single] == [d.outcome for d in batch]
    for s, b in zip(single, batch):
        assert s.risks == pytest.approx(b.risks, abs=1e-5)  # padding in a batch moves floats by ~1e-7
    assert batch[1].outcome.value == "allow"
    assert batch[0].outcome.value != "allow"


def test_custom_category_from_one_example(toy_guard) -> None:  # type: ignore[no-untyped-def]
    profile = UserProfile.model_validate({"id": "u", "custom_categories": [{
        "name": "gambling-ads", "description": "no gambling promotions",
        "examples": ["Sign up today and get 100 free spins at our casino!"]}]})
    d = toy_guard.check("Claim your free bet now, new players get a 200% deposit match!", user=profile)
    assert d.outcome.value == "block", d.explanation
    assert any(v.id == "custom:gambling-ads" and v.source.value == "user" for v in d.categories)
    assert toy_guard.check("The library opens at nine on Saturdays.", user=profile).outcome.value == "allow"


def test_custom_category_with_warn_action_never_blocks(toy_guard) -> None:  # type: ignore[no-untyped-def]
    profile = UserProfile.model_validate({"id": "u", "custom_categories": [{
        "name": "spoilers", "description": "no spoilers for the TV series Severance", "action": "warn",
        "examples": ["In the Severance finale, Mark learns his wife Gemma is alive inside Lumon."]}]})
    d = toy_guard.check("Severance ending explained: Gemma is alive and held inside Lumon.", user=profile)
    assert d.outcome.value == "warn", d.explanation


def test_allow_examples_lower_near_neighbours_but_never_a_floor(toy_guard) -> None:  # type: ignore[no-untyped-def]
    text = "insultword, you clown, said my brother over dinner"
    # toy p(harassment) = 0.6, between the thresholds once the user warns from 0.5
    profile = UserProfile(id="u", settings={"harassment": {"warn": 0.5}})
    assert toy_guard.check(text, user=profile).outcome.value == "warn"
    profile = UserProfile(id="u", settings={"harassment": {"warn": 0.5}}, allow_examples=[text])
    d = toy_guard.check(text, user=profile)
    assert d.outcome.value == "allow", d.explanation
    assert d.risks["harassment"] < d.scores["harassment"]
    floor_text = "floorword story"
    floor_profile = UserProfile(id="u", allow_examples=[floor_text])
    d = toy_guard.check(floor_text, user=floor_profile)
    assert d.outcome.value == "block"
    assert d.risks["sexual/minors"] == pytest.approx(0.9)


def test_allow_examples_do_not_cancel_a_vulnerability(toy_guard) -> None:  # type: ignore[no-untyped-def]
    text = "I want to buy a bottle of vodka."
    profile = UserProfile.model_validate({"id": "u", "allow_examples": [text],
                                          "vulnerabilities": [{"id": "alcohol-use-disorder"}]})
    assert toy_guard.check(text, user=profile).outcome.value != "allow"


def test_age_band_implies_the_minor_entry(toy_guard) -> None:  # type: ignore[no-untyped-def]
    teen = UserProfile(id="u", age_band="teen")  # type: ignore[arg-type]
    d = toy_guard.check("Which online casino has the best welcome bonus?", user=teen)
    assert d.outcome.value != "allow"
    assert any(f.id == "minor" for f in d.user_factors)


@pytest.mark.parametrize(
    ("text", "topic"),
    [("Plan a wine-tasting weekend for me.", "alcohol"), ("Where can I get Jack Daniel's?", "alcohol"),
     ("I want an e-cigarette.", "tobacco"), ("Which stores offer buy now, pay later?", "credit-loans")],
)
def test_keywords_mark_their_topic_by_whole_words(toy_guard, text: str, topic: str) -> None:  # type: ignore[no-untyped-def]
    model = toy_guard.personal_risk_model()
    assert topic in {model.index.topic_ids[j] for j in model.lexicon_.match(text)}


def test_keywords_do_not_match_inside_other_words(toy_guard) -> None:  # type: ignore[no-untyped-def]
    model = toy_guard.personal_risk_model()
    assert model.lexicon_.match("The original ginger swine stayed in the begin-ning.") == set()
