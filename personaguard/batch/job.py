"""A batch moderation job over a file, folder or glob of shards: plan, resume, run, summarize."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from personaguard.batch.dataset import OutputDataset
from personaguard.batch.engines import ProfileSpec, run_local, run_ray
from personaguard.batch.shards import find_shards, plan_units
from personaguard.batch.unit import RowSpec
from personaguard.errors import BatchJobError

__all__ = ["JobConfig", "JobSummary", "run_job"]


@dataclass(frozen=True)
class JobConfig:
    """Everything a job needs; the CLI builds one from its flags.

    Attributes
    ----------
    input : str
        A file, a folder (searched recursively) or a glob of CSV / JSONL / Parquet shards.
    output : str
        The output folder (``docs/batch.md`` has its layout).
    spec : RowSpec
    engine : {'local', 'ray'}
    unit_rows : int
        Rows per unit, the commit granularity (a crash redoes at most the units in flight).
    profiles : tuple or None
        ``("file", path)`` or ``("store", database_url, tenant)``: where ``spec.user_col`` ids
        are looked up.
    address, workers, cpus_per_worker
        Ray only (see :func:`personaguard.batch.engines.run_ray`).
    overwrite : bool
        Replace the output of a different job in ``output`` instead of refusing.
    """

    input: str
    output: str
    spec: RowSpec = field(default_factory=RowSpec)
    engine: Literal["local", "ray"] = "local"
    unit_rows: int = 5000
    profiles: ProfileSpec = None
    address: str | None = None
    workers: int | None = None
    cpus_per_worker: int = 1
    overwrite: bool = False


@dataclass
class JobSummary:
    """What the job did: whole-dataset counts, and this run's own rows and speed."""

    engine: str
    workers: int
    units: int
    units_skipped: int
    rows: int
    decided: int
    errors: int
    outcomes: dict[str, int]
    categories: dict[str, int]
    rows_this_run: int
    seconds: float
    rows_per_s: float
    model_version: str

    def lines(self) -> list[str]:
        """``name: value`` lines for the terminal."""
        cats = ", ".join(f"{k} {v}" for k, v in sorted(self.categories.items(), key=lambda kv: -kv[1])) or "none"
        outs = ", ".join(f"{k} {v}" for k, v in sorted(self.outcomes.items())) or "none"
        return [
            f"engine: {self.engine} ({self.workers} worker{'s' if self.workers != 1 else ''})",
            f"units: {self.units} ({self.units_skipped} already done, skipped)",
            f"rows: {self.rows} ({self.decided} decided, {self.errors} error rows)",
            f"outcomes: {outs}",
            f"categories flagged: {cats}",
            f"this run: {self.rows_this_run} rows in {self.seconds:.1f} s, {self.rows_per_s:.1f} rows/s",
        ]


def run_job(cfg: JobConfig, *, on_rows: Callable[[int], None] | None = None,
            on_total: Callable[[int], None] | None = None) -> JobSummary:
    """Run (or resume) a job; returns its summary, also written to ``OUTPUT/_summary.json``.

    Parameters
    ----------
    cfg : JobConfig
    on_rows : callable or None
        Called with a unit's row count each time a unit is committed (progress bars).
    on_total : callable or None
        Called once with the number of rows this run has to decide.

    Raises
    ------
    BatchJobError
        No input shard, an output folder of another job, Ray missing for ``engine='ray'``.
    """
    from personaguard.guard import Guard

    if cfg.unit_rows < 1 or cfg.spec.batch_size < 1:
        raise BatchJobError("--unit-rows and --batch-size must be >= 1")
    if cfg.spec.user_col is not None and cfg.profiles is None:
        raise BatchJobError("--user-col needs a profile source: --users FILE or --database-url URL --tenant NAME")
    shards = find_shards(cfg.input, text_col=cfg.spec.text_col)
    units = plan_units(shards, cfg.unit_rows)
    guard = Guard()  # the local engine's model; for Ray, the version the workers must match
    job = {"format": 1, "model_version": guard.model_version, "spec": asdict(cfg.spec), "unit_rows": cfg.unit_rows,
           "shards": [[s.name, s.digest, s.n_rows] for s in shards], "profiles": list(cfg.profiles or [])}
    dataset = OutputDataset(cfg.output)
    dataset.prepare(job, overwrite=cfg.overwrite)
    finished = dataset.finished()
    pending = [u for u in units if u.unit_id not in finished]
    if on_total is not None:
        on_total(sum(u.stop - u.start for u in pending))
    workers = 1
    t0 = time.perf_counter()
    if cfg.engine == "local":
        runs = run_local(pending, cfg.spec, cfg.profiles, cfg.output, guard=guard)
    elif cfg.engine == "ray":
        del guard

        def started(n: int) -> None:
            nonlocal workers
            workers = n

        runs = run_ray(pending, cfg.spec, cfg.profiles, cfg.output, address=cfg.address, workers=cfg.workers,
                       cpus_per_worker=cfg.cpus_per_worker, on_start=started)
    else:
        raise BatchJobError(f"unknown engine {cfg.engine!r}; use 'local' or 'ray'")
    rows_now = 0
    for counts in runs:
        if counts.get("model_version") != job["model_version"]:
            raise BatchJobError(f"a worker runs model {counts.get('model_version')!r}, the job "
                                f"{job['model_version']!r}; install the same personaguard on every node")
        rows_now += counts["rows"]
        if on_rows is not None:
            on_rows(counts["rows"])
    seconds = time.perf_counter() - t0
    summary = _summarize(cfg, dataset.finished(), units_total=len(units), skipped=len(units) - len(pending),
                         workers=workers, rows_now=rows_now, seconds=seconds, model_version=str(job["model_version"]))
    (dataset.root / "_summary.json").write_text(json.dumps(asdict(summary), indent=1, sort_keys=True), encoding="utf-8")
    return summary


def _summarize(cfg: JobConfig, done: dict[str, dict[str, Any]], *, units_total: int, skipped: int, workers: int,
               rows_now: int, seconds: float, model_version: str) -> JobSummary:
    outcomes: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    for counts in done.values():
        outcomes.update(counts["outcomes"])
        categories.update(counts["categories"])
    return JobSummary(
        engine=cfg.engine, workers=workers, units=units_total, units_skipped=skipped,
        rows=sum(c["rows"] for c in done.values()), decided=sum(c["decided"] for c in done.values()),
        errors=sum(c["errors"] for c in done.values()), outcomes=dict(outcomes), categories=dict(categories),
        rows_this_run=rows_now, seconds=seconds, rows_per_s=rows_now / seconds if seconds > 0 else 0.0,
        model_version=model_version,
    )
