"""Label-free accuracy of ``flagged`` decisions: the vicinal risk proxy (DESIGN.md section 7).

Why not average confidence alone: on shifted traffic a model is confidently wrong in whole
regions, and its confidence does not drop there. The vicinal risk proxy (VRP) asks the
neighbourhood instead: an item whose nearest neighbours in the encoder's space got the same
decision with high confidence is likely right; an item whose neighbours disagree is likely wrong.

Per item i, with the k nearest other items j of the batch (cosine similarity s_ij of base
MiniLM embeddings of the whole text), each item's probability of harm p_j (``p_any``) and its
decision d_j (``flagged``), the neighbourhood judges i's decision:

    q_ij = P_j(d_i is right) = p_j if d_i is flagged else 1 - p_j
    vrp_i = (c_i + sum_j w_ij * q_ij) / (1 + sum_j w_ij),   w_ij = exp((s_ij - 1) / T)

with c_i = q_ii, the item's own confidence in its decision. The estimate is the mean of vrp_i,
with a bootstrap interval. The form and the defaults (k = 5, T = 1.0: near-uniform weights over
the 5 nearest) were chosen among 36 variants on the 12 shifted sets of ``bench.monitor``
(docs/monitoring.md), so the figures there are optimistic for this choice; the first form we
tried, the neighbours' confidence counted only where they agree, underestimated every set by
0.05 to 0.34.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from personaguard.normalize import normalize_text

if TYPE_CHECKING:
    from personaguard.decide.outcome import Decision
    from personaguard.guard import Guard
    from personaguard.profile.profile import UserProfile

__all__ = ["AccuracyEstimate", "decide_and_embed", "embed_texts", "estimate_accuracy", "estimate_from", "vrp_scores"]


class AccuracyEstimate(BaseModel):
    """Estimated share of correct ``flagged`` decisions on a batch, without labels."""

    model_config = ConfigDict(frozen=True)

    accuracy: float = Field(ge=0.0, le=1.0, description="Vicinal risk proxy estimate.")
    interval: tuple[float, float] = Field(description="95% bootstrap interval of the estimate.")
    n: int = Field(ge=1, description="Items in the batch.")
    average_confidence: float = Field(ge=0.0, le=1.0, description="Baseline: mean confidence in own decision.")
    agreement: float = Field(ge=0.0, le=1.0,
                             description="Baseline: mean share of the k nearest neighbours with the same decision.")
    flag_rate: float = Field(ge=0.0, le=1.0, description="Share of items flagged.")


#: Rows of the similarity matrix held at once by :func:`vrp_scores` (1,024 x n floats).
_BLOCK = 1024


def vrp_scores(embeddings: NDArray[np.floating], flagged: NDArray[np.bool_], p_any: NDArray[np.floating], *,
               k: int = 5, temperature: float = 1.0) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Per-item VRP scores and neighbour agreement, shapes (n,) and (n,) (formula: module docstring).

    Examples
    --------
    >>> e = np.eye(4)[[0, 0, 1, 1]] + 0.01
    >>> s, a = vrp_scores(e / np.linalg.norm(e, axis=1, keepdims=True), np.array([1, 1, 0, 0], bool),
    ...                   np.array([0.9, 0.7, 0.2, 0.4]), k=1)
    >>> s.round(2).tolist(), a.tolist()
    ([0.8, 0.8, 0.7, 0.7], [1.0, 1.0, 1.0, 1.0])
    """
    n = embeddings.shape[0]
    k = max(1, min(k, n - 1))
    # Neighbours block by block: the whole (n, n) similarity matrix of 10,000 texts took 2 GB.
    nn = np.empty((n, k), dtype=np.intp)
    top = np.empty((n, k), dtype=np.float64)
    for a in range(0, n, _BLOCK):
        sim = embeddings[a:a + _BLOCK] @ embeddings.T
        rows = np.arange(sim.shape[0])
        sim[rows, a + rows] = -np.inf
        nn[a:a + _BLOCK] = np.argpartition(-sim, k - 1, axis=1)[:, :k]
        top[a:a + _BLOCK] = np.take_along_axis(sim, nn[a:a + _BLOCK], axis=1)
    w = np.exp((top - 1.0) / temperature)
    q = np.where(flagged[:, None], p_any[nn], 1.0 - p_any[nn])  # P_j(decision of i is right)
    own = np.where(flagged, p_any, 1.0 - p_any)
    scores = (own + (w * q).sum(axis=1)) / (1.0 + w.sum(axis=1))
    same = flagged[nn] == flagged[:, None]
    return scores.astype(np.float64), same.mean(axis=1).astype(np.float64)


def embed_texts(guard: "Guard", texts: Sequence[str]) -> NDArray[np.float32]:
    """Base-MiniLM embeddings of each text's first window, shape (n, 384): one space for every model."""
    encoder = guard.personal_risk_model().encoder
    ids = encoder.tokenize([normalize_text(t).text for t in texts])
    return encoder.encode_ids([encoder.windows(x)[0] for x in ids])


def decide_and_embed(
    guard: "Guard", texts: Sequence[str], *, user: "UserProfile | None" = None,
) -> tuple[list["Decision"], NDArray[np.float32]]:
    """The guard's decisions on ``texts`` and :func:`embed_texts`, with each window embedded once.

    When the scorer's encoder is the base MiniLM (the packaged model), the first windows the
    cascade escalated are not embedded again (``MiniLMEncoder.remembering``).
    """
    items = list(texts)
    with guard.personal_risk_model().encoder.remembering():
        decisions = guard.check_batch(items, user=user)
        return decisions, embed_texts(guard, items)


def estimate_from(
    flagged: NDArray[np.bool_], p_any: NDArray[np.floating], embeddings: NDArray[np.floating], *, k: int = 5,
    temperature: float = 1.0, n_boot: int = 200, seed: int = 0,
) -> AccuracyEstimate:
    """The estimate from decisions already made (``flagged``, ``p_any``) and their embeddings."""
    if len(flagged) < 2:
        raise ValueError(f"estimate_accuracy needs at least 2 texts, got {len(flagged)}")
    scores, agreement = vrp_scores(embeddings, flagged, p_any, k=k, temperature=temperature)
    rng = np.random.default_rng(seed)
    boots = [float(scores[rng.integers(0, len(scores), len(scores))].mean()) for _ in range(n_boot)]
    lo, hi = np.percentile(boots, [2.5, 97.5])
    confidence = np.where(flagged, p_any, 1.0 - p_any)
    return AccuracyEstimate(accuracy=float(scores.mean()), interval=(float(lo), float(hi)), n=len(flagged),
                            average_confidence=float(confidence.mean()), agreement=float(agreement.mean()),
                            flag_rate=float(flagged.mean()))


def estimate_accuracy(
    guard: "Guard", texts: Sequence[str], *, user: "UserProfile | None" = None, k: int = 5,
    temperature: float = 1.0, n_boot: int = 200, seed: int = 0,
) -> AccuracyEstimate:
    """Estimate how many of the guard's ``flagged`` decisions on ``texts`` are right, without labels.

    Parameters
    ----------
    guard : Guard
    texts : list of str, at least 2
    user : UserProfile or None
    k : int, default=5
        Neighbours per item.

    Raises
    ------
    ValueError
        With fewer than two texts (an item needs a neighbour).
    """
    items = list(texts)
    if len(items) < 2:
        raise ValueError(f"estimate_accuracy needs at least 2 texts, got {len(items)}")
    decisions, embeddings = decide_and_embed(guard, items, user=user)
    flagged = np.array([d.flagged for d in decisions], dtype=bool)
    p = np.array([d.p_any for d in decisions])
    return estimate_from(flagged, p, embeddings, k=k, temperature=temperature, n_boot=n_boot, seed=seed)
