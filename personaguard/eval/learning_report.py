"""Summaries and the learning-curve figure of the learning simulation."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from personaguard.eval.simulate import AdversarialResult, HonestResult

__all__ = ["summarize", "result_lines", "plot_learning_curves"]


def _mean_curve(results: list[HonestResult], attr: str, ks: list[int]) -> list[float]:
    return [100.0 * float(np.mean([getattr(r, attr)[k] for r in results])) for k in ks]


def summarize(honest: list[HonestResult], adversarial: list[AdversarialResult]) -> dict[str, Any]:
    """JSON-ready summary: mean agreement curves overall and per persona, adversarial figures."""
    ks = sorted(honest[0].agreement_trust) if honest else []
    personas = sorted({r.persona for r in honest}, key=[r.persona for r in honest].index)
    per_persona = {
        p: {"trust": _mean_curve([r for r in honest if r.persona == p], "agreement_trust", ks),
            "free": _mean_curve([r for r in honest if r.persona == p], "agreement_free", ks)}
        for p in personas
    }
    return {
        "checkpoints": ks,
        "trust": _mean_curve(honest, "agreement_trust", ks),
        "free": _mean_curve(honest, "agreement_free", ks),
        "per_persona": per_persona,
        "n_users": len(honest),
        "wrong_event_share": float(np.mean([r.wrong_event_share for r in honest])) if honest else 0.0,
        "adversarial": [asdict(a) for a in adversarial],
    }


def result_lines(summary: dict[str, Any]) -> list[str]:
    """``name: value unit`` lines of the headline figures."""
    ks, trust, free = summary["checkpoints"], summary["trust"], summary["free"]
    lines = [f"honest_users: {summary['n_users']} users", f"wrong_feedback_share: {100 * summary['wrong_event_share']:.1f} %",
             f"agreement_one_size_fits_all: {trust[0]:.1f} %"]
    for k, t, f in zip(ks[1:], trust[1:], free[1:]):
        lines.append(f"agreement_trust_region_k{k}: {t:.1f} %")
        lines.append(f"agreement_unconstrained_k{k}: {f:.1f} %")
    if 20 in ks:
        lines.append(f"gain_trust_region_k20_vs_one_size: {trust[ks.index(20)] - trust[0]:+.1f} points")
    for name, curves in summary["per_persona"].items():
        lines.append(f"gain_k20_{name}: {curves['trust'][ks.index(20)] - curves['trust'][0]:+.1f} points"
                     if 20 in ks else f"persona_{name}: n/a")
    lines.append("no_feedback_loss: 0.0 points (theta stays 0: the global policy)")
    for i, a in enumerate(summary["adversarial"]):
        lines += [
            f"adversarial_{i}_events: {a['events']} events",
            f"adversarial_{i}_max_kl: {a['max_kl']:.5f} nats (delta_loosen {a['delta_loosen']})",
            f"adversarial_{i}_kl_violations: {a['violations']} updates",
            f"adversarial_{i}_floor_flips_trust_region: {a['floor_flips_trust']} of {a['floor_texts']} texts",
            f"adversarial_{i}_floor_flips_unconstrained: {a['floor_flips_free']} of {a['floor_texts']} texts",
            f"adversarial_{i}_clearly_harmful_still_blocked_trust_region: {100 * a['still_blocked_trust']:.1f} %",
            f"adversarial_{i}_clearly_harmful_still_blocked_unconstrained: {100 * a['still_blocked_free']:.1f} %",
            f"adversarial_{i}_harmful_allow_rate_before: {100 * a['harmful_allow_before']:.1f} %",
            f"adversarial_{i}_harmful_allow_rate_trust_region: {100 * a['harmful_allow_trust']:.1f} %",
            f"adversarial_{i}_harmful_allow_rate_unconstrained: {100 * a['harmful_allow_free']:.1f} %",
        ]
    return lines


def plot_learning_curves(summary: dict[str, Any], path: Path) -> Path:
    """Agreement vs feedback events: mean over users (left) and per persona (right), as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ks = summary["checkpoints"]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.5))
    ax1.plot(ks, [summary["trust"][0]] * len(ks), "k--", label="one-size-fits-all")
    ax1.plot(ks, summary["trust"], "o-", label="trust region")
    ax1.plot(ks, summary["free"], "s-", label="unconstrained")
    ax1.set(xlabel="feedback events k", ylabel="agreement with hidden policy (%)",
            title=f"mean over {summary['n_users']} synthetic users")
    ax1.legend()
    for name, curves in summary["per_persona"].items():
        ax2.plot(ks, curves["trust"], "o-", label=name)
    ax2.set(xlabel="feedback events k", ylabel="agreement (%)", title="trust region, per persona")
    ax2.legend(fontsize=7)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
