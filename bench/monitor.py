"""Label-free accuracy on shifted sets: the VRP estimate against the true accuracy.

Run: ``python -m bench.monitor [--plot docs/figures/vrp.png]``. Builds at least 10 labelled,
distribution-shifted sets from ../shared/data (held-out families, mixtures, obfuscated and
truncated variants; 300 items each, seeded), runs ``estimate_accuracy`` on each without its labels,
and compares with the true share of correct ``flagged`` decisions: mean absolute error, worst
error and rank correlation across sets, for VRP and for plain average confidence.
stdout: ``name: value unit`` lines only.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
from pathlib import Path

import numpy as np

LEET = str.maketrans({"a": "4", "e": "3", "i": "1", "o": "0", "s": "5"})


def _sets(corpus, rng: random.Random, n: int) -> dict[str, tuple[list[str], np.ndarray]]:  # type: ignore[no-untyped-def]
    def rows(split: str, *sources: str) -> list[int]:
        idx = np.flatnonzero((corpus.split == split) & np.isin(corpus.sources, sources) & corpus.mask[:, -1])
        return rng.sample(list(idx), min(n, len(idx)))

    def take(idx: list[int], f=lambda t: t) -> tuple[list[str], np.ndarray]:  # type: ignore[no-untyped-def]
        return [f(corpus.texts[i]) for i in idx], corpus.y[idx, -1] > 0.5

    harmful = rows("test", "strongreject", "malicious_instruct", "jailbreakbench")
    out = {
        "harmful_requests_vs_benign": take(harmful),
        "hatecheck_unseen_templates": take(rows("test", "hatecheck_test")),
        "ethos_comments": take(rows("test", "ethos")),
        "jigsaw_comments": take(rows("test", "jigsaw_toxic_sample")),
        "beavertails_questions": take(rows("test", "beavertails")),
        "davidson_tweets": take(rows("proxy", "davidson_hate_offensive")),
        "olid_tweets": take(rows("proxy", "olid")),
        "hatexplain_posts": take(rows("proxy", "hatexplain")),
        "mixture_ethos_davidson": take(rows("test", "ethos")[: n // 2] + rows("proxy", "davidson_hate_offensive")[: n // 2]),
        "obfuscated_leetspeak_requests": take(harmful, lambda t: t.translate(LEET)),
        "truncated_beavertails_5_words": take(rows("test", "beavertails"), lambda t: " ".join(t.split()[:5])),
        "overrefusal_oktest": take(rows("test", "oktest_heldout")),
    }
    return {k: v for k, v in out.items() if len(v[0]) >= 20}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default="../shared/data")
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--plot", default=None, help="write the estimate-vs-truth plot here (PNG)")
    args = ap.parse_args()
    from personaguard.guard import Guard
    from personaguard.monitor import estimate_accuracy
    from personaguard.train.corpus import build_corpus

    guard = Guard()
    print(f"machine: {os.cpu_count()} cpus, python {platform.python_version()}, model {guard.model_version}")
    corpus = build_corpus(Path(args.data_dir), guard.taxonomy.ids)
    truth, vrp, conf = [], [], []
    for name, (texts, y) in _sets(corpus, random.Random(0), args.n).items():
        est = estimate_accuracy(guard, texts)
        flagged = np.array([d.flagged for d in guard.check_batch(texts)])
        true = float((flagged == y).mean())
        truth.append(true)
        vrp.append(est.accuracy)
        conf.append(est.average_confidence)
        inside = est.interval[0] <= true <= est.interval[1]
        print(f"{name}.true_accuracy: {true:.3f} ratio (n={len(texts)})")
        print(f"{name}.vrp: {est.accuracy:.3f} ratio (interval {est.interval[0]:.3f}-{est.interval[1]:.3f}"
              f"{', contains truth' if inside else ''})")
        print(f"{name}.average_confidence: {est.average_confidence:.3f} ratio")
    t, v, c = map(np.array, (truth, vrp, conf))
    from scipy.stats import spearmanr

    for label, est in (("vrp", v), ("average_confidence", c)):
        err = np.abs(est - t)
        print(f"{label}.mae: {err.mean():.3f} ratio (sets {len(t)})")
        print(f"{label}.worst_error: {err.max():.3f} ratio")
        print(f"{label}.rank_correlation: {spearmanr(est, t).statistic:.3f} ratio")
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(5, 5))
        ax.plot([0, 1], [0, 1], color="grey", lw=1)
        ax.scatter(t, v, label="VRP")
        ax.scatter(t, c, marker="x", label="average confidence")
        ax.set_xlabel("true accuracy of flagged")
        ax.set_ylabel("estimate without labels")
        ax.set_xlim(0.3, 1.0)
        ax.set_ylim(0.3, 1.0)
        ax.legend()
        fig.tight_layout()
        fig.savefig(args.plot, dpi=110)
    return 0


if __name__ == "__main__":
    sys.exit(main())
