"""Custom categories and allow-examples: the user's own phrases, scored by similarity.

A custom category ("no spoilers for the series I'm watching") is its one-sentence definition
plus at least one example; a text's risk is the calibrated similarity to those phrases, with
the knowledge base's generic requests as negatives (the same calibration as topic relevance:
both measure "how close is this text to a handful of example requests"). Allow-examples use
the same score to say how close a text is to something the user told us is fine.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from personaguard.profile.profile import UserProfile
from personaguard.score.encoder import MiniLMEncoder

__all__ = ["ProfilePhrases", "profile_phrases"]


@dataclass(frozen=True)
class ProfilePhrases:
    """Embeddings of a profile's own phrases.

    Attributes
    ----------
    custom_ids : tuple of str
        ``custom:<name>`` of each custom category, in profile order.
    custom : ndarray of shape (n_phrases, 384)
        Definition and examples of each custom category, grouped in ``custom_ids`` order.
    custom_start : ndarray of shape (n_custom,)
    allow : ndarray of shape (n_allow_examples, 384)
    """

    custom_ids: tuple[str, ...]
    custom: NDArray[np.float32]
    custom_start: NDArray[np.intp]
    allow: NDArray[np.float32]


def _build(profile: UserProfile, encoder: MiniLMEncoder) -> ProfilePhrases:
    groups = [[c.description, *c.examples] for c in profile.custom_categories]
    phrases = [p for g in groups for p in g] + list(profile.allow_examples)
    emb = encoder.encode(phrases).embeddings if phrases else np.zeros((0, encoder.dim), np.float32)
    n_custom = sum(len(g) for g in groups)
    sizes = np.array([len(g) for g in groups], dtype=np.intp)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.intp) if len(groups) else np.zeros(0, np.intp)
    return ProfilePhrases(
        custom_ids=tuple(c.category_id for c in profile.custom_categories),
        custom=np.ascontiguousarray(emb[:n_custom]),
        custom_start=starts,
        allow=np.ascontiguousarray(emb[n_custom:]),
    )


def profile_phrases(profile: UserProfile, encoder: MiniLMEncoder) -> ProfilePhrases:
    """Embeddings of the profile's custom categories and allow-examples, cached on the profile.

    Encoding them costs a few milliseconds, so they are computed on first use and kept on the
    profile object (keyed by the phrases themselves, so an edited profile is re-encoded).
    """
    key = (
        tuple((c.name, c.description, tuple(c.examples)) for c in profile.custom_categories),
        tuple(profile.allow_examples),
        id(encoder),
    )
    return profile.derived("phrases", key, lambda: _build(profile, encoder))
