"""The store's models table (schema v3): a trained model's sha256 linked to its training run."""

from __future__ import annotations

import hashlib
import json

import pytest

from bench_app.cli import main
from bench_app.core.runs import run_procedure
from bench_app.core.runs.procedures.tick import TickParams, TickProcedure
from bench_app.core.store import RunStore, StoreError
from bench_app.core.store.schema import LATEST_VERSION, migrate, user_version
from bench_app.core.store.writer import connect
from bench_app.testing.tiny_training import write_tiny_features

SHA = "ab" * 32


def _board_run(store: RunStore, board: dict) -> str:
    return run_procedure(TickProcedure(TickParams(count=2), board=board),
                         [store.subscriber()]).uid


def test_migration_to_v3_keeps_runs_and_adds_models(tmp_path):
    conn = connect(tmp_path / "runs.sqlite3")
    migrate(conn, target=2)
    conn.close()
    with RunStore.open(tmp_path) as store:
        assert store.schema_version() == LATEST_VERSION >= 3
        assert store.list_models() == []
    conn = connect(tmp_path / "runs.sqlite3")
    columns = {r[1] for r in conn.execute("PRAGMA table_info(models)")}
    assert columns == {"sha256", "name", "path", "card", "training_run_uid", "created"}
    assert user_version(conn) == LATEST_VERSION


def test_a_v2_store_read_only_knows_no_models(tmp_path):
    conn = connect(tmp_path / "runs.sqlite3")
    migrate(conn, target=2)
    conn.close()
    with RunStore.open(tmp_path, readonly=True) as store:
        assert store.get_model(SHA) is None and store.list_models() == []


def test_add_model_links_a_run_and_board_runs_find_it(tmp_path):
    with RunStore.open(tmp_path) as store:
        train = _board_run(store, {})
        rec = store.add_model(SHA.upper(), "demo", path="models/demo/model.tflite",
                              card={"name": "demo"}, training_run_uid=train)
        assert rec.sha256 == SHA and store.get_model(SHA) == rec
        nested = store.get_run(_board_run(store, {"model": {"sha256": SHA}}))
        flat = store.get_run(_board_run(store, {"model_sha256": SHA}))
        other = store.get_run(_board_run(store, {"model": {"sha256": "cd" * 32}}))
        assert store.model_of_run(nested).training_run_uid == train
        assert store.model_of_run(flat).card == {"name": "demo"}
        assert store.model_of_run(other) is None
        with pytest.raises(StoreError, match="64 hex digits"):
            store.add_model("abc", "x")
        with pytest.raises(StoreError, match="no run"):
            store.add_model(SHA, "x", training_run_uid="f" * 32)
        assert store.get_model(SHA).name == "demo"  # the refused rows changed nothing


@pytest.mark.slow
def test_bench_app_train_stores_a_train_run_and_links_its_model(tmp_path, capsys):
    """A real tiny training (TensorFlow in its subprocess), then a board run of its model."""
    features = write_tiny_features(tmp_path / "f.npz")
    store_dir, out = tmp_path / "store", tmp_path / "tiny"
    assert main(["train", "--features", str(features), "--dims", "tiny", "--epochs", "2",
                 "--variant", "acoustic", "--out", str(out), "--store", str(store_dir),
                 "--json"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [d["event"] for d in lines][-2:] == ["done", "stored"]
    sha = hashlib.sha256((out / "model.tflite").read_bytes()).hexdigest()
    with RunStore.open(store_dir) as store:
        run = store.get_run(lines[-1]["run_id"])
        assert (run.procedure, run.status, run.summary["sha256"]) == ("train", "success", sha)
        assert store.stream_counts(run.uid)["epochs"] == 2
        epochs = store.documents(run.uid, "epochs", kind="event")
        assert [d.doc["data"]["epoch"] for d in epochs] == [1, 2]
        model = store.get_model(sha)
        assert model.training_run_uid == run.uid and model.card["model"]["sha256"] == sha
        # the card carries the same check `bench-app model check` makes of the file
        from bench_app.core.model.check import check_model

        again = check_model(out / "model.tflite")  # random inputs; the card's: validation ones

        def fixed(findings):
            return [f for f in findings if not f.startswith("TFLM and LiteRT")]

        assert fixed(model.card["check"]["findings"]) == fixed(again.findings)
        assert model.card["check"]["edgetpu"] == again.edgetpu.to_dict()
        assert model.card["check"]["tflm_vs_litert"]["windows"] == 8
        board = _board_run(store, {"model": {"sha256": sha}})
    capsys.readouterr()
    assert main(["runs", "show", board, "--store", str(store_dir)]) == 0
    assert f"was made by training run {run.uid[:8]}" in capsys.readouterr().out
    assert main(["runs", "show", board, "--store", str(store_dir), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)["model_provenance"]
    assert shown["training_run"]["uid"] == run.uid


def test_report_says_which_training_made_the_model(tmp_path):
    from bench_app.core.report.content import header
    from bench_app.core.report.load import load_report_input

    with RunStore.open(tmp_path) as store:
        train = _board_run(store, {})
        store.add_model(SHA, "demo", training_run_uid=train)
        board = _board_run(store, {"model": {"sha256": SHA}})
        unknown = _board_run(store, {"model": {"sha256": "cd" * 32}})
        inp = load_report_input(store, board)
        assert inp.run["model_training"].startswith(f"training run {train[:8]} (success")
        rows = dict(header(inp, "now")[1].rows)
        assert rows["model made by"] == inp.run["model_training"]
        assert load_report_input(store, unknown).run["model_training"] is None
