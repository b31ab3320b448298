"""`bench-app run` with things the user got wrong: one sentence, exit 2, nothing lost.

A bad argument (a missing stimulus file) is refused before any board is started or any run
stored; a board that cannot be reached gives a stored run that ended "failed" with the reason.
"""

from __future__ import annotations

import json

from bench_app.cli import main
from bench_app.core.store import RunStore


def _one_sentence(err: str) -> str:
    line = err.strip()
    assert line.count("\n") == 0 and line.startswith("bench-app: error: ") and line.endswith(".")
    assert "Traceback" not in line
    return line


def test_missing_stimulus_file_is_refused_before_anything_runs(tmp_path, capsys):
    missing = tmp_path / "nope.wav"
    code = main(["run", "alignment", "--device", "sim", "--stimulus", str(missing),
                 "--store", str(tmp_path / "store")])
    assert code == 2
    assert str(missing) in _one_sentence(capsys.readouterr().err)
    with RunStore.open(tmp_path / "store") as store:
        assert store.list_runs() == []


def test_unreachable_board_is_a_stored_failed_run(tmp_path, capsys):
    port = tmp_path / "no_such_port"
    code = main(["run", "alignment", "--device", str(port), "--json",
                 "--store", str(tmp_path)])
    captured = capsys.readouterr()
    assert code == 2
    out = json.loads(captured.out)
    assert out["status"] == "failed" and str(port) in out["reason"]
    assert str(port) in _one_sentence(captured.err)
    with RunStore.open(tmp_path) as store:
        record = store.get_run(out["run_id"])
    assert record.status == "failed" and record.reason == out["reason"]


def test_latency_refuses_a_model_for_a_real_board(tmp_path, capsys):
    code = main(["run", "latency", "--device", "/dev/ttyACM9", "--model", "m.tflite",
                 "--count", "2", "--store", str(tmp_path)])
    assert code == 2
    assert "--model" in _one_sentence(capsys.readouterr().err)
