"""Deciding one unit of a batch job: read its rows, look users up, check, commit.

The same function runs in the local engine and inside every Ray actor, so both engines give
the same decisions row for row.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from personaguard.batch.dataset import OutputDataset
from personaguard.batch.readers import BatchRow, read_rows
from personaguard.batch.shards import Unit
from personaguard.errors import ConfigError, PersonaguardError, UnknownIdError

if TYPE_CHECKING:
    from personaguard.batch.profiles import ProfileSource
    from personaguard.decide.outcome import Decision
    from personaguard.guard import Guard
    from personaguard.profile.profile import UserProfile

__all__ = ["RowSpec", "decide_rows", "run_unit"]


@dataclass(frozen=True)
class RowSpec:
    """Which columns hold what, and how many texts go to the scorer at once.

    Attributes
    ----------
    text_col : str
    context_col : str or None
        The prompt, when the text is a model response.
    user_col : str or None
        The user id; needs a profile source.
    batch_size : int
        Texts per scorer call (of one user).
    """

    text_col: str = "text"
    context_col: str | None = None
    user_col: str | None = None
    batch_size: int = 256


def _user_of(row: BatchRow, spec: RowSpec) -> tuple[str | None, str | None]:
    """The row's user id, or an error when the column holds something else than a string."""
    if spec.user_col is None:
        return None, None
    value = row.fields.get(spec.user_col)
    if value is None or value == "":
        return None, None
    if not isinstance(value, str):
        return None, f"line {row.line}: field {spec.user_col!r} must be a string, got {type(value).__name__}"
    return value, None


def _profile(guard: Guard, profiles: ProfileSource | None, user_id: str) -> tuple[UserProfile | None, str | None]:
    if profiles is None:
        return None, f"user {user_id!r} given but the job has no profile source (--users or --database-url)"
    try:
        return profiles.profile(guard, user_id), None
    except UnknownIdError:
        return None, f"unknown user {user_id!r}"
    except (ConfigError, ValidationError) as exc:
        first = str(exc).splitlines()[0]
        return None, f"invalid profile of user {user_id!r}: {first}"


def decide_rows(guard: Guard, rows: list[BatchRow], spec: RowSpec,
                profiles: ProfileSource | None) -> list[Decision | str]:
    """A decision or an error message per row, in row order.

    Rows are grouped by user (a user's texts are checked together, with that user's profile,
    in batches of ``spec.batch_size``); the global policy decides rows without a user.
    """
    out: list[Decision | str | None] = [None] * len(rows)
    groups: dict[str | None, list[int]] = {}
    for i, row in enumerate(rows):
        if row.error is not None:
            out[i] = row.error
            continue
        user_id, err = _user_of(row, spec)
        if err is not None:
            out[i] = err
            continue
        groups.setdefault(user_id, []).append(i)
    policy = profiles.decision_policy() if profiles is not None else None
    for user_id, idx in groups.items():
        profile = None
        if user_id is not None:
            profile, err = _profile(guard, profiles, user_id)
            if err is not None:
                for i in idx:
                    out[i] = err
                continue
        for k in range(0, len(idx), spec.batch_size):
            chunk = idx[k:k + spec.batch_size]
            results = guard.check_batch([rows[i].text or "" for i in chunk], [rows[i].context for i in chunk],
                                        user=profile, errors="return", decision_policy=policy)
            for i, res in zip(chunk, results, strict=True):
                out[i] = f"{res.code}: {res.message}" if isinstance(res, PersonaguardError) else res
    return [r if r is not None else "internal: row not decided" for r in out]


def run_unit(guard: Guard, unit: Unit, spec: RowSpec, profiles: ProfileSource | None,
             dataset: OutputDataset) -> dict[str, Any]:
    """Decide every row of ``unit`` and commit it to ``dataset``; returns the unit's counts.

    Returns
    -------
    dict
        ``unit``, ``shard``, ``rows``, ``decided``, ``errors``, ``outcomes`` (count per
        outcome), ``categories`` (rows per category that warned, blocked or asked),
        ``seconds``, ``model_version``, ``pid``.
    """
    from personaguard.decide.outcome import Outcome

    t0 = time.perf_counter()
    shard = unit.shard
    rows = list(read_rows(shard.path, text_col=spec.text_col, context_col=spec.context_col, start=unit.start,
                          stop=unit.stop))
    results = decide_rows(guard, rows, spec, profiles)
    decisions: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    outcomes: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    for row, res in zip(rows, results, strict=True):
        base = {"row_id": f"{shard.name}:{row.line}", "shard": shard.name, "line": row.line, "id": row.id,
                "user": _user_of(row, spec)[0] if row.error is None else None, "unit": unit.unit_id}
        if isinstance(res, str):
            errors.append({**base, "error": res})
            continue
        flagged = [v.id for v in res.categories if v.outcome is not Outcome.ALLOW]
        outcomes[res.outcome.value] += 1
        categories.update(flagged)
        decisions.append({**base, "outcome": res.outcome.value, "flagged": res.flagged, "p_any": res.p_any,
                          "categories": flagged, "scores_json": json.dumps(res.scores, sort_keys=True),
                          "explanation": res.explanation, "model_version": res.model_version})
    counts = {"unit": unit.unit_id, "shard": shard.name, "start": unit.start, "stop": unit.stop, "rows": len(rows),
              "decided": len(decisions), "errors": len(errors), "outcomes": dict(outcomes),
              "categories": dict(categories), "seconds": time.perf_counter() - t0,
              "model_version": guard.model_version, "pid": os.getpid()}
    dataset.commit(unit.unit_id, decisions, errors, counts)
    return counts
