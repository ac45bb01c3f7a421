"""Every code point is safe at the boundary: replaced when invalid, recorded, never a tokenizer error."""

from __future__ import annotations

import json
import unicodedata

import pytest

from personaguard.normalize import normalize_text
from personaguard.normalize.unicode import REPLACEMENT, replace_invalid_code_points

#: All code points, 256 consecutive ones per text (4,352 texts), so the sweep covers every
#: general category, every surrogate and every noncharacter without a text per code point.
_BLOCKS = ["".join(chr(cp) for cp in range(start, start + 256)) for start in range(0, 0x110000, 256)]


def _categories(text: str) -> set[str]:
    return {unicodedata.category(ch) for ch in text}


def test_every_code_point_normalizes_to_valid_unicode_that_encodes_as_utf8() -> None:
    for block in _BLOCKS:
        out = normalize_text(block)
        assert not _categories(out.text) & {"Cs", "Cn"}, hex(ord(block[0]))
        out.text.encode("utf-8")  # raises UnicodeEncodeError if a surrogate survived
        had_invalid = bool(_categories(block) & {"Cs", "Cn"})
        assert ("replace_invalid_code_points" in out.steps_applied) == had_invalid, hex(ord(block[0]))


def test_every_code_point_tokenizes(encoder) -> None:  # type: ignore[no-untyped-def]
    # Raw blocks, without normalize: the encoder is the last line of defence for any caller.
    ids = encoder.tokenize(_BLOCKS)
    assert len(ids) == len(_BLOCKS)
    assert all(isinstance(i, int) for row in ids for i in row)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("abc \ud800 def", f"abc {REPLACEMENT} def"),  # lone high surrogate
        ("\udfff", REPLACEMENT),  # lone low surrogate
        ("\udfff\ud800", REPLACEMENT * 2),  # reversed pair is two lone surrogates
        ("x\U0010ffff", f"x{REPLACEMENT}"),  # noncharacter
        ("\ufdd0\ufdef", REPLACEMENT * 2),  # the noncharacter block
        ("\ufffe", REPLACEMENT),
        ("\u0378", REPLACEMENT),  # unassigned in the Greek block
        ("\U0001f600 fine", "\U0001f600 fine"),  # a valid astral character is kept
        ("\ue000", "\ue000"),  # private use is assigned: kept
        ("plain ascii", "plain ascii"),
        ("", ""),
    ],
)
def test_invalid_code_points_become_the_replacement_character(raw: str, expected: str) -> None:
    assert replace_invalid_code_points(raw) == expected, repr(raw)


@pytest.mark.parametrize(
    "escape",
    ['\\"', "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t", "\\u0000", "\\u001f", "\\u007f", "\\ud800",
     "\\udbff\\udfff", "\\udc00", "\\ud83d\\ude00", "\\ud83d", "\\ufeff", "\\u202e", "\\u200b", "\\uffff"],
)
def test_every_json_escape_reaches_the_scorer_as_valid_text(escape: str, encoder) -> None:  # type: ignore[no-untyped-def]
    text = json.loads(f'"kill {escape} them"')
    out = normalize_text(text)
    out.text.encode("utf-8")
    assert "kill" in out.text and "them" in out.text, repr(out.text)
    assert encoder.tokenize([out.text])[0][0] == encoder.tokenize(["kill"])[0][0]


def test_replacement_is_idempotent_and_cheap_to_repeat() -> None:
    once = replace_invalid_code_points("a\ud800b\U000effffc")
    assert replace_invalid_code_points(once) == once
    assert normalize_text(normalize_text("a\ud800b").text).steps_applied == ()
