"""Checks every Scorer must pass (modelled on scikit-learn's estimator_checks)."""

from __future__ import annotations

import numpy as np
import pytest

from personaguard.score.base import CategoryScores

TEXTS = ["How do I bake bread?", "", "I will find you and hurt you", "A" * 3000, "Explain photosynthesis to a child."]


@pytest.fixture(scope="module")
def scorer(guard):  # type: ignore[no-untyped-def]
    return guard.scorer


def test_columns_equal_taxonomy_ids(scorer, guard) -> None:  # type: ignore[no-untyped-def]
    out = scorer.score(TEXTS)
    assert isinstance(out, CategoryScores)
    assert list(out.category_ids) == guard.taxonomy.ids
    assert out.probs.shape == (len(TEXTS), len(guard.taxonomy.ids))


def test_probabilities_lie_in_unit_interval_and_p_any_dominates(scorer) -> None:  # type: ignore[no-untyped-def]
    out = scorer.score(TEXTS)
    assert ((out.probs >= 0) & (out.probs <= 1)).all()
    assert ((out.p_any >= 0) & (out.p_any <= 1)).all()
    assert (out.p_any + 1e-12 >= out.probs.max(axis=1)).all()


def test_batch_equals_one_by_one_in_order(scorer) -> None:  # type: ignore[no-untyped-def]
    batch = scorer.score(TEXTS)
    for i, text in enumerate(TEXTS):
        single = scorer.score([text])
        assert np.allclose(single.probs[0], batch.probs[i], atol=1e-5), text[:40]


def test_deterministic(scorer) -> None:  # type: ignore[no-untyped-def]
    assert np.array_equal(scorer.score(TEXTS).probs, scorer.score(TEXTS).probs)


def test_empty_batch(scorer) -> None:  # type: ignore[no-untyped-def]
    out = scorer.score([])
    assert out.probs.shape[0] == 0
