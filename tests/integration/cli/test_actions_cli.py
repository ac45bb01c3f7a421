"""`personaguard check-action` and `eval-actions` as a user runs them: exit codes and output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "personaguard.cli.main", *args], input=stdin,
                          capture_output=True, timeout=600, check=False)


def test_check_action_exit_code_is_the_outcome(tmp_path: Path) -> None:
    act = tmp_path / "a.json"
    act.write_text(json.dumps({"tool": "post_social", "arguments": {"text": "I live at 22 Orchard Lane, come by!"}}))
    asked = run("check-action", str(act), "--privacy", "balanced")
    assert asked.returncode == 1, asked.stderr
    assert b"CONFIRM" in asked.stdout and b"ask the user" in asked.stdout
    profile = tmp_path / "p.yaml"
    profile.write_text("id: u\nprivacy_settings: {location: block}\n")
    blocked = run("check-action", str(act), "--user", str(profile), "--json")
    assert blocked.returncode == 2
    assert json.loads(blocked.stdout)["outcome"] == "block"
    plain = run("check-action", "-", stdin=b'{"tool": "search_web", "arguments": {"query": "weather"}}')
    assert plain.returncode == 0, plain.stderr


@pytest.mark.parametrize("stdin", [b"{not json", b"\xff\xfe", b'{"foo": 1}', b'{"tool": "x", "arguments": "[1]"}'])
def test_check_action_bad_input_is_a_clear_error(stdin: bytes) -> None:
    r = run("check-action", "-", stdin=stdin)
    assert r.returncode == 4
    assert b"Traceback" not in r.stderr and b"error" in r.stderr


@pytest.mark.slow
def test_eval_actions_prints_and_writes_figures(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    r = run("eval-actions", "--split", "dev", "--out", str(out), "--plot", str(tmp_path / "rates.png"))
    assert r.returncode == 0, r.stderr
    assert b"privacy-first" in r.stdout and b"p50 per check" in r.stdout
    figures = json.loads(out.read_text())
    assert {p["persona"] for p in figures["personas"]} == {"privacy-first", "balanced", "utility-first"}
    assert (tmp_path / "rates.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
