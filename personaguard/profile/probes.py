"""Topic probes: one linear direction per contraindicated topic in the encoder's space.

Nearest-example similarity says "this request is a near paraphrase of an example"; it misses a
request about the same topic worded unlike any example ("How do I reverse the car safely?"
against examples about roundabouts and lanes), which is most of what a stranger asks. A
logistic probe per topic, fitted on the topic's examples against every other topic's examples,
the generic requests and (when given) a large sample of ordinary instructions, reads the
direction "this is about driving" instead. The relevance map weighs the probe's logit together
with the example similarity and its margin over the generic requests, all fitted at once at the
empirical prior with cross-validated probe logits (``personaguard.profile.calibration``), so
the probe adds recall where examples run out without speaking alone on near misses
(docs/personalization.md, "Links that generalize").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from personaguard.score.encoder import max_per_text

__all__ = ["TopicProbes", "fit_topic_probes", "probe_logits", "probe_relevance"]

#: L2 penalty on the probe weights (the loss is a class-balanced mean).
DEFAULT_L2 = 1e-3
#: Full-batch accelerated gradient steps; the problem is convex and small.
DEFAULT_STEPS = 400


@dataclass(frozen=True)
class TopicProbes:
    """One logistic probe per topic, ``q = sigmoid(x @ weights[t] + bias[t])``.

    Attributes
    ----------
    weights : ndarray of shape (n_topics, dim), float32
    bias : ndarray of shape (n_topics,), float32
    n_outside : int
        How many ordinary instructions beyond the knowledge base's generic requests were negatives.
    """

    weights: NDArray[np.float32]
    bias: NDArray[np.float32]
    n_outside: int = 0


def fit_topic_probes(
    topic_examples: NDArray[np.float32],
    topic_start: NDArray[np.intp],
    generic: NDArray[np.float32],
    outside: NDArray[np.float32] | None = None,
    *,
    l2: float = DEFAULT_L2,
    steps: int = DEFAULT_STEPS,
) -> TopicProbes:
    """Fit every topic's probe at once (one-vs-rest, class-balanced, L2-penalised).

    Parameters
    ----------
    topic_examples : ndarray of shape (n_examples, dim)
        Unit-norm embeddings of all topics' examples, grouped by topic.
    topic_start : ndarray of shape (n_topics,)
        Start of each topic's group in ``topic_examples``.
    generic : ndarray of shape (n_generic, dim)
        Benign generic requests: negatives for every topic.
    outside : ndarray of shape (n_outside, dim) or None
        More ordinary requests (negatives for every topic); None uses only the above.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> a, b = rng.normal(size=(5, 8)) + 3, rng.normal(size=(5, 8)) - 3
    >>> p = fit_topic_probes(np.vstack([a, b]).astype(np.float32), np.array([0, 5]), -a[:2].astype(np.float32))
    >>> q = probe_relevance(p, np.vstack([a, b]).astype(np.float32), np.arange(10), 10)
    >>> bool((q[:5, 0] > 0.5).all() and (q[5:, 0] < 0.5).all())
    True
    """
    n_topics = len(topic_start)
    bounds = np.append(topic_start, len(topic_examples))
    parts = [topic_examples, generic] + ([outside] if outside is not None and len(outside) else [])
    x = np.concatenate(parts).astype(np.float64)
    y = np.zeros((len(x), n_topics))
    for t in range(n_topics):
        y[bounds[t] : bounds[t + 1], t] = 1.0
    n_pos = y.sum(axis=0)
    if (n_pos == 0).any():
        raise ValueError("every topic needs at least one example")
    # Class-balanced: each topic's positives weigh 1/2 in total, its negatives 1/2.
    w = np.where(y > 0, 0.5 / n_pos, 0.5 / (len(x) - n_pos))
    # Nesterov's accelerated gradient; the loss is (1/4 max row norm^2 + l2)-smooth, rows are unit.
    step = 1.0 / (0.25 * float((x * x).sum(axis=1).max()) + l2)
    weights = np.zeros((x.shape[1], n_topics))
    bias = np.zeros(n_topics)
    prev_w, prev_b = weights, bias
    for k in range(1, steps + 1):
        mom = (k - 1) / (k + 2)
        vw, vb = weights + mom * (weights - prev_w), bias + mom * (bias - prev_b)
        p = 1.0 / (1.0 + np.exp(-(x @ vw + vb)))
        g = w * (p - y)
        prev_w, prev_b = weights, bias
        weights = vw - step * (x.T @ g + l2 * vw)
        bias = vb - step * g.sum(axis=0)
    return TopicProbes(weights=np.ascontiguousarray(weights.T, dtype=np.float32),
                       bias=bias.astype(np.float32), n_outside=0 if outside is None else len(outside))


def probe_logits(
    probes: TopicProbes, embeddings: NDArray[np.float32], owner: NDArray[np.intp], n_texts: int,
) -> NDArray[np.float64]:
    """Each text's best window's probe logit per topic, shape (n_texts, n_topics)."""
    logits = embeddings.astype(np.float32, copy=False) @ probes.weights.T + probes.bias
    return max_per_text(logits, owner, n_texts, empty=-np.inf)


def probe_relevance(
    probes: TopicProbes, embeddings: NDArray[np.float32], owner: NDArray[np.intp], n_texts: int,
) -> NDArray[np.float64]:
    """The probes' own probabilities (class-balanced, so 0.5 is the decision boundary), shape (n_texts, n_topics).

    The personal risk model does not use these directly: the relevance map weighs the logit
    together with the example similarity, at the empirical prior (``LogisticMap.probe``).
    """
    out: NDArray[np.float64] = 1.0 / (1.0 + np.exp(-probe_logits(probes, embeddings, owner, n_texts)))
    return out
