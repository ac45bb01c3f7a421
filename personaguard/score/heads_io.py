"""Rebuilding trained heads and their calibration from saved arrays."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from personaguard.errors import ConfigError
from personaguard.score.calibrate import PlattCalibrator
from personaguard.score.heads import MultiLabelHeads

__all__ = ["load_heads"]


def load_heads(arrays: dict[str, NDArray[np.generic]], expected: tuple[str, ...], source: str) -> tuple[MultiLabelHeads, PlattCalibrator]:
    """Heads and calibrator from saved arrays, after checking their columns."""
    trained = tuple(str(c) for c in arrays["columns"])
    if trained != expected:
        raise ConfigError(
            f"the trained heads cover {list(trained)} but the taxonomy needs {list(expected)}; "
            "retrain with `personaguard train --taxonomy FILE`",
            source=source,
        )
    heads = MultiLabelHeads().set_weights({k: arrays[k] for k in ("W1", "b1", "W2", "b2") if k in arrays})  # type: ignore[misc]
    cal = PlattCalibrator()
    cal.a_ = arrays["cal_a"].astype(np.float64)
    cal.b_ = arrays["cal_b"].astype(np.float64)
    return heads, cal
