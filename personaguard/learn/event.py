"""One feedback event applied to a user's learned state: the floor rule, the step and the log entry.

The learner (:class:`~personaguard.learn.learner.TrustRegionLearner`) owns the arithmetic;
this module turns a feedback event into offsets to start from, refuses what floors forbid, and
writes the :class:`~personaguard.profile.learned.FeedbackEvent` that the audit reads.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from typing import NamedTuple, Protocol

import numpy as np
from numpy.typing import NDArray

from personaguard.learn.region import ElasticRule, evidence_arrays, evidence_dict
from personaguard.learn.trust_region import FloatArray, StepResult
from personaguard.profile.learned import FeedbackEvent, LearnedState, LearnUpdate, UpdateInfo, text_digest
from personaguard.score.calibrate import logit

__all__ = ["EventLearner", "ElasticStep", "apply_event", "elastic_step", "start_offsets"]

#: A "should block" event counts against loosening a category that takes at least this share
#: of the event's tightening (the categories the text is mostly about).
OPPOSE_SHARE = 0.25


class EventLearner(Protocol):
    """What applying an event needs from a learner (``TrustRegionLearner`` is one).

    Declared here so this module does not import the learner, which imports it.
    """

    category_ids_: tuple[str, ...]
    is_floor_: NDArray[np.bool_]
    base_logit_: FloatArray
    theta_lo_: FloatArray
    moderator_weight: float
    min_move: float
    keep_text: bool

    @property
    def elastic(self) -> ElasticRule | None: ...
    def theta_of(self, state: LearnedState) -> FloatArray: ...
    def locked_mask(self, raised: Collection[str]) -> NDArray[np.bool_]: ...
    def levels_of(self, state: LearnedState) -> NDArray[np.int64]: ...
    def levels_from(self, support: FloatArray, oppose: FloatArray) -> NDArray[np.int64]: ...
    def delta_of(self, level: NDArray[np.int64]) -> FloatArray: ...
    def region_hi(self, level: NDArray[np.int64] | None, lock: NDArray[np.bool_]) -> FloatArray: ...
    def reference_kl(self, theta: FloatArray, base_logit: FloatArray | None = None) -> FloatArray: ...
    def bounds(self, theta: FloatArray, locked: NDArray[np.bool_],
               level: NDArray[np.int64] | None = None) -> FloatArray: ...
    def gradient_step(self, risk_row: FloatArray, theta: FloatArray, y_block: bool, weight: FloatArray | float,
                      base_logit: FloatArray | None = None) -> FloatArray: ...
    def step(self, theta: FloatArray, risk_row: FloatArray, *, y_block: bool, weight: FloatArray | float = 1.0,
             locked: NDArray[np.bool_] | None = None, base_logit: FloatArray | None = None,
             level: NDArray[np.int64] | None = None) -> StepResult: ...
    def shrink_into_region(self, theta: FloatArray, lock: NDArray[np.bool_], base_logit: FloatArray,
                           level: NDArray[np.int64] | None = None) -> FloatArray: ...


def start_offsets(learner: EventLearner, state: LearnedState, lock: NDArray[np.bool_],
                  base_logit: FloatArray | None, level: NDArray[np.int64] | None = None) -> FloatArray:
    """The state's offsets, brought inside the region in force before the step.

    A category that became locked after it loosened (a vulnerability added later) goes back to
    the global threshold; offsets stored under other bounds (another reference sample, other
    user thresholds, evidence that contradicting events have since reduced) are clipped or
    shrunk back inside, so the constraint holds before the step.
    """
    stored = learner.theta_of(state)
    return _inside(learner, np.where(lock & (stored > 0.0), 0.0, stored), lock, base_logit, level)


def evidence_flags(learner: EventLearner, row: FloatArray, theta: FloatArray, lock: NDArray[np.bool_], *,
                   should: str, weight: float,
                   base_logit: FloatArray | None) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Which categories this event supports loosening and which it opposes.

    Support: "should allow" on a text that the category was blocking (its risk at or above its
    threshold in force). Opposition: "should block" whose tightening falls mostly on the
    category (at least ``OPPOSE_SHARE`` of the largest). Locked categories collect neither.
    """
    base = learner.base_logit_ if base_logit is None else base_logit
    if should == "allow":
        supports = (logit(row) >= base + theta) & ~lock
        return supports, np.zeros_like(supports)
    tighten = -learner.gradient_step(row, theta, True, weight, base_logit)
    opposes = (tighten >= max(learner.min_move, OPPOSE_SHARE * float(tighten.max(initial=0.0)))) & ~lock
    return np.zeros_like(opposes), opposes


class ElasticStep(NamedTuple):
    """One event on arrays: the step, the evidence after it and the levels before and after."""

    step: StepResult
    support: FloatArray
    oppose: FloatArray
    level_before: NDArray[np.int64]
    level: NDArray[np.int64]


def elastic_step(learner: EventLearner, theta: FloatArray, support: FloatArray, oppose: FloatArray, row: FloatArray,
                 *, should: str, weight: float, lock: NDArray[np.bool_],
                 base_logit: FloatArray | None = None) -> ElasticStep:
    """One event on arrays (what ``apply_event`` and the simulation both run); floors not checked here.

    Order: the event's evidence first (so it widens or shrinks the region it is judged in),
    offsets brought inside that region when it shrank, then the trust-region step. ``theta``
    must be inside the region at the levels of ``support`` and ``oppose``.
    """
    level_before = learner.levels_from(support, oppose)
    level = level_before
    step_weight: FloatArray | float = weight
    if learner.elastic is not None:
        step_weight = learner.elastic.step_weights(support, oppose, should=should, weight=weight)
        supports, opposes = evidence_flags(learner, row, theta, lock, should=should, weight=weight,
                                           base_logit=base_logit)
        support = support + weight * supports
        oppose = oppose + weight * opposes
        level = learner.levels_from(support, oppose)
        if (level < level_before).any():
            theta = _inside(learner, theta, lock, base_logit, level)
    step = learner.step(theta, row, y_block=should == "block", weight=step_weight, locked=lock,
                        base_logit=base_logit, level=level)
    return ElasticStep(step, support, oppose, level_before, level)


def _inside(learner: EventLearner, theta: FloatArray, lock: NDArray[np.bool_], base_logit: FloatArray | None,
            level: NDArray[np.int64] | None) -> FloatArray:
    if base_logit is None:
        return np.clip(theta, learner.theta_lo_, learner.region_hi(level, lock))
    return learner.shrink_into_region(theta, lock, base_logit, level)


def apply_event(learner: EventLearner, state: LearnedState, row: FloatArray, *, text: str, should: str,
                verdict: str, source: str, raised: Collection[str], base_logit: FloatArray | None,
                context: str | None, time: datetime | None) -> LearnUpdate:
    """Apply one validated feedback event; see :meth:`TrustRegionLearner.update`."""
    lock = learner.locked_mask(raised)
    ids = learner.category_ids_
    base = learner.base_logit_ if base_logit is None else base_logit
    weight = learner.moderator_weight if source == "moderator" else 1.0
    support, oppose = evidence_arrays(state.regions, ids)
    level = learner.levels_from(support, oppose)
    theta = start_offsets(learner, state, lock, base_logit, level)
    floor_blocking = [c for j, c in enumerate(ids) if learner.is_floor_[j] and logit(row[j]) >= base[j] + theta[j]]
    if should == "allow" and floor_blocking:
        step = StepResult(theta, np.zeros_like(theta), learner.reference_kl(theta, base_logit),
                          learner.bounds(theta, lock, level), 0)
        reason = (f"floor category {floor_blocking[0]} blocks this text and cannot be relaxed; "
                  "the feedback is recorded for moderators and changes nothing")
        bounds: dict[str, float] = {}
    else:
        res = elastic_step(learner, theta, support, oppose, row, should=should, weight=weight, lock=lock,
                           base_logit=base_logit)
        step, support, oppose = res.step, res.support, res.oppose
        new_bounds = learner.delta_of(res.level)
        bounds = {ids[j]: float(new_bounds[j]) for j in np.flatnonzero(res.level != res.level_before)}
        reason = _reason(step, lock, should, ids)
    event = _event(step, row, ids, text=text if learner.keep_text else None, digest=text_digest(text), should=should,
                   verdict=verdict, source=source, reason=reason, context=context, time=time, bounds=bounds)
    offsets = {c: float(t) for c, t in zip(ids, step.theta) if t != 0.0}
    new_state = state.model_copy(update={"offsets": offsets, "events": (*state.events, event),
                                         "regions": evidence_dict(support, oppose, ids)})
    info = UpdateInfo(applied=event.applied, reason=reason, moves=event.moves,
                      kl_by_category={c: float(v) for c, v in zip(ids, step.kl)}, n_backtracks=step.n_backtracks,
                      bounds=bounds)
    return LearnUpdate(new_state, event.kl, event.delta, info)


def _reason(step: StepResult, lock: NDArray[np.bool_], should: str, ids: tuple[str, ...]) -> str:
    moved = np.abs(step.moves) > 1e-12
    if moved.any():
        top = int(np.argmax(np.abs(step.moves)))
        return f"moved {int(moved.sum())} categor{'y' if moved.sum() == 1 else 'ies'}, most {ids[top]}"
    if should == "allow" and lock.any():
        return "no category could loosen: the trust region is exhausted or the categories are locked"
    return "no category could move: the trust region bound is reached"


def _event(step: StepResult, row: FloatArray, ids: tuple[str, ...], *, text: str | None, digest: str, should: str,
           verdict: str, source: str, reason: str, context: str | None, time: datetime | None,
           bounds: dict[str, float]) -> FeedbackEvent:
    """The log entry: hashes, the risks, the moves and the binding category's KL and bound."""
    moves = {ids[j]: float(step.moves[j]) for j in np.flatnonzero(np.abs(step.moves) > 1e-12)}
    binding = int(np.argmax(step.kl / np.maximum(step.delta, 1e-12)))
    return FeedbackEvent(
        time=time or datetime.now(UTC),
        text_sha256=digest,
        text=text,
        context_sha256=None if context is None else text_digest(context),
        verdict=str(verdict),  # type: ignore[arg-type]
        should=should,  # type: ignore[arg-type]
        source=source,  # type: ignore[arg-type]
        p={c: float(p) for c, p in zip(ids, row)},
        moves=moves,
        applied=bool(moves),
        reason=reason,
        kl=float(step.kl[binding]),
        delta=float(step.delta[binding]),
        bounds=bounds,
    )
