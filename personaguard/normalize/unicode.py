"""Unicode compatibility folding and removal of invisible characters."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["fold_unicode", "strip_invisible"]

# Zero-width, bidi controls, soft hyphen, word joiners, BOM, variation selectors, tag chars,
# and C0/C1 controls other than tab/newline/carriage return.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e007f"
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
)


def strip_invisible(text: str) -> str:
    """Remove zero-width, format and control characters that split words invisibly.

    Examples
    --------
    >>> strip_invisible("k\\u200bill")
    'kill'
    """
    return _INVISIBLE.sub("", text)


def fold_unicode(text: str) -> str:
    """NFKC-fold (fullwidth, ligatures, math letters, circled letters become plain letters).

    Examples
    --------
    >>> fold_unicode("\\uff4b\\uff49\\uff4c\\uff4c")
    'kill'
    """
    if text.isascii():
        return text
    return unicodedata.normalize("NFKC", text)
