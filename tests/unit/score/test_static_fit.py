"""The supervised distillation of the cascade student's token vectors."""

from __future__ import annotations

import numpy as np
import pytest

from personaguard.score.static import StaticEmbedder, fit_token_vectors, pca_axes


def _problem(seed: int = 0) -> tuple[np.ndarray, list[list[int]], np.ndarray]:
    rng = np.random.default_rng(seed)
    vocab, width = 40, 12
    truth = rng.normal(size=(vocab, width)).astype(np.float32)
    windows = [rng.integers(0, vocab, size=int(rng.integers(1, 6))).tolist() for _ in range(600)]
    targets = np.stack([truth[w].mean(0) for w in windows]).astype(np.float32)
    prior = truth + rng.normal(scale=2.0, size=truth.shape).astype(np.float32)  # a poor start
    return prior, windows, targets


def _residual(vectors: np.ndarray, windows: list[list[int]], targets: np.ndarray, dim: int) -> float:
    centred = targets - targets.mean(0)
    want = centred @ pca_axes(centred, dim)
    got = np.stack([vectors.astype(np.float32)[w].mean(0) for w in windows])
    got -= got.mean(0)
    return float(np.mean((got - want) ** 2) / np.mean(want**2))


def test_fitting_reproduces_window_means_far_better_than_the_prior() -> None:
    prior, windows, targets = _problem()
    dim = 6
    fitted = fit_token_vectors(prior, windows, targets, dim=dim, damp=1e-3)
    centred_prior = (prior - prior.mean(0)) @ pca_axes(targets - targets.mean(0), dim)
    assert fitted.shape == (prior.shape[0], dim) and fitted.dtype == np.float16
    assert _residual(fitted, windows, targets, dim) < 0.05
    assert _residual(fitted, windows, targets, dim) < 0.2 * _residual(centred_prior, windows, targets, dim)


def test_strong_damping_keeps_the_prior() -> None:
    prior, windows, targets = _problem(1)
    dim = 4
    fitted = fit_token_vectors(prior, windows, targets, dim=dim, damp=1e6).astype(np.float32)
    expected = (prior - prior.mean(0)) @ pca_axes(targets - targets.mean(0), dim)
    assert np.allclose(fitted, expected, atol=1e-2)


def test_mismatched_lengths_are_rejected() -> None:
    prior, windows, targets = _problem()
    with pytest.raises(ValueError, match="windows but"):
        fit_token_vectors(prior, windows[:-1], targets, dim=3)


def test_fitted_vectors_feed_the_student() -> None:
    prior, windows, targets = _problem()
    out = StaticEmbedder(fit_token_vectors(prior, windows, targets, dim=5)).embed_windows(windows[:3])
    assert out.shape == (3, 5)
    assert np.allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-3)
