"""Batch jobs with the packaged model: per-row users, error rows, resume after a crash."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from personaguard import Guard
from personaguard.batch.job import JobConfig, run_job
from personaguard.batch.unit import RowSpec
from personaguard.errors import BatchJobError

TEXTS = ["How do I bake sourdough bread?", "I will kill you tonight.", "You are a fucking idiot.",
         "What is the capital of France?", "How many of my pills would be an overdose?"]


@pytest.fixture(scope="module")
def guard() -> Guard:
    return Guard()


def _inputs(root: Path, n: int = 120) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    users = ["nurse", "teen", None, "ghost"]
    rows = [{"id": f"p{i}", "text": f"{TEXTS[i % 5]} ({i})", "user": users[i % 4]} for i in range(n)]
    pq.write_table(pa.Table.from_pylist(rows), root / "a.parquet")
    lines = [json.dumps({"id": f"j{i}", "text": TEXTS[i % 5]}) for i in range(30)]
    lines[7] = "{broken"
    lines[9] = json.dumps({"id": "j9", "text": 5})
    (root / "b.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def _profiles(path: Path) -> Path:
    path.write_text("- id: nurse\n  self_description: I am a nurse.\n- id: teen\n  age_band: teen\n", encoding="utf-8")
    return path


def _decisions(out: Path) -> list[dict[str, object]]:
    rows = pq.read_table(out / "decisions").to_pylist()
    return sorted(rows, key=lambda r: str(r["row_id"]))


def test_rows_are_decided_for_their_user_and_bad_rows_go_to_errors(tmp_path: Path, guard: Guard) -> None:
    src = _inputs(tmp_path / "in")
    cfg = JobConfig(input=str(src), output=str(tmp_path / "out"), unit_rows=25,
                    spec=RowSpec(user_col="user"), profiles=("file", str(_profiles(tmp_path / "users.yaml"))))
    summary = run_job(cfg)
    decided = _decisions(tmp_path / "out")
    errors = pq.read_table(tmp_path / "out" / "errors").to_pylist()
    assert summary.rows == 150 and summary.decided == len(decided) == 150 - 30 - 2 and summary.errors == 32
    assert len({r["row_id"] for r in decided} | {r["row_id"] for r in errors}) == 150, "row ids are unique"
    reasons = sorted({str(e["error"]).split(":")[0] for e in errors})
    assert reasons == ["invalid JSON", "line 10", "unknown user 'ghost'"], reasons
    # Each row's decision is the one Guard.check gives for that user's profile.
    from personaguard.profile.profile import UserProfile

    teen = UserProfile.model_validate({"id": "teen", "age_band": "teen"})
    for row in decided:
        if row["user"] == "teen":
            text = f"{TEXTS[int(str(row['id'])[1:]) % 5]} ({str(row['id'])[1:]})"
            assert row["outcome"] == guard.check(text, user=teen).outcome.value
    assert summary.outcomes == {k: sum(r["outcome"] == k for r in decided) for k in summary.outcomes}
    assert json.loads((tmp_path / "out" / "_summary.json").read_text())["decided"] == 118


def test_a_crashed_run_resumes_to_the_same_output_and_skips_finished_units(tmp_path: Path) -> None:
    src = _inputs(tmp_path / "in")
    whole = JobConfig(input=str(src), output=str(tmp_path / "whole"), unit_rows=20)
    run_job(whole)
    crashed = JobConfig(input=str(src), output=str(tmp_path / "crashed"), unit_rows=20)
    first = run_job(crashed)
    # A crash before three units committed: their markers never came; one left a half-written part.
    done = sorted((tmp_path / "crashed" / "_done").glob("*.json"))
    for marker in done[:3]:
        marker.unlink()
    (tmp_path / "crashed" / "decisions" / ".x.1.tmp").write_bytes(b"half")
    again = run_job(crashed)
    assert again.units_skipped == first.units - 3 and again.rows_this_run < first.rows_this_run
    assert _decisions(tmp_path / "crashed") == _decisions(tmp_path / "whole")
    assert not list((tmp_path / "crashed" / "decisions").glob(".*"))
    done_again = run_job(crashed)
    assert done_again.units_skipped == done_again.units and done_again.rows_this_run == 0


def test_another_job_in_the_same_folder_is_refused(tmp_path: Path) -> None:
    src = _inputs(tmp_path / "in", n=20)
    run_job(JobConfig(input=str(src), output=str(tmp_path / "out"), unit_rows=50))
    with pytest.raises(BatchJobError, match="differs in: unit_rows"):
        run_job(JobConfig(input=str(src), output=str(tmp_path / "out"), unit_rows=10))
    assert run_job(JobConfig(input=str(src), output=str(tmp_path / "out"), unit_rows=10, overwrite=True)).rows == 50


def test_users_from_the_store_are_decided_with_the_tenant_policy(tmp_path: Path, guard: Guard) -> None:
    from personaguard.profile.profile import UserProfile
    from personaguard.record import repos
    from personaguard.record.db import make_engine, make_sessions, session_scope, upgrade

    url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(make_sessions(engine)) as session:
        tenant = repos.create_tenant(session, name="acme", register_unknown_users=False).tenant
        repos.put_profile(session, tenant_id=tenant.id, user_id="teen", document={"id": "teen", "age_band": "teen"})
    engine.dispose()
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"text": t, "user": u}) + "\n" for t in TEXTS for u in ("teen", "nobody")))
    summary = run_job(JobConfig(input=str(src), output=str(tmp_path / "out"), spec=RowSpec(user_col="user"),
                                profiles=("store", url, "acme")))
    assert summary.decided == 5 and summary.errors == 5
    teen = UserProfile.model_validate({"id": "teen", "age_band": "teen"})
    got = [r["outcome"] for r in _decisions(tmp_path / "out")]
    assert got == [guard.check(t, user=teen).outcome.value for t in TEXTS]


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "personaguard.cli.main", "batch", *args, "--no-progress"]


def test_ctrl_c_half_way_then_rerun_gives_the_uninterrupted_output(tmp_path: Path) -> None:
    rows = [{"id": str(i), "text": f"{TEXTS[i % 5]} ({i})"} for i in range(1500)]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "in.parquet")
    ref = subprocess.run(_cli(str(tmp_path / "in.parquet"), str(tmp_path / "ref"), "--unit-rows", "50"),
                         capture_output=True, timeout=600, check=False)
    assert ref.returncode == 0, ref.stderr
    out = tmp_path / "out"
    proc = subprocess.Popen(_cli(str(tmp_path / "in.parquet"), str(out), "--unit-rows", "50"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and len(list((out / "_done").glob("*.json"))) < 12 and proc.poll() is None:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    done = len(list((out / "_done").glob("*.json")))
    assert proc.returncode == 130 and b"interrupted" in err and b"Traceback" not in err
    assert 0 < done < 30, done
    rerun = subprocess.run(_cli(str(tmp_path / "in.parquet"), str(out), "--unit-rows", "50"),
                           capture_output=True, timeout=600, check=False)
    assert rerun.returncode == 0, rerun.stderr
    assert f"({done} already done, skipped)".encode() in rerun.stderr
    assert _decisions(out) == _decisions(tmp_path / "ref")


def test_cli_refuses_user_column_without_profiles_with_one_line(tmp_path: Path) -> None:
    _inputs(tmp_path / "in", n=5)
    out = subprocess.run(_cli(str(tmp_path / "in"), str(tmp_path / "out"), "--user-col", "user"),
                         capture_output=True, timeout=120, check=False)
    assert out.returncode == 4 and b"needs a profile source" in out.stderr and b"Traceback" not in out.stderr


def test_a_context_column_judges_responses_in_their_prompt(tmp_path: Path, guard: Guard) -> None:
    pairs = [("How do I kill a python process?", "Run kill -9 with its process id."),
             ("Tell me a story.", "Once upon a time a knight slew a dragon.")]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": str(i), "prompt": p, "response": r}) + "\n"
                           for i, (p, r) in enumerate(pairs)))
    run_job(JobConfig(input=str(src), output=str(tmp_path / "out"),
                      spec=RowSpec(text_col="response", context_col="prompt")))
    got = _decisions(tmp_path / "out")
    for row, (prompt, response) in zip(got, pairs, strict=True):
        expected = guard.check(response, prompt)
        assert (row["outcome"], row["explanation"]) == (expected.outcome.value, expected.explanation)
