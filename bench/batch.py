"""Batch moderation through Ray vs the local engine (issue 21): equal rows, unique ids, same decisions.

Run: ``python -m bench.batch [--rows 100000] [--unit-rows 2500] [--interrupt]``. Builds a seeded
Parquet file of real short chat texts (``bench/workload.py``: instructions and tweets from the
shared data folder, synthetic ones without it), runs ``personaguard batch`` as a user would
(a subprocess per run): ``--engine local``, then ``--engine ray`` with 1 and 2 workers, and
with ``--interrupt`` a 2-worker run stopped with Ctrl-C at about half its units and rerun.
Prints ``name: value unit`` lines; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from bench.workload import short_texts


def _log(msg: str) -> None:
    print(f"[bench.batch] {msg}", file=sys.stderr, flush=True)


def _cmd(src: Path, out: Path, unit_rows: int, *extra: str) -> list[str]:
    return [sys.executable, "-m", "personaguard.cli.main", "batch", str(src), str(out), "--unit-rows", str(unit_rows),
            "--no-progress", *extra]


def _run(cmd: list[str]) -> dict[str, Any]:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, check=False)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr.decode()[-2000:]}")
    summary: dict[str, Any] = json.loads((Path(cmd[cmd.index("batch") + 2]) / "_summary.json").read_text())
    summary["wall_s"] = wall
    return summary


def _table(out: Path) -> Any:
    return pq.read_table(out / "decisions").sort_by("row_id")


def _compare(ref: Any, other: Any) -> tuple[int, int, float]:
    """(rows whose outcome, flags or categories differ; duplicate ids; largest score difference)."""
    a, b = ref.to_pylist(), other.to_pylist()
    if [r["row_id"] for r in a] != [r["row_id"] for r in b]:
        return len(a) + len(b), 0, float("inf")
    differ, worst = 0, 0.0
    for x, y in zip(a, b, strict=True):
        differ += (x["outcome"], x["flagged"], x["categories"]) != (y["outcome"], y["flagged"], y["categories"])
        sx, sy = json.loads(x["scores_json"]), json.loads(y["scores_json"])
        worst = max(worst, max(abs(sx[k] - sy[k]) for k in sx))
    return differ, len(b) - len({r["row_id"] for r in b}), worst


def _interrupted(src: Path, out: Path, unit_rows: int, n_units: int) -> float:
    proc = subprocess.Popen(_cmd(src, out, unit_rows, "--engine", "ray", "--workers", "2"),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while proc.poll() is None and len(list((out / "_done").glob("*.json"))) < n_units // 2:
        time.sleep(0.2)
    os.kill(proc.pid, signal.SIGINT)
    proc.wait(timeout=300)
    done = len(list((out / "_done").glob("*.json")))
    _log(f"interrupted with {done} of {n_units} units done (exit {proc.returncode}); rerunning")
    _run(_cmd(src, out, unit_rows, "--engine", "ray", "--workers", "2"))
    return done / n_units


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.batch")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--unit-rows", type=int, default=2500)
    parser.add_argument("--workers", default="1,2", help="Ray worker counts to run, comma-separated")
    parser.add_argument("--interrupt", action="store_true", help="also stop a 2-worker run at ~50%% and rerun it")
    parser.add_argument("--workdir", default=None, help="where inputs and outputs go (default: a temp folder)")
    args = parser.parse_args(argv)

    work = Path(args.workdir or tempfile.mkdtemp(prefix="pg-bench-batch-"))
    src = work / "input.parquet"
    texts = short_texts(args.rows, seed=0)
    pq.write_table(pa.table({"id": [f"row-{i:07d}" for i in range(args.rows)], "text": texts}), src)
    print(f"machine: {os.cpu_count()} cpus, load average {os.getloadavg()[0]:.1f}")
    print(f"rows: {args.rows} rows")
    print(f"mean_text_length: {sum(map(len, texts)) / len(texts):.0f} chars")
    n_units = -(-args.rows // args.unit_rows)

    _log("local engine")
    local = _run(_cmd(src, work / "local", args.unit_rows))
    ref = _table(work / "local")
    print(f"local_rows_per_s: {local['rows_per_s']:.1f} rows/s")
    print(f"local_wall: {local['wall_s']:.1f} s")
    print(f"local_rows_out: {ref.num_rows} rows")
    by_workers: dict[int, float] = {}
    for w in (int(x) for x in args.workers.split(",")):
        _log(f"ray engine, {w} worker(s)")
        res = _run(_cmd(src, work / f"ray{w}", args.unit_rows, "--engine", "ray", "--workers", str(w)))
        table = _table(work / f"ray{w}")
        differ, dupes, worst = _compare(ref, table)
        by_workers[w] = res["rows_per_s"]
        print(f"ray{w}_rows_per_s: {res['rows_per_s']:.1f} rows/s")
        print(f"ray{w}_wall: {res['wall_s']:.1f} s")
        print(f"ray{w}_rows_out: {table.num_rows} rows")
        print(f"ray{w}_duplicate_ids: {dupes} rows")
        print(f"ray{w}_decisions_differing_from_local: {differ} rows")
        print(f"ray{w}_max_score_difference: {worst:.2e}")
    if 1 in by_workers and 2 in by_workers:
        print(f"ray_speedup_2_vs_1_workers: {by_workers[2] / by_workers[1]:.2f} x")
    if args.interrupt:
        _log("ray engine, 2 workers, interrupted at ~50% and rerun")
        share = _interrupted(src, work / "ray2-interrupted", args.unit_rows, n_units)
        again = _table(work / "ray2-interrupted")
        same = again.drop(["unit"]).equals(_table(work / "ray2").drop(["unit"])) if 2 in by_workers else None
        print(f"interrupted_at: {100 * share:.0f} % of units")
        print(f"interrupted_rows_out: {again.num_rows} rows")
        print(f"interrupted_duplicate_ids: {again.num_rows - len(set(again.column('row_id').to_pylist()))} rows")
        if same is not None:
            print(f"interrupted_equals_uninterrupted: {str(same).lower()}")
    _log(f"outputs in {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
