"""The output folder of a batch job: Parquet parts committed per unit, exactly once.

Layout of ``OUT``::

    OUT/_job.json                   what the job is (model version, columns, unit plan)
    OUT/decisions/<unit>.parquet    one part per unit: the decided rows
    OUT/errors/<unit>.parquet       one part per unit: the rows that could not be decided, with why
    OUT/_done/<unit>.json           written last: the unit is finished (its counts)

A part is written to a hidden temporary file and renamed into place (atomic on one file
system), and the ``_done`` marker comes after both parts. A unit without a marker is redone on
the next run and its parts are replaced, never appended to: no row is written twice, and a
crash at any point loses at most the units in flight. ``pyarrow.parquet.read_table(OUT /
"decisions")`` (or Spark, DuckDB, pandas) reads the parts as one dataset; hidden and
underscore files are skipped by those readers.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from personaguard.errors import BatchJobError

__all__ = ["DECISION_COLUMNS", "ERROR_COLUMNS", "OutputDataset"]

#: Columns of ``decisions/`` (pyarrow types), in order.
DECISION_COLUMNS: dict[str, str] = {
    "row_id": "string", "shard": "string", "line": "int64", "id": "string", "user": "string",
    "outcome": "string", "flagged": "bool", "p_any": "float64", "categories": "list<string>",
    "scores_json": "string", "explanation": "string", "model_version": "string", "unit": "string",
}
#: Columns of ``errors/``.
ERROR_COLUMNS: dict[str, str] = {
    "row_id": "string", "shard": "string", "line": "int64", "id": "string", "user": "string",
    "error": "string", "unit": "string",
}


def _schema(columns: dict[str, str]) -> Any:
    import pyarrow as pa

    types = {"string": pa.string(), "int64": pa.int64(), "bool": pa.bool_(), "float64": pa.float64(),
             "list<string>": pa.list_(pa.string())}
    return pa.schema([(name, types[kind]) for name, kind in columns.items()])


def _write_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


class OutputDataset:
    """One job's output folder (see the module docstring for the layout).

    Parameters
    ----------
    root : path-like
        ``OUT``; created when missing.
    """

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.decisions = self.root / "decisions"
        self.errors = self.root / "errors"
        self.done_dir = self.root / "_done"

    def prepare(self, job: dict[str, Any], *, overwrite: bool = False) -> None:
        """Create the folders, or check that they hold this same job (then it resumes).

        Raises
        ------
        BatchJobError
            If ``OUT`` is a file, or holds another job's output (other model version, columns
            or input) and ``overwrite`` is False.
        """
        if self.root.exists() and not self.root.is_dir():
            raise BatchJobError(f"{self.root} is a file; the output of --engine local|ray is a folder")
        manifest = self.root / "_job.json"
        if manifest.exists():
            try:
                old = json.loads(manifest.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise BatchJobError(f"{manifest}: unreadable ({exc}); pass --overwrite to start again") from exc
            differs = sorted(k for k in set(job) | set(old) if job.get(k) != old.get(k))
            if differs and not overwrite:
                raise BatchJobError(f"{self.root} holds the output of another job (differs in: {', '.join(differs)}); "
                                    "use a new folder, or --overwrite to replace it")
            if differs:
                for sub in (self.decisions, self.errors, self.done_dir):
                    shutil.rmtree(sub, ignore_errors=True)
        elif self.root.exists() and any(self.root.iterdir()):
            raise BatchJobError(f"{self.root} is not empty and holds no batch job; use a new or empty folder")
        for sub in (self.decisions, self.errors, self.done_dir):
            sub.mkdir(parents=True, exist_ok=True)
            for stale in sub.glob(".*.tmp"):  # a part a killed run never renamed into place
                stale.unlink(missing_ok=True)
        _write_json(manifest, job)

    def finished(self) -> dict[str, dict[str, Any]]:
        """Unit id -> its counts, for every committed unit."""
        out: dict[str, dict[str, Any]] = {}
        if not self.done_dir.is_dir():
            return out
        for marker in self.done_dir.glob("*.json"):
            out[marker.stem] = json.loads(marker.read_text(encoding="utf-8"))
        return out

    def commit(self, unit_id: str, decisions: list[dict[str, Any]], errors: list[dict[str, Any]],
               counts: dict[str, Any]) -> None:
        """Write one unit's parts, then its marker; each file appears whole or not at all."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        for folder, rows, columns in ((self.decisions, decisions, DECISION_COLUMNS), (self.errors, errors, ERROR_COLUMNS)):
            table = pa.Table.from_pylist(rows, schema=_schema(columns))
            final = folder / f"{unit_id}.parquet"
            tmp = folder / f".{unit_id}.{os.getpid()}.tmp"
            pq.write_table(table, tmp)
            os.replace(tmp, final)
        _write_json(self.done_dir / f"{unit_id}.json", counts)
