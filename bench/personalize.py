"""Cost of personalization per decision (target <= 0.1 ms beyond base scoring) and of parsing
a self-description (target <= 20 ms).

Run: ``python -m bench.personalize [--budget-s 20]``. The base scoring (normalize, encode,
heads) is done once up front; what is timed is everything the user adds on top of it, with
the text embeddings reused as the Guard reuses them: the thresholds in force, the personal
risk model and the per-category verdicts, minus the verdicts of the same texts without a user.
Medians and 95th percentiles over repeated runs; warm-up left out. Prints ``name: value unit``
lines only; logs go to stderr.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time

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


def _p(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.personalize")
    parser.add_argument("--budget-s", type=float, default=20.0)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--blas-threads", type=int, default=None,
                        help="limit BLAS threads (threadpoolctl); small products thrash on a busy machine")
    args = parser.parse_args(argv)
    if args.blas_threads is not None:
        from threadpoolctl import threadpool_limits

        threadpool_limits(args.blas_threads)

    from personaguard.decide.precedence import user_thresholds
    from personaguard.decide.thresholds import default_thresholds
    from personaguard.decide.verdicts import category_verdicts
    from personaguard.personalize.parse import VulnerabilityParser
    from personaguard.personalize.profile import UserProfile
    from personaguard.personalize.risk import PersonalRiskModel
    from personaguard.personalize.vulnerabilities import load_knowledge_base
    from personaguard.score.encoder import MiniLMEncoder
    from personaguard.taxonomy import load_taxonomy

    print(f"machine: {os.cpu_count()} cpus, python {platform.python_version()}, numpy {np.__version__}, "
          f"blas threads {args.blas_threads or 'default'}, load average {os.getloadavg()[0]:.1f}")
    tax = load_taxonomy()
    encoder = MiniLMEncoder()
    t0 = time.perf_counter()
    kb = load_knowledge_base(taxonomy=tax)
    model = PersonalRiskModel(taxonomy=tax, knowledge_base=kb, encoder=encoder)
    print(f"knowledge_base_load: {1000 * (time.perf_counter() - t0):.0f} ms")
    rng = np.random.default_rng(0)
    texts = [REQUESTS[i] for i in rng.integers(0, len(REQUESTS), size=args.batch)]
    enc = encoder.encode(texts)  # base scoring's embeddings, computed once and reused
    probs = rng.uniform(0.0, 0.3, size=(len(texts), len(tax.ids)))
    base = default_thresholds(tax)
    ids = tuple(tax.ids)
    profile = UserProfile.model_validate({"id": "bench", "settings": {"harassment": "allow"}, "vulnerabilities": [
        {"id": "liver-disease"}, {"id": "epilepsy"}, {"id": "gambling-addiction", "confidence": 0.8}]})

    def generic() -> None:
        for i in range(len(texts)):
            category_verdicts(ids, probs[i], base)

    def personal(batch: list[str], e, p) -> None:  # type: ignore[no-untyped-def]
        th = user_thresholds(tax, profile)
        risks = model.personalize(batch, p, e, profile)
        for i in range(len(batch)):
            category_verdicts(ids, p[i], th, risks[i])

    one_enc = encoder.encode(texts[:1])
    for _ in range(3):  # warm-up
        generic()
        personal(texts, enc, probs)
        personal(texts[:1], one_enc, probs[:1])
    batch_ms, single_ms, generic_ms = [], [], []
    deadline = time.perf_counter() + args.budget_s / 2
    while time.perf_counter() < deadline:
        t = time.perf_counter(); generic(); generic_ms.append(1000 * (time.perf_counter() - t) / len(texts))  # noqa: E702
        t = time.perf_counter(); personal(texts, enc, probs); batch_ms.append(1000 * (time.perf_counter() - t) / len(texts))  # noqa: E702
        t = time.perf_counter(); personal(texts[:1], one_enc, probs[:1]); single_ms.append(1000 * (time.perf_counter() - t))  # noqa: E702
    g = _p(generic_ms, 50)
    print(f"personalize_overhead_batched_p50: {_p(batch_ms, 50) - g:.4f} ms/decision")
    print(f"personalize_overhead_batched_p95: {_p(batch_ms, 95) - g:.4f} ms/decision")
    print(f"personalize_overhead_single_p50: {_p(single_ms, 50) - g:.4f} ms/decision")
    print(f"decide_generic_p50: {g:.4f} ms/decision")

    parser_ = VulnerabilityParser(knowledge_base=kb, encoder=encoder, index=model.index)
    for d in DESCRIPTIONS:
        parser_.parse(d)
    parse_ms: list[float] = []
    deadline = time.perf_counter() + args.budget_s / 2
    k = 0
    while time.perf_counter() < deadline:
        t = time.perf_counter()
        parser_.parse(DESCRIPTIONS[k % len(DESCRIPTIONS)])
        parse_ms.append(1000 * (time.perf_counter() - t))
        k += 1
    print(f"parse_latency_p50: {_p(parse_ms, 50):.2f} ms")
    print(f"parse_latency_p95: {_p(parse_ms, 95):.2f} ms")
    print(f"n_parses: {len(parse_ms)} parses", file=sys.stderr)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
