"""The cascade's one knob, measured: what raising the escalation threshold settles and what it costs.

Run: ``python -m bench.cascade [--thresholds 0.09 0.15 0.2 0.3 0.5] [--n 2000]``. For each
threshold of the student's ``p_any`` above which a window goes to MiniLM, it prints:

- the share of a production-like mix (``bench.traffic``'s, seed 0) whose texts reach MiniLM, and
  the batched throughput on that mix;
- on the real-traffic yardstick (``bench.quality``'s families, never trained on): AUPRC of
  ``p_any`` and recall at the default decision per family, and the worst family.

Why: the throughput issue needs the first stage to settle most real traffic; this says what each
step of settling more costs in quality, on data the threshold was not chosen on. The packaged
threshold is chosen at 1% recall loss on the calibration split (docs/runtime.md).
stdout: ``name: value unit`` lines only.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

from bench.quality import FAMILIES
from bench.traffic import DATA, _transformer_share, traffic_mix


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--thresholds", type=float, nargs="+", default=[0.09, 0.15, 0.2, 0.3, 0.5])
    ap.add_argument("--n", type=int, default=2000, help="texts of the traffic mix timed per threshold")
    args = ap.parse_args()
    if not DATA.is_dir():
        print(f"bench.cascade: {DATA} does not exist; see README, 'Data'", file=sys.stderr)
        return 2
    from personaguard import Guard
    from personaguard.eval.metrics import binary_report
    from personaguard.train.corpus import build_corpus

    guard = Guard()
    scorer = guard.scorer
    packaged = scorer.escalate_above
    print(f"machine: {os.cpu_count()} cpus, python {platform.python_version()}, model {guard.model_version}")
    mix = traffic_mix(args.n, seed=0)
    corpus = build_corpus(Path(DATA), guard.taxonomy.ids)
    rows = {name: np.flatnonzero((corpus.split == split) & np.isin(corpus.sources, sources) & corpus.mask[:, -1])
            for name, (split, sources) in FAMILIES.items()}
    every = np.unique(np.concatenate(list(rows.values())))
    texts = [corpus.texts[i] for i in every]
    where = {i: k for k, i in enumerate(every)}
    guard.check_batch(mix[:64])  # warm-up, not measured
    for t in args.thresholds:
        scorer.escalate_above = t
        tag = f"at_{t:g}"
        share, _ = _transformer_share(guard, mix)
        start = time.perf_counter()
        for a in range(0, len(mix), 256):
            guard.check_batch(mix[a:a + 256])
        rate = len(mix) / (time.perf_counter() - start)
        decisions = guard.check_batch(texts)
        p_any = np.array([d.p_any for d in decisions])
        flagged = np.array([d.flagged for d in decisions])
        print(f"{tag}.traffic_reaching_minilm: {share:.3f} ratio")
        print(f"{tag}.traffic_throughput: {rate:.1f} texts/s")
        worst = (2.0, "")
        for name, idx in rows.items():
            y = corpus.y[idx, -1]
            if y.max() < 0.5:
                continue
            k = np.array([where[i] for i in idx])
            rep = binary_report(y, p_any[k], decided=flagged[k])
            print(f"{tag}.{name}.auprc: {rep['auprc']:.3f} ratio")
            print(f"{tag}.{name}.recall_at_default: {rep['recall']:.3f} ratio")
            worst = min(worst, (float(rep["auprc"]), name))
        print(f"{tag}.worst_family.auprc: {worst[0]:.3f} ratio ({worst[1]})")
    scorer.escalate_above = packaged
    return 0


if __name__ == "__main__":
    sys.exit(main())
