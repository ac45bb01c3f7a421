"""The learning simulation of issue 4: honest and adversarial synthetic users over real scores.

Honest users (several per persona) see a stream of real texts drawn from their own traffic
(mostly texts about their topics, a stated share of general traffic; ``personas.py``); they
correct the verdicts they disagree with, and a share ``noise`` of their judgements is wrong.
Agreement between the guard's block/not-block verdict and the user's hidden policy is measured
after k = 0 (one-size-fits-all), 5, 10, 20 and 50 feedback events on held-out texts of two
kinds: the user's own traffic and general traffic. Each user's pool is split at random into a
half the stream draws from and a half the evaluation draws from, so no evaluated text was
fed back. Learners: the trust region, and unconstrained online learning (the same gradient
steps with no trust region, no step bound and no floors). The region ceiling is the agreement
of the hidden thresholds clipped into the trust region: what any learner inside it can reach.

Adversarial users mark every text the guard blocks "should allow", for many events; the
report gives the largest KL reached, floor flips and how far the harmful-text allow-rate moved.
Both run on arrays (``TrustRegionLearner.step``), the same arithmetic ``Guard.learn`` uses.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from personaguard.eval.personas import PERSONAS, Persona, hidden_thresholds, traffic_weights
from personaguard.eval.scored_pool import ScoredPool
from personaguard.learn.event import elastic_step
from personaguard.learn.learner import TrustRegionLearner
from personaguard.score.calibrate import logit
from personaguard.taxonomy import Taxonomy

__all__ = ["SimulationConfig", "HonestResult", "AdversarialResult", "OnlineLearner", "SimulationResult",
           "run_honest", "run_adversarial", "run_all", "clone_fixed", "drifting_policy", "blocked"]

log = logging.getLogger(__name__)
FloatArray = NDArray[np.float64]
#: ``hidden threshold logits at event n`` (n = 1, 2, ...): fixed for most users, moving for drifters.
HiddenAt = Callable[[int], FloatArray]


@dataclass(frozen=True)
class SimulationConfig:
    """Settings of one simulation run (all randomness flows from ``seed``)."""

    seed: int = 0
    users_per_persona: int = 5
    noise_range: tuple[float, float] = (0.05, 0.20)
    checkpoints: tuple[int, ...] = (0, 5, 10, 20, 50)
    n_eval: int = 300
    topic_share: float = 0.8
    max_stream: int = 5000
    adversarial_users: int = 3
    adversarial_events: int = 100_000
    honest_before_push: int = 50
    clear_p: float = 0.9


@dataclass
class HonestResult:
    """Agreement (share of held-out texts where verdict == hidden policy) per checkpoint.

    ``agreement_*`` are on the user's own traffic, ``*_general`` on general traffic; ``trust`` is
    the learner given (the elastic region), ``fixed`` the same learner with a fixed region,
    ``free`` unconstrained steps. ``ceiling_region`` is the agreement of the hidden thresholds
    clipped into the widest region the learner allows (``ceiling_region_fixed``: the fixed one).
    """

    persona: str
    noise: float
    agreement_trust: dict[int, float] = field(default_factory=dict)
    agreement_fixed: dict[int, float] = field(default_factory=dict)
    agreement_free: dict[int, float] = field(default_factory=dict)
    agreement_trust_general: dict[int, float] = field(default_factory=dict)
    agreement_fixed_general: dict[int, float] = field(default_factory=dict)
    agreement_free_general: dict[int, float] = field(default_factory=dict)
    ceiling_region: float = 0.0
    ceiling_region_fixed: float = 0.0
    ceiling_region_general: float = 0.0
    n_events: int = 0
    wrong_event_share: float = 0.0


@dataclass
class AdversarialResult:
    """What a user who asks to allow everything blocked achieved (after ``honest_events`` honest ones)."""

    events: int
    max_kl: float
    violations: int
    delta_loosen: float
    floor_texts: int
    floor_flips_trust: int
    floor_flips_free: int
    clearly_harmful: int
    still_blocked_trust: float
    still_blocked_free: float
    harmful_allow_before: float
    harmful_allow_trust: float
    harmful_allow_free: float
    max_offset: dict[str, float] = field(default_factory=dict)
    honest_as: str = ""
    honest_events: int = 0
    max_delta: float = 0.0


def blocked(logits: FloatArray, thr_logit: FloatArray) -> NDArray[np.bool_]:
    """Block when any category's risk logit reaches its threshold logit; rows of ``logits``."""
    out: NDArray[np.bool_] = np.asarray((logits >= thr_logit).any(axis=-1))
    return out


class OnlineLearner:
    """One user's offsets under one learner kind: ``elastic`` region, ``fixed`` region or ``free``.

    The elastic kind runs :func:`personaguard.learn.event.elastic_step`, the arithmetic of
    ``Guard.learn``; ``fixed`` is the same learner with a fixed region; ``free`` takes the
    unconstrained gradient steps (no region, no step bound, no floors).
    """

    def __init__(self, learner: TrustRegionLearner, kind: str) -> None:
        self.learner, self.kind = learner, kind
        n = len(learner.base_logit_)
        self.theta = np.zeros(n)
        self.support, self.oppose = np.zeros(n), np.zeros(n)
        self.lock = learner.is_floor_
        self.last_kl = np.zeros(n)
        self.last_delta = np.zeros(n)

    def feed(self, row: FloatArray, *, should_block: bool) -> bool:
        """Apply one event; True when an offset moved."""
        if self.kind == "free":
            self.theta = self.theta + self.learner.gradient_step(row, self.theta, should_block, 1.0)
            return True
        if self.kind == "fixed":
            step = self.learner.step(self.theta, row, y_block=should_block)
        else:
            res = elastic_step(self.learner, self.theta, self.support, self.oppose, row,
                               should="block" if should_block else "allow", weight=1.0, lock=self.lock)
            step, self.support, self.oppose = res.step, res.support, res.oppose
        moved = bool(np.any(step.theta != self.theta))
        self.theta, self.last_kl, self.last_delta = step.theta, step.kl, step.delta
        return moved


def run_honest(pool: ScoredPool, taxonomy: Taxonomy, learner: TrustRegionLearner, persona: Persona,
               rng: np.random.Generator, cfg: SimulationConfig, *, fixed: TrustRegionLearner | None = None,
               noise: float | None = None, hidden_at: HiddenAt | None = None) -> HonestResult:
    """One honest user of ``persona``: feedback stream, agreement at each checkpoint.

    ``noise`` fixes the share of wrong feedback (default: drawn from ``cfg.noise_range``);
    ``hidden_at`` makes the hidden policy move with the events (a drifter), and agreement is
    then judged against the policy at the end of the stream.
    """
    z = logit(pool.probs)
    hidden = logit(hidden_thresholds(persona, taxonomy))
    own, general = (traffic_weights(persona, pool.probs, taxonomy, topic_share=share, topics=pool.topics,
                                    is_general=pool.is_general) for share in (cfg.topic_share, 0.0))
    held_out = rng.random(len(z)) < 0.5
    eval_own, eval_general = (rng.choice(len(z), size=cfg.n_eval, p=_within(w, held_out)) for w in (own, general))
    stream = rng.choice(len(z), size=cfg.max_stream, p=_within(own, ~held_out))
    noise = float(rng.uniform(*cfg.noise_range)) if noise is None else noise
    n_max = max(cfg.checkpoints)
    flips = rng.random(n_max + 1) < noise
    policy_at: HiddenAt = hidden_at if hidden_at is not None else (lambda n: hidden)
    final = policy_at(n_max)
    truth = blocked(z, final)
    base = learner.base_logit_
    widest = np.where(learner.is_floor_, 0.0, learner.theta_hi_levels_[-1])
    res = HonestResult(persona=persona.name, noise=noise)

    def agreement(theta: FloatArray, rows: NDArray[np.int64] = eval_own) -> float:
        return float(np.mean(blocked(z[rows], base + theta) == truth[rows]))

    res.ceiling_region = agreement(np.clip(final - base, learner.theta_lo_, widest))
    res.ceiling_region_general = agreement(np.clip(final - base, learner.theta_lo_, widest), eval_general)
    fixed_learner = fixed if fixed is not None else learner
    res.ceiling_region_fixed = agreement(np.clip(final - base, fixed_learner.theta_lo_, fixed_learner.theta_hi_))
    curves = (("elastic", learner, res.agreement_trust, res.agreement_trust_general),
              ("fixed", fixed_learner, res.agreement_fixed, res.agreement_fixed_general),
              ("free", learner, res.agreement_free, res.agreement_free_general))
    for kind, which, out, out_general in curves:
        if kind == "fixed" and fixed is None:
            continue
        user = OnlineLearner(which, kind)
        n_wrong = 0
        out[0], out_general[0] = agreement(user.theta), agreement(user.theta, eval_general)
        pos = 0
        for n_events in range(1, n_max + 1):
            # With probability `noise` the event disputes a verdict that was right (wrong
            # feedback); otherwise it corrects the next verdict that was wrong.
            wrong = bool(flips[n_events - 1])
            found = _next_event(z, policy_at(n_events), base + user.theta, stream, pos, want_correct_verdict=wrong)
            if found is None:
                break
            i, pos = found
            user.feed(pool.probs[i], should_block=not bool(blocked(z[i], base + user.theta)))
            n_wrong += int(wrong)
            if n_events in cfg.checkpoints:
                out[n_events], out_general[n_events] = agreement(user.theta), agreement(user.theta, eval_general)
            if kind == "elastic":
                res.n_events = n_events
        for k in cfg.checkpoints:  # the stream ran out of events: the state stays as it is
            out.setdefault(k, agreement(user.theta))
            out_general.setdefault(k, agreement(user.theta, eval_general))
        if kind == "elastic":
            res.wrong_event_share = n_wrong / max(res.n_events, 1)
    return res


def _within(weights: FloatArray, rows: NDArray[np.bool_]) -> FloatArray:
    """``weights`` restricted to ``rows`` and renormalised (all of ``weights`` if none is left)."""
    w = np.where(rows, weights, 0.0)
    return w / w.sum() if w.sum() > 0 else weights


def _next_event(z: FloatArray, hidden: FloatArray, thr: FloatArray, stream: NDArray[np.int64], pos: int,
                *, want_correct_verdict: bool) -> tuple[int, int] | None:
    """Next stream text (from ``pos``) whose verdict is right (or wrong) for the hidden policy."""
    for j in range(pos, len(stream)):
        i = int(stream[j])
        right = bool(blocked(z[i], hidden)) == bool(blocked(z[i], thr))
        if right == want_correct_verdict:
            return i, j + 1
    return None


def run_adversarial(pool: ScoredPool, taxonomy: Taxonomy, learner: TrustRegionLearner,
                    rng: np.random.Generator, cfg: SimulationConfig, *, honest_as: Persona | None = None) -> AdversarialResult:
    """A user who marks every blocked text "should allow", ``cfg.adversarial_events`` times.

    With ``honest_as``, the user first gives ``cfg.honest_before_push`` honest corrections as
    that persona (its own traffic, no wrong labels), building evidence the elastic region
    rewards, then pushes.
    """
    z = logit(pool.probs)
    base = learner.base_logit_
    floors = learner.is_floor_
    # Clearly harmful: labelled harmful by its source, and some category that blocks it globally
    # is at least `clear_p` sure.
    clear = pool.is_harmful & ((z >= base) & (pool.probs >= cfg.clear_p)).any(axis=1)
    floor_blocked = (z[:, floors] >= base[floors]).any(axis=1)
    harmful = pool.is_harmful
    allow_before = float(np.mean(~blocked(z[harmful], base)))

    users = {kind: OnlineLearner(learner, kind) for kind in ("elastic", "free")}
    n_honest = 0
    if honest_as is not None:
        hidden = logit(hidden_thresholds(honest_as, taxonomy))
        weights = traffic_weights(honest_as, pool.probs, taxonomy, topic_share=cfg.topic_share, topics=pool.topics,
                                  is_general=pool.is_general)
        stream = rng.choice(len(z), size=cfg.max_stream, p=weights)
        for user in users.values():
            pos = 0
            for _ in range(cfg.honest_before_push):
                found = _next_event(z, hidden, base + user.theta, stream, pos, want_correct_verdict=False)
                if found is None:
                    break
                i, pos = found
                user.feed(pool.probs[i], should_block=bool(blocked(z[i], hidden)))
        n_honest = cfg.honest_before_push

    trust = users["elastic"]
    max_kl = max_delta = 0.0
    violations = 0
    blocked_idx = np.flatnonzero(blocked(z, base + trust.theta))
    events = 0
    for events in range(1, cfg.adversarial_events + 1):
        if blocked_idx.size == 0:
            break
        i = int(rng.choice(blocked_idx))
        moved = trust.feed(pool.probs[i], should_block=False)
        loosened = trust.theta > 0
        if loosened.any():
            max_kl = max(max_kl, float(trust.last_kl[loosened].max()))
            max_delta = max(max_delta, float(trust.last_delta[loosened].max()))
        violations += int((trust.last_kl > trust.last_delta + 1e-12).any())
        if moved:
            blocked_idx = np.flatnonzero(blocked(z, base + trust.theta))
    theta_trust = trust.theta

    free = users["free"]
    for _ in range(cfg.adversarial_events):
        blocked_now = np.flatnonzero(blocked(z, base + free.theta))
        if blocked_now.size == 0:
            break
        free.feed(pool.probs[int(rng.choice(blocked_now))], should_block=False)
    theta_free = free.theta

    def floor_flips(th: FloatArray) -> int:
        return int(np.sum(floor_blocked & ~(z[:, floors] >= (base + th)[floors]).any(axis=1)))

    return AdversarialResult(
        events=events, max_kl=max_kl, violations=violations, delta_loosen=learner.delta_loosen,
        floor_texts=int(floor_blocked.sum()),
        floor_flips_trust=floor_flips(theta_trust), floor_flips_free=floor_flips(theta_free),
        clearly_harmful=int(clear.sum()),
        still_blocked_trust=float(np.mean(blocked(z[clear], base + theta_trust))),
        still_blocked_free=float(np.mean(blocked(z[clear], base + theta_free))),
        harmful_allow_before=allow_before,
        harmful_allow_trust=float(np.mean(~blocked(z[harmful], base + theta_trust))),
        harmful_allow_free=float(np.mean(~blocked(z[harmful], base + theta_free))),
        max_offset={c: float(t) for c, t in zip(taxonomy.ids, theta_trust) if t > 0},
        honest_as=honest_as.name if honest_as is not None else "", honest_events=n_honest, max_delta=max_delta,
    )


#: Slow drifters: (from persona, to persona); the hidden policy moves from one to the other.
DRIFTS: tuple[tuple[str, str], ...] = (
    ("parent-managed-teen", "profanity-tolerant-adult"),  # grows up
    ("profanity-tolerant-adult", "strict-workplace"),  # starts using the guard at work
    ("strict-workplace", "security-researcher"),  # changes job
)
#: Events over which a drifter's policy moves (linearly in threshold logits).
DRIFT_SPAN: tuple[int, int] = (10, 40)
#: The honest scenarios: name -> share of wrong feedback (None: drawn from ``noise_range``).
NOISE_SCENARIOS: dict[str, float | None] = {"honest": None, "noise_10": 0.10, "noise_20": 0.20}
#: Personas an honest-then-push adversary imitates first: the ones whose honest feedback loosens.
PUSH_AFTER_HONEST: tuple[str, ...] = ("profanity-tolerant-adult", "security-researcher", "chemistry-teacher")


@dataclass
class SimulationResult:
    """Every scenario of one seed."""

    honest: dict[str, list[HonestResult]]
    drifters: list[HonestResult]
    adversarial: list[AdversarialResult]


def drifting_policy(taxonomy: Taxonomy, start: Persona, end: Persona, span: tuple[int, int] = DRIFT_SPAN) -> HiddenAt:
    """Hidden threshold logits at event n, moving linearly from ``start``'s to ``end``'s over ``span``."""
    a, b = (logit(hidden_thresholds(p, taxonomy)) for p in (start, end))

    def at(n: int) -> FloatArray:
        t = min(max((n - span[0]) / (span[1] - span[0]), 0.0), 1.0)
        return a + t * (b - a)

    return at


def clone_fixed(learner: TrustRegionLearner, taxonomy: Taxonomy) -> TrustRegionLearner:
    """The same learner with a fixed region (no elasticity), fitted on the same reference sample."""
    params = {**learner.get_params(), "elastic": None, "n_reference": None}
    return TrustRegionLearner(**params).fit(taxonomy, reference_probs=learner.reference_probs_)  # type: ignore[arg-type]


def run_all(pool: ScoredPool, taxonomy: Taxonomy, learner: TrustRegionLearner, cfg: SimulationConfig, *,
            fixed: TrustRegionLearner | None = None) -> SimulationResult:
    """Every scenario's users, then the drifters and the adversaries; seeded by ``cfg.seed``.

    ``fixed`` is the same learner with a fixed region, reported beside the elastic one.
    """
    rng = np.random.default_rng(cfg.seed)
    by_name = {p.name: p for p in PERSONAS}
    honest = {name: [run_honest(pool, taxonomy, learner, p, rng, cfg, fixed=fixed, noise=noise)
                     for p in PERSONAS for _ in range(cfg.users_per_persona)]
              for name, noise in NOISE_SCENARIOS.items()}
    drifters = [run_honest(pool, taxonomy, learner, by_name[end], rng, cfg, fixed=fixed,
                           hidden_at=drifting_policy(taxonomy, by_name[start], by_name[end]))
                for start, end in DRIFTS for _ in range(cfg.users_per_persona)]
    for r, (start, _) in zip(drifters, [d for d in DRIFTS for _ in range(cfg.users_per_persona)]):
        r.persona = f"{start}->{r.persona}"
    adversarial = []
    for u in range(cfg.adversarial_users):
        adversarial.append(run_adversarial(pool, taxonomy, learner, rng, cfg))
        log.info("adversarial user %d done", u)
    for name in PUSH_AFTER_HONEST:
        adversarial.append(run_adversarial(pool, taxonomy, learner, rng, cfg, honest_as=by_name[name]))
        log.info("honest-then-push adversary (%s) done", name)
    return SimulationResult(honest, drifters, adversarial)
