"""Level 0: the board answers HELLO with an INFO a host can work from.

Protocol version 1, a front-end config the reference front end accepts (its ``fe.*`` keys and
frame grid), capabilities that agree with the model it states (a model hash if and only if it
lists "results"), an inject window, and a heartbeat every 500 ms (docs/protocol.md).
"""

from __future__ import annotations

import time

from bench_app.core.conformance.report import FAIL, PASS, Report
from bench_app.core.errors import BenchError
from bench_app.core.frontend import FrontendConfig

PROTOCOL_VERSION = 1
HEARTBEAT_WAIT_S = 3.0


def check_control(client, report: Report) -> FrontendConfig | None:
    """Run the L0 checks; return the board's front-end config (None if INFO has none usable)."""
    t0 = time.monotonic()
    info = client.info()
    report.info = info.to_dict()
    report.add("L0", "hello-info", PASS,
               f"INFO from {info.board} firmware {info.firmware_version!r} "
               f"in {time.monotonic() - t0:.2f} s.", time.monotonic() - t0)  # fmt: skip
    if info.protocol_version == PROTOCOL_VERSION:
        report.add("L0", "protocol-version", PASS, f"protocol version {PROTOCOL_VERSION}.")
    else:
        report.add("L0", "protocol-version", FAIL, f"INFO says protocol version "
                   f"{info.protocol_version}, the bench speaks {PROTOCOL_VERSION}.")  # fmt: skip
    config = None
    try:
        config = FrontendConfig.from_dict(info.frontend)
        if config.sample_rate_hz != info.sample_rate_hz:
            raise BenchError(f"fe.sample_rate_hz {config.sample_rate_hz} differs from INFO's "
                             f"sample_rate_hz {info.sample_rate_hz}")  # fmt: skip
        report.add("L0", "frontend-config", PASS,
                   f"{config.window_size_ms} / {config.window_step_ms} ms, "
                   f"{config.filterbank_n_channels} channels, "
                   f"{config.filterbank_lower_band_limit:g}-"
                   f"{config.filterbank_upper_band_limit:g} Hz.")  # fmt: skip
    except (BenchError, TypeError, ValueError) as exc:
        config = None
        report.add("L0", "frontend-config", FAIL,
                   f"INFO's front-end config is not one the host can compute: "
                   f"{str(exc).rstrip('.')}.")  # fmt: skip
    report.add("L0", "capabilities", *_capabilities(info))
    report.add("L0", "heartbeat", *_heartbeat(client))
    return config


def _capabilities(info) -> tuple[str, str]:
    caps = set(info.capabilities)
    has_model = info.model_sha256 is not None
    if "frames" not in caps:
        return FAIL, "INFO does not list the mandatory 'frames' capability."
    if has_model != ("results" in caps):
        return FAIL, ("INFO states a model hash but no 'results' capability." if has_model else
                      "INFO lists 'results' but states no model hash.")
    if "inject_pcm" in caps and not (info.inject_window >= 1 and info.inject_max_samples >= 1):
        return FAIL, (f"INFO lists 'inject_pcm' with window {info.inject_window} x "
                      f"{info.inject_max_samples} samples.")  # fmt: skip
    if has_model and not (len(info.model_sha256) == 64
                          and all(c in "0123456789abcdef" for c in info.model_sha256)):
        return FAIL, f"INFO's model_sha256 {info.model_sha256!r} is not 64 lower-case hex digits."
    model = "a model runtime" if has_model else "no model runtime"
    return PASS, f"{', '.join(sorted(caps))}; {model}."


def _heartbeat(client) -> tuple[str, str]:
    first = client.last_heartbeat
    t0 = time.monotonic()
    while client.last_heartbeat is first and time.monotonic() - t0 < HEARTBEAT_WAIT_S:
        time.sleep(0.02)
    if client.last_heartbeat is first:
        return FAIL, f"no HEARTBEAT within {HEARTBEAT_WAIT_S:g} s (the protocol says every 500 ms)."
    return PASS, f"HEARTBEAT within {time.monotonic() - t0:.2f} s."

