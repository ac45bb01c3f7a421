"""Scorer speed and memory, personaguard against alt-profanity-check, measured in one run.

Run: ``python -m bench.scorer``. Each system runs in its own child process so that peak RSS
and cold start are its own. Prints ``name: value unit`` lines only; logs go to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time

from bench.workload import long_texts, short_texts

SYSTEMS = ("personaguard", "profanity_check")


def _loader(system: str):  # type: ignore[no-untyped-def]
    if system == "personaguard":
        from personaguard import Guard

        guard = Guard()
        return lambda texts: guard.check_batch(texts)
    from profanity_check import predict_prob

    return lambda texts: predict_prob(texts)


def _throughput(fn, texts: list[str], batch: int, budget_s: float) -> float:  # type: ignore[no-untyped-def]
    done = 0
    t0 = time.perf_counter()
    while done < len(texts) and time.perf_counter() - t0 < budget_s:
        fn(texts[done : done + batch])
        done += len(texts[done : done + batch])
    return done / (time.perf_counter() - t0)


def child(system: str, budget_s: float) -> dict[str, float]:
    t0 = time.perf_counter()
    fn = _loader(system)
    fn(["warm up"])
    cold_start_s = time.perf_counter() - t0
    short = short_texts(4000, seed=1)
    fn(short[:64])  # warm-up, not measured
    lat = []
    for text in short[:300]:
        a = time.perf_counter()
        fn([text])
        lat.append((time.perf_counter() - a) * 1000)
    mix = short_texts(900, seed=2) + long_texts(100, seed=2)
    random_order = sorted(range(len(mix)), key=lambda i: hash((i * 7919) % 1009))
    mix = [mix[i] for i in random_order]
    return {
        "cold_start_s": cold_start_s,
        "latency_single_p50_ms": statistics.median(lat),
        "latency_single_p99_ms": statistics.quantiles(lat, n=100)[98],
        "throughput_short_texts_per_s": _throughput(fn, short, 256, budget_s),
        "throughput_mix_texts_per_s": _throughput(fn, mix, 256, budget_s),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--child", choices=SYSTEMS)
    ap.add_argument("--budget-s", type=float, default=20.0, help="time budget per throughput run")
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.budget_s)))
        return 0
    import numpy

    print(f"machine: {os.cpu_count()} cpus, {platform.processor() or platform.machine()}, python {platform.python_version()}, numpy {numpy.__version__}")
    results = {}
    for system in SYSTEMS:
        print(f"running {system}...", file=sys.stderr)
        out = subprocess.run([sys.executable, "-m", "bench.scorer", "--child", system, "--budget-s", str(args.budget_s)],
                             capture_output=True, text=True, check=False)
        if out.returncode != 0:
            print(out.stderr[-2000:], file=sys.stderr)
            continue
        results[system] = json.loads(out.stdout.strip().splitlines()[-1])
    units = {"cold_start_s": "s", "latency_single_p50_ms": "ms", "latency_single_p99_ms": "ms",
             "throughput_short_texts_per_s": "texts/s", "throughput_mix_texts_per_s": "texts/s", "peak_rss_mb": "MB"}
    for system, res in results.items():
        for key, value in res.items():
            print(f"{system}.{key}: {value:.2f} {units[key]}")
    if len(results) == 2:
        a, b = results["personaguard"], results["profanity_check"]
        print(f"ratio.throughput_short_vs_profanity_check: {a['throughput_short_texts_per_s'] / b['throughput_short_texts_per_s']:.3f} x")
        print(f"ratio.latency_p50_vs_profanity_check: {a['latency_single_p50_ms'] / b['latency_single_p50_ms']:.2f} x")
        print(f"ratio.peak_rss_vs_profanity_check: {a['peak_rss_mb'] / b['peak_rss_mb']:.2f} x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
