"""The learning simulation harness on a seeded synthetic pool of scores."""

from __future__ import annotations

import numpy as np
import pytest

from personaguard.eval.personas import PERSONAS, hidden_thresholds, stream_weights
from personaguard.eval.scored_pool import ScoredPool
from personaguard.eval.simulate import SimulationConfig, run_adversarial, run_honest
from personaguard.personalize.learn import TrustRegionLearner
from personaguard.personalize.reference import synthetic_reference
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
    assert res.max_kl <= LEARNER.delta_loosen + 1e-12
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


def test_stream_weights_favour_the_persona_interests() -> None:
    survivor = next(p for p in PERSONAS if p.name == "survivor-no-graphic-violence")
    w = stream_weights(survivor, PROBS, TAX)
    violent = PROBS[:, TAX.index("violence")] > 0.1
    assert w.sum() == pytest.approx(1.0)
    assert w[violent].mean() > 3 * w[~violent & (PROBS[:, TAX.index("violence/graphic")] <= 0.1)].mean()


@pytest.mark.parametrize("name", ["strict-workplace", "survivor-no-graphic-violence"])
def test_feedback_from_a_stricter_user_raises_agreement(name: str) -> None:
    persona = next(p for p in PERSONAS if p.name == name)
    res = run_honest(POOL, TAX, LEARNER, persona, np.random.default_rng(2), SimulationConfig(n_eval=300))
    assert res.agreement_trust[50] > res.agreement_trust[0], res
