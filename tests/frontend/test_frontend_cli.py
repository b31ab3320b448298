"""`bench-app frontend`: files in, the oracle's features out; bad input is one sentence, exit 2."""

from __future__ import annotations

import json

import numpy as np
import soundfile as sf

from bench_app.cli import main
from bench_app.core.frontend import STAGE_NAMES, FrontendConfig
from bench_app.testing.oracles import mltk_features


def _wav(path, seconds=1.0, rate=16000):
    rng = np.random.default_rng(1)
    t = np.arange(int(rate * seconds)) / rate
    x = 9000 * np.sin(2 * np.pi * 700 * t) + 500 * rng.standard_normal(t.size)
    pcm = np.round(x).astype(np.int16)
    sf.write(path, pcm, rate, subtype="PCM_16")
    return pcm


def test_frontend_writes_mltk_identical_features(tmp_path, capsys):
    pcm = _wav(tmp_path / "in.wav")
    out = tmp_path / "f.npy"
    assert main(["frontend", str(tmp_path / "in.wav"), "--out", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    got = np.load(out)
    ref = mltk_features(pcm, FrontendConfig().to_mltk_settings())
    assert got.dtype == np.uint16 and np.array_equal(got, ref)
    assert summary["frames"] == got.shape[0] == 98 and summary["channels"] == 32


def test_frontend_int8_config_and_stages(tmp_path):
    pcm = _wav(tmp_path / "in.wav")
    cfg = FrontendConfig(window_size_ms=30, window_step_ms=20, filterbank_n_channels=40,
                         pcan_enable=False)
    (tmp_path / "fe.json").write_text(cfg.to_json())
    out = tmp_path / "f8.npy"
    stages = tmp_path / "stages"
    rc = main(["frontend", str(tmp_path / "in.wav"), "--out", str(out), "--int8",
               "--config", str(tmp_path / "fe.json"), "--stages", str(stages)])
    assert rc == 0
    ref = mltk_features(pcm, cfg.to_mltk_settings(), dtype=np.int8)
    assert np.array_equal(np.load(out), ref)
    assert sorted(p.stem for p in stages.glob("*.npy")) == sorted(STAGE_NAMES)
    assert np.load(stages / "features.npy").shape == (49, 40)


def test_frontend_bad_inputs_exit_2_with_one_sentence(tmp_path, capsys):
    (tmp_path / "junk.wav").write_bytes(b"not audio at all")
    _wav(tmp_path / "in.wav")
    (tmp_path / "bad.json").write_text('{"fe.window_size_ms": 25, "fe.bogus": 1}')
    cases = [
        ["frontend", str(tmp_path / "junk.wav"), "--out", str(tmp_path / "o.npy")],
        ["frontend", str(tmp_path / "in.wav"), "--out", str(tmp_path / "o.npy"),
         "--config", str(tmp_path / "bad.json")],
        ["frontend", str(tmp_path / "in.wav"), "--out", str(tmp_path / "o.npy"),
         "--config", str(tmp_path / "missing.json")],
        ["frontend", str(tmp_path / "in.wav"), "--out", str(tmp_path / "in.wav" / "o.npy")],
    ]
    for argv in cases:
        assert main(argv) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("bench-app: error:"), err
        assert "Traceback" not in err[0]
    main(cases[1])
    assert "fe.bogus" in capsys.readouterr().err


def test_frontend_config_errors_name_the_file_once(tmp_path, capsys):
    _wav(tmp_path / "in.wav")
    broken, missing = tmp_path / "broken.json", tmp_path / "missing.json"
    broken.write_text('{"fe.window_size_ms": 25,}')
    for cfg in (broken, missing):
        argv = ["frontend", str(tmp_path / "in.wav"), "--out", str(tmp_path / "o.npy"),
                "--config", str(cfg)]  # fmt: skip
        assert main(argv) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].count(str(cfg)) == 1, err
        assert "Errno" not in err[0] and err[0].endswith(".")
    assert not (tmp_path / "o.npy").exists()


def test_frontend_out_is_written_at_exactly_the_path_it_reports(tmp_path, capsys):
    pcm = _wav(tmp_path / "in.wav")
    out = tmp_path / "features.bin"  # no .npy: numpy.save(path) would write features.bin.npy
    assert main(["frontend", str(tmp_path / "in.wav"), "--out", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["out"] == str(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["features.bin", "in.wav"]
    ref = mltk_features(pcm, FrontendConfig().to_mltk_settings())
    np.testing.assert_array_equal(np.load(out), ref)


def test_frontend_out_refuses_a_folder_and_a_missing_folder(tmp_path, capsys):
    _wav(tmp_path / "in.wav")
    (tmp_path / "results").mkdir()
    for out, word in [(tmp_path / "results", "is a folder"),
                      (tmp_path / "no" / "such" / "f.npy", "does not exist")]:  # fmt: skip
        assert main(["frontend", str(tmp_path / "in.wav"), "--out", str(out)]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and word in err[0] and str(out) in err[0], err
    # nothing written beside the folder, and no folder made for the typo
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.wav", "results"]
    assert not any((tmp_path / "results").iterdir())
