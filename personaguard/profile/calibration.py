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

Run ``python -m personaguard.profile.calibration --negatives FILE.json`` and copy the
printed maps into ``vulnerabilities.yaml``. Needs scikit-learn (the ``train`` extra).
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
from numpy.typing import NDArray

from personaguard.profile.index import KnowledgeBaseIndex, build_index, outside_negatives
from personaguard.profile.probes import fit_topic_probes, probe_logits
from personaguard.profile.vulnerabilities import LogisticMap, ProbeMap, load_knowledge_base
from personaguard.score.encoder import MiniLMEncoder

__all__ = ["cross_validated_probe_logits", "fit_logistic_map", "fit_probe_map", "group_features"]


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


def fit_probe_map(logits: NDArray[np.float64], margin: NDArray[np.float64], labels: NDArray[np.int64]) -> ProbeMap:
    """Logistic regression of the label on (probe logit, s_pos - s_neg) at the empirical prior, as a :class:`ProbeMap`."""
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=10.0).fit(np.column_stack([logits, margin]), labels)
    slope = max(float(lr.coef_[0, 0]), 1e-3)
    return ProbeMap(slope=round(slope, 3), center=round(-float(lr.intercept_[0]) / slope, 3),
                    contrast=round(max(float(lr.coef_[0, 1]), 0.0), 3))


def cross_validated_probe_logits(
    index: KnowledgeBaseIndex, outside: NDArray[np.float32], *, k: int = 5
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Probe logits of every topic example, generic request and outside request, each from probes that never saw it.

    Rows go to folds round-robin (within each topic for the examples, so every topic with two
    or more examples keeps one in every training fold). Returns arrays of shape
    (n_examples, n_topics), (n_generic, n_topics), (n_outside, n_topics).
    """
    n_topics = len(index.topic_start)
    bounds = np.append(index.topic_start, len(index.topic_examples))
    topic_of = np.repeat(np.arange(n_topics), np.diff(bounds))
    ex_fold = (np.arange(len(topic_of)) - bounds[topic_of]) % k
    gen_fold = np.arange(len(index.generic)) % k
    out_fold = np.arange(len(outside)) % k
    l_ex = np.zeros((len(topic_of), n_topics))
    l_gen = np.zeros((len(index.generic), n_topics))
    l_out = np.zeros((len(outside), n_topics))
    for f in range(k):
        keep = ex_fold != f
        starts = np.searchsorted(topic_of[keep], np.arange(n_topics)).astype(np.intp)
        probes = fit_topic_probes(index.topic_examples[keep], starts, index.generic[gen_fold != f],
                                  outside[out_fold != f])
        for rows, emb, out in ((ex_fold == f, index.topic_examples, l_ex), (gen_fold == f, index.generic, l_gen),
                               (out_fold == f, outside, l_out)):
            idx = np.flatnonzero(rows)
            out[idx] = probe_logits(probes, emb[idx], np.arange(len(idx)), len(idx))
    return l_ex, l_gen, l_out


def _fit(
    index: KnowledgeBaseIndex, extra: NDArray[np.float32], outside: NDArray[np.float32]
) -> tuple[LogisticMap, LogisticMap, LogisticMap, ProbeMap]:
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
    # The probe map: the same (query, topic) pairs, each scored by a probe that never saw the
    # query (cross-validated); ``extra`` is the first rows of ``outside``.
    l_ex, l_gen, l_out = cross_validated_probe_logits(index, outside)
    l_q = np.vstack([l_ex, l_out[: len(extra)]])
    logits = np.concatenate([l_q.T.ravel(), l_gen.ravel()])  # group-major like group_features, then generic
    probe = fit_probe_map(logits, sp - sn, labels)
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
    return relevance, custom, parse, probe


def main(argv: list[str] | None = None) -> int:
    """Fit and print both maps (YAML flow style)."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--negatives", required=True, help="JSON list of {instruction: ...} benign instructions")
    ap.add_argument("--n-negatives", type=int, default=800, help="benign queries of the maps")
    ap.add_argument("--n-outside", type=int, default=3000, help="outside negatives of the topic probes (as the index)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    encoder = MiniLMEncoder()
    index = build_index(load_knowledge_base(), encoder)
    # The topic probes' outside negatives, exactly as the packaged index fits them; the first
    # ``--n-negatives`` of them are also the maps' benign queries.
    outside = outside_negatives(args.negatives, encoder, sample=args.n_outside, seed=args.seed)
    relevance, custom, parse, probe = _fit(index, outside[: args.n_negatives], outside)
    for name, m in (("relevance", relevance), ("custom", custom), ("parse", parse)):
        print(f"{name}: {{slope: {m.slope}, center: {m.center}, contrast: {m.contrast}}}")
    print(f"probe: {{slope: {probe.slope}, center: {probe.center}, contrast: {probe.contrast}}}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
