"""The reference front end is bit-exact (uint16) with the C implementations of TFLM's
MicroFrontend: MLTK's AudioFeatureGenerator for window_variant "float" and TensorFlow's
audio_microfrontend op for "double", each over the grid it supports, on many kinds of signal.

Grid: windows 20/25/30/32/40 ms x steps 10/20 ms x 16/32/40/64 channels x two bands x noise
reduction / PCAN combinations, with two signals per config; then every signal on a few configs;
then hypothesis-generated int16 arrays. MLTK refuses PCAN without noise reduction; TensorFlow's
op has no noise reduction switch, so "off" there is ``min_signal_remaining = 1.0``.
"""

from __future__ import annotations

import itertools
import shutil
import subprocess

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from bench_app.core.frontend import FrontendConfig, compute_features, to_int8
from bench_app.testing.oracles import mltk_features, mltk_module, tf_features

RATE = 16000
WINDOWS = (20, 25, 30, 32, 40)
STEPS = (10, 20)
CHANNELS = (16, 32, 40, 64)
BANDS = ((80.0, 7600.0), (125.0, 7500.0))
MLTK_NR_PCAN = ((True, True), (True, False), (False, False))  # MLTK refuses PCAN without NR
TF_MSR_PCAN = ((0.05, True), (0.05, False), (1.0, True), (1.0, False))


# -- signals (deterministic) --------------------------------------------------------------------
def _t(seconds: float) -> np.ndarray:
    return np.arange(int(RATE * seconds)) / RATE


def _pcm(x: np.ndarray) -> np.ndarray:
    return np.clip(np.round(x), -32768, 32767).astype(np.int16)


def _pink(n: int, rng: np.random.Generator) -> np.ndarray:
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n)
    spec[1:] /= np.sqrt(f[1:])
    spec[0] = 0
    x = np.fft.irfft(spec, n)
    return x / np.abs(x).max()


def make_signals() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(20261123)
    t = _t(1.0)
    bursts = np.zeros_like(t)
    for k, f in enumerate((300, 1000, 2500, 5000, 7000)):
        on = (t >= 0.2 * k) & (t < 0.2 * k + 0.1)
        bursts[on] = 12000 * np.sin(2 * np.pi * f * t[on])
    sweep = np.sin(2 * np.pi * 80 * (np.exp(t * np.log(7600 / 80)) - 1) / np.log(7600 / 80))
    square = np.where(np.sin(2 * np.pi * 440 * t) >= 0, 32767, -32768)
    return {
        "tone_1k": _pcm(16000 * np.sin(2 * np.pi * 1000 * t)),
        "tone_quiet": _pcm(60 * np.sin(2 * np.pi * 217 * t)),
        "bursts": _pcm(bursts),
        "chirp": _pcm(20000 * sweep),
        "white": _pcm(3000 * rng.standard_normal(t.size)),
        "pink": _pcm(8000 * _pink(t.size, rng)),
        "silence": np.zeros(t.size, np.int16),
        "full_scale": _pcm(square),
        "clipped": _pcm(3 * 32768 * np.sin(2 * np.pi * 150 * t)),
        "dc_offset": _pcm(12000 + 500 * rng.standard_normal(t.size)),
        "dc_min": np.full(t.size, -32768, np.int16),
    }


SIGNALS = make_signals()


@pytest.fixture(scope="session")
def speech(tmp_path_factory) -> np.ndarray:
    """Two espeak-ng utterances at 16 kHz (generated with espeak-ng + sox at test time)."""
    assert shutil.which("espeak-ng") and shutil.which("sox"), "espeak-ng and sox are needed"
    import soundfile as sf

    out = tmp_path_factory.mktemp("speech") / "speech.wav"
    cmd = (
        'espeak-ng -v en-us -p 50 -s 175 -a 100 --stdout "The quick brown fox. Yes, no, '
        f'maybe." | sox -q -t wav - -r 16000 -c 1 -b 16 {out}'
    )
    subprocess.run(cmd, shell=True, check=True)
    pcm, rate = sf.read(out, dtype="int16")
    assert rate == RATE and pcm.size > RATE
    return pcm[: pcm.size // 16 * 16]  # a whole number of milliseconds for MLTK


# -- oracle adapters ----------------------------------------------------------------------------
@pytest.fixture(scope="session")
def tf_op():
    """TensorFlow's op, imported once per session (here, before the first test needs it)."""
    from bench_app.testing.oracles import _tf_op

    _tf_op()
    return tf_features


def tf_kwargs(cfg: FrontendConfig) -> dict:
    """TensorFlow op arguments for a config (NR off = min_signal_remaining 1.0, PCAN off)."""
    assert cfg.noise_reduction_enable or not cfg.pcan_enable
    return dict(
        sample_rate=cfg.sample_rate_hz, window_size=cfg.window_size_ms,
        window_step=cfg.window_step_ms, num_channels=cfg.filterbank_n_channels,
        lower_band_limit=cfg.filterbank_lower_band_limit,
        upper_band_limit=cfg.filterbank_upper_band_limit,
        smoothing_bits=cfg.noise_reduction_smoothing_bits,
        even_smoothing=cfg.noise_reduction_even_smoothing,
        odd_smoothing=cfg.noise_reduction_odd_smoothing,
        min_signal_remaining=(cfg.noise_reduction_min_signal_remaining
                              if cfg.noise_reduction_enable else 1.0),
        enable_pcan=cfg.pcan_enable, pcan_strength=cfg.pcan_strength,
        pcan_offset=cfg.pcan_offset, gain_bits=cfg.pcan_gain_bits,
        enable_log=cfg.log_scale_enable, scale_shift=cfg.log_scale_shift,
    )


def check_mltk(pcm: np.ndarray, cfg: FrontendConfig, label: str) -> None:
    cfg = cfg.replace(window_variant="float")
    ours = compute_features(pcm, cfg)
    ref = mltk_features(pcm, cfg.to_mltk_settings())
    assert ours.dtype == np.uint16 and ours.shape == ref.shape, label
    bad = np.argwhere(ours != ref)
    assert bad.size == 0, f"{label}: {len(bad)} cells differ from MLTK, first {bad[0]}: {cfg}"


def check_tf(tf_op, pcm: np.ndarray, cfg: FrontendConfig, label: str) -> None:
    cfg = cfg.replace(window_variant="double")
    ours = compute_features(pcm, cfg)
    ref = tf_op(pcm, **tf_kwargs(cfg))
    assert ours.shape == ref.shape, label
    bad = np.argwhere(ours != ref)
    assert bad.size == 0, f"{label}: {len(bad)} cells differ from TF's op, first {bad[0]}: {cfg}"


def grid_configs(window: int, step: int, nr_pcan):
    for channels, (lo, hi), (nr, pcan) in itertools.product(CHANNELS, BANDS, nr_pcan):
        yield FrontendConfig(
            window_size_ms=window, window_step_ms=step, filterbank_n_channels=channels,
            filterbank_lower_band_limit=lo, filterbank_upper_band_limit=hi,
            noise_reduction_enable=nr, pcan_enable=pcan,
        )



def _pair(i: int, speech: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """Two signals for the i-th config of the grid, rotating through the kinds."""
    names = ["chirp", "white", "bursts", "pink", "tone_1k", "clipped", "dc_offset"]
    first = ("speech", speech[: RATE]) if i % 3 == 0 else (names[i % 7], SIGNALS[names[i % 7]])
    second = names[(i + 3) % 7]
    return [first, (second, SIGNALS[second])]


# -- the grid -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("window", "step"), list(itertools.product(WINDOWS, STEPS)))
def test_grid_matches_mltk(window, step, speech):
    for i, cfg in enumerate(grid_configs(window, step, MLTK_NR_PCAN)):
        for name, pcm in _pair(i, speech):
            check_mltk(pcm, cfg, name)


@pytest.mark.parametrize(("window", "step"), list(itertools.product(WINDOWS, STEPS)))
def test_grid_matches_tf(window, step, speech, tf_op):
    for i, (channels, (lo, hi), (msr, pcan)) in enumerate(
        itertools.product(CHANNELS, BANDS, TF_MSR_PCAN)
    ):
        cfg = FrontendConfig(
            window_size_ms=window, window_step_ms=step, filterbank_n_channels=channels,
            filterbank_lower_band_limit=lo, filterbank_upper_band_limit=hi,
            noise_reduction_min_signal_remaining=msr, pcan_enable=pcan,
        )
        for name, pcm in _pair(i, speech):
            check_tf(tf_op, pcm, cfg, name)


FEW_CONFIGS = [
    FrontendConfig(),
    FrontendConfig(noise_reduction_enable=False, pcan_enable=False),
    FrontendConfig(window_size_ms=30, window_step_ms=20, filterbank_n_channels=40,
                   filterbank_lower_band_limit=125.0, filterbank_upper_band_limit=7500.0),
    FrontendConfig(window_size_ms=40, filterbank_n_channels=64, pcan_enable=False,
                   log_scale_enable=False),
]


@pytest.mark.parametrize("name", sorted(SIGNALS))
def test_every_signal_matches_both_oracles(name, tf_op):
    for cfg in FEW_CONFIGS:
        check_mltk(SIGNALS[name], cfg, name)
        check_tf(tf_op, SIGNALS[name], cfg, name)


def test_speech_matches_both_oracles(speech, tf_op):
    for cfg in FEW_CONFIGS:
        check_mltk(speech, cfg, "speech")
        check_tf(tf_op, speech, cfg, "speech")


def test_default_config_matches_both_oracles_on_a_long_signal(speech, tf_op):
    """The paper's config: both variants are the same and match both C implementations."""
    pcm = np.concatenate([speech, SIGNALS["white"], SIGNALS["chirp"], SIGNALS["bursts"]] * 3)
    pcm = pcm[: pcm.size // 16 * 16]
    cfg = FrontendConfig()
    assert np.array_equal(compute_features(pcm, cfg),
                          compute_features(pcm, cfg.replace(window_variant="double")))
    check_mltk(pcm, cfg, "long")
    check_tf(tf_op, pcm, cfg, "long")


def test_variants_differ_where_the_c_builds_differ():
    """At 30 ms the single- and double-precision windows differ (FACTS: coefficient 17)."""
    from bench_app.core.frontend.window import window_coefficients

    f, d = window_coefficients(480, "float"), window_coefficients(480, "double")
    assert (f != d).sum() >= 1 and np.abs(f.astype(int) - d).max() == 1
    assert np.array_equal(window_coefficients(400, "float"), window_coefficients(400, "double"))


# -- TFLM micro_speech's own test vectors (shipped in MLTK's tests/data) -------------------------
@pytest.mark.parametrize("word", ["YES", "NO"])
def test_micro_speech_vectors_reproduced_by_float_variant(word):
    mltk_module()
    import importlib

    data = importlib.import_module(
        "mltk.core.preprocess.audio.audio_feature_generator.tests.data"
    )
    cfg = FrontendConfig.from_mltk_settings(data.DEFAULT_SETTINGS)
    assert cfg.window_variant == "float"
    pcm = np.asarray(getattr(data, f"{word}_INPUT_AUDIO"), dtype=np.int16)
    expected = np.array(getattr(data, f"{word}_OUTPUT_FEATURES_INT8"), dtype=np.int8)
    got = to_int8(compute_features(pcm, cfg))
    assert np.array_equal(got, expected.reshape(got.shape))
    # the double-precision window (TF's op) does not reproduce them (FACTS: 1 and 25 cells)
    other = to_int8(compute_features(pcm, cfg.replace(window_variant="double")))
    assert not np.array_equal(other, expected.reshape(got.shape))


def test_int8_matches_mltk_int8(speech):
    cfg = FrontendConfig()
    ref = mltk_features(speech, cfg.to_mltk_settings(), dtype=np.int8)
    assert np.array_equal(to_int8(compute_features(speech, cfg)), ref)


# -- hypothesis-generated signals ---------------------------------------------------------------
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pcm=arrays(np.int16, st.integers(1024, 4000).map(lambda n: n // 16 * 16),
               elements=st.integers(-32768, 32767)),
    cfg_index=st.integers(0, len(FEW_CONFIGS) - 1),
)
def test_hypothesis_signals_match_both_oracles(pcm, cfg_index, tf_op):
    """Any int16 signal at least one window long (MLTK miscounts frames for shorter ones)."""
    cfg = FEW_CONFIGS[cfg_index]
    check_mltk(pcm, cfg, "hypothesis")
    check_tf(tf_op, pcm, cfg, "hypothesis")


@pytest.mark.parametrize(("rate", "upper"), [(8000, 3800.0), (22050, 7600.0), (48000, 7600.0)])
def test_other_sample_rates_match_both_oracles(rate, upper, tf_op):
    """Other rates give other FFT sizes (256, 1024, 2048: radix-2 and radix-4 last stages)."""
    rng = np.random.default_rng(rate)
    pcm = _pcm(3000 * rng.standard_normal(rate))
    for window in (25, 30):
        cfg = FrontendConfig(sample_rate_hz=rate, window_size_ms=window,
                             filterbank_upper_band_limit=upper)
        check_mltk(pcm, cfg, f"{rate} Hz")
        check_tf(tf_op, pcm, cfg, f"{rate} Hz")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    smoothing_bits=st.integers(3, 14),
    even=st.floats(0.0, 1.0, width=32),
    odd=st.floats(0.0, 1.0, width=32),
    msr=st.floats(0.0, 1.0, width=32),
    pcan=st.booleans(),
    strength=st.floats(0.0, 2.0, width=32),
    offset=st.floats(0.5, 2000.0, width=32),
    gain_bits=st.integers(15, 24),
    log=st.booleans(),
    shift=st.integers(0, 10),
    signal=st.sampled_from(["speech", "white", "bursts", "clipped", "tone_quiet"]),
)
def test_hypothesis_settings_match_both_oracles(smoothing_bits, even, odd, msr, pcan, strength,
                                                offset, gain_bits, log, shift, signal, speech,
                                                tf_op):
    """Noise reduction, PCAN and log parameters away from the defaults (tables rebuilt)."""
    cfg = FrontendConfig(
        noise_reduction_smoothing_bits=smoothing_bits, noise_reduction_even_smoothing=even,
        noise_reduction_odd_smoothing=odd, noise_reduction_min_signal_remaining=msr,
        pcan_enable=pcan, pcan_strength=strength, pcan_offset=offset, pcan_gain_bits=gain_bits,
        log_scale_enable=log, log_scale_shift=shift,
    )
    pcm = speech[:RATE] if signal == "speech" else SIGNALS[signal]
    check_mltk(pcm, cfg, signal)
    check_tf(tf_op, pcm, cfg, signal)
