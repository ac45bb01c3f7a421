"""The packaged knowledge base and its validation."""

from __future__ import annotations

from collections import Counter

import pytest

from personaguard.errors import ConfigError, UnknownIdError
from personaguard.profile.vulnerabilities import knowledge_base_from_text, load_knowledge_base
from personaguard.taxonomy import load_taxonomy

TINY = """
version: 1
name: tiny
relevance: {slope: 10, center: 0.5, contrast: 1}
custom: {slope: 10, center: 0.5, contrast: 1}
parse: {slope: 10, center: 0.5, contrast: 1}
keyword_relevance: 0.9
generic_requests: [a, b, c, d, e]
neutral_descriptions: [x, y, z]
topics:
  alcohol: {name: alcohol, examples: [buy vodka, buy beer]}
vulnerabilities:
  - id: liver
    name: liver disease
    group: physical_health
    description: d
    cues: [I have hepatitis, my liver is bad]
    categories: [CATEGORY]
    guidance: g
    contraindications: [{topic: TOPIC, severity: 0.9}]
"""


def _tiny(category: str = "self-harm", topic: str = "alcohol") -> str:
    return TINY.replace("CATEGORY", category).replace("TOPIC", topic)


def test_packaged_knowledge_base_covers_the_required_kinds() -> None:
    kb = load_knowledge_base(taxonomy=load_taxonomy())
    assert len(kb.vulnerabilities) >= 60
    groups = Counter(v.group.value for v in kb.vulnerabilities)
    assert set(groups) == {"physical_health", "mental_health", "substance_use", "age", "legal"}, groups
    for needed in ["liver-disease", "kidney-disease", "coronary-heart-disease", "diabetes", "pregnancy",
                   "peanut-allergy", "epilepsy", "medication-interactions", "depression", "suicidal-ideation",
                   "self-harm-history", "eating-disorder", "ptsd", "alcohol-use-disorder", "drug-addiction",
                   "gambling-addiction", "minor", "elderly", "arson-record", "violent-offense-record",
                   "fraud-record", "parole-probation", "restraining-order", "public-office-neutrality"]:
        kb.get(needed)


def test_every_entry_has_examples_and_guidance() -> None:
    kb = load_knowledge_base()
    for v in kb.vulnerabilities:
        assert v.guidance and v.description, v.id
        for c in v.contraindications:
            assert len(kb.topics[c.topic].examples) >= 2, (v.id, c.topic)


def test_a_valid_tiny_file_loads() -> None:
    kb = knowledge_base_from_text(_tiny(), taxonomy=load_taxonomy())
    assert kb.get("liver").contraindications[0].severity == 0.9


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (_tiny(category="liver-harm"), "liver-harm"),
        (_tiny(topic="wine"), "wine"),
        (_tiny().replace("name: tiny", "name: tiny\nextra: 1"), "extra"),
        (_tiny().replace("  - id: liver", "  - id: liver\n    name: x\n    group: age\n    description: d\n    cues: [a, b]\n"
                         "    categories: [hate]\n    guidance: g\n    contraindications: [{topic: alcohol, severity: 1}]\n"
                         "  - id: liver"), "duplicate"),
        (_tiny().replace("severity: 0.9", "severity: 1.5"), "severity"),
        (_tiny().replace("keyword_relevance: 0.9", "keyword_relevance: 0.9\nkeyword_contexts: [Bottle of]"), "lowercase"),
        (_tiny().replace("examples: [buy vodka, buy beer]", "examples: [a, b], contextual_keywords: [captain morgan spiced]"),
         "more than 2 words"),
    ],
)
def test_invalid_files_fail_naming_the_problem(text: str, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        knowledge_base_from_text(text, taxonomy=load_taxonomy())


def test_unknown_vulnerability_lookup_names_the_id() -> None:
    with pytest.raises(UnknownIdError, match="no-such"):
        load_knowledge_base().get("no-such")


def test_contextual_keywords_count_only_after_a_context() -> None:
    text = _tiny().replace("keyword_relevance: 0.9", 'keyword_relevance: 0.9\nkeyword_contexts: ["bottle of", "can of"]')
    text = text.replace("examples: [buy vodka, buy beer]", "examples: [a, b], keywords: [vodka], contextual_keywords: [corona]")
    kb = knowledge_base_from_text(text, taxonomy=load_taxonomy())
    assert kb.topic_keywords("alcohol") == ["vodka", "bottle of corona", "can of corona"]


def test_packaged_contextual_brands_need_a_drink_context() -> None:
    from personaguard.profile.keywords import KeywordLexicon

    kb = load_knowledge_base()
    lex = KeywordLexicon({k: [0] for k in kb.topic_keywords("alcohol")})
    assert lex.match("I want to buy bottles of Corona.") == {0}
    assert lex.match("I want to buy a bottle of Patron.") == {0}
    assert lex.match("The corona of the sun is visible in an eclipse.") == set()
    assert lex.match("How do I welcome a patron to my restaurant?") == set()


def test_every_entry_names_its_public_sources() -> None:
    from personaguard.profile.vulnerabilities import load_knowledge_base

    kb = load_knowledge_base()
    missing = [v.id for v in kb.vulnerabilities if not v.sources or not all(s.strip() for s in v.sources)]
    assert not missing, missing
