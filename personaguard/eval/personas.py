"""Synthetic users for the learning simulation: hidden per-category preferences and interests.

A persona's hidden policy blocks a text when any category's calibrated probability reaches
the persona's own block threshold for it (the taxonomy's where the persona has no view). Its
interests tilt which texts it sees: a text with ``p_c > 0.1`` is drawn ``1 + interest_c``
times as often. Floors keep their global thresholds in every persona: nobody's hidden policy
is a reason to relax them, and the learner would refuse anyway.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from personaguard.taxonomy import Taxonomy

__all__ = ["Persona", "PERSONAS", "hidden_thresholds", "stream_weights"]


@dataclass(frozen=True)
class Persona:
    """A synthetic user.

    Attributes
    ----------
    name : str
    description : str
    block : dict of str to float
        Hidden block threshold per category (others: the taxonomy's).
    interest : dict of str to float
        Extra draw weight of texts relevant to a category.
    """

    name: str
    description: str
    block: dict[str, float] = field(default_factory=dict)
    interest: dict[str, float] = field(default_factory=dict)


#: The one registry of personas, in report order.
PERSONAS: tuple[Persona, ...] = (
    Persona("profanity-tolerant-adult", "swearing and insults are fine; hate and threats are not",
            block={"harassment": 0.98}, interest={"harassment": 4.0, "hate": 1.0}),
    Persona("parent-managed-teen", "a parent wants sexual content, violence, self-harm and drugs blocked early",
            block={"sexual": 0.15, "violence": 0.3, "violence/graphic": 0.2, "self-harm": 0.2,
                   "self-harm/instructions": 0.15, "illicit": 0.3, "harassment": 0.5},
            interest={"sexual": 2.0, "violence": 2.0, "self-harm": 1.0, "illicit": 1.0}),
    Persona("survivor-no-graphic-violence", "no violence at all, graphic or threatening",
            block={"violence/graphic": 0.1, "violence": 0.2, "harassment/threatening": 0.25,
                   "hate/threatening": 0.25, "illicit/violent": 0.3},
            interest={"violence": 4.0, "violence/graphic": 4.0}),
    Persona("chemistry-teacher", "hazard and drug terminology is work; synthesis routes stay blocked",
            block={"illicit": 0.95, "self-harm/instructions": 0.8},
            interest={"cbrne": 3.0, "illicit": 3.0}),
    Persona("security-researcher", "jailbreak and hacking talk is work material",
            block={"jailbreak": 0.99, "illicit": 0.95}, interest={"jailbreak": 4.0, "illicit": 2.0}),
    Persona("strict-workplace", "no insults, hate or sexual content at all",
            block={"harassment": 0.3, "hate": 0.3, "sexual": 0.3, "violence": 0.5},
            interest={"harassment": 2.0, "sexual": 2.0}),
)


def hidden_thresholds(persona: Persona, taxonomy: Taxonomy) -> NDArray[np.float64]:
    """The persona's block threshold per taxonomy column (floors forced to their global value)."""
    out = np.array([c.block for c in taxonomy.categories], dtype=np.float64)
    for cid, value in persona.block.items():
        cat = taxonomy.get(cid)
        out[taxonomy.index(cid)] = min(value, cat.block) if cat.floor else value
    return out


def stream_weights(persona: Persona, probs: NDArray[np.float64], taxonomy: Taxonomy) -> NDArray[np.float64]:
    """Draw probability of each pool text for this persona, shape (n_texts,), sums to 1."""
    w = np.ones(len(probs))
    for cid, extra in persona.interest.items():
        w += extra * (probs[:, taxonomy.index(cid)] > 0.1)
    return w / w.sum()  # type: ignore[no-any-return]
