"""Run controls and the latency view, driven with procedures that need no board.

Pause / resume / cancel go through the window's bridge to the core's controller (checked on
the stop document); the latency view's table (drawn from the run's ``metrics`` events, which
the latency procedure's `LiveLatency` builds) is checked against the core's `latency_stats` of
the same numbers, its budget line against the hop of the results' window ends.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import pytest

from bench_app.core.runs import Event, progress


class _Session:
    """Stands in for a connected board session (the procedures here need none)."""

    device = "none"

    class info:  # noqa: N801 - an INFO-like record
        sample_rate_hz = 16000
        model_sha256 = None


@dataclasses.dataclass(frozen=True)
class _Params:
    count: int


class _Results:
    """Yields latency-shaped ``results`` and ``metrics`` events, like the core's latency run."""

    name = "latency"

    def __init__(self, records: list[dict], interval_s: float = 0.0) -> None:
        self.params = _Params(len(records))
        self.records = records
        self.interval_s = interval_s

    def board_info(self):
        return None

    def execute(self, ctx):
        from bench_app.core.runs.procedures.latency.live_stats import LiveLatency

        live = LiveLatency()
        for i, rec in enumerate(self.records):
            yield Event("results", rec)
            yield progress(i + 1, len(self.records))
            metrics = live.event(self.records[:i + 1], final=i + 1 == len(self.records))
            if metrics is not None:
                yield metrics
            if self.interval_s:
                ctx.wait(self.interval_s)
        return {"count": len(self.records)}


@pytest.fixture
def window(qtbot, tmp_path):
    from bench_app.ui.app import build_window, create_application

    create_application()
    w = build_window(str(tmp_path / "store"), str(tmp_path / "s.ini"))
    qtbot.addWidget(w)
    w.ctx.session = lambda: _Session()
    yield w
    w.close()


def _records(n: int, seed: int = 0) -> list[dict]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        fe, inv = int(rng.integers(1000, 9000)), int(rng.integers(50_000, 90_000))
        out.append({"frontend_us": fe, "invoke_us": inv, "total_us": fe + inv,
                    "onset_to_result_ms": float(rng.uniform(80, 200)),
                    "window_end_sample": 80_000 + 16_000 * i})
    return out


def test_latency_view_table_and_budget(qtbot, window):
    from bench_app.core.analysis.latency import latency_stats

    view = window.show_job("Latency")
    records = _records(40)
    view.make_procedure = lambda: _Results(records)
    view.run_controls.make_procedure = view.make_procedure
    view.start()
    qtbot.waitUntil(lambda: not window.bridge.running, timeout=10_000)
    qtbot.waitUntil(lambda: view._run_uid is None, timeout=5_000)
    for column, key, scale in (("board total", "total_us", 1e-3),
                               ("host onset→result", "onset_to_result_ms", 1.0)):
        ref = latency_stats([r[key] * scale for r in records])
        assert float(view.table.text("p99", column)) == pytest.approx(ref.p99, abs=0.005)
        assert float(view.table.text("median", column)) == pytest.approx(ref.median, abs=0.005)
        assert view.table.text("n", column) == "40"
    assert view.budget_ms == pytest.approx(1000.0)  # 16000 samples at 16 kHz
    assert len(view.curves["board total"].yData) == 40


def test_pause_resume_cancel(qtbot, window):
    view = window.show_job("Latency")
    slow = _Results(_records(200), interval_s=0.02)
    view.run_controls.make_procedure = lambda: slow
    controls = view.run_controls
    assert controls.start()
    qtbot.waitUntil(lambda: view.buffers["board total"].total > 3, timeout=10_000)
    controls.pause_button.click()
    assert controls.pause_button.text() == "Resume"
    time.sleep(0.3)
    qtbot.wait(100)
    held = view.buffers["board total"].total
    time.sleep(0.3)
    qtbot.wait(100)
    assert view.buffers["board total"].total == held  # nothing arrives while paused
    controls.pause_button.click()
    qtbot.waitUntil(lambda: view.buffers["board total"].total > held + 2, timeout=10_000)
    controls.cancel_button.click()
    qtbot.waitUntil(lambda: not window.bridge.running, timeout=10_000)
    assert window.bridge.controller.result.status.value == "cancelled"
    assert controls.start_button.isEnabled() and not controls.cancel_button.isEnabled()
    record = window.store.get_run(window.bridge.controller.uid)
    assert record.status == "cancelled"


def test_stimulus_file_preview_and_a_bad_file(qtbot, window, tmp_path, monkeypatch):
    import soundfile as sf
    from PySide6.QtWidgets import QFileDialog

    view = window.show_job("Alignment")
    good = tmp_path / "tone.wav"
    t = np.arange(8000) / 16000
    sf.write(good, (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), 16000,
             subtype="PCM_16")
    bad = tmp_path / "broken.wav"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    chosen = [str(good)]
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (chosen[0], "")))
    qtbot.waitUntil(lambda: view._preview_job is None, timeout=30_000)
    view.stimulus.setCurrentIndex(view.stimulus.findData("file"))
    view._on_stimulus(view.stimulus.currentIndex())
    assert view.stimulus_kind() == str(good)
    qtbot.waitUntil(lambda: "tone.wav" in view.preview_label.text(), timeout=30_000)
    # the preview holds the file's samples between the lead and tail silences, at the level,
    # as a spectrogram whose loudest frequency is the file's 440 Hz (one FFT bin is 31 Hz)
    preview = view.preview
    assert len(preview.samples) == 8000 + 2 * 8000
    assert preview.mode == "spectrogram" and preview.image.isVisible()
    f, _t, db = preview.spectrogram
    assert abs(f[np.argmax(db.max(axis=0))] - 440.0) <= 16000 / 512
    errors = window.errors.count
    chosen[0] = str(bad)
    view._on_stimulus(view.stimulus.currentIndex())
    qtbot.waitUntil(lambda: window.errors.count > errors, timeout=30_000)
    message = window.errors.last_message
    assert "broken.wav" in message and "Traceback" not in message and "bug" not in message


def test_connecting_to_a_missing_port_says_so(qtbot, window):
    errors = window.errors.count
    window.devices.connect_to("/dev/no-such-board")
    qtbot.waitUntil(lambda: window.errors.count > errors, timeout=30_000)
    assert window.devices.session is None
    assert window.devices.connect_button.isEnabled()
    assert "/dev/no-such-board" in window.errors.last_message
    assert "bug" not in window.errors.last_message


class _NotedResults(_Results):
    """A latency run whose summary carries notes and says the model is untrained."""

    NOTES = ["The board's model is UNTRAINED: its latency is meaningful, its scores are not.",
             "The virtual board ran at speed 4, not in real time."]

    def execute(self, ctx):
        yield from super().execute(ctx)
        return {"count": len(self.records), "notes": self.NOTES, "model_untrained": True}


def _untrained_sha() -> str:
    import hashlib
    from pathlib import Path

    model = Path(__file__).resolve().parents[2] / "models" / "untrained_paper_shape.tflite"
    return hashlib.sha256(model.read_bytes()).hexdigest()


@pytest.mark.parametrize("untrained", [True, False])
def test_latency_view_and_device_bar_call_an_untrained_model_untrained(window, untrained):
    from bench_app.core.device.protocol.messages import Info
    from bench_app.ui.device_bar import info_text

    # the sha256 of the file models/ ships (its sidecar says untrained), or another model's
    sha = _untrained_sha() if untrained else "ab" * 32
    info = Info(firmware_version="1.0", model_sha256=sha)
    view = window.show_job("Latency")
    view.on_board(type("S", (), {"info": info})())
    assert ("UNTRAINED" in view.model_label.text()) == untrained
    assert ("UNTRAINED" in info_text(info)) == untrained
    # the board's own word counts too, whatever the sha
    said = Info(firmware_version="1.0", model_sha256="cd" * 32, extra={"model_untrained": True})
    view.on_board(type("S", (), {"info": said})())
    assert "UNTRAINED" in view.model_label.text()


def test_latency_run_notes_in_the_view_and_the_runs_view(qtbot, window):
    view = window.show_job("Latency")
    view.make_procedure = lambda: _NotedResults(_records(5))
    view.run_controls.make_procedure = view.make_procedure
    view.start()
    qtbot.waitUntil(lambda: not window.bridge.running, timeout=10_000)
    qtbot.waitUntil(lambda: view._run_uid is None, timeout=5_000)
    assert view.notes_label.isVisibleTo(view)
    for note in _NotedResults.NOTES:
        assert note in view.notes_label.text()
    runs = window.show_job("Runs")
    runs.refresh()
    [uid] = runs.uids_shown()
    runs.open_run(uid)
    figures = runs.figures
    assert "UNTRAINED" in figures.title.text()
    assert figures.notes.isVisibleTo(figures)
    for note in _NotedResults.NOTES:
        assert note in figures.notes.text()


def test_tonal_bursts_preview_is_an_envelope(qtbot, window):
    view = window.show_job("Alignment")
    view.stimulus.setCurrentIndex(view.stimulus.findData("tonal-bursts"))
    view.update_preview()
    qtbot.waitUntil(lambda: view._preview_job is None and "segments" in
                    view.preview_label.text(), timeout=30_000)
    preview = view.preview
    x = preview.samples
    assert preview.mode == "envelope" and not preview.image.isVisible()
    t, lo, hi = preview.lower.xData, preview.lower.yData, preview.upper.yData
    # a few hundred columns, not one point per sample; the band spans exactly the samples
    assert 100 < len(t) <= 1000 < len(x)
    assert hi.max() == x.max() and lo.min() == x.min()
    # each column holds the extremes of its own slice (checked against plain numpy)
    rate = len(x) / (len(x) / 16000)
    for k in (0, len(t) // 3, len(t) - 1):
        start = int(round(t[k] * rate))
        stop = int(round(t[k + 1] * rate)) if k + 1 < len(t) else len(x)
        assert hi[k] == x[start:stop].max() and lo[k] == x[start:stop].min()


def test_progress_bar_says_how_a_run_ended(qtbot, window):
    view = window.show_job("Latency")
    view.make_procedure = lambda: _Results(_records(200), interval_s=0.02)
    view.run_controls.make_procedure = view.make_procedure
    view.start()
    qtbot.waitUntil(lambda: view.run_controls.progress.value() > 0, timeout=10_000)
    window.bridge.cancel()
    qtbot.waitUntil(lambda: not window.bridge.running, timeout=10_000)
    bar = view.run_controls.progress
    assert bar.format().startswith("cancelled") and 0 < bar.value() < bar.maximum()
    view.make_procedure = lambda: _Results(_records(3))
    view.run_controls.make_procedure = view.make_procedure
    view.start()
    qtbot.waitUntil(lambda: not window.bridge.running, timeout=10_000)
    assert bar.format() == "done" and bar.value() == bar.maximum()


class _BudgetResults(_Results):
    """A latency run whose summary holds the real-time budget, as the core's does."""

    def execute(self, ctx):
        yield from super().execute(ctx)
        return {"count": len(self.records), "budget_ms": 1000.0}


def test_latency_run_in_the_runs_view_uses_the_space(qtbot, window):
    window.show()
    qtbot.waitExposed(window)
    view = window.show_job("Latency")
    view.make_procedure = lambda: _BudgetResults(_records(30))
    view.run_controls.make_procedure = view.make_procedure
    view.start()
    qtbot.waitUntil(lambda: not window.bridge.running, timeout=10_000)
    runs = window.show_job("Runs")
    window.resize(1280, 860)
    runs.refresh()
    runs.open_run(runs.uids_shown()[0])
    figures = runs.figures
    qtbot.wait(50)
    assert not figures.spectrogram_pair.isVisibleTo(figures)
    # the latency plot takes the width the spectrograms had
    assert figures.latency.width() + figures.histogram.width() > 0.8 * figures.width()
    # only latency rows in the deltas table, none of them blank
    rows = [figures.deltas.item(r, 0).text() for r in range(figures.deltas.rowCount())]
    assert rows and all("(ms)" in r for r in rows)
    assert all(figures.deltas.item(r, 1).text() != "—" for r in range(len(rows)))
    # the budget label has room: the y axis reaches above the 1000 ms budget line
    box = figures.latency.getPlotItem().getViewBox()
    box.updateAutoRange()
    top = box.viewRange()[1][1]
    records = _records(30)
    assert top > 1.2 * max(1000.0, max(r["total_us"] / 1000 for r in records))


def test_device_bar_elides_info_and_keeps_the_counters_whole(qtbot, window):
    from bench_app.core.device.protocol.messages import Info
    from bench_app.ui.device_bar import health_text, info_text

    window.show()
    qtbot.waitExposed(window)
    window.resize(1280, 800)
    bar = window.devices
    info = Info(firmware_version="virtual-0.1.0", board="virtual-coral-dev-board-micro",
                model_sha256="ab" * 32,
                frontend={"fe.filterbank_n_channels": 32, "fe.filterbank_lower_band_limit": 125,
                          "fe.filterbank_upper_band_limit": 7500})
    stats = type("Stats", (), {"frames": 123_456, "results": 1_458, "total_drops": 0,
                               "crc_errors": 0, "reconnects": 0})()
    bar.info_label.setText(info_text(info))
    bar.health_label.setText(health_text(stats))
    qtbot.wait(50)
    full = info_text(info)
    assert bar.info_label.text() == full and full in bar.info_label.toolTip()
    shown = bar.info_label.shown_text()
    # cut with an ellipsis where it does not fit (never mid-word without a sign), and it fits
    assert shown.endswith("…") and full.startswith(shown[:-1])
    assert shown.startswith("model abababab")  # the model (and "UNTRAINED") is never elided
    fm = bar.info_label.fontMetrics()
    assert fm.horizontalAdvance(shown) <= bar.info_label.width()
    # the live counters are never cut
    assert bar.health_label.width() >= bar.health_label.sizeHint().width()
    assert "123,456" in bar.health_label.text()
