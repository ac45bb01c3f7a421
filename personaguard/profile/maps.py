"""Calibration maps applied: ``sigmoid(slope (s - center) + contrast (s - s_neg))`` on similarities.

The relevance, custom and parse maps of the knowledge base (``vulnerabilities.LogisticMap``)
are applied by the personal risk model and the self-description parser alike.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from personaguard.profile.vulnerabilities import LogisticMap

__all__ = ["apply_logistic", "logistic", "map_terms"]


def apply_logistic(m: LogisticMap, pos: NDArray[np.float64], neg: NDArray[np.float64]) -> NDArray[np.float64]:
    """Calibrated probability from similarities: ``sigmoid(slope (pos - center) + contrast (pos - neg))``.

    ``neg`` broadcasts against ``pos`` (e.g. shape (n, 1) against (n, k)).

    Examples
    --------
    >>> m = LogisticMap(slope=10.0, center=0.5, contrast=0.0)
    >>> float(apply_logistic(m, np.array([0.5]), np.array([0.0]))[0])
    0.5
    """
    return logistic(pos, neg, *map_terms(m))


def map_terms(m: LogisticMap) -> tuple[float, float, float]:
    """(gain, bias, contrast) with z = gain pos - bias - contrast neg, the map's terms collected."""
    return m.slope + m.contrast, m.slope * m.center, m.contrast


def logistic(
    pos: NDArray[np.float64], neg: NDArray[np.float64], gain: float | NDArray[np.float64],
    bias: float | NDArray[np.float64], contrast: float | NDArray[np.float64],
) -> NDArray[np.float64]:
    """``sigmoid(gain pos - bias - contrast neg)``, the terms scalars or per column (see :func:`map_terms`)."""
    # sigmoid(z) as 1 / (1 + exp(-z)) with -z = bias + contrast neg - gain pos: few array
    # operations, which are most of the cost on a batch of one. The terms may be per column.
    z = np.multiply(neg, contrast) + bias
    z = z - pos * gain  # not in place: z may still have neg's narrower shape
    np.exp(z, out=z)
    z += 1.0
    out: NDArray[np.float64] = np.reciprocal(z, out=z)
    return out
