"""Find personal data by meaning: what the keyword lexicon cannot see ("the scan lit up again").

The sent text is embedded with the MiniLM encoder and compared with short example disclosures of
each data type and with everyday sentences (``meanings.yaml``). Runs only when the lexicon found
nothing strong, so most actions pay nothing for it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from personaguard.actions.detect import Detection
from personaguard.actions.kinds import DataType
from personaguard.taxonomy.load import load_yaml_model

__all__ = ["MeaningDetector", "MeaningExamples", "load_meanings"]


class _Encoder(Protocol):
    def tokenize(self, texts: list[str]) -> list[list[int]]: ...

    def windows(self, ids: list[int]) -> list[list[int]]: ...

    def encode_ids(self, windows: list[list[int]]) -> Any: ...


class MeaningExamples(BaseModel):
    """The whole of ``meanings.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    threshold: float = Field(ge=-1.0, le=1.0)
    margin: float = Field(ge=0.0, le=1.0)
    strength: float = Field(gt=0.0, le=1.0)
    top_k: int = Field(default=2, ge=1)
    data_types: dict[DataType, list[str]]
    background: list[str] = Field(min_length=1)


class MeaningDetector:
    """Detect data types in texts by similarity to example disclosures.

    Parameters
    ----------
    encoder : MiniLMEncoder
        Anything with ``tokenize``, ``windows`` and ``encode_ids`` (the MiniLM encoders).
    examples : MeaningExamples or None
        None loads the packaged ``meanings.yaml``.
    """

    def __init__(self, encoder: _Encoder, examples: MeaningExamples | None = None) -> None:
        self.encoder = encoder
        self.examples = examples or load_meanings()
        texts = [t for ts in self.examples.data_types.values() for t in ts] + list(self.examples.background)
        self.labels_ = [dt for dt, ts in self.examples.data_types.items() for _ in ts] + [None] * len(self.examples.background)
        self.bank_ = self._embed(texts)

    def _embed(self, texts: list[str]) -> NDArray[np.float32]:
        # The first window of each text only (up to 256 tokens): the sentence-level windows the
        # harm scorer adds cost several passes and a disclosure is judged on the whole message.
        first = [self.encoder.windows(ids)[0] for ids in self.encoder.tokenize(texts)]
        emb: NDArray[np.float32] = np.asarray(self.encoder.encode_ids(first), dtype=np.float32)
        norms: NDArray[np.float32] = np.maximum(np.linalg.norm(emb, axis=1, keepdims=True), np.float32(1e-8))
        return emb / norms

    def scores(self, texts: list[str]) -> list[dict[DataType | None, float]]:
        """Per text: mean of the top-k similarities to each data type's examples (None: everyday ones)."""
        sims = self._embed([t[:2000] for t in texts]) @ self.bank_.T
        labels = sorted({*self.labels_}, key=lambda lab: "" if lab is None else lab.value)
        columns = {lab: [i for i, x in enumerate(self.labels_) if x == lab] for lab in labels}
        out = []
        for row in sims:
            out.append({lab: float(np.sort(row[cols])[::-1][: self.examples.top_k].mean()) for lab, cols in columns.items()})
        return out

    def detect(self, texts: list[tuple[str, str]]) -> list[Detection]:
        """Data types disclosed by meaning in (path, text) pairs: at most one per text, one encoder call."""
        pairs = [(p, t) for p, t in texts if t.strip()]
        if not pairs:
            return []
        found = []
        for (path, text), s in zip(pairs, self.scores([t for _, t in pairs])):
            background = s.pop(None)
            best = max(s, key=lambda k: s[k])
            if best is not None and s[best] >= self.examples.threshold and s[best] - background >= self.examples.margin:
                found.append(Detection(best, self.examples.strength, f"by meaning: {text[:60]}", path, "self"))
        return found


@lru_cache(maxsize=2)
def load_meanings() -> MeaningExamples:
    """The packaged example disclosures, validated at load."""
    return load_yaml_model(MeaningExamples, package="personaguard.actions", name="meanings.yaml")
