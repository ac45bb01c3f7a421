"""Shards, units and the output dataset's exactly-once rules, without a model."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from personaguard.batch.dataset import OutputDataset
from personaguard.batch.readers import read_rows
from personaguard.batch.shards import find_shards, plan_units
from personaguard.errors import BatchJobError


def _jsonl(path: Path, n: int, *, bad_at: int | None = None) -> None:
    lines = [json.dumps({"id": f"{path.stem}-{i}", "text": f"text {i}"}) for i in range(n)]
    if bad_at is not None:
        lines[bad_at] = "{broken"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_folder_glob_and_file_find_the_same_shards_in_name_order(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    _jsonl(tmp_path / "b.jsonl", 3)
    _jsonl(tmp_path / "sub" / "a.jsonl", 2, bad_at=1)
    (tmp_path / "notes.txt").write_text("not a shard")
    (tmp_path / "_hidden.jsonl").write_text("{}\n")
    by_folder = find_shards(tmp_path)
    assert [(s.name, s.n_rows) for s in by_folder] == [("b.jsonl", 3), ("sub/a.jsonl", 2)]  # a bad row counts
    assert find_shards(f"{tmp_path}/**/*.jsonl") == by_folder
    assert [s.name for s in find_shards(tmp_path / "b.jsonl")] == ["b.jsonl"]


def test_unit_ids_follow_content_not_file_names(tmp_path: Path) -> None:
    _jsonl(tmp_path / "a.jsonl", 5)
    first = [u.unit_id for u in plan_units(find_shards(tmp_path), 2)]
    assert first == [u.unit_id for u in plan_units(find_shards(tmp_path), 2)]
    assert len(set(first)) == 3
    _jsonl(tmp_path / "a.jsonl", 6)
    assert set(first).isdisjoint(u.unit_id for u in plan_units(find_shards(tmp_path), 2))


def test_no_input_and_missing_text_column_are_job_errors(tmp_path: Path) -> None:
    with pytest.raises(BatchJobError, match="no input file"):
        find_shards(tmp_path)
    pq.write_table(pa.table({"body": ["x"]}), tmp_path / "a.parquet")
    with pytest.raises(BatchJobError, match="no column 'text'"):
        find_shards(tmp_path)


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet", ".csv"])
def test_read_rows_start_stop_select_the_same_rows_as_slicing_all(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"a{suffix}"
    rows = [{"id": str(i), "text": f"t{i}"} for i in range(7)]
    if suffix == ".parquet":
        pq.write_table(pa.Table.from_pylist(rows), path)
    elif suffix == ".csv":
        path.write_text("id,text\n" + "".join(f"{r['id']},{r['text']}\n" for r in rows))
    else:
        path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    whole = list(read_rows(path))
    assert list(read_rows(path, start=2, stop=5)) == whole[2:5]
    assert list(read_rows(path, start=6, stop=50)) == whole[6:]


def _commit(ds: OutputDataset, unit: str, n: int) -> None:
    rows = [{"row_id": f"a:{i}", "shard": "a", "line": i, "id": None, "user": None, "outcome": "allow", "flagged": False,
             "p_any": 0.1, "categories": [], "scores_json": "{}", "explanation": "", "model_version": "m", "unit": unit}
            for i in range(n)]
    ds.commit(unit, rows, [], {"rows": n})


def test_recommitting_a_unit_replaces_its_part_never_appends(tmp_path: Path) -> None:
    ds = OutputDataset(tmp_path / "out")
    ds.prepare({"model_version": "m"})
    _commit(ds, "u1", 3)
    _commit(ds, "u1", 3)  # a retried unit
    _commit(ds, "u2", 2)
    table = pq.read_table(ds.decisions)
    assert table.num_rows == 5
    assert set(ds.finished()) == {"u1", "u2"}


def test_output_of_another_job_is_refused_unless_overwrite(tmp_path: Path) -> None:
    ds = OutputDataset(tmp_path / "out")
    ds.prepare({"model_version": "m1"})
    _commit(ds, "u1", 2)
    (ds.decisions / ".u9.123.tmp").write_bytes(b"half a part")
    ds.prepare({"model_version": "m1"})  # the same job resumes, stale temporaries go
    assert set(ds.finished()) == {"u1"} and not list(ds.decisions.glob(".*.tmp"))
    with pytest.raises(BatchJobError, match="differs in: model_version"):
        ds.prepare({"model_version": "m2"})
    ds.prepare({"model_version": "m2"}, overwrite=True)
    assert ds.finished() == {} and pq.read_table(ds.decisions).num_rows == 0


def test_a_non_empty_folder_without_a_job_is_refused(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(BatchJobError, match="not empty"):
        OutputDataset(tmp_path).prepare({"model_version": "m"})
    assert (tmp_path / "keep.txt").read_text() == "mine"
