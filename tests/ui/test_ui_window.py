"""The bench window driven offscreen with pytest-qt, on a virtual board it starts itself.

What is compared: what the window shows against what the run store holds for the same run
(written by the core's store subscriber, read back by the core's store), the report files
against the run id, and the run's end status when the board is disconnected mid-run.
"""

from __future__ import annotations

import html.parser

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from bench_app.core.store import RunStore  # noqa: E402
from bench_app.ui.app import build_window, create_application  # noqa: E402

#: The virtual board as fast as it goes, without a model (alignment needs none).
SIM_ARGS = ["--fast"]


@pytest.fixture
def window(qtbot, tmp_path):
    create_application()
    w = build_window(str(tmp_path / "store"), str(tmp_path / "settings.ini"), sim_args=SIM_ARGS)
    qtbot.addWidget(w)
    w.show()
    yield w
    if w.isVisible():
        w.close()


def _connect(qtbot, w):
    errors = w.errors.count
    w.devices.connect_to("sim")
    qtbot.waitUntil(lambda: w.devices.session is not None or w.errors.count > errors,
                    timeout=60_000)
    assert w.devices.session is not None, w.errors.last_message
    return w.devices.session


def _start_sweep(qtbot, w, path="virtual"):
    view = w.show_job("Alignment")
    view.stimulus.setCurrentIndex(view.stimulus.findData("sweep"))
    view.path.setCurrentIndex(view.path.findData(path))
    view.update_preview()
    assert view.start()
    # the run starts once the stimulus preview is rendered
    qtbot.waitUntil(lambda: w.bridge.running or w.errors.count, timeout=60_000)
    assert w.bridge.running, w.errors.last_message
    return view


def test_alignment_run_verdict_runs_view_and_report(qtbot, window, tmp_path):
    w = window
    session = _connect(qtbot, w)
    assert "virtual" in w.devices.info_label.text()
    doc = w.devices.info_document()
    assert doc["info"]["model_sha256"] == session.info.model_sha256
    assert doc["link"]["frames"] == session.client.stats.frames
    # the lint shown before the start is the core's lint of this board's INFO
    from bench_app.core.analysis.config_lint import lint_frontend
    from bench_app.core.frontend import FrontendConfig

    lint = w.views["Alignment"].lint
    qtbot.waitUntil(lambda: lint.count() >= 1 and "Connect" not in lint.item(0).text())
    findings = lint_frontend(FrontendConfig(), dict(session.info.frontend))
    assert lint.count() == max(1, len(findings))
    view = _start_sweep(qtbot, w)
    uid = w.bridge.controller.uid
    qtbot.waitUntil(lambda: not w.bridge.running, timeout=90_000)
    qtbot.waitUntil(lambda: view._run_uid is None, timeout=5_000)  # the stop was handled
    # live refreshes happened while the run went on, and the live reference (the host front
    # end on the board's PCM, computed in the window) matched the virtual board's frames
    assert view.refreshes > 5
    live_error = view.live.per_channel()
    assert np.isfinite(live_error).sum() > 20 and np.nanmax(live_error) == 0
    # the verdict shown is the one stored
    store = RunStore.open(tmp_path / "store")
    record = store.get_run(uid)
    assert record.status == "success"
    assert view.verdict_label.text() == {"pass": "PASS", "fail": "FAIL"}[record.verdict]
    assert record.summary["reasons"][0][:40] in view.reasons.text()
    # link health counted the frames the board sent
    w.devices.update_health()
    assert session.client.stats.frames > 0
    assert f"frames {session.client.stats.frames:,}" in w.devices.health_label.text()

    # Runs view: the run is listed and opens with the stored arrays
    runs = w.show_job("Runs")
    assert uid in runs.uids_shown()
    runs.filter_edit.setText(uid[:8])
    assert runs.uids_shown() == [uid]
    runs.open_run(uid)
    summary_doc = store.documents(uid, "summary", kind="event", load_arrays=True)[0].doc
    ref = summary_doc["arrays"]["reference_frames"]
    shown = runs.figures.spectrograms.plots[0]._data
    np.testing.assert_array_equal(shown, ref.astype(np.float32))
    assert runs.figures.deltas.rowCount() > 0

    # Export: HTML written, naming the run, parseable; raw data beside it
    out = tmp_path / "export" / "report.html"
    out.parent.mkdir()
    written = runs.export_run(uid, str(out), 0)
    assert out in written and out.is_file()
    text = out.read_text()
    assert uid in text
    html.parser.HTMLParser().feed(text)
    assert any(p.suffix == ".npz" for p in written)
    store.close()


def test_disconnect_mid_run_ends_interrupted_with_data_kept(qtbot, window, tmp_path):
    w = window
    _connect(qtbot, w)
    view = _start_sweep(qtbot, w)
    uid = w.bridge.controller.uid
    # wait for the first chunks of board frames to reach the window
    qtbot.waitUntil(lambda: view.live.board.last > 20, timeout=60_000)
    w.devices.disconnect_button.click()
    assert w.devices.session is None
    qtbot.waitUntil(lambda: not w.bridge.running, timeout=30_000)
    qtbot.waitUntil(lambda: view._run_uid is None, timeout=5_000)
    assert w.bridge.controller.result.status.value == "interrupted"
    # said in the status bar, no crash; the user pressed Disconnect: said so (not as an
    # error), not the socket's "[Errno 104] Connection reset by peer"
    message = w.statusBar().currentMessage()
    assert "interrupted" in message and "disconnected by the user" in message
    assert "Errno" not in message and "Errno" not in view.reasons.text()
    assert w.devices.health_label.text() == ""
    assert view.run_controls.progress.format().startswith("interrupted")
    assert view.verdict_label.text() in ("INTERRUPTED", "PASS", "FAIL")
    store = RunStore.open(tmp_path / "store")
    record = store.get_run(uid)
    assert record.status == "interrupted"
    assert store.stream_counts(uid).get("frames", 0) >= 1  # the frames received are kept
    store.close()
    # the window still works: connect again
    _connect(qtbot, w)


def test_injected_path_live_parity(qtbot, window):
    w = window
    _connect(qtbot, w)
    view = _start_sweep(qtbot, w, path="injected")
    qtbot.waitUntil(lambda: not w.bridge.running, timeout=90_000)
    qtbot.waitUntil(lambda: view._run_uid is None, timeout=5_000)
    assert w.bridge.controller.result.status.value == "success"
    assert view.verdict_label.text() == "PASS"
    live_error = view.live.per_channel()
    assert np.isfinite(live_error).sum() > 20 and np.nanmax(live_error) == 0
