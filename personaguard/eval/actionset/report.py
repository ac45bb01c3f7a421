"""Score the action checker on the evaluation set, per persona: leak-catch and needless-confirm.

Leak-catch rate: leaking actions that get ``confirm`` or ``block``. Needless-confirm rate: benign,
harmless actions that do not get ``allow``. Also: harmful posts caught, leaking trajectories
confirmed already at the draft (before the irreversible send), per family and per slice with the
worst family quoted, and the p50 time of one check.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from personaguard.actions.flows import FileMemory
from personaguard.actions.kinds import ActionOutcome, PrivacyPersona
from personaguard.actions.shapes import parse_action, parse_trajectory
from personaguard.errors import ConfigError, PersonaguardError

if TYPE_CHECKING:
    from personaguard.actions.checker import ActionChecker

__all__ = ["PersonaReport", "chain_training_steps", "evaluate_actions", "format_report", "load_action_set"]

def load_action_set(path: str | Path | None = None) -> list[dict[str, Any]]:
    """The packaged evaluation set (or one from a JSONL file), each item checked for its fields.

    Raises
    ------
    ConfigError
        A line that is not JSON or lacks ``id``, ``action`` or ``leak``.
    """
    if path is None:
        text = resources.files("personaguard.eval.actionset").joinpath("actions.jsonl").read_text(encoding="utf-8")
        source = "personaguard/eval/actionset/actions.jsonl"
    else:
        text, source = Path(path).read_text(encoding="utf-8"), str(path)
    items = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"line {n} is not JSON: {exc}", source=source) from exc
        if not isinstance(item, dict) or not {"id", "action", "leak"} <= set(item):
            raise ConfigError(f"line {n} needs id, action and leak", source=source)
        items.append(item)
    return items


def chain_training_steps(checker: ActionChecker, items: Iterable[dict[str, Any]]) -> list[list[tuple[str, bool, bool]]]:
    """Each item as (channel, tainted after the step, the step leaks) steps, for ``MarkovChain.fit``."""
    out = []
    for item in items:
        steps = [*parse_trajectory(item.get("trajectory")), parse_action(item["action"])]
        seq = [(state, bool(tainted), False) for _, state, tainted in checker.replay(steps, FileMemory()) if state]
        seq[-1] = (seq[-1][0], seq[-1][1], bool(item["leak"]))
        out.append(seq)
    return out


@dataclass
class PersonaReport:
    """Figures for one persona over the evaluation set."""

    persona: str
    n_leak: int = 0
    n_benign: int = 0
    n_harmful: int = 0
    leak_catch: float = 0.0
    needless_confirm: float = 0.0
    harm_catch: float = 0.0
    early_confirm: float = 0.0
    errors: int = 0
    by_family: dict[str, dict[str, float]] = field(default_factory=dict)
    by_slice: dict[str, dict[str, float]] = field(default_factory=dict)
    worst_family_leak_catch: tuple[str, float] = ("", 1.0)
    worst_family_needless: tuple[str, float] = ("", 0.0)


def _rate(hits: int, n: int) -> float:
    return hits / n if n else 0.0


def _flagged(outcome: ActionOutcome) -> bool:
    return outcome is not ActionOutcome.ALLOW


def evaluate_actions(
    check: Any, items: Sequence[dict[str, Any]], *, personas: Sequence[PrivacyPersona] = tuple(PrivacyPersona),
    split: str | None = None,
) -> tuple[list[PersonaReport], float]:
    """Run ``check(action, user=..., trajectory=...)`` on every item for every persona.

    Parameters
    ----------
    check : callable
        ``Guard.check_action`` or ``ActionChecker.check``.
    items : list of dict
        From :func:`load_action_set`.
    split : {'dev', 'test'} or None
        Only items of this split; None takes all.

    Returns
    -------
    reports : list of PersonaReport
    p50_ms : float
        Median time of one check, over every check made.
    """
    from personaguard.profile.profile import UserProfile

    chosen = [i for i in items if split is None or i.get("split") == split]
    times: list[float] = []
    reports = []
    for persona in personas:
        user = UserProfile(id=f"eval-{persona.value}", privacy=persona)
        rep = PersonaReport(persona=persona.value)
        fam: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # leak n, caught, benign n, flagged
        slc: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        caught = flagged = harm = early = early_n = 0
        for item in chosen:
            t0 = time.perf_counter()
            try:
                outcome = check(item["action"], user=user, trajectory=item.get("trajectory")).outcome
            except PersonaguardError:
                rep.errors += 1
                continue
            times.append(time.perf_counter() - t0)
            hit = _flagged(outcome)
            if item.get("harmful"):
                rep.n_harmful += 1
                harm += hit
                continue
            for table, key in ((fam, item.get("family", "?")), (slc, item.get("slice", "main"))):
                row = table[key]
                if item["leak"]:
                    row[0] += 1
                    row[1] += hit
                else:
                    row[2] += 1
                    row[3] += hit
            if item["leak"]:
                rep.n_leak += 1
                caught += hit
                draft = _draft_prefix(item)
                if draft is not None:
                    early_n += 1
                    early += _flagged(check(draft[0], user=user, trajectory=draft[1]).outcome)
            else:
                rep.n_benign += 1
                flagged += hit
        rep.leak_catch, rep.needless_confirm = _rate(caught, rep.n_leak), _rate(flagged, rep.n_benign)
        rep.harm_catch, rep.early_confirm = _rate(harm, rep.n_harmful), _rate(early, early_n)
        rep.by_family = {k: {"leaks": v[0], "leak_catch": _rate(v[1], v[0]), "benign": v[2],
                             "needless_confirm": _rate(v[3], v[2])} for k, v in sorted(fam.items())}
        rep.by_slice = {k: {"leaks": v[0], "leak_catch": _rate(v[1], v[0]), "benign": v[2],
                            "needless_confirm": _rate(v[3], v[2])} for k, v in sorted(slc.items())}
        leaky = [(k, v["leak_catch"]) for k, v in rep.by_family.items() if v["leaks"]]
        benign = [(k, v["needless_confirm"]) for k, v in rep.by_family.items() if v["benign"]]
        rep.worst_family_leak_catch = min(leaky, key=lambda kv: kv[1], default=("", 1.0))
        rep.worst_family_needless = max(benign, key=lambda kv: kv[1], default=("", 0.0))
        reports.append(rep)
    times.sort()
    return reports, (times[len(times) // 2] * 1000 if times else 0.0)


def _draft_prefix(item: dict[str, Any]) -> tuple[dict[str, Any], list[Any]] | None:
    """The trajectory cut at its draft step: (draft action, the steps before it), if it has one."""
    steps = item.get("trajectory") or []
    for i, step in enumerate(steps):
        if isinstance(step, dict) and step.get("tool") == "draft_email":
            return step, steps[:i]
    return None


def format_report(reports: Sequence[PersonaReport], p50_ms: float, n_items: int) -> str:
    """The figures as printed by ``personaguard eval-actions``."""
    lines = [f"items: {n_items}",
             f"{'persona':<14} {'leak-catch':>10} {'needless':>9} {'harm':>6} {'early':>6}  worst family (catch / needless)"]
    for r in reports:
        lines.append(
            f"{r.persona:<14} {r.leak_catch:>10.3f} {r.needless_confirm:>9.3f} {r.harm_catch:>6.2f} {r.early_confirm:>6.2f}"
            f"  {r.worst_family_leak_catch[0]} {r.worst_family_leak_catch[1]:.2f} / "
            f"{r.worst_family_needless[0]} {r.worst_family_needless[1]:.2f}"
        )
    for r in reports:
        sl = ", ".join(f"{k} {v['leak_catch']:.2f}/{v['needless_confirm']:.2f}" for k, v in r.by_slice.items())
        lines.append(f"  {r.persona} by slice (catch/needless): {sl}")
    lines.append(f"p50 per check: {p50_ms:.2f} ms")
    return "\n".join(lines)


def report_json(reports: Sequence[PersonaReport], p50_ms: float) -> str:
    """The figures as JSON (``--out``)."""
    return json.dumps({"personas": [asdict(r) for r in reports], "p50_ms": p50_ms}, indent=1)


def plot_actions(reports: Sequence[PersonaReport], path: str | Path) -> Path:
    """Bar chart per slice: leak-catch (solid) and needless-confirm (hatched) for each persona."""
    from personaguard.eval.plots import _pyplot

    plt = _pyplot()
    slices = sorted({k for r in reports for k in r.by_slice if k != "harmful"})
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), dpi=120, sharey=True)
    width = 0.8 / max(len(reports), 1)
    for ax, metric, title in ((axes[0], "leak_catch", "leaking actions confirmed or blocked"),
                              (axes[1], "needless_confirm", "benign actions confirmed or blocked")):
        for i, r in enumerate(reports):
            values = [r.by_slice.get(k, {}).get(metric, 0.0) for k in slices]
            ax.bar([x + i * width for x in range(len(slices))], values, width, label=r.persona)
        ax.set_xticks([x + width * (len(reports) - 1) / 2 for x in range(len(slices))], slices, rotation=30, ha="right")
        ax.set_title(title, fontsize=10)
        ax.set_ylim(0, 1)
        ax.grid(axis="y", alpha=0.3)
    axes[1].legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out)
    plt.close(fig)
    return out
