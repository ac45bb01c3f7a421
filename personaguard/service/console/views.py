"""What the console's pages show, shaped from stored rows: no HTTP, no templates here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from personaguard.record import repos

__all__ = ["REVIEW_EVENT_PREFIX", "CategoryRow", "category_rows", "margin", "needs_review"]

#: Feedback given from the review queue carries this event-id prefix plus the decision id.
REVIEW_EVENT_PREFIX = "console:decision:"
#: A decision this close to a block threshold (in probability) is queued for review.
LOW_MARGIN = 0.05


@dataclass(frozen=True)
class CategoryRow:
    """One category of a decision's explanation: probability, personal risk, thresholds, outcome."""

    id: str
    p: float | None
    r: float | None
    warn: float | None
    block: float | None
    source: str
    outcome: str
    rule: str


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def category_rows(record: repos.DecisionRecord) -> list[CategoryRow]:
    """The decision's per-category explanation, the deciding categories first."""
    rows = []
    for cid, t in record.thresholds.items():
        if not isinstance(t, dict):
            continue
        rows.append(CategoryRow(
            id=cid, p=_num(t.get("p", record.scores.get(cid))), r=_num(t.get("r", record.risks.get(cid))),
            warn=_num(t.get("warn")), block=_num(t.get("block")), source=str(t.get("source", "")),
            outcome=str(t.get("outcome", "")), rule=str(t.get("rule", "")),
        ))
    severity = {"block": 0, "ask": 1, "confirm": 1, "warn": 2}
    return sorted(rows, key=lambda r: (severity.get(r.outcome, 3), -max(r.p or 0.0, r.r or 0.0)))


def margin(record: repos.DecisionRecord) -> float | None:
    """Smallest distance between a category's risk and its block threshold (None: no thresholds)."""
    gaps = [abs(max(r.p or 0.0, r.r or 0.0) - r.block) for r in category_rows(record) if r.block is not None]
    return min(gaps, default=None)


def needs_review(record: repos.DecisionRecord) -> str | None:
    """Why a decision belongs in the review queue: an ask or warn outcome, or a low margin."""
    if record.outcome in ("ask", "warn", "confirm"):
        return f"outcome {record.outcome}"
    m = margin(record)
    if m is not None and m < LOW_MARGIN:
        return f"margin {m:.3f} to a block threshold"
    return None
