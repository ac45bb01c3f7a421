
import pytest

from personaguard.batch.readers import read_rows


def test_jsonl_bad_rows_are_reported_with_line_numbers(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "in.jsonl"
    path.write_bytes(
        b'{"text": "hello"}\n'
        b"{not json}\n"
        b'{"text": "caf\xff"}\n'
        b'{"text": 42}\n'
        b"\n"
        b'{"id": 7, "text": "bye", "context": "q"}\n'
    )
    rows = list(read_rows(path, context_col="context"))
    assert [r.line for r in rows] == [1, 2, 3, 4, 6]
    assert rows[0].text == "hello" and rows[0].error is None
    assert "invalid JSON" in (rows[1].error or "")
    assert "UTF-8" in (rows[2].error or "")
    assert "must be a string" in (rows[3].error or "")
    assert (rows[4].text, rows[4].context, rows[4].id) == ("bye", "q", "7")


def test_csv_multiline_and_bad_bytes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "in.csv"
    path.write_bytes(b'id,text\n1,"two\nlines"\n2,bad \xfe byte\n3,fine\n')
    rows = list(read_rows(path))
    assert [(r.line, r.text) for r in rows if r.error is None] == [(2, "two\nlines"), (5, "fine")]
    assert [r.line for r in rows if r.error] == [4]


def test_csv_without_text_column_is_a_clear_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "in.csv"
    path.write_text("body\nhello\n")
    with pytest.raises(ValueError, match="--text-col"):
        list(read_rows(path))


def test_parquet_rows(tmp_path) -> None:  # type: ignore[no-untyped-def]
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    path = tmp_path / "in.parquet"
    pq.write_table(pa.table({"text": ["a", None, "c"]}), path)
    rows = list(read_rows(path))
    assert [r.text for r in rows] == ["a", None, "c"]
    assert rows[1].error is not None and "missing" in rows[1].error


def test_unknown_extension(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="unknown file type"):
        read_rows(tmp_path / "x.xlsx")
