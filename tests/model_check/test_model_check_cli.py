"""`bench-app model check`: exit 0 / 1 / 2, one sentence per finding, JSON in every case."""

from __future__ import annotations

import json

from bench_app.cli import main


def test_exit_status_per_kind_of_model(write_model, tmp_path, capsys):
    garbage = tmp_path / "garbage.tflite"
    garbage.write_bytes(b"\x00" * 64)
    cases = [(write_model("good"), 0), (write_model("float", dtype="float32"), 1),
             (write_model("skip", op="SKIP_GRAM"), 1),
             (write_model("big", units=1000, features=1900), 1), (garbage, 2)]
    for path, status in cases:
        assert main(["model", "check", str(path)]) == status, path
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        assert out.splitlines()[-1].startswith("verdict")
        assert sum(line.startswith("FINDING") for line in out.splitlines()) == min(status, 1)


def test_json_output(write_model, tmp_path, capsys):
    assert main(["model", "check", str(write_model("skip", op="SKIP_GRAM")), "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["missing_ops"] == ["SKIP_GRAM"] and doc["ok"] is False
    assert doc["edgetpu"]["unmapped"] == ["SKIP_GRAM"]
    assert main(["model", "check", str(tmp_path / "nope.tflite"), "--json"]) == 2
    assert json.loads(capsys.readouterr().out)["readable"] is False


def test_bad_options_are_one_sentence(write_model, tmp_path, capsys):
    bad = tmp_path / "bad.npy"
    bad.write_text("no")
    assert main(["model", "check", str(write_model("m")), "--inputs", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("bench-app: error: --inputs") and err.count("\n") == 1
