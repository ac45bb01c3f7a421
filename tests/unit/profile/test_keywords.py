"""Keyword lexicons: whole words and word n-grams, never substrings."""

from __future__ import annotations

import pytest

from personaguard.profile.keywords import KeywordLexicon, words

LEX = KeywordLexicon({"jack daniel's": [0], "wine": [0], "e-cigarette": [1], "juul": [1], "slot machine": [2]})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Where can I buy Jack Daniel’s?", {0}),        # curly apostrophe, two-word keyword
        ("Plan a wine-tasting trip", {0}),              # part of a hyphenated word
        ("Is an e-cigarette safer?", {1}),              # hyphenated keyword itself
        ("JUUL pods and a slot machine", {1, 2}),
        ("The swine ate the winery's grapes", set()),   # no substring hits
        ("a slot for the machine", set()),              # the words of a 2-gram apart
        ("", set()),
    ],
)
def test_match_finds_keywords_as_whole_words(text: str, expected: set[int]) -> None:
    assert LEX.match(text) == expected, text


def test_by_column_lists_each_columns_keywords_normalised() -> None:
    assert sorted(LEX.by_column_[1]) == ["e-cigarette", "juul"]
    assert LEX.by_column_[0] == ["jack daniel's", "wine"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("'Hello' world...", ["hello", "world"]), ("'a'--b", ["a'--b"]), ("rock & roll", ["rock", "&", "roll"]),
     ("U.S.-made e-cig.", ["u.s.-made", "e-cig"]), ("it’s", ["it's"]), ("-- ..", [])],
)
def test_words_strip_outer_punctuation_only(text: str, expected: list[str]) -> None:
    assert words(text) == expected
