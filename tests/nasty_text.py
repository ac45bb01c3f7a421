"""Hypothesis strategies for hostile text: every code point, surrogates included, and the tricks.

Hypothesis's default ``st.text()`` never draws surrogates, which is how the lone-surrogate outage
got past the earlier fuzzing; these strategies draw them on purpose.
"""

from __future__ import annotations

from hypothesis import strategies as st

#: Characters that have broken or fooled text pipelines: lone surrogates, noncharacters, BOM,
#: RTL override, zero-width joiners, combining marks, NUL and other controls, line separators.
TRICKS = ["\ud800", "\udbff", "\udc00", "\udfff", "\uffff", "\ufffe", "\U0010ffff", "\ufdd0", "\ufeff", "\u202e",
          "\u202d", "\u2066", "\u200b", "\u200d", "\u2060", "\u0301", "\u0336", "\u20dd", "\x00", "\x1b", "\x7f",
          "\x85", "\u2028", "\u2029", "\ufffd", "\U000e0041", "\U0001f600", "\u0627", "\u4e00"]

#: Any code point at all, surrogates included.
any_char = st.characters(exclude_categories=())

nasty_text = st.one_of(
    st.text(alphabet=any_char, max_size=120),
    st.lists(st.one_of(st.sampled_from(TRICKS), st.text(max_size=12)), max_size=30).map("".join),
    # Very long runs of one character (a trick or a letter) and of a combining mark on a letter.
    st.builds(lambda ch, n: ch * n, st.one_of(st.sampled_from(TRICKS), any_char), st.integers(500, 20_000)),
    st.builds(lambda n: "k" + "\u0301" * n + "ill", st.integers(1, 5_000)),
)
