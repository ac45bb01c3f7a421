"""`personaguard learn reset|audit` through the installed entry point, as a subprocess."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from personaguard.learn.learner import TrustRegionLearner
from personaguard.learn.reference import synthetic_reference
from personaguard.profile.profile import UserProfile
from personaguard.taxonomy import load_taxonomy

TAX = load_taxonomy()


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("personaguard") or str(Path(sys.executable).with_name("personaguard"))
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=120)


@pytest.fixture()
def profile_file(tmp_path: Path) -> Path:
    learner = TrustRegionLearner().fit(TAX, reference_probs=synthetic_reference(TAX.ids, seed=1))
    state = UserProfile(id="alice").learned
    for i, (cat, should) in enumerate([("violence", "allow"), ("sexual", "block"), ("violence", "allow")]):
        row = np.full(len(TAX.ids), 1e-6)
        row[TAX.index(cat)] = 0.9 if should == "allow" else 0.3
        state = learner.update(state, row, text=f"text {i}", should=should, verdict="block").state
    path = tmp_path / "alice.yaml"
    path.write_text(UserProfile(id="alice", learned=state).to_yaml(), encoding="utf-8")
    return path


def test_audit_lists_the_events_that_moved_the_threshold(profile_file: Path) -> None:
    out = _cli("learn", "audit", str(profile_file), "--category", "violence")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["user"] == "alice" and report["category"] == "violence"
    assert len(report["events"]) == 2 and all(e["should"] == "allow" for e in report["events"])
    assert report["offset"] == pytest.approx(sum(e["move"] for e in report["events"]))
    assert report["block_in_force"] > report["block_global"] == 0.75
    # two "should allow" events on texts violence was blocking: the elastic bound 0.01 -> 0.02 -> 0.04
    assert report["evidence"] == {"support": 2.0, "oppose": 0.0}
    assert [e["bound"] for e in report["events"]] == [0.02, 0.04]


def test_reset_of_one_category_keeps_the_others_and_the_log(profile_file: Path) -> None:
    out = _cli("learn", "reset", str(profile_file), "--category", "violence")
    assert out.returncode == 0, out.stderr
    profile = UserProfile.from_yaml(profile_file.read_text(encoding="utf-8"))
    assert profile.learned.offset("violence") == 0.0
    assert profile.learned.offset("sexual") < 0.0
    assert len(profile.learned.events) == 3


def test_unknown_category_is_one_line_on_stderr_and_exit_1(profile_file: Path) -> None:
    out = _cli("learn", "audit", str(profile_file), "--category", "gore")
    assert out.returncode == 4
    assert "gore" in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_missing_profile_file_is_a_clear_error(tmp_path: Path) -> None:
    out = _cli("learn", "reset", str(tmp_path / "nobody.yaml"))
    assert out.returncode == 4 and "nobody.yaml" in out.stderr
