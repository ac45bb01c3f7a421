"""Guard: wires normalize -> score -> personalize -> decide, and owns batching.

It holds no rules itself: thresholds come from the taxonomy (and, per user, from the profile),
probabilities from the scorer.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from personaguard.decide.ask import AskPolicy
from personaguard.decide.explain import explain
from personaguard.decide.outcome import Decision, Outcome
from personaguard.decide.thresholds import Thresholds, default_thresholds
from personaguard.decide.verdicts import category_verdicts
from personaguard.errors import InputTooLargeError
from personaguard.normalize import NormalizedText, normalize_text
from personaguard.personalize.profile import UserProfile  # already loaded by decide.verdicts
from personaguard.score.base import CategoryScores, Scorer
from personaguard.taxonomy import Taxonomy, load_taxonomy

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from personaguard.personalize.feedback import LearnResult
    from personaguard.personalize.learn import TrustRegionLearner
    from personaguard.personalize.parse import VulnerabilityParser
    from personaguard.personalize.risk import CompiledProfile, PersonalRiskModel, UserRisk
    from personaguard.personalize.vulnerabilities import KnowledgeBase

__all__ = ["Guard", "load_scorer"]

log = logging.getLogger(__name__)

#: The default losses for asking (``personaguard.decide.ask``); shared, it is immutable.
_DEFAULT_ASK = AskPolicy()


def load_scorer(taxonomy: Taxonomy, *, artifacts_dir: str | os.PathLike[str] | None = None) -> Scorer:
    """The packaged scorer for ``taxonomy`` (MiniLM + trained heads), loaded from disk, no network."""
    from personaguard.score.cascade import load_default_scorer

    return load_default_scorer(tuple(taxonomy.ids), derived=taxonomy.derived_indices(), artifacts_dir=artifacts_dir)


def _validate_texts(texts: Sequence[str], name: str) -> list[str]:
    if isinstance(texts, str) or not isinstance(texts, Sequence):
        raise TypeError(f"{name} must be a list of str, got {type(texts).__name__}")
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise TypeError(f"{name}[{i}] must be str, got {type(t).__name__}")
    return list(texts)


class Guard:
    """A content-safety guard whose verdicts can fit the user.

    Parameters
    ----------
    taxonomy : Taxonomy, path-like or None, default=None
        The harm taxonomy; None loads the packaged default.
    scorer : Scorer or None, default=None
        Anything with ``score(texts) -> CategoryScores`` in taxonomy order; None loads the
        packaged MiniLM scorer.
    max_text_chars : int, default=2_000_000
        Longer texts raise :class:`InputTooLargeError` (never silently truncated).
    knowledge_base : KnowledgeBase, path-like or None, default=None
        The vulnerability knowledge base for personalized checks; None loads the packaged one
        (on the first check with a user, together with its embeddings).
    ask : AskPolicy or None, default=AskPolicy()
        Losses that decide when a verdict hinging on a vulnerability we are unsure of becomes
        ``ask`` with one question (``personaguard.decide.ask``); None never asks.

    Examples
    --------
    >>> guard = Guard()
    >>> d = guard.check("How do I bake sourdough bread?")
    >>> d.outcome.value
    'allow'
    """

    def __init__(
        self,
        *,
        taxonomy: Taxonomy | str | os.PathLike[str] | None = None,
        scorer: Scorer | None = None,
        max_text_chars: int = 2_000_000,
        learner: "TrustRegionLearner | None" = None,
        knowledge_base: "KnowledgeBase | str | os.PathLike[str] | None" = None,
        ask: AskPolicy | None = _DEFAULT_ASK,
    ) -> None:
        self.taxonomy = taxonomy if isinstance(taxonomy, Taxonomy) else load_taxonomy(taxonomy)
        self.scorer = scorer if scorer is not None else load_scorer(self.taxonomy)
        if tuple(self.scorer.category_ids) != tuple(self.taxonomy.ids):
            from personaguard.errors import ConfigError

            raise ConfigError("the scorer's categories do not match the taxonomy's, in order")
        self.max_text_chars = max_text_chars
        self.learner = learner
        self.knowledge_base = knowledge_base
        self.ask = ask
        self.thresholds_ = default_thresholds(self.taxonomy)
        self.guidance_ = {c.id: c.guidance for c in self.taxonomy.categories if c.guidance}
        # Identifies this guard in the keys of values cached on profiles (see ``_user_policy``).
        self.cache_token_ = object()

    @property
    def model_version(self) -> str:
        """Version string of the scorer's artifacts."""
        return str(getattr(self.scorer, "version", "unknown"))

    # -- public API -----------------------------------------------------------------------------
    def check(self, text: str, context: str | None = None, *, user: "UserProfile | None" = None) -> Decision:
        """Decide on one text (``context``: the prompt, when ``text`` is a model response).

        With ``user``, the verdict fits that user: see :meth:`check_batch`.

        Raises
        ------
        TypeError
            If ``text`` is not a str or ``context`` is neither str nor None.
        InputTooLargeError
            If ``text`` is longer than ``max_text_chars``.
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be str, got {type(text).__name__}")
        return self.check_batch([text], None if context is None else [context], user=user)[0]

    def check_batch(
        self,
        texts: Sequence[str],
        contexts: Sequence[str | None] | None = None,
        *,
        user: "UserProfile | None" = None,
    ) -> list[Decision]:
        """Decide on many texts at once; results come back in input order.

        Parameters
        ----------
        texts : list of str, length n_texts
        contexts : list of (str or None), length n_texts, or None
        user : UserProfile or None, default=None
            The person the verdicts are for: their settings, age band, learned offsets move the
            thresholds, and their vulnerabilities, custom categories and allow-examples move the
            risks (docs/personalization.md). None gives the global verdicts.

        Returns
        -------
        list of Decision, length n_texts

        Raises
        ------
        TypeError
            If ``user`` is not a UserProfile.
        FloorRelaxedError, UnknownIdError, ConfigError
            If the profile does not fit this guard's taxonomy or knowledge base.
        """
        items = _validate_texts(texts, "texts")
        ctx = self._validate_contexts(contexts, len(items))
        policy = None if user is None else self._validate_user(user)
        normalized = self._normalize(items)
        scores = self._score(normalized, embeddings=policy is not None and policy[1] is not None)
        ctx_scores = self._score_contexts(ctx)
        thresholds, personal = self._personalize(normalized, scores, user, policy)
        return [
            self._decide(i, normalized[i], scores, ctx_scores.get(i), thresholds, personal[i] if personal else None,
                         user)
            for i in range(len(items))
        ]

    def parse_profile(self, text: str, *, id: str = "anonymous") -> "UserProfile":  # noqa: A002
        """A profile parsed from a self-description, reusing this guard's encoder and knowledge base."""
        return UserProfile.from_text(text, id=id, parser=self.vulnerability_parser())

    def vulnerability_parser(self) -> "VulnerabilityParser":
        """The self-description parser, built on first use and kept on this guard."""
        if getattr(self, "vulnerability_parser_", None) is None:
            from personaguard.personalize.parse import VulnerabilityParser

            model = self.personal_risk_model()
            self.vulnerability_parser_ = VulnerabilityParser(
                knowledge_base=model.knowledge_base, encoder=model.encoder, index=model.index
            )
        return self.vulnerability_parser_

    def personal_risk_model(self) -> "PersonalRiskModel":
        """The personal risk model (knowledge base + its embeddings), built on first use and kept here."""
        if getattr(self, "personal_risk_", None) is None:
            from personaguard.personalize.risk import PersonalRiskModel
            from personaguard.score.encoder import MiniLMEncoder

            encoder = getattr(self.scorer, "encoder", None)
            if not isinstance(encoder, MiniLMEncoder):
                encoder = MiniLMEncoder()
            self.personal_risk_ = PersonalRiskModel(
                taxonomy=self.taxonomy, knowledge_base=self.loaded_knowledge_base(), encoder=encoder
            )
        return self.personal_risk_

    def loaded_knowledge_base(self) -> "KnowledgeBase":
        """The vulnerability knowledge base profiles are checked against (loaded on first use)."""
        if getattr(self, "knowledge_base_", None) is None:
            from personaguard.personalize.vulnerabilities import KnowledgeBase, load_knowledge_base

            kb = self.knowledge_base
            if isinstance(kb, KnowledgeBase):
                kb.check_categories(self.taxonomy)
                self.knowledge_base_ = kb
            else:
                self.knowledge_base_ = load_knowledge_base(kb, taxonomy=self.taxonomy)
        return self.knowledge_base_

    def learn(
        self, profile: "UserProfile", text: str, *, should: str, context: str | None = None, source: str = "user"
    ) -> "LearnResult":
        """Learn from feedback on the verdict ``text`` gets for ``profile``, inside the trust region.

        Scores the text, then delegates to :func:`personaguard.personalize.feedback.apply_feedback`
        (``docs/learning.md`` has the rule). Feedback asking to allow a text a floor category
        blocks is recorded and changes nothing; the result says so.

        Parameters
        ----------
        profile : UserProfile
        text : str
            The content the verdict was about (non-empty).
        should : {'allow', 'block'}
        context : str or None, default=None
        source : {'user', 'moderator'}, default='user'

        Returns
        -------
        LearnResult
            ``.profile`` (updated), ``.kl``, ``.delta``, ``.applied``, ``.reason``.

        Raises
        ------
        TypeError
            If ``text`` is not a str.
        ValueError
            If ``should`` or ``source`` is not an allowed value, or ``text`` is empty.
        UnknownIdError
            If the profile names an unknown vulnerability or learned category.
        """
        from personaguard.personalize.feedback import apply_feedback, raised_categories
        from personaguard.personalize.learned import check_should

        check_should(should, source)
        if not isinstance(text, str):
            raise TypeError(f"text must be str, got {type(text).__name__}")
        if not text.strip():
            raise ValueError("text is empty; feedback must be about the content that was judged")
        decision = self.check(text, context, user=profile)
        raised = raised_categories(self._vulnerability_ids(profile), self._vulnerability_categories())
        if profile.age_band is not None and profile.age_band.is_minor:
            from personaguard.decide.precedence import MINOR_PROTECTED

            raised |= MINOR_PROTECTED
        return apply_feedback(self.fitted_learner(), profile, text, decision.risks, decision.outcome.value,
                              should=should, context=context, source=source, raised=raised,
                              base_logit=self._learning_base(profile, raised))

    def _learning_base(self, profile: "UserProfile", raised: set[str]) -> "NDArray[np.float64] | None":
        """Block-threshold logits of ``profile`` before learning; None when they are the taxonomy's."""
        from personaguard.decide.precedence import user_thresholds
        from personaguard.personalize.learned import LearnedState
        from personaguard.score.calibrate import logit

        locked = np.array([c in raised for c in self.taxonomy.ids], dtype=bool)
        before = user_thresholds(self.taxonomy, profile.model_copy(update={"learned": LearnedState()}), locked=locked)
        return None if np.array_equal(before.block, self.thresholds_.block) else logit(before.block)

    def fitted_learner(self) -> "TrustRegionLearner":
        """The learner, fitted to this taxonomy and the packaged reference sample on first use."""
        if self.learner is None:
            from personaguard.personalize.learn import TrustRegionLearner

            self.learner = TrustRegionLearner()
        if not hasattr(self.learner, "ref_logit_"):
            self.learner.fit(self.taxonomy)
        return self.learner

    def _vulnerability_categories(self) -> dict[str, list[str]]:
        if not hasattr(self, "vulnerability_categories_"):
            kb = self.loaded_knowledge_base()
            self.vulnerability_categories_ = {v.id: list(v.categories) for v in kb.vulnerabilities}
        return self.vulnerability_categories_

    def _vulnerability_ids(self, profile: "UserProfile") -> list[str]:
        from personaguard.personalize.risk import effective_vulnerabilities

        return [c.id for c in effective_vulnerabilities(profile, self.loaded_knowledge_base())]

    # -- stages ---------------------------------------------------------------------------------
    def _validate_contexts(self, contexts: Sequence[str | None] | None, n: int) -> list[str | None]:
        if contexts is None:
            return [None] * n
        if isinstance(contexts, str) or not isinstance(contexts, Sequence):
            raise TypeError(f"contexts must be a list of str or None, got {type(contexts).__name__}")
        if len(contexts) != n:
            raise ValueError(f"contexts has {len(contexts)} items but texts has {n}; pass one context per text")
        for i, c in enumerate(contexts):
            if c is not None and not isinstance(c, str):
                raise TypeError(f"contexts[{i}] must be str or None, got {type(c).__name__}")
        return list(contexts)

    def _normalize(self, texts: list[str]) -> list[NormalizedText]:
        for i, t in enumerate(texts):
            if len(t) > self.max_text_chars:
                raise InputTooLargeError(
                    f"text {i} has {len(t)} characters, above max_text_chars={self.max_text_chars}; "
                    "split it or raise the limit"
                )
        return [normalize_text(t) for t in texts]

    def _score(self, normalized: list[NormalizedText], *, embeddings: bool = False) -> CategoryScores:
        """Scores of the texts; with ``embeddings``, from a scorer pass that keeps them when it can."""
        texts = [n.text for n in normalized]
        # getattr, not isinstance: a runtime protocol check costs ~16 us per call (bench.personalize).
        with_embeddings = getattr(self.scorer, "score_with_embeddings", None) if embeddings else None
        scores = with_embeddings(texts) if with_embeddings is not None else self.scorer.score(texts)
        # No content, no harm: blank texts get zero probabilities rather than the model's
        # guess about an empty window.
        if not all(t.strip() for t in texts):
            blank = np.array([not t.strip() for t in texts], dtype=bool)
            probs = scores.probs.copy()
            p_any = scores.p_any.copy()
            probs[blank] = 0.0
            p_any[blank] = 0.0
            scores = CategoryScores(scores.category_ids, probs, p_any, scores.n_windows, scores.embeddings)
        return scores

    def _validate_user(self, user: "UserProfile") -> "tuple[Thresholds, CompiledProfile | None]":
        if not isinstance(user, UserProfile):
            raise TypeError(f"user must be a UserProfile, got {type(user).__name__}")
        return self._user_policy(user)

    def _user_policy(self, user: "UserProfile") -> "tuple[Thresholds, CompiledProfile | None]":
        """Thresholds in force for ``user`` and its compiled risk state (None: r = p).

        Checking the profile and resolving its settings cost more than the rest of the
        personalize stage, so the result is cached on the profile, keyed by its content: a
        repeated user costs one key comparison, and an edited profile is checked again.
        """
        return user.derived("guard_policy", (self.cache_token_, user.content_key()), lambda: self._build_policy(user))

    def _build_policy(self, user: "UserProfile") -> "tuple[Thresholds, CompiledProfile | None]":
        from personaguard.decide.precedence import user_thresholds
        from personaguard.personalize.risk import effective_vulnerabilities

        kb = self.loaded_knowledge_base()
        user.check_against(self.taxonomy, kb)
        claims = effective_vulnerabilities(user, kb)
        locked = np.zeros(len(self.taxonomy.ids), dtype=bool)
        for c in claims:
            for cid in kb.get(c.id).categories:
                locked[self.taxonomy.index(cid)] = True
        thresholds = user_thresholds(self.taxonomy, user, locked=locked)
        if not (claims or user.custom_categories or user.allow_examples):
            return thresholds, None
        return thresholds, self.personal_risk_model().compile(user, cache=False)

    def _personalize(
        self, normalized: list[NormalizedText], scores: CategoryScores, user: "UserProfile | None",
        policy: "tuple[Thresholds, CompiledProfile | None] | None",
    ) -> "tuple[Thresholds, list[UserRisk] | None]":
        """The personalize stage: thresholds in force for ``user`` and personal risks per text."""
        if user is None or policy is None:
            return self.thresholds_, None
        thresholds, compiled = policy
        if compiled is None:
            return thresholds, None
        model = self.personal_risk_model()
        texts = [n.text for n in normalized]
        enc = scores.embeddings if scores.embeddings is not None else model.encoder.encode(texts)
        return thresholds, model.personalize(texts, scores.probs, enc, user, compiled=compiled)

    def _score_contexts(self, contexts: list[str | None]) -> dict[int, dict[str, float]]:
        idx = [i for i, c in enumerate(contexts) if c is not None]
        if not idx:
            return {}
        scores = self._score(self._normalize([contexts[i] or "" for i in idx]))
        return {i: scores.row(j) for j, i in enumerate(idx)}

    def _decide(
        self,
        i: int,
        normalized: NormalizedText,
        scores: CategoryScores,
        context_scores: dict[str, float] | None,
        thresholds: Thresholds,
        personal: "UserRisk | None" = None,
        user: "UserProfile | None" = None,
    ) -> Decision:
        v = category_verdicts(scores.category_ids, scores.probs[i], thresholds, personal, self.guidance_, self.ask)
        return Decision(
            outcome=v.outcome,
            flagged=v.outcome is not Outcome.ALLOW,
            p_any=float(scores.p_any[i]),
            scores=scores.row(i),
            risks=v.risks,
            categories=v.categories,
            user_factors=v.factors,
            guidance=v.guidance,
            question=v.question,
            explanation=explain(v.outcome, v.categories, v.factors, v.question),
            user_id=None if user is None else user.id,
            context_scores=context_scores,
            normalization=list(normalized.steps_applied),
            n_windows=max(int(scores.n_windows[i]), 1),
            model_version=self.model_version,
        )
