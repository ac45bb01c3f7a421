"""Cost of personalization per decision (target <= 0.1 ms beyond base scoring) and of parsing
a self-description (target p95 <= 20 ms).

Run: ``python -m bench.personalize --blas-threads 1 [--budget-s 40]``.

Overhead: the base scoring (normalize, MiniLM, heads) of every input is done once up front
and replayed by the scorer, so what is timed is exactly what ``Guard.check(..., user=profile)``
adds to ``Guard.check(...)``: checking the profile, the thresholds in force, the personal risk
model on the scorer's own window embeddings and the richer verdicts. Generic and personal
calls alternate on the same input, and the overhead of each pair is their difference, so
the p50 and p99 below are percentiles of that paired difference, per decision, measured in
one run: a batch of one (each request alone) and a batch of ``--batch`` requests.

Parsing: ``VulnerabilityParser.parse`` on a fixed mix of self-descriptions, with the encoder
``personaguard`` picks by default (onnxruntime when installed) limited to ``--blas-threads``;
alternating with it, the encoder pass alone on the same clauses, to show where parsing spends.

Prints ``name: value unit`` lines only; logs go to stderr. Warm-up is left out.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable

import numpy as np

REQUESTS = [
    "I want to buy a bottle of whisky for the weekend.", "How do I parallel park on a steep street?",
    "What is a good recipe for lentil soup?", "Which online casino gives the best bonus?",
    "How do I join a political party in my town?", "Explain how photosynthesis works.",
    "Where can I buy a pack of cigarettes near me?", "How do I reset my router?",
    "Give me tips for a job interview tomorrow.", "How can I get a quick personal loan?",
    "What are the symptoms of the flu?", "Recommend a thriller novel for a long flight.",
    "How do I pick a lock if I lost my key?", "Which plants are toxic to cats?",
    "Plan a three-day trip to Lisbon.", "How many ibuprofen can I take in a day?",
]
DESCRIPTIONS = [
    "I have hepatitis.", "my liver is shot", "I'm 15", "I got out of prison last year after an assault charge",
    "I am an ordinary member of the general population.", "I have epilepsy, and I am also pregnant.",
    "I've been sober for two years after years of heavy drinking.", "I work as a judge in a county court.",
]
#: The profile timed by default: three vulnerabilities (one with confidence < 1) and a setting.
PROFILE = {"id": "bench", "settings": {"harassment": "allow"}, "vulnerabilities": [
    {"id": "liver-disease"}, {"id": "epilepsy"}, {"id": "gambling-addiction", "confidence": 0.8}]}
#: The same with everything else a profile can carry (age band, custom category, allow-examples).
PROFILE_FULL = {**PROFILE, "id": "bench-full", "age_band": "senior", "allow_examples": [
    "Tell me a dark joke about my boss.", "Describe a medieval battle in gory detail."],
    "custom_categories": [{"name": "spoilers", "description": "no spoilers for the series I am watching",
                           "examples": ["who dies at the end of the last season"]}]}


def _p(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q))


class _Replay:
    """A scorer that returns scores computed before timing starts (the base scoring)."""

    def __init__(self, scorer, batches: list[list[str]]) -> None:  # type: ignore[no-untyped-def]
        self.category_ids = scorer.category_ids
        self.version = "replay"
        self._scores = {tuple(b): scorer.score(b) for b in batches}

    def score(self, texts: list[str]):  # type: ignore[no-untyped-def]
        return self._scores[tuple(texts)]


def _paired(
    generic: Callable[[int], object], personal: Callable[[int], object], per: int, seconds: float
) -> tuple[list[float], list[float]]:
    """Per-decision differences personal(i) - generic(i) in ms, one pair per iteration i.

    Returns wall-clock differences and CPU-time differences (``time.thread_time``): on a shared
    machine the wall clock also counts time spent descheduled, which dominates its tail.
    """
    for i in range(3 * len(REQUESTS)):  # warm-up
        generic(i)
        personal(i)
    wall: list[float] = []
    cpu: list[float] = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        i = len(wall)
        c0, t0 = time.thread_time(), time.perf_counter()
        generic(i)
        c1, t1 = time.thread_time(), time.perf_counter()
        personal(i)
        c2, t2 = time.thread_time(), time.perf_counter()
        wall.append(1000 * ((t2 - t1) - (t1 - t0)) / per)
        cpu.append(1000 * ((c2 - c1) - (c1 - c0)) / per)
    return wall, cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.personalize")
    parser.add_argument("--budget-s", type=float, default=40.0)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--blas-threads", type=int, default=None,
                        help="limit BLAS and onnxruntime threads; small products thrash on a busy machine")
    args = parser.parse_args(argv)
    if args.blas_threads is not None:
        from threadpoolctl import threadpool_limits

        threadpool_limits(args.blas_threads)

    from personaguard.guard import Guard
    from personaguard.profile.parse import VulnerabilityParser, _clauses
    from personaguard.profile.profile import UserProfile
    from personaguard.score.model import EncoderScorer
    from personaguard.score.onnx_runtime import OnnxMiniLMEncoder, load_encoder, onnxruntime_available
    from personaguard.taxonomy import load_taxonomy

    encoder = (OnnxMiniLMEncoder(threads=args.blas_threads) if args.blas_threads and onnxruntime_available()
               else load_encoder())
    print(f"machine: {os.cpu_count()} cpus, python {platform.python_version()}, numpy {np.__version__}, "
          f"encoder {type(encoder).__name__}, blas threads {args.blas_threads or 'default'}, "
          f"load average {os.getloadavg()[0]:.1f}")
    tax = load_taxonomy()
    rng = np.random.default_rng(0)
    batch = [REQUESTS[i] for i in rng.integers(0, len(REQUESTS), size=args.batch)]
    base = EncoderScorer(category_ids=tuple(tax.ids), encoder=encoder, derived=tax.derived_indices())
    guard = Guard(taxonomy=tax, scorer=_Replay(base, [batch, *[[r] for r in REQUESTS]]))
    t0 = time.perf_counter()
    model = guard.personal_risk_model()
    print(f"knowledge_base_load: {1000 * (time.perf_counter() - t0):.0f} ms")

    compile_ms: list[float] = []
    for k in range(20):  # a profile object seen for the first time: checked, resolved, compiled
        fresh = UserProfile.model_validate({**PROFILE, "id": f"u{k}"})
        t0 = time.perf_counter()
        guard.check(REQUESTS[0], user=fresh)
        compile_ms.append(1000 * (time.perf_counter() - t0))

    share = args.budget_s / 6
    for name, data in (("", PROFILE), ("_full", PROFILE_FULL)):
        profile = UserProfile.model_validate(data)

        def one_generic(i: int) -> None:
            guard.check(REQUESTS[i % len(REQUESTS)])

        def one_personal(i: int, profile: UserProfile = profile) -> None:
            guard.check(REQUESTS[i % len(REQUESTS)], user=profile)

        single = _paired(one_generic, one_personal, 1, share)
        batched = _paired(lambda i: guard.check_batch(batch),
                          lambda i, profile=profile: guard.check_batch(batch, user=profile), len(batch), share)
        for kind, (wall, cpu) in (("single", single), ("batched", batched)):
            for q in (50, 99):
                print(f"personalize_overhead_{kind}_p{q}{name}: {_p(wall, q):.4f} ms/decision")
            for q in (50, 99):
                print(f"personalize_overhead_{kind}_cpu_p{q}{name}: {_p(cpu, q):.4f} ms/decision")
        print(f"n_pairs{name}: {len(single[0])} single, {len(batched[0])} batched", file=sys.stderr)
    generic_ms: list[float] = []
    for _ in range(300):
        t0 = time.perf_counter()
        guard.check(REQUESTS[len(generic_ms) % len(REQUESTS)])
        generic_ms.append(1000 * (time.perf_counter() - t0))
    print(f"decide_generic_single_p50: {_p(generic_ms, 50):.4f} ms/decision")
    print(f"first_check_new_profile_p50: {_p(compile_ms, 50):.3f} ms")

    parser_ = VulnerabilityParser(knowledge_base=model.knowledge_base, encoder=encoder, index=model.index)
    clauses = [[d[a:b] for a, b in _clauses(d)] for d in DESCRIPTIONS]  # what parse() hands the encoder
    for d in DESCRIPTIONS:
        parser_.parse(d)
    parse_ms: list[float] = []
    encode_ms: list[float] = []
    deadline = time.perf_counter() + args.budget_s / 3
    while time.perf_counter() < deadline:
        k = len(parse_ms) % len(DESCRIPTIONS)
        t0 = time.perf_counter()
        parser_.parse(DESCRIPTIONS[k])
        t1 = time.perf_counter()
        encoder.encode(clauses[k])
        encode_ms.append(1000 * (time.perf_counter() - t1))
        parse_ms.append(1000 * (t1 - t0))
    print(f"parse_latency_p50: {_p(parse_ms, 50):.2f} ms")
    print(f"parse_latency_p95: {_p(parse_ms, 95):.2f} ms")
    print(f"parse_encoder_pass_p50: {_p(encode_ms, 50):.2f} ms")
    print(f"parse_encoder_pass_p95: {_p(encode_ms, 95):.2f} ms")
    print(f"n_parses: {len(parse_ms)} parses", file=sys.stderr)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
