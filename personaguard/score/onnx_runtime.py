"""Running MiniLM with onnxruntime, from a graph built in memory from the packaged weights.

Why: ``bench/runtime.py`` measured onnxruntime 2.05x faster than our numpy forward on short
texts. An ONNX file of MiniLM is 90 MB (too big to ship) and exporting one needs torch, so the
graph is written node by node here from the same safetensors; no file, no torch. It computes
exactly what :meth:`MiniLMEncoder._forward` computes (same tanh GELU), and the numpy path
stays as the reference (``tests/unit/score/test_onnx_runtime.py`` compares them).
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from personaguard.errors import ConfigError
from personaguard.score.encoder import MiniLMEncoder, find_model_dir, mean_pool

log = logging.getLogger(__name__)

#: Bump whenever ``_build_model`` writes a different graph: cached graphs carry it in their key.
GRAPH_VERSION = "2"

__all__ = ["OnnxMiniLMEncoder", "env_threads", "onnxruntime_available", "load_encoder", "physical_cores"]


def physical_cores() -> int:
    """Cores this process may run on, hyper-threads of one core counted once (at least 1).

    The thread count onnxruntime picks by default; :class:`OnnxMiniLMEncoder` sets it itself
    so that onnxruntime does not also pin its threads to cores (docs/runtime.md, "Threads").
    Linux's topology files say which CPUs share a core; elsewhere every CPU counts.
    """
    try:
        cpus = sorted(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return max(os.cpu_count() or 1, 1)
    cores = set()
    for cpu in cpus:
        try:
            with open(f"/sys/devices/system/cpu/cpu{cpu}/topology/thread_siblings_list") as f:
                cores.add(f.read().strip())
        except OSError:
            cores.add(str(cpu))
    return max(len(cores), 1)


def env_threads() -> int | None:
    """``PERSONAGUARD_THREADS`` as a thread count, or None when unset.

    Raises
    ------
    ConfigError
        If it is set to anything but a positive integer.
    """
    raw = os.environ.get("PERSONAGUARD_THREADS", "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigError(f"PERSONAGUARD_THREADS must be a positive integer, got {raw!r}")
    return int(raw)


def onnxruntime_available() -> bool:
    """True when both ``onnx`` and ``onnxruntime`` are installed (found, not imported: importing
    ``onnx`` alone takes 0.7 s, and a cached graph never needs it)."""
    return importlib.util.find_spec("onnx") is not None and importlib.util.find_spec("onnxruntime") is not None


class _GraphBuilder:
    """Accumulates nodes and initializers with unique names."""

    def __init__(self) -> None:
        from onnx import helper, numpy_helper

        self.helper, self.numpy_helper = helper, numpy_helper
        self.nodes: list[Any] = []
        self.inits: list[Any] = []
        self.shared: dict[str, NDArray[Any]] = {}
        self._n = 0

    def const(self, array: NDArray[Any], *, feed: str | None = None) -> str:
        """A constant of the graph; ``feed`` names a graph input read in place from ``array``."""
        self._n += 1
        name = feed or f"c{self._n}"
        value = np.asarray(array)  # not ascontiguousarray: it turns 0-d scalars into shape (1,)
        if feed:
            self.shared[name] = np.ascontiguousarray(value)
        else:
            self.inits.append(self.numpy_helper.from_array(value, name))
        return name

    def op(self, op_type: str, *inputs: str, **attrs: Any) -> str:
        self._n += 1
        out = f"t{self._n}"
        self.nodes.append(self.helper.make_node(op_type, list(inputs), [out], **attrs))
        return out

    def layer_norm(self, x: str, w: NDArray[np.float32], b: NDArray[np.float32]) -> str:
        return self.op("LayerNormalization", x, self.const(w), self.const(b), axis=-1, epsilon=1e-12)

    def gelu_tanh(self, x: str) -> str:
        cube = self.op("Mul", self.op("Mul", x, x), x)
        inner = self.op("Mul", self.op("Add", x, self.op("Mul", cube, self.const(np.float32(0.044715)))),
                        self.const(np.float32(0.7978845608)))
        one_plus = self.op("Add", self.op("Tanh", inner), self.const(np.float32(1.0)))
        return self.op("Mul", self.op("Mul", x, one_plus), self.const(np.float32(0.5)))


def _build_model(enc: MiniLMEncoder) -> tuple[bytes, dict[str, NDArray[Any]]]:
    from onnx import TensorProto, helper

    g = _GraphBuilder()
    h = enc.n_heads_
    d = enc.dim // h
    ids, mask = "input_ids", "mask"
    # The two tables (47 MB) are fed as inputs, read in place from the numpy arrays: a gather
    # gains nothing from being constant. The layer matrices (43 MB) are initializers, which
    # onnxruntime pre-packs for its GEMM kernels: a one-window forward pass takes about half
    # the time it takes when they are fed too (docs/runtime.md).
    x = g.op("Gather", g.const(enc.word_embeddings_, feed="word_embeddings"), ids, axis=0)
    length = g.op("Gather", g.op("Shape", ids), g.const(np.array([1], dtype=np.int64)), axis=0)
    pos = g.op("Slice", g.const(enc._pos, feed="positions"), g.const(np.array([0], dtype=np.int64)), length,
               g.const(np.array([0], dtype=np.int64)))
    x = g.layer_norm(g.op("Add", x, pos), *enc._emb_ln)
    neg = g.op("Mul", g.op("Sub", g.const(np.float32(1.0)), mask), g.const(np.float32(-1e9)))
    bias = g.op("Unsqueeze", neg, g.const(np.array([1, 2], dtype=np.int64)))
    scale = g.const(np.float32(1.0 / np.sqrt(d)))
    for qkv_w, qkv_b, o_w, o_b, ln1w, ln1b, i_w, i_b, f_w, f_b, ln2w, ln2b in enc._layers:
        qkv = g.op("Add", g.op("MatMul", x, g.const(qkv_w)), g.const(qkv_b))
        qkv = g.op("Reshape", qkv, g.const(np.array([0, 0, 3, h, d], dtype=np.int64)))
        qkv = g.op("Transpose", qkv, perm=[2, 0, 3, 1, 4])
        q, k, v = (g.op("Gather", qkv, g.const(np.array(i, dtype=np.int64)), axis=0) for i in range(3))
        att = g.op("MatMul", g.op("Mul", q, scale), g.op("Transpose", k, perm=[0, 1, 3, 2]))
        att = g.op("Softmax", g.op("Add", att, bias), axis=-1)
        ctx = g.op("Transpose", g.op("MatMul", att, v), perm=[0, 2, 1, 3])
        ctx = g.op("Reshape", ctx, g.const(np.array([0, 0, h * d], dtype=np.int64)))
        attn_out = g.op("Add", g.op("MatMul", ctx, g.const(o_w)), g.const(o_b))
        x = g.layer_norm(g.op("Add", x, attn_out), ln1w, ln1b)
        hidden = g.gelu_tanh(g.op("Add", g.op("MatMul", x, g.const(i_w)), g.const(i_b)))
        ffn = g.op("Add", g.op("MatMul", hidden, g.const(f_w)), g.const(f_b))
        x = g.layer_norm(g.op("Add", x, ffn), ln2w, ln2b)
    g.nodes.append(helper.make_node("Identity", [x], ["hidden"]))
    shared_inputs = [
        helper.make_tensor_value_info(name, helper.np_dtype_to_tensor_dtype(arr.dtype), list(arr.shape))
        for name, arr in g.shared.items()
    ]
    graph = helper.make_graph(
        g.nodes,
        "minilm",
        [helper.make_tensor_value_info(ids, TensorProto.INT64, ["b", "l"]),
         helper.make_tensor_value_info(mask, TensorProto.FLOAT, ["b", "l"]), *shared_inputs],
        [helper.make_tensor_value_info("hidden", TensorProto.FLOAT, ["b", "l", enc.dim])],
        g.inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model.SerializeToString(), g.shared


def _fed_tables(enc: MiniLMEncoder) -> dict[str, NDArray[Any]]:
    return {"word_embeddings": np.ascontiguousarray(enc.word_embeddings_), "positions": np.ascontiguousarray(enc._pos)}


def graph_cache_path(enc: MiniLMEncoder) -> Path:
    """Where the built graph of ``enc``'s weights is cached.

    ``$PERSONAGUARD_CACHE_DIR``, else ``$XDG_CACHE_HOME/personaguard``, else
    ``~/.cache/personaguard``; the name carries the graph version and the weights file's path,
    size and modification time, so new weights or a new builder never read a stale graph.
    """
    root = os.environ.get("PERSONAGUARD_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "personaguard")
    files = [find_model_dir(enc.model_dir) / "model.safetensors"]
    if enc.weights_overlay is not None:
        files.append(Path(enc.weights_overlay))
    key = GRAPH_VERSION
    for f in files:
        st = f.stat()
        key += f"|{f.resolve()}|{st.st_size}|{st.st_mtime_ns}"
    return Path(root) / f"minilm-graph-{hashlib.sha256(key.encode()).hexdigest()[:20]}.onnx"


def _cached_graph(enc: MiniLMEncoder) -> bytes:
    """The serialized graph: read from the cache, else built (imports ``onnx``, ~1 s) and cached.

    Start-up matters for the CLI (``personaguard check`` must answer in under a second), and
    building the graph costs more than everything else it loads. A cache that cannot be read
    or written is not an error: the graph is built in memory, as before.
    """
    path = graph_cache_path(enc)
    try:
        return path.read_bytes()
    except OSError:
        pass
    model, _ = _build_model(enc)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(model)
        os.replace(tmp, path)  # atomic: a concurrent reader sees the old state or the whole file
    except OSError as exc:
        log.debug("could not cache the MiniLM graph at %s: %s", path, exc)
    return model


def _int8_graph(enc: MiniLMEncoder) -> bytes:
    """The graph with int8 weights for its matrix products (dynamic quantization), cached."""
    fp32 = graph_cache_path(enc)
    path = fp32.with_name(fp32.stem + "-int8.onnx")
    try:
        return path.read_bytes()
    except OSError:
        pass
    from onnxruntime.quantization import QuantType, quantize_dynamic

    if not fp32.exists():
        _cached_graph(enc)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    quantize_dynamic(str(fp32), str(tmp), weight_type=QuantType.QInt8)
    os.replace(tmp, path)
    return path.read_bytes()


class OnnxMiniLMEncoder(MiniLMEncoder):
    """:class:`MiniLMEncoder` whose forward pass runs in onnxruntime.

    Parameters
    ----------
    int8 : bool, default=False
        Run the transformer's matrix products in int8 (onnxruntime's dynamic quantization of the
        built graph, cached next to it): 1.5x faster batched and 2.2x for one window here, with
        embeddings at cosine >= 0.94 of fp32; its quality is measured in docs/runtime.md, and it is
        off by default (``PERSONAGUARD_INT8=1`` turns it on for the packaged scorer).
    threads : int or None, default=None
        onnxruntime intra-op threads; None means ``PERSONAGUARD_THREADS`` when set (a batch
        worker that shares the machine with others sets it to its share), else one per core
        (:func:`physical_cores`), set explicitly: onnxruntime's own default pins its threads to cores, and on a shared
        machine a pinned thread waits for its busy core while another core idles.
    **kwargs
        The keyword arguments of :class:`MiniLMEncoder`.

    Raises
    ------
    ConfigError
        If ``onnx`` or ``onnxruntime`` is not installed.
    """

    def __init__(self, *, threads: int | None = None, int8: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.int8 = int8
        if not onnxruntime_available():
            raise ConfigError("the onnxruntime encoder needs `pip install onnx onnxruntime`")
        import onnxruntime as ort

        self.threads = threads
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads if threads is not None else env_threads() or physical_cores()
        model = _cached_graph(self) if not int8 else _int8_graph(self)
        # The embedding tables are graph inputs fed from the numpy arrays on every run (read in
        # place, no second copy); the layer matrices now live in the session, so the numpy
        # copies are released: this encoder's forward pass never reads them.
        self._weights = _fed_tables(self)
        self._session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
        del model
        self._layers = []

    def _forward(self, batch: list[list[int]]) -> NDArray[np.float32]:
        ids, mask = self._pad(batch)
        x = self._session.run(["hidden"], {"input_ids": ids, "mask": mask, **self._weights})[0]
        return mean_pool(x, mask)


def load_encoder(*, runtime: str = "auto", weights_overlay: str | os.PathLike[str] | None = None) -> MiniLMEncoder:
    """The MiniLM encoder on the fastest runtime available.

    Parameters
    ----------
    runtime : {"auto", "onnxruntime", "numpy"}, default="auto"
        ``auto`` takes onnxruntime when it is installed (2.5x faster here, same outputs to
        1e-6) and numpy otherwise.
    weights_overlay : path-like or None, default=None
        Fine-tuned tensors over the base weights (see :class:`MiniLMEncoder`).

    Raises
    ------
    ValueError
        For an unknown runtime name.
    """
    if runtime not in ("auto", "onnxruntime", "numpy"):
        raise ValueError(f"runtime must be 'auto', 'onnxruntime' or 'numpy', got {runtime!r}")
    if runtime == "onnxruntime" or (runtime == "auto" and onnxruntime_available()):
        return OnnxMiniLMEncoder(weights_overlay=weights_overlay, int8=os.environ.get("PERSONAGUARD_INT8") == "1")
    return MiniLMEncoder(weights_overlay=weights_overlay)
