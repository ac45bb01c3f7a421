"""Policy files are validated whole at load: a broken file fails at start-up, naming the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from personaguard.actions.catalog import load_tool_catalog
from personaguard.actions.detect import load_lexicon
from personaguard.actions.kinds import Channel, DataType, RecipientKind
from personaguard.actions.norms import load_norms
from personaguard.actions.recipients import load_recipient_rules
from personaguard.actions.trajectory import load_chain
from personaguard.errors import ConfigError


def test_packaged_files_load() -> None:
    catalog = load_tool_catalog()
    assert len(catalog.tools) >= 12
    assert set(load_norms().norms) == set(DataType)
    assert load_lexicon().detect("I live at 42 Maple Street.")[0].data_type is DataType.LOCATION
    assert load_chain().risk_within(("draft", True), 3) > load_chain().risk_within(("draft", False), 3)


@pytest.mark.parametrize(
    ("loader", "text", "needle"),
    [
        (load_tool_catalog, "tools:\n  a: {channel: teleport}\n", "channel"),
        (load_tool_catalog, "tools:\n  a: {channel: email}\ninfer:\n  - {words: [x], like: nope}\n", "names no tool"),
        (load_tool_catalog, "tools:\n  a: {channel: email, aliases: [b]}\n  b: {channel: email}\n", "listed under both"),
        (load_lexicon, "data_types:\n  health:\n    - {strength: 0.5, pattern: '(unclosed'}\nsubjects: {third_party: x, children: y, anchor: z}\n", "regex"),
        (load_lexicon, "data_types:\n  health:\n    - {strength: 1.5, pattern: 'x'}\nsubjects: {third_party: x, children: y, anchor: z}\n", "strength"),
        (load_norms, "personas: {}\nnorms: {}\n", "personas"),
        (load_recipient_rules, "kinds: {friendish: 'x'}\n", "kinds"),
    ],
)
def test_broken_policy_files_name_the_problem(loader, text: str, needle: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        loader(str(path))
    assert str(path) in str(info.value)
    assert needle in str(info.value)


def test_norm_rules_must_name_defined_purposes(tmp_path: Path) -> None:
    text = Path(__file__).parents[3].joinpath("personaguard/actions/norms.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "norms.yaml"
    bad.write_text(text.replace("purpose: sick_leave", "purpose: nap_time"), encoding="utf-8")
    with pytest.raises(ConfigError, match="nap_time"):
        load_norms(str(bad))


def test_chain_file_errors_are_config_errors(tmp_path: Path) -> None:
    bad = tmp_path / "chain.json"
    bad.write_text('{"counts": {"teleport|0": {"end": 1}}}', encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown states"):
        load_chain(str(bad))


@pytest.mark.parametrize(
    ("name", "channel", "inferred"),
    [("gmail.send", Channel.EMAIL, False), ("sendSlackMessage", Channel.MESSAGE, True),
     ("bluesky_post", Channel.PUBLIC_POST, True), ("frobnicate", Channel.FORM, True), ("venmo_pay", Channel.PAYMENT, False)],
)
def test_tool_names_resolve(name: str, channel: Channel, inferred: bool) -> None:
    spec = load_tool_catalog().resolve(name)
    assert (spec.channel, spec.inferred) == (channel, inferred)


@pytest.mark.parametrize(
    ("recipient", "kind"),
    [("dr.lee@cityclinic.org", RecipientKind.HEALTHCARE), ("refills@greenvalleypharmacy.com", RecipientKind.HEALTHCARE),
     ("help@irs.gov", RecipientKind.GOVERNMENT), ("ms.garcia@oakwood.k12.ca.us", RecipientKind.SCHOOL),
     ("partner@data-brokers.io", RecipientKind.UNKNOWN), ("Mom", RecipientKind.FAMILY), ("jo@gmail.com", RecipientKind.CONTACT),
     ("anyone_with_link", RecipientKind.PUBLIC), ("me", RecipientKind.SELF), ("", RecipientKind.UNKNOWN)],
)
def test_recipient_kinds(recipient: str, kind: RecipientKind) -> None:
    assert load_recipient_rules().classify(recipient) is kind


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Card 4111 1111 1111 1111 exp 09/27", {DataType.FINANCE}),
        ("Card 4111 1111 1111 1112", set()),  # fails the Luhn check: not a card number
        ("SSN 412-55-9012", {DataType.CREDENTIALS}),
        ("I was arrested for a DUI in 2021.", {DataType.LEGAL}),
        ("Great article on how to talk to friends about mental health.", {DataType.HEALTH}),
        ("See you at the game!", set()),
    ],
)
def test_lexicon_detections(text: str, expected: set[DataType]) -> None:
    assert {d.data_type for d in load_lexicon().detect(text)} == expected


def test_topic_words_about_no_one_are_weak() -> None:
    lex = load_lexicon()
    topic = lex.detect("Great article on how to talk to friends about mental health.")[0]
    personal = lex.detect("I have been in therapy for my mental health since May.")[0]
    assert topic.strength < 0.5 < personal.strength
    assert lex.detect("custody agreement pdf", owned=True)[0].data_type is DataType.LEGAL
    assert lex.detect("custody agreement pdf") == []
