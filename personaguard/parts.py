"""Messages of several parts (OpenAI's omni-moderation input): text parts and image parts.

Wiring only: text parts go through the guard's personalized text path, image parts through the
image model (``personaguard.score.image``) and the same decide stage, and one decision is made
of both (``personaguard.decide.combine``). ``Guard.check_parts`` is the public entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from personaguard.decide.outcome import Decision
from personaguard.decide.policy import DecisionPolicy
from personaguard.errors import InvalidInputError
from personaguard.score.base import CategoryScores

if TYPE_CHECKING:
    from personaguard.guard import Guard
    from personaguard.profile.profile import UserProfile

__all__ = ["decide_parts", "split_parts"]


def decide_parts(
    guard: "Guard", parts: Sequence[dict[str, object]], *, user: "UserProfile | None", allow_files: bool,
    decision_policy: DecisionPolicy | None,
) -> Decision:
    """See :meth:`personaguard.guard.Guard.check_parts`."""
    from personaguard.decide.combine import combine_decisions
    from personaguard.score.image import IMAGE_CATEGORY, load_image_bytes

    texts, images = split_parts(parts)
    covers: dict[str, set[str]] = {"text": set(guard.taxonomy.ids), "image": {IMAGE_CATEGORY}}
    decided: dict[str, Decision] = {}
    if texts or not images:
        decided["text"] = guard.check_batch(["\n".join(texts)], user=user, decision_policy=decision_policy)[0]
    if images:
        data = [load_image_bytes(u, allow_files=allow_files) for u in images]
        scores = guard.image_scorer().score(data)
        merged = CategoryScores(scores.category_ids, scores.probs.max(axis=0, keepdims=True),
                                scores.p_any.max(keepdims=True), np.ones(1, dtype=np.int64))
        image = guard.decide_scores(merged, user=user)
        decided["image"] = image.model_copy(update={"model_version": guard.image_scorer().version})
    return combine_decisions(decided, covers)


def split_parts(parts: Sequence[dict[str, object]]) -> tuple[list[str], list[str]]:
    """Texts and image URLs of omni-moderation parts, validated."""
    if isinstance(parts, (str, bytes)) or not isinstance(parts, Sequence):
        raise TypeError(f"parts must be a list of dicts, got {type(parts).__name__}")
    texts: list[str] = []
    images: list[str] = []
    for i, part in enumerate(parts):
        if not isinstance(part, dict):
            raise TypeError(f"parts[{i}] must be a dict, got {type(part).__name__}")
        kind, text, image = part.get("type"), part.get("text"), part.get("image_url")
        url = image.get("url") if isinstance(image, dict) else None
        if kind == "text" and isinstance(text, str):
            texts.append(text)
        elif kind == "image_url" and isinstance(url, str):
            images.append(url)
        else:
            raise InvalidInputError(f"parts[{i}] must be {{'type': 'text', 'text': str}} or "
                                    "{'type': 'image_url', 'image_url': {'url': str}}")
    return texts, images
