"""`personaguard train`: rebuild the packaged heads and calibration from a data folder."""

from __future__ import annotations

import argparse
import json
import logging
from datetime import datetime, timezone
from pathlib import Path

__all__ = ["register"]

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("train", help="train the scorer heads and calibration from labelled data")
    p.add_argument("--data-dir", default="../shared/data", help="folder of labelled corpora (default: ../shared/data)")
    p.add_argument("--out", default=None, help="artifact folder (default: the package's own artifacts)")
    p.add_argument("--cache-dir", default=".cache/train", help="embedding cache (default: .cache/train)")
    p.add_argument("--taxonomy", default=None, help="taxonomy YAML file (default: the packaged one)")
    p.add_argument("--hidden", type=int, default=1024, help="hidden width of the heads (0: linear)")
    p.add_argument("--epochs", type=int, default=25)
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from personaguard import __version__
    from personaguard.score.artifacts import packaged_artifacts_dir
    from personaguard.score.encoder import MiniLMEncoder
    from personaguard.score.model import apply_derived
    from personaguard.taxonomy import load_taxonomy
    from personaguard.train.corpus import build_corpus
    from personaguard.train.embed_cache import embed_first_windows
    from personaguard.train.fit import fit_heads, write_artifacts
    from personaguard.train.fit_static import fit_student, write_student

    logging.getLogger("personaguard").setLevel(logging.INFO)
    data_dir = Path(args.data_dir)
    if not data_dir.is_dir():
        raise ValueError(f"data folder {data_dir} does not exist; pass --data-dir")
    tax = load_taxonomy(args.taxonomy)
    corpus = build_corpus(data_dir, tax.ids)
    encoder = MiniLMEncoder(batch_size=64)
    x = embed_first_windows(corpus.texts, encoder, Path(args.cache_dir))
    derived = tax.derived_indices()
    warn = np.array([c.warn for c in tax.categories])
    result = fit_heads(corpus, x, derived=derived, warn=warn, hidden=args.hidden, epochs=args.epochs, seed=args.seed)
    out = Path(args.out) if args.out else packaged_artifacts_dir()
    command = f"personaguard train --hidden {args.hidden} --epochs {args.epochs} --seed {args.seed}"
    version = f"{__version__}-{datetime.now(timezone.utc):%Y%m%d}"
    write_artifacts(result, corpus, out, command=command, version=version)
    full_probs = apply_derived(result.calibrator.predict_proba(result.heads.decision_function(x)), derived)
    student = fit_student(corpus, encoder, full_probs, x, derived=derived, warn=warn, seed=args.seed)
    write_student(student, corpus.columns, out, version=version)
    metrics = {**result.metrics, "student": student.metrics}
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(json.dumps({"minilm": result.metrics["test"], "cascade": student.metrics["cascade"]}, indent=2))
    print(f"artifacts written to {out}")
    return 0
