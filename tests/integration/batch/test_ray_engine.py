"""The Ray engine on a real local Ray (2 CPUs): same decisions as local, no row lost or doubled."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from personaguard.batch.job import JobConfig, run_job

pytestmark = pytest.mark.ray
if os.environ.get("CI") == "true":  # CI installs the extra: its absence is a failure there, not a skip
    import psutil
    import ray
else:
    ray = pytest.importorskip("ray", reason="the Ray engine needs `pip install 'personaguard[ray]'`")
    psutil = pytest.importorskip("psutil")

TEXTS = ["How do I bake sourdough bread?", "I will kill you tonight.", "You are a fucking idiot.",
         "What is the capital of France?", "How many of my pills would be an overdose?"]


def _input(path: Path, n: int) -> Path:
    rows = [{"id": str(i), "text": f"{TEXTS[i % 5]} ({i})"} for i in range(n)]
    pq.write_table(pa.Table.from_pylist(rows), path)
    return path


def _rows(out: Path) -> list[dict[str, object]]:
    return sorted(pq.read_table(out / "decisions").to_pylist(), key=lambda r: str(r["row_id"]))


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def test_ray_and_local_engines_decide_every_row_alike(tmp_path: Path, local_ray: None) -> None:
    src = _input(tmp_path / "in.parquet", 400)
    local = run_job(JobConfig(input=str(src), output=str(tmp_path / "local"), unit_rows=40))
    remote = run_job(JobConfig(input=str(src), output=str(tmp_path / "ray"), unit_rows=40, engine="ray", workers=2))
    assert remote.engine == "ray" and remote.workers == 2 and remote.rows == local.rows == 400
    a, b = _rows(tmp_path / "local"), _rows(tmp_path / "ray")
    assert [r["row_id"] for r in a] == [r["row_id"] for r in b] and len({r["row_id"] for r in b}) == 400
    for x, y in zip(a, b):
        assert (x["outcome"], x["flagged"], x["categories"]) == (y["outcome"], y["flagged"], y["categories"]), x["row_id"]
        # onnxruntime and BLAS thread counts differ (2 here, 1 per actor): float32 rounding only.
        sx, sy = json.loads(str(x["scores_json"])), json.loads(str(y["scores_json"]))
        assert max(abs(sx[k] - sy[k]) for k in sx) < 1e-6
    pids = {json.loads(m.read_text())["pid"] for m in (tmp_path / "ray" / "_done").glob("*.json")}
    assert len(pids) == 2 and os.getpid() not in pids, "units ran in the two actors"
    assert remote.outcomes == local.outcomes


def test_killing_a_worker_mid_job_loses_and_doubles_no_row(tmp_path: Path) -> None:
    src = _input(tmp_path / "in.parquet", 3000)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "personaguard.cli.main", "batch", str(src), str(out), "--engine", "ray",
           "--workers", "2", "--unit-rows", "50", "--no-progress"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None and len(list((out / "_done").glob("*.json"))) < 8:
        time.sleep(0.05)
    workers = [p for p in psutil.Process(proc.pid).children(recursive=True)
               if "ray::MapWorker" in " ".join(p.cmdline())]
    assert workers, "no Ray actor found to kill"
    workers[0].send_signal(signal.SIGKILL)
    killed_at = len(list((out / "_done").glob("*.json")))
    stdout, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 0, stderr.decode()[-2000:]
    assert killed_at < 60, "the job should still have been running"
    rows = _rows(out)
    assert len(rows) == 3000 and len({r["row_id"] for r in rows}) == 3000
    assert sorted(int(str(r["id"])) for r in rows) == list(range(3000))
    pids = {json.loads(m.read_text())["pid"] for m in (out / "_done").glob("*.json")}
    assert len(pids) >= 3, "a restarted actor took over the killed one's units"
    # Ray's raylet may print its own notices (the retried task) on the driver's stdout too.
    result = next(json.loads(line) for line in stdout.decode().splitlines() if line.startswith('{"output"'))
    assert result["rows"] == 3000
