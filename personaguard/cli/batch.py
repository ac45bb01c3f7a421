"""`personaguard batch IN OUT`: check every row of a file, write JSONL decisions and error rows."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

from tqdm import tqdm

from personaguard.batch.readers import BatchRow, read_rows

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("batch", help="check every row of a CSV, JSONL or Parquet file; write JSONL")
    p.add_argument("input", help="input file (.csv, .jsonl, .parquet)")
    p.add_argument("output", help="output JSONL file")
    p.add_argument("--text-col", default="text", help="column holding the text (default: text)")
    p.add_argument("--context-col", default=None, help="column holding the prompt, for responses")
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    p.set_defaults(func=run)


def _chunks(it: Iterator[BatchRow], n: int) -> Iterator[list[BatchRow]]:
    while chunk := list(islice(it, n)):
        yield chunk


def run(args: argparse.Namespace) -> int:
    from personaguard.decide.outcome import Decision
    from personaguard.guard import Guard

    guard = Guard()
    rows = read_rows(args.input, text_col=args.text_col, context_col=args.context_col)
    n_ok = n_err = 0
    with Path(args.output).open("w", encoding="utf-8") as out, tqdm(
        disable=args.no_progress, unit="row", desc="checking"
    ) as bar:
        for chunk in _chunks(iter(rows), args.batch_size):
            good = [r for r in chunk if r.error is None]
            # errors="return": a row that fails (too large, or not scorable even alone) becomes an
            # error row; the other rows of its chunk are decided as usual.
            results = iter(guard.check_batch([r.text or "" for r in good], [r.context for r in good],
                                             errors="return"))
            for r in chunk:
                result = None if r.error is not None else next(results)
                if isinstance(result, Decision):
                    record = {"line": r.line, "id": r.id, **result.model_dump(mode="json")}
                    n_ok += 1
                else:
                    reason = r.error if result is None else f"{result.code}: {result.message}"
                    record = {"line": r.line, "id": r.id, "error": reason}
                    n_err += 1
                out.write(json.dumps(record) + "\n")  # ASCII: an id may hold a lone surrogate
            bar.update(len(chunk))
    # Error rows are part of the output, not a failure of the run.
    print(f"{n_ok} rows checked, {n_err} error rows, written to {args.output}", file=sys.stderr)
    return 0
