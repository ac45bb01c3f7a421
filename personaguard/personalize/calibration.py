"""Fitting the two similarity calibrations stored in the knowledge base file.

``relevance`` (q_t: is this request of a contraindicated kind?), ``custom`` (the same
question for a user's own category or allow-examples, with a higher prior) and ``parse``
(does this clause state this vulnerability?) are logistic maps over two features: the best cosine
similarity to the positive phrases and its margin over the best negative phrase. They are
fitted with class-balanced logistic regression on:

- positives: each phrase against the *other* phrases of its own group (leave-one-out), which
  stands in for unseen paraphrases;
- negatives: each phrase against the other groups, the knowledge base's generic requests
  (leave-one-out against the other generic requests: they are the hard negatives, written to
  look like contraindicated requests), plus a sample of benign instructions (any instruction
  file given with ``--negatives``; we used the shared Alpaca instructions).

The fit is *not* class-balanced: the empirical prior (a request rarely belongs to a given
topic) is the right one for a per-(request, topic) probability, and a balanced fit put q=0.5
at a cosine of 0.24, where "buy a bottle of shampoo" already looks like alcohol.

Run ``python -m personaguard.personalize.calibration --negatives FILE.json`` and copy the
printed maps into ``vulnerabilities.yaml``. Needs scikit-learn (the ``train`` extra).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from personaguard.personalize.index import KnowledgeBaseIndex, build_index
from personaguard.personalize.vulnerabilities import LogisticMap, load_knowledge_base
from personaguard.score.encoder import MiniLMEncoder

__all__ = ["fit_logistic_map", "group_features"]


def group_features(
    queries: NDArray[np.float32], query_group: NDArray[np.intp], phrases: NDArray[np.float32],
    starts: NDArray[np.intp], negatives: NDArray[np.float32], negative_self: NDArray[np.intp] | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.int64]]:
    """Features (s_pos, s_neg) and labels for every (query, group) pair.

    ``query_group[i]`` is the group query i belongs to (-1 for none); a query is never
    compared with itself (leave-one-out), so a phrase's own group is a positive pair.
    ``negative_self[i]`` is the row of ``negatives`` that query i is (-1 for none): that
    self-match is dropped from its ``s_neg`` too. Without it, the neutral self-descriptions,
    which are both queries and negatives, all had a margin of ``s_pos - 1``, trivially
    negative, and the parse map learnt almost nothing from the margin.
    """
    sims = queries @ phrases.T
    bounds = np.append(starts, len(phrases))
    neg_sims = queries @ negatives.T
    if negative_self is not None:
        rows = np.flatnonzero(negative_self >= 0)
        neg_sims[rows, negative_self[rows]] = -1.0
    s_neg = neg_sims.max(axis=1)
    pos, neg, lab = [], [], []
    for g in range(len(starts)):
        block = sims[:, bounds[g] : bounds[g + 1]].copy()
        own = np.flatnonzero(query_group == g)
        for i in own:
            # The query is itself one of the group's phrases: drop its self-match.
            j = int(np.argmax(block[i]))
            block[i, j] = -1.0
        pos.append(block.max(axis=1))
        neg.append(s_neg)
        lab.append((query_group == g).astype(np.int64))
    return np.concatenate(pos), np.concatenate(neg), np.concatenate(lab)


def fit_logistic_map(
    s_pos: NDArray[np.float64], s_neg: NDArray[np.float64], labels: NDArray[np.int64], *, positive_weight: float = 1.0
) -> LogisticMap:
    """Logistic regression on (s_pos, s_pos - s_neg), as a :class:`LogisticMap`.

    ``positive_weight`` re-weights the positives, i.e. sets the prior the probabilities assume.
    """
    from sklearn.linear_model import LogisticRegression

    x = np.column_stack([s_pos, s_pos - s_neg])
    lr = LogisticRegression(C=10.0, class_weight={0: 1.0, 1: positive_weight}).fit(x, labels)
    a, c = float(lr.coef_[0, 0]), float(lr.coef_[0, 1])
    b = float(lr.intercept_[0])
    slope = max(a, 1e-3)
    return LogisticMap(slope=round(slope, 3), center=round(-b / slope, 4), contrast=round(max(c, 0.0), 3))


def _fit(index: KnowledgeBaseIndex, extra: NDArray[np.float32]) -> tuple[LogisticMap, LogisticMap, LogisticMap]:
    def groups(starts: NDArray[np.intp], n: int) -> NDArray[np.intp]:
        return (np.searchsorted(starts, np.arange(n), side="right") - 1).astype(np.intp)

    tq = np.vstack([index.topic_examples, extra])
    tg = np.concatenate([groups(index.topic_start, len(index.topic_examples)), np.full(len(extra), -1)])
    sp, sn, lab = group_features(tq, tg, index.topic_examples, index.topic_start, index.generic)
    # Generic requests as hard negatives, each against the *other* generic requests.
    gg = index.generic @ index.generic.T
    np.fill_diagonal(gg, -1.0)
    gp = np.maximum.reduceat(index.generic @ index.topic_examples.T, index.topic_start, axis=1)
    sp = np.concatenate([sp, gp.ravel()])
    sn = np.concatenate([sn, np.repeat(gg.max(axis=1), gp.shape[1])])
    labels = np.concatenate([lab, np.zeros(gp.size, dtype=np.int64)])
    relevance = fit_logistic_map(sp, sn, labels)
    custom = fit_logistic_map(sp, sn, labels, positive_weight=30.0)
    cq = np.vstack([index.cues, index.neutral, extra])
    cg = np.concatenate([groups(index.cue_start, len(index.cues)), np.full(len(index.neutral) + len(extra), -1)])
    # A self-description is written to tell us about the user: a clause states a vulnerability far
    # more often than an arbitrary instruction names a topic, so the positives weigh 30x (the
    # parser then keeps only the best-matching entries of each clause, see parse.py).
    n_cues, n_neutral = len(index.cues), len(index.neutral)
    own_neutral = np.full(len(cq), -1, dtype=np.intp)
    own_neutral[n_cues : n_cues + n_neutral] = np.arange(n_neutral)
    parse = fit_logistic_map(
        *group_features(cq, cg, index.cues, index.cue_start, index.neutral, own_neutral), positive_weight=30.0
    )
    return relevance, custom, parse


def main(argv: list[str] | None = None) -> int:
    """Fit and print both maps (YAML flow style)."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--negatives", required=True, help="JSON list of {instruction: ...} benign instructions")
    ap.add_argument("--n-negatives", type=int, default=800)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    rows = json.loads(Path(args.negatives).read_text(encoding="utf-8"))
    texts = [r["instruction"] if isinstance(r, dict) else str(r) for r in rows]
    rng = np.random.default_rng(args.seed)
    sample = [texts[i] for i in rng.choice(len(texts), size=min(args.n_negatives, len(texts)), replace=False)]
    encoder = MiniLMEncoder()
    index = build_index(load_knowledge_base(), encoder)
    extra = encoder.encode(sample).embeddings
    relevance, custom, parse = _fit(index, extra)
    for name, m in (("relevance", relevance), ("custom", custom), ("parse", parse)):
        print(f"{name}: {{slope: {m.slope}, center: {m.center}, contrast: {m.contrast}}}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
