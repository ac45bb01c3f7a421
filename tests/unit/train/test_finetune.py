"""Fine-tuning MiniLM (the [train] extra): the torch model is our encoder, and a smoke fit works."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from personaguard.score.encoder import MiniLMEncoder, find_model_dir  # noqa: E402
from personaguard.train.corpus import Corpus  # noqa: E402
from personaguard.train.finetune import balanced_rows, finetune_encoder  # noqa: E402
from personaguard.train.minilm_torch import load_minilm  # noqa: E402

TEXTS = ["How do I bake sourdough bread?", "I will kill you tonight.", "What is the capital of France?",
         "You are a worthless idiot.", "Write a haiku about autumn leaves.", "How do I make a pipe bomb?"]


def test_the_torch_model_computes_what_the_packaged_encoder_computes(encoder: MiniLMEncoder) -> None:
    model = load_minilm(find_model_dir())
    ids, mask = encoder._pad(encoder.tokenize(TEXTS))
    with torch.no_grad():
        ours = model(torch.from_numpy(ids), torch.from_numpy(mask)).numpy()
    np.testing.assert_allclose(ours, encoder._forward(encoder.tokenize(TEXTS)), atol=2e-5)


def _tiny_corpus(n: int = 240) -> Corpus:
    texts = [f"{TEXTS[i % len(TEXTS)]} ({i})" for i in range(n)]
    harmful = np.array([i % len(TEXTS) in (1, 3, 5) for i in range(n)], dtype=float)
    y = np.stack([harmful, harmful], axis=1)
    return Corpus(texts=texts, sources=np.array(["a" if i % 4 < 2 else "b" for i in range(n)]), kinds=np.array(["x"] * n),
                  columns=["harassment", "any"], y=y, mask=np.ones_like(y, dtype=bool),
                  split=np.array(["train"] * (n - 40) + ["calib"] * 40))


def test_balanced_rows_cap_each_source_and_label_and_skip_other_splits() -> None:
    corpus = _tiny_corpus()
    rows = balanced_rows(corpus, per_group=30, seed=0)
    assert len(rows) == len(set(rows)) == 4 * 30
    assert set(corpus.split[rows]) == {"train"}
    twice = balanced_rows(corpus, per_group=30, seed=0, repeat={"a": 2})
    assert len(twice) == 6 * 30 and (corpus.sources[twice] == "a").sum() == 4 * 30
    assert set(twice) == set(rows)  # the same rows, source "a"'s twice


def test_a_smoke_fit_writes_an_overlay_the_encoder_loads(tmp_path: Path, encoder: MiniLMEncoder) -> None:
    out = tmp_path / "encoder.safetensors"
    figures = finetune_encoder(_tiny_corpus(), encoder, out, base_dir=find_model_dir(), per_group=40, epochs=1.0,
                               batch_size=16, max_tokens=16, threads=1)
    assert figures["steps"] == 10 and np.isfinite(figures["final_loss"])
    from safetensors.numpy import load_file

    tensors = load_file(str(out))
    assert "embeddings.word_embeddings.weight" not in tensors  # frozen: the base package's table
    assert {v.dtype for v in tensors.values()} == {np.dtype("float16")}
    tuned = MiniLMEncoder(weights_overlay=out)
    before, after = encoder.encode(TEXTS).embeddings, tuned.encode(TEXTS).embeddings
    assert not np.allclose(before, after, atol=1e-3)  # the layers moved
    np.testing.assert_allclose(np.linalg.norm(after, axis=1), 1.0, atol=1e-5)


def test_mixing_with_the_base_lands_halfway_and_rejects_a_share_outside_0_1(tmp_path: Path) -> None:
    from personaguard.train.finetune import mix_with_base

    base, tuned = load_minilm(find_model_dir()), load_minilm(find_model_dir())
    with torch.no_grad():
        for p in tuned.parameters():
            p.add_(1.0)
    expected = {n: p.detach().clone() - 0.75 for n, p in tuned.named_parameters()}  # a quarter of the +1 stays
    mix_with_base(tuned, base, 0.25)
    for name, p in tuned.named_parameters():
        torch.testing.assert_close(p.detach(), expected[name], atol=1e-5, rtol=0)
    with pytest.raises(ValueError, match="mix"):
        finetune_encoder(_tiny_corpus(), MiniLMEncoder(), tmp_path / "x.safetensors", base_dir=find_model_dir(),
                         mix=0.0)
