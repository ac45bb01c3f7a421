"""MiniLM (BERT, 6 layers, 384-d) in torch, for fine-tuning only (the ``[train]`` extra).

Inference never imports this: the fine-tuned weights go back to safetensors in the same layout as
all-MiniLM-L6-v2 and run in personaguard's own onnxruntime/numpy encoder. Same arithmetic as
``MiniLMEncoder._forward`` (tanh GELU, mean pooling), checked by tests/unit/train/test_minilm_torch.py.
"""

from __future__ import annotations

import math
from pathlib import Path

import torch
from torch import nn

__all__ = ["MiniLM", "load_minilm", "save_minilm"]


class _Layer(nn.Module):
    def __init__(self, dim: int, heads: int, hidden: int) -> None:
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.out = nn.Linear(dim, dim)
        self.ln1 = nn.LayerNorm(dim, eps=1e-12)
        self.up = nn.Linear(dim, hidden)
        self.down = nn.Linear(hidden, dim)
        self.ln2 = nn.LayerNorm(dim, eps=1e-12)

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        n, length, dim = x.shape
        d = dim // self.heads
        q, k, v = self.qkv(x).view(n, length, 3, self.heads, d).permute(2, 0, 3, 1, 4)
        att = torch.softmax((q @ k.transpose(-1, -2)) / math.sqrt(d) + bias, dim=-1)
        ctx = (att @ v).transpose(1, 2).reshape(n, length, dim)
        x = self.ln1(x + self.out(ctx))
        out: torch.Tensor = self.ln2(x + self.down(nn.functional.gelu(self.up(x), approximate="tanh")))
        return out


class MiniLM(nn.Module):
    """The encoder: ids and mask (n, L) to mean-pooled, L2-normalised embeddings (n, 384)."""

    def __init__(self, vocab: int = 30522, dim: int = 384, layers: int = 6, heads: int = 12, hidden: int = 1536,
                 max_len: int = 512) -> None:
        super().__init__()
        self.word = nn.Embedding(vocab, dim)
        self.pos = nn.Embedding(max_len, dim)
        self.type0 = nn.Parameter(torch.zeros(dim))
        self.ln = nn.LayerNorm(dim, eps=1e-12)
        self.layers = nn.ModuleList([_Layer(dim, heads, hidden) for _ in range(layers)])

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        length = ids.shape[1]
        x = self.ln(self.word(ids) + self.pos.weight[:length] + self.type0)
        bias = ((1.0 - mask) * -1e9)[:, None, None, :]
        for layer in self.layers:
            x = layer(x, bias)
        pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdim=True).clamp(min=1e-9)
        return nn.functional.normalize(pooled, dim=-1)


def _layers(model: MiniLM) -> list[_Layer]:
    return [layer for layer in model.layers if isinstance(layer, _Layer)]


def load_minilm(folder: str | Path) -> MiniLM:
    """The model from a folder holding all-MiniLM-L6-v2's ``model.safetensors``."""
    from safetensors.torch import load_file

    w = load_file(str(Path(folder) / "model.safetensors"))
    m = MiniLM()
    with torch.no_grad():
        m.word.weight.copy_(w["embeddings.word_embeddings.weight"])
        m.pos.weight.copy_(w["embeddings.position_embeddings.weight"])
        m.type0.copy_(w["embeddings.token_type_embeddings.weight"][0])
        m.ln.weight.copy_(w["embeddings.LayerNorm.weight"])
        m.ln.bias.copy_(w["embeddings.LayerNorm.bias"])
        for i, layer in enumerate(_layers(m)):
            p = f"encoder.layer.{i}."
            layer.qkv.weight.copy_(torch.cat([w[p + f"attention.self.{n}.weight"] for n in ("query", "key", "value")]))
            layer.qkv.bias.copy_(torch.cat([w[p + f"attention.self.{n}.bias"] for n in ("query", "key", "value")]))
            layer.out.weight.copy_(w[p + "attention.output.dense.weight"])
            layer.out.bias.copy_(w[p + "attention.output.dense.bias"])
            layer.ln1.weight.copy_(w[p + "attention.output.LayerNorm.weight"])
            layer.ln1.bias.copy_(w[p + "attention.output.LayerNorm.bias"])
            layer.up.weight.copy_(w[p + "intermediate.dense.weight"])
            layer.up.bias.copy_(w[p + "intermediate.dense.bias"])
            layer.down.weight.copy_(w[p + "output.dense.weight"])
            layer.down.bias.copy_(w[p + "output.dense.bias"])
            layer.ln2.weight.copy_(w[p + "output.LayerNorm.weight"])
            layer.ln2.bias.copy_(w[p + "output.LayerNorm.bias"])
    return m


def save_minilm(model: MiniLM, path: str | Path, *, dtype: torch.dtype = torch.float16,
                with_word_embeddings: bool = False) -> None:
    """Write ``model``'s tensors as safetensors in all-MiniLM-L6-v2's layout and names.

    fp16 by default, and without the word-piece table (frozen during fine-tuning, so the base
    package's own copy is the same): 21 MB, an overlay on the base weights
    (``MiniLMEncoder(weights_overlay=...)``).
    """
    from safetensors.torch import save_file

    dim = model.word.weight.shape[1]
    w: dict[str, torch.Tensor] = {
        "embeddings.position_embeddings.weight": model.pos.weight,
        "embeddings.token_type_embeddings.weight": torch.stack([model.type0, torch.zeros_like(model.type0)]),
        "embeddings.LayerNorm.weight": model.ln.weight,
        "embeddings.LayerNorm.bias": model.ln.bias,
    }
    for i, layer in enumerate(_layers(model)):
        p = f"encoder.layer.{i}."
        for j, n in enumerate(("query", "key", "value")):
            w[p + f"attention.self.{n}.weight"] = layer.qkv.weight[j * dim:(j + 1) * dim]
            w[p + f"attention.self.{n}.bias"] = layer.qkv.bias[j * dim:(j + 1) * dim]
        w[p + "attention.output.dense.weight"] = layer.out.weight
        w[p + "attention.output.dense.bias"] = layer.out.bias
        w[p + "attention.output.LayerNorm.weight"] = layer.ln1.weight
        w[p + "attention.output.LayerNorm.bias"] = layer.ln1.bias
        w[p + "intermediate.dense.weight"] = layer.up.weight
        w[p + "intermediate.dense.bias"] = layer.up.bias
        w[p + "output.dense.weight"] = layer.down.weight
        w[p + "output.dense.bias"] = layer.down.bias
        w[p + "output.LayerNorm.weight"] = layer.ln2.weight
        w[p + "output.LayerNorm.bias"] = layer.ln2.bias
    if with_word_embeddings:
        w["embeddings.word_embeddings.weight"] = model.word.weight
    save_file({k: v.detach().to(dtype).contiguous() for k, v in w.items()}, str(path))
