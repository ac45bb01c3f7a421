"""Agent actions under hostile input: a decision or a typed error, never a crash, never a silent allow
of something we could not read.

Fixed seed (derandomize) and a bounded number of examples, so it runs the same in CI every time.
"""

from __future__ import annotations

import json
import os
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nasty_text import nasty_text

from personaguard.actions.checker import ActionChecker
from personaguard.actions.decision import ActionDecision
from personaguard.errors import InputTooLargeError, MalformedActionError

N_EXAMPLES = int(os.environ.get("PERSONAGUARD_FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=N_EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
CHECKER = ActionChecker()

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | nasty_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
tool_names = st.sampled_from(["send_email", "post_social", "share_file", "make_payment", "submit_form",
                              "grant_permission", "frobnicate", ""]) | st.text(max_size=30)
shapes = st.one_of(
    st.builds(lambda t, a: {"tool": t, "arguments": a}, tool_names, json_values),
    st.builds(lambda t, a: {"type": "function", "function": {"name": t, "arguments": a}}, tool_names,
              st.text(max_size=60) | json_values.map(lambda v: json.dumps(v, default=str))),
    st.builds(lambda t, a: {"name": t, "arguments": a}, tool_names, json_values),
    json_values,
)


def _check(action: Any, trajectory: Any = None) -> ActionDecision | None:
    try:
        return CHECKER.check(action, trajectory=trajectory)
    except (MalformedActionError, InputTooLargeError):
        return None


@FUZZ
@given(action=shapes)
def test_any_action_gets_a_decision_or_a_typed_error(action: Any) -> None:
    d = _check(action)
    if d is not None:
        assert d.outcome.value in ("allow", "confirm", "block")
        assert d.explanation and all(0.0 <= f.risk <= 1.0 for f in d.flows)
        json.loads(d.model_dump_json())


@FUZZ
@given(steps=st.lists(shapes | st.builds(lambda t: {"observation": t}, nasty_text), max_size=5))
def test_any_trajectory_gets_a_decision_or_a_typed_error(steps: list[Any]) -> None:
    d = _check({"tool": "send_email", "arguments": {"to": "x@acme.io", "body": "see attached"}}, steps)
    assert d is None or d.trajectory is not None


@FUZZ
@given(body=nasty_text)
def test_a_leak_hidden_in_hostile_text_is_still_read(body: str) -> None:
    d = _check({"tool": "post_social", "arguments": {"text": f"{body}\nMy SSN is 412-55-9012"}})
    assert d is not None and d.outcome.value == "block", d and d.explanation
