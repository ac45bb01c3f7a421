"""Reading actions in every shape agents emit, and refusing everything else with a typed error."""

from __future__ import annotations

import json

import pytest

from personaguard.actions.shapes import (
    MAX_ACTION_BYTES,
    Observation,
    ToolCall,
    parse_action,
    parse_step,
    parse_trajectory,
)
from personaguard.errors import InputTooLargeError, InvalidInputError, MalformedActionError

ARGS = {"to": "a@b.org", "body": "hi"}


@pytest.mark.parametrize(
    ("action", "shape"),
    [
        ({"tool": "send_email", "arguments": ARGS}, "native"),
        ({"tool": "send_email", "arguments": json.dumps(ARGS)}, "native"),
        ({"type": "function", "id": "call_1", "function": {"name": "send_email", "arguments": json.dumps(ARGS)}}, "openai"),
        ({"name": "send_email", "arguments": ARGS}, "mcp"),
        ({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "send_email", "arguments": ARGS}}, "mcp"),
        (json.dumps({"tool": "send_email", "arguments": ARGS}), "native"),
    ],
)
def test_every_shape_reads_to_the_same_call(action: object, shape: str) -> None:
    call = parse_action(action)
    assert call == ToolCall("send_email", ARGS, shape)


def test_missing_arguments_are_an_empty_object() -> None:
    assert parse_action({"tool": "get_location"}).arguments == {}
    assert parse_action({"type": "function", "function": {"name": "x", "arguments": ""}}).arguments == {}


@pytest.mark.parametrize(
    ("action", "loc"),
    [
        ({"type": "function", "function": {"name": "send_email", "arguments": "{bad json"}}, ("function", "arguments")),
        ({"tool": "send_email", "arguments": "[1, 2]"}, ("arguments",)),
        ({"tool": "send_email", "arguments": 42}, ("arguments",)),
        ({"tool": "", "arguments": {}}, ("tool",)),
        ({"tool": 7, "arguments": {}}, ("tool",)),
        ({"function": "send_email"}, ("function",)),
        ({"method": "tools/call", "params": "x"}, ("params",)),
        ({"tool": "x", "arguments": b"\xff\xfe"}, ("arguments",)),
    ],
)
def test_malformed_actions_name_where_the_problem_is(action: object, loc: tuple[str, ...]) -> None:
    with pytest.raises(MalformedActionError) as info:
        parse_action(action)
    assert info.value.loc == loc
    assert isinstance(info.value, InvalidInputError)  # the service maps it to 422
    assert info.value.code == "malformed_action"


@pytest.mark.parametrize("action", [None, [], "not json", {"foo": 1}, 3.5])
def test_unknown_shapes_are_refused_not_allowed(action: object) -> None:
    with pytest.raises(MalformedActionError):
        parse_action(action)


def test_huge_arguments_are_too_large_not_truncated() -> None:
    big = {"body": "x" * (MAX_ACTION_BYTES + 1)}
    with pytest.raises(InputTooLargeError):
        parse_action({"tool": "send_email", "arguments": big})
    with pytest.raises(InputTooLargeError):
        parse_action({"type": "function", "function": {"name": "send_email", "arguments": json.dumps(big)}})


def test_deep_nesting_is_refused() -> None:
    nested: dict[str, object] = {}
    cur = nested
    for _ in range(40):
        cur["a"] = {}
        cur = cur["a"]  # type: ignore[assignment]
    with pytest.raises(MalformedActionError, match="nested deeper"):
        parse_action({"tool": "x", "arguments": nested})


def test_non_json_values_are_refused() -> None:
    with pytest.raises(MalformedActionError, match="JSON cannot carry"):
        parse_action({"tool": "x", "arguments": {"when": object()}})


def test_trajectory_steps_and_their_errors() -> None:
    steps = parse_trajectory([
        {"tool": "read_file", "arguments": {"path": "a.pdf"}},
        {"observation": "Diagnosis: asthma", "tool": "read_file"},
        {"role": "tool", "content": "done", "name": "x"},
    ])
    assert isinstance(steps[0], ToolCall) and steps[1] == Observation("Diagnosis: asthma", "read_file")
    assert steps[2] == Observation("done", "x")
    with pytest.raises(MalformedActionError) as info:
        parse_trajectory([{"tool": "ok"}, {"what": 1}])
    assert info.value.loc[:2] == ("trajectory", 1)
    with pytest.raises(MalformedActionError):
        parse_trajectory({"tool": "x"})  # type: ignore[arg-type]
    with pytest.raises(MalformedActionError):
        parse_step({"observation": 3})


def test_strings_walk_nested_arguments_with_paths() -> None:
    call = parse_action({"tool": "submit_form", "arguments": {"fields": {"ssn": "1", "n": [2, "x"]}, "ok": True}})
    assert list(call.strings()) == [("fields.ssn", "1"), ("fields.n[0]", "2"), ("fields.n[1]", "x")]
