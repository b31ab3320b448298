"""Stimuli: exact levels and frequencies, determinism, plans, timelines, and the CLI.

References: channel centres are checked against the C filterbank itself (MLTK's compiled
AudioFeatureGenerator: each centre tone must light up its own channel the most); levels and
frequencies are measured on the rendered int16 samples with numpy/scipy, not with our code.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.signal import spectrogram, welch

from bench_app.core.audio_files import read_audio, write_wav
from bench_app.core.errors import AudioFileError, ConfigError
from bench_app.core.stimuli import (
    SYNC_LABEL,
    AudioFile,
    MultiTone,
    Noise,
    Plan,
    Silence,
    Speech,
    Sweep,
    Tone,
    centre_frequencies,
    noise_plan,
    render,
    speech_plan,
    sweep_plan,
    timeline_from_dict,
    tonal_bursts_plan,
)
from bench_app.core.stimuli import speech as speech_mod
from bench_app.testing.bad_audio import bad_audio_files
from bench_app.testing.oracles import mltk_features

RATE = 16000
FS = 32767.0


def _dbfs(x: float) -> float:
    return 20 * np.log10(x / FS)


def _middle(x: np.ndarray, margin: int = 400) -> np.ndarray:
    return x[margin : len(x) - margin].astype(np.float64)


@pytest.fixture(scope="module")
def bursts():
    return render(tonal_bursts_plan())


# --- tonal bursts and their channel centres ---------------------------------------------------


def test_bursts_cover_every_channel_at_every_level_after_a_sync_chirp(bursts):
    kinds = [e.kind for e in bursts.segments]
    assert kinds[:3] == ["silence", "sweep", "silence"]
    assert bursts.segments[1].label == SYNC_LABEL
    tones = bursts.find(kind="tone")
    assert [(e.level_dbfs, e.channel) for e in tones] == [
        (level, ch) for level in (-12.0, -24.0) for ch in range(32)
    ]
    for e in tones:  # each burst is followed by silence
        after = bursts.segments[e.index + 1]
        assert after.kind == "silence" and not bursts.segment_samples(after).any()


@pytest.mark.parametrize(("n", "lo", "hi"), [(32, 80, 7600), (40, 125, 7500), (16, 80, 7600)])
def test_each_centre_tone_peaks_in_its_own_channel_of_the_c_filterbank(n, lo, hi):
    """MLTK's compiled MicroFrontend (NR and PCAN off) must put each burst in its channel."""
    rendering = render(tonal_bursts_plan(n_channels=n, lower_hz=lo, upper_hz=hi))
    settings = {
        "sample_rate_hz": RATE,
        "window_size_ms": 25,
        "window_step_ms": 10,
        "filterbank_n_channels": n,
        "filterbank_lower_band_limit": float(lo),
        "filterbank_upper_band_limit": float(hi),
        "noise_reduction_enable": False,
        "pcan_enable": False,
        "log_scale_enable": True,
    }
    features = mltk_features(rendering.samples, settings)
    for e in rendering.find(kind="tone"):
        frames = features[(e.start + 400) // 160 : (e.end - 400) // 160 - 2]
        assert len(frames) >= 10
        assert int(np.argmax(frames.mean(axis=0))) == e.channel, (e.channel, e.frequency_hz)


def test_centres_follow_the_mel_formula_of_filterbank_util():
    """Independent double-precision evaluation of CalculateCenterFrequencies' formula."""
    mel = lambda f: 1127 * np.log(1 + f / 700)  # noqa: E731
    lo, hi, n = 80.0, 7600.0, 32
    expected_mel = mel(lo) + (mel(hi) - mel(lo)) / (n + 1) * np.arange(1, n + 1)
    expected = 700 * (np.exp(expected_mel / 1127) - 1)
    np.testing.assert_allclose(centre_frequencies(n, lo, hi), expected, rtol=1e-5)


def test_burst_fft_peak_is_the_channel_centre_within_one_bin(bursts):
    for e in bursts.find(kind="tone"):
        x = bursts.segment_samples(e).astype(np.float64)
        spectrum = np.abs(np.fft.rfft(x))
        bin_hz = RATE / len(x)
        peak_hz = np.argmax(spectrum) * bin_hz
        assert abs(peak_hz - e.frequency_hz) <= bin_hz, (e.channel, peak_hz, e.frequency_hz)


def test_burst_levels_are_exact_in_peak_and_rms(bursts):
    for e in bursts.find(kind="tone"):
        x = _middle(bursts.segment_samples(e))
        assert abs(_dbfs(np.max(np.abs(x))) - e.level_dbfs) < 0.1
        assert abs(_dbfs(np.sqrt(2 * np.mean(x * x))) - e.level_dbfs) < 0.1  # AES17 sine


def test_bursts_from_a_frontend_config():
    from bench_app.core.frontend import FrontendConfig

    band = FrontendConfig(
        filterbank_n_channels=40, filterbank_lower_band_limit=125, filterbank_upper_band_limit=7500
    )
    plan = tonal_bursts_plan(band, levels_dbfs=(-6.0,))
    freqs = [s.frequency_hz for s in plan.segments if isinstance(s, Tone)]
    np.testing.assert_array_equal(freqs, centre_frequencies(40, 125.0, 7500.0))


# --- other kinds ------------------------------------------------------------------------------


@pytest.mark.parametrize("level", [-0.5, -12.0, -24.0, -60.0])
def test_tone_level_exact(level):
    r = render(Plan((Tone(1000.0, level, 0.5),)))
    x = _middle(r.samples)
    assert abs(_dbfs(np.max(np.abs(x))) - level) < 0.1


@settings(max_examples=30, deadline=None)
@given(
    frequency=st.floats(60.0, 7900.0),
    level=st.floats(-70.0, -0.2),
    duration=st.floats(0.06, 0.4),
    seed=st.integers(0, 2**32),
)
def test_any_tone_has_its_level_and_frequency(frequency, level, duration, seed):
    plan = Plan((Silence(0.01), Tone(frequency, level, duration)), seed=seed)
    r = render(plan)
    (e,) = r.find(kind="tone")
    x = r.segment_samples(e).astype(np.float64)
    assert e.n_samples == round(duration * RATE)
    # Amplitude by a least-squares sine fit at the asked frequency (IEEE 1057, 3 parameters),
    # on the part after the ramps: exact whatever the number of periods.
    t = np.arange(80, len(x) - 80) / RATE
    basis = np.stack([np.sin(2 * np.pi * frequency * t), np.cos(2 * np.pi * frequency * t)], 1)
    (a, b), *_ = np.linalg.lstsq(basis, x[80:-80], rcond=None)
    # Rounding to int16 (error <= 1/2 LSB) can move the fitted amplitude by at most 2/pi LSB
    # (when it is coherent with the tone); that exceeds 0.1 dB only below about -50 dBFS.
    assert abs(np.hypot(a, b) - FS * 10 ** (level / 20)) <= 2 / np.pi
    if level >= -50:
        assert abs(_dbfs(np.hypot(a, b)) - level) < 0.1
    spectrum = np.abs(np.fft.rfft(x))
    assert abs(np.argmax(spectrum) * RATE / len(x) - frequency) <= RATE / len(x)


@pytest.mark.parametrize("color", ["white", "pink"])
@pytest.mark.parametrize("level", [-20.0, -40.0])
def test_noise_rms_level_exact(color, level):
    r = render(noise_plan(color, level, 2.0))
    (e,) = r.find(kind="noise")
    x = r.segment_samples(e).astype(np.float64)
    assert abs(_dbfs(np.sqrt(np.mean(x * x))) - level) < 0.1
    assert r.clipped == 0


def _slope_db_per_octave(x: np.ndarray) -> float:
    f, p = welch(x.astype(np.float64), fs=RATE, nperseg=4096)
    band = (f >= 100) & (f <= 6000)
    return float(np.polyfit(np.log2(f[band]), 10 * np.log10(p[band]), 1)[0])


def test_pink_noise_falls_3_db_per_octave_and_white_is_flat():
    pink = render(Plan((Noise("pink", -20.0, 8.0),), seed=3)).samples
    white = render(Plan((Noise("white", -20.0, 8.0),), seed=3)).samples
    assert abs(_slope_db_per_octave(pink) + 3.0) < 0.3
    assert abs(_slope_db_per_octave(white)) < 0.3


def test_log_sweep_covers_80_to_7600_hz():
    r = render(sweep_plan())
    (e,) = r.find(kind="sweep")
    x = r.segment_samples(e).astype(np.float64)
    f, t, s = spectrogram(x, fs=RATE, nperseg=512, noverlap=384)
    track = f[np.argmax(s, axis=0)]
    # An exponential sweep's frequency at time t, from its definition (not from our code).
    duration = (len(x) - 1) / RATE
    predicted = 80.0 * (7600.0 / 80.0) ** (t / duration)
    bin_hz = RATE / 512
    assert np.all(np.abs(track - predicted) <= bin_hz + 0.05 * predicted)
    assert track[0] <= 80 + bin_hz and track[-1] >= 0.95 * 7600
    assert abs(_dbfs(np.max(np.abs(_middle(x)))) - (-12.0)) < 0.1


def test_multitone_peaks_and_level():
    freqs = (250.0, 1000.0, 3000.0)
    r = render(Plan((MultiTone(freqs, -6.0, 1.0, ramp_ms=0.0),)))
    x = r.samples.astype(np.float64)
    assert abs(_dbfs(np.max(np.abs(x))) + 6.0) < 0.1
    spectrum = np.abs(np.fft.rfft(x))
    top3 = np.sort(np.argsort(spectrum)[-3:]) * RATE / len(x)
    np.testing.assert_allclose(top3, freqs, atol=RATE / len(x))


def test_speech_from_espeak_is_16k_and_at_level():
    r = render(speech_plan("the quick brown fox", level_dbfs=-6.0))
    (e,) = r.find(kind="speech")
    x = r.segment_samples(e).astype(np.float64)
    assert 0.5 * RATE < len(x) < 3 * RATE
    assert abs(_dbfs(np.max(np.abs(x))) + 6.0) < 0.1
    f, p = welch(x, fs=RATE, nperseg=1024)
    assert f[np.argmax(p)] < 1000  # voiced speech, not noise
    assert any("resampled from 22050 Hz to 16000 Hz" in n for n in r.notes)
    np.testing.assert_array_equal(r.samples, render(r.plan).samples)


def test_missing_espeak_is_one_sentence(monkeypatch):
    monkeypatch.setattr(speech_mod.shutil, "which", lambda name: None)
    with pytest.raises(speech_mod.SpeechError, match=r"^espeak-ng is not installed.*\.$"):
        render(speech_plan("hello"))


def test_bad_espeak_voice_is_one_sentence():
    with pytest.raises(speech_mod.SpeechError, match="voice 'xx-nonesuch'"):
        render(Plan((Speech("hello", voice="xx-nonesuch"),)))


def test_audio_file_segment_is_read_resampled_and_levelled(tmp_path):
    t = np.arange(8000) / 8000
    (tmp_path / "sub").mkdir()
    from scipy.io import wavfile  # an independent writer

    wavfile.write(
        tmp_path / "sub" / "a.wav", 8000, np.rint(1000 * np.sin(2e3 * np.pi * t)).astype(np.int16)
    )
    plan = Plan((AudioFile("sub/a.wav", level_dbfs=-20.0), Silence(0.1)))
    r = render(plan, base_dir=tmp_path)
    (e,) = r.find(kind="file")
    assert e.n_samples == 16000
    assert abs(_dbfs(np.max(np.abs(_middle(r.segment_samples(e))))) + 20.0) < 0.1
    assert r.notes == ("segment 0 (file): resampled from 8000 Hz to 16000 Hz",)
    with pytest.raises(AudioFileError, match="does not exist"):
        render(Plan((AudioFile("missing.wav"),)), base_dir=tmp_path)


# --- determinism, plans and timelines ---------------------------------------------------------


def _every_kind_plan(seed: int = 7) -> Plan:
    return Plan(
        (
            Silence(0.05, label="lead"),
            Tone(440.0, -10.0, 0.1, channel=3),
            Sweep(80.0, 7600.0, -12.0, 0.2),
            Noise("white", -30.0, 0.1),
            Noise("pink", -30.0, 0.1),
            MultiTone((300.0, 900.0), -9.0, 0.1),
        ),
        seed=seed,
        name="every kind",
    )


def test_same_plan_and_seed_give_identical_samples():
    a, b = render(_every_kind_plan()), render(_every_kind_plan())
    np.testing.assert_array_equal(a.samples, b.samples)
    c = render(_every_kind_plan(seed=8))
    assert not np.array_equal(a.samples, c.samples)  # the seed matters...
    tone_a, tone_c = a.find(kind="tone")[0], c.find(kind="tone")[0]
    np.testing.assert_array_equal(a.segment_samples(tone_a), c.segment_samples(tone_c))


def test_editing_one_segment_leaves_the_others_noise_unchanged():
    plan = _every_kind_plan()
    segments = list(plan.segments)
    segments[3] = Noise("white", -20.0, 0.1)  # louder white noise before the pink one
    a, b = render(plan), render(Plan(tuple(segments), seed=plan.seed))
    assert not np.array_equal(a.segment_samples(a.segments[3]), b.segment_samples(b.segments[3]))
    np.testing.assert_array_equal(
        a.segment_samples(a.segments[4]), b.segment_samples(b.segments[4])
    )


def test_plan_json_round_trip_renders_the_same():
    plan = _every_kind_plan()
    again = Plan.from_json(plan.to_json())
    assert again == plan
    np.testing.assert_array_equal(render(again).samples, render(plan).samples)
    for kind in ("speech", "file"):
        assert (
            kind
            in Plan.from_json(
                json.dumps(
                    {
                        "segments": [
                            {"kind": "speech", "text": "hi"}
                            if kind == "speech"
                            else {"kind": "file", "path": "x.wav", "channel": 1}
                        ]
                    }
                )
            ).to_json()
        )


def test_timeline_is_contiguous_and_round_trips(tmp_path):
    r = render(_every_kind_plan())
    assert r.segments[0].start == 0 and r.segments[-1].end == len(r.samples)
    assert all(a.end == b.start for a, b in zip(r.segments, r.segments[1:], strict=False))
    assert r.segments[0].n_samples == 800 and not r.segment_samples(r.segments[0]).any()
    data = json.loads(r.timeline_json())
    assert timeline_from_dict(data) == r.segments
    assert Plan.from_dict(data["plan"]) == r.plan
    assert (r.segments[1].frequency_hz, r.segments[1].channel) == (440.0, 3)
    assert (r.segments[2].frequency_hz, r.segments[2].end_frequency_hz) == (80.0, 7600.0)


def test_loud_noise_clipping_is_counted():
    r = render(Plan((Noise("white", -3.0, 1.0),)))
    assert r.clipped > 0 and r.notes == (f"{r.clipped} samples were clipped to the int16 range",)
    assert r.clipped == np.count_nonzero(np.abs(r.samples.astype(int)) >= 32767)


# --- bad plans: ConfigError naming the field ---------------------------------------------------


@pytest.mark.parametrize(
    ("segment", "message"),
    [
        ({"kind": "chirpy", "duration_s": 1}, r"^Plan segment 0 has unknown kind 'chirpy' \("),
        ({"kind": "silence", "duration_s": -1}, r"^Plan segment 0 \(silence\): duration_s must"),
        (
            {"kind": "tone", "frequency_hz": 1000, "level_dbfs": 3, "duration_s": 1},
            r"^Plan segment 0 \(tone\): level_dbfs 3 is above 0 dBFS",
        ),
        (
            {"kind": "tone", "frequency_hz": 9000, "level_dbfs": -3, "duration_s": 1},
            r"^Plan segment 0 \(tone\): frequency_hz 9000 Hz is at or above the Nyquist",
        ),
        (
            {"kind": "sweep", "start_hz": 80, "end_hz": 8000, "level_dbfs": -3, "duration_s": 1},
            r"end_hz 8000 Hz is at or above the Nyquist frequency 8000 Hz\.$",
        ),
        (
            {
                "kind": "multitone",
                "frequencies_hz": [100, 12000],
                "level_dbfs": -3,
                "duration_s": 1,
            },
            r"frequencies_hz 12000 Hz is at or above",
        ),
        ({"kind": "noise", "color": "brown", "level_dbfs": -3, "duration_s": 1}, r"color 'brown'"),
        ({"kind": "tone", "freq": 1, "level_dbfs": -3, "duration_s": 1}, r"unknown field 'freq'"),
        ({"kind": "tone", "level_dbfs": -3, "duration_s": 1}, r"lacks the field 'frequency_hz'"),
        ({"kind": "speech", "text": "  "}, r"text is empty"),
        ({"kind": "speech", "text": 5}, r"text must be a string, not 5\."),
        ({"kind": "speech", "text": "hi", "pitch": 1.5}, r"pitch must be an integer"),
        ({"kind": "silence", "duration_s": "1"}, r"duration_s must be a finite number, not '1'"),
        (
            {
                "kind": "tone",
                "frequency_hz": 1e3,
                "level_dbfs": -3,
                "duration_s": 0.01,
                "ramp_ms": 6,
            },
            r"ramp_ms 6 must be between 0 and half the duration",
        ),
    ],
)
def test_bad_plans_name_the_field(segment, message):
    with pytest.raises(ConfigError, match=message) as exc:
        Plan.from_dict({"segments": [segment]})
    assert str(exc.value).endswith(".") and "\n" not in str(exc.value)


def test_bad_plan_documents():
    with pytest.raises(ConfigError, match="not valid JSON"):
        Plan.from_json("{segments: ")
    with pytest.raises(ConfigError, match="no segments"):
        Plan.from_json('{"segments": []}')
    with pytest.raises(ConfigError, match="Unknown plan key 'sede'"):
        Plan.from_json('{"sede": 1, "segments": []}')
    with pytest.raises(ConfigError, match="seed must be a non-negative integer"):
        Plan.from_json('{"seed": -1, "segments": [{"kind": "silence", "duration_s": 1}]}')
    with pytest.raises(ConfigError, match="level_dbfs must be a finite number"):
        Plan((Tone(1000.0, float("nan"), 1.0),))


# --- read back what we write -------------------------------------------------------------------


def test_rendered_plan_written_and_read_back_is_identical(tmp_path):
    r = render(_every_kind_plan())
    write_wav(tmp_path / "s.wav", r.samples)
    np.testing.assert_array_equal(read_audio(tmp_path / "s.wav").samples, r.samples)


# --- the `bench-app stimulus` command ----------------------------------------------------------


@pytest.fixture
def cli(monkeypatch):
    """`bench-app` main() with only this command registered (others' modules stay out)."""
    from bench_app import cli as cli_mod

    monkeypatch.setattr(cli_mod, "COMMAND_MODULES", ("bench_app.cli.stimulus_cmd",))
    return cli_mod.main


def test_cli_tonal_bursts_writes_wav_timeline_and_plan(cli, tmp_path, capsys):
    from bench_app.core.frontend import FrontendConfig

    cfg = tmp_path / "fe.json"
    cfg.write_text(FrontendConfig(filterbank_n_channels=16).to_json())
    out, tl, pl = tmp_path / "b.wav", tmp_path / "b.json", tmp_path / "p.json"
    argv = ["stimulus", "tonal-bursts", "--out", str(out), "--config", str(cfg)]
    argv += ["--level-dbfs", "-6", "--level-dbfs", "-30", "--timeline", str(tl)]
    assert cli(argv + ["--save-plan", str(pl)]) == 0
    printed = capsys.readouterr().out
    assert f"wrote {out} (" in printed and f"wrote timeline {tl}" in printed
    samples = read_audio(out).samples
    expected = render(tonal_bursts_plan(n_channels=16, levels_dbfs=(-6.0, -30.0)))
    np.testing.assert_array_equal(samples, expected.samples)
    timeline = json.loads(tl.read_text())
    assert timeline_from_dict(timeline) == expected.segments
    assert Plan.from_json(pl.read_text()) == expected.plan


@pytest.mark.parametrize(
    ("argv", "kind"),
    [
        (["sweep", "--duration-s", "1"], "sweep"),
        (["noise", "--color", "pink", "--level-dbfs", "-40", "--seed", "5"], "noise"),
        (["speech", "--text", "hello bench"], "speech"),
    ],
)
def test_cli_other_kinds(cli, tmp_path, capsys, argv, kind):
    out = tmp_path / "s.wav"
    assert cli(["stimulus", *argv, "--out", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    samples = read_audio(out).samples
    assert summary["out"] == str(out) and summary["n_samples"] == len(samples)
    assert np.any(samples != 0)
    if kind == "noise":
        np.testing.assert_array_equal(samples, render(noise_plan("pink", -40.0, seed=5)).samples)
    if kind == "speech":
        assert summary["notes"] == ["segment 1 (speech): resampled from 22050 Hz to 16000 Hz"]


def test_cli_plan_with_audio_file_prints_notes(cli, tmp_path, capsys):
    import soundfile as sf

    sf.write(tmp_path / "st.wav", np.zeros((4410, 2), dtype=np.int16), 44100)
    plan = Plan((Tone(1000.0, -6.0, 0.2), AudioFile("st.wav", channel=1)))
    (tmp_path / "plan.json").write_text(plan.to_json())
    out = tmp_path / "o.wav"
    assert cli(["stimulus", "plan", "--plan", str(tmp_path / "plan.json"), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "note: segment 1 (file): took channel 1 of the 2 channels in st.wav" in printed
    assert "note: segment 1 (file): resampled from 44100 Hz to 16000 Hz" in printed
    assert len(read_audio(out).samples) == 3200 + 1600


def test_cli_bad_audio_files_exit_2_with_one_sentence(cli, tmp_path, capsys):
    for name, sentence in bad_audio_files(tmp_path).items():
        plan = tmp_path / f"{name}.json"
        plan.write_text(Plan((AudioFile(name),)).to_json())
        status = cli(["stimulus", "plan", "--plan", str(plan), "--out", str(tmp_path / "o.wav")])
        err = capsys.readouterr().err
        assert status == 2, name
        assert err.startswith("bench-app: error: ") and sentence in err, err
        assert err.count("\n") == 1 and "Traceback" not in err
        assert not (tmp_path / "o.wav").exists()


@pytest.mark.parametrize(
    ("argv", "sentence"),
    [
        (["plan", "--plan", "nope.json"],
         "Cannot read the plan file nope.json: No such file or directory."),
        (["plan"], "Kind 'plan' needs the plan file: give --plan PLAN.json."),
        (["speech"], "Kind 'speech' needs the words to speak: give --text"),
        (["sweep", "--text", "hi"], "--text does not apply to 'sweep' (it is for speech)."),
        (["noise", "--level-dbfs", "-3", "--level-dbfs", "-6"], "'noise' takes one --level-dbfs"),
        # refused when parsed (bench_app/cli/arg_types.py), still in one line
        (["noise", "--level-dbfs", "3"], "argument --level-dbfs: 3 is out of range: a level in "
                                         "dBFS must be from -150 to 0."),
        (["sweep", "--end-hz", "9000"], "argument --end-hz: 9000 is out of range: a frequency "
                                        "at 16 kHz must be above 0 up to 8000."),
        (["noise", "--duration-s", "-1"], "argument --duration-s: -1 is out of range"),
    ],
)
def test_cli_bad_options_exit_2_with_one_sentence(
    cli, tmp_path, capsys, monkeypatch, argv, sentence
):
    monkeypatch.chdir(tmp_path)
    assert cli(["stimulus", *argv, "--out", "o.wav"]) == 2
    err = capsys.readouterr().err
    assert sentence in err and err.count("\n") == 1, err


def test_cli_unwritable_output_is_one_sentence(cli, tmp_path, capsys):
    assert cli(["stimulus", "sweep", "--out", str(tmp_path / "no" / "s.wav")]) == 2
    assert "the folder" in capsys.readouterr().err
