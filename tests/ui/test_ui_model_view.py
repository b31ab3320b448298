"""The Model view: model check panel, training in a subprocess (curves, card, cancel), loading a
model onto the virtual board.

What is compared: the panel's text against `core.model.check` on the same file; the curves
against the epochs the run store holds for the same training run; the model folder on disk
after a cancel; the sha256 the virtual board reports against the file's.
"""

from __future__ import annotations

import hashlib

import pytest

pytest.importorskip("pytestqt")

from bench_app.core.model.check import check_lines, check_model  # noqa: E402
from bench_app.core.store import RunStore  # noqa: E402
from bench_app.testing.tiny_tflite import fully_connected_model  # noqa: E402
from bench_app.testing.tiny_training import write_tiny_features  # noqa: E402
from bench_app.ui.app import build_window, create_application  # noqa: E402
from bench_app.ui.context import BenchContext  # noqa: E402


@pytest.fixture
def view(qtbot, tmp_path):
    create_application()
    from bench_app.ui.views.model import ModelView
    from bench_app.ui.widgets.plots import configure

    configure()
    store = RunStore.open(tmp_path / "store")
    said: list[str] = []
    ctx = BenchContext(store=store, bridge=None, settings=None, session=lambda: None,
                       report_error=lambda *a: said.append(str(a[0])), status=said.append)
    folder = tmp_path / "models"
    folder.mkdir()
    v = ModelView(ctx, folder=folder)
    v.said = said
    qtbot.addWidget(v)
    v.show()
    yield v
    v.shutdown()
    store.close()


def _select_and_check(qtbot, view, path):
    view.refresh()
    assert view.select_path(path)
    qtbot.waitUntil(lambda: view.check_panel.check is not None
                    and view.check_panel.path == path, timeout=30_000)
    return view.check_panel


def test_check_panel_shows_the_core_check(qtbot, view):
    good, floaty = view.folder / "good.tflite", view.folder / "floaty.tflite"
    good.write_bytes(fully_connected_model())
    floaty.write_bytes(fully_connected_model(dtype="float32"))
    panel = _select_and_check(qtbot, view, floaty)
    assert "1 finding" in panel.verdict.text() and "float tensor" in panel.verdict.text()
    expected = check_lines(check_model(floaty))
    shown = panel.text.toPlainText().splitlines()
    assert shown[-len(expected):] == expected
    panel = _select_and_check(qtbot, view, good)
    assert "ready for the board" in panel.verdict.text()
    assert [view.table.item(i, 0).text() for i in range(2)] == ["floaty.tflite", "good.tflite"]


def test_training_form_refuses_bad_input(view, tmp_path):
    t = view.training
    assert not t.start() and "Choose the corpus" in t.status.text()
    t.kind.setCurrentIndex(t.kind.findData("features"))
    t.path.setText(str(tmp_path / "none.npz"))
    t.name.setText("x")
    assert not t.start() and "does not exist" in t.status.text()
    write_tiny_features(tmp_path / "f.npz")
    t.path.setText(str(tmp_path / "f.npz"))
    (view.folder / "x").mkdir()
    assert not t.start() and "already exists" in t.status.text()
    t.name.setText("../escape")
    assert not t.start() and "name of letters" in t.status.text()
    assert not t.process.running and view.said[-1] == t.status.text()


def _fill(view, tmp_path, epochs: int, name: str):
    t = view.training
    t.kind.setCurrentIndex(t.kind.findData("features"))
    t.path.setText(str(write_tiny_features(tmp_path / "f.npz")))
    t.variant.setCurrentText("acoustic")
    t.dims.setCurrentIndex(t.dims.findData("tiny"))
    t.epochs.setValue(epochs)
    t.name.setText(name)
    return t


@pytest.mark.slow
def test_tiny_training_draws_curves_and_shows_the_card(qtbot, view, tmp_path):
    t = _fill(view, tmp_path, epochs=3, name="tiny")
    with qtbot.waitSignal(t.trained, timeout=300_000) as got:
        assert t.start()
    done = got.args[0]
    out = view.folder / "tiny"
    assert (out / "model.tflite").is_file() and t.progress.text() == "done"
    # the curves hold what the store holds for the same training run
    store = view.ctx.store
    run = store.get_run(done["run_id"])
    assert (run.procedure, run.status) == ("train", "success")
    epochs = [d.doc["data"] for d in store.documents(run.uid, "epochs", kind="event")]
    xs, ys = t.loss_curve.getData()
    assert list(xs) == [1, 2, 3] and list(ys) == pytest.approx([e["loss"] for e in epochs])
    assert list(t.f1_curve.getData()[1]) == pytest.approx([e["val_macro_f1"] for e in epochs])
    # the new model is selected, its card and check shown
    qtbot.waitUntil(lambda: view.check_panel.check is not None, timeout=30_000)
    panel = view.check_panel
    assert panel.path == out / "model.tflite"
    sha = hashlib.sha256((out / "model.tflite").read_bytes()).hexdigest()
    assert panel.check.facts.sha256 == sha == store.get_model(sha).sha256
    assert "card      tiny" in panel.text.toPlainText()
    assert "acoustic model trained by bench-app" in panel.text.toPlainText()


@pytest.mark.slow
def test_cancel_leaves_no_model_folder(qtbot, view, tmp_path):
    t = _fill(view, tmp_path, epochs=500, name="never")
    assert t.start()
    qtbot.waitUntil(lambda: len(t.points["loss"]) >= 1, timeout=300_000)
    with qtbot.waitSignal(t.process.finished, timeout=60_000) as got:
        t.cancel()
    assert got.args[0] == "cancelled" and "cancelled" in t.status.text()
    assert sorted(p.name for p in view.folder.iterdir()) == []  # no folder, no staging folder
    runs = view.ctx.store.list_runs(procedure="train")
    assert [r.status for r in runs] == ["cancelled"]
    assert t.start_button.isEnabled() and not t.cancel_button.isEnabled()


def test_load_onto_the_virtual_board(qtbot, tmp_path):
    create_application()
    w = build_window(str(tmp_path / "store"), str(tmp_path / "settings.ini"),
                     sim_args=["--fast"])
    qtbot.addWidget(w)
    w.show()
    try:
        view = w.show_job("Model")
        paper = next(e.path for e in view.entries if e.path.name.startswith("untrained_paper"))
        assert view.select_path(paper) and view.load_button.isEnabled()
        view.load_button.click()
        qtbot.waitUntil(lambda: w.devices.session is not None or w.errors.count, timeout=60_000)
        assert w.devices.session is not None, w.errors.last_message
        sha = hashlib.sha256(paper.read_bytes()).hexdigest()
        assert w.devices.session.info.model_sha256 == sha
        assert sha[:16] in view.board_label.text()
    finally:
        w.close()
