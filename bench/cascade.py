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

from bench.quality import yardstick
from bench.traffic import DATA, traffic_mix, transformer_share


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
    from personaguard.score.cascade import CascadeScorer
    from personaguard.train.corpus import build_corpus

    guard = Guard()
    scorer = guard.scorer
    if not isinstance(scorer, CascadeScorer):
        print("bench.cascade: the packaged scorer has no cascade to measure", file=sys.stderr)
        return 2
    packaged = scorer.escalate_above
    print(f"machine: {os.cpu_count()} cpus, python {platform.python_version()}, model {guard.model_version}")
    mix = traffic_mix(args.n, seed=0)
    ys = yardstick(build_corpus(Path(DATA), guard.taxonomy.ids))
    guard.check_batch(mix[:64])  # warm-up, not measured
    for t in args.thresholds:
        scorer.escalate_above = t
        tag = f"at_{t:g}"
        share, _, _ = transformer_share(guard, mix)
        start = time.perf_counter()
        for a in range(0, len(mix), 256):
            guard.check_batch(mix[a:a + 256])
        rate = len(mix) / (time.perf_counter() - start)
        decisions = guard.check_batch(ys.texts)
        p_any = np.array([d.p_any for d in decisions])
        flagged = np.array([d.flagged for d in decisions])
        print(f"{tag}.traffic_reaching_minilm: {share:.3f} ratio")
        print(f"{tag}.traffic_throughput: {rate:.1f} texts/s")
        worst = (2.0, "")
        for name, (k, y) in ys.families.items():
            if y.max() < 0.5:
                continue
            rep = binary_report(y, p_any[k], decided=flagged[k])
            print(f"{tag}.{name}.auprc: {rep['auprc']:.3f} ratio")
            print(f"{tag}.{name}.recall_at_default: {rep['recall']:.3f} ratio")
            worst = min(worst, (float(rep["auprc"]), name))
        print(f"{tag}.worst_family.auprc: {worst[0]:.3f} ratio ({worst[1]})")
    scorer.escalate_above = packaged
    return 0


if __name__ == "__main__":
    sys.exit(main())
