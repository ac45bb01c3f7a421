"""Trajectory risk: how likely an agent is to leak within the next k steps, from where it stands.

An absorbing Markov chain. A transient state is (action channel, tainted) -- a local step that
names recipients is its own state, ``draft`` -- where *tainted* means
the trajectory has already seen personal data (read it, or carried it). Two absorbing states:
``violation`` (the next step is a leak) and ``end``. Transition probabilities are counts from
labeled trajectories (the dev split of the action evaluation set), smoothed toward the overall
next-step distribution so that rare states borrow strength. Assumptions, stated so they can be
challenged: the next step depends only on the current channel and taint (first order), the
agents behave like those of the dev trajectories (stationary), and a leak ends the episode.
P(violation within k) is the violation mass of e_s P^k.

Examples
--------
>>> chain = MarkovChain.fit([[("read", True, False), ("local", True, False), ("email", True, True)]] * 5)
>>> round(chain.risk_within(("read", True), 2), 2) > round(chain.risk_within(("read", False), 2), 2)
True
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from personaguard.actions.kinds import Channel
from personaguard.errors import ConfigError

__all__ = ["DRAFT", "END", "START", "VIOLATION", "MarkovChain", "State", "load_chain"]

State = tuple[str, bool]
VIOLATION = "violation"
END = "end"
START = "start"
#: A local step that names recipients (a saved draft): one send away from a flow.
DRAFT = "draft"
_SMOOTHING = 2.0


def _states() -> list[str]:
    transient = [f"{c}|{int(t)}" for c in [START, DRAFT, *(ch.value for ch in Channel)] for t in (False, True)]
    return [*transient, VIOLATION, END]


def _key(state: State) -> str:
    return f"{state[0]}|{int(state[1])}"


class MarkovChain:
    """Transition counts between (channel, tainted) states, with the absorbing violation and end.

    Parameters
    ----------
    counts : dict of str to dict of str to float
        ``counts[from_state][to_state]``; state keys are ``"<channel>|<0 or 1>"``, ``"violation"``
        and ``"end"``.
    """

    def __init__(self, counts: dict[str, dict[str, float]]) -> None:
        self.counts = counts
        self.states_ = _states()
        index = {s: i for i, s in enumerate(self.states_)}
        unknown = sorted({s for row in counts.values() for s in row} | set(counts)) 
        bad = [s for s in unknown if s not in index]
        if bad:
            raise ConfigError(f"trajectory chain names unknown states {bad}")
        n = len(self.states_)
        raw = np.zeros((n, n))
        for src, row in counts.items():
            for dst, c in row.items():
                if c < 0:
                    raise ConfigError(f"negative count {src} -> {dst}")
                raw[index[src], index[dst]] = c
        overall = raw.sum(axis=0) + 1e-3
        overall /= overall.sum()
        p = (raw + _SMOOTHING * overall) / (raw.sum(axis=1, keepdims=True) + _SMOOTHING)
        for absorbing in (VIOLATION, END):
            i = index[absorbing]
            p[i] = 0.0
            p[i, i] = 1.0
        self.transition_ = p
        self.index_ = index

    @classmethod
    def fit(cls, trajectories: Iterable[Sequence[tuple[str, bool, bool]]]) -> MarkovChain:
        """Count transitions in labeled trajectories of (channel, tainted after the step, step is a leak)."""
        counts: dict[str, dict[str, float]] = {}

        def add(src: str, dst: str) -> None:
            counts.setdefault(src, {}).setdefault(dst, 0.0)
            counts[src][dst] += 1.0

        for steps in trajectories:
            state = f"{START}|0"
            for channel, tainted, leak in steps:
                if leak:
                    add(state, VIOLATION)
                    break
                nxt = _key((channel, tainted))
                add(state, nxt)
                state = nxt
            else:
                add(state, END)
        return cls(counts)

    def risk_within(self, state: State, k: int) -> float:
        """P(the chain reaches ``violation`` within ``k`` more steps from ``state``)."""
        if k < 0:
            raise ValueError(f"k must be >= 0, got {k}")
        v = np.zeros(len(self.states_))
        v[self.index_[_key(state)]] = 1.0
        for _ in range(k):
            v = v @ self.transition_
        return float(v[self.index_[VIOLATION]])

    def to_json(self) -> str:
        """The counts, as stored in ``trajectory_counts.json``."""
        return json.dumps({"smoothing": _SMOOTHING, "counts": self.counts}, indent=1, sort_keys=True)


@lru_cache(maxsize=4)
def load_chain(path: str | None = None) -> MarkovChain:
    """The packaged chain (fit on the dev split of the action evaluation set), or one from a file."""
    try:
        if path is None:
            text = resources.files("personaguard.actions").joinpath("trajectory_counts.json").read_text(encoding="utf-8")
        else:
            text = Path(path).read_text(encoding="utf-8")
        data = json.loads(text)
        return MarkovChain({str(k): {str(a): float(b) for a, b in v.items()} for k, v in data["counts"].items()})
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(f"cannot read the trajectory chain: {exc}", source=path or "trajectory_counts.json") from exc
