"""Fold look-alike letters from other scripts into Latin inside mixed-script words."""

from __future__ import annotations

import re

__all__ = ["fold_homoglyphs"]

# Cyrillic and Greek letters that render like Latin ones (lower and upper case).
_CONFUSABLES = {
    "а": "a", "в": "b", "с": "c", "ԁ": "d", "е": "e", "һ": "h", "і": "i", "ј": "j", "к": "k",
    "ӏ": "l", "м": "m", "н": "h", "о": "o", "р": "p", "ԛ": "q", "г": "r", "ѕ": "s", "т": "t",
    "ц": "u", "ѵ": "v", "ԝ": "w", "х": "x", "у": "y", "ү": "y", "ᴢ": "z", "ё": "e", "ї": "i",
    "А": "A", "В": "B", "С": "C", "Е": "E", "Н": "H", "І": "I", "Ј": "J", "К": "K", "М": "M",
    "О": "O", "Р": "P", "Ѕ": "S", "Т": "T", "Х": "X", "У": "Y", "Ү": "Y", "Ԝ": "W",
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x", "γ": "y", "Α": "A", "Β": "B", "Ε": "E", "Η": "H", "Ι": "I",
    "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "Ζ": "Z",
}
_TABLE = str.maketrans(_CONFUSABLES)
_HAS_CONFUSABLE = re.compile("[" + "".join(_CONFUSABLES) + "]")
_WORD = re.compile(r"\w+")
_LATIN = re.compile(r"[A-Za-z]")


def _fold_word(match: re.Match[str]) -> str:
    word = match.group(0)
    folded = word.translate(_TABLE)
    # Only fold words that mix scripts, or that become pure Latin once folded; genuine
    # Russian or Greek words keep their letters.
    if _LATIN.search(word) or folded.isascii():
        return folded
    return word


def fold_homoglyphs(text: str) -> str:
    """Replace Cyrillic/Greek look-alikes by Latin letters in words that mix scripts.

    Examples
    --------
    >>> fold_homoglyphs("k\\u0456ll")   # Cyrillic i
    'kill'
    >>> fold_homoglyphs("привет")      # a real Russian word stays
    'привет'
    """
    if text.isascii() or not _HAS_CONFUSABLE.search(text):
        return text
    return _WORD.sub(_fold_word, text)
