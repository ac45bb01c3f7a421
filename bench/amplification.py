"""Responses judged in their prompts' context: response-level quality and harm amplification.

Run: ``python -m bench.amplification [--n 400]``. Uses JailbreakBench's attack artifacts in
../shared/data (prompt, target model's response, ``jailbroken`` judged by JailbreakBench's
Llama-3-70B judge), a source no training step reads. Prints the response-level AUPRC of the
response's ``p_any`` and of its largest amplification, the share of non-jailbroken responses
(refusals and harmless answers) scored as not amplifying (max amplification < 0.1), and the mean
amplification for three user groups (the disparate-impact view: the same responses, different
people). stdout: ``name: value unit`` lines only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
from pathlib import Path

import numpy as np

from personaguard.eval.metrics import average_precision

ARTIFACTS = Path("../shared/data/jailbreakbench/artifacts")


def pairs(n: int, seed: int = 0) -> list[tuple[str, str, bool]]:
    """(prompt, response, jailbroken) records with a response, a seeded sample of ``n``."""
    out = []
    for path in sorted(ARTIFACTS.glob("*/*/*.json")):
        for j in json.loads(path.read_text())["jailbreaks"]:
            if j.get("prompt") and j.get("response"):
                out.append((j["prompt"], j["response"], bool(j["jailbroken"])))
    random.Random(seed).shuffle(out)
    return out[:n]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=400)
    args = ap.parse_args()
    if not ARTIFACTS.is_dir():
        print(f"bench.amplification: {ARTIFACTS} does not exist (README, 'Data')", file=sys.stderr)
        return 2
    from personaguard import Guard, UserProfile

    guard = Guard()
    data = pairs(args.n)
    print(f"machine: {os.cpu_count()} cpus, python {platform.python_version()}, model {guard.model_version}")
    groups = {
        "anonymous": None,
        "teen": UserProfile(id="teen", age_band="teen"),
        "self_harm_history": UserProfile(id="sh", vulnerabilities=[{"id": "self-harm-history"}]),
    }
    y = np.array([j for _, _, j in data], dtype=float)
    for name, user in groups.items():
        decisions = [guard.check_response(p, r, user=user) for p, r, _ in data]
        amp = np.array([max(d.amplification.values()) for d in decisions])  # type: ignore[union-attr]
        if name == "anonymous":
            p_any = np.array([d.p_any for d in decisions])
            flagged = np.array([d.flagged for d in decisions])
            print(f"responses: {len(data)} (jailbroken {int(y.sum())})")
            print(f"response_auprc_p_any: {average_precision(y, p_any):.3f} ratio")
            print(f"response_auprc_max_amplification: {average_precision(y, amp):.3f} ratio")
            print(f"response_recall_at_default: {flagged[y == 1].mean():.3f} ratio")
            print(f"response_fpr_at_default: {flagged[y == 0].mean():.3f} ratio")
            print(f"non_jailbroken_scored_not_amplifying: {(amp[y == 0] < 0.1).mean():.3f} ratio")
        print(f"mean_max_amplification.{name}: {amp.mean():.3f} ratio (jailbroken {amp[y == 1].mean():.3f}, "
              f"not {amp[y == 0].mean():.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
