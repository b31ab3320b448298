"""The window's latency run on the window's board: the session is handed to the procedure.

Before, the window swapped the procedure's session behind its back, so the procedure's own
``board_info`` never ran and the stored start document never said the model was untrained.
Now the view creates ``LatencyProcedure(params, session)``: the start document, the summary
and the view all say UNTRAINED for the shipped untrained model, and the run leaves the
window's connection open (the procedure closes only sessions it opened).
"""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from bench_app.core.runs.procedures.board_io.board_session import sim_arguments  # noqa: E402
from bench_app.core.store import RunStore  # noqa: E402
from bench_app.testing.running_board import MODEL  # noqa: E402
from bench_app.ui.app import build_window, create_application  # noqa: E402

COUNT = 2


@pytest.fixture
def window(qtbot, tmp_path):
    # the untrained model by name: the window's default is now the demo model
    model = str(MODEL) if MODEL.is_file() else None
    if model is None:
        pytest.skip("models/untrained_paper_shape.tflite is not in the source tree")
    create_application()
    sim = sim_arguments("--speed 4 --hop-s 0.5", model=model)
    w = build_window(str(tmp_path / "store"), str(tmp_path / "settings.ini"), sim_args=sim)
    qtbot.addWidget(w)
    w.show()
    yield w
    if w.isVisible():
        w.close()


def test_window_latency_run_on_the_untrained_model_says_untrained(qtbot, window, tmp_path):
    w = window
    errors = w.errors.count
    w.devices.connect_to("sim")
    qtbot.waitUntil(lambda: w.devices.session is not None or w.errors.count > errors,
                    timeout=60_000)
    session = w.devices.session
    assert session is not None, w.errors.last_message
    view = w.show_job("Latency")
    view.count.setValue(COUNT)
    view.output.setCurrentIndex(view.output.findData("virtual"))
    proc = view.make_procedure()
    assert proc.session is session  # handed over, not patched in later
    assert view.start()
    qtbot.waitUntil(lambda: w.bridge.running or w.errors.count > errors, timeout=30_000)
    uid = w.bridge.controller.uid
    qtbot.waitUntil(lambda: not w.bridge.running, timeout=120_000)
    qtbot.waitUntil(lambda: view._run_uid is None, timeout=5_000)

    with RunStore.open(tmp_path / "store") as store:
        record = store.get_run(uid)
    assert record.status == "success", record.reason
    assert record.board_info["model_untrained"] is True
    assert record.board_info["connected_by"] == "window"
    assert record.summary["model_untrained"] is True and record.summary["count"] == COUNT
    assert "UNTRAINED" in view.notes_label.text()
    # the window's connection outlives the run
    assert w.devices.session is session and session.client.connected
    assert session.client.info().model_sha256 == record.board_info["model_sha256"]
