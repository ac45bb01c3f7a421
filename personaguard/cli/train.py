"""`personaguard train`: rebuild the packaged heads and calibration from a data folder."""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

__all__ = ["register"]

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("train", help="train the scorer heads and calibration from labelled data")
    p.add_argument("--data-dir", default="../shared/data", help="folder of labelled corpora (default: ../shared/data)")
    p.add_argument("--out", default=None, help="artifact folder (default: the package's own artifacts)")
    p.add_argument("--cache-dir", default=".cache/train", help="embedding cache (default: .cache/train)")
    p.add_argument("--taxonomy", default=None, help="taxonomy YAML file (default: the packaged one)")
    p.add_argument("--hidden", type=int, default=256, help="hidden width of the heads (0: linear)")
    p.add_argument("--epochs", type=int, default=25)
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from personaguard import __version__
    from personaguard.score.artifacts import packaged_artifacts_dir
    from personaguard.score.encoder import MiniLMEncoder
    from personaguard.taxonomy import load_taxonomy
    from personaguard.train.corpus import build_corpus
    from personaguard.train.embed_cache import embed_first_windows
    from personaguard.train.fit import fit_heads, write_artifacts

    logging.getLogger("personaguard").setLevel(logging.INFO)
    data_dir = Path(args.data_dir)
    if not data_dir.is_dir():
        raise ValueError(f"data folder {data_dir} does not exist; pass --data-dir")
    tax = load_taxonomy(args.taxonomy)
    corpus = build_corpus(data_dir, tax.ids)
    x = embed_first_windows(corpus.texts, MiniLMEncoder(batch_size=64), Path(args.cache_dir))
    result = fit_heads(corpus, x, hidden=args.hidden, epochs=args.epochs, seed=args.seed)
    out = Path(args.out) if args.out else packaged_artifacts_dir()
    command = f"personaguard train --hidden {args.hidden} --epochs {args.epochs} --seed {args.seed}"
    write_artifacts(result, corpus, out, command=command, version=f"{__version__}+heads")
    print(json.dumps(result.metrics["test"], indent=2))
    print(f"artifacts written to {out}")
    return 0
