"""Where units run: in this process (``local``) or on a Ray cluster (``ray``).

Both engines call :func:`personaguard.batch.unit.run_unit`, so their decisions are the same
row for row; they differ in where the model lives. ``local`` loads one Guard and runs units in
order. ``ray`` builds a Ray Data dataset of unit descriptions (one block per unit) and maps it
with an actor pool (``map_batches`` with a callable class): each actor loads the model once and
then decides, and commits, one unit per call. The actors are restartable, and Ray retries a
unit whose actor died, which is safe because a unit's commit replaces its parts whole.

Why the actors read their own rows instead of ``ray.data.read_parquet``: Ray Data's readers fail
on (or drop) a malformed JSONL line and know no line numbers, and its writers add files under
fresh names on every attempt; a unit read and committed by one actor keeps bad rows as error
rows with their line and keeps the output exactly once across retries and reruns.
"""

from __future__ import annotations

import json
import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from typing import Any

from personaguard.batch.dataset import OutputDataset
from personaguard.batch.shards import Shard, Unit
from personaguard.batch.unit import RowSpec, run_unit
from personaguard.errors import BatchJobError

__all__ = ["ProfileSpec", "make_profiles", "run_local", "run_ray"]

#: How a worker builds its profile source: ``None``, ``("file", path)`` or ``("store", url, tenant)``.
ProfileSpec = tuple[str, ...] | None


def make_profiles(spec: ProfileSpec) -> Any:
    """The profile source a worker uses (built in the worker: a DB connection does not travel)."""
    from personaguard.batch.profiles import FileProfiles, StoreProfiles

    if spec is None:
        return None
    if spec[0] == "file":
        return FileProfiles.from_path(spec[1])
    if spec[0] == "store":
        return StoreProfiles(spec[1], spec[2])
    raise ValueError(f"unknown profile source {spec!r}")


def run_local(units: list[Unit], spec: RowSpec, profiles: ProfileSpec, out: str,
              guard: Any = None) -> Iterator[dict[str, Any]]:
    """Run ``units`` one after another in this process; yields each unit's counts when committed."""
    from personaguard.guard import Guard

    guard = guard if guard is not None else Guard()
    source = make_profiles(profiles)
    dataset = OutputDataset(out)
    for unit in units:
        yield run_unit(guard, unit, spec, source, dataset)


class _UnitWorker:
    """A Ray Data actor: one Guard per actor, one unit per call."""

    def __init__(self, spec: dict[str, Any], profiles: ProfileSpec, out: str, threads: int) -> None:
        os.environ["PERSONAGUARD_THREADS"] = str(threads)  # this actor's share of the node's cores
        from personaguard.guard import Guard

        self.guard = Guard()
        self.spec = RowSpec(**spec)
        self.profiles = make_profiles(profiles)
        self.dataset = OutputDataset(out)

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        done = []
        for raw in batch["unit"]:
            d = json.loads(str(raw))
            unit = Unit(Shard(**d["shard"]), d["start"], d["stop"])
            done.append(json.dumps(run_unit(self.guard, unit, self.spec, self.profiles, self.dataset)))
        return {"counts": done}


def run_ray(units: list[Unit], spec: RowSpec, profiles: ProfileSpec, out: str, *, address: str | None = None,
            workers: int | None = None, cpus_per_worker: int = 1,
            on_start: Callable[[int], None] | None = None) -> Iterator[dict[str, Any]]:
    """Run ``units`` on Ray; yields each unit's counts as units finish (any order).

    Parameters
    ----------
    address : str or None
        ``None`` starts a local Ray with this machine's CPUs; ``"auto"`` joins the cluster this
        machine belongs to; ``"ray://host:10001"`` goes through Ray Client.
    workers : int or None
        Actors (model copies); None: the cluster's CPUs divided by ``cpus_per_worker``.
    cpus_per_worker : int
        CPUs each actor reserves, and onnxruntime's thread count inside it.
    on_start : callable or None
        Called with the number of workers once Ray is up.

    Raises
    ------
    BatchJobError
        If Ray is not installed (``pip install 'personaguard[ray]'``).
    """
    try:
        import ray
        import ray.data
    except ImportError as exc:
        raise BatchJobError("--engine ray needs Ray: pip install 'personaguard[ray]'") from exc
    if not units:
        return
    if not ray.is_initialized():
        kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False, "ignore_reinit_error": True}
        if address is None:
            kwargs["num_cpus"] = os.cpu_count() or 1
        else:
            kwargs["address"] = address
        ray.init(**kwargs)
    ctx = ray.data.DataContext.get_current()
    ctx.enable_progress_bars = False  # the job draws its own, in rows
    ctx.print_on_execution_start = False
    n_cpus = int(ray.cluster_resources().get("CPU", 1))  # type: ignore[no-untyped-call]
    n_workers = workers or max(n_cpus // cpus_per_worker, 1)
    if on_start is not None:
        on_start(n_workers)
    items = [{"unit": json.dumps({"shard": asdict(u.shard), "start": u.start, "stop": u.stop})} for u in units]
    ds = ray.data.from_items(items, override_num_blocks=len(items))
    mapped = ds.map_batches(
        _UnitWorker,
        fn_constructor_kwargs={"spec": asdict(spec), "profiles": profiles, "out": out, "threads": cpus_per_worker},
        batch_size=1,
        compute=ray.data.ActorPoolStrategy(size=n_workers, max_tasks_in_flight_per_actor=2),
        num_cpus=cpus_per_worker,
    )  # Ray Data's actor pools restart dead actors and retry their tasks (max_restarts=-1) by default
    with _stop_on_interrupt() as stop:
        for row in mapped.iter_rows():
            yield json.loads(row["counts"])
            if stop.is_set():
                break
    if stop.is_set():
        ray.shutdown()  # stops the actors; a unit cut mid-commit has no marker and is redone next run
        raise KeyboardInterrupt


@contextmanager
def _stop_on_interrupt() -> Iterator[threading.Event]:
    """Turn Ctrl-C into a flag the driver checks between units.

    Why: Ray Data's streaming iterator swallows a KeyboardInterrupt raised while it waits (the job
    then runs to the end); a flag set by our own handler is seen at the next finished unit.
    """
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous = signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)
