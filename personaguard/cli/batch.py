"""`personaguard batch IN OUT`: check every row of a dataset, locally or on Ray.

``OUT`` a folder (the default use): a Parquet dataset committed per unit, exactly once and
resumable (``docs/batch.md``); ``--engine local`` (default) or ``--engine ray``. ``OUT`` a
``.jsonl`` file: the single-file JSONL writer of one input file, as before.
"""

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
    p = sub.add_parser("batch", help="check every row of CSV / JSONL / Parquet shards, locally or on Ray")
    p.add_argument("input", help="a file, a folder or a glob of .csv / .jsonl / .parquet shards")
    p.add_argument("output", help="output folder (Parquet dataset), or a .jsonl file for one input file")
    p.add_argument("--text-col", default="text", help="column holding the text (default: text)")
    p.add_argument("--context-col", default=None, help="column holding the prompt, for responses")
    p.add_argument("--batch-size", type=int, default=256, help="texts per scorer call")
    p.add_argument("--engine", choices=("local", "ray"), default="local", help="where units run (default: local)")
    p.add_argument("--address", default=None,
                   help="Ray cluster: 'auto' (this node's cluster) or ray://host:10001; default: start a local Ray")
    p.add_argument("--workers", type=int, default=None, help="Ray actors (model copies); default: one per CPU")
    p.add_argument("--cpus-per-worker", type=int, default=1, help="CPUs (and scorer threads) per Ray actor")
    p.add_argument("--unit-rows", type=int, default=5000, help="rows per committed unit (default: 5000)")
    p.add_argument("--user-col", default=None, help="column holding the user id (needs --users or --database-url)")
    p.add_argument("--users", default=None, help="profiles file (YAML list or mapping, or JSONL)")
    p.add_argument("--database-url", default=None, help="the service's store, for per-row users (with --tenant)")
    p.add_argument("--tenant", default=None, help="tenant whose users and policy apply (with --database-url)")
    p.add_argument("--overwrite", action="store_true", help="replace another job's output in OUT")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    p.set_defaults(func=run)


def _chunks(it: Iterator[BatchRow], n: int) -> Iterator[list[BatchRow]]:
    while chunk := list(islice(it, n)):
        yield chunk


def run(args: argparse.Namespace) -> int:
    if args.output.lower().endswith((".jsonl", ".ndjson")):
        if args.engine != "local" or args.user_col or args.users or args.database_url:
            print("error: a .jsonl output is the single-file writer; --engine ray and per-row users write a "
                  "dataset folder (give OUT without .jsonl)", file=sys.stderr)
            return 1
        return _run_jsonl(args)
    return _run_dataset(args)


def _profiles(args: argparse.Namespace) -> tuple[str, ...] | None:
    if args.users and args.database_url:
        raise ValueError("give --users or --database-url, not both")
    if args.database_url:
        if not args.tenant:
            raise ValueError("--database-url needs --tenant")
        return ("store", args.database_url, args.tenant)
    if args.users:
        return ("file", str(Path(args.users).resolve()))
    return None


def _run_dataset(args: argparse.Namespace) -> int:
    from personaguard.batch.job import JobConfig, run_job
    from personaguard.batch.unit import RowSpec

    profiles = _profiles(args)
    user_col = args.user_col or ("user" if profiles is not None else None)
    cfg = JobConfig(
        input=args.input, output=str(Path(args.output).resolve()),
        spec=RowSpec(text_col=args.text_col, context_col=args.context_col, user_col=user_col,
                     batch_size=args.batch_size),
        engine=args.engine, unit_rows=args.unit_rows, profiles=profiles, address=args.address,
        workers=args.workers, cpus_per_worker=args.cpus_per_worker, overwrite=args.overwrite,
    )
    bar = tqdm(disable=args.no_progress, unit="row", desc=f"checking ({args.engine})", file=sys.stderr)
    try:
        summary = run_job(cfg, on_rows=bar.update, on_total=lambda n: setattr(bar, "total", n))
    finally:
        bar.close()
    print("\n".join(summary.lines()), file=sys.stderr)
    print(json.dumps({"output": cfg.output, "rows": summary.rows, "decided": summary.decided,
                      "errors": summary.errors, "rows_per_s": round(summary.rows_per_s, 1)}))
    return 0


def _run_jsonl(args: argparse.Namespace) -> int:
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
