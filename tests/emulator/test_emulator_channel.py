"""The virtual board's acoustic channel: exact delay and gain, filters, noise, clock, seeding."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal

from bench_app.core.device.emulator.channel import Channel, ChannelConfig
from bench_app.core.errors import ConfigError

FS = 16000


def tone(freq, seconds, dbfs, fs=FS):
    t = np.arange(int(seconds * fs)) / fs
    return np.round(np.sin(2 * np.pi * freq * t) * 32768 * 10 ** (dbfs / 20)).astype(np.int16)


def rms_db(x):
    x = np.asarray(x, dtype=np.float64)
    return 20 * np.log10(np.sqrt(np.mean(x**2)) / 32768)


def burst_signal():
    """0.5 s silence, a 0.2 s band-limited noise burst at -12 dBFS, 0.5 s silence."""
    rng = np.random.default_rng(7)
    burst = signal.sosfilt(
        signal.butter(4, [300, 3000], "bandpass", fs=FS, output="sos"),
        rng.standard_normal(int(0.2 * FS)),
    )
    burst = burst / np.sqrt(np.mean(burst**2)) * 32768 * 10 ** (-12 / 20)
    z = np.zeros(FS // 2)
    return np.concatenate([z, burst, z]).round().astype(np.int16)


def test_default_channel_is_the_identity():
    x = np.random.default_rng(1).integers(-32768, 32768, 5000).astype(np.int16)
    np.testing.assert_array_equal(Channel(ChannelConfig()).process(x), x)


def test_delay_is_sample_exact_and_gain_exact():
    x = burst_signal()
    ch = Channel(ChannelConfig.parse("delay_ms=137,gain_db=-6"))
    assert ch.delay_samples == 2192
    y = ch.process(np.concatenate([x, np.zeros(3000, np.int16)]))
    xc = signal.correlate(y.astype(float), x.astype(float), mode="full", method="fft")
    lag = int(np.argmax(xc)) - (len(x) - 1)
    assert lag == 2192
    seg = slice(FS // 2, FS // 2 + int(0.2 * FS))
    delayed = y[2192:][seg]
    assert rms_db(delayed) - rms_db(x[seg]) == pytest.approx(-6.0, abs=0.01)
    # Silence before the delayed burst: noise is off, so exactly zero.
    assert not np.any(y[: FS // 2 + 2192])


def test_bandpass_attenuates_out_of_band_and_passes_in_band():
    cfg = ChannelConfig.parse("bandpass_hz=100-7000")
    levels = {}
    for f in (30, 1000, 7700):
        y = Channel(cfg).process(tone(f, 1.0, -12))
        levels[f] = rms_db(y[FS // 2 :]) - rms_db(tone(f, 0.5, -12))
    assert abs(levels[1000]) < 0.5
    assert levels[30] < -20 and levels[7700] < -10


def test_noise_rms_matches_noise_dbfs():
    ch = Channel(ChannelConfig.parse("noise_dbfs=-60,seed=3"))
    y = ch.silence(5 * FS)
    assert rms_db(y) == pytest.approx(-60, abs=0.5)


def test_noise_is_heard_without_any_speaker_signal_and_seeded():
    a = Channel(ChannelConfig.parse("noise_dbfs=-50,seed=5")).silence(4000)
    b = Channel(ChannelConfig.parse("noise_dbfs=-50,seed=5")).silence(4000)
    c = Channel(ChannelConfig.parse("noise_dbfs=-50,seed=6")).silence(4000)
    assert np.any(a)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_room_reverb_is_seeded_and_keeps_the_direct_path():
    x = burst_signal()
    a = Channel(ChannelConfig.parse("room=medium,seed=1")).process(x)
    b = Channel(ChannelConfig.parse("room=medium,seed=1")).process(x)
    np.testing.assert_array_equal(a, b)
    xc = signal.correlate(a.astype(float), x.astype(float), mode="full", method="fft")
    assert int(np.argmax(xc)) - (len(x) - 1) == 0
    # The tail rings on after the burst ends.
    end = FS // 2 + int(0.2 * FS)
    assert rms_db(a[end + 200 : end + 1600]) > -60


def test_clock_ppm_changes_length():
    n = 10 * FS
    y = Channel(ChannelConfig.parse("clock_ppm=500")).process(tone(440, 10, -12))
    assert abs(len(y) - n * (1 + 500e-6)) <= 1
    y = Channel(ChannelConfig.parse("clock_ppm=-500")).process(tone(440, 10, -12))
    assert abs(len(y) - n * (1 - 500e-6)) <= 1


def test_dc_remover_is_a_152_hz_high_pass():
    cfg = ChannelConfig.parse("dc_remover=on")
    dc = Channel(cfg).process(np.full(FS, 8000, np.int16))
    assert abs(dc[-1000:].mean()) < 2
    corner = Channel(cfg).process(tone(152, 2.0, -12))
    assert rms_db(corner[FS:]) - rms_db(tone(152, 1.0, -12)) == pytest.approx(-3.0, abs=0.3)


@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(1, 3000), min_size=1, max_size=8))
def test_streaming_in_any_chunks_equals_one_call(cuts):
    spec = "delay_ms=3.3,gain_db=-3,bandpass_hz=200-6000,noise_dbfs=-70,room=small,clock_ppm=300"
    x = burst_signal()[: sum(cuts)]
    whole = Channel(ChannelConfig.parse(spec)).process(x)
    ch = Channel(ChannelConfig.parse(spec))
    edges = np.cumsum([0, *cuts])
    parts = [ch.process(x[a:b]) for a, b in zip(edges[:-1], edges[1:], strict=True)]
    # Noise draws differ with chunking only in how the generator is called: same stream.
    np.testing.assert_allclose(np.concatenate(parts), whole, atol=1)


@pytest.mark.parametrize(
    "spec, key",
    [
        ("delay=3", "delay"),
        ("gain_db=loud", "gain_db"),
        ("bandpass_hz=7000", "bandpass_hz"),
        ("bandpass_hz=100-9000", "bandpass_hz"),
        ("room=cathedral", "room"),
        ("dc_remover=maybe", "dc_remover"),
        ("delay_ms=-5", "delay_ms"),
        ("ir=/no/such/file.wav", "ir"),
        ("delay_ms", "delay_ms"),
    ],
)
def test_bad_keys_and_values_name_the_key(spec, key):
    with pytest.raises(ConfigError, match=key):
        ChannelConfig.parse(spec)


def test_ir_file_is_convolved(tmp_path):
    import soundfile as sf

    ir = np.zeros(400)
    ir[100], ir[300] = 0.5, -0.25
    path = tmp_path / "ir.wav"
    sf.write(path, ir, FS, subtype="FLOAT")
    x = burst_signal()
    y = Channel(ChannelConfig.parse(f"ir={path}")).process(x).astype(float)
    expected = signal.lfilter(ir, [1.0], x.astype(float))
    assert np.max(np.abs(y - expected)) <= 1.5  # int16 rounding of the IR and output
