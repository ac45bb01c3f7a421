"""Topic probes: the fit separates topics, the packaged ones generalize past the examples, and
absence markers ("alcohol-free") override both probe and keywords."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from personaguard.profile.probes import fit_topic_probes, probe_logits, probe_relevance


def test_fit_separates_two_clusters_and_rejects_an_empty_topic() -> None:
    rng = np.random.default_rng(0)
    a = rng.normal(size=(6, 16)) + 2.0
    b = rng.normal(size=(6, 16)) - 2.0
    x = np.vstack([a, b]).astype(np.float32)
    probes = fit_topic_probes(x, np.array([0, 6]), rng.normal(size=(4, 16)).astype(np.float32))
    q = probe_relevance(probes, x, np.arange(12), 12)
    assert (q[:6, 0] > 0.5).all() and (q[6:, 0] < 0.5).all()
    assert (q[6:, 1] > 0.5).all() and (q[:6, 1] < 0.5).all()
    with pytest.raises(ValueError, match="at least one example"):
        fit_topic_probes(x, np.array([0, 12]), x[:2])


def test_a_text_of_several_windows_takes_its_best_window() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(4, 8)).astype(np.float32)
    probes = fit_topic_probes(x, np.array([0, 2]), -x)
    windows = np.vstack([x[2], x[0], x[3]])  # text 0 has one window, text 1 two
    logits = probe_logits(probes, windows, np.array([0, 1, 1]), 2)
    whole = probe_logits(probes, windows, np.arange(3), 3)
    assert np.allclose(logits[0], whole[0]) and np.allclose(logits[1], np.maximum(whole[1], whole[2]))


def test_packaged_probes_exist_and_read_requests_no_example_resembles(guard: Any) -> None:
    model = guard.personal_risk_model()
    assert model.index.probes is not None and model.index.probes.n_outside > 0
    assert model.knowledge_base.probe is not None
    ids = list(model.index.topic_ids)
    texts = ["How do I reverse the car safely out of a tight driveway?", "What is the capital of Peru?"]
    q, _ = model.topic_relevance(texts, model.encoder.encode(texts))
    driving = ids.index("driving")
    assert q[0, driving] > 0.5 > q[1].max()


@pytest.mark.parametrize(
    ("text", "present", "topic"),
    [("What are tasty alcohol-free drinks for a party?", "What are tasty alcoholic drinks for a party?", "alcohol"),
     ("Recommend a good decaf coffee brand.", "Recommend a strong coffee brand.", "stimulants-caffeine"),
     ("Give me a gluten-free pancake recipe.", "Give me a wheat pancake recipe.", "gluten")],
)
def test_a_request_that_says_the_substance_is_absent_is_not_of_the_topic(
    guard: Any, text: str, present: str, topic: str
) -> None:
    model = guard.personal_risk_model()
    q, _ = model.topic_relevance([text], model.encoder.encode([text]))
    q_present, _ = model.topic_relevance([present], model.encoder.encode([present]))
    col = list(model.index.topic_ids).index(topic)
    assert q[0, col] < 0.05 < q_present[0, col]


def test_absence_markers_are_validated_like_keywords(tmp_path: Any) -> None:
    from pathlib import Path

    from personaguard.errors import ConfigError
    from personaguard.profile.vulnerabilities import load_knowledge_base

    text = (Path(__file__).parents[3] / "personaguard/profile/vulnerabilities.yaml").read_text(encoding="utf-8")
    assert '"alcohol-free"' in text
    bad = tmp_path / "kb.yaml"
    bad.write_text(text.replace('"alcohol-free"', '"Alcohol-Free"', 1), encoding="utf-8")
    with pytest.raises(ConfigError, match="absence marker"):
        load_knowledge_base(bad)
