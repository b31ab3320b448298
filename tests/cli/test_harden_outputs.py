"""Issue 9, class 5: no command writes over its own inputs, output names are used exactly as
given, and an existing file is replaced only with --force (one rule: bench_app/cli/output_files)."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

import bench_app.cli as cli
from bench_app.core.runs import run_procedure
from bench_app.core.runs.procedures.tick import TickParams, TickProcedure
from bench_app.core.store import RunStore


def _tone(path):
    import soundfile as sf

    t = np.arange(8000) / 16000
    sf.write(os.fsencode(path), (0.3 * np.sin(2 * np.pi * 1000 * t) * 32767).astype(np.int16),
             16000)


def _err(capsys):
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("\n") == 1
    return err


def test_frontend_never_overwrites_its_input(tmp_path, capsys):
    wav = tmp_path / "x.wav"
    _tone(wav)
    before = wav.read_bytes()
    for extra in ([], ["--force"]):
        assert cli.main(["frontend", str(wav), "--out", str(wav), *extra]) == 2
        assert "one of this command's inputs" in _err(capsys)
    link = tmp_path / "alias.npy"
    link.symlink_to(wav)  # the same file under another name
    assert cli.main(["frontend", str(wav), "--out", str(link), "--force"]) == 2
    assert "one of this command's inputs" in _err(capsys)
    assert wav.read_bytes() == before


def test_an_existing_file_is_replaced_only_with_force(tmp_path, capsys):
    wav = tmp_path / "x.wav"
    _tone(wav)
    out = tmp_path / "f.npy"
    out.write_text("keep me")
    assert cli.main(["frontend", str(wav), "--out", str(out)]) == 2
    assert "already exists; pass --force" in _err(capsys)
    assert out.read_text() == "keep me"
    assert cli.main(["frontend", str(wav), "--out", str(out), "--force"]) == 0
    assert np.load(out).shape[1] == 32
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_stimulus_outputs_are_checked_together_before_rendering(tmp_path, capsys):
    out = tmp_path / "s.wav"
    assert cli.main(["stimulus", "sweep", "--out", str(out), "--timeline", str(out)]) == 2
    assert "name the same file" in _err(capsys)
    assert not out.exists()
    plan = tmp_path / "p.json"
    plan.write_text(json.dumps({"segments": [{"kind": "silence", "duration_s": 0.1}]}))
    assert cli.main(["stimulus", "plan", "--plan", str(plan), "--out", str(tmp_path / "o.wav"),
                     "--save-plan", str(plan), "--force"]) == 2
    assert "one of this command's inputs" in _err(capsys)


@pytest.fixture
def stored_run(tmp_path):
    with RunStore.open(tmp_path / "store") as store:
        run = run_procedure(TickProcedure(TickParams(count=3, array_every=1)),
                            [store.subscriber()])
    return tmp_path / "store", run.uid


@pytest.mark.parametrize("name", ["my report (v2) ü.html", os.fsdecode(b"r\xe9sum\xe9.html"),
                                  "report"])
def test_report_names_are_kept_as_given(tmp_path, stored_run, capsys, name):
    store, uid = stored_run
    target = tmp_path / name
    assert cli.main(["report", uid[:8], "--html", str(target), "--no-raw",
                     "--store", str(store)]) == 0
    assert target.is_file() and b"<html" in target.read_bytes()[:200].lower()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["store", name])


@pytest.mark.parametrize("kind", ["device", "folder"])
def test_report_refuses_non_files_before_writing_anything(tmp_path, stored_run, capsys, kind):
    store, uid = stored_run
    target = "/dev/full" if kind == "device" else str(tmp_path)
    option = "--pdf" if kind == "device" else "--html"
    assert cli.main(["report", uid[:8], option, target, "--store", str(store)]) == 2
    err = _err(capsys)
    assert target in err and ("not a regular file" in err or "is a folder" in err)
    assert not os.path.exists("/dev/full.pdf")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]  # no .part, no _raw
