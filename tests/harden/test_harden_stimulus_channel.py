"""Issue 9, class 9: a stereo ``--stimulus`` named a ``--channel`` that `run alignment` lacks.

`run alignment` now has ``--stimulus-channel N``; the advice names it, and it plays exactly
that channel of the file (compared with `read_audio` of that channel, the bench's reader).
"""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from bench_app.cli import main
from bench_app.core.audio_files import read_audio
from bench_app.core.errors import BenchError
from bench_app.core.frontend import FrontendConfig
from bench_app.core.runs.procedures.alignment.stimulus import build_stimulus
from bench_app.core.store import RunStore

FS = 16000


@pytest.fixture
def stereo(tmp_path):
    """One second: 440 Hz on channel 0, 1 kHz on channel 1."""
    t = np.arange(FS) / FS
    both = np.stack([0.3 * np.sin(2 * np.pi * 440 * t), 0.3 * np.sin(2 * np.pi * 1000 * t)], 1)
    path = tmp_path / "stereo.wav"
    sf.write(path, both, FS, subtype="PCM_16")
    return path


def _sentence(err: str) -> str:
    line = err.strip()
    assert "\n" not in line and "Traceback" not in line and line.endswith("."), err
    return line


def test_the_advice_names_an_option_run_alignment_has(stereo, tmp_path, capsys):
    code = main(["run", "alignment", "--device", "sim", "--stimulus", str(stereo),
                 "--store", str(tmp_path / "store")])  # fmt: skip
    err = _sentence(capsys.readouterr().err)
    assert code == 2 and "--stimulus-channel N" in err and "0 to 1" in err
    with RunStore.open(tmp_path / "store") as store:  # refused before any run is stored
        assert store.list_runs() == []
    assert main(["run", "alignment", "--help"]) == 0
    assert "--stimulus-channel N" in capsys.readouterr().out


@pytest.mark.parametrize("channel", [0, 1])
def test_the_chosen_channel_is_what_plays(stereo, channel):
    stim = build_stimulus(str(stereo), FrontendConfig(), channel=channel)
    expected = read_audio(stereo, channel=channel).samples
    lead = int(0.5 * FS)
    assert np.array_equal(stim.samples[lead : lead + FS], expected)
    assert not stim.samples[:lead].any() and not stim.samples[lead + FS :].any()
    other = read_audio(stereo, channel=1 - channel).samples
    assert not np.array_equal(expected, other)


def test_a_channel_out_of_range_or_for_a_rendered_kind_is_one_sentence(stereo):
    with pytest.raises(BenchError) as info:
        build_stimulus(str(stereo), FrontendConfig(), channel=2)
    assert "channel 2 does not exist" in _sentence(str(info.value))
    with pytest.raises(BenchError) as info:
        build_stimulus("tonal-bursts", FrontendConfig(), channel=0)
    assert "--stimulus-channel" in _sentence(str(info.value))


def test_a_run_with_the_option_completes_on_the_virtual_board(stereo, tmp_path, capsys):
    code = main(["run", "alignment", "--device", "sim", "--sim=--fast", "--path", "injected",
                 "--stimulus", str(stereo), "--stimulus-channel", "1", "--json",
                 "--store", str(tmp_path / "store")])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0 and '"status": "success"' in out
