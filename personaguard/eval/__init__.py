"""Evaluation: metrics, plots and labelled-dataset readers (wiring on top of Guard)."""
