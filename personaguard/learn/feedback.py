"""Feedback on a verdict, applied to a user profile: the glue between a verdict and the learner.

``Guard.learn`` scores the text, then hands the personalized risks and the verdict here;
everything about how feedback moves a profile lives in this stage, not in the guard.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from personaguard.errors import UnknownIdError
from personaguard.learn.learner import TrustRegionLearner

if TYPE_CHECKING:  # profile.py imports learned.py; keep this module importable on its own
    from personaguard.profile.profile import UserProfile

__all__ = ["LearnResult", "apply_feedback", "raised_categories"]


@dataclass(frozen=True)
class LearnResult:
    """What one feedback event did to a profile.

    Attributes
    ----------
    profile : UserProfile
        The updated profile; its ``learned`` state holds the new offsets and the event.
    kl : float
        Mean KL on the reference sample to the policy before learning, for the category whose
        constraint is tightest after this update.
    delta : float
        The trust-region bound in force for that category (``kl <= delta`` always).
    applied : bool
        False when the event was recorded but moved nothing (floor, locked category, boundary).
    reason : str
        Why, in words.
    moves : dict of str to float
        Change of theta per category.
    bounds : dict of str to float
        Loosening bounds this event widened or shrank (category -> new bound, nats); the
        elastic region's audit trail (``docs/learning.md``).
    """

    profile: "UserProfile"
    kl: float
    delta: float
    applied: bool
    reason: str
    moves: dict[str, float] = field(default_factory=dict)
    bounds: dict[str, float] = field(default_factory=dict)


def raised_categories(vulnerability_ids: Iterable[str], vulnerability_categories: dict[str, list[str]]) -> set[str]:
    """Categories a user's vulnerabilities raise: learning may tighten them, never loosen.

    Parameters
    ----------
    vulnerability_ids : iterable of str
        The user's vulnerabilities (including those its age band implies).
    vulnerability_categories : dict of str to list of str
        Vulnerability id -> the categories it raises (from the knowledge base).

    Examples
    --------
    >>> sorted(raised_categories(["minor"], {"minor": ["sexual", "violence"], "pregnancy": ["illicit"]}))
    ['sexual', 'violence']

    Raises
    ------
    UnknownIdError
        If the profile names a vulnerability the mapping does not know.
    """
    out: set[str] = set()
    for vid in vulnerability_ids:
        if vid not in vulnerability_categories:
            raise UnknownIdError("vulnerability", vid, known=sorted(vulnerability_categories))
        out.update(vulnerability_categories[vid])
    return out


def apply_feedback(
    learner: TrustRegionLearner,
    profile: "UserProfile",
    text: str,
    risks: dict[str, float],
    verdict: str,
    *,
    should: str,
    context: str | None = None,
    source: str = "user",
    raised: Collection[str] = (),
    base_logit: NDArray[np.float64] | None = None,
    time: datetime | None = None,
) -> LearnResult:
    """Apply feedback on the verdict ``text`` got for ``profile`` to the profile.

    Parameters
    ----------
    learner : TrustRegionLearner
        A fitted learner.
    profile : UserProfile
    text : str
    risks : dict of str to float
        Personalized risk ``r_{u,c}(x)`` per taxonomy category (``Decision.risks``).
    verdict : {'allow', 'warn', 'block', 'ask'}
        The outcome the guard gave, recorded with the event.
    should, context, source, raised, base_logit, time
        As in :meth:`TrustRegionLearner.update`; ``base_logit`` carries the user's explicit
        thresholds, so the trust region is measured around the policy the user chose.

    Returns
    -------
    LearnResult

    Raises
    ------
    ValueError
        ``should``/``source`` not allowed, or empty ``text`` (see ``TrustRegionLearner.update``).
    UnknownIdError
        An unknown category in ``raised`` or in the profile's learned offsets.
    """
    row = np.array([risks[c] for c in learner.category_ids_], dtype=np.float64)
    res = learner.update(profile.learned, row, text=text, should=should, verdict=verdict, source=source, raised=raised,
        base_logit=base_logit, context=context, time=time,
    )
    updated = profile.model_copy(update={"learned": res.state})
    return LearnResult(profile=updated, kl=res.kl, delta=res.delta, applied=res.info.applied,
                       reason=res.info.reason, moves=res.info.moves, bounds=res.info.bounds)
