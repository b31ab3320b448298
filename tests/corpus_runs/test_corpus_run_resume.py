"""A corpus run cancelled midway and resumed ends with the same clips and figures."""

from __future__ import annotations

import json

import pytest

from bench_app.cli import main
from bench_app.core.runs import RunController, RunStatus
from bench_app.core.runs.procedures.corpus.params import CorpusParams
from bench_app.core.runs.procedures.corpus.procedure import CorpusProcedure
from bench_app.core.store import RunStore

#: Summary keys that may differ between runs: identity, timing, work done, notes.
VOLATILE = {"run_id", "store", "notes", "twin_invokes", "reason"}


def _cli_json(capsys, argv: list[str]) -> tuple[int, dict]:
    capsys.readouterr()
    status = main(argv)
    return status, json.loads(capsys.readouterr().out)


@pytest.mark.slow
def test_cancel_then_resume_ends_like_an_uninterrupted_run(tiny_corpus, tmp_path, capsys):
    store_dir = tmp_path / "store"
    spec = f"synthetic:{tiny_corpus}"
    base = ["run", "corpus", "--device", "sim", "--sim=--fast", "--path", "injected",
            "--store", str(store_dir), "--json"]
    status, whole = _cli_json(capsys, [*base, "--corpus", spec, "--limit", "4"])
    assert status == 0 and whole["status"] == "success" and whole["clips"] == 4

    params = CorpusParams(device="sim", sim="--fast", corpus=spec, limit=4, path="injected")
    with RunStore.open(store_dir) as store, CorpusProcedure(params) as proc:
        seen = []
        controller = RunController(proc, [store.subscriber()])

        def cancel_after_two(kind, doc):
            if kind == "event" and doc["stream"] == "clips":
                seen.append(doc["data"]["clip_id"])
                if len(seen) == 2:
                    controller.cancel()

        controller.subscribe(cancel_after_two)
        result = controller.start().wait(300)
    assert result.status is RunStatus.CANCELLED
    assert 2 <= len(seen) < 4

    status, resumed = _cli_json(capsys, [*base, "--resume", result.uid[:8]])
    assert status == 0 and resumed["status"] == "success"
    assert any("Resumed run" in n for n in resumed["notes"])
    flat = {k: v for k, v in resumed.items() if k not in VOLATILE}
    assert flat == {k: v for k, v in whole.items() if k not in VOLATILE}

    with RunStore.open(store_dir, readonly=True) as store:
        clips = store.documents(resumed["run_id"], "clips", kind="event")
        assert [d.doc["data"]["index"] for d in clips] == [0, 1, 2, 3]


def test_resume_refuses_a_run_that_completed(tiny_corpus, tmp_path, capsys):
    store_dir = tmp_path / "store"
    base = ["run", "corpus", "--device", "sim", "--sim=--fast", "--path", "injected",
            "--store", str(store_dir), "--json"]
    status, whole = _cli_json(capsys, [*base, "--corpus", f"synthetic:{tiny_corpus}",
                                       "--limit", "1"])
    assert status == 0
    capsys.readouterr()
    assert main([*base, "--resume", whole["run_id"]]) == 2
    assert "only an interrupted" in capsys.readouterr().err


@pytest.mark.slow
def test_a_board_that_vanishes_ends_interrupted_with_its_clips_and_resumes(tiny_corpus,
                                                                          tmp_path, capsys):
    store = ["--store", str(tmp_path / "store"), "--json"]
    status, cut = _cli_json(capsys, [
        "run", "corpus", "--device", "sim", "--sim",
        "--fast --faults reset_after_s=20,reset_down_ms=9000", "--path", "injected",
        "--corpus", f"synthetic:{tiny_corpus}", "--limit", "6", *store])
    assert status == 3 and cut["status"] == "interrupted"
    assert "vanished" in cut["interrupted"] and 1 <= cut["clips"] < 6
    status, resumed = _cli_json(capsys, ["run", "corpus", "--device", "sim", "--sim=--fast",
                                         "--resume", cut["run_id"], *store])
    assert status == 0 and resumed["clips"] == 6
    assert resumed["agreement"] == 1.0 and resumed["errors"]["firmware"] == 0
