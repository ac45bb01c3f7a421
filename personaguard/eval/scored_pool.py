"""A seeded selection of real texts from the shared data, scored once by the real scorer.

The learning simulation and the learner's reference sample both work on calibrated category
probabilities of real texts, not on the texts themselves. Scoring is the slow part, so scores
are cached in a folder outside the repository, keyed by the scorer version and text hash.
Only probabilities, source names, harm labels and text hashes are kept; texts are never written.
"""

from __future__ import annotations

import hashlib
import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numpy.typing import NDArray

from personaguard.errors import UnknownIdError
from personaguard.guard import Guard

if TYPE_CHECKING:
    from personaguard.train.examples import Example

__all__ = ["ScoredPool", "PoolItem", "DEFAULT_SOURCES", "select_texts", "score_pool"]

log = logging.getLogger(__name__)

#: Sources drawn from: benign, offensive, harmful requests, self-harm, sexual, jailbreak.
DEFAULT_SOURCES: tuple[str, ...] = (
    "alpaca_instructions", "oktest", "jailbreakbench",
    "davidson_hate_offensive", "olid", "hatexplain", "hatecheck", "ethos", "toxigen_prompts",
    "harmbench", "advbench", "strongreject", "categorical_harmful_qa", "ailuminate_demo", "do_not_answer",
    "xsafety_en", "malicious_instruct",
    "sdcnl_suicide_depression", "reddit_cssrs_suicide",
    "realtoxicityprompts_challenging", "jailbreak_prompts", "deepset_prompt_injections",
)


@dataclass(frozen=True)
class ScoredPool:
    """Scored texts, without the texts.

    Attributes
    ----------
    category_ids : tuple of str
    probs : ndarray of shape (n_texts, n_categories)
        Calibrated probabilities from the scorer, taxonomy order.
    sources : ndarray of str, shape (n_texts,)
    is_harmful : ndarray of bool, shape (n_texts,)
        The source's own label says the text violates some category.
    digests : ndarray of str, shape (n_texts,)
        SHA-256 of each text.
    topics : ndarray of bool, shape (n_texts, n_categories) or None
        The categories each text's source labels it with (None: unknown, e.g. synthetic pools).
    is_general : ndarray of bool, shape (n_texts,) or None
        True for the per-source draw (general traffic); None means every row is general.
    """

    category_ids: tuple[str, ...]
    probs: NDArray[np.float64]
    sources: NDArray[np.str_]
    is_harmful: NDArray[np.bool_]
    digests: NDArray[np.str_]
    topics: NDArray[np.bool_] | None = None
    is_general: NDArray[np.bool_] | None = None


class PoolItem(NamedTuple):
    """One selected text with what its source says about it.

    ``topics`` are the categories the source labels the text with (its human labels, not the
    scorer's); ``is_general`` is True for the per-source draw (general traffic) and False for
    the per-category top-up that gives each persona enough texts of its own topics.
    """

    text: str
    source: str
    is_harmful: bool
    topics: tuple[str, ...] = ()
    is_general: bool = True


def select_texts(
    data_dir: Path, category_ids: Sequence[str], *, n_per_source: int, seed: int,
    sources: Sequence[str] = DEFAULT_SOURCES, exclude: frozenset[str] = frozenset(), max_chars: int | None = None,
    n_per_category: int = 0,
) -> list[PoolItem]:
    """A seeded sample: at most ``n_per_source`` texts per source, then ``n_per_category`` more per category.

    The per-source draw is the general traffic. The per-category top-up draws, for each
    category, texts its source labels with that category (from every source, not drawn yet),
    so that traffic about one topic (a survivor's violent content) has enough distinct texts.
    Texts whose SHA-256 is in ``exclude`` are skipped (to keep two samples disjoint); with
    ``max_chars``, only texts of at most that many characters are eligible (scoring time is
    dominated by long texts; the count of texts left out is logged, not hidden).

    Raises
    ------
    UnknownIdError
        If a source is not in the corpus readers' registry.
    """
    from personaguard.train.examples import ANY
    from personaguard.train.sources import SOURCES, read_source

    for name in sources:
        if name not in SOURCES:
            raise UnknownIdError("source", name, known=list(SOURCES))

    rng = random.Random(seed)
    out: list[PoolItem] = []
    taken = set(exclude)
    eligible: list[Example] = []
    for name in sources:
        every = read_source(name, data_dir, list(category_ids))
        examples = [e for e in every if _digest(e.text) not in taken and (max_chars is None or len(e.text) <= max_chars)]
        log.info("%s: %d of %d texts eligible", name, len(examples), len(every))
        picked = rng.sample(examples, min(n_per_source, len(examples)))
        out.extend(_item(e, ANY, is_general=True) for e in picked)
        taken.update(_digest(e.text) for e in picked)
        eligible.extend(examples)
        log.info("selected %d texts from %s", len(picked), name)
    for cid in category_ids if n_per_category > 0 else ():
        labelled = [e for e in eligible if e.labels.get(cid) == 1 and _digest(e.text) not in taken]
        picked = rng.sample(labelled, min(n_per_category, len(labelled)))
        out.extend(_item(e, ANY, is_general=False) for e in picked)
        taken.update(_digest(e.text) for e in picked)
        log.info("selected %d more texts labelled %s (of %d)", len(picked), cid, len(labelled))
    return out


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _item(e: Example, any_key: str, *, is_general: bool) -> PoolItem:
    topics = tuple(sorted(c for c, v in e.labels.items() if v == 1 and c != any_key))
    return PoolItem(e.text, e.source, e.labels.get(any_key, 0) == 1, topics, is_general)


def score_pool(guard: Guard, items: Sequence[PoolItem], *, cache_dir: Path | None,
               batch_size: int = 64) -> ScoredPool:
    """Score ``items`` with ``guard`` (cached per scorer version and text hash in ``cache_dir``)."""
    ids = tuple(guard.taxonomy.ids)
    digests = [_digest(item.text) for item in items]
    cache = _read_cache(cache_dir, guard.model_version, ids)
    todo = [i for i, d in enumerate(digests) if d not in cache]
    for start in range(0, len(todo), batch_size):
        chunk = todo[start:start + batch_size]
        decisions = guard.check_batch([items[i].text for i in chunk])
        for i, d in zip(chunk, decisions):
            cache[digests[i]] = np.array([d.scores[c] for c in ids], dtype=np.float64)
        log.info("scored %d / %d texts", min(start + batch_size, len(todo)), len(todo))
    if todo:
        _write_cache(cache_dir, guard.model_version, ids, cache)
    return ScoredPool(
        category_ids=ids,
        probs=np.stack([cache[d] for d in digests]) if digests else np.zeros((0, len(ids))),
        sources=np.array([item.source for item in items]),
        is_harmful=np.array([item.is_harmful for item in items], dtype=bool),
        digests=np.array(digests),
        topics=np.array([[c in item.topics for c in ids] for item in items], dtype=bool).reshape(len(items), len(ids)),
        is_general=np.array([item.is_general for item in items], dtype=bool),
    )


def _cache_path(cache_dir: Path, model_version: str) -> Path:
    tag = hashlib.sha256(model_version.encode("utf-8")).hexdigest()[:16]
    return cache_dir / f"scores-{tag}.npz"


def _read_cache(cache_dir: Path | None, model_version: str, ids: tuple[str, ...]) -> dict[str, NDArray[np.float64]]:
    if cache_dir is None or not _cache_path(cache_dir, model_version).is_file():
        return {}
    with np.load(_cache_path(cache_dir, model_version), allow_pickle=False) as data:
        if [str(c) for c in data["category_ids"]] != list(ids):
            return {}  # made for another taxonomy: rescore rather than misread columns
        return {str(d): row for d, row in zip(data["digests"], data["probs"])}


def _write_cache(cache_dir: Path | None, model_version: str, ids: tuple[str, ...],
                 cache: dict[str, NDArray[np.float64]]) -> None:
    if cache_dir is None:
        return
    cache_dir.mkdir(parents=True, exist_ok=True)
    keys = sorted(cache)
    np.savez_compressed(_cache_path(cache_dir, model_version), digests=np.array(keys),
                        probs=np.stack([cache[k] for k in keys]), category_ids=np.array(ids))


def build_reference(data_dir: Path, *, out: Path | None = None, n_per_source: int = 20, seed: int = 0,
                    guard: Guard | None = None) -> int:
    """Score a seeded selection of texts and save it as the learner's reference sample R.

    Returns the number of rows written. The command that reproduces the packaged sample is
    ``personaguard learn build-reference --data DIR --per-source 20 --seed 0``.
    """
    from personaguard.learn.reference import reference_dir, save_reference_probs

    g = guard if guard is not None else Guard()
    items = select_texts(data_dir, g.taxonomy.ids, n_per_source=n_per_source, seed=seed)
    pool = score_pool(g, items, cache_dir=None)
    meta = {
        "command": f"personaguard learn build-reference --data DIR --per-source {n_per_source} --seed {seed}",
        "seed": seed, "n_per_source": n_per_source, "sources": list(DEFAULT_SOURCES),
        "model_version": g.model_version, "n_rows": int(len(pool.probs)),
    }
    save_reference_probs(out if out is not None else reference_dir(), pool.probs, pool.category_ids,
                         [str(d) for d in pool.digests], meta)
    return int(len(pool.probs))
