"""Assembling the training corpus: read every source, de-duplicate, split by source and by hash."""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from personaguard.normalize import normalize_text
from personaguard.train.examples import ANY, Example
from personaguard.train.sources import SOURCES, read_source

__all__ = ["Corpus", "build_corpus", "TEST_SOURCES", "PROXY_SOURCES", "dedup_key"]

log = logging.getLogger(__name__)

#: Whole sources held out of training and calibration, for honest validation.
TEST_SOURCES: frozenset[str] = frozenset(
    {"strongreject", "malicious_instruct", "jailbreakbench", "hatecheck_test", "ethos", "oktest_heldout",
     "jigsaw_toxic_sample", "beavertails"}
)
#: User-written posts (tweets, forum posts): a fixed share of each goes to the "proxy" split, the
#: real-traffic yardstick of bench/quality.py, and is never trained or calibrated on.
PROXY_SOURCES: frozenset[str] = frozenset({"davidson_hate_offensive", "olid", "hatexplain"})
PROXY_SHARE = 0.15
#: Share of each training source kept aside for calibration (by text hash, so it is stable).
CALIBRATION_SHARE = 0.2

_NON_WORD = re.compile(r"[^a-z0-9]+")


def dedup_key(text: str) -> str:
    """Key under which near-identical texts (case, punctuation, spacing) collide."""
    return _NON_WORD.sub(" ", normalize_text(text).text.lower()).strip()


@dataclass(frozen=True)
class Corpus:
    """The de-duplicated examples with their label matrix and split.

    Attributes
    ----------
    texts : list of str, length n
        Normalized texts (what the scorer sees).
    sources : ndarray of str, shape (n,)
    kinds : ndarray of str, shape (n,)
    columns : list of str
        Category ids followed by ``"any"``.
    y : ndarray of shape (n, n_columns)
        Labels in {0, 1}; meaningful only where ``mask`` is true.
    mask : ndarray of bool, shape (n, n_columns)
    split : ndarray of str, shape (n,)
        ``"train"``, ``"calib"``, ``"test"`` (whole held-out sources) or ``"proxy"`` (held-out
        shares of user-written sources, see ``PROXY_SOURCES``).
    """

    texts: list[str]
    sources: NDArray[np.str_]
    kinds: NDArray[np.str_]
    columns: list[str]
    y: NDArray[np.float64]
    mask: NDArray[np.bool_]
    split: NDArray[np.str_]


def _split_of(example: Example, key: str) -> str:
    if example.source in TEST_SOURCES:
        return "test"
    h = int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    if example.source in PROXY_SOURCES and h >= 1.0 - PROXY_SHARE:
        return "proxy"
    return "calib" if h < CALIBRATION_SHARE else "train"


def build_corpus(data_dir: Path, category_ids: list[str], sources: list[str] | None = None) -> Corpus:
    """Read, de-duplicate and split every registered source.

    A text that occurs in a test source is dropped from every training source (several
    benchmarks reuse each other's prompts); other duplicates keep their first occurrence.
    """
    if not Path(data_dir).is_dir():
        from personaguard.errors import ConfigError

        raise ConfigError(
            f"the labelled data folder {data_dir} does not exist; the corpora are read from ../shared/data, a "
            "folder next to the checkout (README, 'Data'); pass --data-dir to point elsewhere")
    names = sources if sources is not None else list(SOURCES)
    examples: list[Example] = []
    for name in names:
        examples.extend(read_source(name, data_dir, category_ids))
    test_keys = {dedup_key(e.text) for e in examples if e.source in TEST_SOURCES}
    seen: set[str] = set()
    kept: list[tuple[Example, str]] = []
    n_overlap = 0
    for ex in examples:
        key = dedup_key(ex.text)
        if not key or key in seen:
            continue
        if ex.source not in TEST_SOURCES and key in test_keys:
            n_overlap += 1
            continue
        seen.add(key)
        kept.append((ex, key))
    log.info("corpus: %d examples kept of %d; %d dropped as test overlap", len(kept), len(examples), n_overlap)
    columns = [*category_ids, ANY]
    y = np.zeros((len(kept), len(columns)))
    mask = np.zeros((len(kept), len(columns)), dtype=bool)
    for i, (ex, _) in enumerate(kept):
        for c, v in ex.labels.items():
            j = columns.index(c)
            y[i, j] = v
            mask[i, j] = True
        # A positive for a category is a positive for "any".
        if any(v == 1 for c, v in ex.labels.items() if c != ANY):
            y[i, -1] = 1
            mask[i, -1] = True
    return Corpus(
        texts=[normalize_text(ex.text).text for ex, _ in kept],
        sources=np.array([ex.source for ex, _ in kept]),
        kinds=np.array([ex.kind for ex, _ in kept]),
        columns=columns,
        y=y,
        mask=mask,
        split=np.array([_split_of(ex, key) for ex, key in kept]),
    )
