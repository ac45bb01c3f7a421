"""Read a privacy persona and per-data-type choices from a self-description.

"I'm a very private person" -> ``privacy-first``; "just get it done, don't ask me" ->
``utility-first``; "I never want my location shared" -> ``location: block``; "ask me before you
share anything about my health" -> ``health: confirm``; "fine to share my address" ->
``location: allow``. Rules are sentence-level regexes: a data-type word and a directive in the
same sentence. Explicit profile fields always win over what is parsed here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from personaguard.profile.privacy_kinds import DataType, FlowSetting, PrivacyPersona

__all__ = ["PrivacyReading", "parse_privacy"]

_SENTENCES = re.compile(r"[^.!?;\n]+")
_PERSONA_CUES: list[tuple[PrivacyPersona, re.Pattern[str]]] = [
    (PrivacyPersona.UTILITY_FIRST, re.compile(
        r"\b(utility[- ]first|don'?t (ask|bother|check with) me|do not (ask|bother) me|stop asking|just (do|get) (it|things)"
        r"( done)?|i don'?t (really )?(care|mind|worry) (much )?about (my )?privacy|convenience (over|matters more|first)"
        r"|fewer (prompts|confirmations|questions)|i'?m not (a )?private|nothing to hide)\b", re.IGNORECASE)),
    (PrivacyPersona.PRIVACY_FIRST, re.compile(
        r"\b(privacy[- ]first|(very|extremely|really|quite) private( person)?|private person|privacy (is|matters)"
        r"( (very|really|so|extremely))? (important|everything|a lot)|i (value|care about|guard|protect) my privacy"
        r"|(always )?ask (me )?(first|before (you )?(share|send|post|do)\w*)( anything)?|check with me (first|before)"
        r"|never share (anything|my (personal )?(info|information|data|details))|share as little as possible"
        r"|(i'?m )?(paranoid|careful|cautious) about (my )?(privacy|data))\b", re.IGNORECASE)),
    (PrivacyPersona.BALANCED, re.compile(r"\b(balanced|middle ground|sensible defaults)\b", re.IGNORECASE)),
]
_DATA_WORDS: dict[DataType, re.Pattern[str]] = {
    DataType.LOCATION: re.compile(r"\b(location|whereabouts|where i (am|live)|(home )?address|gps)\b", re.IGNORECASE),
    DataType.HEALTH: re.compile(r"\b(health|medical|diagnos\w*|conditions?|medications?|meds|mental health|therapy|illness)\b", re.IGNORECASE),
    DataType.FINANCE: re.compile(r"\b(financ\w*|bank\w*|money|salary|income|card (number|details)|credit card|debts?)\b", re.IGNORECASE),
    DataType.CONTACTS: re.compile(r"\b(contacts|phone numbers?|email address(es)?|address book)\b", re.IGNORECASE),
    DataType.CREDENTIALS: re.compile(r"\b(passwords?|credentials|log-?ins?|pins?|passcodes?|ssn|social security)\b", re.IGNORECASE),
    DataType.LEGAL: re.compile(r"\b(legal|criminal record|court|arrest\w*|immigration)\b", re.IGNORECASE),
    DataType.CHILDREN: re.compile(r"\b(kids?|children|child|son|daughter)\b", re.IGNORECASE),
    DataType.THIRD_PARTY: re.compile(r"\b(other people'?s?|others'|friends'|family'?s? (info|information|details|data)|people i know)\b", re.IGNORECASE),
}
_CONFIRM = re.compile(r"\b(ask (me )?(first|before)|check with me|confirm with me|without asking|with my (ok|okay|permission))\b", re.IGNORECASE)
_BLOCK = re.compile(r"\b(never|don'?t|do not|no one|nobody|not ever|under no circumstances|must not|shouldn'?t)\b", re.IGNORECASE)
_ALLOW = re.compile(r"\b((it'?s )?(fine|ok|okay|happy|comfortable|free|glad) (to|with|sharing|if)|don'?t mind|go ahead and share|feel free to share|can share)\b", re.IGNORECASE)
_SHARE = re.compile(r"\b(shar\w*|sen[dt]\w*|post\w*|give\w*( out)?|disclos\w*|reveal\w*|tell\w*|know|seen?|leak\w*|use[ds]?|access\w*)\b", re.IGNORECASE)


@dataclass(frozen=True)
class PrivacyReading:
    """What a self-description says about privacy: persona, per-type settings, and the words."""

    persona: PrivacyPersona | None = None
    settings: dict[DataType, FlowSetting] = field(default_factory=dict)
    evidence: dict[str, str] = field(default_factory=dict)


def parse_privacy(text: str) -> PrivacyReading:
    """Parse a privacy persona and per-data-type settings from free text.

    Examples
    --------
    >>> r = parse_privacy("I'm a very private person. I never want my location shared.")
    >>> r.persona.value, {k.value: v.value for k, v in r.settings.items()}
    ('privacy-first', {'location': 'block'})
    >>> parse_privacy("Just get it done, don't ask me. Ask me first before sharing my health info.").settings
    {<DataType.HEALTH: 'health'>: <FlowSetting.CONFIRM: 'confirm'>}
    >>> parse_privacy("I have two kids and love hiking.").persona is None
    True
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be str, got {type(text).__name__}")
    persona: PrivacyPersona | None = None
    settings: dict[DataType, FlowSetting] = {}
    evidence: dict[str, str] = {}
    for m in _SENTENCES.finditer(text[:20_000]):
        sentence = m.group(0).strip()
        types = [dt for dt, rx in _DATA_WORDS.items() if rx.search(sentence)]
        setting = _setting(sentence) if types else None
        if setting is not None:
            for dt in types:
                settings[dt] = setting
                evidence[dt.value] = sentence
            continue
        if persona is None:
            for candidate, rx in _PERSONA_CUES:
                if rx.search(sentence):
                    persona, evidence["persona"] = candidate, sentence
                    break
    return PrivacyReading(persona, settings, evidence)


def _setting(sentence: str) -> FlowSetting | None:
    if not _SHARE.search(sentence) and not _CONFIRM.search(sentence):
        return None
    if _CONFIRM.search(sentence):
        return FlowSetting.CONFIRM
    if _BLOCK.search(sentence) and not re.search(r"\bdon'?t mind\b", sentence, re.IGNORECASE):
        return FlowSetting.BLOCK
    if _ALLOW.search(sentence):
        return FlowSetting.ALLOW
    return None
