"""`personaguard simulate`: the learning simulation (honest and adversarial synthetic users)."""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
from pathlib import Path

__all__ = ["register"]

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("simulate", help="simulate users giving feedback; learning curves and adversarial bounds")
    p.add_argument("--data", type=Path, required=True, help="the shared data folder")
    p.add_argument("--per-source", type=int, default=50, help="texts drawn per source: general traffic (default 50)")
    p.add_argument("--per-category", type=int, default=60,
                   help="more texts per category its source labels it with: topic traffic (default 60)")
    p.add_argument("--topic-share", type=float, default=0.8,
                   help="share of a persona's own traffic drawn from its topics (default 0.8)")
    p.add_argument("--max-chars", type=int, default=400, help="only texts up to this length (default 400)")
    p.add_argument("--users-per-persona", type=int, default=5)
    p.add_argument("--adversarial-users", type=int, default=3)
    p.add_argument("--adversarial-events", type=int, default=100_000)
    p.add_argument("--seed", type=int, nargs="+", default=[0], help="one or more seeds; figures are their mean")
    p.add_argument("--cache-dir", type=Path, default=None,
                   help="where scores are cached (default: a folder in the system temp dir)")
    p.add_argument("--out", type=Path, default=Path("simulate-out"), help="folder for summary.json and the PNG")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from personaguard.eval.learning_report import plot_learning_curves, result_lines, summarize
    from personaguard.eval.scored_pool import score_pool, select_texts
    from personaguard.eval.simulate import SimulationConfig, clone_fixed, run_all
    from personaguard.guard import Guard
    from personaguard.learn.reference import reference_digests

    if not 0.0 <= args.topic_share <= 1.0:
        raise ValueError(f"--topic-share must be in [0, 1]; got {args.topic_share}")
    guard = Guard()
    learner = guard.fitted_learner()
    fixed = clone_fixed(learner, guard.taxonomy)
    cache = args.cache_dir if args.cache_dir is not None else Path(tempfile.gettempdir()) / "personaguard-sim-cache"
    results, n_texts = [], []
    for seed in args.seed:
        items = select_texts(args.data, guard.taxonomy.ids, n_per_source=args.per_source, seed=seed + 1,
                             exclude=reference_digests(), max_chars=args.max_chars, n_per_category=args.per_category)
        pool = score_pool(guard, items, cache_dir=cache)
        cfg = SimulationConfig(seed=seed, users_per_persona=args.users_per_persona, topic_share=args.topic_share,
                               adversarial_users=args.adversarial_users, adversarial_events=args.adversarial_events)
        results.append(run_all(pool, guard.taxonomy, learner, cfg, fixed=fixed))
        n_texts.append(len(pool.probs))
    summary = summarize(results, list(args.seed))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    plot_learning_curves(summary, args.out / "learning_curves.png")
    print(f"texts_scored: {', '.join(map(str, n_texts))} texts")
    print("\n".join(result_lines(summary)))
    return 0
