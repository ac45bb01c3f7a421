import numpy as np
import pytest

from personaguard.errors import NotFittedError
from personaguard.score.calibrate import PlattCalibrator, logit, sigmoid
from personaguard.score.heads import MultiLabelHeads


def test_unfitted_heads_raise_not_fitted() -> None:
    with pytest.raises(NotFittedError):
        MultiLabelHeads().decision_function(np.zeros((1, 3), np.float32))


def test_masked_labels_do_not_train_their_column() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 5)).astype(np.float32)
    y = np.stack([(x[:, 0] > 0), (x[:, 1] > 0)], axis=1).astype(float)
    mask = np.ones_like(y, dtype=bool)
    mask[:, 1] = False  # column 1 never observed
    heads = MultiLabelHeads(hidden=0, epochs=40, learning_rate=0.05).fit(x, y, mask)
    z = heads.decision_function(x)
    assert ((z[:, 0] > 0) == (y[:, 0] > 0)).mean() > 0.95
    assert np.allclose(z[:, 1], 0.0)  # untouched: weights stay at their zero init


def test_hidden_layer_learns_xor() -> None:
    rng = np.random.default_rng(1)
    x = rng.uniform(-1, 1, size=(800, 2)).astype(np.float32)
    y = ((x[:, 0] > 0) ^ (x[:, 1] > 0)).astype(float)[:, None]
    heads = MultiLabelHeads(hidden=32, epochs=60, learning_rate=0.01).fit(x, y)
    assert ((heads.decision_function(x)[:, 0] > 0) == (y[:, 0] > 0)).mean() > 0.9


def test_platt_recovers_a_known_temperature() -> None:
    rng = np.random.default_rng(2)
    z = rng.normal(0, 3, size=(20000, 1))
    y = (rng.uniform(size=z.shape) < sigmoid(0.5 * z - 1.0)).astype(float)
    cal = PlattCalibrator().fit(z, y)
    assert cal.a_[0] == pytest.approx(0.5, abs=0.05)
    assert cal.b_[0] == pytest.approx(-1.0, abs=0.1)


def test_logit_inverts_sigmoid() -> None:
    p = np.array([0.01, 0.5, 0.99])
    assert np.allclose(sigmoid(logit(p)), p)
