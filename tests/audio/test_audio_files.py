"""Audio file input: every kind of file the bench may be handed, good and bad.

Good files are written with Python's own `wave` module where it can (8/16/24/32-bit PCM), so
the reader is checked against a writer other than the libsndfile it uses; expected int16 values
come from the integers written, not from our reader.
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from bench_app.core.audio_files import AudioClip, read_audio, write_wav
from bench_app.core.errors import AudioFileError, BenchError
from bench_app.testing.bad_audio import bad_audio_files


def _write_pcm(path: Path, ints: np.ndarray, width: int, rate: int = 16000) -> None:
    """Write integer samples (n,) or (n, channels) as `width`-byte PCM with the stdlib."""
    ints = np.asarray(ints, dtype=np.int64)
    if ints.ndim == 1:
        ints = ints[:, None]
    if width == 1:  # 8-bit WAV is unsigned
        raw = (ints + 128).astype(np.uint8).tobytes()
    else:
        le = (ints & ((1 << (8 * width)) - 1)).astype("<u8").view(np.uint8).reshape(-1, 8)
        raw = le[:, :width].tobytes()
    with wave.open(str(path), "wb") as w:
        w.setnchannels(ints.shape[1])
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(raw)


def _sentence(exc: pytest.ExceptionInfo) -> str:
    text = str(exc.value)
    assert text.endswith((".", ")")), text
    assert "\n" not in text and "Traceback" not in text
    return text


# --- good files -------------------------------------------------------------------------------


def test_int16_wav_round_trips_exactly(tmp_path):
    x = np.array([0, 1, -1, 32767, -32768, 1234, -4321], dtype=np.int16)
    _write_pcm(tmp_path / "a.wav", x, 2)
    clip = read_audio(tmp_path / "a.wav")
    assert isinstance(clip, AudioClip)
    np.testing.assert_array_equal(clip.samples, x)
    assert clip.samples.dtype == np.int16 and clip.samples.ndim == 1
    assert clip.sample_rate == 16000 and clip.notes == () and clip.clipped == 0
    assert clip.source == str(tmp_path / "a.wav")


@settings(max_examples=25, deadline=None)
@given(arrays(np.int16, st.integers(1, 4000)))
def test_write_wav_then_read_audio_is_identity(tmp_path_factory, x):
    path = tmp_path_factory.mktemp("rt") / "x.wav"
    write_wav(path, x)
    with wave.open(str(path), "rb") as w:  # an independent reader agrees on the format
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 16000)
        np.testing.assert_array_equal(np.frombuffer(w.readframes(len(x)), "<i2"), x)
    np.testing.assert_array_equal(read_audio(path).samples, x)


def test_flac_is_read(tmp_path):
    x = (np.arange(-3000, 3000, 7)).astype(np.int16)
    sf.write(tmp_path / "a.flac", x, 16000, subtype="PCM_16")
    np.testing.assert_array_equal(read_audio(tmp_path / "a.flac").samples, x)


def test_8_bit_wav_scales_by_256(tmp_path):
    ints = np.array([-128, -1, 0, 1, 127])
    _write_pcm(tmp_path / "u8.wav", ints, 1)
    clip = read_audio(tmp_path / "u8.wav")
    np.testing.assert_array_equal(clip.samples, ints * 256)
    assert any("8 bit" in n.lower() or "8-bit" in n.lower() for n in clip.notes), clip.notes


def test_24_bit_wav_keeps_top_16_bits(tmp_path):
    ints = np.array([-(2**23), -257, -256, -1, 0, 255, 256, 2**23 - 1, 0x123456])
    _write_pcm(tmp_path / "s24.wav", ints, 3)
    clip = read_audio(tmp_path / "s24.wav")
    np.testing.assert_array_equal(clip.samples, np.floor_divide(ints, 256))
    assert clip.clipped == 0 and any("24" in n for n in clip.notes)


def test_32_bit_int_wav_keeps_top_16_bits(tmp_path):
    ints = np.array([-(2**31), -65537, -1, 0, 65535, 65536, 2**31 - 1])
    _write_pcm(tmp_path / "s32.wav", ints, 4)
    np.testing.assert_array_equal(
        read_audio(tmp_path / "s32.wav").samples, np.floor_divide(ints, 65536)
    )


def test_float_wav_converts_and_counts_clipping(tmp_path):
    x = np.array([0.0, 0.5, -0.5, 1.0, -1.0, 1.5, -2.0, 1.0001, 0.25], dtype=np.float32)
    sf.write(tmp_path / "f.wav", x, 16000, subtype="FLOAT")
    clip = read_audio(tmp_path / "f.wav")
    expected = np.clip(np.rint(x.astype(np.float64) * 32768), -32768, 32767)
    np.testing.assert_array_equal(clip.samples, expected)
    assert clip.clipped == 3  # 1.5, -2.0, 1.0001; +1.0 is full scale, not clipping
    assert any("3 samples" in n and "clipped" in n for n in clip.notes), clip.notes


def test_stereo_channel_is_chosen_zero_based(tmp_path):
    left = np.arange(100, dtype=np.int64)
    right = -np.arange(100, dtype=np.int64) * 3
    _write_pcm(tmp_path / "st.wav", np.stack([left, right], axis=1), 2)
    np.testing.assert_array_equal(read_audio(tmp_path / "st.wav", channel=0).samples, left)
    clip = read_audio(tmp_path / "st.wav", channel=1)
    np.testing.assert_array_equal(clip.samples, right)
    assert any("channel 1 of the 2" in n for n in clip.notes), clip.notes


def test_other_rate_is_resampled_with_a_note(tmp_path):
    """A 1 kHz tone at 44.1 kHz must come out as the same tone sampled at 16 kHz."""
    t_in = np.arange(44100) / 44100
    _write_pcm(tmp_path / "44k.wav", np.rint(8000 * np.sin(2 * np.pi * 1000 * t_in)), 2, 44100)
    clip = read_audio(tmp_path / "44k.wav")
    assert clip.sample_rate == 16000 and len(clip.samples) == 16000
    assert any("resampled from 44100 Hz to 16000 Hz" in n for n in clip.notes)
    ideal = 8000 * np.sin(2 * np.pi * 1000 * np.arange(16000) / 16000)
    mid = slice(200, -200)  # away from the filter's edge transients
    # resample_poly's default Kaiser filter has about 0.1% pass-band ripple: allow 0.2%.
    assert np.max(np.abs(clip.samples[mid] - ideal[mid])) <= 0.002 * 8000


# --- bad files: one sentence naming the file and the problem ----------------------------------


def test_missing_file(tmp_path):
    with pytest.raises(AudioFileError) as exc:
        read_audio(tmp_path / "nope.wav")
    assert _sentence(exc) == f"Audio file {tmp_path / 'nope.wav'} does not exist."


def test_empty_file(tmp_path):
    (tmp_path / "e.wav").write_bytes(b"")
    with pytest.raises(AudioFileError) as exc:
        read_audio(tmp_path / "e.wav")
    assert _sentence(exc) == f"{tmp_path / 'e.wav'} is empty (0 bytes), so it holds no audio."


def test_directory(tmp_path):
    with pytest.raises(AudioFileError, match="is not a file"):
        read_audio(tmp_path)


def test_text_file_renamed_wav(tmp_path):
    (tmp_path / "t.wav").write_text("this is a shopping list, not a recording\n" * 5)
    with pytest.raises(AudioFileError) as exc:
        read_audio(tmp_path / "t.wav")
    text = _sentence(exc)
    assert text.startswith(f"{tmp_path / 't.wav'} is not a readable audio file (")
    assert "format not recognised" in text


def test_truncated_wav_data(tmp_path):
    _write_pcm(tmp_path / "full.wav", np.arange(8000), 2)
    data = (tmp_path / "full.wav").read_bytes()
    (tmp_path / "cut.wav").write_bytes(data[: len(data) // 2])
    with pytest.raises(AudioFileError) as exc:
        read_audio(tmp_path / "cut.wav")
    text = _sentence(exc)
    assert text.startswith(f"{tmp_path / 'cut.wav'} is truncated: its WAV header announces 16000")


def test_truncated_wav_header(tmp_path):
    _write_pcm(tmp_path / "full.wav", np.arange(100), 2)
    (tmp_path / "cut.wav").write_bytes((tmp_path / "full.wav").read_bytes()[:30])
    with pytest.raises(AudioFileError) as exc:
        read_audio(tmp_path / "cut.wav")
    assert _sentence(exc) == (
        f"{tmp_path / 'cut.wav'} is truncated or damaged: no sample data follows its WAV header."
    )


def test_truncated_flac(tmp_path):
    rng = np.random.default_rng(0)
    sf.write(tmp_path / "n.flac", rng.integers(-9000, 9000, 32000).astype(np.int16), 16000)
    data = (tmp_path / "n.flac").read_bytes()
    (tmp_path / "cut.flac").write_bytes(data[: len(data) // 2])
    with pytest.raises(AudioFileError) as exc:
        read_audio(tmp_path / "cut.flac")
    assert _sentence(exc).startswith(f"{tmp_path / 'cut.flac'} is ")


def test_streamed_wav_header_is_accepted(tmp_path):
    """espeak-ng --stdout writes a placeholder data length; the file is read to its end."""
    _write_pcm(tmp_path / "s.wav", np.arange(50), 2)
    data = bytearray((tmp_path / "s.wav").read_bytes())
    data[40:44] = (0x7FFFF000).to_bytes(4, "little")
    (tmp_path / "s.wav").write_bytes(bytes(data))
    np.testing.assert_array_equal(read_audio(tmp_path / "s.wav").samples, np.arange(50))


def test_no_samples(tmp_path):
    _write_pcm(tmp_path / "z.wav", np.zeros(0), 2)
    with pytest.raises(AudioFileError) as exc:
        read_audio(tmp_path / "z.wav")
    assert _sentence(exc) == f"{tmp_path / 'z.wav'} holds no audio samples."


def test_stereo_without_channel_is_refused(tmp_path):
    _write_pcm(tmp_path / "st.wav", np.zeros((10, 2)), 2)
    with pytest.raises(AudioFileError) as exc:
        read_audio(tmp_path / "st.wav")
    assert _sentence(exc) == (
        f"{tmp_path / 'st.wav'} has 2 channels; choose one with --channel N (numbered from 0 to 1)."
    )


@pytest.mark.parametrize(("n_channels", "channel"), [(2, 2), (4, -1), (1, 1)])
def test_channel_out_of_range(tmp_path, n_channels, channel):
    _write_pcm(tmp_path / "m.wav", np.zeros((10, n_channels)), 2)
    with pytest.raises(AudioFileError) as exc:
        read_audio(tmp_path / "m.wav", channel=channel)
    text = _sentence(exc)
    assert text.startswith(f"{tmp_path / 'm.wav'} has {n_channels} channel")
    assert f"so channel {channel} does not exist" in text


def test_audio_file_error_is_a_bench_error():
    assert issubclass(AudioFileError, BenchError)


def test_write_wav_refuses_wrong_dtype_and_missing_folder(tmp_path):
    with pytest.raises(AudioFileError, match="1-D int16"):
        write_wav(tmp_path / "x.wav", np.zeros(10, dtype=np.float32))
    with pytest.raises(AudioFileError, match="does not exist"):
        write_wav(tmp_path / "no" / "x.wav", np.zeros(10, dtype=np.int16))


def _valid_files(tmp_path_factory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("valid")
    x = (np.sin(np.arange(3000) / 7) * 9000).astype(np.int16)
    _write_pcm(folder / "a.wav", np.stack([x, x // 2], axis=1), 3, 22050)
    sf.write(folder / "a.flac", x, 16000)
    sf.write(folder / "f.wav", x / 40000.0, 16000, subtype="FLOAT")
    return {name: (folder / name).read_bytes() for name in ("a.wav", "a.flac", "f.wav")}


@settings(max_examples=60, deadline=None)
@given(
    which=st.sampled_from(["a.wav", "a.flac", "f.wav"]),
    cut=st.floats(0.0, 1.0),
    flips=st.lists(st.tuples(st.floats(0.0, 1.0), st.integers(0, 255)), max_size=4),
)
def test_damaged_files_give_a_clip_or_one_sentence(tmp_path_factory, which, cut, flips):
    """Cut and corrupted files never raise anything but AudioFileError."""
    data = bytearray(_valid_files(tmp_path_factory)[which])
    for where, value in flips:
        data[int(where * (len(data) - 1))] = value
    path = tmp_path_factory.mktemp("bad") / which
    path.write_bytes(bytes(data[: int(cut * len(data))]))
    try:
        clip = read_audio(path, channel=0)
    except AudioFileError as exc:
        assert str(exc).startswith(str(path)) or str(exc).startswith("Audio file ")
        assert "\n" not in str(exc)
    else:
        assert clip.samples.dtype == np.int16 and clip.samples.ndim == 1


def test_bench_app_frontend_refuses_bad_files_with_exit_2_and_one_line(tmp_path):
    """The installed `bench-app` console script, as a user runs it: no traceback."""
    import subprocess
    import sys

    exe = Path(sys.executable).with_name("bench-app")
    for name, words in bad_audio_files(tmp_path).items():
        done = subprocess.run(
            [str(exe), "frontend", name, "--out", "x.npy"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 2, (name, done.stderr)
        assert done.stderr.startswith("bench-app: error: ") and words in done.stderr
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
        assert not (tmp_path / "x.npy").exists()
