"""Throughput on a production-like mix: mostly short chat texts, a long tail of long ones.

Run: ``python -m bench.traffic [--budget-s 20]``. The mix is built from ../shared/data with a
fixed seed: 85% short texts (users' questions, instructions, tweets), 12% posts and comments, 3%
long texts (in-the-wild jailbreaks, forum posts, threads of several posts joined). It prints
texts/s and word pieces/s batched, p50/p99 for one text, the share of texts and of windows that
reach the transformer, the time for one 1 MB text, and alt-profanity-check on the same mix as the
ratio baseline when it is installed (``pip install 'personaguard[bench]'``).
stdout: ``name: value unit`` lines only.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np

DATA = Path("../shared/data")


def _read(rng: random.Random) -> dict[str, list[str]]:
    """Texts per length class, read with the corpus's own readers (personaguard.train.sources)."""
    from personaguard.taxonomy import load_taxonomy
    from personaguard.train.sources import read_source

    ids = load_taxonomy().ids

    def texts(*names: str) -> list[str]:
        return [ex.text for name in names for ex in read_source(name, DATA, ids)]

    short = texts("alpaca_instructions", "beavertails", "davidson_hate_offensive", "olid")
    medium = texts("hatexplain", "ethos")
    posts = texts("sdcnl_suicide_depression")
    long = [t for t in posts + texts("jailbreak_prompts") if len(t.split()) >= 300]
    threads = ["\n\n".join(rng.sample(posts, 8)) for _ in range(50)]  # forum threads of 8 posts
    return {"short": short, "medium": medium, "long": long + threads}


def traffic_mix(n: int, seed: int = 0) -> list[str]:
    """``n`` texts in the production-like proportions (see the module docstring)."""
    rng = random.Random(seed)
    pools = _read(rng)
    kinds = rng.choices(["short", "medium", "long"], weights=[85, 12, 3], k=n)
    return [rng.choice(pools[k]) for k in kinds]


def transformer_share(guard, texts: list[str]) -> tuple[float, float, float]:  # type: ignore[no-untyped-def]
    """Shares of texts, of windows and of word pieces that the cascade sends to MiniLM."""
    from personaguard.normalize import normalize_text

    scorer = guard.scorer
    windows, owner = scorer.encoder.window_ids([normalize_text(t).text for t in texts])
    _, chosen = scorer.escalation(windows, owner)
    pieces = np.array([len(w) for w in windows])
    return (len(set(owner[chosen].tolist())) / len(texts), len(chosen) / max(len(windows), 1),
            float(pieces[chosen].sum() / max(pieces.sum(), 1)))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--budget-s", type=float, default=20.0)
    ap.add_argument("--n", type=int, default=4000)
    args = ap.parse_args()
    if not DATA.is_dir():
        print(f"bench.traffic: {DATA} does not exist; the mix is built from ../shared/data (README, 'Data')",
              file=sys.stderr)
        return 2
    from personaguard import Guard

    mix = traffic_mix(args.n, seed=0)
    guard = Guard()
    print(f"machine: {os.cpu_count()} cpus, python {platform.python_version()}, model {guard.model_version}")
    n_tokens = [len(ids) for ids in guard.scorer.encoder.tokenize(mix)]
    print(f"mix: {len(mix)} texts (word pieces p50 {int(np.median(n_tokens))}, p90 {int(np.percentile(n_tokens, 90))}, "
          f"max {max(n_tokens)})")
    guard.check_batch(mix[:64])  # warm-up, not measured
    lat = []
    for text in mix[:300]:
        t = time.perf_counter()
        guard.check(text)
        lat.append((time.perf_counter() - t) * 1000)
    done = tokens = 0
    t0 = time.perf_counter()
    while done < len(mix) and time.perf_counter() - t0 < args.budget_s:
        guard.check_batch(mix[done:done + 256])
        tokens += sum(n_tokens[done:done + 256])
        done += len(mix[done:done + 256])
    elapsed = time.perf_counter() - t0
    texts_share, windows_share, pieces_share = transformer_share(guard, mix[:1000])
    big = " ".join(mix[i % len(mix)] for i in range(20_000))[:1_000_000]
    t = time.perf_counter()
    guard.check(big)
    one_mb_s = time.perf_counter() - t
    print(f"throughput_batched: {done / elapsed:.1f} texts/s")
    print(f"throughput_tokens: {tokens / elapsed:.0f} word-pieces/s")
    print(f"latency_single_p50: {statistics.median(lat):.2f} ms")
    print(f"latency_single_p99: {statistics.quantiles(lat, n=100)[98]:.1f} ms")
    print(f"transformer_share_texts: {texts_share:.3f} ratio")
    print(f"transformer_share_word_pieces: {pieces_share:.3f} ratio")
    print(f"transformer_share_windows: {windows_share:.3f} ratio")
    print(f"one_megabyte_text: {one_mb_s:.2f} s")
    print(f"peak_rss: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    try:
        from profanity_check import predict_prob
    except ImportError:
        print("baseline alt-profanity-check not installed (pip install 'personaguard[bench]')", file=sys.stderr)
        return 0
    t = time.perf_counter()
    predict_prob(mix)
    base = len(mix) / (time.perf_counter() - t)
    print(f"baseline_profanity_check_throughput: {base:.0f} texts/s")
    print(f"ratio_throughput_vs_profanity_check: {done / elapsed / base:.4f} x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
