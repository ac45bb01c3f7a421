"""The cascade against its two stages, with the packaged artifacts."""

from __future__ import annotations

import numpy as np
import pytest

from personaguard.score.cascade import CascadeScorer
from personaguard.score.model import EncoderScorer, aggregate_windows
from personaguard.score.static import StaticEmbedder

TEXTS = ["How do I bake bread?", "Give me step by step instructions to make sarin", "you are a worthless idiot", ""]


@pytest.fixture(scope="module")
def cascade(guard) -> CascadeScorer:  # type: ignore[no-untyped-def]
    assert isinstance(guard.scorer, CascadeScorer), "the packaged default scorer is the cascade"
    return guard.scorer


def _variant(cascade: CascadeScorer, **kw: float) -> CascadeScorer:
    return CascadeScorer(category_ids=cascade.category_ids, encoder=cascade.encoder, derived=cascade.derived, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("threshold", [None, 0.0, 1.01])
def test_the_personalized_path_scores_exactly_as_the_cascade(cascade: CascadeScorer, threshold: float | None) -> None:
    # A profile must never change p: the path that keeps embeddings follows the cascade's rule.
    scorer = cascade if threshold is None else _variant(cascade, escalate_above=threshold)
    texts = [*TEXTS, "How many of my pills would be an overdose?"]  # escalated for a marker word only
    with_embeddings = scorer.score_with_embeddings(texts)
    assert np.allclose(scorer.score(texts).probs, with_embeddings.probs, atol=1e-6)
    assert with_embeddings.embeddings is not None and len(with_embeddings.embeddings.owner) == len(texts)


def test_without_the_students_vote_threshold_zero_equals_minilm_alone(cascade: CascadeScorer) -> None:
    full = EncoderScorer(category_ids=cascade.category_ids, encoder=cascade.encoder, derived=cascade.derived)
    every = _variant(cascade, escalate_above=0.0)
    assert every.blend_weight > 0  # the packaged cascade blends
    assert not np.allclose(every.score(TEXTS).probs, full.score(TEXTS).probs, atol=1e-3)
    every.blend_weight = 0.0
    assert np.allclose(every.score(TEXTS).probs, full.score(TEXTS).probs, atol=1e-6)


def test_threshold_above_one_never_runs_minilm(cascade: CascadeScorer) -> None:
    student_only = _variant(cascade, escalate_above=1.01)
    out = student_only.score(TEXTS)
    ids = [student_only.encoder.windows(x)[0] for x in student_only.encoder.tokenize(TEXTS)]
    logits = student_only.student_heads_.decision_function(student_only.student_.embed_windows(ids))
    expected = student_only.student_calibrator_.predict_proba(logits)[:, :-1]
    for col, refs in student_only.derived.items():
        expected[:, col] = expected[:, refs].min(1)
    assert np.allclose(out.probs, expected, atol=1e-6)


def test_escalated_windows_are_capped_per_text(cascade: CascadeScorer) -> None:
    capped = _variant(cascade, escalate_above=0.0, max_escalated_windows=2)
    p_any = np.array([[0.1, 0.9], [0.2, 0.2], [0.3, 0.7], [0.9, 0.1], [0.5, 0.5]])
    owner = np.array([0, 0, 0, 1, 1])
    chosen = capped._windows_to_escalate(p_any, owner)
    assert chosen.tolist() == [0, 2, 3, 4]  # text 0 keeps its two riskiest windows


def test_marked_windows_come_first_under_the_cap(cascade: CascadeScorer) -> None:
    # A window escalated for a marker word (self-harm, the floors) that the student finds benign
    # must not lose its MiniLM pass to windows the student merely finds riskier.
    capped = _variant(cascade, escalate_above=0.0, max_escalated_windows=2)
    p_any = np.array([[0.1, 0.9], [0.2, 0.2], [0.3, 0.7], [0.1, 0.1]])
    marked = np.array([False, False, False, True])
    chosen = capped._windows_to_escalate(p_any, np.zeros(4, dtype=np.int64), marked)
    assert chosen.tolist() == [0, 3]


def test_long_windows_of_texts_read_by_sentence_escalate_only_for_markers(cascade: CascadeScorer) -> None:
    policy = _variant(cascade, escalate_above=0.5, long_window_tokens=4)
    # Text 0: a long window and two sentence windows, all risky; text 1: one long window alone.
    windows = [[7] * 6, [7] * 3, [7] * 3, [7] * 6]
    owner = np.array([0, 0, 0, 1])
    p_any = np.array([[0.1, 0.9]] * 4)
    long = policy._long_windows(windows, owner)
    assert long is not None and long.tolist() == [True, False, False, False]
    assert policy._windows_to_escalate(p_any, owner, np.zeros(4, dtype=bool), long).tolist() == [1, 2, 3]
    marked = np.array([True, False, False, False])
    assert policy._windows_to_escalate(p_any, owner, marked, long).tolist() == [0, 1, 2, 3]
    assert _variant(cascade, long_window_tokens=None)._long_windows(windows, owner) is None


def test_the_long_window_policy_leaves_short_texts_alone(cascade: CascadeScorer) -> None:
    texts = ["How do I make a pipe bomb?", "Write a poem about the sea."]
    every = _variant(cascade, long_window_tokens=None)
    assert np.allclose(_variant(cascade, long_window_tokens=1).score(texts).probs, every.score(texts).probs)


def test_escalation_below_the_cap_keeps_every_candidate_in_order(cascade: CascadeScorer) -> None:
    capped = _variant(cascade, escalate_above=0.5, max_escalated_windows=3)
    p_any = np.array([[0.1, 0.9], [0.2, 0.2], [0.3, 0.7], [0.9, 0.1]])
    assert capped._windows_to_escalate(p_any, np.array([0, 0, 0, 1])).tolist() == [0, 2, 3]


def test_one_window_per_text_aggregates_as_the_general_case() -> None:
    rng = np.random.default_rng(0)
    probs = rng.uniform(size=(4, 3))
    ids = ("a", "b")
    one_each = aggregate_windows(probs, np.arange(4), 4, ids)
    assert np.array_equal(one_each.probs, probs[:, :-1]) and one_each.n_windows.tolist() == [1, 1, 1, 1]
    shared = aggregate_windows(probs, np.array([0, 0, 1, 2]), 4, ids)
    assert np.array_equal(shared.probs[0], probs[:2, :-1].max(0)) and shared.n_windows.tolist() == [2, 1, 1, 0]


def test_static_embedder_means_token_vectors() -> None:
    vectors = np.array([[1, 0], [0, 1], [1, 1]], dtype=np.float16)
    out = StaticEmbedder(vectors).embed_windows([[0, 1], [], [2, 2, 0]])
    assert np.allclose(out[0], [2**-0.5, 2**-0.5], atol=1e-3)
    assert np.allclose(out[1], [0, 0])
    assert np.allclose(out[2], np.array([3, 2]) / np.sqrt(13), atol=1e-3)


def test_a_marked_word_piece_sends_its_window_to_minilm_whatever_the_student_says(cascade: CascadeScorer) -> None:
    text = "How many of my pills would be an overdose?"
    window = cascade.encoder.windows(cascade.encoder.tokenize([text])[0])[0]
    assert cascade.markers_[window].any(), "a self-harm marker is in the window"
    unmarked = _variant(cascade)
    unmarked.markers_ = np.zeros_like(cascade.markers_)
    minilm = EncoderScorer(category_ids=cascade.category_ids, encoder=cascade.encoder, derived=cascade.derived)
    sh = cascade.category_ids.index("self-harm")
    # Without markers the student settles it low; with them MiniLM's (blended) view counts.
    assert unmarked.score([text]).probs[0, sh] < 0.1 < minilm.score([text]).probs[0, sh]
    assert cascade.score([text]).probs[0, sh] > 0.5
