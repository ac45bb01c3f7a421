"""A small deterministic scorer for personalization tests: real code, no model weights.

Each category has trigger words; a text's probability for a category is the largest weight of
the trigger words it contains (0.02 otherwise), so tests can dial in exact general
probabilities and compute the expected personalized risk by hand.
"""

from __future__ import annotations

import numpy as np

from personaguard.score.base import CategoryScores
from personaguard.taxonomy import Taxonomy

#: trigger word -> (category id, probability)
TRIGGERS: dict[str, tuple[str, float]] = {
    "floorword": ("sexual/minors", 0.9),
    "floormild": ("sexual/minors", 0.3),
    "insultword": ("harassment", 0.6),
    "violentword": ("violence", 0.5),
    "hateword": ("hate", 0.55),
}
BASE_P = 0.02


class ToyScorer:
    """Keyword probabilities in taxonomy order (see module docstring)."""

    def __init__(self, *, taxonomy: Taxonomy) -> None:
        self.category_ids = tuple(taxonomy.ids)
        self.version = "toy"

    def score(self, texts: list[str]) -> CategoryScores:
        probs = np.full((len(texts), len(self.category_ids)), BASE_P)
        for i, t in enumerate(texts):
            low = t.lower()
            for word, (cid, p) in TRIGGERS.items():
                if word in low:
                    j = self.category_ids.index(cid)
                    probs[i, j] = max(probs[i, j], p)
        return CategoryScores(
            category_ids=self.category_ids,
            probs=probs,
            p_any=probs.max(axis=1),
            n_windows=np.ones(len(texts), dtype=np.int64),
        )


def make_toy_guard():  # type: ignore[no-untyped-def]
    """A Guard over the packaged taxonomy and knowledge base with :class:`ToyScorer`.

    Everything but the general scorer is real: the MiniLM encoder, the knowledge base and its
    embeddings, the parser and the personal risk model.
    """
    from personaguard.guard import Guard
    from personaguard.taxonomy import load_taxonomy

    taxonomy = load_taxonomy()
    return Guard(taxonomy=taxonomy, scorer=ToyScorer(taxonomy=taxonomy))
