"""The labelled example every source reader yields, and the label columns."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Example", "ANY"]

#: The extra label column "violates any category".
ANY = "any"


@dataclass(frozen=True)
class Example:
    """One labelled text.

    Attributes
    ----------
    text : str
    source : str
        Registry name of the corpus it came from (the unit of held-out validation).
    labels : dict of str to int
        1/0 for the columns this source speaks to (category ids and ``"any"``); other columns
        are unknown and masked out of the loss.
    kind : str
        ``"prompt"``, ``"post"`` (social media / forum text) or ``"response"`` (model output).
    """

    text: str
    source: str
    labels: dict[str, int] = field(default_factory=dict)
    kind: str = "prompt"
