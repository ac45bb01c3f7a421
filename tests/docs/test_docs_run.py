"""Every code block of README.md, docs/service.md and docs/agents.md runs as written.

Python blocks run in a fresh interpreter; bash blocks run in bash (errexit) in a temporary folder,
with the installed `personaguard` on PATH and PORT set to a free loopback port (the blocks read
`${PORT:-8000}`, so a reader runs them unchanged on 8000). The two-commands block of README is
what CI itself runs, so it is the one block left out.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
DOCS = [ROOT / "README.md", ROOT / "docs" / "service.md", ROOT / "docs" / "agents.md"]
_FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)


def _blocks() -> list[tuple[str, int, str, str]]:
    out = []
    for path in DOCS:
        for n, m in enumerate(_FENCE.finditer(path.read_text(encoding="utf-8"))):
            lang, code = m.group(1), m.group(2)
            if lang in ("python", "bash") and "make test" not in code:
                out.append((path.name, n, lang, code))
    return out


BLOCKS = _blocks()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_docs_have_runnable_blocks() -> None:
    langs = [(name, lang) for name, _, lang, _ in BLOCKS]
    assert ("README.md", "python") in langs and ("README.md", "bash") in langs and ("service.md", "bash") in langs


@pytest.mark.parametrize(("doc", "n", "lang", "code"), BLOCKS, ids=[f"{b[0]}#{b[1]}" for b in BLOCKS])
def test_block_runs_as_written(doc: str, n: int, lang: str, code: str, tmp_path: Path) -> None:
    env = {**os.environ, "PORT": str(_free_port()),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    cmd = [sys.executable, "-c", code] if lang == "python" else ["bash", "-e", "-o", "pipefail", "-c", code]
    out = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert out.returncode == 0, (doc, n, out.stdout[-2000:], out.stderr[-2000:])
    assert "Traceback" not in out.stderr, out.stderr[-2000:]
    if lang == "bash":
        # The last curl answers a moderation for u1, as the text around the block says.
        body = _json_values(out.stdout)[-1]
        expected = {"README.md": ("registered_user", "allow"), "service.md": ("stored_profile", "warn")}[doc]
        assert (body["policy"]["source"], body["results"][0]["outcome"]) == expected, body


def _json_values(text: str) -> list[dict[str, object]]:
    """The JSON objects printed one after another (curl adds no newline)."""
    decoder = json.JSONDecoder()
    values, i = [], text.find("{")
    while i != -1:
        value, end = decoder.raw_decode(text, i)
        values.append(value)
        i = text.find("{", end)
    return values
