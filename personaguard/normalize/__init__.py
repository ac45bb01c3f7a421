"""Text normalization: undo the tricks that hide words from a scorer."""

from personaguard.normalize.pipeline import NormalizedText, normalize_text

__all__ = ["NormalizedText", "normalize_text"]
