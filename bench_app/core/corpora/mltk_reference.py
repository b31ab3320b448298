"""MLTK's AudioFeatureGenerator as an alternative feature reference (``reference="mltk"``).

silabs-mltk 0.20.0 pins an old TensorFlow, so it is installed with ``--no-deps`` (the test
environment has it) and only its compiled front end module is loaded: importing ``mltk``
normally runs ``mltk/core/__init__.py``, which imports most of MLTK. Empty parent packages are
registered in ``sys.modules`` so that only ``audio_feature_generator`` (which links libc and
libm alone) is imported. FACTS.md: bit-exact with the bench's front end at the paper's
settings (25/10 ms, 32 channels, 80-7600 Hz) with noise reduction and PCAN both on or off.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import sys
import types
from pathlib import Path

import numpy as np

from bench_app.core.corpora.model import CorpusError
from bench_app.core.frontend import FrontendConfig

_MODULE = "mltk.core.preprocess.audio.audio_feature_generator"


def _mltk_root() -> Path | None:
    """MLTK's package folder; from ``sys.modules`` once the light loader has registered it
    (its stand-in parent packages have no ``__spec__``, so ``find_spec`` would raise)."""
    loaded = sys.modules.get("mltk")
    if loaded is not None and getattr(loaded, "__path__", None):
        return Path(list(loaded.__path__)[0])
    spec = importlib.util.find_spec("mltk")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def mltk_available() -> bool:
    """True when silabs-mltk is installed."""
    return _mltk_root() is not None


@functools.cache
def mltk_module():
    """MLTK's audio_feature_generator package without importing the rest of MLTK."""
    root = _mltk_root()
    if root is None:
        raise CorpusError("The mltk feature reference needs silabs-mltk (pip install --no-deps "
                          "silabs-mltk==0.20.0); it is not installed.")
    parts = _MODULE.split(".")
    for i in range(1, len(parts)):
        name = ".".join(parts[:i])
        if name not in sys.modules:
            package = types.ModuleType(name)
            package.__path__ = [str(root.joinpath(*parts[1:i]))]
            sys.modules[name] = package
    return importlib.import_module(_MODULE)


def mltk_version() -> str:
    """The installed silabs-mltk version."""
    from importlib.metadata import version

    return version("silabs-mltk")


def mltk_features(pcm: np.ndarray, cfg: FrontendConfig) -> np.ndarray:
    """uint16 (frames, channels) from MLTK for int16 ``pcm``, as many frames as the bench's.

    MLTK needs a whole number of milliseconds: the signal is zero-padded to one, and frames
    that only the padding completes are dropped (earlier frames do not depend on later
    samples).
    """
    if cfg.window_variant != "float":
        raise CorpusError("MLTK computes the 'float' window variant only; use the bench "
                          "reference for window_variant 'double'.")
    mod = mltk_module()
    per_ms = cfg.sample_rate_hz // 1000
    pcm = np.asarray(pcm, dtype=np.int16)
    padded = np.concatenate([pcm, np.zeros((-len(pcm)) % per_ms, np.int16)])
    settings = mod.AudioFeatureGeneratorSettings()
    for key, value in cfg.to_mltk_settings().items():
        setattr(settings, key, value)
    settings.sample_length_ms = len(padded) // per_ms
    out = mod.AudioFeatureGenerator(settings).process_sample(padded, dtype=np.uint16)
    return np.asarray(out, dtype=np.uint16)[: cfg.frames_for(len(pcm))]
