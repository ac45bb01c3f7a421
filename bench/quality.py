"""Quality of the whole Guard (normalization, windows, cascade, thresholds) on held-out slices.

Run: ``python -m bench.quality``. Reads the held-out (test) sources of the training corpus from
``../shared/data`` — sources and templates never trained or calibrated on — and prints
``name: value unit`` lines: AUPRC of ``p_any``, and the share flagged at the default decision.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
from pathlib import Path

import numpy as np

from personaguard.eval.metrics import average_precision, binary_report
from personaguard.guard import Guard
from personaguard.train.corpus import build_corpus


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default="../shared/data")
    ap.add_argument("--minilm-only", action="store_true", help="score every window with MiniLM (no cascade)")
    args = ap.parse_args()
    guard = Guard()
    if args.minilm_only:
        from personaguard.score.cascade import CascadeScorer

        assert isinstance(guard.scorer, CascadeScorer)
        guard.scorer.escalate_above = 0.0
    print(f"machine: {os.cpu_count()} cpus, python {platform.python_version()}, model {guard.model_version}")
    corpus = build_corpus(Path(args.data_dir), guard.taxonomy.ids)
    te = np.flatnonzero(corpus.split == "test")
    texts = [corpus.texts[i] for i in te]
    decisions = guard.check_batch(texts)
    p_any = np.array([d.p_any for d in decisions])
    flagged = np.array([d.flagged for d in decisions])
    blocked = np.array([d.outcome == "block" for d in decisions])
    y = corpus.y[te, -1]
    src = corpus.sources[te]
    slices = {
        "harmful_requests_vs_benign": np.isin(src, ["strongreject", "malicious_instruct", "jailbreakbench"]),
        "hate_hatecheck_unseen_templates": src == "hatecheck_test",
        "hate_ethos": src == "ethos",
        "toxicity_jigsaw_sample": src == "jigsaw_toxic_sample",
    }
    for name, m in slices.items():
        rep = binary_report(y[m], p_any[m], decided=flagged[m])
        print(f"{name}.auprc: {rep['auprc']:.3f} ratio")
        print(f"{name}.recall_at_default: {rep['recall']:.3f} ratio")
        print(f"{name}.fpr_at_default: {rep['fpr']:.3f} ratio")
        print(f"{name}.ece: {rep['ece']:.3f} ratio")
    for name in ("oktest_heldout", "jailbreakbench"):
        m = (src == name) & (y < 0.5)
        print(f"{name}_benign.flagged: {flagged[m].mean():.3f} ratio (n={int(m.sum())})")
        print(f"{name}_benign.blocked: {blocked[m].mean():.3f} ratio")
    allm = np.ones_like(y, dtype=bool)
    print(f"all_test.auprc: {average_precision(y[allm], p_any[allm]):.3f} ratio (n={len(y)})")
    return 0


if __name__ == "__main__":
    from personaguard.errors import PersonaguardError

    try:
        sys.exit(main())
    except PersonaguardError as exc:  # one line, no traceback: the data folder is the usual cause
        print(f"bench.quality: {exc}", file=sys.stderr)
        sys.exit(2)
