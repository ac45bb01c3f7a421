"""The arithmetic of one trust-region step: the joint logistic gradient and its projection.

Pure functions on arrays, kept apart from the learner's bookkeeping
(:mod:`personaguard.learn.event`) so the rule of ``docs/learning.md`` can be read
in one place. The KL itself and the halving loops live in
:mod:`personaguard.learn.trust_region`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from personaguard.learn.trust_region import FloatArray, bernoulli_kl_mean, halve_until_inside

__all__ = ["backtrack_exact", "joint_logistic_step", "project_step", "shrink_into_region"]

#: ``theta -> bound in force per category``, shape (n_categories,) -> (n_categories,).
BoundsFn = Callable[[FloatArray], FloatArray]


def joint_logistic_step(pi: FloatArray, *, y_block: bool, k: float, learning_rate: float,
                        weight: FloatArray | float) -> FloatArray:
    """``-lr * weight * dLoss/dtheta`` of the joint policy ``pi(block) = 1 - prod_c (1 - pi_c)``.

    Parameters
    ----------
    pi : ndarray of shape (n_categories,)
        Per-category block probability of the text under the current offsets.
    y_block : bool
        True when the feedback says the text should be blocked.
    k, learning_rate : float
    weight : float or ndarray of shape (n_categories,)

    Returns
    -------
    ndarray of shape (n_categories,)
        Positive entries loosen, negative ones tighten.

    Examples
    --------
    >>> joint_logistic_step(np.array([0.5, 0.0]), y_block=False, k=2.0, learning_rate=0.5, weight=1.0).tolist()
    [0.5, 0.0]
    >>> joint_logistic_step(np.array([0.5, 0.0]), y_block=True, k=2.0, learning_rate=0.5, weight=1.0).tolist()
    [-0.5, -0.0]
    """
    if not y_block:
        # L = -sum_c log(1 - pi_c); dL/dtheta_c = -k pi_c: loosen in proportion to pi_c.
        grad = -k * pi
    else:
        # L = -log(1 - prod_c(1 - pi_c)); dL/dtheta_c = k pi_c Q / P with Q = prod(1 - pi_c).
        log_q = float(np.sum(np.log1p(-np.minimum(pi, 1.0 - 1e-12))))
        p_block = -np.expm1(log_q)
        share = pi / max(p_block, 1e-300) if p_block > 1e-12 else pi / max(float(pi.sum()), 1e-300)
        grad = k * share * np.exp(log_q)
    return -learning_rate * weight * grad


def project_step(step: FloatArray, theta: FloatArray, lock: NDArray[np.bool_], *, max_step: float,
                 min_move: float) -> FloatArray:
    """Clip to ``max_step`` (proximal bound), stop locked categories at 0, drop moves below ``min_move``.

    A locked category may come back up to 0 from a tightened offset but never above it.

    Examples
    --------
    >>> project_step(np.array([2.0, 0.5, 0.001]), np.array([0.0, -0.2, 0.0]), np.array([False, True, False]),
    ...              max_step=1.0, min_move=0.01).tolist()
    [1.0, 0.2, 0.0]
    """
    proposed = np.clip(step, -max_step, max_step)
    proposed = np.where(lock & (proposed > 0.0), np.minimum(proposed, np.maximum(-theta, 0.0)), proposed)
    return np.where(np.abs(proposed) < min_move, 0.0, proposed)


def backtrack_exact(a: FloatArray, theta: FloatArray, d: FloatArray, lock: NDArray[np.bool_], *, k: float,
                    delta_loosen: FloatArray | float, delta_tighten: float, max_loosen: FloatArray | float,
                    max_backtracks: int,
                    min_move: float) -> tuple[FloatArray, int]:
    """Halve each column's step until its exact reference KL is within its bound; the loosening cap first.

    ``a`` are the reference-policy logits of the moving columns, shape (n_ref, n_moving);
    ``delta_loosen`` and ``max_loosen`` are scalars or per moving column (the elastic region).
    Returns the chosen steps and the largest number of halvings.
    """
    loosen = np.where(lock, 0.0, delta_loosen)
    d = np.where(d > 0.0, np.minimum(d, np.maximum(max_loosen - theta, 0.0)), d)
    return halve_until_inside(a, theta, d, k=k, delta_loosen=loosen, delta_tighten=delta_tighten,
                              max_backtracks=max_backtracks, min_move=min_move)


def shrink_into_region(theta: FloatArray, a: FloatArray, bounds_of: BoundsFn, *, k: float) -> FloatArray:
    """Scale offsets that break their bound back inside by bisection on the scale factor.

    Used when the centre of the region moved since the offsets were learned (the user changed
    an explicit threshold). ``a`` are the reference-policy logits, shape (n_ref, n_categories),
    and ``bounds_of(theta)`` gives the bound in force per category.
    """

    def kl(t: FloatArray) -> FloatArray:
        return bernoulli_kl_mean(a, -k * t)

    bad = kl(theta) > bounds_of(theta)
    if not bad.any():
        return theta
    good, over = np.zeros_like(theta), np.ones_like(theta)
    for _ in range(50):
        mid = 0.5 * (good + over)
        ok = kl(theta * mid) <= bounds_of(theta * mid)
        good, over = np.where(ok, mid, good), np.where(ok, over, mid)
    return np.where(bad, theta * good, theta)
