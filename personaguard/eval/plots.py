"""PNG plots: precision-recall curve and reliability diagram (matplotlib, headless)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from personaguard.eval.metrics import average_precision, precision_recall_curve, reliability_bins

__all__ = ["plot_pr_curve", "plot_reliability"]


def _pyplot():  # type: ignore[no-untyped-def]
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ValueError("plots need matplotlib: pip install 'personaguard[eval]'") from exc
    return plt


def plot_pr_curve(y: NDArray[np.float64], p: NDArray[np.float64], path: Path, *, title: str) -> Path:
    """Save the precision-recall curve of ``p`` against ``y``."""
    plt = _pyplot()
    precision, recall = precision_recall_curve(y, p)
    fig, ax = plt.subplots(figsize=(5, 4), dpi=120)
    ax.step(np.r_[0.0, recall], np.r_[precision[0], precision], where="post")
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_ylim(0, 1.02)
    ax.set_title(f"{title}\nAUPRC {average_precision(y, p):.3f}")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def plot_reliability(y: NDArray[np.float64], p: NDArray[np.float64], path: Path, *, title: str) -> Path:
    """Save a 15-bin reliability diagram (observed rate against mean predicted probability)."""
    plt = _pyplot()
    bins = reliability_bins(y, p, 15)
    fig, ax = plt.subplots(figsize=(5, 4), dpi=120)
    ax.plot([0, 1], [0, 1], "--", color="grey", label="perfect")
    ax.plot([b[0] for b in bins], [b[1] for b in bins], "o-", label="personaguard")
    for pred, obs, count in bins:
        ax.annotate(str(count), (pred, obs), fontsize=6, xytext=(2, 2), textcoords="offset points")
    ax.set_xlabel("predicted probability")
    ax.set_ylabel("observed rate")
    ax.set_title(title)
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
