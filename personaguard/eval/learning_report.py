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


_CURVES = {"trust": "agreement_trust", "free": "agreement_free", "trust_general": "agreement_trust_general",
           "free_general": "agreement_free_general"}


def summarize(honest: list[HonestResult], adversarial: list[AdversarialResult]) -> dict[str, Any]:
    """JSON-ready summary: mean agreement curves (own and general traffic), per persona, adversarial figures."""
    ks = sorted(honest[0].agreement_trust) if honest else []
    personas = sorted({r.persona for r in honest}, key=[r.persona for r in honest].index)

    def curves(results: list[HonestResult]) -> dict[str, Any]:
        out: dict[str, Any] = {name: _mean_curve(results, attr, ks) for name, attr in _CURVES.items()}
        out["ceiling_region"] = 100.0 * float(np.mean([r.ceiling_region for r in results]))
        out["ceiling_region_general"] = 100.0 * float(np.mean([r.ceiling_region_general for r in results]))
        return out

    return {
        "checkpoints": ks,
        **curves(honest),
        "per_persona": {p: curves([r for r in honest if r.persona == p]) for p in personas},
        "n_users": len(honest),
        "wrong_event_share": float(np.mean([r.wrong_event_share for r in honest])) if honest else 0.0,
        "adversarial": [asdict(a) for a in adversarial],
    }


def _gain(curve: list[float], ks: list[int], k: int = 20) -> float:
    return curve[ks.index(k)] - curve[0]


def result_lines(summary: dict[str, Any]) -> list[str]:
    """``name: value unit`` lines of the headline figures."""
    ks = summary["checkpoints"]
    lines = [f"honest_users: {summary['n_users']} users",
             f"wrong_feedback_share: {100 * summary['wrong_event_share']:.1f} %"]
    for traffic, suffix in (("own", ""), ("general", "_general")):
        trust, free = summary["trust" + suffix], summary["free" + suffix]
        lines.append(f"{traffic}_agreement_one_size_fits_all: {trust[0]:.1f} %")
        for k, t, f in zip(ks[1:], trust[1:], free[1:]):
            lines.append(f"{traffic}_agreement_trust_region_k{k}: {t:.1f} %")
            lines.append(f"{traffic}_agreement_unconstrained_k{k}: {f:.1f} %")
        lines.append(f"{traffic}_agreement_region_ceiling: {summary['ceiling_region' + suffix]:.1f} %")
        if 20 in ks:
            lines.append(f"{traffic}_gain_trust_region_k20_vs_one_size: {_gain(trust, ks):+.1f} points")
            lines.append(f"{traffic}_gain_unconstrained_k20_vs_one_size: {_gain(free, ks):+.1f} points")
            for name, c in summary["per_persona"].items():
                lines.append(f"{traffic}_gain_k20_{name}: {_gain(c['trust' + suffix], ks):+.1f} points "
                             f"(unconstrained {_gain(c['free' + suffix], ks):+.1f}, "
                             f"region ceiling {c['ceiling_region' + suffix] - c['trust' + suffix][0]:+.1f})")
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
    """Agreement vs feedback events: own and general traffic (mean over users), and per persona, as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ks = summary["checkpoints"]
    fig, axes = plt.subplots(1, 3, figsize=(17, 4.8))
    for ax, suffix, title in ((axes[0], "", "own traffic"), (axes[1], "_general", "general traffic")):
        ax.plot(ks, [summary["trust" + suffix][0]] * len(ks), "k--", label="one-size-fits-all")
        ax.plot(ks, [summary["ceiling_region" + suffix]] * len(ks), "k:", label="trust-region ceiling")
        ax.plot(ks, summary["trust" + suffix], "o-", label="trust region")
        ax.plot(ks, summary["free" + suffix], "s-", label="unconstrained")
        ax.set(xlabel="feedback events k", ylabel="agreement with hidden policy (%)",
               title=f"{title}, mean over {summary['n_users']} synthetic users")
        ax.legend(fontsize=8)
    for name, curves in summary["per_persona"].items():
        axes[2].plot(ks, curves["trust"], "o-", label=name)
    axes[2].set(xlabel="feedback events k", ylabel="agreement (%)", title="trust region, own traffic, per persona")
    axes[2].legend(fontsize=7)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
