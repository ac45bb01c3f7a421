"""Guard: wires normalize -> score -> personalize -> decide, and owns batching.

It holds no rules itself: thresholds come from the taxonomy (and, per user, from the profile),
probabilities from the scorer.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal, overload

import numpy as np

from personaguard.decide.ask import AskPolicy
from personaguard.decide.explain import explain
from personaguard.decide.outcome import Decision, Outcome
from personaguard.decide.policy import DecisionPolicy, load_decision_policy
from personaguard.decide.thresholds import Thresholds, default_thresholds
from personaguard.decide.verdicts import category_verdicts
from personaguard.errors import InputTooLargeError, InvalidInputError, PersonaguardError, ScoringError
from personaguard.normalize import NormalizedText, normalize_text
from personaguard.normalize.unicode import REPLACEMENT
from personaguard.profile.profile import UserProfile  # already loaded by decide.verdicts
from personaguard.score.base import CategoryScores, Scorer
from personaguard.taxonomy import Taxonomy, load_taxonomy

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from personaguard.actions.checker import ActionChecker
    from personaguard.actions.decision import ActionDecision
    from personaguard.learn.feedback import LearnResult
    from personaguard.learn.learner import TrustRegionLearner
    from personaguard.profile.parse import VulnerabilityParser
    from personaguard.profile.risk import CompiledProfile, PersonalRiskModel, UserRisk
    from personaguard.profile.vulnerabilities import KnowledgeBase
    from personaguard.score.image import ImageScorer

__all__ = ["Guard", "load_scorer"]

log = logging.getLogger(__name__)

#: Claims that make a user a minor: their choices are not an adult's (decision policy).
_MINOR_CLAIMS = frozenset({"minor", "child"})

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


def _has_content(text: str) -> bool:
    return bool(text.strip()) and bool(text.replace(REPLACEMENT, "").strip())


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
    decision_policy : DecisionPolicy, path-like or None, default=None
        What personal risks turn into beyond the thresholds (``personaguard/decide/policy.yaml``:
        a block only the user's own condition causes becomes a warn); None loads the packaged one.
    personal_risk : PersonalRiskModel or None, default=None
        A personal risk model built elsewhere (its knowledge base wins over ``knowledge_base``);
        None builds one from ``knowledge_base`` on first use. Evaluations that refit the topic
        probes of an edited knowledge base pass theirs here.

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
        decision_policy: DecisionPolicy | str | os.PathLike[str] | None = None,
        personal_risk: "PersonalRiskModel | None" = None,
    ) -> None:
        self.taxonomy = taxonomy if isinstance(taxonomy, Taxonomy) else load_taxonomy(taxonomy)
        self.scorer = scorer if scorer is not None else load_scorer(self.taxonomy)
        if tuple(self.scorer.category_ids) != tuple(self.taxonomy.ids):
            from personaguard.errors import ConfigError

            raise ConfigError("the scorer's categories do not match the taxonomy's, in order")
        self.max_text_chars = max_text_chars
        self.learner = learner
        self.knowledge_base = knowledge_base if personal_risk is None else personal_risk.knowledge_base
        if personal_risk is not None:
            self.personal_risk_ = personal_risk
        self.ask = ask
        self.decision_policy = (decision_policy if isinstance(decision_policy, DecisionPolicy)
                                else load_decision_policy(decision_policy))
        self.thresholds_ = default_thresholds(self.taxonomy)
        self.guidance_ = {c.id: c.guidance for c in self.taxonomy.categories if c.guidance}
        # Content columns (p_any, flagged) and attack columns (Decision.attack) of the scores.
        self.attack_ids_ = self.taxonomy.attack_ids
        self.content_cols_ = np.array([c not in self.attack_ids_ for c in self.taxonomy.ids], dtype=bool)
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

    @overload
    def check_batch(
        self, texts: Sequence[str], contexts: Sequence[str | None] | None = None, *,
        user: "UserProfile | None" = None, errors: Literal["raise"] = "raise",
        decision_policy: DecisionPolicy | None = None,
    ) -> list[Decision]: ...

    @overload
    def check_batch(
        self, texts: Sequence[str], contexts: Sequence[str | None] | None = None, *,
        user: "UserProfile | None" = None, errors: Literal["return"],
        decision_policy: DecisionPolicy | None = None,
    ) -> list[Decision | PersonaguardError]: ...

    def check_batch(
        self,
        texts: Sequence[str],
        contexts: Sequence[str | None] | None = None,
        *,
        user: "UserProfile | None" = None,
        errors: Literal["raise", "return"] = "raise",
        decision_policy: DecisionPolicy | None = None,
    ) -> list[Decision] | list[Decision | PersonaguardError]:
        """Decide on many texts at once; results come back in input order.

        One item never fails another: an item that is too large gets its own
        :class:`InputTooLargeError`, and when scoring the batch raises, every item is retried
        alone, so only an item that fails alone gets an error (:class:`ScoringError`, the cause
        chained and logged); the others get their decisions.

        Parameters
        ----------
        texts : list of str, length n_texts
        contexts : list of (str or None), length n_texts, or None
        user : UserProfile or None, default=None
            The person the verdicts are for: their settings, age band, learned offsets move the
            thresholds, and their vulnerabilities, custom categories and allow-examples move the
            risks (docs/personalization.md). None gives the global verdicts.
        errors : {'raise', 'return'}, default='raise'
            What a failed item does. ``'raise'`` raises the first item's error, with ``index``
            set and every result (decisions and errors) in its ``batch_results``; ``'return'``
            puts the error in that item's place in the returned list (batch jobs, the service).
        decision_policy : DecisionPolicy or None, default=None
            This call's policy (a tenant's own); None uses the guard's ``decision_policy``.

        Returns
        -------
        list of Decision, length n_texts
            With ``errors='return'``, failed items are :class:`PersonaguardError` instances.

        Raises
        ------
        TypeError
            If a text, a context or ``user`` has the wrong type.
        InputTooLargeError, ScoringError
            With ``errors='raise'``, for the first item that failed.
        FloorRelaxedError, UnknownIdError, ConfigError
            If the profile does not fit this guard's taxonomy or knowledge base.

        Examples
        --------
        >>> out = Guard().check_batch(["hello", "x" * 10], errors="return")
        >>> [type(d).__name__ for d in out]
        ['Decision', 'Decision']
        """
        if errors not in ("raise", "return"):
            raise ValueError(f"errors must be 'raise' or 'return', got {errors!r}")
        items = _validate_texts(texts, "texts")
        ctx = self._validate_contexts(contexts, len(items))
        policy = None if user is None else self._validate_user(user)
        if decision_policy is not None and not isinstance(decision_policy, DecisionPolicy):
            raise TypeError(f"decision_policy must be a DecisionPolicy, got {type(decision_policy).__name__}")
        own_choice = self._own_choice(user, decision_policy or self.decision_policy)
        results: list[Decision | PersonaguardError | None] = [self._size_error(i, t, c) for i, (t, c) in
                                                               enumerate(zip(items, ctx))]
        todo = [i for i, r in enumerate(results) if r is None]
        for i, outcome in zip(todo, self._decide_isolated([items[i] for i in todo], [ctx[i] for i in todo],
                                                          user, policy, todo, own_choice)):
            results[i] = outcome
        done: list[Decision | PersonaguardError] = [r for r in results if r is not None]
        if errors == "raise":
            failed = next((r for r in done if isinstance(r, PersonaguardError)), None)
            if failed is not None:
                failed.batch_results = list(done)
                raise failed
        return done

    def _size_error(self, i: int, text: str, context: str | None) -> InputTooLargeError | None:
        for what, t in (("text", text), ("context", context)):
            if t is not None and len(t) > self.max_text_chars:
                err = InputTooLargeError(
                    f"{what} {i} has {len(t)} characters, above max_text_chars={self.max_text_chars}; "
                    "split it or raise the limit"
                )
                err.index = i
                return err
        return None

    def _decide_isolated(
        self, items: list[str], ctx: list[str | None], user: "UserProfile | None",
        policy: "tuple[Thresholds, CompiledProfile | None] | None", index: list[int],
        own_choice: "tuple[frozenset[str], Outcome]",
    ) -> list[Decision | PersonaguardError]:
        """Decide the items together; if that raises, each alone, so a failure stays with its item."""
        if not items:
            return []
        try:
            return list(self._decide_all(items, ctx, user, policy, own_choice))
        # The isolation boundary: whatever one item raises must not fail the others; each is
        # retried alone below and a failure alone is logged with its traceback.
        except Exception as exc:
            if len(items) == 1:
                return [self._item_error(exc, index[0])]
            log.warning("a batch of %d items failed (%s); retrying each alone", len(items), type(exc).__name__)
        out: list[Decision | PersonaguardError] = []
        for j, i in enumerate(index):
            try:
                out.extend(self._decide_all([items[j]], [ctx[j]], user, policy, own_choice))
            except Exception as exc:
                out.append(self._item_error(exc, i))
        return out

    @staticmethod
    def _item_error(exc: Exception, index: int) -> PersonaguardError:
        if isinstance(exc, PersonaguardError):
            exc.index = index
            return exc
        log.error("item %d could not be scored", index, exc_info=exc)
        err = ScoringError(f"item {index} could not be scored ({type(exc).__name__}); the server log has the cause",
                           index=index)
        err.__cause__ = exc
        return err

    def _decide_all(
        self, items: list[str], ctx: list[str | None], user: "UserProfile | None",
        policy: "tuple[Thresholds, CompiledProfile | None] | None", own_choice: "tuple[frozenset[str], Outcome]",
    ) -> list[Decision]:
        normalized = self._normalize(items)
        scores = self._score(normalized, embeddings=policy is not None and policy[1] is not None
                             and self._personal_space_is_scorers())
        ctx_scores = self._score_contexts(ctx)
        thresholds, personal = self._personalize(normalized, scores, user, policy)
        return [
            self._decide(i, normalized[i], scores, ctx_scores.get(i), thresholds, personal[i] if personal else None,
                         user, own_choice)
            for i in range(len(items))
        ]

    def _own_choice(self, user: "UserProfile | None", policy: DecisionPolicy) -> "tuple[frozenset[str], Outcome]":
        """Vulnerability ids whose raised risk is ``user``'s own choice under ``policy``, and its outcome.

        None for minors (a minor's choice is not an adult's) and without a user.
        """
        rule = policy.constructive
        outcome = Outcome(rule.outcome)
        if user is None or outcome is Outcome.BLOCK or not (user.vulnerabilities or user.age_band):
            return frozenset(), outcome

        def build() -> frozenset[str]:
            from personaguard.profile.risk import effective_vulnerabilities

            kb = self.loaded_knowledge_base()
            claims = {c.id for c in effective_vulnerabilities(user, kb)}
            if (user.age_band is not None and user.age_band.is_minor) or claims & _MINOR_CLAIMS:
                return frozenset()
            return frozenset(v.id for v in kb.vulnerabilities if v.group in rule.groups and v.id not in rule.exclude)

        return user.derived("own_choice", (self.cache_token_, rule, user.content_key()), build), outcome

    def check_parts(
        self, parts: Sequence[dict[str, object]], *, user: "UserProfile | None" = None, allow_files: bool = False,
        decision_policy: DecisionPolicy | None = None,
    ) -> Decision:
        """One decision for a message of text and image parts (OpenAI's omni-moderation input).

        Text parts are joined (one per line) and checked as one text, with ``user``; image parts
        are scored by the image model (``sexual`` only, ``personaguard.score.image``) and decided
        with the user's thresholds. The result is the most severe of both, and its
        ``input_types`` says which input types each category's score covers.

        Parameters
        ----------
        parts : list of dict
            ``{"type": "text", "text": str}`` or ``{"type": "image_url", "image_url": {"url": str}}``,
            where the URL is ``data:image/...;base64,...`` (or, with ``allow_files``, a local path).
        user : UserProfile or None
        allow_files : bool, default=False
            Accept local file paths as image URLs (the library and CLI; never the HTTP service).
        decision_policy : DecisionPolicy or None, default=None
            As in :meth:`check_batch`.

        Raises
        ------
        TypeError
            If ``parts`` is not a list of dicts.
        InvalidInputError
            For a malformed part, or an image that cannot be decoded.
        UnsupportedInputError
            For an image URL that would need the network.
        """
        from personaguard.parts import decide_parts

        return decide_parts(self, parts, user=user, allow_files=allow_files, decision_policy=decision_policy)

    def check_response(
        self, prompt: str, response: str, *, user: "UserProfile | None" = None,
        decision_policy: DecisionPolicy | None = None,
    ) -> Decision:
        """A model's ``response`` judged in its ``prompt``'s context, with harm amplification.

        ``amplification[c] = max(0, r_c(response) - r_c(prompt))`` for this user (DESIGN.md
        section 7). The response keeps its own verdict; a category where it only warns but adds
        at least 0.4 of risk over its prompt blocks (``personaguard.response``).

        Examples
        --------
        >>> d = Guard().check_response("How do I make a pipe bomb?", "I can't help with that.")
        >>> d.outcome.value, max(d.amplification.values()) < 0.1
        ('allow', True)
        """
        from personaguard.response import decide_response

        return decide_response(self, prompt, response, user=user, decision_policy=decision_policy)

    def decide_scores(self, scores: CategoryScores, *, user: "UserProfile | None" = None) -> Decision:
        """A decision from one row of category scores made by another model (an image model).

        The scores are taken as they are (no personal risk: there is no text to compare with the
        user's vulnerabilities); the user's thresholds apply (an age band's stricter limits).
        """
        if scores.probs.shape[0] != 1:
            raise ValueError(f"decide_scores takes one row of scores, got {scores.probs.shape[0]}")
        thresholds = self.thresholds_ if user is None else self._validate_user(user)[0]
        return self._decide(0, NormalizedText("", "", ()), scores, None, thresholds, None, user)

    def image_scorer(self) -> "ImageScorer":
        """The image model, loaded on first use (needs ``pip install 'personaguard[images]'``)."""
        if getattr(self, "image_scorer_", None) is None:
            from personaguard.score.image import ImageScorer

            self.image_scorer_ = ImageScorer(tuple(self.taxonomy.ids))
        return self.image_scorer_

    def check_action(
        self, action: Any, *, user: "UserProfile | None" = None, trajectory: Sequence[Any] | None = None
    ) -> "ActionDecision":
        """Decide whether an agent may take a tool call for this user: allow, confirm or block.

        Parameters
        ----------
        action : dict or str
            ``{"tool": name, "arguments": {...}}``, an OpenAI ``tool_calls`` item (arguments as a
            JSON string) or an MCP ``tools/call`` params object; a string is parsed as JSON.
        user : UserProfile or None, default=None
            Whose privacy persona (``privacy``) and per-data-type settings (``privacy_settings``)
            apply; None is a ``balanced`` user. The text the action sends is also decided for them.
        trajectory : list or None, default=None
            Earlier steps, oldest first: actions in the same shapes, and ``{"observation": text}``.

        Returns
        -------
        ActionDecision
            Outcome, explanation naming the data, recipient and deciding rule, the question to
            ask when the outcome is ``confirm``, each flow's verdict and the trajectory risk.

        Raises
        ------
        MalformedActionError
            An action or step of no known shape, or arguments that are not a JSON object.
        InputTooLargeError
            Arguments, an observation or the trajectory over their limits.

        Examples
        --------
        >>> from personaguard import UserProfile
        >>> act = {"tool": "send_email", "arguments": {"to": "jobs@acme-corp.io", "body": "I was diagnosed with bipolar disorder."}}
        >>> Guard().check_action(act, user=UserProfile(id="u", privacy="privacy-first")).outcome.value
        'confirm'
        """
        return self.action_checker().check(action, user=user, trajectory=trajectory)

    def action_checker(self) -> "ActionChecker":
        """The agent-action checker, built on first use; it decides sent text with this guard."""
        if getattr(self, "action_checker_", None) is None:
            from personaguard.actions.checker import ActionChecker
            from personaguard.actions.meaning import MeaningDetector

            self.action_checker_ = ActionChecker(
                text_check=lambda texts, user: self.check_batch(texts, user=user),
                attack_categories=self.taxonomy.attack_ids,
                meaning=MeaningDetector(self.personal_risk_model().encoder),
            )
        return self.action_checker_

    def parse_profile(self, text: str, *, id: str = "anonymous") -> "UserProfile":
        """A profile parsed from a self-description, reusing this guard's encoder and knowledge base."""
        return UserProfile.from_text(text, id=id, parser=self.vulnerability_parser())

    def vulnerability_parser(self) -> "VulnerabilityParser":
        """The self-description parser, built on first use and kept on this guard."""
        if getattr(self, "vulnerability_parser_", None) is None:
            from personaguard.profile.parse import VulnerabilityParser

            model = self.personal_risk_model()
            self.vulnerability_parser_ = VulnerabilityParser(
                knowledge_base=model.knowledge_base, encoder=model.encoder, index=model.index
            )
        return self.vulnerability_parser_

    def personal_risk_model(self) -> "PersonalRiskModel":
        """The personal risk model (knowledge base + its embeddings), built on first use and kept here."""
        if getattr(self, "personal_risk_", None) is None:
            from personaguard.profile.risk import PersonalRiskModel
            from personaguard.score.onnx_runtime import load_encoder

            # The knowledge base is embedded with the base MiniLM: a fine-tuned scorer's encoder
            # reads another space, so personal risk keeps a base encoder of its own.
            encoder = getattr(self.scorer, "encoder", None) if self._personal_space_is_scorers() else None
            if encoder is None:
                encoder = load_encoder()
            self.personal_risk_ = PersonalRiskModel(
                taxonomy=self.taxonomy, knowledge_base=self.loaded_knowledge_base(), encoder=encoder
            )
        return self.personal_risk_

    def _personal_space_is_scorers(self) -> bool:
        """True when the scorer's encoder is the base MiniLM, whose space the knowledge base is in."""
        from personaguard.score.encoder import MiniLMEncoder

        encoder = getattr(self.scorer, "encoder", None)
        return isinstance(encoder, MiniLMEncoder) and encoder.weights_overlay is None

    def loaded_knowledge_base(self) -> "KnowledgeBase":
        """The vulnerability knowledge base profiles are checked against (loaded on first use)."""
        if getattr(self, "knowledge_base_", None) is None:
            from personaguard.profile.vulnerabilities import KnowledgeBase, load_knowledge_base

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

        Scores the text, then delegates to :func:`personaguard.learn.feedback.apply_feedback`
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
        from personaguard.learn.feedback import apply_feedback, raised_categories
        from personaguard.profile.learned import check_should

        check_should(should, source)
        if not isinstance(text, str):
            raise TypeError(f"text must be str, got {type(text).__name__}")
        if not _has_content(text):
            raise InvalidInputError("text is blank; feedback must be about the content that was judged")
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
        from personaguard.profile.learned import LearnedState
        from personaguard.score.calibrate import logit

        locked = np.array([c in raised for c in self.taxonomy.ids], dtype=bool)
        before = user_thresholds(self.taxonomy, profile.model_copy(update={"learned": LearnedState()}), locked=locked)
        return None if np.array_equal(before.block, self.thresholds_.block) else logit(before.block)

    def fitted_learner(self) -> "TrustRegionLearner":
        """The learner, fitted to this taxonomy and the packaged reference sample on first use."""
        if self.learner is None:
            from personaguard.learn.learner import TrustRegionLearner

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
        from personaguard.profile.risk import effective_vulnerabilities

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
        return [normalize_text(t) for t in texts]

    def _score(self, normalized: list[NormalizedText], *, embeddings: bool = False) -> CategoryScores:
        """Scores of the texts; with ``embeddings``, from a scorer pass that keeps them when it can."""
        texts = [n.text for n in normalized]
        # getattr, not isinstance: a runtime protocol check costs ~16 us per call (bench.personalize).
        with_embeddings = getattr(self.scorer, "score_with_embeddings", None) if embeddings else None
        scores = with_embeddings(texts) if with_embeddings is not None else self.scorer.score(texts)
        # No content, no harm: blank texts get zero probabilities rather than the model's
        # guess about an empty window.
        # A text of replacement characters only (what invalid code points became) is blank too.
        if not all(_has_content(t) for t in texts):
            blank = np.array([not _has_content(t) for t in texts], dtype=bool)
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
        from personaguard.profile.risk import effective_vulnerabilities

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
        own_choice: "tuple[frozenset[str], Outcome]" = (frozenset(), Outcome.WARN),
    ) -> Decision:
        v = category_verdicts(scores.category_ids, scores.probs[i], thresholds, personal, self.guidance_, self.ask,
                              own_choice=own_choice[0], own_choice_outcome=own_choice[1])
        row = scores.probs[i]
        content = row[self.content_cols_]
        is_attack = any(c.outcome is not Outcome.ALLOW for c in v.categories if c.id in self.attack_ids_)
        content_flagged = v.outcome is not Outcome.ALLOW and (
            v.outcome is Outcome.ASK or any(c.outcome is not Outcome.ALLOW for c in v.categories
                                            if c.id not in self.attack_ids_))
        return Decision(
            outcome=v.outcome,
            flagged=content_flagged,
            p_any=float(content.max()) if content.size else 0.0,
            attack=float(row[~self.content_cols_].max()) if content.size < row.size else 0.0,
            is_attack=is_attack,
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
