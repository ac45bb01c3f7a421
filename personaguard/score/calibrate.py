"""Per-category Platt calibration of head logits, fitted on data the heads never saw."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["PlattCalibrator", "sigmoid", "logit"]


def sigmoid(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """Numerically safe logistic function."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # type: ignore[no-any-return]


def logit(p: NDArray[np.float64] | float, eps: float = 1e-6) -> NDArray[np.float64]:
    """Inverse of :func:`sigmoid`, clipped away from 0 and 1."""
    # np.clip's values through two ufuncs, without its Python wrapper: this runs on every
    # escalated window (the cascade's blend).
    q = np.minimum(np.maximum(np.asarray(p, dtype=np.float64), eps), 1.0 - eps)
    return np.log(q / (1.0 - q))  # type: ignore[no-any-return]


class PlattCalibrator:
    """``p = sigmoid(a * z + b)`` per column, fitted by weighted logistic regression on z.

    Parameters
    ----------
    max_iter : int, default=100
        Newton iterations per column.

    Attributes
    ----------
    a_, b_ : ndarray of shape (n_columns,)

    Examples
    --------
    >>> z = np.array([[-2.0], [-1.0], [1.0], [2.0]])
    >>> y = np.array([[0.0], [0.0], [1.0], [1.0]])
    >>> cal = PlattCalibrator().fit(z, y)
    >>> bool(cal.predict_proba(z)[3, 0] > 0.5)
    True
    """

    def __init__(self, *, max_iter: int = 100) -> None:
        self.max_iter = max_iter

    def fit(self, z: NDArray[np.float64], y: NDArray[np.float64], mask: NDArray[np.bool_] | None = None) -> "PlattCalibrator":
        """Fit on logits ``z`` (n, k) and labels ``y`` (n, k); ``mask`` marks known labels."""
        n, k = z.shape
        if mask is None:
            mask = np.ones_like(y, dtype=bool)
        a = np.ones(k)
        b = np.zeros(k)
        for j in range(k):
            m = mask[:, j]
            if m.sum() < 10 or y[m, j].min() == y[m, j].max():
                continue  # too little signal: keep the identity map
            a[j], b[j] = _fit_column(z[m, j], y[m, j], self.max_iter)
        self.a_, self.b_ = a, b
        return self

    def predict_proba(self, z: NDArray[np.float64]) -> NDArray[np.float64]:
        """Calibrated probabilities, same shape as ``z``."""
        az = z * self.a_
        az += self.b_
        return sigmoid(az)


def _log_loss(x: NDArray[np.float64], t: NDArray[np.float64], w: NDArray[np.float64]) -> float:
    z = x @ w
    # log(1 + e^z) - t z, computed without overflow
    return float(np.sum(np.logaddexp(0.0, z) - t * z))


def _fit_column(z: NDArray[np.float64], y: NDArray[np.float64], max_iter: int) -> tuple[float, float]:
    # Platt's target smoothing guards against over-confident maps on small hold-outs.
    n_pos = float(y.sum())
    n_neg = float(len(y) - n_pos)
    t = np.where(y > 0.5, (n_pos + 1) / (n_pos + 2), 1.0 / (n_neg + 2))
    x = np.stack([z, np.ones_like(z)], axis=1)
    w = np.array([1.0, 0.0])
    loss = _log_loss(x, t, w)
    for _ in range(max_iter):
        p = sigmoid(x @ w)
        grad = x.T @ (p - t)
        hess = (x * (p * (1 - p))[:, None]).T @ x + 1e-9 * np.eye(2)
        step = np.linalg.solve(hess, grad)
        # Damped Newton: halve the step until the loss goes down (plain Newton can
        # oscillate and diverge when it starts in the saturated region).
        scale = 1.0
        while scale > 1e-6:
            trial = w - scale * step
            trial_loss = _log_loss(x, t, trial)
            if trial_loss <= loss:
                break
            scale *= 0.5
        else:
            break
        w, loss = trial, trial_loss
        if np.abs(scale * step).max() < 1e-8:
            break
    return float(w[0]), float(w[1])
