"""Keyword lexicons of contraindicated topics: brand and substance names matched as whole words.

The sentence encoder knows few brand names ("Jack Daniel's", "Juul"), so topics whose requests
hinge on names carry a keyword list; a text that names one is relevant to the topic whatever its
embedding says (docs/personalization.md, "Personal risk").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

__all__ = ["KeywordLexicon", "words"]

# A word: letters/digits with inner apostrophes, dots and hyphens (outer ones are not part of it),
# or "&". The text's curly apostrophes are straightened first.
_WORD = re.compile(r"\w(?:[\w'.-]*\w)?|&")


def words(text: str) -> list[str]:
    """Lowercase words, keeping inner apostrophes, dots and hyphens ("jack daniel's", "e-cig").

    Examples
    --------
    >>> words("Buy Jack Daniel’s & an E-Cig.")
    ['buy', 'jack', "daniel's", '&', 'an', 'e-cig']
    """
    return _WORD.findall(text.lower().replace("’", "'"))


class KeywordLexicon:
    """Keyword (one to four words) -> the topic columns it marks.

    Parameters
    ----------
    keywords : mapping of str to sequence of int
        Keyword text -> topic columns; keywords are normalised with :func:`words`.

    Attributes
    ----------
    keywords_ : dict of str to tuple of int
        Normalised keyword -> topic columns.
    by_column_ : dict of int to list of str
        Topic column -> its keywords.

    Examples
    --------
    >>> lex = KeywordLexicon({"jack daniel's": [3], "vodka": [3], "juul": [5]})
    >>> sorted(lex.match("Where can I buy Jack Daniel's?")), sorted(lex.match("a juul-pod refill"))
    ([3], [5])
    >>> lex.by_column_[5]
    ['juul']
    """

    def __init__(self, keywords: Mapping[str, Sequence[int]]) -> None:
        normalized: dict[str, set[int]] = {}
        for k, cols in keywords.items():
            normalized.setdefault(" ".join(words(k)), set()).update(cols)
        self.keywords_ = {k: tuple(sorted(cols)) for k, cols in normalized.items()}
        # First word of each keyword -> its longest keyword in words: texts are scanned word by
        # word and n-grams are built only where a keyword can start.
        self.first_: dict[str, int] = {}
        self.by_column_: dict[int, list[str]] = {}
        for k, cols in self.keywords_.items():
            parts = k.split()
            self.first_[parts[0]] = max(len(parts), self.first_.get(parts[0], 0))
            for c in cols:
                self.by_column_.setdefault(c, []).append(k)

    def __len__(self) -> int:
        return len(self.keywords_)

    def match(self, text: str) -> set[int]:
        """Topic columns whose keywords appear in ``text`` (word n-grams, so no substring hits)."""
        ws = words(text)
        first = self.first_
        if first.keys().isdisjoint(ws) and "-" not in text:
            return set()  # the common case: no word can start a keyword
        hits: set[int] = set()
        if "-" in text:
            for w in ws:
                if "-" in w:  # "wine-tasting" names wine; "e-cigarette" itself is a keyword too
                    for part in w.split("-"):
                        hits.update(self.keywords_.get(part, ()))
        for a in [a for a, w in enumerate(ws) if w in first]:
            w, longest = ws[a], first[ws[a]]
            for n in range(1, min(longest, len(ws) - a) + 1):
                cols = self.keywords_.get(" ".join(ws[a : a + n]) if n > 1 else w)
                if cols:
                    hits.update(cols)
        return hits
