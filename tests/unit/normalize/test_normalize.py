import pytest

from personaguard.normalize import normalize_text
from personaguard.normalize.homoglyphs import fold_homoglyphs
from personaguard.normalize.leetspeak import collapse_repeats, undo_leetspeak
from personaguard.normalize.unicode import strip_invisible


@pytest.mark.parametrize(
    "disguised",
    ["k1ll", "k\u0456ll", "k\u200bill", "\uff4b\uff49\uff4c\uff4c", "kiiiiilllll", "k\u00adill", "K1LL".lower(), "k\u2060i\u200dll"],
)
def test_disguised_kill_normalizes_to_kill(disguised: str) -> None:
    assert normalize_text(disguised).text == "kill", disguised


@pytest.mark.parametrize(
    "plain",
    ["I have 3 cats and 10 dogs", "meet me at 5pm on the 1st", "email bob@example.com", "price $50", "привет мир", "coffee", "",
     "Straße", "covid19 numbers in 2024"],
)
def test_ordinary_text_is_left_alone(plain: str) -> None:
    assert normalize_text(plain).text == plain, plain


def test_zero_width_space_does_not_hide_a_word() -> None:
    assert strip_invisible("bo\u200bmb") == "bomb"


def test_homoglyphs_fold_only_mixed_script_words() -> None:
    assert fold_homoglyphs("b\u043emb") == "bomb"  # Cyrillic o inside Latin word
    assert fold_homoglyphs("дом") == "дом"  # a real Russian word


def test_leetspeak_inside_words_only() -> None:
    assert undo_leetspeak("h4ck th3 b4nk in 2024") == "hack the bank in 2024"
    assert undo_leetspeak("4 people") == "4 people"


def test_repeats_collapse() -> None:
    assert collapse_repeats("fuuuuuck") == "fuck"
    assert collapse_repeats("shhhhh") == "sh"
    assert collapse_repeats("cool") == "cool"


def test_steps_applied_are_reported() -> None:
    out = normalize_text("k\u200b1ll")
    assert out.steps_applied == ("strip_invisible", "undo_leetspeak")
    assert out.original == "k\u200b1ll"
