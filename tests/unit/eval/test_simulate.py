"""The learning simulation harness on a seeded synthetic pool of scores."""

from __future__ import annotations

import numpy as np
import pytest

from personaguard.eval.personas import PERSONAS, hidden_thresholds, topic_rows, traffic_weights
from personaguard.eval.scored_pool import ScoredPool
from personaguard.eval.simulate import SimulationConfig, run_adversarial, run_honest
from personaguard.learn.learner import TrustRegionLearner
from personaguard.learn.reference import synthetic_reference
from personaguard.taxonomy import load_taxonomy

TAX = load_taxonomy()
PROBS = synthetic_reference(TAX.ids, seed=21, n_rows=1500)
POOL = ScoredPool(tuple(TAX.ids), PROBS, np.array(["synthetic"] * len(PROBS)), PROBS.max(axis=1) > 0.6,
                  np.array([f"{i:064x}" for i in range(len(PROBS))]))
LEARNER = TrustRegionLearner().fit(TAX, reference_probs=synthetic_reference(TAX.ids, seed=0))


def test_adversary_stays_in_the_region_and_never_flips_a_floor() -> None:
    cfg = SimulationConfig(adversarial_events=3000)
    res = run_adversarial(POOL, TAX, LEARNER, np.random.default_rng(0), cfg)
    assert res.violations == 0
    assert res.max_kl <= res.max_delta + 1e-12 <= LEARNER.elastic.delta_max + 1e-12
    assert res.max_delta > LEARNER.delta_loosen, "3000 consistent events widen the elastic region"
    assert res.floor_texts > 0 and res.floor_flips_trust == 0
    assert res.floor_flips_free == res.floor_texts, "unconstrained learning unblocks every floor text"
    assert res.harmful_allow_free > res.harmful_allow_trust >= res.harmful_allow_before
    assert set(res.max_offset) <= {c.id for c in TAX.categories if not c.floor}


@pytest.mark.parametrize("persona", PERSONAS, ids=[p.name for p in PERSONAS])
def test_honest_user_curves_start_at_one_size_fits_all(persona) -> None:  # type: ignore[no-untyped-def]
    cfg = SimulationConfig(n_eval=200, max_stream=2000)
    res = run_honest(POOL, TAX, LEARNER, persona, np.random.default_rng(1), cfg)
    assert res.agreement_trust[0] == res.agreement_free[0]
    assert set(res.agreement_trust) == set(cfg.checkpoints)
    assert 0.05 <= res.noise <= 0.20


def test_hidden_thresholds_never_relax_a_floor() -> None:
    for persona in PERSONAS:
        hidden = hidden_thresholds(persona, TAX)
        for c in TAX.categories:
            if c.floor:
                assert hidden[TAX.index(c.id)] <= c.block, (persona.name, c.id)


@pytest.mark.parametrize("share", [0.0, 0.5, 0.8, 1.0])
def test_own_traffic_puts_the_stated_share_on_the_persona_topics(share: float) -> None:
    survivor = next(p for p in PERSONAS if p.name == "survivor-no-graphic-violence")
    topics = np.zeros_like(PROBS, dtype=bool)
    topics[:300, TAX.index("violence")] = True  # the first 300 rows are labelled violent by their source
    general = np.arange(len(PROBS)) >= 100  # rows 0-99 are topic top-up, not general traffic
    w = traffic_weights(survivor, PROBS, TAX, topic_share=share, topics=topics, is_general=general)
    assert w.sum() == pytest.approx(1.0)
    # topic rows 0-299 get `share` evenly; general rows 100-1499 get 1 - share evenly (overlap 100-299).
    expected_topic = share + (1 - share) * 200 / 1400
    assert w[:300].sum() == pytest.approx(expected_topic)
    assert w[:100].sum() == pytest.approx(share * 100 / 300)


def test_topic_rows_fall_back_to_scores_without_source_labels() -> None:
    survivor = next(p for p in PERSONAS if p.name == "survivor-no-graphic-violence")
    rows = topic_rows(survivor, None, PROBS, TAX)
    expected = (PROBS[:, [TAX.index(c) for c in survivor.topics]] > 0.1).any(axis=1)
    assert (rows == expected).all()


def test_region_ceiling_of_a_one_category_persona_is_at_least_one_size_fits_all() -> None:
    # Moving one threshold toward the hidden one can only add agreement; the region stops it part way.
    adult = next(p for p in PERSONAS if p.name == "profanity-tolerant-adult")
    res = run_honest(POOL, TAX, LEARNER, adult, np.random.default_rng(4), SimulationConfig(n_eval=300))
    assert res.ceiling_region >= res.agreement_trust[0]
    assert set(res.agreement_trust_general) == set(res.agreement_trust)


@pytest.mark.parametrize("name", ["strict-workplace", "survivor-no-graphic-violence"])
def test_feedback_from_a_stricter_user_raises_agreement(name: str) -> None:
    persona = next(p for p in PERSONAS if p.name == name)
    res = run_honest(POOL, TAX, LEARNER, persona, np.random.default_rng(2), SimulationConfig(n_eval=300))
    assert res.agreement_trust[50] > res.agreement_trust[0], res


def test_adversary_after_honest_history_still_keeps_floors() -> None:
    adult = next(p for p in PERSONAS if p.name == "profanity-tolerant-adult")
    cfg = SimulationConfig(adversarial_events=500)
    res = run_adversarial(POOL, TAX, LEARNER, np.random.default_rng(3), cfg, honest_as=adult)
    assert res.honest_as == adult.name and res.honest_events > 0
    assert res.floor_flips_trust == 0 and res.violations == 0
    caps = dict(zip(TAX.ids, LEARNER.loosen_cap_))
    assert all(v <= caps[c] + 1e-9 for c, v in res.max_offset.items())
