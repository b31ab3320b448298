"""Fuzz the CLI's file inputs (issue 9): random bytes, lying WAV headers and random JSON as
audio, ``--config`` and stimulus plans. Whatever the file holds, a command either works
(status 0) or says one sentence (status 2): never a traceback, never another exception.

Bounded: each target runs 150 derandomized examples (a few seconds in all on this machine), so
the file stays well under a minute in ``make test``; ``BENCH_FUZZ_EXAMPLES=N`` runs N random
examples per target instead, for a longer hunt.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import struct
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bench_app.cli as cli

FUZZ = settings(max_examples=int(os.environ.get("BENCH_FUZZ_EXAMPLES", "150")), deadline=None,
                derandomize=not os.environ.get("BENCH_FUZZ_EXAMPLES"),
                suppress_health_check=[HealthCheck.too_slow])


def _run(argv: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = cli.main(argv)
    text = err.getvalue()
    assert code in (0, 2), (code, text)
    assert "Traceback" not in text
    if code == 2:
        assert text.startswith("bench-app: error: ") and text.count("\n") == 1, text
    return code, text


def _frontend(audio: bytes, config: str | None = None) -> tuple[int, str]:
    with tempfile.TemporaryDirectory() as folder:
        wav = Path(folder) / "in.wav"
        wav.write_bytes(audio)
        argv = ["frontend", str(wav), "--out", str(Path(folder) / "out.npy")]
        if config is not None:
            (Path(folder) / "fe.json").write_text(config)
            argv += ["--config", str(Path(folder) / "fe.json")]
        return _run(argv)


@FUZZ
@given(st.binary(max_size=4096))
def test_random_bytes_as_audio(data):
    _frontend(data)


def _wav(fmt_tag, channels, rate, bits, data_size, riff_size, payload):
    block = max(1, channels * bits // 8)
    byte_rate = (rate * block) & 0xFFFFFFFF
    fmt = struct.pack("<HHIIHH", fmt_tag, channels, rate, byte_rate, block & 0xFFFF, bits)
    return (b"RIFF" + struct.pack("<I", riff_size) + b"WAVE" + b"fmt " + struct.pack("<I", 16)
            + fmt + b"data" + struct.pack("<I", data_size) + payload)


@FUZZ
@given(fmt_tag=st.sampled_from([1, 3, 0, 2, 0xFFFE, 7]),
       channels=st.integers(0, 70000 & 0xFFFF),
       rate=st.one_of(st.sampled_from([0, 1, 8000, 16000, 48000, 2**31, 2**32 - 1]),
                      st.integers(0, 2**32 - 1)),
       bits=st.sampled_from([0, 1, 8, 12, 16, 24, 32, 64, 65535]),
       data_size=st.one_of(st.sampled_from([0, 1, 2**31, 2**32 - 1]), st.integers(0, 2**32 - 1)),
       riff_size=st.integers(0, 2**32 - 1),
       payload=st.binary(max_size=2048))
def test_lying_wav_headers(fmt_tag, channels, rate, bits, data_size, riff_size, payload):
    _frontend(_wav(fmt_tag, channels, rate, bits, data_size, riff_size, payload))


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=25), inner,
                                                                max_size=6),
    max_leaves=20,
)
_FE_KEYS = ["fe.sample_rate_hz", "fe.window_size_ms", "fe.window_step_ms",
            "fe.filterbank_n_channels", "fe.filterbank_lower_band_limit",
            "fe.filterbank_upper_band_limit", "fe.pcan_enable", "fe.log_scale_shift",
            "fe.noise_reduction_smoothing_bits", "fe.window_variant"]
_FE_VALUES = st.one_of(st.integers(-10**6, 10**9), st.floats(allow_nan=True), st.booleans(),
                       st.none(), st.text(max_size=8), st.sampled_from([0, 1, 2, 25, 10, 32]))


@FUZZ
@given(st.one_of(_JSON.map(json.dumps),
                 st.dictionaries(st.sampled_from(_FE_KEYS), _FE_VALUES, max_size=4).map(json.dumps),
                 st.text(max_size=200)))
def test_random_json_as_frontend_config(config):
    tone = _wav(1, 1, 16000, 16, 3200, 36 + 3200, bytes(3200))
    _frontend(tone, config)


_SEGMENT = st.fixed_dictionaries(
    {"kind": st.sampled_from(["tone", "silence", "noise", "sweep", "chirp", "tonal_bursts",
                              "bogus", 3])},
    optional={"duration_s": st.one_of(st.floats(allow_nan=True), st.integers(-5, 10**7)),
              "frequency_hz": st.one_of(st.floats(allow_nan=True), st.integers(-5, 10**6)),
              "level_dbfs": st.one_of(st.floats(allow_nan=True), st.integers(-500, 50)),
              "start_hz": st.floats(0, 9000), "end_hz": st.floats(0, 9000),
              "path": st.text(max_size=10), "seed": st.integers(-5, 2**70)},
)


@FUZZ
@given(st.one_of(
    _JSON,
    st.fixed_dictionaries({"segments": st.lists(_SEGMENT, max_size=3)},
                          optional={"sample_rate": st.one_of(st.integers(-5, 10**12),
                                                             st.floats(allow_nan=True)),
                                    "seed": st.one_of(st.integers(-2**70, 2**70), st.text()),
                                    "name": _JSON}),
))
def test_random_json_as_stimulus_plan(plan):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "plan.json"
        path.write_text(json.dumps(plan))
        _run(["stimulus", "plan", "--plan", str(path), "--out", str(Path(folder) / "o.wav")])
