"""Turning risks into outcomes: thresholds, precedence, floors, explanations."""

from personaguard.decide.outcome import (
    SEVERITY,
    CategoryVerdict,
    Decision,
    Outcome,
    Question,
    ThresholdSource,
    UserFactor,
)
from personaguard.decide.thresholds import Thresholds, default_thresholds, outcomes_for

__all__ = [
    "SEVERITY",
    "CategoryVerdict",
    "Decision",
    "Outcome",
    "Question",
    "ThresholdSource",
    "Thresholds",
    "UserFactor",
    "default_thresholds",
    "outcomes_for",
]
