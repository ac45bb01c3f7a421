from hypothesis import given, settings
from hypothesis import strategies as st

from personaguard.normalize import normalize_text


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_normalization_is_idempotent(text: str) -> None:
    once = normalize_text(text).text
    assert normalize_text(once).text == once, repr(text)
