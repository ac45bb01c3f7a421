"""Drift: a shifted live window raises alerts, a same-distribution one does not."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest

from personaguard import Guard
from personaguard.monitor import DriftThresholds, compare_windows
from personaguard.monitor.drift import ks_2samp, mmd_permutation_test

VERBS = ["bake", "fix", "clean", "paint", "plant", "store", "cook", "repair", "choose", "wash"]
THINGS = ["sourdough bread", "a bicycle chain", "a wooden table", "tomatoes", "a leaky tap", "winter boots",
          "a rice cooker", "a garden fence", "a cotton shirt", "a cast iron pan"]
BENIGN = [f"How do I {v} {t}?" for v, t in itertools.product(VERBS, THINGS)]
TARGETS = ["you", "your family", "that referee", "my neighbour", "the new guy at work"]
THREATS = [f"{lead} {t} {tail}" for lead, t, tail in itertools.product(
    ["I will hurt", "I am going to kill", "Someone should beat up", "I will burn down the house of"], TARGETS,
    ["tonight.", "when nobody is looking.", "and nobody will find out."])]


def _split(seed: int) -> tuple[list[str], list[str]]:
    items = BENIGN[:]
    random.Random(seed).shuffle(items)
    return items[:50], items[50:]


def test_a_same_distribution_window_raises_no_alert(guard: Guard) -> None:
    ref, live = _split(0)
    report = compare_windows(guard, ref, live)
    assert report.embedding_p_value > 0.01 and report.alerts == [], report.alerts


def test_a_shifted_window_is_detected(guard: Guard) -> None:
    ref, _ = _split(1)
    report = compare_windows(guard, ref, THREATS[:50])
    assert report.embedding_p_value < 0.01
    assert report.flag_rate["any"][1] - report.flag_rate["any"][0] > 0.3
    assert any("flag rate of any" in a for a in report.alerts) and any("texts moved" in a for a in report.alerts)
    assert report.accuracy[0] > 0.5 and report.n_live == 50


def test_thresholds_are_configuration(guard: Guard) -> None:
    ref, _ = _split(2)
    lax = DriftThresholds(flag_rate_change=1.0, score_p_value=1e-300, embedding_p_value=1e-9, accuracy_drop=1.0)
    assert compare_windows(guard, ref, THREATS[:50], thresholds=lax).alerts == []


def test_the_statistics_on_known_samples() -> None:
    rng = np.random.default_rng(0)
    same = rng.normal(size=(80, 8)), rng.normal(size=(80, 8))
    shifted = rng.normal(size=(80, 8)), rng.normal(0.8, size=(80, 8))
    assert mmd_permutation_test(*same)[1] > 0.05 and mmd_permutation_test(*shifted)[1] < 0.01
    d, p = ks_2samp(np.zeros(10), np.ones(10))
    assert d == pytest.approx(1.0) and p < 1e-3
