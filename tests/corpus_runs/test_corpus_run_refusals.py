"""Bad options of `bench-app run corpus` are refused in one sentence, before any board starts."""

from __future__ import annotations

import pytest

from bench_app.cli import main


@pytest.mark.parametrize(("extra", "needle"), [
    ([], "needs --corpus"),
    (["--corpus", "keywords:{root}/keywords"], "not keywords"),
    (["--corpus", "synthetic:{root}", "--path", "injected", "--sweep", "gain_db=0,-6"],
     "use --path acoustic"),
    (["--corpus", "synthetic:{root}", "--sweep", "volume=3"], "--sweep takes KEY"),
    (["--corpus", "synthetic:{root}", "--pause-on-drift"], "needs a --canary"),
    (["--corpus", "synthetic:{root}", "--rerecord", "{root}"], "is not empty"),
])
def test_refused_before_the_board(tiny_corpus, tmp_path, capsys, extra, needle):
    argv = ["run", "corpus", "--device", "sim", "--store", str(tmp_path / "store"),
            *[a.format(root=tiny_corpus) for a in extra]]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert needle in err and err.count("\n") == 0


def test_a_port_needs_the_model_file(tiny_corpus, tmp_path, capsys):
    assert main(["run", "corpus", "--device", "/dev/ttyACM9", "--corpus",
                 f"synthetic:{tiny_corpus}", "--store", str(tmp_path / "s")]) == 2
    assert "give --model M.tflite" in capsys.readouterr().err
