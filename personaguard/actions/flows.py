"""From one tool call to its information flows: what data, about whom, to whom, through what.

Recipients come from the tool's recipient arguments (``tools.yaml``); the audience is the public
when the tool posts publicly or an argument says so. Data comes from the content arguments, the
files attached (with what earlier steps read from them) and the tool's nature (``share_location``
carries a location; a permission scope opens a data type).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from personaguard.actions.catalog import ToolSpec
from personaguard.actions.detect import DataLexicon, Detection
from personaguard.actions.kinds import Channel, DataType, RecipientKind
from personaguard.actions.recipients import RecipientRules
from personaguard.actions.shapes import Observation, ToolCall

__all__ = ["ActionReading", "FileMemory", "InformationFlow", "Recipient", "read_action"]

_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+|\+?\d[\d ().-]{6,}\d")
_GENERIC_RECIPIENT_KEYS = re.compile(
    r"(^|_)(to|cc|bcc|recipients?|email|emails|phone|number|payee|share_with|user|users|attendees|invitees|guests|"
    r"participants|chat_id|channel|from)$")
_PRIVATE_WORDS = {"private", "only me", "only_me", "me", "self", "just me"}
_NARROW_WORDS = {"friends", "close friends", "close_friends", "followers_only", "connections", "contacts"}
_PUBLIC_WORDS = {"public", "everyone", "anyone", "all", "world", "anyone_with_link", "anyone-with-link"}
_MAX_CONTENT_CHARS = 20_000
_AUDIENCE_KEYS = ("visibility", "audience", "access", "privacy", "visible_to")
_STRONG = 0.85


@dataclass(frozen=True)
class Recipient:
    """One recipient of a flow: what the action named and what kind it is."""

    name: str
    kind: RecipientKind


@dataclass(frozen=True)
class InformationFlow:
    """One piece of data going to one recipient through one channel."""

    data_type: DataType
    subject: str
    strength: float
    evidence: str
    source: str
    recipient: Recipient
    channel: Channel


@dataclass
class FileMemory:
    """What earlier steps read: file names mapped to the data seen in them (taint)."""

    files: dict[str, list[Detection]] = field(default_factory=dict)
    observed: list[Detection] = field(default_factory=list)

    def lookup(self, name: str) -> list[Detection]:
        """Detections remembered for a file, by full name or base name."""
        base = _basename(name)
        return self.files.get(name) or self.files.get(base) or []


@dataclass(frozen=True)
class ActionReading:
    """Everything the checker needs to know about one call."""

    call: ToolCall
    spec: ToolSpec
    recipients: list[Recipient]
    detections: list[Detection]
    flows: list[InformationFlow]
    contents: list[tuple[str, str]]
    words: str


def _basename(name: str) -> str:
    return re.split(r"[\\/]", name.strip())[-1].lower()


def _get(arguments: Mapping[str, Any], key: str) -> Any:
    value: Any = arguments
    for part in key.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _texts(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, bool):
        return []
    if isinstance(value, (int, float)):
        return [str(value)]
    if isinstance(value, Mapping):
        out: list[str] = []
        for k, v in value.items():
            if isinstance(v, (Mapping, list)):
                out += _texts(v)
            else:
                out += [f"{k}: {t}" for t in _texts(v)]
        return out
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return []


def _recipient_values(value: Any) -> list[str]:
    if isinstance(value, Mapping):
        for key in ("email", "address", "name", "id", "handle", "phone"):
            if isinstance(value.get(key), str):
                return [value[key]]
        return [t for v in value.values() for t in _recipient_values(v)]
    if isinstance(value, list):
        return [t for v in value for t in _recipient_values(v)]
    if isinstance(value, str):
        return [p.strip() for p in re.split(r"[,;]", value) if p.strip()] if "@" in value else [value.strip()]
    return []


def _audience(spec: ToolSpec, arguments: Mapping[str, Any]) -> RecipientKind | None:
    """PUBLIC / SELF / CONTACT when an argument sets the audience; None when nothing does."""
    for key, values in spec.public_when.items():
        v = arguments.get(key)
        if isinstance(v, str) and v.strip().lower() in {x.lower() for x in values}:
            return RecipientKind.PUBLIC
    for key in _AUDIENCE_KEYS:
        v = arguments.get(key)
        if isinstance(v, str):
            low = v.strip().lower()
            if low in _PRIVATE_WORDS:
                return RecipientKind.SELF
            if low in _NARROW_WORDS:
                return RecipientKind.CONTACT
            if low in _PUBLIC_WORDS:
                return RecipientKind.PUBLIC
    return RecipientKind.PUBLIC if spec.default_public else None


def _recipients(spec: ToolSpec, call: ToolCall, rules: RecipientRules,
                known: Mapping[str, RecipientKind] | None = None) -> list[Recipient]:
    args = call.arguments
    audience = _audience(spec, args)
    named: list[str] = []
    generic = [k for k in args if _GENERIC_RECIPIENT_KEYS.search(k.lower())]
    keys = [*spec.recipients, *(k for k in generic if k not in spec.recipients)] if spec.inferred else (spec.recipients or generic)
    for key in keys:
        if key in spec.public_when or key in _AUDIENCE_KEYS:
            continue
        named += _recipient_values(_get(args, key))
    if "*" in spec.content and not named:
        named = [m.group(0) for _, text in call.strings() for m in _ADDRESS.finditer(text)][:20]
    out: list[Recipient] = []
    if audience is RecipientKind.PUBLIC:
        out.append(Recipient("public", RecipientKind.PUBLIC))
    elif audience is RecipientKind.SELF and not named:
        out.append(Recipient("only me", RecipientKind.SELF))
    default_kind = RecipientKind.APP if spec.channel in (Channel.PERMISSION,) else None
    for name in named[:50]:
        kind = rules.classify(name, known)
        if default_kind is not None and kind in (RecipientKind.UNKNOWN, RecipientKind.CONTACT):
            kind = default_kind
        out.append(Recipient(name, kind))
    if not out and audience is RecipientKind.CONTACT:
        out.append(Recipient("friends", RecipientKind.CONTACT))
    if not out and spec.channel.is_outward:
        fallback = RecipientKind.APP if spec.channel is Channel.PERMISSION else RecipientKind.UNKNOWN
        if spec.channel is Channel.SETTINGS:
            fallback = RecipientKind.SELF
        out.append(Recipient("unnamed", fallback))
    return out


def _contents(spec: ToolSpec, call: ToolCall) -> list[tuple[str, str]]:
    args = call.arguments
    if "*" in spec.content:
        skip = {*spec.recipients, *spec.public_when, *_AUDIENCE_KEYS}
        pairs = [(p, t) for p, t in call.strings()
                 if re.split(r"[.\[]", p, maxsplit=1)[0] not in skip and not _ADDRESS.fullmatch(t.strip())]
    else:
        pairs = [(key, t) for key in spec.content for t in _texts(_get(args, key))]
    if spec.channel in (Channel.PERMISSION, Channel.SETTINGS):
        pairs += [(key, t) for key in spec.scopes for t in _texts(_get(args, key))]
    total, kept = 0, []
    for path, text in pairs:
        if total >= _MAX_CONTENT_CHARS:
            break
        kept.append((path, text))
        total += len(text)
    return kept


def _attachment_names(spec: ToolSpec, call: ToolCall) -> list[str]:
    return [t for key in spec.attachments for t in _recipient_values(_get(call.arguments, key)) if t]


def read_action(
    call: ToolCall,
    spec: ToolSpec,
    *,
    lexicon: DataLexicon,
    rules: RecipientRules,
    memory: FileMemory | None = None,
    purpose_words: Iterable[str] = (),
    meaning: Callable[[list[tuple[str, str]]], list[Detection]] | None = None,
    known: Mapping[str, RecipientKind] | None = None,
) -> ActionReading:
    """Read one call: its recipients, the data in it and the resulting flows.

    Parameters
    ----------
    call : ToolCall
    spec : ToolSpec
        The catalog's spec for ``call.tool``.
    lexicon, rules
        The data lexicon and the recipient rules.
    memory : FileMemory or None
        What earlier steps read; attached files carry the data seen in them.
    meaning : callable or None
        ``meaning([(path, text), ...])`` finds data by meaning; asked only for an outward action whose
        text shows nothing strong to the lexicon.
    known : mapping or None
        The user's contacts (lower-cased address or name -> kind), read before the rules.
    """
    memory = memory or FileMemory()
    recipients = _recipients(spec, call, rules, known)
    contents = _contents(spec, call)
    detections: list[Detection] = []
    for path, text in contents:
        detections += lexicon.detect(text, path, owned=spec.owned_content)
    if meaning is not None and spec.channel.is_outward and max((d.strength for d in detections), default=0.0) < _STRONG:
        sent = [(p, t) for p, t in contents if len(t.strip()) >= 12 and not _ADDRESS.fullmatch(t.strip())]
        if sent:
            detections += meaning(sent[:8])
    for name in _attachment_names(spec, call):
        detections += lexicon.detect(re.sub(r"[_\-.]+", " ", _basename(name)), "attachments", owned=True)
        detections += [Detection(d.data_type, d.strength, d.evidence, f"attachment {name}", d.subject)
                       for d in memory.lookup(name)]
    for dt in spec.inherent:
        strength = 1.0 if dt is not DataType.FINANCE else 0.35
        detections.append(Detection(dt, strength, f"{spec.name or call.tool} sends it", "tool", "self"))
    if spec.channel in (Channel.PERMISSION, Channel.SETTINGS):
        for key in spec.scopes:
            for scope in _texts(_get(call.arguments, key)):
                detections += [Detection(dt, 1.0, f"scope {scope}", key, "self") for dt in lexicon.scope_types(scope)]
    detections = _expand_subjects(detections)
    flows = [
        InformationFlow(d.data_type, d.subject, d.strength, d.evidence, d.path, r, spec.channel)
        for d in _strongest(detections) for r in recipients
    ] if spec.channel.is_outward else []
    words = " ".join([call.tool, *purpose_words, *(t for _, t in call.strings())])[:_MAX_CONTENT_CHARS].replace("_", " ")
    return ActionReading(call, spec, recipients, detections, flows, contents, words)


def _expand_subjects(detections: Sequence[Detection]) -> list[Detection]:
    """A third party's data is also 'third_party' data; a child's is also 'children' data."""
    out = list(detections)
    for d in detections:
        if d.subject == "third_party" and d.data_type is not DataType.THIRD_PARTY:
            out.append(Detection(DataType.THIRD_PARTY, d.strength, d.evidence, d.path, d.subject))
        if d.subject == "child" and d.data_type is not DataType.CHILDREN:
            out.append(Detection(DataType.CHILDREN, d.strength, d.evidence, d.path, d.subject))
    return out


def _strongest(detections: Sequence[Detection]) -> list[Detection]:
    best: dict[tuple[DataType, str], Detection] = {}
    for d in detections:
        key = (d.data_type, d.subject)
        if key not in best or best[key].strength < d.strength:
            best[key] = d
    return list(best.values())


def remember(memory: FileMemory, step: ToolCall | Observation, previous: ToolCall | None, lexicon: DataLexicon) -> None:
    """Add one trajectory step to the memory: what a read step's observation showed, by file."""
    if isinstance(step, Observation):
        found = lexicon.detect(step.text, "observation", owned=True)
        memory.observed += found
        if previous is not None:
            for _, value in previous.strings():
                if "." in value or "/" in value:
                    memory.files.setdefault(value, []).extend(found)
                    memory.files.setdefault(_basename(value), []).extend(found)
