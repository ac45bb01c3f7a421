"""Hypothesis invariants of the trust-region learner: no feedback sequence escapes the region."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from personaguard.learn.learner import TrustRegionLearner
from personaguard.learn.reference import synthetic_reference
from personaguard.profile.learned import LearnedState
from personaguard.taxonomy import load_taxonomy

TAX = load_taxonomy()
N_CAT = len(TAX.ids)
FLOORS = [c.id for c in TAX.categories if c.floor]
LEARNER = TrustRegionLearner(delta_loosen=0.02, delta_tighten=0.3).fit(
    TAX, reference_probs=synthetic_reference(TAX.ids, seed=3)
)

probs = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
events = st.tuples(
    st.lists(probs, min_size=N_CAT, max_size=N_CAT),
    st.sampled_from(["allow", "block"]),
    st.sampled_from(["user", "moderator"]),
    st.lists(st.sampled_from(TAX.ids), max_size=3),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(events, min_size=1, max_size=40))
def test_kl_stays_within_delta_after_every_update(seq: list[tuple[list[float], str, str, list[str]]]) -> None:
    state = LearnedState()
    for row, should, source, raised in seq:
        res = LEARNER.update(state, np.array(row), text="text", should=should, verdict="allow", source=source, raised=raised)
        state = res.state
        assert res.kl <= res.delta + 1e-12, (row, should)
        theta = LEARNER.theta_of(state)
        kl = LEARNER.reference_kl(theta)
        lock = LEARNER.locked_mask(raised)
        assert (kl <= LEARNER.bounds(theta, lock, LEARNER.levels_of(state)) + 1e-12).all(), dict(zip(TAX.ids, kl))
        # the documented worst case: n events of weight <= moderator_weight give at most this bound
        worst = LEARNER.elastic.worst_case_delta(len(state.events), LEARNER.delta_loosen,
                                                 weight=LEARNER.moderator_weight)
        loosened = theta > 0
        assert (kl[loosened] <= worst + 1e-12).all()
        assert (theta <= LEARNER.loosen_cap_ + 1e-9).all()


@settings(max_examples=60, deadline=None)
@given(st.lists(events, min_size=1, max_size=40))
def test_floors_never_loosen(seq: list[tuple[list[float], str, str, list[str]]]) -> None:
    state = LearnedState()
    for row, should, source, raised in seq:
        state = LEARNER.update(state, np.array(row), text="t", should=should, verdict="block", source=source,
                               raised=raised).state
        for floor in FLOORS:
            assert state.offset(floor) <= 0.0, (floor, state.offsets)


@settings(max_examples=40, deadline=None)
@given(st.lists(events, min_size=0, max_size=15), st.booleans())
def test_learned_state_round_trips(seq: list[tuple[list[float], str, str, list[str]]], keep: bool) -> None:
    learner = TrustRegionLearner(keep_text=keep).fit(TAX, reference_probs=synthetic_reference(TAX.ids, seed=3))
    state = LearnedState()
    for i, (row, should, source, raised) in enumerate(seq):
        state = learner.update(state, np.array(row), text=f"text {i}", should=should, verdict="warn", source=source,
                               raised=raised, context=None if i % 2 else "ctx").state
    assert LearnedState.model_validate_json(state.model_dump_json()) == state
    assert LearnedState.model_validate(state.model_dump(mode="json")) == state


@settings(max_examples=40, deadline=None)
@given(st.lists(events, min_size=1, max_size=25),
       st.lists(st.floats(min_value=0.05, max_value=0.95), min_size=N_CAT, max_size=N_CAT))
def test_kl_bound_holds_around_user_set_thresholds(seq: list[tuple[list[float], str, str, list[str]]],
                                                   blocks: list[float]) -> None:
    # Explicit user thresholds take the exact halving loop instead of the precomputed interval.
    base = np.log(np.array(blocks) / (1 - np.array(blocks)))
    state = LearnedState()
    for row, should, source, raised in seq:
        res = LEARNER.update(state, np.array(row), text="t", should=should, verdict="allow", source=source,
                             raised=raised, base_logit=base)
        state = res.state
        theta = LEARNER.theta_of(state)
        kl = LEARNER.reference_kl(theta, base)
        assert (kl <= LEARNER.bounds(theta, LEARNER.locked_mask(raised), LEARNER.levels_of(state)) + 1e-12).all()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(min_value=0.3, max_value=1.0), min_size=N_CAT, max_size=N_CAT),
       st.integers(min_value=0, max_value=8), st.integers(min_value=1, max_value=4))
def test_contradictions_never_leave_the_bound_wider_than_net_evidence(row: list[float], n_support: int,
                                                                       n_oppose: int) -> None:
    state = LearnedState()
    for _ in range(n_support):
        state = LEARNER.update(state, np.array(row), text="t", should="allow", verdict="block").state
    for _ in range(n_oppose):
        state = LEARNER.update(state, np.array(row), text="t", should="block", verdict="allow").state
    rule = LEARNER.elastic
    theta = LEARNER.theta_of(state)
    kl = LEARNER.reference_kl(theta)
    for j, c in enumerate(TAX.ids):
        ev = state.regions.get(c)
        net = 0.0 if ev is None else ev.support - rule.contradiction_weight * ev.oppose
        level = int(min(max(np.floor(net + 1e-9), 0), LEARNER.max_evidence_))
        bound = float(rule.delta(np.array(level), LEARNER.delta_loosen))
        if theta[j] > 0:
            assert kl[j] <= bound + 1e-12, (c, ev, kl[j], bound)
