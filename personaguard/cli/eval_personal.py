"""`personaguard eval-personal DATA_DIR`: user-specific safety and helpfulness, with a bar chart."""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("eval-personal", help="user-specific safety/helpfulness on a U-SafeBench-style folder")
    p.add_argument("data", help="folder with unsafe_for_user.json and safe_general_user.json")
    p.add_argument("--out", default="eval-personal", help="folder for report.json and the bar chart PNG")
    p.add_argument("--taxonomy", default=None, help="a taxonomy YAML file (default: the packaged one)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from personaguard.eval.personal import evaluate_personal, load_u_safebench, plot_personal
    from personaguard.guard import Guard

    unsafe, safe = load_u_safebench(args.data)
    report = evaluate_personal(Guard(taxonomy=args.taxonomy), unsafe, safe)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(report.model_dump_json(indent=2), encoding="utf-8")
    png = plot_personal(report, out / "personal_safety.png")
    for name, r in report.safety.items():
        print(f"safety_{name}: {100 * r.rate_personal:.1f} % (generic profile {100 * r.rate_generic:.1f} %, n={r.n_items})")
    h = report.helpfulness
    print(f"helpfulness: {100 * h.rate_personal:.1f} % (generic profile {100 * h.rate_generic:.1f} %, n={h.n_items})")
    print(f"chart: {png}")
    return 0
