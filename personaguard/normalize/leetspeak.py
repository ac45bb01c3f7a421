"""Undo leetspeak digits/symbols inside words and long character repetitions."""

from __future__ import annotations

import re

__all__ = ["undo_leetspeak", "collapse_repeats"]

_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i", "|": "l"})
# A token of letters and leet symbols with at least one letter and one leet symbol inside;
# pure numbers ("1000", "2024") and symbols at word edges ("wow!") are left alone.
_LEET_WORD = re.compile(
    r"(?<![\w@$!|])(?=[\w@$!|]*(?:[013457@$!|][A-Za-z]|[A-Za-z][013457@$|]))"
    r"[A-Za-z013457@$|][A-Za-z013457@$!|]*[A-Za-z013457@$|](?![\w@$|])"
)
# Every leet word holds one of these (the look-ahead above needs one): a text without any is
# left alone without running the costlier pattern.
_LEET_CHAR = re.compile(r"[013457@$!|]")
_REPEAT3 = re.compile(r"([A-Za-z])\1{2,}")
_SINGLE_WHEN_REPEATED = set("aiuyhjkqvwxz")


_KEEP = re.compile(r"^\d+(?:st|nd|rd|th|s|k|m|am|pm|x|d|h|g|kg|mg|ml|cm|mm|km|gb|mb|v|p|fps)$", re.IGNORECASE)


def _undo_word(match: re.Match[str]) -> str:
    word = match.group(0)
    rest = match.string[match.end() : match.end() + 2]
    # Ordinals and units ("1st", "5mg") and e-mail/domain parts ("bob@x.com") stay as written.
    if _KEEP.match(word) or (len(rest) == 2 and rest[0] == "." and rest[1].isalpha()):
        return word
    return word.translate(_LEET)


def undo_leetspeak(text: str) -> str:
    """Map leet digits and symbols back to letters inside words that contain letters.

    Examples
    --------
    >>> undo_leetspeak("k1ll h3r in 2024")
    'kill her in 2024'
    """
    if not _LEET_CHAR.search(text):
        return text
    return _LEET_WORD.sub(_undo_word, text)


def _collapse(match: re.Match[str]) -> str:
    ch = match.group(1)
    return ch if ch.lower() in _SINGLE_WHEN_REPEATED else ch * 2


def collapse_repeats(text: str) -> str:
    """Shorten runs of 3+ identical letters (to 1 for letters rarely doubled in English, else 2).

    Examples
    --------
    >>> collapse_repeats("kiiiiilllll youuuu")
    'kill you'
    """
    return _REPEAT3.sub(_collapse, text)
