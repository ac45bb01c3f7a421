"""Input shards of a batch job and the units of work it commits one at a time.

A *shard* is one input file (CSV, JSONL or Parquet); a *unit* is a run of at most
``unit_rows`` consecutive rows of one shard. A unit is the job's commit granularity: it is
decided whole and written with one atomic rename, so a rerun after a crash redoes unfinished
units and never writes a row twice (``docs/batch.md``). Unit ids derive from the shard's
content hash and the row range, so they are the same on every machine and every rerun, and a
shard whose content changed gets new ones.
"""

from __future__ import annotations

import glob
import hashlib
from dataclasses import dataclass
from pathlib import Path

from personaguard.batch.readers import FORMATS, read_rows
from personaguard.errors import BatchJobError

__all__ = ["Shard", "Unit", "find_shards", "plan_units"]

_HASH_CHUNK = 1 << 20


@dataclass(frozen=True)
class Shard:
    """One input file.

    Attributes
    ----------
    path : str
        Where to read it (absolute).
    name : str
        Its path relative to the input root, POSIX style: the stable part of every row id.
    digest : str
        SHA-256 of its bytes (hex, 16 characters): ties finished units to this content.
    n_rows : int
        Rows as :func:`~personaguard.batch.readers.read_rows` yields them (unreadable rows count).
    """

    path: str
    name: str
    digest: str
    n_rows: int


@dataclass(frozen=True)
class Unit:
    """Rows ``[start, stop)`` of one shard, in :func:`read_rows` order.

    Examples
    --------
    >>> Unit(Shard("/in/a.jsonl", "a.jsonl", "0123456789abcdef", 10), 0, 10).unit_id
    '0123456789abcdef-000000000'
    """

    shard: Shard
    start: int
    stop: int

    @property
    def unit_id(self) -> str:
        """Stable id: the shard's content digest and the first row's index."""
        return f"{self.shard.digest}-{self.start:09d}"


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_HASH_CHUNK):
            h.update(chunk)
    return h.hexdigest()[:16]


def _count_rows(path: Path, text_col: str) -> int:
    if path.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        schema = pq.read_schema(path)
        if text_col not in schema.names:
            raise BatchJobError(f"{path.name}: no column {text_col!r}; columns are {schema.names}; pass --text-col")
        return int(pq.ParquetFile(path).metadata.num_rows)
    try:
        return sum(1 for _ in read_rows(path, text_col=text_col))
    except ValueError as exc:  # a CSV without the text column
        raise BatchJobError(str(exc)) from exc


def find_shards(spec: str | Path, *, text_col: str = "text") -> list[Shard]:
    """The input files a spec names: a file, a folder (searched recursively) or a glob.

    Files are kept when their extension is a known format and sorted by name, so the plan is
    the same on every run.

    Parameters
    ----------
    spec : str or path-like
        ``data.parquet``, ``shards/`` or ``"logs/2026-*/*.jsonl"``.
    text_col : str, default="text"
        Checked to exist in Parquet schemas and CSV headers before any work starts.

    Returns
    -------
    list of Shard

    Raises
    ------
    BatchJobError
        If the spec matches no readable file, or a file lacks the text column.
    """
    path = Path(spec)
    if path.is_file():
        root, files = path.parent, [path]
    elif path.is_dir():
        root, files = path, [p for p in path.rglob("*") if p.is_file()]
    else:
        matches = [Path(m) for m in glob.glob(str(spec), recursive=True)]
        files = [m for m in matches if m.is_file()]
        root = Path(_glob_root(str(spec)))
    files = sorted((f for f in files if f.suffix.lower() in FORMATS and not f.name.startswith((".", "_"))),
                   key=lambda f: f.as_posix())
    if not files:
        raise BatchJobError(f"{spec}: no input file (.csv, .jsonl, .ndjson or .parquet) found")
    return [Shard(str(f.resolve()), f.resolve().relative_to(root.resolve()).as_posix(), _digest(f),
                  _count_rows(f, text_col)) for f in files]


def _glob_root(spec: str) -> str:
    """The folder part of a glob before its first wildcard (row ids are relative to it)."""
    parts = Path(spec).parts
    fixed = []
    for part in parts:
        if any(ch in part for ch in "*?["):
            break
        fixed.append(part)
    return str(Path(*fixed)) if fixed else "."


def plan_units(shards: list[Shard], unit_rows: int) -> list[Unit]:
    """Split every shard into units of at most ``unit_rows`` rows, in shard order.

    Examples
    --------
    >>> s = Shard("/in/a.jsonl", "a.jsonl", "0123456789abcdef", 5)
    >>> [(u.start, u.stop) for u in plan_units([s], 2)]
    [(0, 2), (2, 4), (4, 5)]
    """
    if unit_rows < 1:
        raise ValueError(f"unit_rows must be >= 1, got {unit_rows}")
    return [Unit(s, start, min(start + unit_rows, s.n_rows)) for s in shards for start in range(0, s.n_rows, unit_rows)]
