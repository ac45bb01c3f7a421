"""The trust-region arithmetic of the learner: Bernoulli KL on logits and the step record.

Kept apart from :mod:`personaguard.personalize.learn` so the maths can be read (and
property-tested) without the event bookkeeping.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray


__all__ = ["FloatArray", "StepResult", "bernoulli_kl_mean", "softplus"]

FloatArray = NDArray[np.float64]


def softplus(x: FloatArray) -> FloatArray:
    # max(x, 0) + log1p(exp(-|x|)): exact and several times faster than np.logaddexp(0, x).
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))  # type: ignore[no-any-return]


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
