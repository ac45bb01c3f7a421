"""`personaguard eval DATASET`: quality metrics and plots on a labelled file."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("eval", help="AUPRC, F1, precision, recall, FPR, ECE, Brier and plots on a labelled file")
    p.add_argument("dataset", help="CSV, JSONL or Parquet file")
    p.add_argument("--text-col", default="text")
    p.add_argument("--label-col", default="label", help="1/0, true/false or harmful/safe")
    p.add_argument("--plots", default="eval-plots", help="folder for the PNG plots (default: eval-plots)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from personaguard.eval.datasets import load_labelled
    from personaguard.eval.metrics import binary_report
    from personaguard.eval.plots import plot_pr_curve, plot_reliability
    from personaguard.guard import Guard

    data = load_labelled(args.dataset, text_col=args.text_col, label_col=args.label_col)
    for err in data.errors:
        print(f"skipped {err}", file=sys.stderr)
    if not data.texts:
        raise ValueError(f"{args.dataset}: no readable rows")
    decisions = Guard().check_batch(data.texts)
    p_any = np.array([d.p_any for d in decisions])
    flagged = np.array([d.flagged for d in decisions])
    report = binary_report(data.labels, p_any, decided=flagged)
    report["n_error_rows"] = len(data.errors)
    folder = Path(args.plots)
    folder.mkdir(parents=True, exist_ok=True)
    name = Path(args.dataset).stem
    report["plots"] = [
        str(plot_pr_curve(data.labels, p_any, folder / f"{name}-pr.png", title=name)),
        str(plot_reliability(data.labels, p_any, folder / f"{name}-reliability.png", title=name)),
    ]
    print(json.dumps(report, indent=2))
    return 0
