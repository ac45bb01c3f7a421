"""Embeddings of the knowledge base's phrases, computed once per loaded knowledge base.

Both the profile parser (cue phrases) and the personal risk model (topic examples, generic
requests) compare texts with these phrases; encoding them takes a few seconds, so it is done
once when the object is built and kept on it (never in a module global).
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
from dataclasses import dataclass, fields
from importlib import resources
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from personaguard.profile.probes import TopicProbes, fit_topic_probes
from personaguard.profile.vulnerabilities import KnowledgeBase
from personaguard.score.encoder import MiniLMEncoder, max_per_text

__all__ = [
    "KnowledgeBaseIndex",
    "build_index",
    "index_fingerprint",
    "instructions_sample",
    "load_or_build_index",
    "max_similarity",
    "outside_negatives",
    "write_index",
]

log = logging.getLogger(__name__)

#: Packaged precomputed embeddings of the packaged knowledge base (see ``write_index``).
_PACKAGED = "vulnerabilities.npz"


@dataclass(frozen=True)
class KnowledgeBaseIndex:
    """L2-normalised embeddings of the knowledge base's phrases.

    Attributes
    ----------
    topic_ids : tuple of str, length n_topics
        Topic ids in the order of ``topic_start``.
    topic_examples : ndarray of shape (n_examples, 384)
        Example requests of all topics, grouped by topic in ``topic_ids`` order.
    topic_start : ndarray of shape (n_topics,)
        Row of ``topic_examples`` where each topic's examples start (for ``np.maximum.reduceat``).
    generic : ndarray of shape (n_generic, 384)
        Benign generic requests (negatives for relevance).
    vulnerability_ids : tuple of str, length n_vulnerabilities
    cues : ndarray of shape (n_cues, 384)
        Cue phrases of all vulnerabilities, grouped in ``vulnerability_ids`` order.
    cue_start : ndarray of shape (n_vulnerabilities,)
    neutral : ndarray of shape (n_neutral, 384)
        Self-descriptions that reveal no vulnerability (negatives for parsing).
    probes : TopicProbes or None
        One logistic probe per topic (``personaguard.profile.probes``); None: examples only.
    """

    topic_ids: tuple[str, ...]
    topic_examples: NDArray[np.float32]
    topic_start: NDArray[np.intp]
    generic: NDArray[np.float32]
    vulnerability_ids: tuple[str, ...]
    cues: NDArray[np.float32]
    cue_start: NDArray[np.intp]
    neutral: NDArray[np.float32]
    probes: TopicProbes | None = None


def _starts(groups: list[list[str]]) -> NDArray[np.intp]:
    sizes = np.array([len(g) for g in groups], dtype=np.intp)
    return np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.intp)


def build_index(
    kb: KnowledgeBase, encoder: MiniLMEncoder, *, outside: NDArray[np.float32] | None = None
) -> KnowledgeBaseIndex:
    """Encode every phrase of ``kb`` in one batch and fit the topic probes.

    ``outside``: embeddings of ordinary requests, extra negatives for the probes (the packaged
    index used a sample of the shared Alpaca instructions; None fits on the knowledge base alone).
    """
    topic_ids = tuple(kb.topics)
    topic_groups = [list(kb.topics[t].examples) for t in topic_ids]
    cue_groups = [list(v.cues) for v in kb.vulnerabilities]
    phrases = [p for g in topic_groups for p in g] + list(kb.generic_requests)
    phrases += [p for g in cue_groups for p in g] + list(kb.neutral_descriptions)
    emb = encoder.encode(phrases).embeddings  # short phrases: one window each, in order
    a = sum(len(g) for g in topic_groups)
    b = a + len(kb.generic_requests)
    c = b + sum(len(g) for g in cue_groups)
    topic_start = _starts(topic_groups)
    return KnowledgeBaseIndex(
        topic_ids=topic_ids,
        topic_examples=np.ascontiguousarray(emb[:a]),
        topic_start=topic_start,
        generic=np.ascontiguousarray(emb[a:b]),
        vulnerability_ids=tuple(kb.ids),
        cues=np.ascontiguousarray(emb[b:c]),
        cue_start=_starts(cue_groups),
        neutral=np.ascontiguousarray(emb[c:]),
        probes=fit_topic_probes(emb[:a], topic_start, emb[a:b], outside),
    )


def max_similarity(
    windows: NDArray[np.float32], owner: NDArray[np.int64], n_texts: int, phrases: NDArray[np.float32],
    starts: NDArray[np.intp] | None = None,
) -> NDArray[np.float64]:
    """Best cosine similarity of each text (max over its windows) to each phrase group.

    Parameters
    ----------
    windows : ndarray of shape (n_windows, d), L2-normalised
    owner : ndarray of shape (n_windows,)
        Text index of each window.
    n_texts : int
    phrases : ndarray of shape (n_phrases, d), L2-normalised
    starts : ndarray of shape (n_groups,) or None
        Group boundaries in ``phrases``; None treats all phrases as one group.

    Returns
    -------
    ndarray of shape (n_texts, n_groups)
        Texts without windows get -1 (the lowest cosine).
    """
    sims = windows @ phrases.T  # (n_windows, n_phrases)
    if starts is None:
        grouped = sims.max(axis=1, keepdims=True) if sims.shape[1] else np.full((len(sims), 1), -1.0)
    else:
        grouped = np.maximum.reduceat(sims, starts, axis=1) if len(sims) else sims[:, : len(starts)]
    return max_per_text(grouped, owner, n_texts, empty=-1.0)


def _phrases(kb: KnowledgeBase) -> list[str]:
    topic_groups = [list(kb.topics[t].examples) for t in kb.topics]
    out = [p for g in topic_groups for p in g] + list(kb.generic_requests)
    return out + [p for v in kb.vulnerabilities for p in v.cues] + list(kb.neutral_descriptions)


def index_fingerprint(kb: KnowledgeBase, encoder: MiniLMEncoder) -> str:
    """SHA-256 over every phrase of ``kb`` (in order) and a sample of the encoder's weights.

    A stored index is used only when this matches, so editing the knowledge base or swapping
    the model can never pair phrases with stale embeddings.
    """
    h = hashlib.sha256()
    for t in kb.topics:
        h.update(f"topic:{t}\n".encode())
    for v in kb.vulnerabilities:
        h.update(f"vulnerability:{v.id}:{len(v.cues)}\n".encode())
    for p in _phrases(kb):
        h.update(p.encode("utf-8") + b"\n")
    h.update(np.ascontiguousarray(encoder.word_embeddings_[:64]).tobytes())
    return h.hexdigest()


def write_index(index: KnowledgeBaseIndex, fingerprint: str, path: str | os.PathLike[str]) -> None:
    """Store an index (float16 embeddings) with its fingerprint."""
    arrays = {f.name: np.asarray(getattr(index, f.name)) for f in fields(index) if f.name != "probes"}
    for name in ("topic_examples", "generic", "cues", "neutral"):
        arrays[name] = arrays[name].astype(np.float16)
    if index.probes is not None:
        arrays["probe_weights"] = index.probes.weights
        arrays["probe_bias"] = index.probes.bias
        arrays["probe_outside"] = np.array(index.probes.n_outside)
    np.savez_compressed(path, fingerprint=np.array(fingerprint), **arrays)  # type: ignore[arg-type]


def _read_index(path: Path) -> tuple[str, KnowledgeBaseIndex]:
    with np.load(path, allow_pickle=False) as z:
        f32 = {k: np.ascontiguousarray(z[k].astype(np.float32)) for k in ("topic_examples", "generic", "cues", "neutral")}
        probes = None
        if "probe_weights" in z.files:
            probes = TopicProbes(weights=np.ascontiguousarray(z["probe_weights"], dtype=np.float32),
                                 bias=z["probe_bias"].astype(np.float32), n_outside=int(z["probe_outside"]))
        index = KnowledgeBaseIndex(
            topic_ids=tuple(str(t) for t in z["topic_ids"]),
            topic_start=z["topic_start"].astype(np.intp),
            vulnerability_ids=tuple(str(v) for v in z["vulnerability_ids"]),
            cue_start=z["cue_start"].astype(np.intp),
            probes=probes,
            **f32,
        )
        return str(z["fingerprint"]), index


def load_or_build_index(kb: KnowledgeBase, encoder: MiniLMEncoder) -> KnowledgeBaseIndex:
    """The packaged precomputed index when it matches ``kb`` and ``encoder``, else a fresh one.

    Encoding the knowledge base takes seconds to minutes on a busy CPU; the packaged file makes
    start-up instant for the packaged knowledge base, and the fingerprint check keeps it honest.
    """
    fingerprint = index_fingerprint(kb, encoder)
    packaged = resources.files("personaguard.profile").joinpath(_PACKAGED)
    if packaged.is_file():
        with resources.as_file(packaged) as path:
            stored, index = _read_index(Path(path))
        if stored == fingerprint:
            return index
        log.debug("packaged knowledge-base index is stale; encoding the knowledge base")
    return build_index(kb, encoder)


def instructions_sample(path: str | os.PathLike[str], *, sample: int, seed: int = 0, skip: int = 0) -> list[str]:
    """``sample`` instructions from a JSON list of ``{"instruction": ...}`` rows, after a seeded shuffle.

    ``skip`` leaves out the first rows of the shuffle: ``skip=3000`` gives requests the
    packaged probes never saw as negatives.
    """
    import json
    import random

    try:
        rows = json.loads(Path(path).read_text(encoding="utf-8"))
        texts = [str(r["instruction"]) for r in rows if str(r.get("instruction", "")).strip()]
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        from personaguard.errors import ConfigError

        raise ConfigError(f"cannot read instructions: {exc}", source=str(path)) from exc
    random.Random(seed).shuffle(texts)
    return texts[skip : skip + sample]


def outside_negatives(path: str | os.PathLike[str], encoder: MiniLMEncoder, *, sample: int = 3000, seed: int = 0) -> NDArray[np.float32]:
    """Embeddings (first window) of ``instructions_sample(path, sample=sample, seed=seed)``: the probes read short requests."""
    enc = encoder.encode(instructions_sample(path, sample=sample, seed=seed))
    first = np.flatnonzero(np.r_[True, enc.owner[1:] != enc.owner[:-1]])
    return np.ascontiguousarray(enc.embeddings[first])


def main(argv: list[str] | None = None) -> int:
    """Rebuild the packaged index: ``python -m personaguard.profile.index [--negatives FILE.json]``."""
    import argparse

    from personaguard.profile.vulnerabilities import load_knowledge_base

    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("--negatives", default=None, help="JSON list of {instruction} rows: ordinary requests for the topic probes")
    ap.add_argument("--sample", type=int, default=3000, help="how many of them (seeded sample)")
    args = ap.parse_args(argv)
    kb = load_knowledge_base()
    encoder = MiniLMEncoder()
    outside = outside_negatives(args.negatives, encoder, sample=args.sample) if args.negatives else None
    target = Path(__file__).with_name(_PACKAGED)
    write_index(build_index(kb, encoder, outside=outside), index_fingerprint(kb, encoder), target)
    print(f"wrote {target.name} (probe negatives beyond the knowledge base: {0 if outside is None else len(outside)})",
          file=sys.stderr)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
