"""The package layout: stages import only earlier stages, and no stage's modules import each other in a circle.

``text -> normalize -> score -> profile -> learn -> decide -> record`` (``../shared/STYLE.md``,
docs/personalization.md). Imports inside functions count too: a lazy import is still a
dependency, it only moves the failure to run time.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).parents[2] / "personaguard"
STAGES = ("normalize", "score", "profile", "learn", "decide", "record")
BASE = {"taxonomy", "errors"}


def _imports() -> dict[str, set[str]]:
    """Module -> the personaguard modules it imports anywhere in its body (``from a import b`` adds a and a.b)."""
    graph: dict[str, set[str]] = defaultdict(set)
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("personaguard"):
                graph[module].add(node.module)
                graph[module].update(f"{node.module}.{a.name}" for a in node.names)
            elif isinstance(node, ast.Import):
                graph[module].update(a.name for a in node.names if a.name.startswith("personaguard"))
    return graph


def _stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def test_stages_import_only_earlier_stages() -> None:
    backward = []
    for module, targets in _imports().items():
        here = _stage(module)
        if here not in STAGES:
            continue
        for target in targets:
            there = _stage(target)
            if there is None or there in BASE or there == here:
                continue
            if there not in STAGES or STAGES.index(there) > STAGES.index(here):
                backward.append(f"{module} -> {target}")
    assert not backward, "backward imports:\n" + "\n".join(sorted(backward))


def test_no_stage_has_an_import_cycle() -> None:
    graph = _imports()
    modules = set(graph)
    for stage in STAGES:
        inside = {m for m in modules if _stage(m) == stage}
        edges = {m: {t for t in graph[m] if t in inside and t != m} for m in inside}
        # Depth-first search for a back edge.
        state: dict[str, int] = {}
        cycle: list[str] = []

        def visit(m: str, path: list[str], edges: dict[str, set[str]] = edges, state: dict[str, int] = state,
                  cycle: list[str] = cycle) -> None:
            state[m] = 1
            for t in sorted(edges[m]):
                if state.get(t) == 1 and not cycle:
                    cycle.extend([*path[path.index(t):], t])
                elif t not in state:
                    visit(t, [*path, t])
            state[m] = 2

        for m in sorted(inside):
            if m not in state:
                visit(m, [m])
        assert not cycle, f"import cycle in {stage}: " + " -> ".join(cycle)


def test_the_graph_reads_function_level_imports() -> None:
    # The graph reads function-level imports: the profile stage's lazy import of its parser is there.
    graph = _imports()
    assert "personaguard.profile.parse" in graph["personaguard.profile.profile"]
    assert any(t.startswith("personaguard.profile") for t in graph["personaguard.learn.learner"])
