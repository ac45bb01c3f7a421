"""Moderator feedback aggregated into a global proposal (docs/learning.md, moderator rule)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from personaguard.learn.learner import TrustRegionLearner
from personaguard.learn.moderation import aggregate_moderator_feedback
from personaguard.learn.reference import synthetic_reference
from personaguard.profile.learned import LearnedState
from personaguard.taxonomy import load_taxonomy

TAX = load_taxonomy()
LEARNER = TrustRegionLearner(delta_loosen=0.02).fit(TAX, reference_probs=synthetic_reference(TAX.ids, seed=5))
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _state(n: int, category: str, *, source: str, should: str = "allow", p: float = 0.9) -> LearnedState:
    row = np.full(len(TAX.ids), 1e-6)
    row[TAX.index(category)] = p
    state = LearnedState()
    for i in range(n):
        state = LEARNER.update(state, row, text=f"t{i}", should=should, verdict="block", source=source,
                               time=T0 + timedelta(minutes=i)).state
    return state


def test_a_category_moves_globally_only_with_enough_distinct_users() -> None:
    two = {"u1": _state(3, "violence", source="moderator"), "u2": _state(3, "violence", source="moderator")}
    assert aggregate_moderator_feedback(two, LEARNER, min_users=3).offsets == {}
    three = {**two, "u3": _state(3, "violence", source="moderator")}
    proposal = aggregate_moderator_feedback(three, LEARNER, min_users=3)
    assert proposal.support["violence"] == 3 and proposal.n_events == 9
    theta = proposal.offsets["violence"]
    assert 0.0 < theta <= LEARNER.theta_hi_[TAX.index("violence")] + 1e-12


def test_user_feedback_does_not_move_the_global_policy() -> None:
    states = {f"u{i}": _state(4, "violence", source="user") for i in range(5)}
    proposal = aggregate_moderator_feedback(states, LEARNER, min_users=1)
    assert proposal.offsets == {} and proposal.n_events == 0


def test_moderators_cannot_loosen_a_floor_globally() -> None:
    states = {f"u{i}": _state(5, "sexual/minors", source="moderator", p=0.3) for i in range(5)}
    proposal = aggregate_moderator_feedback(states, LEARNER, min_users=1)
    assert proposal.offsets.get("sexual/minors", 0.0) <= 0.0


def test_moderators_can_tighten_globally() -> None:
    states = {f"u{i}": _state(2, "sexual", source="moderator", should="block", p=0.4) for i in range(3)}
    proposal = aggregate_moderator_feedback(states, LEARNER, min_users=3)
    assert proposal.offsets["sexual"] < 0.0
    assert proposal.offsets["sexual"] >= LEARNER.theta_lo_[TAX.index("sexual")] - 1e-12


@pytest.mark.parametrize("min_users", [1, 2])
def test_support_counts_distinct_users_not_events(min_users: int) -> None:
    states = {"u1": _state(10, "hate", source="moderator")}
    proposal = aggregate_moderator_feedback(states, LEARNER, min_users=min_users)
    assert proposal.support["hate"] == 1
    assert ("hate" in proposal.offsets) == (min_users == 1)
