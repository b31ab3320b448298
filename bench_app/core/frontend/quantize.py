"""uint16 features to the int8 a TFLM model takes, by TFLM micro_speech's formula."""

from __future__ import annotations

import numpy as np


def to_int8(features: np.ndarray) -> np.ndarray:
    """Map uint16 front end output to int8: ``clip((u16 * 256 + 333) // 666 - 128, -128, 127)``.

    This is TFLM micro_features_generator's integer formula (also MLTK's ``dtype=np.int8``).
    """
    value = (np.asarray(features, dtype=np.int64) * 256 + 333) // 666 - 128
    return np.clip(value, -128, 127).astype(np.int8)
