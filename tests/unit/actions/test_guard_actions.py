"""Guard.check_action: the text guard reads what is sent; meaning finds what keywords miss."""

from __future__ import annotations

from typing import Any

import pytest

from personaguard.actions.kinds import ActionOutcome
from personaguard.errors import MalformedActionError
from personaguard.profile.profile import UserProfile


def test_a_harmful_post_is_blocked_whatever_the_persona(guard: Any) -> None:
    act = {"tool": "post_social", "arguments": {"text": "All immigrants are vermin and should be shot on sight."}}
    d = guard.check_action(act, user=UserProfile(id="u", privacy="utility-first"))
    assert d.outcome is ActionOutcome.BLOCK
    assert d.content is not None and d.content.text_outcome == "block"
    assert "text guard" in d.explanation


def test_a_short_subject_is_not_a_prompt_attack(guard: Any) -> None:
    act = {"tool": "send_email", "arguments": {"to": "team@globex.com", "subject": "File", "body": "See attached."}}
    d = guard.check_action(act, user=UserProfile(id="u", privacy="utility-first"))
    assert d.outcome is ActionOutcome.ALLOW, d.explanation


def test_meaning_catches_a_disclosure_without_keywords(guard: Any) -> None:
    act = {"tool": "send_email", "arguments": {"to": "contact@unknown-startup.co",
                                               "body": "The specialist says the scan lit up again and we start a new round of treatment."}}
    d = guard.check_action(act, user=UserProfile(id="u", privacy="privacy-first"))
    assert d.outcome is ActionOutcome.CONFIRM, d.explanation
    assert any(f.evidence.startswith("by meaning") for f in d.flows)


def test_malformed_actions_raise_typed_errors(guard: Any) -> None:
    with pytest.raises(MalformedActionError):
        guard.check_action({"type": "function", "function": {"name": "send_email", "arguments": "{oops"}})
