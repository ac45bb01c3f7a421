"""Synthetic users for the learning simulation: hidden per-category preferences and interests.

A persona's hidden policy blocks a text when any category's calibrated probability reaches
the persona's own block threshold for it (the taxonomy's where the persona has no view).
Floors keep their global thresholds in every persona: nobody's hidden policy is a reason to
relax them, and the learner would refuse anyway.

A persona's own traffic is mostly about the topics its preferences concern: a share
``topic_share`` of its texts is drawn from texts whose *source* labels them with one of its
``topics`` (human labels, not the scorer's opinion), the rest from general traffic (the
per-source draw of the pool). A survivor's traffic is thus mostly violent content, a
profanity-tolerant adult's mostly offensive posts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from personaguard.taxonomy import Taxonomy

__all__ = ["PERSONAS", "Persona", "hidden_thresholds", "topic_rows", "traffic_weights"]


@dataclass(frozen=True)
class Persona:
    """A synthetic user.

    Attributes
    ----------
    name : str
    description : str
    block : dict of str to float
        Hidden block threshold per category (others: the taxonomy's).
    topics : tuple of str
        Categories its own traffic is about (matched against the texts' source labels).
    """

    name: str
    description: str
    block: dict[str, float] = field(default_factory=dict)
    topics: tuple[str, ...] = ()


#: The one registry of personas, in report order. The first four are the issue's.
PERSONAS: tuple[Persona, ...] = (
    Persona("profanity-tolerant-adult", "swearing and insults are fine; hate and threats are not",
            block={"harassment": 0.98}, topics=("harassment",)),
    Persona("parent-managed-teen", "a parent wants sexual content, violence, self-harm and drugs blocked early",
            block={"sexual": 0.15, "violence": 0.3, "violence/graphic": 0.2, "self-harm": 0.2,
                   "self-harm/instructions": 0.15, "illicit": 0.3, "harassment": 0.5},
            topics=("sexual", "violence", "self-harm", "illicit")),
    Persona("survivor-no-graphic-violence", "no violence at all, graphic or threatening",
            block={"violence/graphic": 0.1, "violence": 0.2, "harassment/threatening": 0.25,
                   "hate/threatening": 0.25, "illicit/violent": 0.3},
            topics=("violence", "harassment/threatening", "illicit/violent")),
    Persona("chemistry-teacher", "hazard and drug terminology is work; synthesis routes stay blocked",
            block={"illicit": 0.9}, topics=("cbrne", "illicit")),
    Persona("security-researcher", "jailbreak and hacking talk is work material",
            block={"jailbreak": 0.99, "illicit": 0.95}, topics=("jailbreak", "illicit")),
    Persona("strict-workplace", "no insults, hate or sexual content at all",
            block={"harassment": 0.3, "hate": 0.3, "sexual": 0.3, "violence": 0.5},
            topics=("harassment", "hate", "sexual")),
)


def hidden_thresholds(persona: Persona, taxonomy: Taxonomy) -> NDArray[np.float64]:
    """The persona's block threshold per taxonomy column (floors forced to their global value)."""
    out = np.array([c.block for c in taxonomy.categories], dtype=np.float64)
    for cid, value in persona.block.items():
        cat = taxonomy.get(cid)
        out[taxonomy.index(cid)] = min(value, cat.block) if cat.floor else value
    return out


def topic_rows(persona: Persona, topics: NDArray[np.bool_] | None, probs: NDArray[np.float64],
               taxonomy: Taxonomy) -> NDArray[np.bool_]:
    """Rows about the persona's topics: by source label, or ``p_c > 0.1`` where labels are unknown."""
    cols = [taxonomy.index(c) for c in persona.topics]
    about = topics[:, cols] if topics is not None else probs[:, cols] > 0.1
    return np.asarray(about.any(axis=1), dtype=bool)


def traffic_weights(persona: Persona, probs: NDArray[np.float64], taxonomy: Taxonomy, *, topic_share: float,
                    topics: NDArray[np.bool_] | None = None,
                    is_general: NDArray[np.bool_] | None = None) -> NDArray[np.float64]:
    """Draw probability of each pool text in the persona's own traffic, shape (n_texts,), sums to 1.

    ``topic_share`` of the mass is spread evenly over the texts about the persona's topics, the
    rest evenly over the general rows (all rows when ``is_general`` is None). With no topic
    text in the pool, everything is general traffic.
    """
    general = np.ones(len(probs), dtype=bool) if is_general is None else is_general
    about = topic_rows(persona, topics, probs, taxonomy)
    w = (1.0 - topic_share) * general / max(int(general.sum()), 1)
    if about.any():
        w = w + topic_share * about / int(about.sum())
    return w / w.sum()  # type: ignore[no-any-return]
