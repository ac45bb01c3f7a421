"""A static-embedding student of MiniLM: one vector per word piece, averaged over a window.

Why: MiniLM costs ~20 MFLOP per token; averaging pre-computed token vectors costs ~100 FLOP.
The vectors are distilled from MiniLM itself (each word piece encoded alone, as model2vec
does), then fitted so that their window mean reproduces MiniLM's embedding of real texts,
reduced by PCA and stored in float16, so the student needs no extra data or download.
It settles the clearly benign texts of a cascade; the rest go to MiniLM.
"""

from __future__ import annotations

from itertools import chain

import numpy as np
from numpy.typing import NDArray

from personaguard.score.encoder import MiniLMEncoder, l2_normalize_rows

__all__ = ["StaticEmbedder", "encode_single_tokens", "fit_token_vectors", "pca_axes"]


def encode_single_tokens(encoder: MiniLMEncoder, *, batch_size: int = 1024) -> NDArray[np.float32]:
    """MiniLM's embedding of every word piece encoded alone, shape (vocab_size, 384)."""
    vocab = encoder.word_embeddings_.shape[0]
    full = np.empty((vocab, encoder.dim), dtype=np.float32)
    for a in range(0, vocab, batch_size):
        ids = [[i] for i in range(a, min(a + batch_size, vocab))]
        full[a : a + len(ids)] = encoder._forward(ids)
    return full


def pca_axes(centred: NDArray[np.float32], dim: int) -> NDArray[np.float32]:
    """Top ``dim`` principal axes of centred rows, shape (n_features, dim), signs fixed.

    PCA through the covariance (n_features x n_features) is cheap and deterministic.
    """
    cov = centred.T @ centred / len(centred)
    _, vecs = np.linalg.eigh(cov)
    axes = vecs[:, ::-1][:, :dim]
    axes *= np.sign(axes[np.abs(axes).argmax(0), range(dim)])
    return axes.astype(np.float32)


def fit_token_vectors(
    single: NDArray[np.float32],
    windows: list[list[int]],
    targets: NDArray[np.float32],
    *,
    dim: int = 64,
    damp: float = 1.0,
    iter_lim: int = 200,
) -> NDArray[np.float16]:
    """Token vectors whose window mean reproduces MiniLM's window embedding (supervised distillation).

    Why: vectors of word pieces encoded alone know nothing of context, so the student's mean
    of them separates benign from harmful texts poorly and the cascade escalates most texts.
    Fitting the table so that ``mean(W[window]) ~ P(embedding)`` on real texts (ridge-regularised
    towards the single-token vectors, which keeps unseen word pieces sensible) halves the share
    of benign texts that must go on to MiniLM.

    Parameters
    ----------
    single : ndarray of shape (vocab_size, 384)
        ``encode_single_tokens`` output, the prior.
    windows : list of n lists of word-piece ids
    targets : ndarray of shape (n, 384)
        MiniLM embeddings of those windows.
    dim : int
        Width of the student: targets and prior are projected on the top ``dim`` PCA axes of the
        targets.
    damp : float
        Ridge strength towards the prior (``lsqr``'s damping is its square root).

    Returns
    -------
    ndarray of shape (vocab_size, dim), float16
    """
    from scipy import sparse
    from scipy.sparse.linalg import lsqr

    if len(windows) != len(targets):
        raise ValueError(f"{len(windows)} windows but {len(targets)} targets")
    centred = targets - targets.mean(0)
    axes = pca_axes(centred, dim)
    prior = (single - single.mean(0)) @ axes
    lengths = np.fromiter((len(w) for w in windows), dtype=np.int64, count=len(windows))
    cols = np.fromiter((i for w in windows for i in w), dtype=np.int64, count=int(lengths.sum()))
    rows = np.repeat(np.arange(len(windows)), lengths)
    vals = np.repeat(1.0 / np.maximum(lengths, 1), lengths)
    a = sparse.csr_matrix((vals, (rows, cols)), shape=(len(windows), single.shape[0]))
    residual = centred @ axes - a @ prior
    step = np.stack(
        [lsqr(a, residual[:, j], damp=float(np.sqrt(damp)), iter_lim=iter_lim)[0] for j in range(dim)], axis=1
    )
    return (prior + step).astype(np.float16)  # type: ignore[no-any-return]


class StaticEmbedder:
    """Mean of distilled token vectors per window, L2-normalised.

    Parameters
    ----------
    vectors : ndarray of shape (vocab_size, dim)
    """

    def __init__(self, vectors: NDArray[np.float16]) -> None:
        self.vectors = vectors
        self._table = vectors.astype(np.float32)
        self.dim = int(vectors.shape[1])

    def embed_windows(self, windows: list[list[int]]) -> NDArray[np.float32]:
        """One vector per window of word-piece ids, shape (n_windows, dim); empty windows give 0.

        Every text passes here, so it is written in few numpy calls: on one short window their
        fixed costs, not the arithmetic, are what a check pays.
        """
        lengths = np.array([len(w) for w in windows], dtype=np.int64)
        flat = np.fromiter(chain.from_iterable(windows), dtype=np.int64, count=int(lengths.sum()))
        out: NDArray[np.float32]
        if flat.size:
            starts = np.cumsum(lengths) - lengths
            if lengths.all():
                out = np.add.reduceat(self._table[flat], starts, axis=0)
                out /= lengths[:, None]
            else:
                nonempty = lengths > 0
                out = np.zeros((len(windows), self.dim), dtype=np.float32)
                out[nonempty] = np.add.reduceat(self._table[flat], starts[nonempty], axis=0) / lengths[nonempty, None]
        else:
            out = np.zeros((len(windows), self.dim), dtype=np.float32)
        return l2_normalize_rows(out)
