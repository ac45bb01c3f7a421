"""Reading texts from CSV, JSONL or Parquet files, row by row, with line numbers.

A row that cannot be read (invalid UTF-8, broken JSON, missing or non-string text) becomes a
:class:`BatchRow` with ``error`` set, so the writer reports it and nothing is dropped silently.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

__all__ = ["FORMATS", "BatchRow", "read_rows"]

csv.field_size_limit(64 * 1024 * 1024)


@dataclass(frozen=True)
class BatchRow:
    """One input row.

    Attributes
    ----------
    line : int
        1-based line number (CSV: physical line of the row's start; Parquet: row number).
    text : str or None
        The text to check, None when the row is an error.
    context : str or None
    error : str or None
        Why the row could not be read.
    id : str or None
        The row's ``id`` field, when the file has one.
    fields : dict
        The whole record (for label columns and pass-through ids).
    """

    line: int
    text: str | None
    context: str | None = None
    error: str | None = None
    id: str | None = None
    fields: dict[str, object] = field(default_factory=dict)


def _decode_lines(path: Path) -> Iterator[tuple[int, str | None, str | None]]:
    with path.open("rb") as f:
        for n, raw in enumerate(f, start=1):
            try:
                yield n, raw.decode("utf-8"), None
            except UnicodeDecodeError as exc:
                yield n, None, f"invalid UTF-8 at byte {exc.start}"


def _field(record: dict[str, object], name: str | None, line: int) -> tuple[str | None, str | None]:
    if name is None:
        return None, None
    value = record.get(name)
    if value is None:
        return None, f"line {line}: missing field {name!r}"
    if not isinstance(value, str):
        return None, f"line {line}: field {name!r} must be a string, got {type(value).__name__}"
    return value, None


def _row(record: dict[str, object], line: int, text_col: str, context_col: str | None) -> BatchRow:
    text, err = _field(record, text_col, line)
    if err:
        return BatchRow(line, None, error=err)
    context, err = _field(record, context_col, line) if context_col and record.get(context_col) is not None else (None, None)
    if err:
        return BatchRow(line, None, error=err)
    rid = record.get("id")
    return BatchRow(line, text, context, id=None if rid is None else str(rid), fields=record)


def _read_jsonl(path: Path, text_col: str, context_col: str | None) -> Iterator[BatchRow]:
    for line, decoded, err in _decode_lines(path):
        if err or decoded is None:
            yield BatchRow(line, None, error=err)
            continue
        if not decoded.strip():
            continue  # blank line: no row
        try:
            record = json.loads(decoded)
        except json.JSONDecodeError as exc:
            yield BatchRow(line, None, error=f"invalid JSON: {exc.msg} (column {exc.colno})")
            continue
        if not isinstance(record, dict):
            yield BatchRow(line, None, error=f"expected a JSON object, got {type(record).__name__}")
            continue
        yield _row(record, line, text_col, context_col)


_BAD_LINE = "\x00personaguard-undecodable-line\x00"


def _read_csv(path: Path, text_col: str, context_col: str | None) -> Iterator[BatchRow]:
    raw = path.read_bytes()
    # Decode line by line so one bad byte costs one row, not the file.
    lines: list[str] = []
    bad: dict[int, str] = {}
    for n, chunk in enumerate(raw.splitlines(keepends=True), start=1):
        try:
            lines.append(chunk.decode("utf-8-sig" if n == 1 else "utf-8"))
        except UnicodeDecodeError as exc:
            bad[n] = f"invalid UTF-8 at byte {exc.start}"
            lines.append(_BAD_LINE + "\n")
    reader = csv.DictReader(io.StringIO("".join(lines)))
    if reader.fieldnames is None or text_col not in reader.fieldnames:
        raise ValueError(f"{path}: no column {text_col!r}; columns are {reader.fieldnames}; pass --text-col")
    start = 2
    for record in reader:
        line = start
        start = reader.line_num + 1
        if line in bad or _BAD_LINE in (record.get(reader.fieldnames[0]) or ""):
            yield BatchRow(line, None, error=bad.get(line, "invalid UTF-8"))
            continue
        if None in record:
            yield BatchRow(line, None, error=f"row has {len(record) - 1 + len(record[None])} fields, more than the header")
            continue
        yield _row(dict(record), line, text_col, context_col)


def _read_parquet(path: Path, text_col: str, context_col: str | None, start: int = 0,
                  stop: int | None = None) -> Iterator[BatchRow]:
    try:
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise ValueError("reading Parquet needs pyarrow: pip install 'personaguard[batch]'") from exc
    table = pq.read_table(path)
    if text_col not in table.column_names:
        raise ValueError(f"{path}: no column {text_col!r}; columns are {table.column_names}; pass --text-col")
    stop = table.num_rows if stop is None else min(stop, table.num_rows)
    # Slice before converting: a unit of a large file converts its own rows only.
    for n, record in enumerate(table.slice(start, max(stop - start, 0)).to_pylist(), start=start + 1):
        yield _row(record, n, text_col, context_col)


FORMATS = {".jsonl": _read_jsonl, ".ndjson": _read_jsonl, ".csv": _read_csv, ".parquet": _read_parquet}


def read_rows(path: str | Path, *, text_col: str = "text", context_col: str | None = None, start: int = 0,
              stop: int | None = None) -> Iterator[BatchRow]:
    """Rows of a CSV, JSONL or Parquet file, chosen by extension.

    ``start``/``stop`` select rows ``[start, stop)`` in this order (blank JSONL lines are no
    rows; unreadable rows are): a batch job's unit reads its own rows only (Parquet slices the
    table, the line formats skip ahead).

    Raises
    ------
    ValueError
        For an unknown extension or a missing text column.
    """
    p = Path(path)
    reader = FORMATS.get(p.suffix.lower())
    if reader is None:
        raise ValueError(f"{p}: unknown file type {p.suffix!r}; use one of {sorted(FORMATS)}")
    if start < 0 or (stop is not None and stop < start):
        raise ValueError(f"need 0 <= start <= stop, got start={start}, stop={stop}")
    if reader is _read_parquet:
        return _read_parquet(p, text_col, context_col, start, stop)
    rows = reader(p, text_col, context_col)
    return rows if start == 0 and stop is None else islice(rows, start, stop)
