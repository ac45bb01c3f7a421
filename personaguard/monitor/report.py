"""The monitoring report: estimated accuracy and flag rates over time, drift against a reference.

``personaguard monitor`` is its command line; this module writes ``report.json``, PNG plots and an
``index.html`` that shows them (matplotlib from the ``[eval]`` extra).
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from personaguard.monitor.drift import DriftReport, Scored, compare_scored

if TYPE_CHECKING:
    from personaguard.guard import Guard

__all__ = ["write_report"]


def write_report(guard: "Guard", traffic: Sequence[str], reference: Sequence[str], out: Path, *, window: int = 1000,
                 progress: Callable[[int], None] | None = None) -> dict[str, object]:
    """Score ``traffic`` window by window, compare it with ``reference``, write the report to ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    # Every text is decided and embedded once; windows, estimates and drift reuse them.
    decisions, embeddings = [], []
    for start in range(0, len(traffic), window):
        part = Scored.of(guard, traffic[start:start + window])
        decisions += part.decisions
        embeddings.append(part.embeddings)
        if progress is not None:
            progress(len(part.decisions))
    live = Scored(decisions=decisions, embeddings=np.concatenate(embeddings))
    windows = []
    for start in range(0, len(traffic), window):
        sl = slice(start, min(start + window, len(traffic)))
        if sl.stop - sl.start < 2:
            continue
        est = Scored(decisions=decisions[sl], embeddings=live.embeddings[sl]).estimate()
        windows.append({"start": start, "n": sl.stop - sl.start, "accuracy": est.accuracy,
                        "interval": list(est.interval), "average_confidence": est.average_confidence,
                        "flag_rate": est.flag_rate})
    drift: DriftReport = compare_scored(guard, Scored.of(guard, reference), live)
    summary: dict[str, object] = {"model": guard.model_version, "n_traffic": len(traffic),
                                  "n_reference": len(reference), "windows": windows,
                                  "drift": drift.model_dump(mode="json")}
    (out / "report.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    _plots(windows, drift, out)
    _html(summary, drift, out)
    return summary


def _plots(windows: list[dict[str, object]], drift: DriftReport, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3))
    x = [int(w["start"]) for w in windows]  # type: ignore[call-overload]
    ax.plot(x, [float(w["accuracy"]) for w in windows], marker="o", label="estimated accuracy (VRP)")  # type: ignore[arg-type]
    ax.plot(x, [float(w["flag_rate"]) for w in windows], marker="x", label="share flagged")  # type: ignore[arg-type]
    ax.set_xlabel("first line of the window")
    ax.set_ylim(0, 1)
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "over_time.png", dpi=100)
    plt.close(fig)
    cats = [c for c, (a, b) in drift.flag_rate.items() if max(a, b) > 0]
    fig, ax = plt.subplots(figsize=(6, 3 + 0.2 * len(cats)))
    ax.barh([f"{c} (ref)" for c in cats], [drift.flag_rate[c][0] for c in cats], color="grey")
    ax.barh([f"{c} (live)" for c in cats], [drift.flag_rate[c][1] for c in cats])
    ax.set_xlabel("share flagged")
    fig.tight_layout()
    fig.savefig(out / "category_rates.png", dpi=100)
    plt.close(fig)


def _html(summary: dict[str, object], drift: DriftReport, out: Path) -> None:
    alerts = "".join(f"<li>{html.escape(a)}</li>" for a in drift.alerts) or "<li>none</li>"
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>personaguard monitoring</title>
<style>body{{font-family:sans-serif;max-width:900px;margin:2em auto}}</style></head><body>
<h1>Monitoring report</h1>
<p>Model {html.escape(str(summary["model"]))}; {summary["n_traffic"]} texts of traffic against a reference of
{summary["n_reference"]}.</p>
<h2>Alerts</h2><ul>{alerts}</ul>
<h2>Estimated accuracy and flag rate over time</h2><img src="over_time.png" alt="accuracy over time">
<h2>Category flag rates, reference vs live</h2><img src="category_rates.png" alt="category rates">
<h2>Drift</h2><p>Texts: MMD {drift.embedding_mmd:.4f}, permutation p {drift.embedding_p_value:.3f}.
Estimated accuracy: reference {drift.accuracy[0]:.3f}, live {drift.accuracy[1]:.3f}.</p>
</body></html>"""
    (out / "index.html").write_text(page, encoding="utf-8")
