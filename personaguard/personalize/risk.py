"""Personalized risk r_{u,c}(x): general probabilities combined with the user's vulnerabilities.

DESIGN.md section 3, with two refinements documented in docs/personalization.md:

- ``q_v(x) = max_t severity_{v,t} * q_t(x)``, where ``q_t`` is the calibrated relevance of the
  request to contraindicated topic t (similarity to t's examples, contrasted with generic
  requests: this is the relevance gate), and severity says how harmful such a request is for
  a person with v;
- allow-examples scale down the general probability of near neighbours,
  ``p'_c = (1 - a(x)) p_c``, never for floor categories and never the vulnerability term.

    r_{u,c}(x) = 1 - (1 - p'_c(x)) * prod_{v in V_u, v raises c} (1 - w_v q_v(x))
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from personaguard.personalize.custom import profile_phrases
from personaguard.personalize.index import KnowledgeBaseIndex, load_or_build_index, max_similarity
from personaguard.personalize.profile import Action, UserProfile, VulnerabilityClaim
from personaguard.personalize.vulnerabilities import KnowledgeBase, LogisticMap
from personaguard.score.encoder import EncodedWindows, MiniLMEncoder
from personaguard.taxonomy import Taxonomy

__all__ = ["apply_logistic", "RiskFactor", "CustomRisk", "UserRisk", "PersonalRiskModel", "effective_vulnerabilities"]

#: A user factor is reported when it adds at least this much to w_v * q_v(x).
_MIN_FACTOR = 0.05

#: Knowledge-base entries implied by an age band when the profile does not list them.
AGE_BAND_VULNERABILITIES: dict[str, tuple[str, ...]] = {
    "child": ("minor", "child"), "teen": ("minor",), "senior": ("elderly",), "adult": ()
}


_WORD = re.compile(r"[\w'’.-]+|&")


def _words(text: str) -> list[str]:
    """Lowercase words, keeping inner apostrophes, dots and hyphens ("jack daniel's", "e-cig")."""
    return [w.strip(".'’-").replace("’", "'") for w in _WORD.findall(text.lower()) if w.strip(".'’-")]


def apply_logistic(m: LogisticMap, pos: NDArray[np.float64], neg: NDArray[np.float64]) -> NDArray[np.float64]:
    """Calibrated probability from similarities: ``sigmoid(slope (pos - center) + contrast (pos - neg))``.

    ``neg`` broadcasts against ``pos`` (e.g. shape (n, 1) against (n, k)).

    Examples
    --------
    >>> m = LogisticMap(slope=10.0, center=0.5, contrast=0.0)
    >>> float(apply_logistic(m, np.array([0.5]), np.array([0.0]))[0])
    0.5
    """
    z = m.slope * (pos - m.center) + m.contrast * (pos - neg)
    out: NDArray[np.float64] = 1.0 / (1.0 + np.exp(-z))
    return out


def effective_vulnerabilities(profile: UserProfile, kb: KnowledgeBase) -> list[VulnerabilityClaim]:
    """The profile's vulnerabilities plus those its age band implies (confidence 1)."""
    claims = list(profile.vulnerabilities)
    if profile.age_band is not None:
        have = {c.id for c in claims}
        known = set(kb.ids)
        for vid in AGE_BAND_VULNERABILITIES[profile.age_band.value]:
            if vid not in have and vid in known:
                claims.append(VulnerabilityClaim(id=vid, confidence=1.0, evidence=f"age band {profile.age_band.value}"))
    return claims


@dataclass(frozen=True)
class RiskFactor:
    """A fact about the user that changed one category's risk for one text.

    ``kind`` is 'vulnerability', 'allow_example' or 'custom_category'; ``q`` the strength of the
    match for this text (q_v(x) for a vulnerability); ``detail`` a readable account.
    """

    kind: str
    id: str
    category: str
    q: float
    detail: str


@dataclass(frozen=True)
class CustomRisk:
    """Risk of one text for one of the user's custom categories."""

    category_id: str
    r: float
    threshold: float
    action: Action


@dataclass(frozen=True)
class UserRisk:
    """Personalized risk of one text for one user.

    Attributes
    ----------
    risks : ndarray of shape (n_categories,)
        r_{u,c}(x) per taxonomy column.
    factors : tuple of RiskFactor
        User facts that changed a risk, strongest first.
    guidance : dict of str to tuple of str
        Guidance texts of the vulnerabilities that raised each category.
    custom : tuple of CustomRisk
    """

    risks: NDArray[np.float64]
    factors: tuple[RiskFactor, ...] = ()
    guidance: dict[str, tuple[str, ...]] = field(default_factory=dict)
    custom: tuple[CustomRisk, ...] = ()


class PersonalRiskModel:
    """Computes r_{u,c}(x) from general probabilities, window embeddings and a profile.

    Parameters
    ----------
    taxonomy : Taxonomy
    knowledge_base : KnowledgeBase
        Must only name categories of ``taxonomy`` (see ``KnowledgeBase.check_categories``).
    encoder : MiniLMEncoder
        Used to embed the knowledge base (once, here) and a profile's own phrases (once per profile).
    index : KnowledgeBaseIndex or None, default=None
        Precomputed knowledge-base embeddings; None encodes them now (a few seconds).
    """

    def __init__(
        self,
        *,
        taxonomy: Taxonomy,
        knowledge_base: KnowledgeBase,
        encoder: MiniLMEncoder,
        index: KnowledgeBaseIndex | None = None,
    ) -> None:
        self.taxonomy = taxonomy
        self.knowledge_base = knowledge_base
        self.encoder = encoder
        self.index = index if index is not None else load_or_build_index(knowledge_base, encoder)
        col = {c: j for j, c in enumerate(taxonomy.ids)}
        topic_col = {t: j for j, t in enumerate(self.index.topic_ids)}
        n_topics, n_cats = len(topic_col), len(col)
        self.is_floor_ = np.array([c.floor for c in taxonomy.categories], dtype=bool)
        # Per vulnerability: severity per topic (0 = not contraindicated), and the categories it raises.
        self.severity_: dict[str, NDArray[np.float64]] = {}
        self.raises_: dict[str, NDArray[np.float64]] = {}
        for v in knowledge_base.vulnerabilities:
            sev = np.zeros(n_topics)
            for ci in v.contraindications:
                sev[topic_col[ci.topic]] = ci.severity
            self.severity_[v.id] = sev
            mask = np.zeros(n_cats)
            mask[[col[c] for c in v.categories]] = 1.0
            self.raises_[v.id] = mask
        # Keyword lexicons (brands, substances): word n-gram -> topic columns, looked up per text.
        self.keywords_: dict[str, list[int]] = {}
        for t, topic in knowledge_base.topics.items():
            for k in topic.keywords:
                self.keywords_.setdefault(" ".join(_words(k)), []).append(topic_col[t])
        # First word of each keyword -> its longest keyword in words: texts are scanned word by word
        # and n-grams are built only where a keyword can start.
        self.keyword_first_: dict[str, int] = {}
        for k in self.keywords_:
            first, n = k.split()[0], len(k.split())
            self.keyword_first_[first] = max(n, self.keyword_first_.get(first, 0))
        self.keyword_topic_cols_ = {j for cols in self.keywords_.values() for j in cols}
        self.topic_bounds_ = np.append(self.index.topic_start, len(self.index.topic_examples)).astype(np.intp)
        self.topic_rows_ = [np.arange(a, b) for a, b in zip(self.topic_bounds_[:-1], self.topic_bounds_[1:])]
        self.entries_ = {v.id: v for v in knowledge_base.vulnerabilities}
        self.category_ids_ = tuple(taxonomy.ids)

    # -- relevance -----------------------------------------------------------------------------
    def topic_relevance(
        self, texts: list[str], enc: EncodedWindows, topics: NDArray[np.intp] | None = None
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Calibrated relevance q_t of each text to each topic, and each text's generic similarity.

        q_t is the calibrated embedding similarity, raised to ``keyword_relevance`` when the text
        names one of the topic's keywords. Only the columns in ``topics`` are computed (the
        others stay 0); None computes all. Returns arrays of shape (n_texts, n_topics) and
        (n_texts, 1).
        """
        ix = self.index
        n = len(texts)
        n_topics = len(ix.topic_ids)
        cols = np.arange(n_topics) if topics is None else np.asarray(topics, dtype=np.intp)
        neg = max_similarity(enc.embeddings, enc.owner, n, ix.generic)
        q = np.zeros((n, n_topics))
        if cols.size:
            rows = np.concatenate([self.topic_rows_[t] for t in cols])
            sizes = self.topic_bounds_[cols + 1] - self.topic_bounds_[cols]
            starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.intp)
            examples = ix.topic_examples if topics is None else ix.topic_examples[rows]
            pos = max_similarity(enc.embeddings, enc.owner, n, examples, starts if topics is not None else ix.topic_start)
            q[:, cols] = apply_logistic(self.knowledge_base.relevance, pos, neg)
        q_kw = self.knowledge_base.keyword_relevance
        wanted = set(cols.tolist())
        if any(t in self.keyword_topic_cols_ for t in wanted):
            for i, text in enumerate(texts):
                for j in self._keyword_topics(text) & wanted:
                    q[i, j] = max(q[i, j], q_kw)
        return q, neg

    def _keyword_topics(self, text: str) -> set[int]:
        """Topic columns whose keywords appear in ``text`` (word n-grams, so no substring hits)."""
        words = _words(text)
        hits: set[int] = set()
        for a, w in enumerate(words):
            if "-" in w:  # "wine-tasting" names wine; "e-cigarette" itself is a keyword too
                for part in w.split("-"):
                    hits.update(self.keywords_.get(part, ()))
            longest = self.keyword_first_.get(w)
            if longest is None:
                continue
            for n in range(1, min(longest, len(words) - a) + 1):
                cols = self.keywords_.get(" ".join(words[a : a + n]) if n > 1 else w)
                if cols:
                    hits.update(cols)
        return hits

    # -- the personalize stage -----------------------------------------------------------------
    def personalize(
        self, texts: list[str], probs: NDArray[np.float64], enc: EncodedWindows, profile: UserProfile
    ) -> list[UserRisk]:
        """Personalized risk of each text for ``profile``.

        Parameters
        ----------
        texts : list of str, length n_texts
            The normalized texts (for keyword lexicons).
        probs : ndarray of shape (n_texts, n_categories)
            General calibrated probabilities, taxonomy order.
        enc : EncodedWindows
            Window embeddings of the same texts (the scorer's, when it has them).
        profile : UserProfile
            Already checked against the taxonomy and knowledge base.
        """
        n = probs.shape[0]
        kb = self.knowledge_base
        claims = effective_vulnerabilities(profile, kb)
        relevant = np.flatnonzero(sum((self.severity_[c.id] for c in claims), np.zeros(len(self.index.topic_ids))))
        q_topic, generic = self.topic_relevance(texts, enc, relevant)
        base = probs
        allow_a = np.zeros(n)
        phrases = profile_phrases(profile, self.encoder) if (profile.custom_categories or profile.allow_examples) else None
        if phrases is not None and profile.allow_examples:
            allow_a = apply_logistic(kb.custom, phrases.allow_similarity(enc.embeddings, enc.owner, n), generic[:, 0])
            base = np.where(self.is_floor_[None, :], probs, probs * (1.0 - allow_a[:, None]))
        log_keep = np.zeros_like(probs)
        q_v = np.zeros((n, len(claims)))
        best_topic = np.zeros((n, len(claims)), dtype=np.intp)
        for k, claim in enumerate(claims):
            contrib = q_topic * self.severity_[claim.id][None, :]
            best_topic[:, k] = contrib.argmax(axis=1)
            q_v[:, k] = contrib[np.arange(n), best_topic[:, k]]
            log_keep += np.log1p(-np.minimum(claim.confidence * q_v[:, k], 1.0 - 1e-12))[:, None] * self.raises_[claim.id]
        risks = 1.0 - (1.0 - base) * np.exp(log_keep)
        custom = self._custom_risks(profile, phrases, enc, n, generic, allow_a)
        return [self._explain_row(i, risks[i], claims, q_v[i], best_topic[i], allow_a[i], probs[i], custom[i]) for i in range(n)]

    def _custom_risks(
        self, profile: UserProfile, phrases: object, enc: EncodedWindows, n: int,
        generic: NDArray[np.float64], allow_a: NDArray[np.float64],
    ) -> list[tuple[CustomRisk, ...]]:
        from personaguard.personalize.custom import ProfilePhrases

        if not isinstance(phrases, ProfilePhrases) or not profile.custom_categories:
            return [() for _ in range(n)]
        score = apply_logistic(self.knowledge_base.custom, phrases.custom_similarity(enc.embeddings, enc.owner, n), generic)
        score = score * (1.0 - allow_a[:, None])
        return [
            tuple(
                CustomRisk(c.category_id, float(score[i, j]), c.threshold, c.action)
                for j, c in enumerate(profile.custom_categories)
            )
            for i in range(n)
        ]

    def _explain_row(
        self, i: int, risks: NDArray[np.float64], claims: list[VulnerabilityClaim], q_v: NDArray[np.float64],
        best_topic: NDArray[np.intp], allow_a: float, probs: NDArray[np.float64], custom: tuple[CustomRisk, ...],
    ) -> UserRisk:
        kb = self.knowledge_base
        ids = self.category_ids_
        factors: list[RiskFactor] = []
        guidance: dict[str, list[str]] = {}
        for k, claim in enumerate(claims):
            if claim.confidence * q_v[k] < _MIN_FACTOR:
                continue
            v = self.entries_[claim.id]
            topic = kb.topics[self.index.topic_ids[int(best_topic[k])]]
            for j in np.flatnonzero(self.raises_[claim.id]):
                factors.append(
                    RiskFactor(kind="vulnerability", id=v.id, category=ids[j], q=float(q_v[k]), detail=f"{v.name}: {topic.name}")
                )
                guidance.setdefault(ids[j], []).append(v.guidance)
        if allow_a >= _MIN_FACTOR:
            for j in np.flatnonzero(~self.is_floor_ & (probs >= 0.01)):
                factors.append(RiskFactor(kind="allow_example", id="allow_examples", category=ids[j], q=float(allow_a),
                                          detail="close to an example you allowed"))
        for c in custom:
            if c.r >= _MIN_FACTOR:
                factors.append(RiskFactor(kind="custom_category", id=c.category_id, category=c.category_id, q=c.r,
                                          detail=f"your category {c.category_id}"))
        factors.sort(key=lambda f: -f.q)
        return UserRisk(risks=risks, factors=tuple(factors), guidance={c: tuple(g) for c, g in guidance.items()},
                        custom=custom)
