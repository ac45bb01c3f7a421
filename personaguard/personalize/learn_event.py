"""One feedback event applied to a user's learned state: the floor rule, the step and the log entry.

The learner (:class:`~personaguard.personalize.learn.TrustRegionLearner`) owns the arithmetic;
this module turns a feedback event into offsets to start from, refuses what floors forbid, and
writes the :class:`~personaguard.personalize.learned.FeedbackEvent` that the audit reads.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from personaguard.personalize.learned import FeedbackEvent, LearnedState, LearnUpdate, UpdateInfo, text_digest
from personaguard.personalize.trust_region import FloatArray, StepResult
from personaguard.score.calibrate import logit

if TYPE_CHECKING:  # learn.py imports this module
    from personaguard.personalize.learn import TrustRegionLearner

__all__ = ["apply_event", "start_offsets"]


def start_offsets(learner: TrustRegionLearner, state: LearnedState, lock: NDArray[np.bool_],
                  base_logit: FloatArray | None) -> FloatArray:
    """The state's offsets, brought inside the region before the step.

    A category that became locked after it loosened (a vulnerability added later) goes back to
    the global threshold; offsets stored under other bounds (another reference sample, other
    user thresholds) are clipped or shrunk back inside, so the constraint holds before the step.
    """
    stored = learner.theta_of(state)
    theta = np.where(lock & (stored > 0.0), 0.0, stored)
    if base_logit is None:
        return np.clip(theta, learner.theta_lo_, np.where(lock, 0.0, learner.theta_hi_))
    return learner.shrink_into_region(np.minimum(theta, learner.max_loosen), lock, base_logit)


def apply_event(learner: TrustRegionLearner, state: LearnedState, row: FloatArray, *, text: str, should: str,
                verdict: str, source: str, raised: Collection[str], base_logit: FloatArray | None,
                context: str | None, time: datetime | None) -> LearnUpdate:
    """Apply one validated feedback event; see :meth:`TrustRegionLearner.update`."""
    lock = learner.locked_mask(raised)
    theta = start_offsets(learner, state, lock, base_logit)
    base = learner.base_logit_ if base_logit is None else base_logit
    ids = learner.category_ids_
    floor_blocking = [c for j, c in enumerate(ids) if learner.is_floor_[j] and logit(row[j]) >= base[j] + theta[j]]
    if should == "allow" and floor_blocking:
        step = StepResult(theta, np.zeros_like(theta), learner.reference_kl(theta, base_logit),
                          learner.bounds(theta, lock), 0)
        reason = (f"floor category {floor_blocking[0]} blocks this text and cannot be relaxed; "
                  "the feedback is recorded for moderators and changes nothing")
    else:
        weight = learner.moderator_weight if source == "moderator" else 1.0
        step = learner.step(theta, row, y_block=should == "block", weight=weight, locked=lock, base_logit=base_logit)
        reason = _reason(step, lock, should, ids)
    event = _event(step, row, ids, text=text if learner.keep_text else None, digest=text_digest(text), should=should,
                   verdict=verdict, source=source, reason=reason, context=context, time=time)
    offsets = {c: float(t) for c, t in zip(ids, step.theta) if t != 0.0}
    new_state = state.model_copy(update={"offsets": offsets, "events": (*state.events, event)})
    info = UpdateInfo(applied=event.applied, reason=reason, moves=event.moves,
                      kl_by_category={c: float(v) for c, v in zip(ids, step.kl)}, n_backtracks=step.n_backtracks)
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
           verdict: str, source: str, reason: str, context: str | None, time: datetime | None) -> FeedbackEvent:
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
    )
