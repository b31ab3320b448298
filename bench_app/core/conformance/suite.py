"""Run the conformance levels against one connected board and build the `Report`.

Levels run in order L0 .. L4. A level the link breaks off (the board vanished, a command was
refused) fails with the error as its reason and the next level still runs, so one report says
everything a board owner needs; L1-L3 need L0's front-end config and are marked n/a without it.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

from bench_app.core.conformance.control import check_control
from bench_app.core.conformance.injected import (
    check_echo,
    check_frames,
    check_scores,
    not_applicable,
    run_injection,
)
from bench_app.core.conformance.live import check_live, check_soak
from bench_app.core.conformance.report import FAIL, NA, Report
from bench_app.core.device.protocol import Stream
from bench_app.core.errors import BenchError, ConfigError

L1_CHECKS = ("frames-bit-exact", "frames-complete", "pcm-echo")


@dataclasses.dataclass(frozen=True)
class ConformanceOptions:
    """How long each live level listens, and where the host twin's model comes from."""

    model: str | None = None  # the .tflite the board runs; default: models/ by INFO's hash
    listen_s: float = 2.0  # L3
    soak_s: float = 0.0  # L4 (0: not run)
    quiet_s: float = 3.0  # L1/L2: how long to wait for more frames before judging


def host_twin(sha256: str, model: str | None):
    """``(TflmModel or None, why not)`` for the board's model hash.

    Raises `ConfigError` when ``model`` is given but is not the model the board runs.
    """
    from bench_app.core.model.catalog import find_model
    from bench_app.core.model.tflm import TflmModel

    if model is None:
        entry = find_model(sha256)
        if entry is None:
            return None, (f"the bench has no model file with the board's sha256 {sha256[:12]}... "
                          f"in models/ (give --model).")  # fmt: skip
        model = entry.path
    twin = TflmModel(Path(model), arena_size=16 << 20)
    if twin.sha256 != sha256:
        raise ConfigError(f"--model {model} has sha256 {twin.sha256[:12]}..., the board runs "
                          f"{sha256[:12]}... (give the board's own .tflite).")  # fmt: skip
    return twin, ""


def run_conformance(client, device: str, options: ConformanceOptions) -> Report:
    """Every level against the connected ``client``; never raises for a board's failure."""
    report = Report(device)
    config = _level(report, "L0", "hello-info", lambda: check_control(client, report))
    if config is None:
        for level in ("L1", "L2", "L3"):
            report.add(level, "needs-L0", NA, "INFO gave no front-end config to check against.")
    else:
        _injected(client, config, report, options)
        _level(report, "L3", "live", lambda: check_live(client, config, report, options.listen_s))
    if config is not None:
        _level(report, "L4", "soak", lambda: check_soak(client, config, report, options.soak_s))
    report.link = client.stats.as_dict()
    return report


def _level(report: Report, level: str, name: str, fn):
    t0 = time.monotonic()
    try:
        return fn()
    except ConfigError:
        raise
    except BenchError as exc:
        report.add(level, name, FAIL, f"the level broke off: {str(exc).rstrip('.')}.",
                   time.monotonic() - t0)  # fmt: skip
        return None


def _injected(client, config, report: Report, options: ConformanceOptions) -> None:
    info = client.last_info
    caps = info.capabilities
    twin, no_twin = None, "INFO says no model runtime (no model hash, no 'results')."
    if "results" in caps and info.model_sha256:
        twin, no_twin = host_twin(info.model_sha256, options.model)
    if "inject_pcm" not in caps:
        not_applicable(report, {"L1": L1_CHECKS, "L2": ("result-scores",)},
                       "INFO lists no 'inject_pcm' capability.")
        return
    streams = [Stream.FRAMES] + [s for s, cap in ((Stream.PCM, "pcm"), (Stream.RESULTS, "results"))
                                 if cap in caps and (cap != "results" or twin)]  # fmt: skip
    filler = 0
    if twin is not None:
        window = twin.input_shape[1]
        hop = info.model_hop_frames or window
        filler = config.samples_for(window + hop * 2)
    t0 = time.monotonic()
    run = _level(report, "L1", "inject", lambda: run_injection(
        client, config, streams, filler, options.quiet_s))
    if run is None:
        report.add("L2", "result-scores", NA, "the injection run broke off (see L1).")
        return
    took = time.monotonic() - t0
    check_frames(run, config, report, client.stats.total_drops)
    if Stream.PCM in streams:
        check_echo(run, report)
    else:
        report.add("L1", "pcm-echo", NA, "INFO lists no 'pcm' capability.")
    if twin is None:
        report.add("L2", "result-scores", NA, no_twin)
    else:
        check_scores(run, twin, config, report)
    report.checks[-1] = dataclasses.replace(report.checks[-1], seconds=round(took, 3))
