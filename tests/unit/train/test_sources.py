"""Label hygiene of the training sources: what is kept as harmful, what as benign."""

from __future__ import annotations

from pathlib import Path

import pytest

from personaguard.taxonomy import load_taxonomy
from personaguard.train.sources import _QUESTION, _REFUSAL, read_source

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"


@pytest.mark.parametrize(
    ("answer", "refused"),
    [
        ("I'm sorry, but I cannot help with that.", True),
        ("As an AI language model, I cannot provide instructions.", True),
        ("No, physical assault is illegal in Germany.", True),
        ("The tallest mountain in the world is Mount Everest.", False),
        ("Here are a few steps you can take:", False),
    ],
)
def test_only_refused_instructions_count_as_harmful(answer: str, refused: bool) -> None:
    assert bool(_REFUSAL.match(answer)) is refused


@pytest.mark.parametrize(
    ("instruction", "question"),
    [("How do I start a campfire?", True), ("What is the capital of France?", True),
     ("Write a poem about the sea.", False), ("Explain photosynthesis.", False), ("Howl at the moon", False)],
)
def test_questions_are_told_from_tasks(instruction: str, question: bool) -> None:
    assert bool(_QUESTION.match(instruction)) is question


@pytest.mark.skipif(not DATA.is_dir(), reason="needs the shared data folder")
def test_alpaca_is_split_into_questions_and_tasks_without_overlap() -> None:
    ids = load_taxonomy(None).ids
    questions = read_source("alpaca_questions", DATA, ids)
    tasks = read_source("alpaca_instructions", DATA, ids)
    assert questions and tasks
    assert all(_QUESTION.match(e.text) for e in questions)
    assert not any(_QUESTION.match(e.text) for e in tasks)
    assert all(e.labels["any"] == 0 and all(v == 0 for v in e.labels.values()) for e in questions[:50])


@pytest.mark.skipif(not DATA.is_dir(), reason="needs the shared data folder")
def test_safety_tuned_llamas_drops_plainly_answered_instructions() -> None:
    rows = read_source("safety_tuned_llamas", DATA, load_taxonomy(None).ids)
    texts = {e.text for e in rows if e.labels.get("any") == 1}
    assert "Name the tallest mountain in the world." not in texts
    assert "Outline a plan for committing check fraud." in texts


@pytest.mark.parametrize(
    ("functionality", "hateful", "expected"),
    [
        ("threat_dir_h", True, {"any": 1, "hate": 1, "harassment/threatening": 1, "violence": 1}),
        ("derog_neg_emote_h", True, {"any": 1, "hate": 1}),
        ("target_indiv_nh", False, {"hate": 0}),  # "I despise you.": not hate, maybe harassment
        ("profanity_nh", False, {"any": 0, "*": 1}),  # "No fucking way.": no category at all
    ],
)
def test_hatecheck_functionalities_say_more_than_hateful_or_not(functionality: str, hateful: bool, expected: dict) -> None:  # type: ignore[type-arg]
    from personaguard.train.sources import _hatecheck_labels

    assert _hatecheck_labels(functionality, hateful) == expected


def test_counterfactual_framings_expand_to_benign_prompts() -> None:
    from personaguard.train.counterfactual import counterfactual_texts, load_counterfactuals

    data = load_counterfactuals()
    texts = counterfactual_texts(data)
    assert len(texts) == sum(len(g.frames) * len(g.topics) for g in data.groups.values())
    assert "What are the legal penalties for arson?" in texts
    assert not any("{" in t or "}" in t for t in texts)
    rows = read_source("counterfactual_safe", Path("unused"), load_taxonomy(None).ids)
    assert len(rows) == len(set(texts)) and all(set(e.labels.values()) == {0} for e in rows)
    # Hard negatives say nothing about the self-harm family (see sources._SELF_HARM).
    assert all("self-harm" not in e.labels and e.labels["illicit"] == 0 for e in rows)


@pytest.mark.parametrize(
    ("text", "match"),
    [("version: 1\ngroups: {g: {description: d, frames: [no slot], topics: [x]}}", "slot"),
     ("version: 1\ngroups: {g: {description: d, frames: ['{t} {t}'], topics: [x]}}", "slot"),
     ("version: 1\nextra: 2\ngroups: {g: {description: d, frames: ['{t}'], topics: [x]}}", "extra"),
     ("version: 1\ngroups: {g: {description: d, frames: ['{t}'], topics: []}}", "topics")],
)
def test_a_bad_counterfactual_file_names_the_problem(text: str, match: str) -> None:
    from personaguard.errors import ConfigError
    from personaguard.train.counterfactual import load_counterfactuals

    with pytest.raises(ConfigError, match=match):
        load_counterfactuals(text, source="bad.yaml")


def test_written_threats_are_threat_positives_with_figurative_negatives() -> None:
    rows = read_source("written_threats", Path("unused"), load_taxonomy(None).ids)
    threats = [e for e in rows if e.labels["any"] == 1]
    figurative = [e for e in rows if e.labels["any"] == 0]
    assert threats and figurative
    assert all(e.labels["harassment/threatening"] == e.labels["violence"] == 1 for e in threats)
    assert all("hate" not in e.labels for e in threats)  # a threat at a person says nothing about hate
    assert any(e.text == "I'm going to kill it tonight." for e in figurative)
    assert all(e.labels["violence"] == 0 for e in figurative)


def test_written_harms_pair_each_kind_of_positive_with_benign_lookalikes() -> None:
    ids = load_taxonomy(None).ids
    from personaguard.train.counterfactual import load_counterfactuals

    data = load_counterfactuals(source="written_harms.yaml")
    positive_groups = [g for g in data.groups.values() if g.categories]
    benign_groups = [g for g in data.groups.values() if not g.categories]
    assert len(positive_groups) == len(benign_groups) >= 5
    rows = read_source("written_harms", Path("unused"), ids)
    threats = [e for e in rows if e.labels.get("harassment/threatening") == 1]
    benign = [e for e in rows if e.labels["any"] == 0]
    assert threats and all(e.labels["harassment"] == 1 and "violence" not in e.labels for e in threats)
    # Look-alikes are benign on every column, self-harm included ...
    assert benign and all(set(e.labels) == {*ids, "any"} and set(e.labels.values()) == {0} for e in benign)
    # ... which is safe only because none of them is about medicines or hurting oneself.
    import re

    medical = re.compile(r"\b(pills?|overdose|medicines?|medication|dose|cut myself)\b")
    assert not any(medical.search(e.text.lower()) for e in benign)
    assert not any(re.search(r"\b(child|children|minors?|teens?|teenagers?)\b", e.text.lower()) for e in rows)

