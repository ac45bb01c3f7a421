"""Check one proposed agent action against the user it acts for.

Pipeline: read the action (any shape) -> find its flows (data x whose x recipient x channel) ->
score each against the contextual-integrity norms and the user's persona and settings -> floors
-> the text guard on what the action sends -> trajectory risk (confirm a leaking draft before it
is sent) -> the strictest outcome wins, explained.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from personaguard.actions.catalog import ToolCatalog, ToolSpec, load_tool_catalog
from personaguard.actions.decision import ActionDecision, ContentVerdict, FlowVerdict, TrajectoryRisk
from personaguard.actions.detect import DataLexicon, load_lexicon
from personaguard.actions.flows import FileMemory, InformationFlow, read_action, remember
from personaguard.actions.kinds import ActionOutcome, Channel, DataType, FlowSetting, PrivacyPersona, RecipientKind
from personaguard.actions.norms import NormBook, PersonaThresholds, load_norms
from personaguard.actions.recipients import RecipientRules, load_recipient_rules
from personaguard.actions.shapes import Observation, ToolCall, parse_action, parse_trajectory
from personaguard.actions.trajectory import MarkovChain, load_chain

if TYPE_CHECKING:
    from personaguard.actions.meaning import MeaningDetector
    from personaguard.decide.outcome import Decision
    from personaguard.profile.profile import UserProfile

__all__ = ["ActionChecker", "TextCheck"]

#: Decides texts for a user (``Guard.check_batch`` bound to ``errors="raise"``).
TextCheck = Callable[[list[str], "UserProfile | None"], "Sequence[Decision]"]

_APPROPRIATE = 0.15          # norm risk below which a flow is the one the data exists for
_TAINT_STRENGTH = 0.85       # detections this strong in earlier steps taint the trajectory
_MIN_CONTENT_CHARS = 3


class ActionChecker:
    """Decide allow / confirm / block for agent tool calls.

    Parameters
    ----------
    text_check : callable or None, default=None
        Scores what an action sends for harm (``Guard`` passes its own ``check_batch``); None skips it.
    catalog, lexicon, recipients, norms, chain : optional
        Policy data; None loads the packaged files (``tools.yaml``, ``data_types.yaml``,
        ``recipients.yaml``, ``norms.yaml``, ``trajectory_counts.json``).
    horizon : int, default=3
        Steps ahead for the trajectory risk.
    attack_categories : frozenset of str, default=frozenset()
        Text-guard categories about manipulating a model (jailbreak): not a harm of text sent to
        people, so they do not count in the content verdict.
    meaning : MeaningDetector or None, default=None
        Finds personal data by meaning when the lexicon sees nothing strong; None: lexicon only.

    Examples
    --------
    >>> checker = ActionChecker()
    >>> d = checker.check({"tool": "post_social", "arguments": {"text": "Just got my HIV test back: positive."}})
    >>> d.outcome.value, d.flows[0].data_type.value, d.flows[0].recipient_kind.value
    ('confirm', 'health', 'public')
    """

    def __init__(
        self,
        *,
        text_check: TextCheck | None = None,
        catalog: ToolCatalog | None = None,
        lexicon: DataLexicon | None = None,
        recipients: RecipientRules | None = None,
        norms: NormBook | None = None,
        chain: MarkovChain | None = None,
        horizon: int = 3,
        attack_categories: frozenset[str] = frozenset(),
        meaning: MeaningDetector | None = None,
    ) -> None:
        if not isinstance(horizon, int) or isinstance(horizon, bool) or horizon < 1:
            raise ValueError(f"horizon must be an int >= 1, got {horizon!r}")
        self.text_check = text_check
        self.catalog = catalog or load_tool_catalog()
        self.lexicon = lexicon or load_lexicon()
        self.recipients = recipients or load_recipient_rules()
        self.norms = norms or load_norms()
        self.chain = chain or load_chain()
        self.horizon = horizon
        self.attack_categories = frozenset(attack_categories)
        self.meaning = meaning

    def check(self, action: Any, *, user: UserProfile | None = None, trajectory: Sequence[Any] | None = None) -> ActionDecision:
        """Decide on one action; see :meth:`personaguard.Guard.check_action`.

        Raises
        ------
        MalformedActionError
            The action or a trajectory step has no known shape, or bad JSON arguments.
        InputTooLargeError
            Arguments, an observation or the trajectory exceed their limits.
        """
        call = parse_action(action)
        steps = parse_trajectory(trajectory)
        memory, tainted_by, last = self._replay(steps)
        spec = self.catalog.resolve(call.tool)
        persona = (user.privacy if user is not None else None) or PrivacyPersona.BALANCED
        settings = dict(user.privacy_settings) if user is not None else {}
        known = {k.strip().lower(): v for k, v in user.contacts.items()} if user is not None else {}
        limits = self.norms.personas[persona]
        reading = read_action(call, spec, lexicon=self.lexicon, rules=self.recipients, memory=memory,
                              meaning=self.meaning.detect if self.meaning is not None else None, known=known)
        purposes = self.norms.purposes_in(reading.words)
        flows = [self._judge(f, purposes, limits, settings, persona) for f in reading.flows]
        public = any(r.kind is RecipientKind.PUBLIC for r in reading.recipients)
        content = self._content(reading.contents, spec, user, public=public) if spec.channel.is_outward else None
        carried = {d.data_type for d in reading.detections if d.strength >= _TAINT_STRENGTH}
        tainted = bool(tainted_by or carried)
        state = self.catalog.state_of(spec)
        risk = TrajectoryRisk(
            probability=self.chain.risk_within((state, tainted), self.horizon), horizon=self.horizon,
            state=f"{state}|{int(tainted)}", tainted_by=sorted(tainted_by | carried, key=lambda d: d.value),
        )
        ahead = self._ahead(call, spec, memory, purposes, limits, settings, persona, risk, known)
        outcome = max([ActionOutcome.ALLOW, *(f.outcome for f in flows), *(f.outcome for f in ahead),
                       *([content.outcome] if content else [])], key=lambda o: o.severity)
        explanation, question = _explain(outcome, call, spec, persona, flows, ahead, content, risk, last)
        return ActionDecision(
            outcome=outcome, explanation=explanation, question=question, tool=call.tool,
            tool_known=not spec.inferred, channel=spec.channel, irreversible=spec.irreversible, persona=persona,
            flows=[*flows, *ahead], content=content, trajectory=risk,
        )

    # -- steps ----------------------------------------------------------------------------------
    def replay(
        self, steps: Sequence[ToolCall | Observation], memory: FileMemory
    ) -> Iterator[tuple[ToolCall | Observation, str | None, frozenset[DataType]]]:
        """Walk trajectory steps, filling ``memory``; after each: the step, its chain state (None
        for an observation) and the data types the trajectory has seen so far (its taint)."""
        tainted: set[DataType] = set()
        previous: ToolCall | None = None
        for step in steps:
            remember(memory, step, previous, self.lexicon)
            tainted |= {d.data_type for d in memory.observed if d.strength >= _TAINT_STRENGTH}
            state = None
            if isinstance(step, ToolCall):
                previous = step
                spec = self.catalog.resolve(step.tool)
                seen = read_action(step, spec, lexicon=self.lexicon, rules=self.recipients, memory=memory).detections
                tainted |= {d.data_type for d in seen if d.strength >= _TAINT_STRENGTH}
                state = self.catalog.state_of(spec)
            yield step, state, frozenset(tainted)

    def _replay(self, steps: list[ToolCall | Observation]) -> tuple[FileMemory, set[DataType], ToolCall | None]:
        memory = FileMemory()
        tainted: frozenset[DataType] = frozenset()
        previous: ToolCall | None = None
        for step, _, tainted in self.replay(steps, memory):
            previous = step if isinstance(step, ToolCall) else previous
        return memory, set(tainted), previous

    def _judge(
        self, flow: InformationFlow, purposes: set[str], limits: PersonaThresholds,
        settings: dict[DataType, FlowSetting], persona: PrivacyPersona,
    ) -> FlowVerdict:
        norm, why = self.norms.norm_risk(flow.data_type, flow.recipient.kind, purposes)
        bump = self.norms.subject_bump.get(flow.subject, 0.0)
        risk = min(1.0, (norm + bump) * flow.strength)
        setting = settings.get(flow.data_type)
        if setting is FlowSetting.ALLOW:
            outcome, rule = ActionOutcome.ALLOW, f"your setting {flow.data_type.value}: allow"
        elif setting is not None:
            strays = norm >= _APPROPRIATE
            outcome = ActionOutcome.ALLOW
            if strays:
                outcome = ActionOutcome.CONFIRM
                if setting is FlowSetting.BLOCK and flow.strength >= 0.5:
                    outcome = ActionOutcome.BLOCK
            rule = f"your setting {flow.data_type.value}: {setting.value}" + ("" if strays else f" ({why}: expected flow)")
        else:
            blocks = limits.block is not None and risk >= limits.block
            outcome = (ActionOutcome.BLOCK if blocks else
                       ActionOutcome.CONFIRM if risk >= limits.confirm else ActionOutcome.ALLOW)
            cmp = ">=" if outcome is not ActionOutcome.ALLOW else "<"
            limit = limits.block if blocks and limits.block is not None else limits.confirm
            rule = f"{why}; risk {risk:.2f} {cmp} {limit:.2f} ({persona.value})"
        floor = self.norms.floor_for(flow.data_type, flow.recipient.kind, flow.strength)
        if floor is not None and floor.outcome.severity > outcome.severity:
            outcome, rule = floor.outcome, f"{floor.describe()} (over {rule})"
        return FlowVerdict(
            data_type=flow.data_type, subject=flow.subject, recipient=flow.recipient.name[:200],
            recipient_kind=flow.recipient.kind, channel=flow.channel, evidence=flow.evidence, source=flow.source,
            strength=flow.strength, norm_risk=norm, risk=risk, outcome=outcome, rule=rule,
        )

    def _content(
        self, contents: list[tuple[str, str]], spec: ToolSpec, user: UserProfile | None, *, public: bool
    ) -> ContentVerdict | None:
        """The text guard on what is sent: its block stops a public post and asks first for a private message.

        The text guard judges chat turns; here the user is the author and the reader a person
        they chose. A public post is held to the guard's verdict (block -> block, warn -> confirm);
        a message to named people only asks first when the guard would block (threats, harassment),
        and its warnings are reported, not acted on.
        """
        if self.text_check is None:
            return None
        texts = [(path, t) for path, t in contents if len(t.strip()) >= _MIN_CONTENT_CHARS]
        if spec.channel in (Channel.PERMISSION, Channel.SETTINGS) or not texts:
            return None
        # One text, one scoring pass: the parts of a message are read together, as its reader will.
        [d] = self.text_check(["\n\n".join(t for _, t in texts)], user)
        cats = [v for v in d.categories if v.outcome.value != "allow" and v.id not in self.attack_categories]
        worst_level = max((v.outcome.value for v in cats), key=lambda o: _TEXT_SEVERITY.get(o, 0), default="allow")
        worst_cats = [v.id for v in cats]
        source = "+".join(dict.fromkeys(p for p, _ in texts))
        if public:
            outcome = {"block": ActionOutcome.BLOCK, "warn": ActionOutcome.CONFIRM, "ask": ActionOutcome.CONFIRM}
        else:
            outcome = {"block": ActionOutcome.CONFIRM}
        return ContentVerdict(outcome=outcome.get(worst_level, ActionOutcome.ALLOW), text_outcome=worst_level,
                              categories=worst_cats, source=source[:200])

    def _ahead(
        self, call: ToolCall, spec: ToolSpec, memory: FileMemory, purposes: set[str], limits: PersonaThresholds,
        settings: dict[DataType, FlowSetting], persona: PrivacyPersona, risk: TrajectoryRisk,
        known: dict[str, RecipientKind],
    ) -> list[FlowVerdict]:
        """A reversible step that names recipients (a draft): the flows it would make once sent.

        Confirmed now when they would be confirmed or blocked and the chain says a leak is likely
        within the horizon: the user is asked before the irreversible step, not at it.
        """
        if spec.channel is not Channel.LOCAL or not spec.recipients or risk.probability < limits.ahead:
            return []
        sent = spec.model_copy(update={"channel": Channel.EMAIL})
        reading = read_action(call, sent, lexicon=self.lexicon, rules=self.recipients, memory=memory, known=known)
        verdicts = [self._judge(f, purposes, limits, settings, persona) for f in reading.flows]
        return [
            v.model_copy(update={
                "outcome": ActionOutcome.CONFIRM,
                "rule": f"ahead of sending: P(leak within {risk.horizon} steps) {risk.probability:.2f} >= "
                        f"{limits.ahead:.2f}; once sent: {v.rule}",
            })
            for v in verdicts if v.outcome is not ActionOutcome.ALLOW
        ]


_TEXT_SEVERITY = {"allow": 0, "warn": 1, "ask": 1, "block": 2}


def _explain(
    outcome: ActionOutcome, call: ToolCall, spec: ToolSpec, persona: PrivacyPersona, flows: list[FlowVerdict],
    ahead: list[FlowVerdict], content: ContentVerdict | None, risk: TrajectoryRisk, last: ToolCall | None,
) -> tuple[str, str | None]:
    tool = call.tool if not spec.inferred else f"{call.tool} (unknown tool, read as {spec.channel.value})"
    deciding = [f for f in [*flows, *ahead] if f.outcome is outcome]
    parts: list[str] = []
    for f in sorted(deciding, key=lambda f: -f.risk)[:3]:
        whose = {"self": "your", "third_party": "someone else's", "child": "a child's"}.get(f.subject, "")
        parts.append(f"{whose} {f.data_type.value} data ('{f.evidence}', in {f.source}) to {f.recipient} "
                     f"({f.recipient_kind.value}) by {f.channel.value}: {f.rule}")
    if content is not None and content.outcome is outcome and outcome is not ActionOutcome.ALLOW:
        parts.append(f"the text it sends ({content.source}) is {content.text_outcome} by the text guard"
                     + (f" ({', '.join(content.categories)})" if content.categories else ""))
    if outcome is ActionOutcome.ALLOW:
        if flows:
            shown = "; ".join(f"{f.data_type.value} to {f.recipient} ({f.recipient_kind.value}): {f.rule}" for f in flows[:3])
            return f"allow {tool} for a {persona.value} user: {shown}.", None
        sends = "sends no personal data we recognise" if spec.channel.is_outward else f"is a {spec.channel.value} step"
        return f"allow {tool} for a {persona.value} user: it {sends}.", None
    text = f"{outcome.value} {tool} for a {persona.value} user: " + "; ".join(parts) + "."
    if ahead:
        text += f" Asked now, before anything is sent (trajectory state {risk.state})."
    question = None
    if outcome is ActionOutcome.CONFIRM:
        if deciding:
            f = deciding[0]
            whose = {"self": "your", "third_party": "another person's", "child": "a child's"}.get(f.subject, "")
            where = "publicly" if f.recipient_kind.value == "public" else f"with {f.recipient}"
            question = (f"The assistant wants to share {whose} {f.data_type.value} information ('{f.evidence}') "
                        f"{where} via {call.tool}. Go ahead?")
        else:
            question = f"The assistant wants to send text the guard flagged via {call.tool}. Go ahead?"
    return text, question
