"""The trust-region arithmetic of the learner: Bernoulli KL on logits and the step record.

Kept apart from :mod:`personaguard.learn.learner` so the maths can be read (and
property-tested) without the event bookkeeping.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "FloatArray", "StepResult", "bernoulli_kl_mean", "softplus", "feasible_interval", "halve_within",
    "halve_until_inside",
]

#: Largest offset magnitude considered (logits): beyond it every soft policy has saturated.
THETA_CAP = 30.0

FloatArray = NDArray[np.float64]


def softplus(x: FloatArray) -> FloatArray:
    # max(x, 0) + log1p(exp(-|x|)): exact and several times faster than np.logaddexp(0, x).
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def bernoulli_kl_mean(a: FloatArray, shift: FloatArray, softplus_a: FloatArray | None = None) -> FloatArray:
    """Mean over rows of KL(Bern(sigmoid(a + shift)) || Bern(sigmoid(a))), per column.

    Written on logits, ``KL = q * shift + softplus(a) - softplus(a + shift)`` with
    ``q = sigmoid(a + shift)``, which stays exact when the probabilities are near 0 or 1.

    Parameters
    ----------
    a : ndarray of shape (n_ref, n_categories)
        Reference-policy logits ``k * (logit p - logit tau)``.
    shift : ndarray of shape (n_categories,)
        Change of the policy logit, ``-k * theta``.
    softplus_a : ndarray like ``a`` or None, default=None
        ``softplus(a)`` when the caller has it cached (the reference sample is fixed).

    Returns
    -------
    ndarray of shape (n_categories,)

    Examples
    --------
    >>> a = np.zeros((1, 2))
    >>> np.round(bernoulli_kl_mean(a, np.array([0.0, np.log(3.0)])), 4).tolist()
    [0.0, 0.1308]
    """
    b = a + shift
    sp_b = softplus(b)
    q = np.exp(b - sp_b)  # sigmoid(b), reusing softplus(b) = -log(1 - q)
    kl = q * shift + (softplus(a) if softplus_a is None else softplus_a) - sp_b
    return np.maximum(kl, 0.0).mean(axis=0)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class StepResult:
    """What one array-level step did.

    Attributes
    ----------
    theta : ndarray of shape (n_categories,)
        Offsets after the step.
    moves : ndarray of shape (n_categories,)
        Change applied to each offset (0 where nothing moved).
    kl : ndarray of shape (n_categories,)
        Mean KL on the reference sample per category after the step.
    delta : ndarray of shape (n_categories,)
        Bound in force per category after the step (depends on the sign of its offset).
    n_backtracks : int
        Halvings needed by the category that needed most.
    """

    theta: FloatArray
    moves: FloatArray
    kl: FloatArray
    delta: FloatArray
    n_backtracks: int



def feasible_interval(a: FloatArray, *, k: float, delta_loosen: float,
                      delta_tighten: float) -> tuple[FloatArray, FloatArray]:
    """Per category, the offsets ``[lo, hi]`` whose reference KL stays within the bound.

    ``d KL / d s = s * sigmoid'(a + s)`` has the sign of the logit shift ``s = -k theta``, so
    the KL grows monotonically with ``|theta|`` on each side of 0 and the feasible set is an
    interval; each end is found by 60 bisection steps and is itself feasible. Offsets are
    capped at ``THETA_CAP`` logits.

    Parameters
    ----------
    a : ndarray of shape (n_ref, n_categories)
        Reference-policy logits.
    k, delta_loosen, delta_tighten : float

    Returns
    -------
    lo, hi : ndarray of shape (n_categories,)

    Examples
    --------
    >>> lo, hi = feasible_interval(np.zeros((4, 1)), k=1.0, delta_loosen=0.0, delta_tighten=0.1308)
    >>> float(hi[0]), round(float(lo[0]), 3)
    (0.0, -1.099)
    """
    ends = []
    for sign, delta in ((1.0, delta_loosen), (-1.0, delta_tighten)):
        good = np.zeros(a.shape[1])
        bad = np.full_like(good, THETA_CAP)
        inside = bernoulli_kl_mean(a, -k * sign * bad) <= delta
        good[inside] = THETA_CAP
        for _ in range(60):
            mid = 0.5 * (good + bad)
            ok = bernoulli_kl_mean(a, -k * sign * mid) <= delta
            good = np.where(ok & ~inside, mid, good)
            bad = np.where(ok | inside, bad, mid)
        ends.append(sign * good if delta > 0 else np.zeros_like(good))  # 0 means 0, not float dust
    hi, lo = ends
    return lo, hi


def halve_within(theta: FloatArray, d: FloatArray, lo: FloatArray, hi: FloatArray, *,
                 max_backtracks: int, min_move: float) -> tuple[FloatArray, int]:
    """Backtracking judged against a known feasible interval: the first ``d / 2**j`` inside.

    Returns the chosen step per column (0 where no halving above ``min_move`` fits) and the
    largest number of halvings used.

    Examples
    --------
    >>> d, n = halve_within(np.zeros(1), np.ones(1), np.full(1, -5.0), np.full(1, 0.3),
    ...                     max_backtracks=20, min_move=0.01)
    >>> float(d[0]), n
    (0.25, 2)
    """
    if d.size == 0:
        return d, 0
    steps = (0.5 ** np.arange(max_backtracks + 1))[:, None] * d[None, :]
    cand = theta[None, :] + steps
    ok = (cand <= hi) & (cand >= lo) & (np.abs(steps) >= min_move)
    first = np.argmax(ok, axis=0)
    feasible = ok[first, np.arange(d.size)]
    chosen = np.where(feasible, steps[first, np.arange(d.size)], 0.0)
    return chosen, int(np.where(feasible, first, max_backtracks + 1).max())


def halve_until_inside(a: FloatArray, theta: FloatArray, d: FloatArray, *, k: float, delta_loosen: FloatArray,
                       delta_tighten: float, max_backtracks: int, min_move: float) -> tuple[FloatArray, int]:
    """Halve each column's step until its exact reference KL is within its bound (TRPO-style).

    A step halved below ``min_move`` is dropped instead: the current offsets satisfy the
    constraint, so "no move" always ends inside, and the work stays at most
    ``log2(max_step / min_move)`` KL evaluations. ``delta_loosen`` is per column (0 = locked).
    """
    n_back = 0
    bad = np.zeros(d.shape, dtype=bool)
    for _ in range(max_backtracks + 1):
        live = d != 0.0
        if not live.any():
            break
        cand = theta[live] + d[live]
        kl = bernoulli_kl_mean(a[:, live], -k * cand)
        bad = np.zeros_like(live)
        bad[live] = kl > np.where(cand > 0.0, delta_loosen[live], delta_tighten)
        if not bad.any():
            break
        d = np.where(bad, d * 0.5, d)
        d = np.where(bad & (np.abs(d) < min_move), 0.0, d)
        n_back += 1
    else:
        d = np.where(bad, 0.0, d)  # still outside after every halving: no move
    return d, n_back
