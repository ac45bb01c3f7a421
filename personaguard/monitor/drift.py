"""Drift between a reference window and a live window of traffic, without labels.

Four views, each with a test or a threshold, because each catches a different shift:
per-category flag rates (what operators see first), score distributions per category (a
two-sample Kolmogorov-Smirnov test: the model's view of the traffic moved), the texts themselves
(a kernel two-sample test, MMD with an RBF kernel on base-MiniLM embeddings, permutation p-value:
the traffic moved even where scores did not), and the estimated accuracy (VRP). Alert thresholds
are configuration (``DriftThresholds``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from personaguard.decide.outcome import Decision
from personaguard.monitor.accuracy import AccuracyEstimate, decide_and_embed, estimate_from

if TYPE_CHECKING:
    from personaguard.guard import Guard

__all__ = ["DriftThresholds", "DriftReport", "Scored", "compare_scored", "compare_windows", "ks_2samp",
           "mmd_permutation_test"]


class Scored(BaseModel):
    """A window of traffic already decided and embedded (score once, report many ways)."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    decisions: list[Decision]
    embeddings: np.ndarray

    @classmethod
    def of(cls, guard: "Guard", texts: Sequence[str]) -> "Scored":
        """Decide and embed ``texts`` (each window embedded once)."""
        decisions, embeddings = decide_and_embed(guard, texts)
        return cls(decisions=decisions, embeddings=embeddings)

    def estimate(self) -> AccuracyEstimate:
        """The label-free accuracy estimate (VRP) of this window."""
        flagged = np.array([d.flagged for d in self.decisions], dtype=bool)
        return estimate_from(flagged, np.array([d.p_any for d in self.decisions]), self.embeddings)


class DriftThresholds(BaseModel):
    """When a difference between the windows raises an alert."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    flag_rate_change: float = Field(default=0.05, gt=0, le=1, description="Absolute change of a category's flag rate.")
    score_p_value: float = Field(default=0.001, gt=0, lt=1, description="KS p-value below which a category's scores moved.")
    embedding_p_value: float = Field(default=0.01, gt=0, lt=1, description="MMD p-value below which the texts moved.")
    accuracy_drop: float = Field(default=0.05, gt=0, le=1, description="Drop of the estimated accuracy.")


class DriftReport(BaseModel):
    """What moved between the reference and the live window."""

    model_config = ConfigDict(frozen=True)

    n_reference: int
    n_live: int
    flag_rate: dict[str, tuple[float, float]] = Field(description="Per category (and 'any'): reference, live.")
    score_ks: dict[str, tuple[float, float]] = Field(description="Per category: KS statistic, p-value.")
    embedding_mmd: float = Field(description="Squared MMD of the two windows' embeddings (RBF kernel).")
    embedding_p_value: float = Field(description="Permutation p-value of the MMD.")
    accuracy: tuple[float, float] = Field(description="Estimated accuracy (VRP): reference, live.")
    alerts: list[str] = Field(description="Readable alerts, empty when nothing moved beyond the thresholds.")


def ks_2samp(a: NDArray[np.floating], b: NDArray[np.floating]) -> tuple[float, float]:
    """Two-sample Kolmogorov-Smirnov statistic and asymptotic p-value (no scipy needed).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> ks_2samp(rng.normal(size=300), rng.normal(size=300))[1] > 0.05
    True
    >>> ks_2samp(rng.normal(size=300), rng.normal(1.0, size=300))[1] < 1e-6
    True
    """
    a, b = np.sort(a), np.sort(b)
    grid = np.concatenate([a, b])
    d = float(np.abs(np.searchsorted(a, grid, side="right") / len(a) - np.searchsorted(b, grid, side="right")
                     / len(b)).max())
    ne = len(a) * len(b) / (len(a) + len(b))
    lam = (np.sqrt(ne) + 0.12 + 0.11 / np.sqrt(ne)) * d
    k = np.arange(1, 101)
    p = float(np.clip(2 * np.sum((-1.0) ** (k - 1) * np.exp(-2 * k**2 * lam**2)), 0.0, 1.0)) if lam > 0 else 1.0
    return d, p


def mmd_permutation_test(x: NDArray[np.floating], y: NDArray[np.floating], *, n_perm: int = 200,
                         seed: int = 0) -> tuple[float, float]:
    """Squared MMD (RBF kernel, median-distance bandwidth) and its permutation p-value."""
    z = np.concatenate([x, y]).astype(np.float64)
    sq = np.maximum((z * z).sum(1)[:, None] + (z * z).sum(1)[None, :] - 2 * z @ z.T, 0.0)
    kernel = np.exp(-sq / (np.median(sq[sq > 0]) if np.any(sq > 0) else 1.0))
    n = len(x)

    def mmd(idx: NDArray[np.int64]) -> float:
        a, b = idx[:n], idx[n:]
        return float(kernel[np.ix_(a, a)].mean() + kernel[np.ix_(b, b)].mean() - 2 * kernel[np.ix_(a, b)].mean())

    observed = mmd(np.arange(len(z)))
    rng = np.random.default_rng(seed)
    exceed = sum(mmd(rng.permutation(len(z))) >= observed for _ in range(n_perm))
    return observed, (exceed + 1) / (n_perm + 1)


def compare_windows(
    guard: "Guard", reference: Sequence[str], live: Sequence[str], *, thresholds: DriftThresholds | None = None,
    max_embed: int = 400, seed: int = 0,
) -> DriftReport:
    """Compare a live window of texts with a reference window (at least 2 texts each)."""
    return compare_scored(guard, Scored.of(guard, reference), Scored.of(guard, live), thresholds=thresholds,
                          max_embed=max_embed, seed=seed)


def compare_scored(
    guard: "Guard", ref: Scored, live: Scored, *, thresholds: DriftThresholds | None = None, max_embed: int = 400,
    seed: int = 0,
) -> DriftReport:
    """:func:`compare_windows` on windows already decided and embedded."""
    th = thresholds or DriftThresholds()
    ref_d, live_d = ref.decisions, live.decisions
    ids = [c for c in guard.taxonomy.ids if c not in guard.taxonomy.attack_ids]
    alerts: list[str] = []
    flag_rate: dict[str, tuple[float, float]] = {}
    for cid in ["any", *ids]:
        def rate(ds: list[Decision]) -> float:
            return float(np.mean([d.flagged if cid == "any" else any(v.id == cid and v.outcome != "allow"
                                                                     for v in d.categories) for d in ds]))
        flag_rate[cid] = (rate(ref_d), rate(live_d))
        if abs(flag_rate[cid][1] - flag_rate[cid][0]) >= th.flag_rate_change:
            alerts.append(f"flag rate of {cid} moved {flag_rate[cid][0]:.3f} -> {flag_rate[cid][1]:.3f}")
    score_ks = {}
    for cid in ids:
        d, p = ks_2samp(np.array([x.scores[cid] for x in ref_d]), np.array([x.scores[cid] for x in live_d]))
        score_ks[cid] = (d, p)
        if p < th.score_p_value:
            alerts.append(f"scores of {cid} moved (KS {d:.3f}, p {p:.1e})")
    rng = np.random.default_rng(seed)

    def sample(e: np.ndarray) -> np.ndarray:
        return e[rng.permutation(len(e))[:max_embed]]

    mmd, mmd_p = mmd_permutation_test(sample(ref.embeddings), sample(live.embeddings), seed=seed)
    if mmd_p < th.embedding_p_value:
        alerts.append(f"the texts moved (MMD {mmd:.4f}, p {mmd_p:.3f})")
    acc = (ref.estimate().accuracy, live.estimate().accuracy)
    if acc[0] - acc[1] >= th.accuracy_drop:
        alerts.append(f"estimated accuracy fell {acc[0]:.3f} -> {acc[1]:.3f}")
    return DriftReport(n_reference=len(ref_d), n_live=len(live_d), flag_rate=flag_rate, score_ks=score_ks,
                       embedding_mmd=mmd, embedding_p_value=mmd_p, accuracy=acc, alerts=alerts)
