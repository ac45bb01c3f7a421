"""Read an agent action in any of the shapes agents emit, into one :class:`ToolCall`.

Accepted shapes (``parse_action``):

- native: ``{"tool": "send_email", "arguments": {...}}``;
- an OpenAI ``tool_calls`` item: ``{"type": "function", "function": {"name": ..., "arguments":
  "<json string>"}}``;
- an MCP ``tools/call`` params object ``{"name": ..., "arguments": {...}}``, or the whole JSON-RPC
  request ``{"method": "tools/call", "params": {...}}``.

A trajectory step (``parse_step``) is one of those, or an observation: ``{"observation": text}``
(also an OpenAI ``{"role": "tool", "content": ...}`` message).

Anything else is a :class:`~personaguard.errors.MalformedActionError`, never a silent allow.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from personaguard.errors import InputTooLargeError, MalformedActionError
from personaguard.normalize.unicode import replace_invalid_code_points

__all__ = [
    "MAX_ACTION_BYTES",
    "MAX_TRAJECTORY_STEPS",
    "Observation",
    "ToolCall",
    "parse_action",
    "parse_step",
    "parse_trajectory",
]

#: Largest action (its arguments serialized as JSON) the guard reads; larger is an error, not truncated.
MAX_ACTION_BYTES = 256 * 1024
#: Most earlier steps a trajectory may hold.
MAX_TRAJECTORY_STEPS = 500
_MAX_DEPTH = 32
_MAX_NAME = 200


@dataclass(frozen=True)
class ToolCall:
    """One proposed tool call, whatever shape it came in.

    Attributes
    ----------
    tool : str
        The tool's name as the agent gave it.
    arguments : dict
        The call's arguments, parsed from JSON when they came as a string.
    shape : str
        ``"native"``, ``"openai"`` or ``"mcp"``.
    """

    tool: str
    arguments: dict[str, Any] = field(default_factory=dict)
    shape: str = "native"

    def strings(self) -> Iterator[tuple[str, str]]:
        """Every string in the arguments with its key path (``"fields.address"``), depth first."""
        yield from _strings(self.arguments, "")

    def to_json(self) -> str:
        """The call as compact native-shape JSON (what the audit log keeps)."""
        return json.dumps({"tool": self.tool, "arguments": self.arguments}, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class Observation:
    """What the agent saw after an earlier step (a file's text, an email it read)."""

    text: str
    tool: str | None = None


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for k, v in value.items():
            yield from _strings(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, f"{path}[{i}]")
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield path, str(value)


def _depth(value: Any, limit: int) -> int:
    stack = [(value, 1)]
    deepest = 0
    while stack:
        v, d = stack.pop()
        deepest = max(deepest, d)
        if d > limit:
            return d
        if isinstance(v, Mapping):
            stack.extend((x, d + 1) for x in v.values())
        elif isinstance(v, list):
            stack.extend((x, d + 1) for x in v)
    return deepest


def _arguments(raw: Any, loc: tuple[str | int, ...]) -> dict[str, Any]:
    if raw is None:
        return {}
    if isinstance(raw, (str, bytes)):
        size = len(raw)
        if size > MAX_ACTION_BYTES:
            raise InputTooLargeError(f"action arguments are {size} bytes; the limit is {MAX_ACTION_BYTES}")
        if isinstance(raw, bytes):
            try:
                raw = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise MalformedActionError(f"arguments are not valid UTF-8: {exc}", loc=loc) from exc
        if not raw.strip():
            return {}
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise MalformedActionError(
                f"arguments are not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno}); "
                "send a JSON object such as '{\"to\": \"a@b.org\"}'", loc=loc,
            ) from exc
    if not isinstance(raw, Mapping):
        raise MalformedActionError(f"arguments must be a JSON object, got {type(raw).__name__}", loc=loc)
    if _depth(raw, _MAX_DEPTH) > _MAX_DEPTH:
        raise MalformedActionError(f"arguments are nested deeper than {_MAX_DEPTH} levels", loc=loc)
    # A lone surrogate ("\ud800" in JSON) is a Python str but not text: replaced, as the text guard does.
    raw = _clean(raw)
    try:
        size = len(json.dumps(raw, ensure_ascii=False, default=_reject).encode("utf-8"))
    except TypeError as exc:
        raise MalformedActionError(f"arguments hold a value JSON cannot carry: {exc}", loc=loc) from exc
    if size > MAX_ACTION_BYTES:
        raise InputTooLargeError(f"action arguments are {size} bytes; the limit is {MAX_ACTION_BYTES}")
    return dict(raw)


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return replace_invalid_code_points(value)
    if isinstance(value, Mapping):
        return {replace_invalid_code_points(str(k)): _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _reject(value: Any) -> Any:
    raise TypeError(type(value).__name__)


def _name(raw: Any, loc: tuple[str | int, ...]) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise MalformedActionError("the tool name must be a non-empty string", loc=loc)
    if len(raw) > _MAX_NAME:
        raise MalformedActionError(f"the tool name is longer than {_MAX_NAME} characters", loc=loc)
    return replace_invalid_code_points(raw.strip())


def parse_action(action: Any) -> ToolCall:
    """Read one action in the native, OpenAI ``tool_calls`` or MCP ``tools/call`` shape.

    Parameters
    ----------
    action : dict or str
        The action; a string is parsed as JSON first.

    Returns
    -------
    ToolCall

    Raises
    ------
    MalformedActionError
        No known shape, a missing or empty tool name, or arguments that are not a JSON object.
    InputTooLargeError
        Arguments larger than :data:`MAX_ACTION_BYTES`.

    Examples
    --------
    >>> parse_action({"type": "function", "function": {"name": "send_email", "arguments": '{"to": "a@b.org"}'}})
    ToolCall(tool='send_email', arguments={'to': 'a@b.org'}, shape='openai')
    >>> parse_action({"name": "post", "arguments": {"text": "hi"}}).shape
    'mcp'
    """
    if isinstance(action, (str, bytes)):
        if len(action) > 2 * MAX_ACTION_BYTES:
            raise InputTooLargeError(f"the action is {len(action)} bytes; the limit is {2 * MAX_ACTION_BYTES}")
        try:
            action = json.loads(action)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise MalformedActionError(f"the action is not valid JSON: {exc}") from exc
    if not isinstance(action, Mapping):
        raise MalformedActionError(f"an action must be a JSON object, got {type(action).__name__}")
    if action.get("method") == "tools/call":
        params = action.get("params")
        if not isinstance(params, Mapping):
            raise MalformedActionError("a tools/call request needs a params object", loc=("params",))
        action = params
    if "function" in action:
        fn = action["function"]
        if action.get("type", "function") != "function" or not isinstance(fn, Mapping):
            raise MalformedActionError(
                "an OpenAI tool call is {\"type\": \"function\", \"function\": {\"name\": ..., \"arguments\": ...}}",
                loc=("function",),
            )
        return ToolCall(_name(fn.get("name"), ("function", "name")),
                        _arguments(fn.get("arguments"), ("function", "arguments")), "openai")
    if "tool" in action:
        return ToolCall(_name(action["tool"], ("tool",)), _arguments(action.get("arguments"), ("arguments",)), "native")
    if "name" in action:
        return ToolCall(_name(action["name"], ("name",)), _arguments(action.get("arguments"), ("arguments",)), "mcp")
    keys = ", ".join(sorted(map(str, action))[:8]) or "none"
    raise MalformedActionError(
        f"unknown action shape (keys: {keys}); send {{\"tool\": ..., \"arguments\": {{...}}}}, an OpenAI "
        "tool_calls item or an MCP tools/call params object"
    )


def parse_step(step: Any) -> ToolCall | Observation:
    """Read one trajectory step: an action (any shape of :func:`parse_action`) or an observation.

    Examples
    --------
    >>> parse_step({"observation": "Your lab results: HbA1c 9.1%"})
    Observation(text='Your lab results: HbA1c 9.1%', tool=None)
    """
    if isinstance(step, Mapping) and ("observation" in step or step.get("role") == "tool"):
        text = step.get("observation", step.get("content"))
        if not isinstance(text, str):
            raise MalformedActionError(f"an observation must be text, got {type(text).__name__}", loc=("observation",))
        if len(text.encode("utf-8", "surrogatepass")) > MAX_ACTION_BYTES:
            raise InputTooLargeError(f"an observation is larger than {MAX_ACTION_BYTES} bytes")
        tool = step.get("tool", step.get("name"))
        return Observation(replace_invalid_code_points(text), tool if isinstance(tool, str) else None)
    return parse_action(step)


def parse_trajectory(trajectory: Sequence[Any] | None) -> list[ToolCall | Observation]:
    """Read the earlier steps of a trajectory, oldest first; errors name the failing step.

    Raises
    ------
    MalformedActionError
        Not a list, or a step of no known shape (``loc`` starts with the step's index).
    InputTooLargeError
        More than :data:`MAX_TRAJECTORY_STEPS` steps, or one step too large.
    """
    if trajectory is None:
        return []
    if isinstance(trajectory, (str, bytes, Mapping)) or not isinstance(trajectory, Sequence):
        raise MalformedActionError(f"trajectory must be a list of steps, got {type(trajectory).__name__}")
    if len(trajectory) > MAX_TRAJECTORY_STEPS:
        raise InputTooLargeError(f"trajectory has {len(trajectory)} steps; the limit is {MAX_TRAJECTORY_STEPS}")
    steps: list[ToolCall | Observation] = []
    for i, step in enumerate(trajectory):
        try:
            steps.append(parse_step(step))
        except MalformedActionError as exc:
            raise MalformedActionError(f"trajectory step {i}: {exc.detail}", loc=("trajectory", i, *exc.loc)) from exc
    return steps
