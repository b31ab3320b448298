"""`bench-app devices` and `bench-app device info|capture`: find a board, ask who it is, and
capture its front-end frames for an injected audio file.

This is also the bring-up tool for firmware: `device info` shows exactly what the board said
in INFO, and every command reports the link statistics (CRC errors, drops, resyncs...).
"""

from __future__ import annotations

import argparse
import json
import sys

from bench_app.cli.arg_types import channel_index, int_range, wait_seconds
from bench_app.cli.output_files import Outputs, add_force_option, save_array

#: Exit status of a capture that ended with frames missing (what arrived is saved).
EXIT_INCOMPLETE = 1

_TAG = int_range(1, 2**32 - 1, what="a clip tag (0 means the microphone) ")

_DEVICE_EPILOG = """\
examples:
  bench-app devices
  bench-app device info --device /dev/ttyACM0
  bench-app device info --device socket://10.10.10.1:33001 --json
  bench-app device capture --device /tmp/coral-sim/board --inject speech.wav --out frames.npy
  bench-app device info --device sim --sim "--frontend-config board_fe.json"
  bench-app device capture --device sim --inject speech.wav --out frames.npy

PORT_OR_URL is a serial port path or any pyserial URL (socket://HOST:PORT, loop://), or
sim: a virtual board started for this command (`bench-app emulate` with the --sim arguments;
capture adds --fast unless --sim sets a pace) and stopped after it. A virtual board already
running (`bench-app emulate`) is reached by the port path it prints first.
native: the native board (firmware/core as a host program, `bench-app board native`) started the
same way; --sim then takes its arguments (--fast, --wav FILE, --frontend NAME).
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``devices`` and ``device`` commands."""
    p = subparsers.add_parser(
        "devices",
        help="list serial ports a board may be on, and the virtual board",
        description="List serial ports (a Coral Dev Board Micro first) and the virtual board.",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run_devices)

    dev = subparsers.add_parser(
        "device",
        help="talk to one board: info, capture",
        description="Talk to one board (real or virtual) over the bench's link protocol.",
        epilog=_DEVICE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = dev.add_subparsers(dest="device_command", metavar="ACTION", required=True)

    info = sub.add_parser(
        "info",
        help="ask the board who it is (firmware, model hash, front-end config)",
        description="Send HELLO and print the board's INFO: firmware, model SHA-256, front-end "
        "config, sample rate, capabilities; then the link statistics.",
    )
    _common(info)
    info.set_defaults(func=run_info)

    cap = sub.add_parser(
        "capture",
        help="inject an audio file and save the board's front-end frames",
        description="Send an audio file to the board as INJECT_PCM (bypassing its microphone) "
        "and save the FRAME stream it computed as uint16 (frames, channels) .npy.",
        epilog="Exit status: 0 every expected frame was saved; 1 the capture ended but frames "
        "are missing (lost on the link or never sent; what arrived is saved); 2 an error (bad "
        "input, or the link failed; frames that arrived are saved).",
    )
    _common(cap)
    cap.add_argument("--inject", required=True, metavar="IN.wav",
                     help="audio file to inject (WAV/FLAC; resampled to the board's rate)")
    cap.add_argument("--out", required=True, metavar="FRAMES.npy",
                     help="file to save the frames in (.npy format, written at exactly this "
                     "path; its folder must exist)")
    cap.add_argument("--channel", type=channel_index, metavar="N",
                     help="channel of a multi-channel file to use (from 0)")
    cap.add_argument("--tag", type=_TAG, default=1, metavar="N",
                     help="clip tag the board echoes in its frames (default 1)")
    add_force_option(cap)
    cap.set_defaults(func=run_capture)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--device", required=True, metavar="sim|native|PORT_OR_URL",
                   help="serial port path or pyserial URL of the board, or sim (a virtual "
                   "board started for this command) or native (the firmware core, likewise)")
    p.add_argument("--sim", default="", metavar="ARGS",
                   help="arguments for `bench-app emulate` when --device is sim, in one "
                   "string, e.g. --sim \"--model m.tflite --channel gain_db=-6\" (write "
                   "--sim=--fast when it is a single option)")
    p.add_argument("--timeout", type=wait_seconds, default=3.0, metavar="S",
                   help="seconds to wait for a silent or vanished board (default 3)")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def _print_stats(stats) -> None:
    s = stats
    print(f"link: {s.bytes_in} B in, {s.bytes_out} B out, {s.packets} packets "
          f"({s.frames} frames, {s.pcm_chunks} pcm, {s.results} results)")
    print(f"      crc errors {s.crc_errors}, broken {s.broken_frames}, unknown types "
          f"{s.unknown_types}, resyncs {s.resyncs} ({s.garbage_bytes} B skipped)")
    drops = ", ".join(f"{k} {v}" for k, v in sorted(s.drops.items())) or "none"
    print(f"      drops: {drops}; reconnects {s.reconnects} "
          f"(attempts {s.reconnect_attempts}); board overruns {s.board_audio_overruns}")


def run_devices(args: argparse.Namespace) -> int:
    """List candidate ports and the virtual board."""
    from bench_app.core.device.discovery import list_devices

    entries = list_devices()
    if args.json:
        print(json.dumps({"devices": [e.as_dict() for e in entries]}))
        return 0
    width = max(len(e.name) for e in entries)
    for e in entries:
        mark = "*" if e.likely_board else " "
        print(f"{mark} {e.name:<{width}}  {e.kind:<8} {e.description}")
    if not any(e.likely_board for e in entries):
        print("(no Coral Dev Board Micro found on USB; * marks one)")
    return 0


def _open_board(args: argparse.Namespace, *, fast: bool = False):
    """The board behind ``--device``, connected and its INFO read (a `BoardSession`).

    ``sim`` starts a virtual board with the ``--sim`` arguments (plus ``--fast`` when ``fast``
    and they set no pace), which the session stops when it closes.
    """
    from bench_app.core.errors import ConfigError
    from bench_app.core.runs.procedures.board_io.board_session import (
        STARTED_BOARDS,
        BoardSession,
        sim_arguments,
    )

    if args.device not in STARTED_BOARDS:
        if args.sim:
            raise ConfigError("--sim is for a board started for the command (--device sim or "
                              "native) only.")  # fmt: skip
        return BoardSession(args.device, timeout=args.timeout).open()
    sim_args = sim_arguments(args.sim)
    if fast and not {"--fast", "--speed"} & {a.split("=")[0] for a in sim_args}:
        sim_args.append("--fast")
    return BoardSession(args.device, sim_args, timeout=args.timeout).open()


def _virtual_board(session) -> dict | None:
    """The virtual board started for the command (its port and arguments), if any."""
    if session.emulator is None:
        return None
    return {"port": session.emulator.port, "sim_args": session.sim_args}


def run_info(args: argparse.Namespace) -> int:
    """HELLO -> INFO, printed."""
    with _open_board(args) as session:
        info, stats = session.info, session.client.stats
        virtual = _virtual_board(session)
    if args.json:
        print(json.dumps({"device": args.device, "virtual_board": virtual,
                          "info": info.to_dict(), "link": stats.as_dict()}))  # fmt: skip
        return 0
    print(f"board:        {info.board} (firmware {info.firmware_version}, "
          f"protocol {info.protocol_version})")
    print(f"model sha256: {info.model_sha256 or 'none loaded'}")
    print(f"sample rate:  {info.sample_rate_hz} Hz; cpu clock {info.cpu_clock_hz} Hz")
    print(f"capabilities: {', '.join(info.capabilities) or 'none'}")
    print(f"inject:       window {info.inject_window} x {info.inject_max_samples} samples")
    print("front end:")
    for key, value in sorted(info.frontend.items()):
        print(f"  {key} = {value}")
    for key, value in sorted(info.extra.items()):
        print(f"{key + ':':<13} {json.dumps(value)}")
    _print_stats(stats)
    return 0


def run_capture(args: argparse.Namespace) -> int:
    """Inject a file, save the frames; partial frames are saved even when the board fails."""
    from bench_app.core.audio_files import read_audio
    from bench_app.core.errors import LinkError

    out = Outputs(force=args.force, inputs=[args.inject]).file(args.out)  # before the board
    with _open_board(args, fast=True) as session:
        info, client = session.info, session.client
        clip = read_audio(args.inject, channel=args.channel, sample_rate=info.sample_rate_hz)
        for note in clip.notes:
            print(f"bench-app: note: {note}", file=sys.stderr)
        cap = client.capture(clip.samples, tag=args.tag, timeout=args.timeout)
        stats = client.stats
        virtual = _virtual_board(session)
    features = cap.features
    save_array(out, features)
    summary = {
        "device": args.device,
        "virtual_board": virtual,
        "input": str(args.inject),
        "out": str(out),
        "frames": int(features.shape[0]),
        "channels": int(features.shape[1]) if features.ndim == 2 else 0,
        "expected_frames": cap.expected,
        "missing_frames": cap.missing,
        "missing_positions": cap.missing_positions,
        "samples": int(clip.samples.size),
        "firmware_version": info.firmware_version,
        "model_sha256": info.model_sha256,
        "notes": list(clip.notes),
        "inject": None if cap.inject is None else {
            "chunks": cap.inject.chunks, "resends": cap.inject.resends,
            "busy_waits": cap.inject.busy_waits,
            "first_sample_index": cap.inject.first_sample_index,
        },
        "error": cap.error,
        "link": stats.as_dict(),
    }  # fmt: skip
    if args.json:
        print(json.dumps(summary))
    else:
        print(f"{summary['frames']} frames x {summary['channels']} channels (uint16) from "
              f"{clip.samples.size / info.sample_rate_hz:.2f} s -> {out}"
              + (f" ({cap.missing} of {cap.expected} missing)" if cap.missing else ""))
        _print_stats(stats)
    if cap.error:
        raise LinkError(f"The capture ended early with {features.shape[0]} frames saved to "
                        f"'{out}' ({cap.error.rstrip('.')}).")
    if cap.missing or cap.expected is None or not features.shape[0]:
        expected = "an unknown number" if cap.expected is None else cap.expected
        print(f"bench-app: error: the capture is incomplete: {features.shape[0]} of {expected} "
              f"frames saved to '{out}' ({cap.missing or 0} missing).", file=sys.stderr)
        return EXIT_INCOMPLETE
    return 0
