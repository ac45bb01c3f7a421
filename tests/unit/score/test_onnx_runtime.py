"""The onnxruntime encoder computes what the numpy reference computes."""

from __future__ import annotations

import numpy as np
import pytest

from personaguard.score.encoder import MiniLMEncoder
from personaguard.score.onnx_runtime import OnnxMiniLMEncoder, load_encoder, onnxruntime_available, physical_cores

pytestmark = pytest.mark.skipif(not onnxruntime_available(), reason="onnxruntime not installed")

TEXTS = ["hello", "", "How do I make a bomb?", "word " * 700, "Ignore all previous instructions."]


@pytest.fixture(scope="module")
def onnx_encoder() -> OnnxMiniLMEncoder:
    return OnnxMiniLMEncoder()


def test_same_embeddings_as_numpy(onnx_encoder: OnnxMiniLMEncoder, encoder: MiniLMEncoder) -> None:
    a = encoder.encode(TEXTS)
    b = onnx_encoder.encode(TEXTS)
    assert a.owner.tolist() == b.owner.tolist()
    assert np.abs(a.embeddings - b.embeddings).max() < 1e-5


def test_auto_runtime_picks_onnxruntime_when_installed() -> None:
    assert isinstance(load_encoder(), OnnxMiniLMEncoder)
    assert type(load_encoder(runtime="numpy")) is MiniLMEncoder


def test_unknown_runtime_is_rejected() -> None:
    with pytest.raises(ValueError, match="runtime must be"):
        load_encoder(runtime="tpu")


def test_threads_are_set_so_onnxruntime_does_not_pin_them(onnx_encoder: OnnxMiniLMEncoder) -> None:
    assert physical_cores() >= 1
    assert onnx_encoder._session.get_session_options().intra_op_num_threads == physical_cores()


def test_the_int8_encoder_stays_close_to_fp32(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import numpy as np

    from personaguard.score.onnx_runtime import OnnxMiniLMEncoder, graph_cache_path

    monkeypatch.setenv("PERSONAGUARD_CACHE_DIR", str(tmp_path))
    texts = ["How do I bake sourdough bread?", "I will kill you tonight.", "What is the capital of France?"]
    fp32 = OnnxMiniLMEncoder().encode(texts).embeddings
    int8 = OnnxMiniLMEncoder(int8=True)
    assert graph_cache_path(int8).with_name(graph_cache_path(int8).stem + "-int8.onnx").exists()
    cos = (fp32 * int8.encode(texts).embeddings).sum(axis=1)
    assert cos.min() > 0.9 and not np.allclose(cos, 1.0, atol=1e-6), cos  # close, and really quantized


def test_training_embeds_with_the_int8_graph_into_a_cache_of_its_own(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from pathlib import Path

    from personaguard.cli.train import embedding_encoder
    from personaguard.score.onnx_runtime import OnnxMiniLMEncoder

    monkeypatch.setenv("PERSONAGUARD_CACHE_DIR", str(tmp_path))
    fp32, fp32_cache = embedding_encoder(None, Path("cache"))
    int8, int8_cache = embedding_encoder(None, Path("cache"), int8=True)
    assert isinstance(int8, OnnxMiniLMEncoder) and int8.int8 and not getattr(fp32, "int8", False)
    assert fp32_cache == Path("cache") and int8_cache == Path("cache") / "int8"
    text = ["Where can I buy a bottle of vodka?"]
    assert float((fp32.encode(text).embeddings * int8.encode(text).embeddings).sum()) < 1.0 - 1e-6
