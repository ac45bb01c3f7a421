"""Choosing and building the default scorer from the packaged artifacts."""

from __future__ import annotations

import os

from personaguard.score.base import Scorer
from personaguard.score.model import EncoderScorer

__all__ = ["load_default_scorer"]


def load_default_scorer(
    category_ids: tuple[str, ...], *, artifacts_dir: str | os.PathLike[str] | None = None
) -> Scorer:
    """The packaged scorer for these categories."""
    return EncoderScorer(category_ids=category_ids, artifacts_dir=artifacts_dir)
