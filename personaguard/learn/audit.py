"""Audit export: why is this user's threshold for a category where it is?"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from personaguard.profile.learned import audit_category
from personaguard.taxonomy import Taxonomy, load_taxonomy

if TYPE_CHECKING:
    from personaguard.profile.profile import UserProfile

__all__ = ["audit_report"]


def audit_report(profile: "UserProfile", category_id: str, taxonomy: Taxonomy | None = None) -> dict[str, Any]:
    """The learned offset of ``category_id``, the thresholds it gives, and the events behind it.

    Answers "why is this user's violence threshold higher?": each event lists when it came,
    from whom, what was asked, the category's risk for that text and how far it moved theta.
    The moves add up to the offset unless a reset came in between (then ``reset_since`` is true).

    Parameters
    ----------
    profile : UserProfile
    category_id : str
    taxonomy : Taxonomy or None, default=None
        None loads the packaged taxonomy.

    Returns
    -------
    dict
        JSON-ready: ``user``, ``category``, ``offset``, ``block_global``, ``block_in_force``,
        ``warn_global``, ``warn_in_force``, ``reset_since``, ``evidence`` (the elastic region's
        ``support`` and ``oppose``), ``events`` (each with ``bound``: the loosening bound the
        event set for this category, or null when it did not change it).

    Raises
    ------
    UnknownIdError
        If ``category_id`` is not in the taxonomy.
    """
    tax = taxonomy if taxonomy is not None else load_taxonomy()
    cat = tax.get(category_id)
    theta = profile.learned.offset(category_id)
    if cat.floor:
        theta = min(theta, 0.0)  # thresholds in force never loosen a floor

    def shifted(t: float) -> float:
        return 1.0 / (1.0 + math.exp(-(math.log(t / (1.0 - t)) + theta)))

    events = audit_category(profile.learned, category_id)
    total = sum(e.moves.get(category_id, 0.0) for e in events)
    return {
        "user": profile.id,
        "category": category_id,
        "offset": theta,
        "block_global": cat.block,
        "block_in_force": shifted(cat.block),
        "warn_global": cat.warn,
        "warn_in_force": shifted(cat.warn),
        "reset_since": not math.isclose(total, profile.learned.offset(category_id), abs_tol=1e-9),
        "evidence": profile.learned.regions[category_id].model_dump() if category_id in profile.learned.regions
        else {"support": 0.0, "oppose": 0.0},
        "events": [
            {
                "time": e.time.isoformat(), "source": e.source, "verdict": e.verdict, "should": e.should,
                "risk": e.p.get(category_id, 0.0), "move": e.moves.get(category_id, 0.0), "applied": e.applied,
                "reason": e.reason, "kl": e.kl, "delta": e.delta, "bound": e.bounds.get(category_id),
                "text_sha256": e.text_sha256,
            }
            for e in events
        ],
    }
