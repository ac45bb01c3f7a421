import numpy as np
import pytest

from personaguard.eval.metrics import average_precision, binary_report, brier_score, expected_calibration_error


def test_average_precision_hand_computed() -> None:
    # Ranking: 0.8(+), 0.4(-), 0.35(+), 0.1(-): AP = 0.5*1 + 0.5*(2/3)
    y = np.array([0, 0, 1, 1.0])
    p = np.array([0.1, 0.4, 0.35, 0.8])
    assert average_precision(y, p) == pytest.approx(0.5 + 1 / 3)


def test_perfect_ranking_has_ap_one() -> None:
    assert average_precision(np.array([0, 1.0, 1.0]), np.array([0.1, 0.8, 0.9])) == pytest.approx(1.0)


def test_ece_of_a_constant_predictor() -> None:
    # predicts 0.8 always, 50% positives: ECE = |0.5 - 0.8| = 0.3
    y = np.array([0, 1, 0, 1.0])
    assert expected_calibration_error(y, np.full(4, 0.8)) == pytest.approx(0.3)


def test_brier_and_report_at_threshold() -> None:
    y = np.array([1, 0, 1, 0.0])
    p = np.array([0.9, 0.6, 0.4, 0.1])
    assert brier_score(y, p) == pytest.approx((0.01 + 0.36 + 0.36 + 0.01) / 4)
    rep = binary_report(y, p, threshold=0.5)
    assert (rep["precision"], rep["recall"], rep["fpr"]) == (0.5, 0.5, 0.5)


def test_paired_bootstrap_interval_holds_the_difference_and_separates_a_real_gain() -> None:
    from personaguard.eval.metrics import paired_bootstrap_ap_delta

    rng = np.random.default_rng(1)
    y = (rng.random(400) < 0.3).astype(float)
    noise = rng.normal(size=400)
    good = y + 0.5 * noise  # the same noise, less signal drowned: a real gain
    bad = y + 2.0 * noise
    delta, low, high = paired_bootstrap_ap_delta(y, bad, good, n_resamples=300)
    assert delta == pytest.approx(average_precision(y, good) - average_precision(y, bad))
    assert 0 < low <= delta <= high
    same = paired_bootstrap_ap_delta(y, good, good.copy(), n_resamples=50)
    assert same == (0.0, 0.0, 0.0)
    with pytest.raises(ValueError, match="no positive"):
        paired_bootstrap_ap_delta(np.zeros(5), np.zeros(5), np.zeros(5))
    with pytest.raises(ValueError, match="one length"):
        paired_bootstrap_ap_delta(y, bad[:10], good)
