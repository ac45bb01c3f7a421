"""Moderator feedback aggregated over users into a proposed change of the global policy.

The rule (``docs/learning.md``): only ``source == "moderator"`` events count; they are replayed
in time order through the same trust-region step as a single "global user", so the global
proposal obeys the same KL bounds, step bound and floors as any user. A category's proposal
is kept only when moderator events about it came from at least ``min_users`` distinct users,
so one user's case never moves everyone. The result is a proposal for a reviewed taxonomy
release, not a live change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from personaguard.learn.learner import TrustRegionLearner
from personaguard.profile.learned import LearnedState

__all__ = ["GlobalProposal", "aggregate_moderator_feedback"]


@dataclass(frozen=True)
class GlobalProposal:
    """Proposed global offsets and the support behind each category.

    Attributes
    ----------
    offsets : dict of str to float
        theta per category for the global thresholds (only supported, non-zero ones).
    support : dict of str to int
        Distinct users whose moderator events moved each category in the replay.
    n_events : int
        Moderator events replayed.
    """

    offsets: dict[str, float]
    support: dict[str, int]
    n_events: int


def aggregate_moderator_feedback(states: Mapping[str, LearnedState], learner: TrustRegionLearner, *,
                                 min_users: int = 3) -> GlobalProposal:
    """Replay every user's moderator events through the trust region as one global learner.

    Parameters
    ----------
    states : mapping of user id to LearnedState
    learner : TrustRegionLearner
        A fitted learner; its bounds are the global trust region.
    min_users : int, default=3
        Distinct users needed before a category's global offset is proposed.

    Returns
    -------
    GlobalProposal
    """
    events = sorted(
        ((e.time, user, e) for user, s in states.items() for e in s.events if e.source == "moderator"),
        key=lambda t: (t[0], t[1]),
    )
    ids = learner.category_ids_
    theta = np.zeros(len(ids))
    movers: dict[str, set[str]] = {c: set() for c in ids}
    for _, user, e in events:
        row = np.array([e.p.get(c, 0.0) for c in ids], dtype=np.float64)
        step = learner.step(theta, row, y_block=e.should == "block")
        theta = step.theta
        for j in np.flatnonzero(step.moves):
            movers[ids[j]].add(user)
    support = {c: len(u) for c, u in movers.items() if u}
    offsets = {c: float(t) for c, t in zip(ids, theta) if t != 0.0 and support.get(c, 0) >= min_users}
    return GlobalProposal(offsets=offsets, support=support, n_events=len(events))
