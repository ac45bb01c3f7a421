"""Thresholds in force: the documented precedence, with values worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from personaguard import UserProfile
from personaguard.decide.precedence import user_thresholds
from personaguard.profile.learned import LearnedState
from personaguard.taxonomy import load_taxonomy

TAX = load_taxonomy()


def _at(profile: UserProfile, cid: str, locked: np.ndarray | None = None) -> tuple[float, float, str]:
    th = user_thresholds(TAX, profile, locked=locked)
    j = TAX.index(cid)
    return float(th.warn[j]), float(th.block[j]), th.sources[j].value


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("allow", (0.99, 0.99)),                  # harassment user_range high
        ("warn", (0.62, 0.99)),                   # warn as usual (0.62), never block below the range top
        ("block", (0.62, 0.62)),                  # block from the default warn threshold
        ({"warn": 0.3, "block": 0.6}, (0.3, 0.6)),
        ({"action": "allow", "block": 0.9}, (0.9, 0.9)),  # explicit number beats the action
        ({"action": "block", "warn": 0.2}, (0.2, 0.62)),
    ],
)
def test_settings_move_thresholds(setting, expected) -> None:  # type: ignore[no-untyped-def]
    w, b, src = _at(UserProfile(id="u", settings={"harassment": setting}), "harassment")
    assert (w, b) == pytest.approx(expected)
    assert src == "user"


def test_child_setting_beats_parent_setting() -> None:
    p = UserProfile(id="u", settings={"self-harm": "allow", "self-harm/intent": "block"})  # type: ignore[dict-item]
    assert _at(p, "self-harm/intent")[:2] == pytest.approx((0.3, 0.3))
    assert _at(p, "self-harm/instructions")[:2] == pytest.approx((0.8, 0.8)), "parent reaches a child without its own"


def test_a_parent_allow_never_loosens_a_floor_child() -> None:
    p = UserProfile(id="u", settings={"sexual": "allow"})  # type: ignore[dict-item]
    assert _at(p, "sexual/minors") == (0.2, 0.4, "taxonomy")


def test_learned_offset_moves_the_logit() -> None:
    p = UserProfile(id="u", learned=LearnedState(offsets={"violence": 1.0}))
    w, b, src = _at(p, "violence")
    sig = lambda z: 1 / (1 + math.exp(-z))
    logit = lambda x: math.log(x / (1 - x))
    assert (w, b) == pytest.approx((sig(logit(0.56) + 1.0), sig(logit(0.75) + 1.0)))  # violence: 0.56 / 0.75
    assert src == "learned"


def test_learned_loosening_is_ignored_where_a_vulnerability_locks_the_category() -> None:
    p = UserProfile(id="u", learned=LearnedState(offsets={"self-harm": 2.0}))
    locked = np.array([c == "self-harm" for c in TAX.ids])
    assert _at(p, "self-harm", locked)[:2] == pytest.approx((0.35, 0.7))


def test_minors_cannot_loosen_protected_categories() -> None:
    p = UserProfile(id="u", age_band="teen", settings={"sexual": "allow", "harassment": "allow"})  # type: ignore[arg-type,dict-item]
    assert _at(p, "sexual") == (0.62, 0.8, "age_band")
    assert _at(p, "harassment")[:2] == pytest.approx((0.99, 0.99))


def test_learned_offsets_never_loosen_a_floor() -> None:
    p = UserProfile(id="u", learned=LearnedState(offsets={"cbrne": 3.0}))
    assert _at(p, "cbrne")[:2] == pytest.approx((0.25, 0.5))


def test_a_verdict_learning_changed_names_its_outcome_before_learning() -> None:
    from personaguard.decide.explain import explain
    from personaguard.decide.verdicts import category_verdicts

    j = TAX.index("harassment")
    probs = np.full(len(TAX.ids), 1e-4)
    probs[j] = 0.85  # above harassment's global block threshold, below the learned one
    learned = UserProfile(id="u", learned=LearnedState(offsets={"harassment": 1.0}))
    th = user_thresholds(TAX, learned)
    assert th.before_learning is not None and float(th.before_learning.block[j]) < 0.85 < float(th.block[j])
    out = category_verdicts(tuple(TAX.ids), probs, th)
    verdict = next(v for v in out.categories if v.id == "harassment")
    assert (verdict.outcome.value, verdict.without_learning.value) == ("warn", "block")  # type: ignore[union-attr]
    text = explain(out.outcome, out.categories, out.factors)
    assert "decided by what this user's feedback taught: block before learning" in text
    # Without offsets, nothing is attributed to learning.
    plain = category_verdicts(tuple(TAX.ids), probs, user_thresholds(TAX, UserProfile(id="u")))
    assert all(v.without_learning is None for v in plain.categories)
