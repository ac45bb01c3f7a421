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
    p.add_argument("--leave-out", type=_folds, default=0, metavar="K",
                   help="also score each profile with a knowledge base ablated of what it could have taught "
                        "(K folds by profile; docs/personalization.md)")
    p.add_argument("--negatives", default=None,
                   help="with --leave-out: JSON list of {instruction} rows; 3000 are the refitted probes' negatives "
                        "(as the packaged index), 100 others check personal over-blocking")
    p.add_argument("--seed", type=int, default=0, help="with --leave-out: the fold shuffle")
    p.set_defaults(func=run)


def _folds(value: str) -> int:
    k = int(value)
    if k != 0 and k < 2:
        raise argparse.ArgumentTypeError(f"K must be 0 (off) or at least 2 folds, got {k}")
    return k


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
    if args.leave_out:
        _leave_out(args, unsafe, safe, out)
    return 0


def _leave_out(args: argparse.Namespace, unsafe: list, safe: list, out: Path) -> None:  # type: ignore[type-arg]
    from personaguard.eval.leave_out import evaluate_leave_out
    from personaguard.guard import Guard
    from personaguard.profile.index import instructions_sample, outside_negatives

    guard = Guard(taxonomy=args.taxonomy)
    outside, benign = None, []
    if args.negatives:
        encoder = guard.personal_risk_model().encoder
        outside = outside_negatives(args.negatives, encoder)
        benign = instructions_sample(args.negatives, skip=3000, sample=100)
    report = evaluate_leave_out(guard, unsafe, safe, k=args.leave_out, seed=args.seed, outside=outside, benign=benign)
    (out / "leave_out.json").write_text(report.model_dump_json(indent=2), encoding="utf-8")
    worst, best = report.fold_spread
    print(f"leave-{args.leave_out}-folds-out safety: seen {100 * report.safety_seen:.1f} %, "
          f"unseen {100 * report.safety_unseen:.1f} % (gap {100 * report.gap:.1f} points; "
          f"folds {100 * worst:.1f}-{100 * best:.1f} %)")
    for name, rate in report.per_scenario_unseen.items():
        print(f"  unseen {name}: {100 * rate:.1f} %")
    low = sorted(report.per_profile_unseen.items(), key=lambda kv: kv[1])[:5]
    print("  worst profiles: " + "; ".join(f"{u!r} {100 * r:.0f} %" for u, r in low))
    print(f"  helpfulness {100 * report.helpfulness:.1f} % (general-population profile)")
    if report.benign_not_allowed_unseen is not None:
        print(f"  ordinary requests not allowed for held-out profiles: {100 * report.benign_not_allowed_unseen:.2f} % "
              f"(n={report.n_benign})")
    print(f"report: {out / 'leave_out.json'}")
