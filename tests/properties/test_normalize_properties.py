from hypothesis import given, settings
from hypothesis import strategies as st

from personaguard.normalize import normalize_text


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_normalization_is_idempotent(text: str) -> None:
    once = normalize_text(text).text
    assert normalize_text(once).text == once, repr(text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(whitelist_categories=("Ll", "Lu", "Nd", "Zs")), max_size=60))
def test_normalization_never_grows_text(text: str) -> None:
    # Folding may expand some compatibility characters, but our steps only remove or map 1:1
    # for letters, digits and spaces.
    assert len(normalize_text(text).text) <= len(text) + text.count("\u00bd") * 2
