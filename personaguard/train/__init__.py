"""Training the packaged scorer from the labelled corpora in a data folder (wiring on top of score/)."""
