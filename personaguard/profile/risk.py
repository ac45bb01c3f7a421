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

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from personaguard.profile.claims import AGE_BAND_VULNERABILITIES
from personaguard.profile.custom import profile_phrases
from personaguard.profile.index import KnowledgeBaseIndex, load_or_build_index, max_similarity
from personaguard.profile.keywords import KeywordLexicon
from personaguard.profile.maps import logistic, map_terms
from personaguard.profile.probes import TopicProbes, probe_logits
from personaguard.profile.profile import Action, CustomCategory, UserProfile, VulnerabilityClaim
from personaguard.profile.vulnerabilities import KnowledgeBase
from personaguard.score.encoder import EncodedWindows, MiniLMEncoder
from personaguard.taxonomy import Taxonomy

__all__ = [
    "ClaimTerm",
    "CompiledProfile",
    "CustomRisk",
    "PersonalRiskModel",
    "RiskFactor",
    "UncertainClaim",
    "UserRisk",
    "effective_vulnerabilities",
]

#: A user factor is reported when it adds at least this much to w_v * q_v(x).
_MIN_FACTOR = 0.05
#: A parsed claim below this confidence is explained as an approximate match ("nearest known entry").
APPROXIMATE_BELOW = 0.9
#: q_t of a request that says the topic's substance is absent ("alcohol-free"): below _MIN_FACTOR.
ABSENT_RELEVANCE = 0.02



def effective_vulnerabilities(profile: UserProfile, kb: KnowledgeBase) -> list[VulnerabilityClaim]:
    """The profile's vulnerabilities after its answers, plus those its age band implies (confidence 1)."""
    if profile.age_band is None:
        return profile.effective_claims()
    band = profile.age_band.value
    known = set(kb.ids)
    implied = [VulnerabilityClaim(id=vid, confidence=1.0, evidence=f"age band {band}")
               for vid in AGE_BAND_VULNERABILITIES[band] if vid in known]
    return profile.effective_claims(implied)


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
class UncertainClaim:
    """A vulnerability we are not sure of (w_v < 1) that changed the risk of one text.

    What the decide stage needs to weigh asking about it (``personaguard.decide.ask``): the
    risks with the claim certain or ruled out follow from ``weight`` and ``q`` alone.
    """

    id: str
    question: str
    weight: float
    q: float
    columns: tuple[int, ...]


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
    uncertain : tuple of UncertainClaim
        Claims with confidence below 1 that raised a risk for this text.
    """

    risks: NDArray[np.float64]
    factors: tuple[RiskFactor, ...] = ()
    guidance: dict[str, tuple[str, ...]] = field(default_factory=dict)
    custom: tuple[CustomRisk, ...] = ()
    uncertain: tuple[UncertainClaim, ...] = ()


@dataclass(frozen=True)
class ClaimTerm:
    """One vulnerability of a compiled profile: where its q_v(x) comes from and what it raises.

    Attributes
    ----------
    id, name, guidance, question : str
        Of the knowledge-base entry.
    weight : float
        w_v, the profile's confidence in the claim.
    topics : tuple of (int, float)
        (position in ``CompiledProfile.topics``, severity_{v,t}) of each contraindicated topic.
    columns : tuple of int
        Taxonomy columns of the categories it raises, in taxonomy order.
    categories : tuple of str
        Their ids.
    """

    id: str
    name: str
    guidance: str
    question: str
    weight: float
    topics: tuple[tuple[int, float], ...]
    columns: tuple[int, ...]
    categories: tuple[str, ...]


@dataclass(frozen=True)
class CompiledProfile:
    """What the personalize stage needs from one profile, ready to use.

    Built once per profile content and cached on the profile (:meth:`PersonalRiskModel.compile`),
    so a repeated user costs one comparison of :meth:`UserProfile.content_key`, one product of
    the text's window embeddings with ``phrases``, one or two calibration maps, and a short loop
    over the user's own contraindications per text.

    Attributes
    ----------
    claims : tuple of ClaimTerm, length k
        The profile's vulnerabilities plus those its age band implies.
    topics : ndarray of shape (m,)
        Topic columns (``index.topic_ids`` order) that any claim contraindicates.
    topic_names : tuple of str, length m
    phrases : ndarray of shape (n_phrases, 384)
        Example requests of ``topics``, the generic requests, each custom category's phrases and
        the allow-examples, in that order.
    starts : ndarray of shape (m + 1 + n_custom + (1 if n_allow else 0),)
        Group starts in ``phrases``: one group per topic, the generic requests, one per custom
        category, then all allow-examples.
    gain, bias, contrast : ndarray of shape (n_groups,)
        The calibration map of each group's column (relevance for topics, the custom map for
        custom categories and allow-examples; zeros for the generic column), as in ``maps.logistic``.
    keyword_topics : dict of int to int
        Topic column -> position in ``topics``, for those of ``topics`` that have keywords.
    custom : tuple of CustomCategory
    n_allow : int
    probes : TopicProbes or None
        The probes of ``topics`` only, in that order (None when the index has none).
    """

    claims: tuple[ClaimTerm, ...]
    topics: NDArray[np.intp]
    topic_names: tuple[str, ...]
    phrases: NDArray[np.float32]
    starts: NDArray[np.intp]
    gain: NDArray[np.float64]
    bias: NDArray[np.float64]
    contrast: NDArray[np.float64]
    keyword_topics: dict[int, int]
    custom: tuple[CustomCategory, ...] = ()
    n_allow: int = 0
    probes: TopicProbes | None = None


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
        self.not_floor_ = (~self.is_floor_).astype(np.float64)
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
        # Keyword lexicons (brands, substances) of every topic, by topic column.
        keywords: dict[str, list[int]] = {}
        for t in knowledge_base.topics:
            for k in knowledge_base.topic_keywords(t):
                keywords.setdefault(k, []).append(topic_col[t])
        self.lexicon_ = KeywordLexicon(keywords)
        # Phrases saying a topic's substance is absent ("alcohol-free", "decaf"), by topic column.
        absent: dict[str, list[int]] = {}
        for t, topic in knowledge_base.topics.items():
            for k in topic.absent:
                absent.setdefault(k, []).append(topic_col[t])
        self.absent_ = KeywordLexicon(absent)
        self.topic_bounds_ = np.append(self.index.topic_start, len(self.index.topic_examples)).astype(np.intp)
        self.entries_ = {v.id: v for v in knowledge_base.vulnerabilities}
        self.category_ids_ = tuple(taxonomy.ids)
        # Identifies this model in the keys of values cached on profiles: a private object, so a
        # cache entry can never be mistaken for another model's (ids of dead objects are reused).
        self.cache_token_ = object()

    # -- per-profile state ---------------------------------------------------------------------
    def _topic_phrases(self, topics: NDArray[np.intp]) -> tuple[list[NDArray[np.float32]], list[int]]:
        """Example embeddings of ``topics`` then the generic requests, with group sizes."""
        ix, bounds = self.index, self.topic_bounds_
        blocks = [ix.topic_examples[bounds[t] : bounds[t + 1]] for t in topics] + [ix.generic]
        return blocks, [len(b) for b in blocks]

    def compile(self, profile: UserProfile, *, cache: bool = True) -> CompiledProfile:
        """The profile's state as arrays (see :class:`CompiledProfile`).

        With ``cache``, it is built on first use and kept on the profile, keyed by its content
        (``UserProfile.content_key``), so an edited profile is compiled again; without, it is
        built now (for callers that cache it themselves, like ``Guard``).
        """
        if not cache:
            return self._compile(profile)
        key = (self.cache_token_, profile.content_key())
        return profile.derived("personal_risk", key, lambda: self._compile(profile))

    def _compile(self, profile: UserProfile) -> CompiledProfile:
        claims = effective_vulnerabilities(profile, self.knowledge_base)
        n_topics = len(self.index.topic_ids)
        sev = np.array([self.severity_[c.id] for c in claims]).reshape(len(claims), n_topics)
        topics = np.flatnonzero(sev.any(axis=0)).astype(np.intp)
        local = {int(t): j for j, t in enumerate(topics)}
        terms_ = []
        for c, row in zip(claims, sev):
            v = self.entries_[c.id]
            columns = tuple(int(j) for j in np.flatnonzero(self.raises_[c.id]))
            # A claim made by jurisdictions.yaml names the law that applied, in every explanation.
            law = c.evidence.split(" -> ", 1)[1] if " -> " in c.evidence else ""
            if law:
                name = f"{v.name} ({law})"
            elif c.span is not None and c.confidence < APPROXIMATE_BELOW:
                # A parsed condition the knowledge base has no entry for stands in by its nearest
                # entries, at their (lower) confidence: the explanation says so.
                name = f'{v.name} (nearest known entry to "{c.evidence.strip()}", confidence {c.confidence:.2f})'
            else:
                name = v.name
            terms_.append(ClaimTerm(
                id=v.id, name=name, guidance=v.guidance, question=v.question_text, weight=float(c.confidence),
                topics=tuple((local[int(t)], float(row[t])) for t in np.flatnonzero(row)),
                columns=columns, categories=tuple(self.category_ids_[j] for j in columns),
            ))
        blocks, sizes = self._topic_phrases(topics)
        custom = tuple(profile.custom_categories)
        n_allow = len(profile.allow_examples)
        if custom or n_allow:
            own = profile_phrases(profile, self.encoder)
            blocks.append(own.custom)
            sizes += [1 + len(c.examples) for c in custom]
            if n_allow:
                blocks.append(own.allow)
                sizes.append(n_allow)
        terms = self._group_terms(len(topics), len(sizes) - len(topics) - 1)
        return CompiledProfile(
            claims=tuple(terms_),
            topics=topics,
            topic_names=tuple(self.knowledge_base.topics[self.index.topic_ids[t]].name for t in topics),
            phrases=np.ascontiguousarray(np.concatenate(blocks), dtype=np.float32),
            starts=np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.intp),
            gain=terms[0], bias=terms[1], contrast=terms[2],
            keyword_topics=self._keyword_positions(topics),
            custom=custom,
            n_allow=n_allow,
            probes=self._probes_of(topics),
        )

    def _probes_of(self, topics: NDArray[np.intp]) -> TopicProbes | None:
        probes = self.index.probes
        if probes is None:
            return None
        return TopicProbes(weights=np.ascontiguousarray(probes.weights[topics]), bias=probes.bias[topics],
                           n_outside=probes.n_outside)

    def _group_terms(self, m: int, n_own: int) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
        """Per-column map terms for m topics, the generic column and ``n_own`` columns of the user's phrases."""
        kb = self.knowledge_base
        rel, own = map_terms(kb.relevance), map_terms(kb.custom)
        rows = [rel] * m + [(0.0, 0.0, 0.0)] + [own] * n_own
        gain, bias, contrast = (np.array(col, dtype=np.float64) for col in zip(*rows))
        return gain, bias, contrast

    # -- relevance -----------------------------------------------------------------------------
    def _keyword_positions(self, topics: NDArray[np.intp]) -> dict[int, int]:
        return {int(t): j for j, t in enumerate(topics) if int(t) in self.lexicon_.by_column_}

    def _calibrated(
        self, texts: list[str], sims: NDArray[np.float64], m: int,
        terms: tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]], keyword_topics: dict[int, int],
        enc: EncodedWindows, probes: TopicProbes | None, topics: NDArray[np.intp],
    ) -> NDArray[np.float64]:
        """Every group's calibrated score at once, shape of ``sims`` (column m, generic, is meaningless).

        The first m columns are q_t: the larger of the relevance map (best example similarity and
        its margin over the generic requests) and the calibrated topic probe (``probes``: the m
        topics' rows; ``KnowledgeBase.probe``), raised to ``keyword_relevance`` where the text
        names one of the topic's keywords (``keyword_topics`` maps topic columns with
        keywords to positions).
        """
        q = logistic(sims, sims[:, m : m + 1], *terms)
        pm = self.knowledge_base.probe
        if probes is not None and m and pm is not None:
            # q_t is the larger of the example map and the calibrated probe.
            z = probe_logits(probes, enc.embeddings, enc.owner, len(texts))
            z -= pm.center
            z *= -pm.slope
            if pm.contrast:
                z -= pm.contrast * (sims[:, :m] - sims[:, m : m + 1])
            np.exp(z, out=z)
            z += 1.0
            np.maximum(q[:, :m], np.reciprocal(z, out=z), out=q[:, :m])
        if keyword_topics:
            q_kw = self.knowledge_base.keyword_relevance
            for i, text in enumerate(texts):
                for t in self.lexicon_.match(text):
                    j = keyword_topics.get(t)
                    if j is not None and q[i, j] < q_kw:
                        q[i, j] = q_kw
        if m and len(self.absent_):
            # "alcohol-free", "decaf": the request says the substance is absent. Last, so that
            # neither the keyword inside the compound nor the probe's sense of topic wins.
            for i, text in enumerate(texts):
                for t in self.absent_.match(text):
                    for col in np.flatnonzero(topics == t).tolist():
                        q[i, col] = min(q[i, col], ABSENT_RELEVANCE)
        return q

    def topic_relevance(
        self, texts: list[str], enc: EncodedWindows, topics: NDArray[np.intp] | None = None
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Calibrated relevance q_t of each text to each topic, and each text's generic similarity.

        Only the columns in ``topics`` are computed (the others stay 0); None computes all.
        Returns arrays of shape (n_texts, n_topics) and (n_texts, 1).
        """
        n = len(texts)
        cols = np.arange(len(self.index.topic_ids)) if topics is None else np.asarray(topics, dtype=np.intp)
        blocks, sizes = self._topic_phrases(cols)
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.intp)
        sims = max_similarity(enc.embeddings, enc.owner, n, np.concatenate(blocks), starts)
        m = len(cols)
        q_local = self._calibrated(texts, sims, m, self._group_terms(m, 0), self._keyword_positions(cols),
                                   enc, self._probes_of(cols), cols)
        q = np.zeros((n, len(self.index.topic_ids)))
        q[:, cols] = q_local[:, :m]
        return q, sims[:, m : m + 1]

    # -- the personalize stage -----------------------------------------------------------------
    def personalize(
        self, texts: list[str], probs: NDArray[np.float64], enc: EncodedWindows, profile: UserProfile,
        *, compiled: CompiledProfile | None = None,
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
        compiled : CompiledProfile or None, default=None
            ``compile(profile)`` when the caller holds it; None looks it up on the profile.
        """
        c = compiled if compiled is not None else self.compile(profile)
        n, m, n_custom = probs.shape[0], len(c.topics), len(c.custom)
        # One product gives every similarity (topics, generic requests, custom categories,
        # allow-examples) and one map every calibrated score.
        sims = max_similarity(enc.embeddings, enc.owner, n, c.phrases, c.starts)
        scores = self._calibrated(texts, sims, m, (c.gain, c.bias, c.contrast), c.keyword_topics, enc, c.probes,
                                  c.topics)
        # q_v(x) = max_t severity_{v,t} q_t(x) and the product over v, per text. A profile names a
        # handful of contraindications, so a loop over them beats a dozen numpy calls on
        # (n, k, m) arrays, which cost more than the arithmetic for a batch of one. The risks are
        # computed in the same loop on Python floats, float64 as ``probs`` is: the same IEEE
        # operations in the same order as the array expressions they replace, so the same bits.
        risk_rows: list[list[float]] = []
        found: list[list[tuple[ClaimTerm, int, float]]] = []
        allow: list[float] = []
        custom: list[list[float]] = []
        n_cat = len(self.category_ids_)
        not_floor = self.not_floor_.tolist()
        for q, p_row in zip(scores.tolist(), probs.tolist()):
            keep = [1.0] * n_cat
            hits = []
            for term in c.claims:
                q_v, best = 0.0, 0
                for j, severity in term.topics:
                    if severity * q[j] > q_v:
                        q_v, best = severity * q[j], j
                strength = min(term.weight * q_v, 1.0)
                if strength >= _MIN_FACTOR:
                    hits.append((term, best, q_v))
                for col in term.columns:
                    keep[col] *= 1.0 - strength
            found.append(hits)
            a = q[-1] if c.n_allow else 0.0
            # p'_c = (1 - A(x)) p_c for non-floor c, then r_c = 1 - (1 - p'_c) prod_v (1 - w_v q_v).
            base = [p * (1.0 - a * f) for p, f in zip(p_row, not_floor)] if c.n_allow else p_row
            risk_rows.append([1.0 - (1.0 - b) * k for b, k in zip(base, keep)])
            allow.append(a)
            custom.append([r * (1.0 - a) for r in q[m + 1 : m + 1 + n_custom]])
        risks = np.array(risk_rows, dtype=np.float64).reshape(n, n_cat)
        return [self._explain_row(c, risks[i], found[i], allow[i], probs[i], custom[i]) for i in range(n)]

    def _explain_row(
        self, c: CompiledProfile, risks: NDArray[np.float64], found: list[tuple[ClaimTerm, int, float]],
        allow_a: float, probs: NDArray[np.float64], custom_r: list[float],
    ) -> UserRisk:
        custom = tuple([CustomRisk(cat.category_id, r, cat.threshold, cat.action)
                        for r, cat in zip(custom_r, c.custom)])
        if not found and allow_a < _MIN_FACTOR and not any(r >= _MIN_FACTOR for r in custom_r):
            return UserRisk(risks=risks, custom=custom)
        ids = self.category_ids_
        factors: list[RiskFactor] = []
        guidance: dict[str, list[str]] = {}
        uncertain = tuple([UncertainClaim(term.id, term.question, term.weight, q_v, term.columns)
                           for term, _, q_v in found if term.weight < 1.0])
        for term, best, q_v in found:
            detail = f"{term.name}: {c.topic_names[best]}"
            for cid in term.categories:
                factors.append(RiskFactor(kind="vulnerability", id=term.id, category=cid, q=q_v, detail=detail))
                guidance.setdefault(cid, []).append(term.guidance)
        if allow_a >= _MIN_FACTOR:
            # Only where it lowered the risk by a reportable amount (a decision leaves out
            # categories below 0.01 too), not every category it scaled.
            for j in np.flatnonzero(~self.is_floor_ & (probs * allow_a >= 0.01)):
                factors.append(RiskFactor(kind="allow_example", id="allow_examples", category=ids[j], q=allow_a,
                                          detail="close to an example you allowed"))
        for r in custom:
            if r.r >= _MIN_FACTOR:
                factors.append(RiskFactor(kind="custom_category", id=r.category_id, category=r.category_id, q=r.r,
                                          detail=f"your category {r.category_id}"))
        factors.sort(key=lambda f: -f.q)
        return UserRisk(risks=risks, factors=tuple(factors), guidance={cid: tuple(g) for cid, g in guidance.items()},
                        custom=custom, uncertain=uncertain)
