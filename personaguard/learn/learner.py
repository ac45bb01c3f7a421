"""Learning from feedback inside a trust region (``DESIGN.md`` section 5, ``docs/learning.md``).

Per user u and category c an offset ``theta_c`` moves the threshold logit:
``tau_{u,c} = sigmoid(logit(tau_c) + theta_c)``. The user's soft policy is
``pi_c(block | x) = sigmoid(k * (logit r_c(x) - logit tau_{u,c}))`` and a text is blocked when
any category blocks, so ``pi(block | x) = 1 - prod_c (1 - pi_c(x))``. A feedback event is one
gradient step on the logistic loss of that joint policy. Why the joint loss: a "should allow"
loosens each category in proportion to how much it is blocking, and a "should block" spreads
one unit of tightening over the categories by their share of the risk, so categories the text
has nothing to do with barely move.

The trust region, measured on a fixed reference sample R of calibrated probabilities::

    mean_{x in R} KL( pi_{u,c}(.|x) || pi_{0,c}(.|x) ) <= delta_c        for every category c

where ``pi_0`` is the policy before learning. ``delta_c`` is ``delta_loosen`` when
``theta_c > 0`` (0 for floor categories and for categories the user's vulnerabilities raise)
and ``delta_tighten`` when ``theta_c <= 0``. After every step the constraint is checked and a
violating category's step is halved until it holds (backtracking, as in TRPO / FixPO); each
step is also clipped to ``max_step`` (proximal bound). KL is monotone in ``|theta_c|`` on each
side of 0 and the current offsets satisfy the constraint, so backtracking always ends inside.

This module holds the learner's settings and its array-level step; the step arithmetic is in
:mod:`~personaguard.learn.step`, the KL in :mod:`~personaguard.learn.trust_region`
and the event bookkeeping (floors, the log entry) in :mod:`~personaguard.learn.event`.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

import numpy as np
from numpy.typing import NDArray

from personaguard.errors import NotFittedError, UnknownIdError
from personaguard.learn.event import apply_event
from personaguard.learn.reference import load_reference_probs
from personaguard.learn.region import ElasticRule, evidence_arrays
from personaguard.learn.step import backtrack_exact, joint_logistic_step, project_step, shrink_into_region
from personaguard.learn.trust_region import (
    FloatArray,
    StepResult,
    bernoulli_kl_mean,
    feasible_interval,
    halve_within,
    softplus,
)
from personaguard.profile.learned import LearnedState, LearnUpdate, UpdateInfo, check_should
from personaguard.score.calibrate import logit, sigmoid
from personaguard.taxonomy.schema import Taxonomy

__all__ = ["LearnUpdate", "TrustRegionLearner", "UpdateInfo"]


def d_full(cols: NDArray[np.intp], d: FloatArray, size: int) -> FloatArray:
    """Steps of the moving columns ``cols`` spread back to a full-width array (zeros elsewhere)."""
    out = np.zeros(size)
    out[cols] = d
    return out

class TrustRegionLearner:
    """Per-user threshold offsets learned from feedback, kept inside a KL trust region.

    Parameters
    ----------
    k : float, default=2.0
        Sharpness of the soft policy; larger makes the KL more sensitive to offsets.
    learning_rate : float, default=0.6
        Step size of the logistic-loss gradient step on theta.
    moderator_weight : float, default=2.0
        Multiplier on the step of moderator feedback (same trust region as users).
    delta_loosen : float, default=0.01
        KL bound (nats, mean over R) for a category whose offset is positive (looser).
    delta_tighten : float, default=2.0
        KL bound for a category whose offset is zero or negative (stricter).
    max_step : float, default=1.0
        Largest change of one offset in one event (logit units).
    max_backtracks : int, default=20
        Halvings before a step is dropped; after that many the step is below
        ``max_step / 2**20`` and dropping it changes nothing visible.
    max_loosen : float, default=1.5
        Largest positive offset (logits), whatever the KL says. The mean KL on a finite R is
        only as strong as R's coverage of a category: where few reference contents sit above
        a threshold, moving it costs almost no KL. This cap keeps the worst case independent
        of R (docs/learning.md). A category's cap is also at most its taxonomy
        ``learn_max_block`` (the loosest block threshold feedback may reach).
    elastic : ElasticRule or None, default=ElasticRule()
        The elastic region: ``delta_loosen`` is the bound with no evidence and grows with the
        user's consistent events on a category (``personaguard.learn.region``). None keeps
        the fixed region.
    min_move : float, default=0.01
        Proposed changes smaller than this are not applied (they change no verdict and
        would fill the event log with categories the text has nothing to do with).
    n_reference : int or None, default=None
        Rows of the reference sample to use (first rows); None uses them all.
    keep_text : bool, default=False
        Store feedback texts in the event log (only hashes otherwise).

    Attributes
    ----------
    category_ids_ : tuple of str
    is_floor_ : ndarray of bool, shape (n_categories,)
    base_logit_ : ndarray of shape (n_categories,)
        Logit of the taxonomy block threshold, the reference policy's threshold.
    ref_logit_ : ndarray of shape (n_ref, n_categories)
        Logits of the reference probabilities.
    theta_lo_, theta_hi_ : ndarray of shape (n_categories,)
        The feasible offsets at the taxonomy thresholds with no evidence: the region of a stranger.
    theta_hi_levels_ : ndarray of shape (max_evidence_ + 1, n_categories)
        The loosening end of the region at each evidence level (row 0 is ``theta_hi_``).
    loosen_cap_ : ndarray of shape (n_categories,)
        Hard cap on each offset (logits): ``max_loosen`` and the taxonomy ``learn_max_block``;
        0 for floors.
    max_evidence_ : int
        Evidence level at which the elastic bound stops growing (0 without ``elastic``).

    Examples
    --------
    >>> from personaguard.taxonomy import load_taxonomy
    >>> from personaguard.learn.reference import synthetic_reference
    >>> tax = load_taxonomy()
    >>> learner = TrustRegionLearner().fit(tax, reference_probs=synthetic_reference(tax.ids, seed=0))
    >>> row = np.full(len(tax.ids), 0.01); row[tax.index("violence")] = 0.9
    >>> res = learner.update(LearnedState(), row, text="a violent story", should="allow", verdict="block")
    >>> res.state.offset("violence") > 0, res.kl <= res.delta
    (True, True)
    """

    def __init__(
        self,
        *,
        k: float = 2.0,
        learning_rate: float = 0.6,
        moderator_weight: float = 2.0,
        delta_loosen: float = 0.01,
        delta_tighten: float = 2.0,
        max_step: float = 1.0,
        max_backtracks: int = 20,
        min_move: float = 0.01,
        max_loosen: float = 1.5,
        elastic: ElasticRule | None = ElasticRule(),
        n_reference: int | None = None,
        keep_text: bool = False,
    ) -> None:
        self.k = k
        self.learning_rate = learning_rate
        self.moderator_weight = moderator_weight
        self.delta_loosen = delta_loosen
        self.delta_tighten = delta_tighten
        self.max_step = max_step
        self.max_backtracks = max_backtracks
        self.min_move = min_move
        self.max_loosen = max_loosen
        self.elastic = elastic
        self.n_reference = n_reference
        self.keep_text = keep_text

    def get_params(self) -> dict[str, object]:
        """The constructor parameters (scikit-learn style), e.g. to build a variant of this learner."""
        names = ("k", "learning_rate", "moderator_weight", "delta_loosen", "delta_tighten", "max_step",
                 "max_backtracks", "min_move", "max_loosen", "elastic", "n_reference", "keep_text")
        return {name: getattr(self, name) for name in names}

    def _validate_params(self) -> None:
        checks = {
            "k": self.k > 0,
            "learning_rate": self.learning_rate > 0,
            "moderator_weight": self.moderator_weight > 0,
            "delta_loosen": self.delta_loosen >= 0,
            "delta_tighten": self.delta_tighten >= 0,
            "max_step": self.max_step > 0,
            "max_backtracks": self.max_backtracks >= 0,
            "min_move": self.min_move >= 0,
            "max_loosen": self.max_loosen >= 0,
            "n_reference": self.n_reference is None or self.n_reference >= 1,
        }
        for name, ok in checks.items():
            if not ok:
                raise ValueError(
                    f"TrustRegionLearner({name}={getattr(self, name)!r}) is out of range; "
                    "k, learning_rate, moderator_weight and max_step must be > 0, deltas >= 0, n_reference >= 1"
                )

    def fit(self, taxonomy: Taxonomy, *, reference_probs: FloatArray | None = None) -> TrustRegionLearner:
        """Bind the learner to a taxonomy and a reference sample; returns ``self``.

        Parameters
        ----------
        taxonomy : Taxonomy
        reference_probs : ndarray of shape (n_ref, n_categories) or None, default=None
            Calibrated probabilities of the reference contents in taxonomy order; None loads
            the packaged sample (``personaguard/learn/reference_data/reference_probs.npz``).

        Raises
        ------
        ValueError
            If a parameter is out of range or the reference has the wrong number of columns.
        ConfigError
            If the packaged reference is missing or was made for other categories.
        """
        self._validate_params()
        ids = tuple(taxonomy.ids)
        ref = load_reference_probs(ids) if reference_probs is None else np.asarray(reference_probs, dtype=np.float64)
        if ref.ndim != 2 or ref.shape[1] != len(ids) or ref.shape[0] == 0:
            raise ValueError(f"reference_probs must have shape (n_ref, {len(ids)}); got {ref.shape}")
        if self.n_reference is not None:
            ref = ref[: self.n_reference]
        self.category_ids_ = ids
        self.reference_probs_ = ref
        self.is_floor_ = np.array([c.floor for c in taxonomy.categories], dtype=bool)
        self.base_logit_ = logit(np.array([c.block for c in taxonomy.categories], dtype=np.float64))
        self.ref_logit_ = logit(ref)
        self.ref_a_ = self.k * (self.ref_logit_ - self.base_logit_)
        self.ref_softplus_ = softplus(self.ref_a_)
        self.max_block_logit_ = logit(np.array([c.learn_max_block for c in taxonomy.categories], dtype=np.float64))
        self.loosen_cap_ = self.loosen_cap(self.base_logit_)
        self.max_evidence_ = 0 if self.elastic is None else self.elastic.max_evidence(self.delta_loosen)
        levels = []
        for level in range(self.max_evidence_ + 1):
            lo, hi = feasible_interval(self.ref_a_, k=self.k, delta_loosen=float(self.delta_of(np.array(level))),
                                       delta_tighten=self.delta_tighten)
            levels.append(np.minimum(hi, self.loosen_cap_))
            if level == 0:
                self.theta_lo_ = lo
        self.theta_hi_levels_ = np.array(levels)
        self.theta_hi_ = self.theta_hi_levels_[0]
        return self

    def loosen_cap(self, base_logit: FloatArray) -> FloatArray:
        """Hard cap per category on the offset above ``base_logit`` (logits, >= 0; 0 for floors).

        The smaller of ``max_loosen`` and the distance to the taxonomy's ``learn_max_block``:
        learning never takes a block threshold past it, whatever the evidence.
        """
        cap = np.clip(self.max_block_logit_ - base_logit, 0.0, self.max_loosen)
        return np.where(self.is_floor_, 0.0, cap)

    def delta_of(self, level: NDArray[np.int64]) -> FloatArray:
        """Loosening bound (nats) at evidence ``level``; ``delta_loosen`` everywhere without ``elastic``."""
        if self.elastic is None:
            return np.full(np.shape(level), self.delta_loosen, dtype=np.float64)
        return self.elastic.delta(level, self.delta_loosen)

    def levels_of(self, state: LearnedState) -> NDArray[np.int64]:
        """Evidence level per category of ``state`` (zeros without ``elastic``)."""
        return self.levels_from(*evidence_arrays(state.regions, self.category_ids_))

    def levels_from(self, support: FloatArray, oppose: FloatArray) -> NDArray[np.int64]:
        """Evidence level per category from ``(support, oppose)`` arrays (zeros without ``elastic``)."""
        if self.elastic is None:
            return np.zeros(len(self.category_ids_), dtype=np.int64)
        return self.elastic.levels(support, oppose, self.max_evidence_)

    def region_hi(self, level: NDArray[np.int64] | None, lock: NDArray[np.bool_]) -> FloatArray:
        """The loosening end of the region in force per category (taxonomy thresholds), 0 where locked."""
        hi = self.theta_hi_ if level is None else self.theta_hi_levels_[level, np.arange(len(level))]
        return np.where(lock, 0.0, hi)

    def _reference_logits(self, base_logit: FloatArray | None) -> FloatArray:
        """Reference-policy logits ``k (logit p - logit tau)``, shape (n_ref, n_categories)."""
        if base_logit is None:
            return self.ref_a_
        return self.k * (self.ref_logit_ - base_logit)

    def _check_fitted(self) -> None:
        if not hasattr(self, "ref_logit_"):
            raise NotFittedError("this TrustRegionLearner is not fitted; call fit(taxonomy) first")

    # -- array level ------------------------------------------------------------------------------
    def policy(self, risk_row: FloatArray, theta: FloatArray, base_logit: FloatArray | None = None) -> FloatArray:
        """Per-category block probability ``pi_c(block | x)`` for one risk row, shape (n_categories,)."""
        base = self.base_logit_ if base_logit is None else base_logit
        return sigmoid(self.k * (logit(risk_row) - base - theta))

    def bounds(self, theta: FloatArray, locked: NDArray[np.bool_], level: NDArray[np.int64] | None = None) -> FloatArray:
        """The bound in force per category: the loosening bound at ``level`` (0 where locked) above 0,
        else ``delta_tighten``. ``level=None`` is evidence 0 (``delta_loosen``)."""
        loosen = np.where(locked, 0.0, self.delta_loosen if level is None else self.delta_of(level))
        return np.where(theta > 0.0, loosen, self.delta_tighten)

    def reference_kl(self, theta: FloatArray, base_logit: FloatArray | None = None) -> FloatArray:
        """Mean KL on the reference sample per category for offsets ``theta``, shape (n_categories,)."""
        self._check_fitted()
        kl = np.zeros_like(theta)
        cols = np.flatnonzero(theta)  # KL is exactly 0 where theta is 0
        if cols.size:
            sp = self.ref_softplus_[:, cols] if base_logit is None else None
            kl[cols] = bernoulli_kl_mean(self._reference_logits(base_logit)[:, cols], -self.k * theta[cols], sp)
        return kl

    def gradient_step(self, risk_row: FloatArray, theta: FloatArray, y_block: bool, weight: FloatArray | float,
                      base_logit: FloatArray | None = None) -> FloatArray:
        """The unconstrained step ``-lr * weight * dLoss/dtheta`` of the joint logistic loss."""
        return joint_logistic_step(self.policy(risk_row, theta, base_logit), y_block=y_block, k=self.k,
                                   learning_rate=self.learning_rate, weight=weight)

    def step(self, theta: FloatArray, risk_row: FloatArray, *, y_block: bool, weight: FloatArray | float = 1.0,
             locked: NDArray[np.bool_] | None = None, base_logit: FloatArray | None = None,
             level: NDArray[np.int64] | None = None) -> StepResult:
        """One trust-region step on arrays: gradient step, clip to ``max_step``, backtrack.

        Parameters
        ----------
        theta : ndarray of shape (n_categories,)
            Current offsets; must already satisfy the trust region.
        risk_row : ndarray of shape (n_categories,)
            Risk ``r_c(x)`` of the text in taxonomy order.
        y_block : bool
            True when the feedback says the text should be blocked.
        weight : float or ndarray of shape (n_categories,), default=1.0
            Step multiplier (``moderator_weight`` for moderators; per category when the elastic
            rule damps steps against a category's majority direction).
        locked : ndarray of bool or None, default=None
            Categories that may not loosen; floors are always added.
        base_logit : ndarray of shape (n_categories,) or None
            Threshold logits before learning; None uses the taxonomy's.
        level : ndarray of int, shape (n_categories,), or None
            Evidence level per category (the elastic region, ``levels_of``); None is level 0.

        Returns
        -------
        StepResult
        """
        self._check_fitted()
        lock = self.is_floor_ if locked is None else (locked | self.is_floor_)
        # Steps below min_move change no verdict and would only fill the log with noise.
        proposed = project_step(self.gradient_step(risk_row, theta, y_block, weight, base_logit), theta, lock,
                                max_step=self.max_step, min_move=self.min_move)
        cols = np.flatnonzero(proposed)
        if base_logit is None:
            # Fast path: KL is monotone in theta on each side of 0, so "KL <= delta" is
            # "theta_lo_ <= theta <= theta_hi_" (bisected at fit). The result is checked on the
            # exact KL, and the exact halving loop takes over if that check fails.
            hi = self.region_hi(level, lock)[cols]
            d, n_back = halve_within(theta[cols], proposed[cols], self.theta_lo_[cols], hi,
                                     max_backtracks=self.max_backtracks, min_move=self.min_move)
        else:
            d, n_back = self._backtrack(theta, proposed, cols, lock, base_logit, level)
        cand = theta.copy()
        cand[cols] += d
        kl = self.reference_kl(cand, base_logit)
        delta = self.bounds(cand, lock, level)
        if (kl[cols] > delta[cols]).any():
            d, n_back = self._backtrack(theta, d_full(cols, d, theta.size), cols, lock, base_logit, level)
            cand = theta.copy()
            cand[cols] += d
            kl = self.reference_kl(cand, base_logit)
            delta = self.bounds(cand, lock, level)
        proposed = cand - theta
        return StepResult(theta=cand, moves=proposed, kl=kl, delta=delta, n_backtracks=n_back)

    def shrink_into_region(self, theta: FloatArray, lock: NDArray[np.bool_], base_logit: FloatArray,
                           level: NDArray[np.int64] | None = None) -> FloatArray:
        """Scale offsets that break their bound (the thresholds or the evidence changed since) back inside."""
        capped = np.minimum(theta, self.loosen_cap(base_logit))
        return shrink_into_region(capped, self._reference_logits(base_logit), lambda t: self.bounds(t, lock, level),
                                  k=self.k)

    def _backtrack(self, theta: FloatArray, d: FloatArray, cols: NDArray[np.intp], lock: NDArray[np.bool_],
                   base_logit: FloatArray | None, level: NDArray[np.int64] | None) -> tuple[FloatArray, int]:
        """Exact halving on the moving columns ``cols``; ``d`` is the full-width proposed step."""
        base = self.base_logit_ if base_logit is None else base_logit
        loosen = self.delta_of(np.zeros(theta.size, dtype=np.int64) if level is None else level)
        return backtrack_exact(self._reference_logits(base_logit)[:, cols], theta[cols], d[cols], lock[cols], k=self.k,
                               delta_loosen=loosen[cols], delta_tighten=self.delta_tighten,
                               max_loosen=self.loosen_cap(base)[cols], max_backtracks=self.max_backtracks,
                               min_move=self.min_move)

    # -- state level ------------------------------------------------------------------------------
    def theta_of(self, state: LearnedState) -> FloatArray:
        """Offsets of ``state`` as an array in taxonomy order.

        Raises
        ------
        UnknownIdError
            If the state holds an offset for a category the taxonomy does not have.
        """
        self._check_fitted()
        unknown = [c for c in state.offsets if c not in self.category_ids_]
        if unknown:
            raise UnknownIdError("category", unknown[0], known=list(self.category_ids_))
        return np.array([state.offset(c) for c in self.category_ids_], dtype=np.float64)

    def locked_mask(self, raised: Collection[str]) -> NDArray[np.bool_]:
        """Floors plus the categories in ``raised`` (those the user's vulnerabilities raise).

        Raises
        ------
        UnknownIdError
            If ``raised`` names a category the taxonomy does not have.
        """
        for c in raised:
            if c not in self.category_ids_:
                raise UnknownIdError("category", c, known=list(self.category_ids_))
        mask: NDArray[np.bool_] = self.is_floor_ | np.array([c in raised for c in self.category_ids_], dtype=bool)
        return mask

    def update(
        self,
        state: LearnedState,
        risk_row: FloatArray,
        *,
        text: str,
        should: str,
        verdict: str,
        source: str = "user",
        raised: Collection[str] = (),
        base_logit: FloatArray | None = None,
        context: str | None = None,
        time: datetime | None = None,
    ) -> LearnUpdate:
        """Apply one feedback event to ``state``; pure (returns a new state).

        Parameters
        ----------
        state : LearnedState
        risk_row : ndarray of shape (n_categories,)
            Risk ``r_c(x)`` of the text per category, taxonomy order.
        text : str
            The content the feedback is about (hashed; kept only with ``keep_text=True``).
        should : {'allow', 'block'}
        verdict : {'allow', 'warn', 'block', 'ask'}
            The outcome the guard gave (an ``Outcome`` works: it is a str enum).
        source : {'user', 'moderator'}, default='user'
        raised : collection of str, default=()
            Categories the user's vulnerabilities raise: they may not loosen.
        base_logit : ndarray of shape (n_categories,) or None
            Block-threshold logits before learning (user settings); None: taxonomy.
        context, time : optional
            Prompt context (hashed) and event time (default now, UTC).

        Returns
        -------
        LearnUpdate
            ``(state, kl, delta, info)``: ``kl`` is the largest per-category reference KL after
            the event and ``delta`` the bound in force for that category.

        Raises
        ------
        ValueError
            If ``should`` or ``source`` is not an allowed value, or ``text`` is empty.
        UnknownIdError
            If ``raised`` or the state's offsets name an unknown category.
        """
        check_should(should, source)
        self._check_fitted()
        if not text.strip():
            raise ValueError("text is empty; feedback must be about the content that was judged")
        return apply_event(self, state, np.asarray(risk_row, dtype=np.float64), text=text, should=should,
                           verdict=verdict, source=source, raised=raised, base_logit=base_logit, context=context,
                           time=time)
