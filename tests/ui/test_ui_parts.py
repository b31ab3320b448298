"""The window's parts without a board: ring buffers, the live error, model reading, bridge.

References: a ``collections.deque`` for the ring buffers; the core's ``relerr`` (the metric's
definition) and batch front end for the live error the window draws from a run's events;
TFLite's own interpreter (``ai_edge_litert``) for the operators of a .tflite file; a
``DocumentLog`` subscriber of the same run for the bridge.
"""

from __future__ import annotations

import collections
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench_app.ui.ring_buffer import FrameRing, RingBuffer

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "untrained_paper_shape.tflite"


@settings(max_examples=60, deadline=None)
@given(capacity=st.integers(1, 20),
       chunks=st.lists(st.lists(st.floats(-1e6, 1e6, width=32), max_size=30), max_size=8))
def test_ring_buffer_keeps_the_last_rows_in_order(capacity, chunks):
    ring, ref, total = RingBuffer(capacity), collections.deque(maxlen=capacity), 0
    for chunk in chunks:
        ring.extend(np.array(chunk, np.float32))
        ref.extend(np.array(chunk, np.float32))
        total += len(chunk)
        data, first = ring.snapshot()
        np.testing.assert_array_equal(data, np.array(ref, np.float32).reshape(-1))
        assert first == total - len(ref)
        assert ring.total == total


@settings(max_examples=40, deadline=None)
@given(capacity=st.integers(1, 16),
       puts=st.lists(st.tuples(st.integers(0, 40), st.integers(1, 10)), max_size=8))
def test_frame_ring_windows_by_frame_number(capacity, puts):
    ring, ref = FrameRing(capacity, 2), {}
    for first, n in puts:
        rows = np.arange(first, first + n, dtype=np.float32)[:, None].repeat(2, 1)
        ring.put(first, rows)
        for k in range(first, first + n):
            ref[k] = float(k)
    if not ref:
        return
    hi = max(ref) + 1
    window = ring.window(hi - capacity, hi)
    for i, k in enumerate(range(hi - capacity, hi)):
        if k in ref and k > max(ref) - capacity:
            assert window[i, 0] == ref[k]
        elif k not in ref:
            assert np.isnan(window[i, 0])


def test_live_error_matches_the_metric_definition():
    """The window draws the run's own live figures (procedure events), which are the metric."""
    from bench_app.core.analysis.relerr import mean_relative_error, nanmean_along
    from bench_app.core.frontend import FrontendConfig, compute_features
    from bench_app.core.runs.engine.controller import RunController
    from bench_app.core.runs.engine.documents import Event
    from bench_app.core.runs.engine.subscribers import DocumentLog
    from bench_app.core.runs.procedures.alignment.live_parity import LiveParity
    from bench_app.core.runs.procedures.tick import TickProcedure
    from bench_app.ui.live_alignment import LiveAlignment

    cfg = FrontendConfig()
    rng = np.random.default_rng(1)
    t = np.arange(32000) / 16000
    pcm = (8000 * np.sin(2 * np.pi * (300 + 2000 * t) * t) + rng.normal(0, 300, t.size))
    pcm = pcm.astype(np.int16)
    host = compute_features(pcm, cfg)
    board = host.astype(np.float64)
    board[:, 5] *= 1.2  # one channel 20 % high
    start = 1234 * cfg.step_samples

    class Capture(TickProcedure):  # the capture's chunks and their live parity, as a run
        def execute(self, ctx):
            live = LiveParity(cfg)
            chunks = [Event("pcm", {"first_sample": start + i}, {"pcm": pcm[i:i + 8000]})
                      for i in range(0, len(pcm), 8000)]
            chunks.append(Event("frames", {"first_sample": start}, {
                "frames": board,
                "frame_sample_index": start + cfg.step_samples * np.arange(len(board))}))
            for chunk in chunks:
                yield chunk
                yield from live.take(chunk)
            return {}

    log = DocumentLog()
    RunController(Capture(), [log]).start().wait(30)
    live = LiveAlignment()
    live.configure(cfg)
    for kind, doc in log.docs:
        if kind == "event":
            live.on_event(doc)
    live.stop()
    assert live.reference.last == len(host) - 1
    np.testing.assert_array_equal(live.reference.window(0, len(host)), host)
    stats = mean_relative_error(board, host)
    floor = stats.floor
    errors = np.where(host >= floor, np.abs(board - host) / np.maximum(host, 1), np.nan)
    np.testing.assert_allclose(live.per_channel(), nanmean_along(errors, 0), rtol=1e-6)
    numbers, over_time = live.error_series()
    expected = nanmean_along(errors, 1)
    assert numbers.tolist() == np.flatnonzero(np.isfinite(expected)).tolist()
    np.testing.assert_allclose(over_time, expected[np.isfinite(expected)], rtol=1e-5)


def test_gui_without_display_says_so_in_one_sentence():
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    proc = subprocess.run([sys.executable, "-m", "bench_app", "gui"], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "xvfb-run -a bench-app gui" in lines[0]
    assert "Traceback" not in proc.stderr


def test_bridge_delivers_every_document_in_order_in_the_gui_thread(qtbot):
    from bench_app.core.runs.engine.subscribers import DocumentLog
    from bench_app.core.runs.procedures.tick import TickParams, TickProcedure
    from bench_app.ui.bridge import RunBridge

    bridge = RunBridge()
    seen, threads = [], set()

    def on_document(kind, doc):
        seen.append((kind, doc.get("uid")))
        threads.add(threading.get_ident())

    bridge.document.connect(on_document)
    log = DocumentLog()
    with qtbot.waitSignal(bridge.finished, timeout=10_000):
        bridge.start(TickProcedure(TickParams(count=30, array_every=3)), None, [log])
    assert threads == {threading.get_ident()}
    assert [(k, d.get("uid")) for k, d in log.docs] == seen
    assert seen[-1][0] == "stop" and not bridge.running


def test_errors_go_to_the_status_bar_with_details(qtbot):
    from PySide6.QtWidgets import QMainWindow

    from bench_app.core.errors import LinkError
    from bench_app.ui.error_reporter import ErrorReporter

    win = QMainWindow()
    qtbot.addWidget(win)
    rep = ErrorReporter(win.statusBar(), win)
    rep.report(LinkError("The board at '/dev/x' vanished."))
    assert win.statusBar().currentMessage() == "Error: The board at '/dev/x' vanished."
    try:
        raise KeyError("oops")
    except KeyError as exc:
        import traceback

        rep.report(exc, traceback.format_exc())
    assert "a bug" in rep.last_message
    box = rep.show_details()
    assert "Traceback" in box.detailedText()
    box.close()


def test_settings_persist(tmp_path):
    from bench_app.ui.settings import BenchSettings

    path = str(tmp_path / "s.ini")
    s = BenchSettings(path)
    s.last_device, s.output_device, s.level_dbfs, s.store_dir = "/dev/ttyACM0", "hw:1", -18.5, "/x"
    s.sync()
    t = BenchSettings(path)
    assert (t.last_device, t.output_device, t.level_dbfs, t.store_dir) == (
        "/dev/ttyACM0", "hw:1", -18.5, "/x")


@pytest.mark.parametrize("missing", ["DISPLAY", None])
def test_display_problem(missing, tmp_path, monkeypatch):
    import socket

    from bench_app.ui import app

    # a listening Unix socket where an X server for display :5 would put its own
    monkeypatch.setattr(app, "X11_SOCKET_DIR", str(tmp_path))
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(tmp_path / "X5"))
    server.listen(1)
    env = {"DISPLAY": ":5"}
    if missing:
        env.pop(missing)
    problem = app.display_problem(env)
    assert (problem is None) == (missing is None)
    assert app.display_problem({"QT_QPA_PLATFORM": "offscreen"}) is None
    server.close()
    assert "DISPLAY=:5" in app.display_problem({"DISPLAY": ":5.0"})


def test_display_problem_tcp_display():
    import socket

    from bench_app.ui import app

    server = socket.socket()
    for port in range(6200, 6400):  # host:N is X on TCP port 6000 + N
        try:
            server.bind(("127.0.0.1", port))
            break
        except OSError:
            continue
    server.listen(1)
    display = f"127.0.0.1:{port - 6000}"
    assert app.display_problem({"DISPLAY": display}) is None
    server.close()
    assert display in app.display_problem({"DISPLAY": display})


def test_gui_with_unreachable_display_says_so_and_does_not_abort():
    n = next(n for n in range(987, 1100) if not Path(f"/tmp/.X11-unix/X{n}").exists())
    env = {**{k: v for k, v in os.environ.items() if k != "WAYLAND_DISPLAY"},
           "DISPLAY": f":{n}", "QT_QPA_PLATFORM": "xcb"}
    proc = subprocess.run([sys.executable, "-m", "bench_app", "gui", "--no-connect"], env=env,
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stderr  # not 134 (Qt's abort)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and f"DISPLAY=:{n}" in lines[0], proc.stderr
    assert "Reinstalling" not in proc.stderr


def test_window_start_imports_nothing_heavy(tmp_path):
    code = (
        "import sys\n"
        "from bench_app.ui.app import build_window, create_application\n"
        "app = create_application()\n"
        f"w = build_window({str(tmp_path / 'store')!r}, {str(tmp_path / 's.ini')!r},"
        " lazy_views=True)\n"
        "w.show(); app.processEvents()\n"
        "print(sorted(m for m in ('tensorflow', 'keras', 'numba', 'scipy', 'pyqtgraph')"
        " if m in sys.modules))\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_job_outlives_the_widget_that_started_it(qtbot):
    """A background job whose view is closed mid-call neither crashes nor calls the view."""
    import threading

    from PySide6.QtWidgets import QLabel

    from bench_app.ui import workers

    release = threading.Event()
    label = QLabel("before")
    seen = []
    job = workers.Job(lambda: release.wait(5) and "result", label)
    job.done.connect(lambda r: (seen.append(r), label.setText(r)))
    job.start()
    label.deleteLater()
    qtbot.waitUntil(lambda: job._owner_gone, timeout=2000)
    release.set()
    job.thread.join(5)
    qtbot.waitUntil(lambda: job not in workers._LIVE, timeout=2000)
    assert seen == []  # dropped: the label it would have touched is gone

    live = QLabel("alive")
    job2 = workers.Job(lambda: "ok", live).start()
    job2.done.connect(live.setText)
    qtbot.waitUntil(lambda: live.text() == "ok", timeout=2000)
    assert job2 not in workers._LIVE


def test_a_job_is_destroyed_in_the_gui_thread(qtbot, monkeypatch):
    """The worker's last reference must not be the one that destroys the job's QObject.

    The worker is held back after emitting (as a busy machine might), so the result reaches
    the GUI thread while the worker still holds the job; the job must still die in the GUI
    thread, where Qt expects its objects destroyed.
    """
    import threading
    import time

    from bench_app.ui import workers

    died_in = []

    class _Job(workers.Job):
        def __del__(self):
            died_in.append(threading.current_thread().name)

    emit = workers.Job._emit

    def slow_emit(self, *args):
        emit(self, *args)
        time.sleep(0.3)  # the worker still holds `self` when the GUI thread relays

    monkeypatch.setattr(workers.Job, "_emit", slow_emit)
    results = []
    job = _Job(lambda: "ok").start()
    job.done.connect(results.append)
    qtbot.waitUntil(lambda: results == ["ok"], timeout=3000)
    assert job not in workers._LIVE
    assert not job.thread.is_alive()
    del job
    qtbot.wait(500)
    assert died_in == [threading.main_thread().name]


def test_garbage_with_qt_objects_is_collected_in_the_gui_thread(qtbot):
    """A cycle holding a QObject dies in the GUI thread even when a worker allocates a lot.

    With Python's automatic collection a worker's allocations would collect the cycle in the
    worker (Qt objects destroyed outside their thread); the window collects on a GUI timer.
    """
    import gc
    import threading

    from PySide6.QtCore import QObject

    from bench_app.ui.widgets.plots import configure

    configure()
    assert not gc.isenabled()
    died_in = []

    class _Cyclic(QObject):
        def __del__(self):
            died_in.append(threading.current_thread().name)

    gc.collect()  # start from empty generations: the cycle below is young
    obj = _Cyclic()
    obj.me = obj  # a reference cycle: only the cyclic collector frees it
    del obj
    kept = []

    def allocate():
        # many container objects, kept: automatic collection would run in this thread; the
        # GUI timer collects the young generation once its count passes the threshold
        kept.extend([i] for i in range(200_000))

    worker = threading.Thread(target=allocate, name="allocating-worker")
    worker.start()
    worker.join()
    assert died_in == []  # nothing collected outside the GUI thread
    qtbot.waitUntil(lambda: died_in == [threading.main_thread().name], timeout=5000)
