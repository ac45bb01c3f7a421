"""Unit tests of the trust-region learner (issue 4); expected values are hand calculations."""

from __future__ import annotations

import hashlib
import math

import numpy as np
import pytest
import yaml

from personaguard.errors import NotFittedError, UnknownIdError
from personaguard.learn.learner import TrustRegionLearner
from personaguard.learn.reference import synthetic_reference
from personaguard.learn.trust_region import bernoulli_kl_mean
from personaguard.profile.learned import LearnedState, audit_category, reset_learned
from personaguard.taxonomy import load_taxonomy

TAX = load_taxonomy()
IDS = TAX.ids
REF = synthetic_reference(IDS, seed=7)


def _learner(**kw: float) -> TrustRegionLearner:
    return TrustRegionLearner(**kw).fit(TAX, reference_probs=REF)  # type: ignore[arg-type]


def _row(**risks: float) -> np.ndarray:
    row = np.full(len(IDS), 1e-6)
    for key, value in risks.items():
        row[TAX.index(key.replace("__", "/"))] = value
    return row


def _loosen(learner: TrustRegionLearner, state: LearnedState, row: np.ndarray, n: int, **kw: object):  # type: ignore[no-untyped-def]
    res = None
    for _ in range(n):
        res = learner.update(state, row, text="some text", should="allow", verdict="block", **kw)  # type: ignore[arg-type]
        state = res.state
    return res


@pytest.mark.parametrize(
    ("p", "q"), [(0.5, 0.5), (0.1, 0.3), (0.9, 0.2), (1e-4, 0.5), (0.999, 0.001)]
)
def test_kl_on_logits_matches_the_bernoulli_definition(p: float, q: float) -> None:
    expected = q * math.log(q / p) + (1 - q) * math.log((1 - q) / (1 - p))
    a = np.array([[math.log(p / (1 - p))]])
    shift = np.array([math.log(q / (1 - q)) - math.log(p / (1 - p))])
    assert bernoulli_kl_mean(a, shift)[0] == pytest.approx(expected, rel=1e-9, abs=1e-12), (p, q)


def test_should_allow_steps_by_learning_rate_times_k_times_block_probability() -> None:
    # violence block threshold 0.75, r = 0.9, k = 2: pi = sigmoid(2 (logit .9 - logit .75)) = 0.9,
    # step = lr * k * pi = 0.6 * 2 * 0.9 = 1.08 (max_step and delta set out of the way).
    learner = _learner(max_step=5.0, delta_loosen=100.0)
    res = learner.update(LearnedState(), _row(violence=0.9), text="a fight scene", should="allow", verdict="block")
    assert res.state.offset("violence") == pytest.approx(1.08, rel=1e-6)
    assert res.info.applied and set(res.info.moves) == {"violence"}


def test_should_block_spreads_one_unit_by_share_of_risk() -> None:
    # r = 0.5 against 0.75: pi = sigmoid(2 * (0 - logit .75)) = 0.1; Q = 0.9, P = 0.1
    # step = -lr * k * pi * Q / P = -0.6 * 2 * 0.1 * 0.9 / 0.1 = -1.08.
    learner = _learner(max_step=5.0)
    res = learner.update(LearnedState(), _row(violence=0.5), text="a fight scene", should="block", verdict="allow")
    assert res.state.offset("violence") == pytest.approx(-1.08, rel=1e-4)


def test_each_step_is_clipped_to_max_step() -> None:
    learner = _learner(max_step=0.25, delta_loosen=100.0)
    res = learner.update(LearnedState(), _row(violence=0.99), text="x", should="allow", verdict="block")
    assert res.state.offset("violence") == pytest.approx(0.25)


def test_repeated_loosening_stops_at_the_fixed_trust_region() -> None:
    learner = TrustRegionLearner(delta_loosen=0.01, elastic=None).fit(TAX, reference_probs=REF)
    state = LearnedState()
    thetas = []
    for _ in range(60):
        res = learner.update(state, _row(violence=0.95), text="x", should="allow", verdict="block")
        state = res.state
        assert res.kl <= res.delta + 1e-12, res
        assert res.info.kl_by_category["violence"] <= 0.01 + 1e-12
        thetas.append(state.offset("violence"))
    assert thetas[0] > 0.0
    assert thetas[-1] == thetas[-20], "the offset should plateau at the boundary"
    assert learner.reference_kl(learner.theta_of(state))[TAX.index("violence")] <= 0.01


def test_tightening_goes_further_than_loosening() -> None:
    learner = _learner(delta_loosen=0.01, delta_tighten=0.5)
    up = _loosen(learner, LearnedState(), _row(violence=0.95), 60).state.offset("violence")
    state = LearnedState()
    for _ in range(60):
        state = learner.update(state, _row(violence=0.5), text="x", should="block", verdict="allow").state
    down = state.offset("violence")
    assert down < 0.0 < up
    assert abs(down) > 2 * up, (up, down)


def test_floor_block_with_should_allow_is_recorded_but_changes_nothing() -> None:
    learner = _learner()
    res = learner.update(LearnedState(), _row(sexual__minors=0.9, sexual=0.9), text="x", should="allow", verdict="block")
    assert res.info.applied is False
    assert "floor" in res.info.reason and "sexual/minors" in res.info.reason
    assert res.state.offsets == {}
    assert len(res.state.events) == 1 and res.state.events[0].applied is False


@pytest.mark.parametrize("floor_id", [c.id for c in TAX.categories if c.floor])
def test_floor_below_its_threshold_still_never_loosens(floor_id: str) -> None:
    learner = _learner(delta_loosen=1.0)
    row = _row(**{floor_id.replace("/", "__"): 0.3})  # below the block threshold, above warn
    res = _loosen(learner, LearnedState(), row, 20)
    assert res.state.offset(floor_id) <= 0.0, floor_id


def test_categories_raised_by_vulnerabilities_do_not_loosen_but_may_tighten() -> None:
    learner = _learner(delta_loosen=1.0)
    res = _loosen(learner, LearnedState(), _row(violence=0.9), 10, raised=["violence"])
    assert res.state.offset("violence") == 0.0
    tight = learner.update(LearnedState(), _row(violence=0.5), text="x", should="block", verdict="allow", raised=["violence"])
    assert tight.state.offset("violence") < 0.0


def test_a_positive_offset_on_a_newly_locked_category_is_reset() -> None:
    learner = _learner(delta_loosen=1.0)
    state = LearnedState(offsets={"violence": 0.4})
    res = learner.update(state, _row(sexual=0.95), text="x", should="allow", verdict="block", raised=["violence"])
    assert res.state.offset("violence") == 0.0


def test_moderator_feedback_weighs_moderator_weight_times_more() -> None:
    # learning rate 0.3 keeps both steps under violence's hard cap (logit .9 - logit .75 = 1.10)
    learner = _learner(max_step=10.0, delta_loosen=100.0, max_loosen=100.0, moderator_weight=2.0, learning_rate=0.3)
    row = _row(violence=0.8)
    user = learner.update(LearnedState(), row, text="x", should="allow", verdict="block").state.offset("violence")
    mod = learner.update(LearnedState(), row, text="x", should="allow", verdict="block", source="moderator")
    assert mod.state.offset("violence") == pytest.approx(2.0 * user)
    assert mod.state.events[0].source == "moderator"


@pytest.mark.parametrize("should", ["maybe", "ALLOW", "", "warn"])
def test_should_outside_allow_block_names_the_allowed_values(should: str) -> None:
    with pytest.raises(ValueError, match="'allow', 'block'"):
        _learner().update(LearnedState(), _row(), text="x", should=should, verdict="allow")


def test_unknown_source_is_rejected() -> None:
    with pytest.raises(ValueError, match="'user', 'moderator'"):
        _learner().update(LearnedState(), _row(), text="x", should="allow", verdict="allow", source="admin")


@pytest.mark.parametrize("text", ["", "   \n"])
def test_empty_text_is_a_clear_error(text: str) -> None:
    with pytest.raises(ValueError, match="text is empty"):
        _learner().update(LearnedState(), _row(), text=text, should="allow", verdict="allow")


def test_unknown_category_ids_raise_unknown_id_error() -> None:
    learner = _learner()
    with pytest.raises(UnknownIdError, match="no-such"):
        learner.update(LearnedState(), _row(), text="x", should="allow", verdict="allow", raised=["no-such"])
    with pytest.raises(UnknownIdError, match="gore"):
        learner.update(LearnedState(offsets={"gore": 1.0}), _row(), text="x", should="allow", verdict="allow")


def test_update_before_fit_raises_not_fitted() -> None:
    with pytest.raises(NotFittedError):
        TrustRegionLearner().update(LearnedState(), _row(), text="x", should="allow", verdict="allow")


@pytest.mark.parametrize("kw", [{"k": 0.0}, {"learning_rate": -1.0}, {"delta_loosen": -0.1}, {"n_reference": 0}])
def test_out_of_range_parameters_fail_at_fit(kw: dict[str, float]) -> None:
    name = next(iter(kw))
    with pytest.raises(ValueError, match=name):
        TrustRegionLearner(**kw).fit(TAX, reference_probs=REF)  # type: ignore[arg-type]


def test_reference_with_wrong_columns_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"shape \(n_ref, 16\)"):
        TrustRegionLearner().fit(TAX, reference_probs=REF[:, :3])


def test_text_is_hashed_and_kept_only_when_configured() -> None:
    text = "you are all idiots"
    digest = hashlib.sha256(text.encode()).hexdigest()
    plain = _learner().update(LearnedState(), _row(harassment=0.9), text=text, should="allow", verdict="block",
                              context="the prompt")
    event = plain.state.events[0]
    assert event.text is None and event.text_sha256 == digest
    assert event.context_sha256 == hashlib.sha256(b"the prompt").hexdigest()
    kept = _learner(keep_text=True).update(LearnedState(), _row(harassment=0.9), text=text, should="allow", verdict="block")
    assert kept.state.events[0].text == text


def test_audit_lists_the_events_that_moved_a_category_and_reset_clears_it() -> None:
    learner = _learner()
    state = LearnedState()
    state = learner.update(state, _row(violence=0.9), text="a", should="allow", verdict="block").state
    state = learner.update(state, _row(sexual=0.9), text="b", should="allow", verdict="block").state
    state = learner.update(state, _row(violence=0.92), text="c", should="allow", verdict="block").state
    moved = audit_category(state, "violence")
    assert [e.text_sha256 for e in moved] == [hashlib.sha256(t.encode()).hexdigest() for t in ("a", "c")]
    assert sum(e.moves["violence"] for e in moved) == pytest.approx(state.offset("violence"))
    cleared = reset_learned(state, ["violence"])
    assert cleared.offset("violence") == 0.0 and cleared.offset("sexual") > 0.0
    assert len(cleared.events) == 3, "reset keeps the log for audit"
    assert reset_learned(state).offsets == {}


def test_learned_state_round_trips_through_json_and_yaml() -> None:
    learner = _learner(keep_text=True)
    state = LearnedState()
    for should, row in (("allow", _row(violence=0.9)), ("block", _row(sexual=0.4)), ("allow", _row(sexual__minors=0.9))):
        state = learner.update(state, row, text="t", should=should, verdict="block" if should == "allow" else "allow",
                               context="ctx").state
    assert LearnedState.model_validate_json(state.model_dump_json()) == state
    dumped = yaml.safe_dump(state.model_dump(mode="json"))
    assert LearnedState.model_validate(yaml.safe_load(dumped)) == state


def test_learned_state_rejects_non_finite_offsets() -> None:
    with pytest.raises(ValueError, match="finite"):
        LearnedState(offsets={"violence": float("nan")})


def test_offsets_outside_the_region_for_new_user_thresholds_are_shrunk_back() -> None:
    learner = _learner(delta_loosen=0.01)
    base = learner.base_logit_.copy()
    base[TAX.index("violence")] = 0.0  # the user set violence's block threshold to 0.5
    state = LearnedState(offsets={"violence": 3.0})  # far outside the region around 0.5
    res = learner.update(state, _row(sexual=0.9), text="x", should="allow", verdict="block", base_logit=base)
    theta = learner.theta_of(res.state)
    assert 0.0 < theta[TAX.index("violence")] < 3.0
    assert learner.reference_kl(theta, base)[TAX.index("violence")] <= 0.01


@pytest.mark.parametrize("user_set", [False, True])
def test_loosening_never_passes_max_loosen_even_with_a_generous_kl_bound(user_set: bool) -> None:
    learner = _learner(delta_loosen=100.0, max_loosen=0.5)
    base = learner.base_logit_.copy() if user_set else None  # True: the exact halving path
    res = _loosen(learner, LearnedState(), _row(violence=0.99), 10, base_logit=base)
    assert res.state.offset("violence") == pytest.approx(0.5, abs=0.011)
    assert res.state.offset("violence") <= 0.5


def test_packaged_reference_sample_matches_the_taxonomy_and_bounds_every_category() -> None:
    from personaguard.learn.reference import load_reference_probs, reference_digests

    ref = load_reference_probs(IDS)
    assert ref.shape[1] == len(IDS) and ref.shape[0] >= 200
    assert ((ref >= 0.0) & (ref <= 1.0)).all()
    assert len(reference_digests()) == ref.shape[0]
    learner = TrustRegionLearner().fit(TAX)
    assert (learner.theta_hi_ <= learner.max_loosen).all()
    assert all(learner.theta_hi_[TAX.index(c.id)] == 0.0 for c in TAX.categories if c.floor)


def test_audit_shows_refused_floor_requests_only_under_categories_the_text_was_about() -> None:
    learner = _learner()
    state = learner.update(LearnedState(), _row(sexual__minors=0.9), text="t", should="allow", verdict="block").state
    assert len(audit_category(state, "sexual/minors")) == 1
    assert audit_category(state, "violence") == []


def test_consistent_loosening_widens_the_bound_step_by_step_up_to_delta_max() -> None:
    # growth 2, delta_base 0.01: after e events of support the bound is min(0.32, 0.01 * 2**e).
    learner = _learner(delta_loosen=0.01)
    state = LearnedState()
    bounds = []
    for n in range(1, 12):
        res = learner.update(state, _row(violence=0.95), text="x", should="allow", verdict="block")
        state = res.state
        expected = min(0.32, 0.01 * 2.0**n)
        assert state.regions["violence"].support == n
        assert res.info.kl_by_category["violence"] <= expected + 1e-12, (n, res.info.kl_by_category["violence"])
        bounds.append(learner.delta_of(learner.levels_of(state))[TAX.index("violence")])
    assert bounds[0] == pytest.approx(0.02) and bounds[-1] == pytest.approx(0.32)
    assert res.info.kl_by_category["violence"] > 0.01, "consistent evidence should go past the stranger's bound"


def test_loosened_offset_never_passes_the_hard_cap() -> None:
    learner = _learner(delta_loosen=0.05, max_step=5.0)
    res = _loosen(learner, LearnedState(), _row(violence=0.99), 40)
    cap = learner.loosen_cap_[TAX.index("violence")]
    assert 0 < res.state.offset("violence") <= cap + 1e-9
    # the cap is where the learned block threshold reaches learn_max_block
    threshold = 1 / (1 + math.exp(-(learner.base_logit_[TAX.index("violence")] + cap)))
    assert threshold <= TAX.get("violence").learn_max_block + 1e-9


def test_contradicting_events_shrink_the_bound_and_the_offset_back() -> None:
    learner = _learner(delta_loosen=0.01)
    state = _loosen(learner, LearnedState(), _row(violence=0.95), 6).state
    wide = state.offset("violence")
    assert learner.levels_of(state)[TAX.index("violence")] == learner.max_evidence_
    for _ in range(2):
        res = learner.update(state, _row(violence=0.95), text="y", should="block", verdict="allow")
        state = res.state
    level = learner.levels_of(state)[TAX.index("violence")]
    assert level == 6 - 2 * 2 or level == 0 or level < learner.max_evidence_
    assert state.offset("violence") < wide
    kl = learner.reference_kl(learner.theta_of(state))[TAX.index("violence")]
    assert kl <= learner.delta_of(learner.levels_of(state))[TAX.index("violence")] + 1e-12
    assert res.info.bounds, "a shrinking bound is written to the event log"


def test_fixed_region_is_the_worst_case_of_the_elastic_rule_after_zero_events() -> None:
    learner = _learner(delta_loosen=0.01)
    rule = learner.elastic
    assert rule is not None
    assert rule.worst_case_delta(0, 0.01) == pytest.approx(0.01)
    assert rule.worst_case_delta(3, 0.01) == pytest.approx(0.08)
    assert rule.worst_case_delta(100, 0.01) == pytest.approx(0.32)
    assert rule.worst_case_delta(2, 0.01, weight=2.0) == pytest.approx(0.16)


@pytest.mark.parametrize("floor_id", [c.id for c in TAX.categories if c.floor])
def test_floors_gain_no_elastic_room_from_any_evidence(floor_id: str) -> None:
    learner = _learner(delta_loosen=0.05)
    res = _loosen(learner, LearnedState(), _row(**{floor_id.replace("/", "__"): 0.95}), 12)
    assert res.state.offset(floor_id) <= 0.0
    assert learner.loosen_cap_[TAX.index(floor_id)] == 0.0
