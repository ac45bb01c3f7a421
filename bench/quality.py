"""Quality of the whole Guard on a real-traffic proxy: families never trained, tuned or calibrated on.

Run: ``python -m bench.quality [--baseline ARTIFACTS_DIR]``. Reads ``../shared/data`` and scores
the held-out families of the corpus (``personaguard.train.corpus``):

- whole sources held out of every training step (``TEST_SOURCES``): harmful-request lists with
  benign look-alikes, HateCheck templates never seen, ETHOS and Jigsaw comments, BeaverTails real
  users' questions (pair labels: a harmful question answered safely counts as negative, so its
  false-positive rate is an upper bound), OKTest over-refusal probes;
- shares of user-written sources held out by hash (the ``proxy`` split): Davidson and OLID tweets,
  HateXplain posts, with their benign ("neither", "NOT", "normal") rows as real benign text.

Per family it prints AUPRC of ``p_any``, recall and false-positive rate at the default decision,
then the worst family. ``--baseline`` scores the same items with another artifacts folder (an
earlier model) and prints both side by side. stdout: ``name: value unit`` lines only.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from personaguard.eval.metrics import binary_report, paired_bootstrap_ap_delta
from personaguard.guard import Guard, load_scorer
from personaguard.taxonomy import load_taxonomy
from personaguard.train.corpus import Corpus, build_corpus

#: family name -> (split, sources); benign-only families report the share flagged.
FAMILIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "harmful_requests_vs_benign": ("test", ("strongreject", "malicious_instruct", "jailbreakbench")),
    "hate_hatecheck_unseen_templates": ("test", ("hatecheck_test",)),
    "hate_ethos_comments": ("test", ("ethos",)),
    "toxicity_jigsaw_comments": ("test", ("jigsaw_toxic_sample",)),
    "beavertails_user_questions": ("test", ("beavertails",)),
    "tweets_davidson_heldout": ("proxy", ("davidson_hate_offensive",)),
    "tweets_olid_heldout": ("proxy", ("olid",)),
    "posts_hatexplain_heldout": ("proxy", ("hatexplain",)),
    "overrefusal_oktest_heldout": ("test", ("oktest_heldout",)),
}


@dataclass(frozen=True)
class Yardstick:
    """The families' items in one list (each text scored once) and, per family, its items' positions
    in that list and their "any" labels."""

    texts: list[str]
    families: dict[str, tuple[np.ndarray, np.ndarray]]


def yardstick(corpus: Corpus) -> Yardstick:
    """The real-traffic families of ``FAMILIES`` read from ``corpus`` (rows with a known "any" label)."""
    rows = {name: np.flatnonzero((corpus.split == split) & np.isin(corpus.sources, sources) & corpus.mask[:, -1])
            for name, (split, sources) in FAMILIES.items()}
    every = np.unique(np.concatenate(list(rows.values())))
    where = {i: k for k, i in enumerate(every)}
    families = {name: (np.array([where[i] for i in idx], dtype=np.intp), corpus.y[idx, -1]) for name, idx in rows.items()}
    return Yardstick([corpus.texts[i] for i in every], families)


def _score(guard: Guard, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    decisions = guard.check_batch(texts)
    return np.array([d.p_any for d in decisions]), np.array([d.flagged for d in decisions])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default="../shared/data")
    ap.add_argument("--baseline", default=None, help="artifacts folder of a model to compare with")
    ap.add_argument("--artifacts", default=None, help="artifacts folder of the model to measure (default: packaged)")
    args = ap.parse_args()
    tax = load_taxonomy()
    guards = {"new": Guard(taxonomy=tax, scorer=load_scorer(tax, artifacts_dir=args.artifacts))}
    if args.baseline:
        guards = {"old": Guard(taxonomy=tax, scorer=load_scorer(tax, artifacts_dir=args.baseline)), **guards}
    print(f"machine: {os.cpu_count()} cpus, python {platform.python_version()}, "
          + ", ".join(f"{k} model {g.model_version}" for k, g in guards.items()))
    ys = yardstick(build_corpus(Path(args.data_dir), guards["new"].taxonomy.ids))
    worst: dict[str, tuple[float, str]] = {}
    scores: dict[str, np.ndarray] = {}
    for tag, guard in guards.items():
        p_any, flagged = _score(guard, ys.texts)
        scores[tag] = p_any
        for name, (k, y) in ys.families.items():
            if y.max() < 0.5:  # benign-only family: the share flagged is its false-positive rate
                print(f"{name}.{tag}.flagged: {flagged[k].mean():.3f} ratio (n={len(k)})")
                continue
            rep = binary_report(y, p_any[k], decided=flagged[k])
            print(f"{name}.{tag}.auprc: {rep['auprc']:.3f} ratio (n={len(k)}, positives {int(y.sum())})")
            print(f"{name}.{tag}.recall_at_default: {rep['recall']:.3f} ratio")
            print(f"{name}.{tag}.fpr_at_default: {rep['fpr']:.3f} ratio")
            if tag not in worst or rep["auprc"] < worst[tag][0]:
                worst[tag] = (float(rep["auprc"]), name)
    for tag, (value, name) in worst.items():
        print(f"worst_family.{tag}.auprc: {value:.3f} ratio ({name})")
    if "old" in scores:
        _print_deltas(ys, scores["old"], scores["new"])
    return 0


def _print_deltas(ys: Yardstick, old: np.ndarray, new: np.ndarray) -> None:
    """AUPRC new - old per family with a paired 95% bootstrap interval, then the tally.

    "Ahead on every family" is read against these intervals: a family counts as behind only when
    its whole interval is below zero, and as ahead only when the point difference is above zero.
    """
    ahead, behind, names = 0, [], []
    for name, (k, y) in ys.families.items():
        if y.max() < 0.5:
            continue
        delta, low, high = paired_bootstrap_ap_delta(y, old[k], new[k])
        print(f"{name}.delta_auprc: {delta:+.3f} ratio (95% paired bootstrap {low:+.3f} .. {high:+.3f})")
        names.append(name)
        ahead += delta > 0
        if high < 0:
            behind.append(name)
    print(f"families_ahead: {ahead} count (of {len(names)})")
    print(f"families_behind_beyond_noise: {len(behind)} count ({', '.join(behind) or 'none'})")


if __name__ == "__main__":
    from personaguard.errors import PersonaguardError

    try:
        sys.exit(main())
    except PersonaguardError as exc:  # one line, no traceback: the data folder is the usual cause
        print(f"bench.quality: {exc}", file=sys.stderr)
        sys.exit(2)
