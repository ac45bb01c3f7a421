"""Guard: wires normalize -> score -> personalize -> decide, and owns batching.

It holds no rules itself: thresholds come from the taxonomy (and, per user, from the profile),
probabilities from the scorer.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence

import numpy as np

from personaguard.decide.explain import explain
from personaguard.decide.outcome import SEVERITY, CategoryVerdict, Decision, Outcome
from personaguard.decide.thresholds import Thresholds, default_thresholds, outcomes_for
from personaguard.errors import InputTooLargeError
from personaguard.normalize import NormalizedText, normalize_text
from personaguard.score.base import CategoryScores, Scorer
from personaguard.taxonomy import Taxonomy, load_taxonomy

__all__ = ["Guard", "load_scorer"]

log = logging.getLogger(__name__)

#: Categories below this probability are left out of a decision's ``categories`` list.
_REPORT_MIN_P = 0.01


def load_scorer(taxonomy: Taxonomy, *, artifacts_dir: str | os.PathLike[str] | None = None) -> Scorer:
    """The packaged scorer for ``taxonomy`` (MiniLM + trained heads), loaded from disk, no network."""
    from personaguard.score.cascade import load_default_scorer

    return load_default_scorer(tuple(taxonomy.ids), artifacts_dir=artifacts_dir)


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
    ) -> None:
        self.taxonomy = taxonomy if isinstance(taxonomy, Taxonomy) else load_taxonomy(taxonomy)
        self.scorer = scorer if scorer is not None else load_scorer(self.taxonomy)
        if tuple(self.scorer.category_ids) != tuple(self.taxonomy.ids):
            from personaguard.errors import ConfigError

            raise ConfigError("the scorer's categories do not match the taxonomy's, in order")
        self.max_text_chars = max_text_chars
        self.thresholds_ = default_thresholds(self.taxonomy)

    @property
    def model_version(self) -> str:
        """Version string of the scorer's artifacts."""
        return str(getattr(self.scorer, "version", "unknown"))

    # -- public API -----------------------------------------------------------------------------
    def check(self, text: str, context: str | None = None) -> Decision:
        """Decide on one text (``context``: the prompt, when ``text`` is a model response).

        Raises
        ------
        TypeError
            If ``text`` is not a str or ``context`` is neither str nor None.
        InputTooLargeError
            If ``text`` is longer than ``max_text_chars``.
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be str, got {type(text).__name__}")
        return self.check_batch([text], None if context is None else [context])[0]

    def check_batch(self, texts: Sequence[str], contexts: Sequence[str | None] | None = None) -> list[Decision]:
        """Decide on many texts at once; results come back in input order.

        Parameters
        ----------
        texts : list of str, length n_texts
        contexts : list of (str or None), length n_texts, or None

        Returns
        -------
        list of Decision, length n_texts
        """
        items = _validate_texts(texts, "texts")
        ctx = self._validate_contexts(contexts, len(items))
        normalized = self._normalize(items)
        scores = self._score(normalized)
        ctx_scores = self._score_contexts(ctx)
        return [
            self._decide(i, normalized[i], scores, ctx_scores.get(i)) for i in range(len(items))
        ]

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

    def _score(self, normalized: list[NormalizedText]) -> CategoryScores:
        texts = [n.text for n in normalized]
        scores = self.scorer.score(texts)
        # No content, no harm: blank texts get zero probabilities rather than the model's
        # guess about an empty window.
        blank = np.array([not t.strip() for t in texts], dtype=bool)
        if blank.any():
            probs = scores.probs.copy()
            p_any = scores.p_any.copy()
            probs[blank] = 0.0
            p_any[blank] = 0.0
            scores = CategoryScores(scores.category_ids, probs, p_any, scores.n_windows)
        return scores

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
    ) -> Decision:
        probs = scores.probs[i]
        thresholds: Thresholds = self.thresholds_
        outcomes = outcomes_for(probs, thresholds)
        verdicts = [
            CategoryVerdict(
                id=cid,
                p=float(probs[j]),
                r=float(probs[j]),
                warn=float(thresholds.warn[j]),
                block=float(thresholds.block[j]),
                source=thresholds.sources[j],
                outcome=outcomes[j],
                is_floor=bool(thresholds.is_floor[j]),
            )
            for j, cid in enumerate(scores.category_ids)
            if probs[j] >= _REPORT_MIN_P or outcomes[j] is not Outcome.ALLOW
        ]
        verdicts.sort(key=lambda v: (-SEVERITY[v.outcome], -v.r))
        outcome = max(outcomes, key=lambda o: SEVERITY[o], default=Outcome.ALLOW)
        row = scores.row(i)
        return Decision(
            outcome=outcome,
            flagged=outcome is not Outcome.ALLOW,
            p_any=float(scores.p_any[i]),
            scores=row,
            risks=dict(row),
            categories=verdicts,
            explanation=explain(outcome, verdicts, []),
            context_scores=context_scores,
            normalization=list(normalized.steps_applied),
            n_windows=max(int(scores.n_windows[i]), 1),
            model_version=self.model_version,
        )
