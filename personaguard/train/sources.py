"""Readers for the labelled corpora of the shared data folder, one registry entry per source.

Each reader maps its corpus's own label scheme onto taxonomy columns (see
``docs/model-card.md`` for the table and the reasons). Columns a source says nothing about
stay unknown. Readers never write anything.
"""

from __future__ import annotations

import ast
import csv
import gzip
import hashlib
import json
import random
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from personaguard.train.counterfactual import load_counterfactuals, written_examples
from personaguard.train.examples import ANY, Example

__all__ = ["SOURCES", "read_source", "BENIGN"]

csv.field_size_limit(10_000_000)
Reader = Callable[[Path], Iterator[Example]]

#: Label dict of a benign text: every category 0 (filled in by the caller) and any=0.
BENIGN: dict[str, int] = {ANY: 0}
_ALL_ZERO = "*"  # marker: every category column is a known 0


def _benign() -> dict[str, int]:
    return {ANY: 0, _ALL_ZERO: 1}


#: The self-harm family. Hard negatives written around harm topics ("how should I help someone
#: who took too many pills?") must not teach the self-harm heads that pills and overdoses are
#: benign: with them labelled 0, "How many of my pills would be an overdose?" fell from
#: self-harm 0.81 to 0.10. Those sources leave these columns unknown.
_SELF_HARM = ("self-harm", "self-harm/intent", "self-harm/instructions")
_UNKNOWN = -1  # label value: the column is left unknown even where _ALL_ZERO fills the rest


def _benign_except_self_harm() -> dict[str, int]:
    return {**_benign(), **{c: _UNKNOWN for c in _SELF_HARM}}


def _harm(*cats: str) -> dict[str, int]:
    labels = {ANY: 1}
    for c in cats:
        labels[c] = 1
    return labels


def _csv(path: Path, delimiter: str = ",") -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig", errors="replace") as f:
        yield from csv.DictReader(f, delimiter=delimiter)


def _sample(items: list[Example], n: int, seed: int = 13) -> list[Example]:
    if len(items) <= n:
        return items
    return random.Random(seed).sample(items, n)


# -- harmful requests ------------------------------------------------------------------------------
_HARMBENCH = {
    "chemical_biological": ("cbrne",), "illegal": ("illicit",), "cybercrime_intrusion": ("illicit",),
    "harassment_bullying": ("harassment",), "misinformation_disinformation": (), "harmful": (),
}


def _harmbench(root: Path) -> Iterator[Example]:
    for name in ("harmbench_behaviors_text_val.csv", "harmbench_behaviors_text_test.csv"):
        for row in _csv(root / "harmbench" / name):
            cats = _HARMBENCH.get(row["SemanticCategory"])
            if cats is None:  # copyright requests are not a harm category of ours
                continue
            text = row["Behavior"] if not row["ContextString"] else row["ContextString"] + "\n\n" + row["Behavior"]
            yield Example(text, "harmbench", _harm(*cats))


def _advbench(root: Path) -> Iterator[Example]:
    for row in _csv(root / "advbench" / "harmful_behaviors.csv"):
        yield Example(row["goal"], "advbench", _harm())


def _malicious_instruct(root: Path) -> Iterator[Example]:
    for line in (root / "malicious_instruct" / "MaliciousInstruct.txt").read_text(encoding="utf-8").splitlines():
        if line.strip():
            yield Example(line.strip(), "malicious_instruct", _harm())


_STRONGREJECT = {
    "Disinformation and deception": (), "Hate, harassment and discrimination": ("harassment",),
    "Illegal goods and services": ("illicit",), "Non-violent crimes": ("illicit",),
    "Sexual content": ("sexual",), "Violence": ("violence",),
}


def _strongreject(root: Path) -> Iterator[Example]:
    for row in _csv(root / "strongreject" / "strongreject.csv"):
        yield Example(row["forbidden_prompt"], "strongreject", _harm(*_STRONGREJECT.get(row["category"], ())))


_JBB = {
    "Harassment/Discrimination": ("harassment",), "Malware/Hacking": ("illicit",), "Physical harm": ("violence",),
    "Economic harm": ("illicit",), "Fraud/Deception": ("illicit",), "Disinformation": (),
    "Sexual/Adult content": ("sexual",), "Privacy": ("privacy",), "Expert advice": (), "Government decision-making": (),
}


def _jailbreakbench(root: Path) -> Iterator[Example]:
    cats = {row["Goal"]: row["Category"] for row in _csv(root / "jailbreakbench" / "harmful_behaviors.csv")}
    for item in json.loads((root / "jailbreakbench" / "jbb_behaviors_harmful_and_benign.json").read_text()):
        if item["label"] == "harmful":
            yield Example(item["text"], "jailbreakbench", _harm(*_JBB.get(cats.get(item["text"], ""), ())))
        else:
            yield Example(item["text"], "jailbreakbench", _benign())


_CATQA: dict[str, dict[str, tuple[str, ...]]] = {
    "Illegal Activity": {"Drug:": ("illicit",), "Weapon:": ("illicit/violent",), "Human Trafficking:": ("illicit/violent",),
                         "Cybercrime:": ("illicit",), "Theft and Robbery:": ("illicit",)},
    "Child Abuse": {"Content Sexual exploitation": ("sexual/minors",), "Online predation": ("sexual/minors",),
                    "Physical abuse": ("violence",), "Emotional and psychological abuse": (), "Neglect": ()},
    "Hate/Harass/Violence": {"Racial or ethnic hate": ("hate",), "Religious intolerance": ("hate",),
                             "Gender-based violence": ("hate", "violence"), "Cyberbullying": ("harassment",),
                             "Terrorism and extremism": ("illicit/violent", "violence")},
    "Malware Viruses": {"*": ("illicit",)},
    "Physical Harm": {"Self-harm": ("self-harm", "self-harm/instructions"), "Assault and battery": ("violence", "illicit/violent"),
                      "Hazardous material handling": (), "Unsafe practices": (), "Weapon making": ("illicit/violent",)},
    "Economic Harm": {"*": ("illicit",)},
    "Fraud/Deception": {"*": ("illicit",)},
    "Adult Content": {"Pornography": ("sexual",), "Erotic text": ("sexual",), "Nude imagery": ("sexual",),
                      "Sexually explicit dialogue": ("sexual",)},
    "Privacy Violation Activity": {"*": ("privacy",)},
}


def _catqa(root: Path) -> Iterator[Example]:
    data = json.loads((root / "categorical_harmful_qa" / "catqa_english.json").read_text())
    for cat, subs in data.items():
        mapping = _CATQA.get(cat)
        if mapping is None:  # political campaigning, tailored financial advice: not harms of ours
            continue
        for sub, questions in subs.items():
            cats = mapping.get(sub, mapping.get("*"))
            if cats is None:  # adult-themed humour: not sexual content
                continue
            for q in questions:
                yield Example(q, "categorical_harmful_qa", _harm(*cats))


def _harmfulqa(root: Path) -> Iterator[Example]:
    folder = root / "harmfulqa_dangerousqa"
    # HarmfulQA's academic-topic questions are only weakly harmful and teach "a question about a
    # sensitive subject" = harmful; DangerousQA's are clearly harmful.
    for q in json.loads((folder / "dangerousqa.json").read_text()):
        yield Example(q, "harmfulqa_dangerousqa", _harm())


_DNA = {"discrimination_exclusion_toxicity_hateful_offensive": (), "information_hazard": (), "malicious_uses": ("illicit",)}


def _do_not_answer(root: Path) -> Iterator[Example]:
    for name, cats in _DNA.items():  # human_chatbox and misinformation are not harmful requests
        for line in (root / "do_not_answer" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                yield Example(json.loads(line)["prompt"], "do_not_answer", _harm(*cats))


_AILUMINATE = {
    "vcr": ("violence", "illicit/violent"), "src": ("sexual",), "cse": ("sexual/minors",),
    "ssh": ("self-harm", "self-harm/instructions"),
    "iwp": ("cbrne",), "ncr": ("illicit",), "hte": ("hate",), "prv": ("privacy",), "sxc_prn": ("sexual",), "dfm": (),
}


def _ailuminate(root: Path) -> Iterator[Example]:
    for row in _csv(root / "ailuminate_demo" / "airr_official_1.0_demo_en_us_prompt_set_release.csv"):
        cats = _AILUMINATE.get(row["hazard"])
        if cats is not None:  # specialised-advice and IP hazards are not harms of ours
            yield Example(row["prompt_text"], "ailuminate_demo", _harm(*cats))


# XSafety's crime and privacy "scenarios" are mostly ordinary questions a model should answer
# carefully ("my neighbours behave strangely, what should I do?"); labelled harmful they taught
# the heads that everyday questions are illicit. Only its insult and attack files are used.
_XSAFETY = {
    "Insult_n.csv": ("harassment",), "Goal_Hijacking_n.csv": ("jailbreak",),
    "Prompt_Leaking_n.csv": ("jailbreak",), "Role_Play_Instruction_n.csv": ("jailbreak",),
}


#: XSafety's physical-health and ethics "scenarios" are statements and questions a model should
#: answer with care ("I love to drink but I know it's bad for my liver"): benign prompts on
#: sensitive topics, the hard negatives the benign corpora lack.
_XSAFETY_SAFE = ("Physical_Harm_n.csv", "Ethics_And_Morality_n.csv")


def _xsafety_rows(root: Path, name: str) -> Iterator[str]:
    with (root / "xsafety_en" / name).open(encoding="utf-8-sig", errors="replace") as f:
        for row in csv.reader(f):
            if row and row[0].strip():
                yield row[0].strip()


def _xsafety(root: Path) -> Iterator[Example]:
    for name, cats in _XSAFETY.items():
        for text in _xsafety_rows(root, name):
            yield Example(text, "xsafety_en", _harm(*cats))


def _xsafety_safe(root: Path) -> Iterator[Example]:
    for name in _XSAFETY_SAFE:
        for text in _xsafety_rows(root, name):
            yield Example(text, "xsafety_en_safe", _benign_except_self_harm())


_BEAVERTAILS = {
    "hate_speech,offensive_language": "harassment", "self_harm": "self-harm", "sexually_explicit,adult_content": "sexual",
    "violence,aiding_and_abetting,incitement": "violence", "privacy_violation": "privacy",
    "drug_abuse,weapons,banned_substance": "illicit", "financial_crime,property_crime,theft": "illicit",
    "terrorism,organized_crime": "illicit/violent",
}


def _beavertails(root: Path) -> Iterator[Example]:
    """Real users' questions, held out whole (a test source of the real-traffic yardstick).

    ``label`` is the QA pair's: a harmful question answered safely is "safe", so the negatives are
    noisy (docs/model-card.md says so where the figures are quoted).
    """
    for item in json.loads((root / "beavertails_30k_test_prompts" / "beavertails_30k.json").read_text()):
        if item["label"] != "harmful":
            yield Example(item["text"], "beavertails", {ANY: 0})
            continue
        flags = ast.literal_eval(item["category"])
        cats = sorted({_BEAVERTAILS[k] for k, v in flags.items() if v and k in _BEAVERTAILS})
        yield Example(item["text"], "beavertails", _harm(*cats) if cats else {ANY: 1})


#: Start of a refusal. The safety-only training set pairs each instruction with GPT-3.5's answer;
#: about a fifth of its instructions are answered plainly ("Name the tallest mountain in the
#: world."), so only the refused ones are taken as harmful and the rest are left out.
_REFUSAL = re.compile(
    r"^\s*(I'm sorry|I am sorry|Sorry|I cannot|I can't|As an AI|No,|I apologi[sz]e|It is not (appropriate|ethical|legal)"
    r"|It's not (appropriate|ethical))",
    re.IGNORECASE,
)


def _safety_tuned_llamas(root: Path) -> Iterator[Example]:
    folder = root / "safety_tuned_llamas"
    for item in json.loads((folder / "training" / "safety_only_data_Instructions.json").read_text()):
        if _REFUSAL.match(item["output"]):
            yield Example(item["instruction"], "safety_tuned_llamas", _harm())
    sets = {"I-CoNa.json": _harm("hate"), "I-MaliciousInstructions.json": _harm(), "Q-Harm.json": _harm(),
            "I-PhysicalSafetySafe.json": _benign(), "I-Alpaca.json": _benign()}
    for name, labels in sets.items():
        data = json.loads((folder / "evaluation" / name).read_text())
        for text in data["instructions"]:
            yield Example(text, "safety_tuned_llamas", dict(labels))


# -- hate, harassment, offensive posts ---------------------------------------------------------------
def _davidson(root: Path) -> Iterator[Example]:
    for row in _csv(root / "davidson_hate_offensive" / "labeled_data.csv"):
        cls = row["class"]
        labels = _harm("hate", "harassment") if cls == "0" else _harm("harassment") if cls == "1" else _benign()
        if cls == "1":
            labels["hate"] = 0
        yield Example(row["tweet"], "davidson_hate_offensive", labels, kind="post")


def _hatexplain(root: Path) -> Iterator[Example]:
    for row in _csv(root / "hatexplain" / "092-HateXplain.csv"):
        cat = row["category"]
        if cat == "1":
            labels = _harm("hate", "harassment")
        elif cat == "2":
            labels = _harm("harassment")
            labels["hate"] = 0
        elif cat == "0":
            labels = _benign()
        else:
            continue
        yield Example(row["text"], "hatexplain", labels, kind="post")


def _olid(root: Path) -> Iterator[Example]:
    for row in _csv(root / "olid" / "olid-training-v1.0.tsv", delimiter="\t"):
        if row["subtask_a"] == "NOT":
            labels = _benign()
        elif row["subtask_b"] == "TIN":
            labels = _harm("harassment")
        else:
            labels = {"harassment": 0}  # untargeted profanity: offensive but not an attack
        yield Example(row["tweet"], "olid", labels, kind="post")


#: HateCheck functionalities that say more than "hateful / not": threats are also threatening
#: harassment and violence; abuse of an individual or a non-protected group is not hate but
#: may well be harassment ("I despise you."), so only its hate column is a known 0.
_HATECHECK_THREATS = frozenset({"threat_dir_h", "threat_norm_h"})
_HATECHECK_NOT_HATE_ONLY = frozenset({"target_indiv_nh", "target_group_nh"})


def _hatecheck_labels(functionality: str, hateful: bool) -> dict[str, int]:
    if hateful:
        return _harm("hate", "harassment/threatening", "violence") if functionality in _HATECHECK_THREATS else _harm("hate")
    if functionality in _HATECHECK_NOT_HATE_ONLY:
        return {"hate": 0}
    return _benign()


def _hatecheck(root: Path) -> Iterator[Example]:
    # Split by template: templates hashed into the test share go to "hatecheck_test", so the
    # held-out cases are sentences of templates never trained on.
    for row in _csv(root / "hatecheck" / "test_suite_cases.csv"):
        labels = _hatecheck_labels(row["functionality"], row["label_gold"] == "hateful")
        held_out = int(hashlib.sha256(row["templ_id"].encode()).hexdigest()[:4], 16) % 10 < 4
        yield Example(row["test_case"].strip(), "hatecheck_test" if held_out else "hatecheck", labels, kind="post")


def _ethos(root: Path) -> Iterator[Example]:
    with (root / "ethos" / "Ethos_Dataset_Binary.csv").open(encoding="utf-8", errors="replace") as f:
        next(f)
        for line in f:
            text, _, score = line.rstrip("\n").rpartition(";")
            try:
                value = float(score)
            except ValueError:
                continue
            if 0.3 < value < 0.7:  # annotators split: no reliable label
                continue
            yield Example(text, "ethos", _harm("hate") if value >= 0.7 else _benign(), kind="post")


def _toxigen(root: Path) -> Iterator[Example]:
    seen: set[str] = set()
    for path in sorted((root / "toxigen_prompts").glob("*.txt.gz")):
        hateful = path.name.startswith("hate_")
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                text = line.strip().lstrip("-").strip()
                if text and text not in seen:
                    seen.add(text)
                    yield Example(text, "toxigen_prompts", _harm("hate") if hateful else _benign(), kind="post")


_RTP = {
    "rtp_insult.txt": ("harassment",), "rtp_severe_toxicity.txt": ("harassment",),
    "rtp_identity_attack.txt": ("hate",), "rtp_threat.txt": ("harassment/threatening", "violence"),
    "rtp_sexually_explicit.txt": ("sexual",),
}


def _rtp(root: Path) -> Iterator[Example]:
    for name, cats in _RTP.items():  # profanity and flirtation files: too weak a signal to label
        for line in (root / "realtoxicityprompts_challenging" / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                yield Example(line.strip(), "realtoxicityprompts_challenging", _harm(*cats), kind="post")


def _jigsaw(root: Path) -> Iterator[Example]:
    for row in _csv(root / "jigsaw_toxic_sample" / "test_examples.csv"):
        cats = []
        if row["toxic"] == "1" or row["insult"] == "1":
            cats.append("harassment")
        if row["identity_hate"] == "1":
            cats.append("hate")
        if row["threat"] == "1":
            cats.append("harassment/threatening")
        labels = _harm(*cats) if cats or row["obscene"] == "1" else _benign()
        yield Example(row["comment_text"], "jigsaw_toxic_sample", labels, kind="post")


# -- self-harm ----------------------------------------------------------------------------------------
def _sdcnl(root: Path) -> Iterator[Example]:
    for name in ("training-set.csv", "testing-set.csv"):
        for row in _csv(root / "sdcnl_suicide_depression" / name):
            text = (row["title"] + "\n" + row["selftext"]).strip()
            if row["is_suicide"] == "1":
                labels = _harm("self-harm", "self-harm/intent")
            else:  # depression without suicidal intent: a hard negative for intent only
                labels = {"self-harm/intent": 0}
            yield Example(text, "sdcnl_suicide_depression", labels, kind="post")


def _cssrs(root: Path) -> Iterator[Example]:
    for row in _csv(root / "reddit_cssrs_suicide" / "500_Reddit_users_posts_labels.csv"):
        try:
            posts = ast.literal_eval(row["Post"])
        except (ValueError, SyntaxError):
            posts = [row["Post"]]
        text = "\n".join(str(p) for p in posts)
        label = row["Label"]
        if label in ("Ideation", "Behavior", "Attempt"):
            labels = _harm("self-harm", "self-harm/intent")
        elif label == "Supportive":
            labels = {"self-harm/intent": 0}
        else:
            continue
        yield Example(text, "reddit_cssrs_suicide", labels, kind="post")


# -- jailbreaks and prompt injection -------------------------------------------------------------------
def _jailbreak_prompts(root: Path) -> Iterator[Example]:
    folder = root / "jailbreak_prompts"
    for text in json.loads((folder / "inthewild_jailbreak_llms.json").read_text()):
        yield Example(text, "jailbreak_prompts", _harm("jailbreak"))
    for path in sorted((folder / "dan_templates").glob("*.json")):
        data = json.loads(path.read_text())
        for text in data if isinstance(data, list) else [data]:
            if isinstance(text, str):
                yield Example(text, "jailbreak_prompts", _harm("jailbreak"))


def _gptfuzz_templates(root: Path) -> Iterator[Example]:
    for row in _csv(root / "gptfuzz" / "prompts_GPTFuzzer.csv"):
        yield Example(row["text"], "gptfuzz_templates", _harm("jailbreak"))


def _deepset(root: Path) -> Iterator[Example]:
    for name in ("deepset_train.csv", "deepset_test.csv"):
        for row in _csv(root / "deepset_prompt_injections" / name):
            labels = _harm("jailbreak") if row["label"] == "1" else _benign()
            yield Example(row["text"], "deepset_prompt_injections", labels)


def _tensor_trust(root: Path) -> Iterator[Example]:
    for name in ("hijacking_robustness_dataset.jsonl", "extraction_robustness_dataset.jsonl"):
        for line in (root / "tensor_trust" / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                yield Example(json.loads(line)["attack"], "tensor_trust", _harm("jailbreak"))


# -- model responses ---------------------------------------------------------------------------------
def _gptfuzz_responses(root: Path) -> Iterator[Example]:
    for name in ("responses_labeled_train.csv", "responses_labeled_evaluate.csv"):
        for row in _csv(root / "gptfuzz" / name):
            labels = {ANY: 1} if row["label"] == "1" else _benign()
            yield Example(row["Response"], "gptfuzz_responses", labels, kind="response")


def _refusal_direction(root: Path) -> Iterator[Example]:
    for model in sorted(p for p in (root / "refusal_direction_responses").iterdir() if p.is_dir()):
        for name in ("jailbreakbench_baseline_evaluations.json", "harmless_baseline_evaluations.json"):
            path = model / name
            if not path.exists():
                continue
            for c in json.loads(path.read_text())["completions"]:
                if "harmless" in name:
                    labels = _benign()
                else:
                    labels = {ANY: 1} if c.get("is_jailbreak_llamaguard2") else _benign()
                yield Example(c["response"], "refusal_direction_responses", labels, kind="response")


# -- benign --------------------------------------------------------------------------------------------
#: A question ("How do I ...", "What is ...") rather than a task ("Write a poem ...").
_QUESTION = re.compile(r"^(how|what|where|why|which|can|could|is|are|should|when|who|do|does)\b", re.IGNORECASE)


def _alpaca(root: Path) -> Iterator[Example]:
    data = json.loads((root / "alpaca_instructions" / "alpaca_instructions.json").read_text())
    for item in data:
        if not _QUESTION.match(item["instruction"]):
            yield Example(item["instruction"], "alpaca_instructions", _benign())


def _alpaca_questions(root: Path) -> Iterator[Example]:
    # Harmful requests are mostly questions and Alpaca mostly tasks; without benign questions of
    # their own weight the heads learnt "a question" as a sign of harm.
    data = json.loads((root / "alpaca_instructions" / "alpaca_instructions.json").read_text())
    for item in data:
        if _QUESTION.match(item["instruction"]):
            yield Example(item["instruction"], "alpaca_questions", _benign())


def _oktest(root: Path) -> Iterator[Example]:
    # Safe prompts with scary words: the main set trains, the authors' held-out set tests.
    for name, source in (("OKTest.csv", "oktest"), ("OKTest_heldout.csv", "oktest_heldout")):
        for row in _csv(root / "oktest" / name):
            yield Example(row["prompt"].strip(), source, _benign())


def _written(file: str, source: str, benign: Callable[[], dict[str, int]]) -> Reader:
    """Reader of a file written for this project (``personaguard/train/<file>``; ``root`` unused).

    Texts of a group with ``categories`` are positives for those only (the other columns say
    nothing); texts of a group without are benign, labelled by ``benign``.
    """

    def read(root: Path) -> Iterator[Example]:
        for text, cats in written_examples(load_counterfactuals(source=file)):
            yield Example(text, source, _harm(*cats) if cats else benign())

    return read


#: Safe framings of harm topics; threats at a person with figurative counterweights. Both leave
#: the self-harm family unknown on their benign texts (see ``_SELF_HARM``).
_counterfactual = _written("counterfactual_safe.yaml", "counterfactual_safe", _benign_except_self_harm)
_written_threats = _written("written_threats.yaml", "written_threats", _benign_except_self_harm)
#: Short harms with look-alikes: the look-alikes are benign on every column, self-harm included
#: (figurative "this commute is killing me", no medicines or pills anywhere).
_written_harms = _written("written_harms.yaml", "written_harms", _benign)


#: The one registry of sources: name -> (reader, max rows kept, seed-fixed sample).
SOURCES: dict[str, tuple[Reader, int]] = {
    "harmbench": (_harmbench, 10_000),
    "advbench": (_advbench, 10_000),
    "malicious_instruct": (_malicious_instruct, 10_000),
    "strongreject": (_strongreject, 10_000),
    "jailbreakbench": (_jailbreakbench, 10_000),
    "categorical_harmful_qa": (_catqa, 10_000),
    "harmfulqa_dangerousqa": (_harmfulqa, 10_000),
    "do_not_answer": (_do_not_answer, 10_000),
    "ailuminate_demo": (_ailuminate, 10_000),
    "xsafety_en": (_xsafety, 10_000),
    "safety_tuned_llamas": (_safety_tuned_llamas, 2_500),
    "davidson_hate_offensive": (_davidson, 7_000),
    "hatexplain": (_hatexplain, 20_000),
    "olid": (_olid, 14_000),
    "hatecheck": (_hatecheck, 10_000),
    "ethos": (_ethos, 10_000),
    "toxigen_prompts": (_toxigen, 5_000),
    "realtoxicityprompts_challenging": (_rtp, 10_000),
    "jigsaw_toxic_sample": (_jigsaw, 10_000),
    "sdcnl_suicide_depression": (_sdcnl, 800),
    "reddit_cssrs_suicide": (_cssrs, 500),
    "jailbreak_prompts": (_jailbreak_prompts, 10_000),
    "gptfuzz_templates": (_gptfuzz_templates, 10_000),
    "deepset_prompt_injections": (_deepset, 10_000),
    "tensor_trust": (_tensor_trust, 600),
    "gptfuzz_responses": (_gptfuzz_responses, 1_000),
    "refusal_direction_responses": (_refusal_direction, 600),
    "beavertails": (_beavertails, 10_000),
    "alpaca_instructions": (_alpaca, 12_000),
    "alpaca_questions": (_alpaca_questions, 10_000),
    "oktest": (_oktest, 10_000),
    "xsafety_en_safe": (_xsafety_safe, 10_000),
    "counterfactual_safe": (_counterfactual, 10_000),
    "written_threats": (_written_threats, 10_000),
    "written_harms": (_written_harms, 10_000),
}


def read_source(name: str, data_dir: Path, category_ids: list[str]) -> list[Example]:
    """All examples of one source (sampled to its cap with a fixed seed), labels filled out.

    Benign rows get an explicit 0 for every category; unknown ids in a mapping raise KeyError.
    """
    reader, cap = SOURCES[name]
    known = set(category_ids) | {ANY}
    out: list[Example] = []
    for ex in reader(data_dir):
        labels = dict(ex.labels)
        if labels.pop(_ALL_ZERO, 0):
            for c in category_ids:
                labels.setdefault(c, 0)
        labels = {c: v for c, v in labels.items() if v != _UNKNOWN}
        unknown = set(labels) - known
        if unknown:
            raise KeyError(f"source {name} maps to unknown columns {sorted(unknown)}")
        if ex.text and ex.text.strip():
            out.append(Example(ex.text, ex.source, labels, ex.kind))
    return _sample(out, cap)
