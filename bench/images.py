"""Image parts: false positives on benign images that ship inside packages, and ms per image.

Run: ``python -m bench.images``. The benign set is every PNG/JPEG/GIF sample image that ships in
scikit-image's wheel (photos, microscopy, astronomy, text, textures); nothing is downloaded.
Prints ``name: value unit`` lines.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from pathlib import Path


def main() -> int:
    import skimage

    from personaguard.guard import Guard
    from personaguard.score.image import IMAGE_CATEGORY

    guard = Guard()
    scorer = guard.image_scorer()
    folder = Path(skimage.__file__).parent / "data"
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".png", ".jpg", ".jpeg", ".gif"))
    images = [p.read_bytes() for p in files]
    print(f"machine: {os.cpu_count()} cpus, python {platform.python_version()}, image model {scorer.version}")
    scorer.score(images[:1])  # warm-up, not measured
    times, probs = [], []
    for data in images:
        t = time.perf_counter()
        probs.append(float(scorer.score([data]).probs[0, guard.taxonomy.index(IMAGE_CATEGORY)]))
        times.append((time.perf_counter() - t) * 1000)
    cat = guard.taxonomy.get(IMAGE_CATEGORY)
    print(f"benign_images: {len(images)} images")
    print(f"benign_flagged_at_warn: {sum(p >= cat.warn for p in probs) / len(probs):.3f} ratio (warn {cat.warn})")
    print(f"benign_blocked: {sum(p >= cat.block for p in probs) / len(probs):.3f} ratio (block {cat.block})")
    print(f"benign_max_p_sexual: {max(probs):.3f} ratio ({files[probs.index(max(probs))].name})")
    print(f"latency_per_image_p50: {statistics.median(times):.1f} ms")
    print(f"latency_per_image_max: {max(times):.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
