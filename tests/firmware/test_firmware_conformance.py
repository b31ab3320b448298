"""`bench-app conformance --device native`: the firmware core passes L0, L1 and L3, L2 is n/a.

The native board (firmware/core as a host program, built with CMake on first use, hence
``slow``) plays a WAV as its microphone (`board native --wav F`, looped): L3 must see that
WAV's level, and a silent microphone must fail L3's level check.
"""

from __future__ import annotations

import contextlib
import io
import json
import math

import numpy as np
import pytest
import soundfile as sf

from bench_app.cli import main
from bench_app.core.conformance.stimuli import golden_clips

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


def conformance(*argv):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["conformance", "--device", "native", "--listen-s", "1.5", "--json", *argv])
    return code, json.loads(out.getvalue())


def test_native_board_passes_l0_l1_l3_and_says_l2_is_not_applicable():
    code, doc = conformance()
    assert doc["levels"] == {"L0": "pass", "L1": "pass", "L2": "n/a", "L3": "pass",
                             "L4": "n/a"}, [c for c in doc["checks"] if c["status"] == "fail"]
    assert code == 0
    l2 = next(c for c in doc["checks"] if c["level"] == "L2")
    assert "no model runtime" in l2["reason"]
    # L3 measured the level of the golden speech the native board plays (looped)
    speech = golden_clips()["speech"].astype(np.float64)
    want = 20 * math.log10(math.sqrt(np.mean(speech**2)) / 32768)
    level = next(c for c in doc["checks"] if c["name"] == "mic-level")["reason"]
    got = float(level.split("at ")[1].split(" dBFS")[0])
    assert abs(got - want) < 3.0, (got, want)


def test_native_board_wav_level_is_what_l3_sees(tmp_path):
    wav = tmp_path / "tone.wav"
    t = np.arange(16000) / 16000
    sf.write(wav, np.round(0.1 * 32767 * np.sin(2 * np.pi * 440 * t)).astype(np.int16), 16000,
             subtype="PCM_16")  # fmt: skip
    _, doc = conformance("--sim", f"--fast --wav {wav}")
    level = next(c for c in doc["checks"] if c["name"] == "mic-level")
    assert level["status"] == "pass"
    got = float(level["reason"].split("at ")[1].split(" dBFS")[0])
    assert abs(got - 20 * math.log10(0.1 / math.sqrt(2))) < 0.1, got


def test_a_silent_native_microphone_fails_l3(tmp_path):
    wav = tmp_path / "silence.wav"
    sf.write(wav, np.zeros(16000, np.int16), 16000, subtype="PCM_16")
    code, doc = conformance("--sim", f"--fast --wav {wav}")
    level = next(c for c in doc["checks"] if c["name"] == "mic-level")
    assert code == 1 and level["status"] == "fail" and "were zero" in level["reason"]
