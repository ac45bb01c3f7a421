"""Embedding texts for training, with an on-disk cache keyed by the text's hash."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from tqdm import tqdm

from personaguard.score.encoder import MiniLMEncoder

__all__ = ["embed_first_windows"]

log = logging.getLogger(__name__)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def embed_first_windows(
    texts: list[str], encoder: MiniLMEncoder, cache_dir: Path | None, *, chunk: int = 512, progress: bool = True
) -> NDArray[np.float32]:
    """Embedding of each text's first window, shape (n_texts, 384).

    Training uses the first window only; at inference a long text's score is the max over all
    its windows. Vectors are cached in ``cache_dir/embeddings.npz`` so retraining is cheap.
    """
    cache: dict[str, NDArray[np.float32]] = {}
    path = cache_dir / "embeddings.npz" if cache_dir is not None else None
    if path is not None and path.exists():
        with np.load(path) as data:
            cache = dict(zip(data["keys"].tolist(), data["vectors"]))
    keys = [_digest(t) for t in texts]
    # Length-sorted chunks keep padding (wasted work) small.
    todo = sorted({k: t for k, t in zip(keys, texts) if k not in cache}.items(), key=lambda kv: len(kv[1]))
    log.info("embedding %d texts (%d cached)", len(todo), len(texts) - len(todo))
    bar = tqdm(total=len(todo), disable=not progress, desc="embedding", unit="text")
    for a in range(0, len(todo), chunk):
        part = todo[a : a + chunk]
        ids = encoder.tokenize([t for _, t in part])
        first = [encoder.windows(x)[0] for x in ids]
        vecs = encoder.encode_ids(first)
        for (k, _), v in zip(part, vecs):
            cache[k] = v
        bar.update(len(part))
        if path is not None and (a // chunk) % 3 == 2:
            _save(path, cache)
    bar.close()
    if path is not None and todo:
        _save(path, cache)
    return np.stack([cache[k] for k in keys]) if keys else np.zeros((0, encoder.dim), np.float32)


def _save(path: Path, cache: dict[str, NDArray[np.float32]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, keys=np.array(list(cache)), vectors=np.stack(list(cache.values())))
    tmp.replace(path)
