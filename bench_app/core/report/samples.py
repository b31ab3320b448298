"""Synthetic report inputs, for previews (GUI, docs) and the report tests.

They have the shape of real stored runs (same array names, dtypes, summary keys, fe.* configs)
but made-up content; nothing here claims to be a measurement.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bench_app import __version__
from bench_app.core.frontend import FrontendConfig
from bench_app.core.report.model import ReportInput

SAMPLE_RATE = 16000


def _board_info(frontend: dict[str, Any], untrained: bool) -> dict[str, Any]:
    return {"firmware": "bench-fw 0.1.0 (virtual)", "board": "virtual Coral Micro",
            "model_name": "paper_shape_untrained" if untrained else "emotion_int8",
            "model_sha256": "3f" * 32, "untrained": untrained, "frontend": frontend}


def _run(uid: str, procedure: str, status: str, parameters: dict[str, Any]) -> dict[str, Any]:
    return {"uid": uid, "procedure": procedure, "status": status,
            "started": "2026-11-23T01:00:00Z", "ended": "2026-11-23T01:00:12Z",
            "bench_version": __version__, "parameters": parameters}


def alignment_input(seed: int = 0, frames: int = 300, channels: int = 32,
                    board_upper_hz: float = 7600.0) -> ReportInput:
    """A complete alignment run; a board band edge other than 7600 Hz gives a lint finding."""
    rng = np.random.default_rng(seed)
    host = FrontendConfig(filterbank_n_channels=channels).to_dict()
    board = {**host, "fe.filterbank_upper_band_limit": board_upper_hz}
    t = np.arange(frames)
    burst = (np.sin(2 * np.pi * t / 50.0) > 0).astype(float)
    centre = (t // 10) % channels
    energy = np.exp(-0.5 * ((np.arange(channels)[None, :] - centre[:, None]) / 1.5) ** 2)
    reference = (200 + 450 * energy * burst[:, None] + rng.normal(0, 8, (frames, channels)))
    reference = np.clip(reference, 0, 65535).astype(np.uint16)
    drift = rng.integers(-6, 7, reference.shape) * (rng.random(reference.shape) < 0.1)
    board_frames = np.clip(reference.astype(int) + drift, 0, 65535).astype(np.uint16)
    rel = np.abs(board_frames.astype(float) - reference) / np.maximum(reference, 1)
    lint = []
    if board_upper_hz != host["fe.filterbank_upper_band_limit"]:
        lint.append({"key": "fe.filterbank_upper_band_limit",
                     "host": host["fe.filterbank_upper_band_limit"], "board": board_upper_hz,
                     "severity": "error", "message": "Band edges differ: the filterbank "
                     "channels cover different frequencies on host and board."})
    mre = float(rel.mean())
    passed = mre < 0.05 and not lint
    summary = {"mean_relative_error": mre, "median_relative_error": float(np.median(rel)),
               "p95_relative_error": float(np.percentile(rel, 95)), "threshold": 0.05,
               "stimulus_mre": 0.57, "matched_mre": 0.21, "delay_samples": 2192,
               "lag_frames": 13.7, "gain_db": -6.02, "noise_floor_dbfs": -60.4,
               "pass": passed}
    pcm = rng.normal(0, 300, SAMPLE_RATE * 3).astype(np.int16)
    arrays = {"reference_frames": reference, "board_frames": board_frames,
              "parity_per_channel": rel.mean(axis=0), "parity_over_time": rel.mean(axis=1),
              "acoustic_response_db": -6.0 - np.linspace(0, 9, channels) ** 2 / 9,
              "board_pcm": pcm, "stimulus": pcm.copy()}
    reasons = ([f"Pipeline parity mean relative error {mre:.2%} is below 5%."] if passed else
               [f"{len(lint)} front-end setting(s) differ between host and board."])
    summary.update(lint=lint, reasons=reasons)  # as the alignment analysis's to_dict() has them
    return ReportInput(
        run=_run(f"a{seed:07d}-synthetic-alignment", "alignment", "success",
                 {"path": "acoustic", "output": "virtual", "level_dbfs": -12.0,
                  "stimulus": "tonal-bursts"}),
        board_info=_board_info(board, untrained=False), host_frontend=host, lint=lint,
        summary=summary, verdict={"pass": passed, "reasons": reasons}, arrays=arrays)


def latency_input(seed: int = 0, count: int = 200) -> ReportInput:
    """A complete latency run with an untrained model."""
    from bench_app.core.analysis.latency import summarize_latency

    rng = np.random.default_rng(seed)
    frontend_us = rng.normal(900, 40, count)
    invoke_us = rng.gamma(20, 2500, count)
    total_us = frontend_us + invoke_us + 150
    host_ms = total_us / 1000 + rng.normal(18, 3, count)
    records = [{"frontend_us": f, "invoke_us": i, "total_us": t, "onset_to_result_ms": h}
               for f, i, t, h in zip(frontend_us, invoke_us, total_us, host_ms, strict=True)]
    summary = summarize_latency(records, budget_ms=1000.0).to_dict()
    host = FrontendConfig().to_dict()
    return ReportInput(
        run=_run(f"l{seed:07d}-synthetic-latency", "latency", "success",
                 {"count": count, "device": "sim"}),
        board_info=_board_info(host, untrained=True), host_frontend=host, summary=summary,
        verdict={"pass": True, "reasons": ["p99 total latency is within the real-time budget."]},
        arrays={"latency_frontend_us": frontend_us, "latency_invoke_us": invoke_us,
                "latency_total_us": total_us, "latency_host_ms": host_ms})
