"""Fixed, seeded text mixes for benchmarks: real texts from the shared data folder when present."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

__all__ = ["short_texts", "long_texts"]

_DATA = Path("../shared/data")
_SYNTH_SUBJECTS = ["the weather", "my garden", "a new recipe", "the football match", "my landlord", "this movie", "the bus"]
_SYNTH_VERBS = ["is annoying", "looks great", "made me laugh", "needs fixing", "was a disaster", "is overrated"]


def _synthetic(n: int, words: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        parts = []
        while len(" ".join(parts).split()) < words:
            parts.append(f"{rng.choice(_SYNTH_SUBJECTS)} {rng.choice(_SYNTH_VERBS)}.")
        out.append(" ".join(parts))
    return out


def short_texts(n: int, seed: int = 0) -> list[str]:
    """``n`` short chat-like texts (instructions and tweets, 5-40 words)."""
    rng = random.Random(seed)
    pool: list[str] = []
    alpaca = _DATA / "alpaca_instructions" / "alpaca_instructions.json"
    tweets = _DATA / "davidson_hate_offensive" / "labeled_data.csv"
    if alpaca.exists() and tweets.exists():
        pool += [d["instruction"] for d in json.loads(alpaca.read_text())[:4000]]
        with tweets.open(newline="", encoding="utf-8") as f:
            pool += [r["tweet"] for r in csv.DictReader(f)][:4000]
    else:
        pool = _synthetic(8000, 15, seed)
    return [rng.choice(pool) for _ in range(n)]


def long_texts(n: int, seed: int = 0) -> list[str]:
    """``n`` long texts (forum posts of 300+ words)."""
    rng = random.Random(seed)
    path = _DATA / "sdcnl_suicide_depression" / "training-set.csv"
    if path.exists():
        with path.open(newline="", encoding="utf-8") as f:
            pool = [r["selftext"] for r in csv.DictReader(f) if len(r["selftext"].split()) >= 300]
    else:
        pool = _synthetic(50, 400, seed)
    return [rng.choice(pool) for _ in range(n)]
