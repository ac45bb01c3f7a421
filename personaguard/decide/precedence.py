"""Thresholds in force for one user: the documented precedence of settings.

Highest first (docs/personalization.md, "Precedence"):

1. Floors. A floor category's thresholds never rise above the taxonomy's; whatever comes below
   is clamped (``source`` stays ``floor`` when clamping changed a value).
2. Age band. For a minor (child/teen), categories in ``MINOR_PROTECTED`` keep at most the
   taxonomy defaults, whatever the user set.
3. Learned offsets (issue 4): ``tau = sigmoid(logit(tau) + theta)``, applied on top of what the
   user set, clamped to ``user_range``; never loosening a category the user's vulnerabilities raise.
4. The user's explicit setting for the category; explicit ``warn``/``block`` numbers beat the
   ``action`` shorthand in the same setting; the most specific category id wins, so
   ``self-harm/intent: block`` beats ``self-harm: allow`` (a parent's setting reaches children that
   have none of their own, but never loosens a floor child).
5. The taxonomy's defaults.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from personaguard.decide.outcome import ThresholdSource
from personaguard.decide.thresholds import Thresholds, apply_offsets, default_thresholds
from personaguard.profile.profile import Action, CategorySetting, UserProfile
from personaguard.taxonomy.schema import Category, Taxonomy

__all__ = ["user_thresholds", "setting_for", "MINOR_PROTECTED"]

#: Categories a minor's settings and learned offsets may not loosen.
MINOR_PROTECTED: frozenset[str] = frozenset(
    {"sexual", "sexual/minors", "self-harm", "self-harm/intent", "self-harm/instructions", "violence/graphic"}
)


def setting_for(category_id: str, profile: UserProfile) -> CategorySetting | None:
    """The user's setting that applies to a category: its own, else the nearest ancestor's.

    Examples
    --------
    >>> p = UserProfile(id="u", settings={"self-harm": "block"})
    >>> setting_for("self-harm/intent", p).action.value
    'block'
    >>> setting_for("hate", p) is None
    True
    """
    parts = category_id.split("/")
    for k in range(len(parts), 0, -1):
        s = profile.settings.get("/".join(parts[:k]))
        if s is not None:
            return s
    return None


def _apply_setting(cat: Category, s: CategorySetting) -> tuple[float, float]:
    lo, hi = cat.user_range
    warn, block = cat.warn, cat.block
    if s.action is Action.ALLOW:
        warn, block = hi, hi
    elif s.action is Action.WARN:
        block = hi
    elif s.action is Action.BLOCK:
        block = warn
    if s.warn is not None:
        warn = s.warn
    if s.block is not None:
        block = s.block
    warn, block = min(max(warn, lo), hi), min(max(block, lo), hi)
    return min(warn, block), block


def user_thresholds(
    taxonomy: Taxonomy, profile: UserProfile, *, locked: NDArray[np.bool_] | None = None
) -> Thresholds:
    """Warn/block thresholds in force for ``profile``, with where each came from.

    The profile must already have passed ``profile.check_against(taxonomy)``.

    Parameters
    ----------
    taxonomy : Taxonomy
    profile : UserProfile
    locked : ndarray of bool, shape (n_categories,), or None
        Categories the user's vulnerabilities raise: learned offsets may tighten them, never loosen.

    Examples
    --------
    >>> from personaguard.taxonomy import load_taxonomy
    >>> t = load_taxonomy()
    >>> th = user_thresholds(t, UserProfile(id="u", settings={"hate": "block"}))
    >>> j = t.index("hate")
    >>> float(th.warn[j]), float(th.block[j]), th.sources[j].value  # block from hate's default warn, 0.5
    (0.5, 0.5, 'user')
    """
    base = default_thresholds(taxonomy)
    warn, block, sources = base.warn.copy(), base.block.copy(), list(base.sources)
    for j, cat in enumerate(taxonomy.categories):
        s = setting_for(cat.id, profile)
        if s is not None and not (cat.floor and cat.id not in profile.settings and s.action is not Action.BLOCK):
            warn[j], block[j] = _apply_setting(cat, s)
            sources[j] = ThresholdSource.USER
    th = Thresholds(warn=warn, block=block, sources=tuple(sources), is_floor=base.is_floor)
    if profile.learned.offsets:
        before = th
        theta = np.array([profile.learned.offsets.get(c, 0.0) for c in taxonomy.ids], dtype=np.float64)
        th = apply_offsets(th, theta, locked=locked)
        lo = np.array([c.user_range[0] for c in taxonomy.categories])
        hi = np.array([c.user_range[1] for c in taxonomy.categories])
        moved = theta != 0.0
        th = Thresholds(
            warn=np.where(moved, np.clip(th.warn, lo, hi), th.warn),
            block=np.where(moved, np.clip(th.block, lo, hi), th.block),
            sources=th.sources,
            is_floor=th.is_floor,
            before_learning=before,
        )
    return _cap(taxonomy, th, profile, base)


def _cap(taxonomy: Taxonomy, th: Thresholds, profile: UserProfile, base: Thresholds) -> Thresholds:
    """Steps 1 and 2 of the precedence: minors' protected categories, then floors (``base``: the defaults).

    The same clamp applies to the thresholds before learning, so a verdict's "before learning"
    outcome is the one the user would really have had.
    """
    protected = th.is_floor
    if profile.age_band is not None and profile.age_band.is_minor:
        protected = protected | np.array([c in MINOR_PROTECTED for c in taxonomy.ids])
    warn = np.where(protected, np.minimum(th.warn, base.warn), th.warn)
    block = np.where(protected, np.minimum(th.block, base.block), th.block)
    clamped = (warn != th.warn) | (block != th.block)
    sources = th.sources
    if clamped.any():
        sources = tuple((ThresholdSource.FLOOR if f else ThresholdSource.AGE_BAND) if c else s
                        for s, c, f in zip(th.sources, clamped.tolist(), th.is_floor.tolist()))
    before = th.before_learning
    if before is not None:
        b_block = np.where(protected, np.minimum(before.block, base.block), before.block)
        b_warn = np.minimum(np.where(protected, np.minimum(before.warn, base.warn), before.warn), b_block)
        before = Thresholds(warn=b_warn, block=b_block, sources=before.sources, is_floor=before.is_floor)
    return Thresholds(warn=np.minimum(warn, block), block=block, sources=sources, is_floor=th.is_floor,
                      before_learning=before)
