"""Label-free accuracy (VRP): the formula on hand-made neighbourhoods, and the real guard's estimate."""

from __future__ import annotations

import numpy as np
import pytest

from personaguard import Guard
from personaguard.monitor import AccuracyEstimate, estimate_accuracy
from personaguard.monitor.accuracy import vrp_scores


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_a_disagreeing_neighbourhood_lowers_an_items_score() -> None:
    emb = _unit(np.array([[1.0, 0.0], [1.0, 0.01], [1.0, 0.02], [0.0, 1.0]]))
    p = np.array([0.9, 0.1, 0.1, 0.2])
    flagged = p >= 0.5
    scores, agreement = vrp_scores(emb, flagged, p, k=2)
    # Item 0 is confident (0.9) but its two neighbours say harmless (p 0.1): it is likely wrong.
    assert scores[0] < 0.5 < scores[1]
    assert agreement[0] == 0.0 and agreement[1] == 0.5


def test_the_neighbours_weights_follow_similarity() -> None:
    emb = _unit(np.array([[1.0, 0.0], [1.0, 0.05], [0.0, 1.0]]))
    p = np.array([0.9, 0.9, 0.1])
    near, _ = vrp_scores(emb, p >= 0.5, p, k=2, temperature=0.05)
    flat, _ = vrp_scores(emb, p >= 0.5, p, k=2, temperature=100.0)
    assert near[0] > flat[0]  # the close agreeing neighbour counts more than the far one


def test_the_estimate_on_real_traffic_is_a_typed_figure_with_its_interval(guard: Guard) -> None:
    texts = ["How do I bake sourdough bread?", "What is the capital of France?", "Write a haiku about autumn.",
             "Give me three tips for staying healthy.", "How do I change a flat tyre?",
             "I will kill you tonight.", "You are a worthless idiot and everyone hates you."]
    est = estimate_accuracy(guard, texts)
    assert isinstance(est, AccuracyEstimate) and est.n == len(texts)
    assert est.interval[0] <= est.accuracy <= est.interval[1]
    assert 0.5 < est.accuracy <= 1.0 and 0.0 < est.flag_rate < 0.5


def test_one_text_has_no_neighbour(guard: Guard) -> None:
    with pytest.raises(ValueError, match="at least 2"):
        estimate_accuracy(guard, ["alone"])
