"""Reading a labelled evaluation file into texts and binary labels."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from personaguard.batch.readers import read_rows

__all__ = ["LabelledSet", "load_labelled", "parse_label"]

_POSITIVE = {"1", "true", "yes", "harmful", "unsafe", "toxic", "hate", "hateful", "offensive", "flagged", "positive", "block"}
_NEGATIVE = {"0", "false", "no", "safe", "benign", "harmless", "normal", "neither", "not", "negative", "allow", "none"}


def parse_label(value: object) -> int:
    """Map a label cell to 1 (harmful) or 0 (safe).

    Examples
    --------
    >>> parse_label("harmful"), parse_label(0), parse_label("0.0"), parse_label(True)
    (1, 0, 0, 1)
    """
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return int(float(value) >= 0.5)
    text = str(value).strip().lower()
    if text in _POSITIVE:
        return 1
    if text in _NEGATIVE:
        return 0
    try:
        return int(float(text) >= 0.5)
    except ValueError:
        raise ValueError(f"cannot read label {value!r}; use 1/0, true/false, harmful/safe") from None


@dataclass(frozen=True)
class LabelledSet:
    """Texts with binary labels, plus the rows that could not be read."""

    texts: list[str]
    labels: NDArray[np.float64]
    errors: list[str]


def load_labelled(path: str | Path, *, text_col: str, label_col: str) -> LabelledSet:
    """Read ``text_col`` and ``label_col`` of a CSV, JSONL or Parquet file.

    Rows with an unreadable text or label are collected in ``errors`` (with line numbers).
    """
    texts: list[str] = []
    labels: list[int] = []
    errors: list[str] = []
    for row in read_rows(path, text_col=text_col):
        if row.error is not None or row.text is None:
            errors.append(f"line {row.line}: {row.error}")
            continue
        if label_col not in row.fields:
            errors.append(f"line {row.line}: missing label column {label_col!r}")
            continue
        try:
            labels.append(parse_label(row.fields[label_col]))
        except ValueError as exc:
            errors.append(f"line {row.line}: {exc}")
            continue
        texts.append(row.text)
    return LabelledSet(texts, np.asarray(labels, dtype=np.float64), errors)
