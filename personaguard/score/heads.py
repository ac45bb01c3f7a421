"""Multi-label heads over sentence embeddings, trained with a masked binary cross-entropy.

Why masked: the training sources label different things (a hate-speech corpus says nothing
about weapons), so each row carries labels only for the columns its source speaks to.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from personaguard.errors import NotFittedError

__all__ = ["MultiLabelHeads"]


class MultiLabelHeads:
    """A one-hidden-layer network (or linear map when ``hidden=0``) with one logit per column.

    Parameters
    ----------
    hidden : int, default=256
        Width of the shared hidden layer (ReLU); 0 gives independent logistic regressions.
    l2 : float, default=1e-4
        Weight decay.
    epochs : int, default=30
    batch_size : int, default=256
    learning_rate : float, default=1e-3
    random_state : int, default=0

    Attributes
    ----------
    W1_, b1_ : hidden layer (absent when ``hidden=0``)
    W2_ : ndarray of shape (n_columns, hidden or n_features)
    b2_ : ndarray of shape (n_columns,)

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(200, 4)); y = (x[:, :1] > 0).astype(float)
    >>> heads = MultiLabelHeads(hidden=0, epochs=50, learning_rate=0.05).fit(x, y)
    >>> float(((heads.decision_function(x)[:, 0] > 0) == (y[:, 0] > 0)).mean()) > 0.9
    True
    """

    def __init__(
        self,
        *,
        hidden: int = 256,
        l2: float = 1e-4,
        epochs: int = 30,
        batch_size: int = 256,
        learning_rate: float = 1e-3,
        random_state: int = 0,
    ) -> None:
        self.hidden = hidden
        self.l2 = l2
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.random_state = random_state

    # -- inference ------------------------------------------------------------------------------
    def decision_function(self, x: NDArray[np.float32]) -> NDArray[np.float64]:
        """Logits of shape (n_samples, n_columns)."""
        if not hasattr(self, "W2_"):
            raise NotFittedError("MultiLabelHeads is not fitted; call fit() or load trained weights")
        h = x
        if self.hidden:
            # In place: the same arithmetic with fewer temporaries (it runs on every check).
            h = x @ self.W1_.T
            h += self.b1_
            np.maximum(h, 0.0, out=h)
        z = h @ self.W2_.T
        z += self.b2_
        return z.astype(np.float64)  # type: ignore[no-any-return]

    def get_weights(self) -> dict[str, NDArray[np.float32]]:
        """Learned arrays, for saving."""
        out = {"W2": self.W2_, "b2": self.b2_}
        if self.hidden:
            out.update({"W1": self.W1_, "b1": self.b1_})
        return out

    def set_weights(self, weights: dict[str, NDArray[np.float32]]) -> "MultiLabelHeads":
        """Install saved arrays (from :meth:`get_weights`)."""
        self.W2_ = weights["W2"].astype(np.float32)
        self.b2_ = weights["b2"].astype(np.float32)
        if "W1" in weights:
            self.hidden = int(weights["W1"].shape[0])
            self.W1_ = weights["W1"].astype(np.float32)
            self.b1_ = weights["b1"].astype(np.float32)
        else:
            self.hidden = 0
        return self

    # -- training -------------------------------------------------------------------------------
    def fit(
        self,
        x: NDArray[np.float32],
        y: NDArray[np.float64],
        mask: NDArray[np.bool_] | None = None,
        sample_weight: NDArray[np.float64] | None = None,
    ) -> "MultiLabelHeads":
        """Fit on features ``x`` (n, d), labels ``y`` (n, k) in {0, 1}, ``mask`` (n, k) of known labels.

        Columns are balanced: positives and negatives of each column weigh the same in total.
        """
        rng = np.random.default_rng(self.random_state)
        n, d = x.shape
        k = y.shape[1]
        if mask is None:
            mask = np.ones((n, k), dtype=bool)
        sw = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        # Per-cell weights: balance positives against negatives within each column.
        cw = np.zeros((n, k))
        for j in range(k):
            m = mask[:, j]
            pos = m & (y[:, j] > 0.5)
            neg = m & (y[:, j] <= 0.5)
            wp = sw[pos].sum()
            wn = sw[neg].sum()
            if wp > 0 and wn > 0:
                cw[pos, j] = sw[pos] * (0.5 * (wp + wn) / wp)
                cw[neg, j] = sw[neg] * (0.5 * (wp + wn) / wn)
        cw /= max(cw.sum() / max(mask.sum(), 1), 1e-12)
        params: dict[str, NDArray[np.float64]] = {}
        if self.hidden:
            params["W1"] = rng.normal(0, np.sqrt(2.0 / d), size=(self.hidden, d))
            params["b1"] = np.zeros(self.hidden)
            params["W2"] = rng.normal(0, np.sqrt(1.0 / self.hidden), size=(k, self.hidden))
        else:
            params["W2"] = np.zeros((k, d))
        params["b2"] = np.zeros(k)
        m1 = {key: np.zeros_like(v) for key, v in params.items()}
        m2 = {key: np.zeros_like(v) for key, v in params.items()}
        step = 0
        xs = x.astype(np.float64)
        for _ in range(self.epochs):
            order = rng.permutation(n)
            for a in range(0, n, self.batch_size):
                idx = order[a : a + self.batch_size]
                grads = self._gradients(params, xs[idx], y[idx], cw[idx])
                step += 1
                for key in params:
                    g = grads[key] + (self.l2 * params[key] if key.startswith("W") else 0.0)
                    m1[key] = 0.9 * m1[key] + 0.1 * g
                    m2[key] = 0.999 * m2[key] + 0.001 * g * g
                    mh = m1[key] / (1 - 0.9**step)
                    vh = m2[key] / (1 - 0.999**step)
                    params[key] -= self.learning_rate * mh / (np.sqrt(vh) + 1e-8)
        self.set_weights({key: v.astype(np.float32) for key, v in params.items()})
        return self

    def _gradients(
        self,
        params: dict[str, NDArray[np.float64]],
        x: NDArray[np.float64],
        y: NDArray[np.float64],
        cw: NDArray[np.float64],
    ) -> dict[str, NDArray[np.float64]]:
        nb = max(len(x), 1)
        if self.hidden:
            pre = x @ params["W1"].T + params["b1"]
            h = np.maximum(pre, 0.0)
        else:
            h = x
        z = h @ params["W2"].T + params["b2"]
        p = 0.5 * (1.0 + np.tanh(0.5 * z))
        dz = (p - y) * cw / nb
        grads = {"W2": dz.T @ h, "b2": dz.sum(0)}
        if self.hidden:
            dh = (dz @ params["W2"]) * (pre > 0)
            grads["W1"] = dh.T @ x
            grads["b1"] = dh.sum(0)
        return grads
