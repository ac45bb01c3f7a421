"""Which runtime should run MiniLM? numpy (ours) against onnxruntime and torch, same texts, one run.

Run: ``python -m bench.runtime [--onnx model.onnx]``. onnxruntime needs an ONNX export of
all-MiniLM-L6-v2 (``--onnx``; e.g. exported once with torch, see docs/runtime.md); torch is
measured when it is importable. Prints ``name: value unit`` lines.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time

import numpy as np

from bench.workload import long_texts, short_texts
from personaguard.score.encoder import MiniLMEncoder, find_model_dir


def _time(fn, reps: int = 3) -> float:  # type: ignore[no-untyped-def]
    runs = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def _padded(enc: MiniLMEncoder, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:  # type: ignore[type-arg]
    ids = [[enc._cls, *enc.windows(x)[0], enc._sep] for x in enc.tokenize(texts)]
    length = max(len(x) for x in ids)
    arr = np.zeros((len(ids), length), np.int64)
    mask = np.zeros((len(ids), length), np.int64)
    for i, x in enumerate(ids):
        arr[i, : len(x)] = x
        mask[i, : len(x)] = 1
    return arr, mask


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--onnx", default=None, help="an ONNX export of all-MiniLM-L6-v2 (input_ids, attention_mask, token_type_ids)")
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} cpus, python {platform.python_version()}, numpy {np.__version__}")
    a = np.random.default_rng(0).standard_normal((1024, 1024), dtype=np.float32)
    t = _time(lambda: a @ a, reps=5)
    print(f"numpy.sgemm_gflops: {2 * 1024**3 / t / 1e9:.1f} GFLOP/s")
    enc = MiniLMEncoder()
    ids = enc.tokenize(short_texts(512, seed=3))
    mean_tokens = float(np.mean([len(x) + 2 for x in ids]))
    # 6 layers x (QKV 3*384*384 + out 384*384 + FFN 2*384*1536) multiply-adds per token.
    mflop = 2 * 6 * (4 * 384 * 384 + 2 * 384 * 1536) / 1e6
    print(f"minilm.flops_per_short_text: {mflop * mean_tokens / 1e3:.2f} GFLOP (mean {mean_tokens:.1f} tokens)")
    workloads = {"short": short_texts(512, seed=3), "long": long_texts(32, seed=3)}
    for name, texts in workloads.items():
        batches = [sorted(texts, key=len)[a : a + 32] for a in range(0, len(texts), 32)]
        t = _time(lambda: [enc.encode_ids([enc.windows(x)[0] for x in enc.tokenize(b)]) for b in batches])
        print(f"numpy.{name}_texts_per_s: {len(texts) / t:.1f} texts/s")
        if args.onnx:
            import onnxruntime as ort

            so = ort.SessionOptions()
            so.intra_op_num_threads = os.cpu_count() or 1
            sess = ort.InferenceSession(args.onnx, so, providers=["CPUExecutionProvider"])
            feeds = []
            for b in batches:
                ids, mask = _padded(enc, b)
                feeds.append({"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})
            t = _time(lambda: [sess.run(None, f) for f in feeds])
            print(f"onnxruntime.{name}_texts_per_s: {len(texts) / t:.1f} texts/s")
        try:
            import torch
            from transformers import AutoModel
        except ImportError:
            continue
        torch.set_num_threads(os.cpu_count() or 1)
        model = AutoModel.from_pretrained(str(find_model_dir())).eval()
        tensors = [tuple(torch.from_numpy(a) for a in _padded(enc, b)) for b in batches]
        with torch.inference_mode():
            t = _time(lambda: [model(input_ids=i, attention_mask=m) for i, m in tensors])
        print(f"torch.{name}_texts_per_s: {len(texts) / t:.1f} texts/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
