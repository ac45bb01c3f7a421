"""A static-embedding student of MiniLM: one vector per word piece, averaged over a window.

Why: MiniLM costs ~20 MFLOP per token; averaging pre-computed token vectors costs ~100 FLOP.
The vectors are distilled from MiniLM itself (each word piece encoded alone, as model2vec
does), reduced by PCA and stored in float16, so the student needs no extra data or download.
It settles the clearly benign texts of a cascade; the rest go to MiniLM.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from personaguard.score.encoder import MiniLMEncoder

__all__ = ["StaticEmbedder", "distill_token_vectors"]


def distill_token_vectors(encoder: MiniLMEncoder, *, dim: int = 64, batch_size: int = 1024) -> tuple[NDArray[np.float16], NDArray[np.float32]]:
    """Encode every word piece alone with MiniLM, then project onto the top ``dim`` PCA axes.

    Returns
    -------
    vectors : ndarray of shape (vocab_size, dim), float16
    mean : ndarray of shape (384,)
        The centring vector removed before projection (kept for reproducibility).
    """
    vocab = encoder.word_embeddings_.shape[0]
    full = np.empty((vocab, encoder.dim), dtype=np.float32)
    for a in range(0, vocab, batch_size):
        ids = [[i] for i in range(a, min(a + batch_size, vocab))]
        full[a : a + len(ids)] = encoder._forward(ids)
    mean = full.mean(0)
    centred = full - mean
    # PCA through the covariance (384 x 384) is cheap and deterministic.
    cov = centred.T @ centred / vocab
    vals, vecs = np.linalg.eigh(cov)
    axes = vecs[:, ::-1][:, :dim]
    axes *= np.sign(axes[np.abs(axes).argmax(0), range(dim)])  # fix the sign convention
    return (centred @ axes).astype(np.float16), mean


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
        """One vector per window of word-piece ids, shape (n_windows, dim); empty windows give 0."""
        lengths = np.fromiter((len(w) for w in windows), dtype=np.int64, count=len(windows))
        flat = np.fromiter((i for w in windows for i in w), dtype=np.int64, count=int(lengths.sum()))
        out = np.zeros((len(windows), self.dim), dtype=np.float32)
        if flat.size:
            starts = np.r_[0, np.cumsum(lengths)[:-1]]
            nonempty = lengths > 0
            sums = np.add.reduceat(self._table[flat], starts[nonempty], axis=0)
            out[nonempty] = sums / lengths[nonempty, None]
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)  # type: ignore[no-any-return]
