"""`personaguard monitor TRAFFIC --reference REF --out DIR`: label-free monitoring report."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("monitor", help="estimated accuracy over time and drift against a reference (HTML report)")
    p.add_argument("traffic", help="live traffic: CSV, JSONL or Parquet")
    p.add_argument("--reference", required=True, help="reference traffic in the same formats")
    p.add_argument("--out", default="monitor-report", help="report folder (default: monitor-report)")
    p.add_argument("--text-col", default="text")
    p.add_argument("--window", type=int, default=1000, help="texts per window of the time series")
    p.add_argument("--no-progress", action="store_true")
    p.set_defaults(func=run)


def _texts(path: str, col: str) -> list[str]:
    from personaguard.batch.readers import read_rows

    rows = list(read_rows(path, text_col=col))
    bad = sum(r.error is not None for r in rows)
    if bad:
        print(f"{path}: {bad} unreadable rows left out (see `personaguard batch` for their line numbers)",
              file=sys.stderr)
    return [r.text for r in rows if r.error is None and r.text is not None]


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from personaguard.guard import Guard
    from personaguard.monitor.report import write_report

    traffic, reference = _texts(args.traffic, args.text_col), _texts(args.reference, args.text_col)
    if len(traffic) < 2 or len(reference) < 2:
        raise ValueError("traffic and reference need at least 2 readable texts each")
    guard = Guard()
    with tqdm(total=len(traffic), disable=args.no_progress, unit="text", desc="monitoring") as bar:
        summary = write_report(guard, traffic, reference, Path(args.out), window=args.window, progress=bar.update)
    alerts = summary["drift"]["alerts"]  # type: ignore[index]
    print(f"report written to {args.out}/index.html; {len(alerts)} alert(s)")
    for a in alerts:
        print(f"  - {a}")
    return 0
