"""Monitoring without labels: estimated accuracy on live traffic (stages never import this)."""

from personaguard.monitor.accuracy import AccuracyEstimate, estimate_accuracy

__all__ = ["AccuracyEstimate", "estimate_accuracy"]
