"""The fixed reference sample R on which the learner's trust region is measured.

R is a matrix of calibrated category probabilities of a fixed, seeded selection of contents
(no texts). The packaged one lives in ``reference_data/`` next to a manifest that pins its
checksum and the command that made it (``personaguard learn build-reference``). A seeded
synthetic R exists for tests and for running before the scorer is trained.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from personaguard.errors import ConfigError
from personaguard.score.artifacts import load_artifact, save_artifact

__all__ = [
    "REFERENCE_NAME", "reference_dir", "load_reference_probs", "reference_digests", "save_reference_probs",
    "synthetic_reference",
]

#: Artifact name of the packaged reference sample.
REFERENCE_NAME = "reference_probs"


def reference_dir() -> Path:
    """Folder of the packaged reference sample."""
    return Path(str(resources.files("personaguard.learn").joinpath("reference_data")))


def load_reference_probs(category_ids: Sequence[str], folder: Path | None = None) -> NDArray[np.float64]:
    """The reference probabilities, shape (n_ref, n_categories), columns in ``category_ids`` order.

    Raises
    ------
    ConfigError
        If the sample is missing, its checksum differs from the manifest, or it was made for
        other categories.
    """
    where = reference_dir() if folder is None else folder
    try:
        arrays, _meta = load_artifact(where, REFERENCE_NAME)
    except ConfigError as exc:
        raise ConfigError(
            f"the learner's reference sample cannot be loaded ({exc.message}); build it with "
            "`personaguard learn build-reference --data DIR` or pass reference_probs",
            source=str(where),
        ) from exc
    stored = [str(c) for c in arrays["category_ids"]]
    if stored != list(category_ids):
        raise ConfigError(
            f"the reference sample was made for categories {stored}, not the taxonomy's {list(category_ids)}; "
            "rebuild it with `personaguard learn build-reference`",
            source=str(where),
        )
    return np.asarray(arrays["probs"], dtype=np.float64)


def reference_digests(folder: Path | None = None) -> frozenset[str]:
    """SHA-256 digests of the texts behind the reference sample.

    Raises
    ------
    ConfigError
        If the sample is missing or its checksum differs from the manifest.
    """
    arrays, _meta = load_artifact(reference_dir() if folder is None else folder, REFERENCE_NAME)
    return frozenset(str(d) for d in arrays.get("digests", []))


def save_reference_probs(folder: Path, probs: NDArray[np.float64], category_ids: Sequence[str],
                         digests: Sequence[str], meta: dict[str, Any]) -> None:
    """Write a reference sample and record its checksum and provenance in the folder's manifest.

    ``digests`` (SHA-256 of each reference text) let other samples stay disjoint from R
    without storing any text.
    """
    arrays = {"probs": np.asarray(probs, dtype=np.float64), "category_ids": np.array(list(category_ids)),
              "digests": np.array(list(digests))}
    save_artifact(folder, REFERENCE_NAME, arrays, meta)


def synthetic_reference(category_ids: Sequence[str], *, seed: int, n_rows: int = 400) -> NDArray[np.float64]:
    """A seeded synthetic reference sample with the shape of real calibrated scores.

    Most contents are far from every threshold, some sit near one, a few are clearly harmful
    in one or two categories: per category 75% Beta(0.5, 30), 15% Beta(2, 3), 10% Beta(12, 1).

    Examples
    --------
    >>> r = synthetic_reference(["a", "b"], seed=0, n_rows=10)
    >>> r.shape, bool(((r > 0) & (r < 1)).all())
    ((10, 2), True)
    """
    rng = np.random.default_rng(seed)
    n_cat = len(category_ids)
    kind = rng.choice(3, size=(n_rows, n_cat), p=[0.75, 0.15, 0.10])
    low = rng.beta(0.5, 30.0, size=(n_rows, n_cat))
    mid = rng.beta(2.0, 3.0, size=(n_rows, n_cat))
    high = rng.beta(12.0, 1.0, size=(n_rows, n_cat))
    probs = np.choose(kind, [low, mid, high])
    return np.clip(probs, 1e-6, 1.0 - 1e-6)  # type: ignore[no-any-return]
