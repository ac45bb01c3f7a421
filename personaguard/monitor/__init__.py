"""Monitoring without labels: estimated accuracy on live traffic (stages never import this)."""

from personaguard.monitor.accuracy import AccuracyEstimate, estimate_accuracy
from personaguard.monitor.drift import DriftReport, DriftThresholds, compare_windows

__all__ = ["AccuracyEstimate", "DriftReport", "DriftThresholds", "compare_windows", "estimate_accuracy"]
