"""The action checker: flows, norms, personas, settings, floors, content, trajectories, explanations."""

from __future__ import annotations

from typing import Any

import pytest

from personaguard.actions.checker import ActionChecker
from personaguard.actions.kinds import ActionOutcome, DataType, PrivacyPersona, RecipientKind
from personaguard.profile.profile import UserProfile


@pytest.fixture(scope="module")
def checker() -> ActionChecker:
    """Lexicon and norms only: no text guard, no encoder (fast, and what the rules alone do)."""
    return ActionChecker()


def user(persona: str | None = None, **settings: str) -> UserProfile:
    return UserProfile(id="u", privacy=persona, privacy_settings=settings)


def email(to: str, body: str, **extra: Any) -> dict[str, Any]:
    return {"tool": "send_email", "arguments": {"to": to, "subject": "hi", "body": body, **extra}}


DIAGNOSIS = "I was diagnosed with bipolar disorder last year."


def test_the_same_data_is_fine_for_the_doctor_and_a_leak_for_the_employer(checker: ActionChecker) -> None:
    doctor = checker.check(email("dr.patel@riversidemedical.org", DIAGNOSIS), user=user("privacy-first"))
    boss = checker.check(email("hr@acme-corp.com", DIAGNOSIS), user=user("privacy-first"))
    assert doctor.outcome is ActionOutcome.ALLOW
    assert boss.outcome is ActionOutcome.CONFIRM
    flow = boss.flows[0]
    assert (flow.data_type, flow.recipient_kind) == (DataType.HEALTH, RecipientKind.EMPLOYER)
    assert flow.risk > doctor.flows[0].risk


def test_personas_order_the_outcomes(checker: ActionChecker) -> None:
    # health to a friend's personal address: a privacy-first user is asked, a utility-first one is not.
    act = email("jess.w@gmail.com", DIAGNOSIS)
    out = {p: checker.check(act, user=user(p.value)).outcome for p in PrivacyPersona}
    assert out[PrivacyPersona.PRIVACY_FIRST] is ActionOutcome.CONFIRM
    assert out[PrivacyPersona.UTILITY_FIRST] is ActionOutcome.ALLOW
    assert checker.check(act).persona is PrivacyPersona.BALANCED  # no user: balanced


def test_a_data_type_setting_overrides_the_persona(checker: ActionChecker) -> None:
    act = {"tool": "send_message", "arguments": {"to": "Tom Baker", "text": "I live at 22 Orchard Lane, come by."}}
    assert checker.check(act, user=user("utility-first")).outcome is ActionOutcome.ALLOW
    never = checker.check(act, user=user("utility-first", location="block"))
    assert never.outcome is ActionOutcome.BLOCK
    assert "your setting location: block" in never.explanation
    fine = checker.check(
        {"tool": "post_social", "arguments": {"text": "I live at 22 Orchard Lane!"}}, user=user("privacy-first", location="allow")
    )
    assert fine.outcome is ActionOutcome.ALLOW


def test_a_never_setting_still_lets_the_flow_the_data_exists_for(checker: ActionChecker) -> None:
    act = email("dr.patel@riversidemedical.org", "Before my appointment: my lab results are attached.")
    d = checker.check(act, user=user(None, health="block"))
    assert d.outcome is ActionOutcome.ALLOW
    assert "expected flow" in d.flows[0].rule


def test_floors_hold_against_settings_and_personas(checker: ActionChecker) -> None:
    act = {"tool": "submit_form", "arguments": {"url": "https://win-free-prize.net", "fields": {"pw": "password: hunter22"}}}
    for u in (user("utility-first"), user("utility-first", credentials="allow")):
        d = checker.check(act, user=u)
        assert d.outcome is ActionOutcome.BLOCK, d.explanation
        assert "floor" in d.explanation


def test_a_request_for_data_is_not_a_disclosure_of_it(checker: ActionChecker) -> None:
    d = checker.check({"tool": "send_message", "arguments": {"to": "+1 415 555 0199", "text": "What's your SSN?"}},
                      user=user("utility-first"))
    assert d.outcome is not ActionOutcome.BLOCK


def test_public_posts_and_public_links_go_to_the_public(checker: ActionChecker) -> None:
    post = checker.check({"tool": "post_social", "arguments": {"text": "My wife was diagnosed with cancer."}})
    assert post.outcome is ActionOutcome.CONFIRM
    kinds = {(f.data_type, f.recipient_kind, f.subject) for f in post.flows}
    assert (DataType.THIRD_PARTY, RecipientKind.PUBLIC, "third_party") in kinds
    private = checker.check({"tool": "post_social", "arguments": {"text": "My wife was diagnosed with cancer.",
                                                                   "visibility": "private"}})
    assert {f.recipient_kind for f in private.flows} == {RecipientKind.SELF}
    link = checker.check({"tool": "share_file", "arguments": {"file": "medical_records_2025.pdf", "access": "anyone_with_link"}})
    assert link.outcome is not ActionOutcome.ALLOW and link.flows[0].recipient_kind is RecipientKind.PUBLIC


def test_purposes_make_flows_expected(checker: ActionChecker) -> None:
    pickup = {"tool": "send_message", "arguments": {"to": "Tom Baker", "text": "On my way, pick me up at 9 Birch Court at 6."}}
    assert checker.check(pickup, user=user("privacy-first")).outcome is ActionOutcome.ALLOW
    maps = {"tool": "grant_permission", "arguments": {"app": "Google Maps", "permission": "ACCESS_FINE_LOCATION"}}
    torch = {"tool": "grant_permission", "arguments": {"app": "Flashlight Pro", "permission": "ACCESS_FINE_LOCATION"}}
    assert checker.check(maps).outcome is ActionOutcome.ALLOW
    assert checker.check(torch).outcome is ActionOutcome.CONFIRM


def test_plain_actions_and_reads_are_allowed_with_a_reason(checker: ActionChecker) -> None:
    d = checker.check(email("team@globex.com", "Can we move the sync to 3pm tomorrow?"), user=user("privacy-first"))
    assert d.outcome is ActionOutcome.ALLOW and "no personal data" in d.explanation
    r = checker.check({"tool": "read_file", "arguments": {"path": "medical_records_2025.pdf"}}, user=user("privacy-first"))
    assert r.outcome is ActionOutcome.ALLOW and r.flows == []


def test_unknown_tools_are_read_by_their_words_and_every_string(checker: ActionChecker) -> None:
    d = checker.check({"name": "zoom_schedule_meeting",
                       "arguments": {"topic": "Chemotherapy session #3", "invitees": ["allstaff@brightwave.com"]}})
    assert not d.tool_known and d.channel.value == "calendar"
    assert d.outcome is ActionOutcome.CONFIRM
    odd = checker.check({"tool": "frobnicate", "arguments": {"x": "My SSN is 412-55-9012", "y": "info@fastdeals-promo.biz"}})
    assert odd.outcome is ActionOutcome.BLOCK


def test_a_leaking_draft_is_confirmed_before_it_is_sent(checker: ActionChecker) -> None:
    trajectory = [
        {"tool": "read_file", "arguments": {"path": "scan_0042.pdf"}},
        {"observation": "HIV test: positive. Viral load 2,100.", "tool": "read_file"},
    ]
    draft = {"tool": "draft_email", "arguments": {"to": "partner@data-brokers.io", "body": "See attached.",
                                                  "attachments": ["scan_0042.pdf"]}}
    d = checker.check(draft, user=user("balanced"), trajectory=trajectory)
    assert d.trajectory is not None and d.trajectory.state == "draft|1"
    assert DataType.HEALTH in d.trajectory.tainted_by
    assert d.outcome is ActionOutcome.CONFIRM, d.explanation
    assert "before anything is sent" in d.explanation
    # The same draft without the read that showed what the file holds: nothing ahead to confirm.
    clean = checker.check(draft, user=user("balanced"))
    assert clean.outcome is ActionOutcome.ALLOW
    assert clean.trajectory is not None and clean.trajectory.probability < d.trajectory.probability
    # And the send itself carries what was read into the attachment.
    send = {"tool": "send_email", "arguments": {**draft["arguments"]}}
    sent = checker.check(send, user=user("utility-first"), trajectory=trajectory)
    assert any(f.source == "attachment scan_0042.pdf" for f in sent.flows)


def test_confirm_comes_with_a_question_naming_data_and_recipient(checker: ActionChecker) -> None:
    d = checker.check(email("hr@acme-corp.com", DIAGNOSIS), user=user("privacy-first"))
    assert d.question is not None
    assert "health" in d.question and "hr@acme-corp.com" in d.question
    assert "norm: health to employer" in d.explanation


def test_secrets_are_masked_in_explanations(checker: ActionChecker) -> None:
    d = checker.check(email("jess.w@gmail.com", "My password is Tr0ub4dor&3"), user=user("privacy-first"))
    assert "Tr0ub4dor" not in d.explanation and "Tr0ub4dor" not in d.model_dump_json()


def test_horizon_is_validated() -> None:
    with pytest.raises(ValueError):
        ActionChecker(horizon=0)


def test_the_users_contacts_say_who_a_recipient_is(checker: ActionChecker) -> None:
    act = email("mike@ledger-partners.net", "Attached is our 2025 tax return; my salary is $142,000.")
    assert checker.check(act, user=user("balanced")).flows[0].recipient_kind is RecipientKind.UNKNOWN
    known = UserProfile(id="u", contacts={"Mike@Ledger-Partners.net": "financial"})
    d = checker.check(act, user=known)
    assert d.outcome is ActionOutcome.ALLOW and d.flows[0].recipient_kind is RecipientKind.FINANCIAL
