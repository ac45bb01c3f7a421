"""Summaries and the learning-curve figure of the learning simulation."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from personaguard.eval.simulate import HonestResult, SimulationResult

__all__ = ["summarize", "result_lines", "plot_learning_curves"]


def _mean_curve(results: list[HonestResult], attr: str, ks: list[int]) -> list[float]:
    return [100.0 * float(np.mean([getattr(r, attr)[k] for r in results])) for k in ks]


_CURVES = {"trust": "agreement_trust", "fixed": "agreement_fixed", "free": "agreement_free",
           "trust_general": "agreement_trust_general", "fixed_general": "agreement_fixed_general",
           "free_general": "agreement_free_general"}


def _curves(results: list[HonestResult], ks: list[int]) -> dict[str, Any]:
    out: dict[str, Any] = {name: _mean_curve(results, attr, ks) for name, attr in _CURVES.items()
                           if all(getattr(r, attr) for r in results)}
    for key in ("ceiling_region", "ceiling_region_fixed", "ceiling_region_general"):
        out[key] = 100.0 * float(np.mean([getattr(r, key) for r in results]))
    return out


def _scenario(results: list[HonestResult]) -> dict[str, Any]:
    ks = sorted(results[0].agreement_trust)
    personas = sorted({r.persona for r in results}, key=[r.persona for r in results].index)
    return {
        "checkpoints": ks,
        **_curves(results, ks),
        "per_persona": {p: _curves([r for r in results if r.persona == p], ks) for p in personas},
        "n_users": len(results),
        "wrong_event_share": float(np.mean([r.wrong_event_share for r in results])),
    }


def _gains(scenario: dict[str, Any], k: int = 20) -> dict[str, float]:
    """Own-traffic gains at ``k`` events over one-size-fits-all, in points."""
    i = scenario["checkpoints"].index(k)
    start = scenario["trust"][0]
    out = {"trust_region": scenario["trust"][i] - start, "unconstrained": scenario["free"][i] - start,
           "oracle": 100.0 - start, "region_ceiling": scenario["ceiling_region"] - start}
    if "fixed" in scenario:
        out["fixed_region"] = scenario["fixed"][i] - start
        out["fixed_region_ceiling"] = scenario["ceiling_region_fixed"] - start
    out["share_of_oracle"] = out["trust_region"] / out["oracle"] if out["oracle"] > 0 else 0.0
    return out


def _mean_dicts(items: list[dict[str, float]]) -> dict[str, float]:
    return {key: float(np.mean([d[key] for d in items])) for key in items[0]}


def summarize(results: list[SimulationResult], seeds: list[int]) -> dict[str, Any]:
    """JSON-ready summary over seeds: gains at 20 events per scenario, curves, drifters, adversaries.

    ``gain_at_20`` (honest users, own traffic, points, mean over seeds) has ``trust_region``,
    ``unconstrained``, ``oracle`` (the hidden policy itself), ``region_ceiling`` (the hidden
    thresholds clipped into the widest elastic region), ``fixed_region`` and ``share_of_oracle``.
    """
    per_seed: list[dict[str, Any]] = []
    for res in results:
        scenarios = {name: _scenario(rs) for name, rs in res.honest.items()}
        drift = _scenario(res.drifters)
        per_seed.append({
            "scenarios": scenarios,
            "gains": {name: _gains(sc) for name, sc in scenarios.items()},
            "drifters": drift,
            "drift_gains_k50": _gains(drift, k=50),
            "adversarial": [asdict(a) for a in res.adversarial],
        })
    names = list(per_seed[0]["gains"])
    gains = {name: _mean_dicts([s["gains"][name] for s in per_seed]) for name in names}
    return {
        "seeds": seeds,
        "gain_at_20": gains["honest"],
        "gain_at_20_by_scenario": gains,
        "drift_gain_at_50": _mean_dicts([s["drift_gains_k50"] for s in per_seed]),
        # The honest scenario of the first seed, in the shape the plot and older readers use.
        **per_seed[0]["scenarios"]["honest"],
        "adversarial": [a for s in per_seed for a in s["adversarial"]],
        "per_seed": per_seed,
    }


def _gain(curve: list[float], ks: list[int], k: int = 20) -> float:
    return curve[ks.index(k)] - curve[0]


def result_lines(summary: dict[str, Any]) -> list[str]:
    """``name: value unit`` lines of the headline figures."""
    seeds = ",".join(map(str, summary["seeds"]))
    lines = [f"seeds: {seeds}", f"honest_users_per_seed: {summary['n_users']} users"]
    for name, g in summary["gain_at_20_by_scenario"].items():
        for key, value in g.items():
            unit = "" if key == "share_of_oracle" else " points"
            lines.append(f"{name}_gain_k20_{key}: {value:.3f}" if key == "share_of_oracle"
                         else f"{name}_gain_k20_{key}: {value:+.1f}{unit}")
    for key, value in summary["drift_gain_at_50"].items():
        lines.append(f"drifters_gain_k50_{key}: {value:.3f}" if key == "share_of_oracle"
                     else f"drifters_gain_k50_{key}: {value:+.1f} points")
    ks = summary["checkpoints"]
    for name, c in summary["per_persona"].items():
        lines.append(f"seed{summary['seeds'][0]}_honest_gain_k20_{name}: {_gain(c['trust'], ks):+.1f} points "
                     f"(fixed {_gain(c['fixed'], ks) if 'fixed' in c else float('nan'):+.1f}, "
                     f"unconstrained {_gain(c['free'], ks):+.1f}, "
                     f"region ceiling {c['ceiling_region'] - c['trust'][0]:+.1f}, oracle {100 - c['trust'][0]:+.1f})")
    lines.append(f"general_traffic_gain_k20_trust_region: {_gain(summary['trust_general'], ks):+.1f} points")
    lines.append("no_feedback_loss: 0.0 points (theta stays 0: the global policy)")
    for i, a in enumerate(summary["adversarial"]):
        who = f"honest as {a['honest_as']} for {a['honest_events']} events, then push" if a["honest_as"] else "push"
        lines += [
            f"adversarial_{i}_kind: {who}",
            f"adversarial_{i}_max_kl: {a['max_kl']:.5f} nats (largest bound in force {a['max_delta']:.3f})",
            f"adversarial_{i}_kl_violations: {a['violations']} updates",
            f"adversarial_{i}_floor_flips_trust_region: {a['floor_flips_trust']} of {a['floor_texts']} texts",
            f"adversarial_{i}_clearly_harmful_still_blocked_trust_region: {100 * a['still_blocked_trust']:.1f} % "
            f"of {a['clearly_harmful']}",
            f"adversarial_{i}_clearly_harmful_still_blocked_unconstrained: {100 * a['still_blocked_free']:.1f} %",
            f"adversarial_{i}_harmful_allow_rate: {100 * a['harmful_allow_before']:.1f} % before, "
            f"{100 * a['harmful_allow_trust']:.1f} % trust region, {100 * a['harmful_allow_free']:.1f} % unconstrained",
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
        ax.plot(ks, [summary["ceiling_region" + suffix]] * len(ks), "k:", label="elastic region ceiling")
        ax.plot(ks, summary["trust" + suffix], "o-", label="elastic trust region")
        if "fixed" + suffix in summary:
            ax.plot(ks, summary["fixed" + suffix], "^-", label="fixed trust region")
        ax.plot(ks, summary["free" + suffix], "s-", label="unconstrained")
        ax.set(xlabel="feedback events k", ylabel="agreement with hidden policy (%)",
               title=f"{title}, mean over {summary['n_users']} synthetic users")
        ax.legend(fontsize=8)
    for name, curves in summary["per_persona"].items():
        axes[2].plot(ks, curves["trust"], "o-", label=name)
    axes[2].set(xlabel="feedback events k", ylabel="agreement (%)", title="elastic trust region, own traffic, per persona")
    axes[2].legend(fontsize=7)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
