"""Choosing the student's share of an escalated window's score on the calibration split."""

from __future__ import annotations

import numpy as np

from personaguard.train.corpus import Corpus
from personaguard.train.fit_static import choose_blend_weight


def _corpus(y: np.ndarray) -> Corpus:
    n = len(y)
    labels = np.stack([y, y], axis=1).astype(float)  # one category + "any"
    return Corpus(texts=[""] * n, sources=np.array(["s"] * n), kinds=np.array(["prompt"] * n), columns=["c", "any"],
                  y=labels, mask=np.ones_like(labels, dtype=bool), split=np.array(["calib"] * n))


def _probs(signal: np.ndarray) -> np.ndarray:
    p = 1 / (1 + np.exp(-signal))
    return np.stack([p, p], axis=1)


def test_an_informative_student_gets_a_share_and_a_noisy_one_none() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, size=2000)
    truth = 2.0 * (y - 0.5)
    full = _probs(truth + rng.normal(scale=1.5, size=y.size))
    informative = _probs(truth + rng.normal(scale=1.5, size=y.size))  # independent errors
    noise = _probs(rng.normal(scale=2.0, size=y.size))
    w_good, scores = choose_blend_weight(_corpus(y), full, informative)
    w_noise, _ = choose_blend_weight(_corpus(y), full, noise)
    assert w_good >= 0.2 and scores[f"{w_good:.2f}"] > scores["0.00"]
    assert w_noise == 0.0
